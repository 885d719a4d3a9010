"""The zone helpers: the offset table's probing assumption, wall-time resolution, zone names."""

from __future__ import annotations

import itertools
import zoneinfo
from datetime import UTC, date, datetime
from zoneinfo._zoneinfo import ZoneInfo as PyZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slotcalc import InvalidRequest, InvalidTimezone
from slotcalc._tz import _PROBE, OffsetTable, load_zone, wall_to_epoch

ZONES = sorted(zoneinfo.available_timezones())
SINCE_1900 = int(datetime(1900, 1, 1, tzinfo=UTC).timestamp())
UNTIL_2060 = int(datetime(2060, 1, 1, tzinfo=UTC).timestamp())


def test_no_zone_has_transitions_closer_than_the_probe_step() -> None:
    """OffsetTable samples zoneinfo every _PROBE seconds: that finds every change only if no
    two transitions of any zone lie closer together. Checked on tzdata's explicit transitions
    (the pure-Python zoneinfo exposes them); the POSIX rules after them change twice a year."""
    closest = min(
        (b - a, name)
        for name in ZONES
        for tr in [[t for t in PyZoneInfo.no_cache(name)._trans_utc if t > SINCE_1900]]
        for a, b in itertools.pairwise(tr)
    )
    assert closest[0] > 4 * _PROBE, closest


@settings(max_examples=300, deadline=None)
@given(
    name=st.sampled_from(ZONES),
    t=st.integers(
        min_value=SINCE_1900, max_value=int(datetime(2060, 1, 1, tzinfo=UTC).timestamp())
    ),
)
def test_offset_table_agrees_with_zoneinfo(name: str, t: int) -> None:
    zone = zoneinfo.ZoneInfo(name)
    table = OffsetTable(zone)
    off = datetime.fromtimestamp(t, zone).utcoffset()
    assert off is not None
    assert table.offset(t) == int(off.total_seconds())


@pytest.mark.parametrize(
    "name",
    [
        "America/New_York",
        "Australia/Lord_Howe",
        "Pacific/Apia",
        "Africa/Casablanca",
        "America/Santiago",
        "Pacific/Chatham",
    ],
)
def test_offset_table_around_every_transition(name: str) -> None:
    zone = zoneinfo.ZoneInfo(name)
    table = OffsetTable(zone)
    lo = int(datetime(2008, 1, 1, tzinfo=UTC).timestamp())
    hi = int(datetime(2032, 1, 1, tzinfo=UTC).timestamp())
    segs = table.segments(lo, hi)
    assert segs[0][0] == lo and segs[-1][1] == hi
    assert len(segs) > 1
    for a, _b, off in segs:
        for t in (a - 1, a, a + 1):
            want = datetime.fromtimestamp(t, zone).utcoffset()
            assert want is not None
            assert table.offset(t) == int(want.total_seconds())
        assert table.offset(a) == off


def test_wall_to_epoch_follows_rfc5545() -> None:
    ny = zoneinfo.ZoneInfo("America/New_York")
    # gap: 02:30 on the spring-forward night is read with the EST offset = 03:30 EDT
    assert wall_to_epoch(ny, date(2026, 3, 8), 2 * 3600 + 1800) == int(
        datetime(2026, 3, 8, 7, 30, tzinfo=UTC).timestamp()
    )
    # fold: 01:30 on the fall-back night is the first (EDT) occurrence
    assert wall_to_epoch(ny, date(2026, 11, 1), 5400) == int(
        datetime(2026, 11, 1, 5, 30, tzinfo=UTC).timestamp()
    )
    # 24:00 is the next day's 00:00
    assert wall_to_epoch(ny, date(2026, 12, 7), 86400) == wall_to_epoch(ny, date(2026, 12, 8), 0)


def test_zone_names() -> None:
    assert load_zone("UTC").key == "UTC"
    for bad in ["Mars/Olympus_Mons", "", "../etc/passwd", "America/New York", "localtime"]:
        with pytest.raises(InvalidTimezone):
            load_zone(bad)
    with pytest.raises(InvalidRequest):
        load_zone(5)


