"""The column-wise busy reader (``jsonapi._busy_columns``, ``model.instants_seconds``) against
the one-entry-at-a-time reading: the same table for every list it takes, and for every list it
refuses the loop's error (the same code and path) — never a different answer."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slotcalc import Busy
from slotcalc.errors import SlotcalcError
from slotcalc.jsonapi import _busy, _busy_columns, load
from slotcalc.model import BusyTable, instant_seconds, instants_seconds


def one_by_one(items: list[Any]) -> BusyTable:
    """The reference: each entry read as a ``Busy`` by the field-driven loader."""
    return BusyTable.from_busy([load(Busy, item, f"/busy/{i}") for i, item in enumerate(items)])


def entry(rng: random.Random, shape: str) -> dict[str, Any]:
    t = rng.randrange(1_700_000_000, 1_900_000_000, 300)
    d = rng.randrange(60, 7200, 60)

    def text(x: int) -> str:
        from datetime import UTC, datetime, timedelta, timezone
        if shape == "Z":
            return datetime.fromtimestamp(x, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        off = timezone(timedelta(minutes=rng.choice((-570, -300, 0, 330, 345, 780))))
        return datetime.fromtimestamp(x, off).isoformat()

    out: dict[str, Any] = {"start": text(t), "end": text(t + d)}
    if rng.random() < 0.3:
        out["seats"] = rng.randint(1, 3)
    if rng.random() < 0.3:
        out["id"] = f"b{rng.randrange(1000)}"
    if rng.random() < 0.2:
        out["buffer_before"] = rng.randrange(0, 30)
    if rng.random() < 0.2:
        out["buffer_after"] = rng.randrange(0, 30)
    return out


@pytest.mark.parametrize("shape", ["Z", "offset"])
@pytest.mark.parametrize("seed", range(5))
def test_same_table_as_one_by_one(shape: str, seed: int) -> None:
    rng = random.Random(seed)
    items = [entry(rng, shape) for _ in range(300)]
    got = _busy_columns(items)
    assert got is not None
    assert got == one_by_one(items)


def test_mixed_shapes_are_read_one_by_one_with_the_same_answer() -> None:
    rng = random.Random(7)
    items = [entry(rng, "Z") for _ in range(50)] + [entry(rng, "offset") for _ in range(50)]
    rng.shuffle(items)
    assert _busy(items, "/busy") == one_by_one(items)


GOOD = {"start": "2027-03-01T10:00:00Z", "end": "2027-03-01T11:00:00Z"}

BAD_ENTRIES: list[tuple[dict[str, Any], str]] = [
    ({**GOOD, "seats": 0}, "/seats"),
    ({**GOOD, "seats": -1}, "/seats"),
    ({**GOOD, "seats": True}, "/seats"),
    ({**GOOD, "seats": 2.5}, "/seats"),
    ({**GOOD, "id": None}, "/id"),
    ({**GOOD, "id": 5}, "/id"),
    ({**GOOD, "buffer_before": -5}, "/buffer_before"),
    ({**GOOD, "buffer_after": 10**9}, "/buffer_after"),
    ({**GOOD, "colour": "red"}, ""),
    ({"start": GOOD["start"]}, "/end"),
    ({**GOOD, "end": "2027-03-01T09:00:00Z"}, "/end"),
    ({**GOOD, "end": GOOD["start"]}, "/end"),
    ({**GOOD, "start": "2027-02-30T10:00:00Z"}, "/start"),
    ({**GOOD, "start": "2027-03-01T24:00:00Z"}, "/start"),
    ({**GOOD, "start": "2027-03-01T10:00:00"}, "/start"),
    ({**GOOD, "start": 1_800_000_000}, "/start"),
]


@pytest.mark.parametrize(("bad", "field"), BAD_ENTRIES)
def test_a_bad_entry_gets_the_loops_error_at_its_index(bad: dict[str, Any], field: str) -> None:
    items: list[Any] = [dict(GOOD) for _ in range(40)]
    items[23] = bad
    assert _busy_columns(items) is None or field == ""
    with pytest.raises(SlotcalcError) as got:
        _busy(items, "/busy")
    with pytest.raises(SlotcalcError) as want:
        load(Busy, bad, "/busy/23")
    assert (got.value.code, got.value.path) == (want.value.code, want.value.path)
    assert got.value.path.startswith("/busy/23")


@pytest.mark.parametrize("odd", ["2027-03-01 10:00:00Z", "2027-03-01T10:00:00z",
                                 "2027-03-01T10:00:00.5Z", "2027-03-01T10:00:00+00:00:00"])
def test_other_rfc3339_shapes_are_read_by_the_loop(odd: str) -> None:
    items: list[Any] = [dict(GOOD) for _ in range(10)]
    items[4] = {**GOOD, "start": odd}
    assert _busy_columns(items) is None
    try:
        want = one_by_one(items)
    except SlotcalcError as e:
        with pytest.raises(SlotcalcError) as got:
            _busy(items, "/busy")
        assert (got.value.code, got.value.path) == (e.code, e.path)
    else:
        assert _busy(items, "/busy") == want


def test_refuses_what_is_not_a_list_of_dicts() -> None:
    assert _busy_columns([GOOD, ["start", "end"]]) is None
    assert _busy_columns([GOOD, "start"]) is None
    assert _busy_columns([]) is None


texts = st.one_of(
    st.text(alphabet="0123456789-T:Z+ ", min_size=18, max_size=26),
    st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()),
    st.integers(0, 10**6).map(lambda x: f"2027-01-01T{x % 25:02d}:{x % 61:02d}:{x % 60:02d}Z"),
)


@pytest.mark.property
@settings(max_examples=300, deadline=None)
@given(st.lists(texts, min_size=1, max_size=20))
def test_instants_seconds_is_instant_seconds_of_each(column: list[str]) -> None:
    one = [instant_seconds(t) for t in column]
    got = instants_seconds(column)
    if None in one:
        assert got is None
    else:
        assert got == one


@pytest.mark.parametrize("column", [
    # mixed shapes, read one by one
    ["2027-03-01T10:00:00Z", "2027-03-01T10:00:00+01:00", "2027-03-01T10:00:00-09:30"],
    # a short text then a long one: joined, they read like two good texts
    ["2027-03-01T10:00:00", "Z2027-03-01T10:00:00Z"],
    ["2027-03-01T10:00:00+01:0", "02027-03-01T10:00:00+01:00"],
    # a short text and a long one whose letters T fall where good texts have theirs
    ["2027-01-04T00:15:00Z", "2027-01-04", "00:15:00ZT2027-01-04T00:15:00Z"],
    ["2027-01-04T00:15:00Z", "2027-01-04T00:15:0", "0Z 2027-01-04T00:15:00Z"],
    ["2027-01-04T00:15:00Z", "2027-01-04 00:15:00Z", "2027-01-04T00:15:00Z"],
    # an extra T, a T out of place, a lowercase t or z
    ["2027-03-01T10:00:00Z", "2027-03-01TT0:00:00Z"],
    ["2027-03-01T10:00:00Z", "2027-03-0T110:00:00Z"],
    ["2027-03-01t10:00:00Z", "2027-03-01T10:00:00Z"],
    ["2027-03-01T10:00:00z", "2027-03-01T10:00:00Z"],
    # dates at the ends of the accepted years (read one by one: the column's dates stay away)
    ["1800-01-02T10:00:00Z", "1800-01-03T10:00:00+05:00", "2027-03-01T10:00:00Z"],
    ["2499-12-29T10:00:00Z", "2499-12-28T23:59:59-12:00", "2499-12-27T23:59:59Z"],
    ["1800-01-03T00:00:00+14:00", "1800-01-04T00:00:00Z"],
    ["1800-01-05T00:00:00Z", "1800-01-04T00:00:00-12:00"],
    # good columns of each shape, with offsets of every sign
    ["2027-03-01T10:00:00Z", "2027-03-01T23:59:59Z", "2028-02-29T00:00:00Z"],
    ["2027-03-01T10:00:00+05:45", "2027-03-01T10:00:00-09:30", "2027-03-01T00:00:00+00:00"],
    # not strings
    ["2027-03-01T10:00:00Z", 7],
])
def test_columns_read_as_the_texts_one_by_one(column: list[Any]) -> None:
    one = [instant_seconds(t) if isinstance(t, str) else None for t in column]
    got = instants_seconds(column)
    if None in one:
        assert got is None
    else:
        assert got == one


BOOKING = {**GOOD, "seats": 2, "id": "b1"}


@pytest.mark.parametrize("bad", [
    {**BOOKING, "seats": 0}, {**BOOKING, "id": None}, {**GOOD, "seats": 0},
    {**GOOD, "id": None, "buffer_before": 5}, {**BOOKING, "seats": 0, "buffer_after": 0},
    {**BOOKING, "colour": "red"}, {**GOOD, "seats": 0, "note": 1},
])
def test_an_explicit_zero_or_null_among_bookings_is_not_read_as_absent(bad: dict[str, Any]
                                                                        ) -> None:
    rows: list[Any] = [dict(BOOKING), dict(GOOD), {**GOOD, "buffer_before": 0},
                       {**BOOKING, "buffer_after": 15}] * 5
    assert _busy_columns(rows) == one_by_one(rows)
    rows[13] = bad
    assert _busy_columns(rows) is None
    with pytest.raises(SlotcalcError) as got:
        _busy(rows, "/busy")
    assert got.value.path.startswith("/busy/13")


@pytest.mark.parametrize("later", [BOOKING, {**GOOD, "buffer_after": 5}, {**GOOD, "id": "x"},
                                   {**BOOKING, "buffer_before": 0}])
def test_fields_that_first_appear_late_in_the_list_are_read(later: dict[str, Any]) -> None:
    rows: list[Any] = [dict(GOOD)] * 12 + [dict(later)] * 3 + [dict(GOOD)]
    assert _busy_columns(rows) == one_by_one(rows)
    rows[14] = {**later, "colour": "red"}
    assert _busy_columns(rows) is None


good_texts = st.integers(1_700_000_000, 1_900_000_000).map(
    lambda t: datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))


@pytest.mark.property
@settings(max_examples=300, deadline=None)
@given(st.lists(good_texts, min_size=2, max_size=12), st.data())
def test_good_texts_cut_elsewhere_are_not_read_as_good_ones(column: list[str],
                                                           data: st.DataObject) -> None:
    """The same characters cut into texts at other places (with the separators where good
    texts have them, often) read exactly as one by one: never as the texts they came from."""
    joined = "".join(column)
    cuts = sorted(data.draw(st.lists(st.integers(1, len(joined) - 1), min_size=len(column) - 1,
                                     max_size=len(column) - 1, unique=True)))
    pieces = [joined[a:b] for a, b in zip([0, *cuts], [*cuts, len(joined)], strict=True)]
    one = [instant_seconds(t) for t in pieces]
    got = instants_seconds(pieces)
    assert got == (None if None in one else one)


def test_a_long_list_is_read_in_chunks_with_the_same_table_and_errors() -> None:
    rng = random.Random(11)
    rows: list[Any] = [entry(rng, "Z") for _ in range(2500)]
    for i in range(0, 2000):  # the optional fields appear only in the last chunk
        rows[i] = {"start": rows[i]["start"], "end": rows[i]["end"]}
    assert _busy_columns(rows) == one_by_one(rows)
    rows[2100] = {**rows[2100], "seats": 0}
    assert _busy_columns(rows) is None
    with pytest.raises(SlotcalcError) as got:
        _busy(rows, "/busy")
    assert got.value.path == "/busy/2100/seats"


def mostly(good: st.SearchStrategy[Any], *bad: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """``good`` nine times in ten, else one of ``bad``."""
    return st.integers(0, 9).flatmap(lambda k: st.one_of(*bad) if k == 0 else good)


field_values = {
    "seats": mostly(st.integers(1, 3), st.integers(-1, 0), st.none(), st.booleans(),
                    st.just(2.0)),
    "id": mostly(st.text("ab", max_size=2), st.none(), st.integers(0, 2)),
    "buffer_before": mostly(st.integers(0, 20), st.just(-1), st.none(), st.just(1.5)),
    "buffer_after": mostly(st.integers(0, 20), st.just(10**9)),
    "note": st.just("x"),
}


@st.composite
def busy_rows(draw: st.DrawFn) -> list[Any]:
    rows: list[Any] = []
    for _ in range(draw(st.integers(1, 30))):
        t = draw(st.integers(1_800_000_000, 1_800_100_000)) // 300 * 300
        row: dict[str, Any] = {
            "start": datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "end": datetime.fromtimestamp(t + 900, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}
        for key in draw(st.lists(st.sampled_from(sorted(field_values)), max_size=3,
                                 unique=True)):
            if key != "note" or draw(st.integers(0, 9)) == 0:
                row[key] = draw(field_values[key])
        rows.append(row)
    return rows


@pytest.mark.property
@settings(max_examples=400, deadline=None)
@given(busy_rows())
def test_the_column_reader_takes_exactly_what_the_loop_reads(rows: list[Any]) -> None:
    """Random entries with every optional field present, absent, explicitly 0 or null, of a
    wrong type or out of range, now and then an unknown key: the columns give the loop's
    table, or nothing (and the loop then names the bad field)."""
    try:
        want: BusyTable | None = one_by_one(rows)
    except SlotcalcError:
        want = None
    got = _busy_columns(rows)
    assert got is None or got == want
    if want is not None:
        assert _busy(rows, "/busy") == want