@settings(max_examples=60, deadline=None)
@given(
    name=st.sampled_from(ZONES),
    blocks=st.lists(st.integers(min_value=-60, max_value=140), min_size=2, max_size=10),
    data=st.data(),
)
def test_offset_table_does_not_depend_on_lookup_order(
    name: str, blocks: list[int], data: st.DataObject
) -> None:
    """Years probed in any order (2026, then 1990, then 1991…) give zoneinfo's offsets."""
    from slotcalc._tz import _BLOCK

    zone = zoneinfo.ZoneInfo(name)
    table = OffsetTable(zone)
    for b in blocks:
        table.cover(b * _BLOCK, b * _BLOCK)
    for b in set(blocks):
        t = data.draw(st.integers(min_value=b * _BLOCK, max_value=(b + 1) * _BLOCK - 1))
        off = datetime.fromtimestamp(t, zone).utcoffset()
        assert off is not None
        assert table.offset(t) == int(off.total_seconds())


HARD = [
    "Pacific/Apia",
    "Australia/Lord_Howe",
    "Antarctica/Troll",
    "America/St_Johns",
    "Europe/Dublin",
    "America/New_York",
    "Europe/Moscow",
    "Africa/Casablanca",
    "America/Santiago",
    "Pacific/Chatham",
]


def same_as_fromtimestamp(got: list[datetime], instants: list[int], zone: zoneinfo.ZoneInfo
                          ) -> bool:
    """Whether ``got`` are ``fromtimestamp``'s datetimes of ``instants``: wall time, fold and
    offset."""
    want = [datetime.fromtimestamp(t, zone) for t in instants]
    return [(g.replace(tzinfo=None), g.fold, g.utcoffset()) for g in got] == [
        (w.replace(tzinfo=None), w.fold, w.utcoffset()) for w in want]


@settings(max_examples=80, deadline=None)
@given(
    name=st.sampled_from(HARD),
    start=st.integers(min_value=0, max_value=2_000_000_000),
    step=st.sampled_from([60, 900, 1800, 3600, 5400]),
    count=st.integers(min_value=0, max_value=3000),
    gap=st.sampled_from([60, 1800, 3600, 5400, 86_400, 3 * 86_400]),
)
def test_datetimes_of_and_shifted_equal_fromtimestamp(name: str, start: int, step: int,
                                                      count: int, gap: int) -> None:
    """The answer's datetimes are exactly ``fromtimestamp``'s, across gaps and folds: the
    starts' (built by stepping inside constant-offset stretches) and the ends' (the starts'
    plus the duration there), whatever transition lies between."""
    from slotcalc._format import datetimes_of, shifted_datetimes

    zone = zoneinfo.ZoneInfo(name)
    table = OffsetTable(zone)
    times = list(range(start, start + count * step, step))
    starts = datetimes_of(table, times)
    assert same_as_fromtimestamp(starts, times, zone)
    ends = shifted_datetimes(table, times, starts, gap)
    assert same_as_fromtimestamp(ends, [t + gap for t in times], zone)


@pytest.mark.parametrize("name", ["America/New_York", "Europe/London", "Australia/Lord_Howe"])
def test_shifted_datetimes_across_both_transitions_of_a_year(name: str) -> None:
    from slotcalc._format import datetimes_of, shifted_datetimes

    zone = zoneinfo.ZoneInfo(name)
    table = OffsetTable(zone)
    times = list(range(1_798_761_600, 1_798_761_600 + 366 * 86_400, 900))  # 2027, every 15 min
    for gap in (1800, 3600, 7200):
        got = shifted_datetimes(table, times, datetimes_of(table, times), gap)
        assert same_as_fromtimestamp(got, [t + gap for t in times], zone)


@settings(max_examples=80, deadline=None)
@given(
    name=st.sampled_from(HARD),
    start=st.integers(min_value=0, max_value=2_000_000_000),
    step=st.sampled_from([60, 900, 1800, 3600, 5400, 86_400]),
    count=st.integers(min_value=0, max_value=2000),
)
def test_instant_texts_equal_isoformat(name: str, start: int, step: int, count: int) -> None:
    """The JSON layer's texts (a run's date text joined to cached clock-and-offset texts) are
    ``fromtimestamp(t, zone).isoformat()``, one by one and in bulk, across transitions."""
    from slotcalc._format import InstantFormatter

    zone = zoneinfo.ZoneInfo(name)
    fmt = InstantFormatter(OffsetTable(zone))
    times = list(range(start, start + count * step, step))
    want = [datetime.fromtimestamp(t, zone).isoformat() for t in times]
    assert fmt.texts(times) == want
    assert [fmt.text(t) for t in times[:50]] == want[:50]
