"""slotcalc.batch: the columnar many-hosts API against the single-request API, host by host."""

from __future__ import annotations

import pickle
import random
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

pa = pytest.importorskip("pyarrow")

from slotcalc import (  # noqa: E402
    Busy,
    EventPolicy,
    Host,
    Override,
    Query,
    Schedule,
    Team,
    Travel,
    check_slot,
    find_slots,
)
from slotcalc.batch import (  # noqa: E402
    Fleet,
    check,
    fingerprint,
    fingerprints,
    first_free,
    periods,
    slots,
    slots_table,
)

ZONES = (
    "America/New_York",
    "Europe/London",
    "Europe/Berlin",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
    "America/Santiago",
    "Pacific/Chatham",
    "UTC",
)
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ROOT = Path(__file__).resolve().parent.parent


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def random_schedule(rng: random.Random) -> Schedule:
    weekly: dict[str, list[tuple[str, str]]] = {}
    for d in DAYS:
        if rng.random() < 0.75:
            pairs = []
            for _ in range(rng.randint(1, 2)):
                a = rng.randrange(0, 22 * 60, 30)
                b = min(24 * 60, a + rng.choice((60, 120, 240, 480)))
                pairs.append((_hhmm(a), _hhmm(b)))
            weekly[d] = pairs
    overrides = []
    if rng.random() < 0.3:
        overrides.append(Override(date(2027, 3, 29), [("01:00", "03:30")]))
    return Schedule(rng.choice(ZONES), weekly, overrides)


def random_event(rng: random.Random) -> EventPolicy:
    dur = rng.choice((15, 30, 45, 60))
    return EventPolicy(
        dur,
        step=rng.choice((15, 20, 30, dur)),
        align=rng.choice(("window", "clock", "free")),
        buffer_before=rng.choice((0, 0, 5, 15)),
        buffer_after=rng.choice((0, 10)),
        min_notice=rng.choice((0, 0, 600)),
        horizon_days=rng.choice((None, None, 20)),
        capacity=rng.choice((1, 1, 3)),
        max_per_day=rng.choice((None, None, 2)),
    )


BASE = int(datetime(2027, 3, 20, tzinfo=UTC).timestamp())  # DST changes in the next weeks


def random_busy(rng: random.Random, n: int, seats: bool) -> list[tuple[int, int, int | None, str]]:
    out = []
    for i in range(n):
        s = BASE + 300 * rng.randrange(20 * 288)
        e = s + 900 * rng.randint(1, 8)
        k = rng.choice((None, 1, 2)) if seats else None
        out.append((s, e, k, f"b{i}"))
    return out


Case = tuple[Fleet, dict[str, Schedule], dict[str, list[Busy]], EventPolicy, Query]


def make_fleet(seed: int, hosts: int = 12) -> Case:
    rng = random.Random(seed)
    event = random_event(rng)
    seats = event.capacity > 1 or rng.random() < 0.3
    schedules: dict[str, Schedule] = {}
    busy_objs: dict[str, list[Busy]] = {}
    cols: dict[str, list[Any]] = {"host": [], "start": [], "end": [], "seats": [], "id": []}
    shared = random_schedule(rng)
    for h in range(hosts):
        key = f"h{h}"
        schedules[key] = shared if rng.random() < 0.3 else random_schedule(rng)
        rows = random_busy(rng, rng.randint(0, 40), seats)
        busy_objs[key] = [
            Busy(datetime.fromtimestamp(s, UTC), datetime.fromtimestamp(e, UTC), seats=k, id=i)
            for s, e, k, i in rows
        ]
        for s, e, k, i in rows:
            cols["host"].append(key)
            cols["start"].append(s)
            cols["end"].append(e)
            cols["seats"].append(k)
            cols["id"].append(i)
    order = list(range(len(cols["host"])))
    rng.shuffle(order)  # rows of one host need not be together or sorted
    table = pa.table({k: [v[i] for i in order] for k, v in cols.items()},
                     schema=pa.schema([("host", pa.string()), ("start", pa.int64()),
                                       ("end", pa.int64()), ("seats", pa.int64()),
                                       ("id", pa.string())]))
    start = date(2027, 3, 22) + timedelta(days=rng.randrange(10))
    query = Query(
        start,
        start + timedelta(days=rng.randint(0, 12)),
        timezone=rng.choice((None, "Europe/Madrid", "America/Los_Angeles", "Asia/Kathmandu")),
        now=datetime.fromtimestamp(BASE + rng.randrange(6 * DAY_S), UTC),
        exclude=("b1", "b3") if rng.random() < 0.3 else (),
        limit=rng.choice((None, None, 7)),
    )
    return Fleet(schedules, table), schedules, busy_objs, event, query


DAY_S = 86400


def expected_rows(schedules: dict[str, Schedule], busy: dict[str, list[Busy]],
                  event: EventPolicy, query: Query) -> list[tuple[Any, ...]]:
    rows = []
    for key, sch in schedules.items():
        a = find_slots(sch, event, query, busy[key])
        for day in a.days:
            for s in day.slots:
                rows.append((key, s.start.astimezone(UTC), s.end.astimezone(UTC), s.remaining,
                             day.date))
    return rows


def batch_rows(table: Any) -> list[tuple[Any, ...]]:
    d = table.to_pydict()
    assert all(e is None for e in d["error"])
    return list(zip(d["host"], d["start"], d["end"], d["remaining"], d["date"], strict=True))


@pytest.mark.parametrize("seed", range(40))
def test_same_slots_as_find_slots(seed: int) -> None:
    fleet, schedules, busy, event, query = make_fleet(seed)
    got = slots_table(fleet, event, query, batch_size=5)
    assert got.schema.field("start").type == pa.timestamp("s", tz="UTC")
    assert got.schema.field("date").type == pa.date32()
    assert batch_rows(got) == expected_rows(schedules, busy, event, query)


@pytest.mark.parametrize("seed", range(15))
def test_same_periods_as_the_request(seed: int) -> None:
    from slotcalc import Request
    fleet, schedules, busy, event, query = make_fleet(seed)
    got = pa.Table.from_batches(list(periods(fleet, event, query, batch_size=4))).to_pydict()
    assert all(e is None for e in got["error"])
    want = [(key, p.start.astimezone(UTC), p.end.astimezone(UTC))
            for key, sch in schedules.items()
            for p in Request(sch, event, query, busy=busy[key]).periods().periods]
    assert list(zip(got["host"], got["start"], got["end"], strict=True)) == want


def test_batches_stream_per_batch_of_hosts() -> None:
    fleet, *_rest, event, query = make_fleet(3, hosts=10)
    batches = list(slots(fleet, event, query, batch_size=4))
    assert len(batches) == 3
    assert all(isinstance(b, pa.RecordBatch) for b in batches)
    seen = [set(b.column("host").to_pylist()) for b in batches]
    assert seen[0] <= {"h0", "h1", "h2", "h3"}


@pytest.mark.parametrize("seed", range(15))
def test_next_available_as_find_slots(seed: int) -> None:
    fleet, schedules, busy, event, query = make_fleet(seed)
    query = Query(date(2027, 3, 28), date(2027, 3, 28), now=query.now, timezone=query.timezone)
    got = slots_table(fleet, event, query, next_available=True).to_pydict()
    for key, sch in schedules.items():
        a = find_slots(sch, event, query, busy[key])
        mine = [i for i, h in enumerate(got["host"]) if h == key]
        if a.slots:
            assert [got["start"][i] for i in mine] == [s.start.astimezone(UTC) for s in a.slots]
        else:
            assert len(mine) == 1 and got["start"][mine[0]] is None
            want = None if a.next_available is None else a.next_available.astimezone(UTC)
            assert got["next_available"][mine[0]] == want


def test_bad_hosts_get_an_error_row_and_the_others_answer() -> None:
    sch = Schedule("Europe/Berlin", {"mon": [("09:00", "12:00")]})
    busy = pa.table({
        "host": ["ok", "flipped", "seatless"],
        "start": [BASE, BASE + 3600, BASE],
        "end": [BASE + 60, BASE, BASE + 60],
        "seats": [None, None, 0],
    })
    fleet = Fleet({"ok": "nine", "flipped": "nine", "seatless": "nine", "ghost": "nope",
                   "typo": 42},  # type: ignore[dict-item]
                  busy, library={"nine": sch})
    q = Query("2027-03-22", "2027-03-22", now="2027-03-01T00:00:00Z")
    t = slots_table(fleet, EventPolicy(60), q).to_pydict()
    errors = {h: e for h, e in zip(t["host"], t["error"], strict=True) if e}
    assert errors["flipped"].startswith("invalid_interval:")
    assert errors["seatless"].startswith("invalid_value:")
    assert errors["ghost"].startswith("invalid_request:") and "library" in errors["ghost"]
    assert errors["typo"].startswith("invalid_request:")
    assert [h for h in t["host"] if h == "ok"] == ["ok"] * 3
    c = check(fleet, EventPolicy(60), q, "2027-03-22T08:00:00Z").to_pydict()
    assert c["bookable"] == [True, None, None, None, None]
    assert c["error"][0] is None and all(c["error"][1:])


def test_timestamp_columns_equal_epoch_seconds() -> None:
    fleet, schedules, _busy, event, query = make_fleet(7)
    b = fleet.busy
    ms = pa.table({
        "host": b["host"],
        "start": pa.compute.multiply(b["start"], 1000).cast(pa.timestamp("ms", tz="UTC")),
        "end": pa.compute.multiply(b["end"], 1000).cast(pa.timestamp("ms", tz="UTC")),
        "seats": b["seats"],
        "id": b["id"],
    })
    again = Fleet(schedules, ms)
    assert batch_rows(slots_table(again, event, query)) == batch_rows(
        slots_table(fleet, event, query)
    )
    naive = ms.set_column(1, "start", ms["start"].cast(pa.timestamp("ms")))
    with pytest.raises(ValueError, match="without a time zone"):
        Fleet(schedules, naive)


def test_record_batch_and_dict_inputs() -> None:
    sch = Schedule("UTC", {"mon": [("09:00", "11:00")]})
    q = Query("2027-03-22", "2027-03-22", now="2027-03-01T00:00:00Z")
    cols = {"host": [1, 1], "start": [BASE + 2 * DAY_S + 9 * 3600], "end": [0]}
    cols = {"host": [1], "start": [BASE + 2 * DAY_S + 9 * 3600],
            "end": [BASE + 2 * DAY_S + 10 * 3600]}
    for busy in (cols, pa.record_batch(cols), pa.table(cols)):
        t = slots_table(Fleet({1: sch, 2: sch}, busy), EventPolicy(60), q).to_pydict()
        assert t["host"] == [1, 2, 2]


@pytest.mark.parametrize("seed", range(25))
def test_check_same_as_check_slot(seed: int) -> None:
    fleet, schedules, busy, event, query = make_fleet(seed)
    rng = random.Random(seed)
    for _ in range(3):
        start = datetime.fromtimestamp(BASE + 2 * DAY_S + 300 * rng.randrange(3 * 288), UTC)
        got = check(fleet, event, query, start).to_pydict()
        for i, (key, sch) in enumerate(schedules.items()):
            want = check_slot(sch, event, query, start, busy[key])
            assert got["host"][i] == key
            assert (got["bookable"][i], got["reason"][i], got["remaining"][i]) == (
                want.bookable, want.reason, want.remaining), (key, start)


@pytest.mark.parametrize("seed", range(25))
def test_first_free_is_the_head_of_all_slots(seed: int) -> None:
    fleet, schedules, busy, event, query = make_fleet(seed, hosts=15)
    query = Query(query.start, query.end, timezone=query.timezone, now=query.now,
                  exclude=query.exclude)  # first_free takes k, not the query's limit
    rows = expected_rows(schedules, busy, event, query)
    order = {k: i for i, k in enumerate(schedules)}
    rows.sort(key=lambda r: (r[1], order[r[0]]))
    for k in (1, 5, 40):
        got = first_free(fleet, event, query, k)
        assert [(f.host, f.start, f.remaining) for f in got] == [
            (r[0], r[1], r[3]) for r in rows[:k]
        ]


def own_schedule(rng: random.Random) -> Schedule:
    """A schedule of one host's own: hours that may run to midnight, sit in a DST gap, change
    on overridden dates inside the range, or be read in a travel zone for some dates."""
    weekly: dict[str, list[tuple[str, str]]] = {}
    for d in DAYS:
        r = rng.random()
        if r < 0.15:
            weekly[d] = [("00:00", "24:00")]
        elif r < 0.25:
            weekly[d] = [("01:30", "03:30"), ("22:00", "24:00")]  # DST gaps and folds
        elif r < 0.8:
            a = rng.randrange(0, 23 * 60, 15)
            weekly[d] = [(_hhmm(a), _hhmm(min(24 * 60, a + rng.choice((30, 90, 240)))))]
    overrides = []
    for n in sorted(rng.sample(range(14), rng.randint(0, 2))):
        day = date(2027, 3, 22) + timedelta(days=n)
        a = rng.randrange(0, 23 * 60, 30)
        overrides.append(Override(day, rng.choice(([], [(_hhmm(a), _hhmm(a + 60))]))))
    zones = []
    if rng.random() < 0.25:
        first = date(2027, 3, 22) + timedelta(days=rng.randrange(10))
        zones.append(Travel(first, first + timedelta(days=rng.randrange(4)),
                            timezone=rng.choice(ZONES)))
    return Schedule(rng.choice(ZONES), weekly, overrides, zones)


@pytest.mark.parametrize("seed", range(12))
def test_first_free_without_shared_schedules(seed: int) -> None:
    """Each host its own Schedule object: first_free bounds hosts from their hours alone
    (no plan, no grid) before computing any; the answer is still the head of all slots."""
    rng = random.Random(1000 + seed)
    event = random_event(rng)
    seats = event.capacity > 1
    schedules = {f"u{h}": own_schedule(rng) for h in range(60)}
    busy: dict[str, list[Busy]] = {}
    cols: dict[str, list[Any]] = {"host": [], "start": [], "end": [], "seats": []}
    for key in schedules:
        rows = random_busy(rng, rng.randint(0, 60), seats)
        busy[key] = [Busy(datetime.fromtimestamp(s, UTC), datetime.fromtimestamp(e, UTC),
                          seats=k) for s, e, k, _i in rows]
        for s, e, k, _i in rows:
            cols["host"].append(key)
            cols["start"].append(s)
            cols["end"].append(e)
            cols["seats"].append(k)
    fleet = Fleet(schedules, pa.table(cols, schema=pa.schema([
        ("host", pa.string()), ("start", pa.int64()), ("end", pa.int64()),
        ("seats", pa.int64())])))
    start = date(2027, 3, 22) + timedelta(days=rng.randrange(8))
    query = Query(start, start + timedelta(days=rng.randint(0, 9)),
                  timezone=rng.choice((None, "Europe/Madrid", "Pacific/Chatham")),
                  now=datetime.fromtimestamp(BASE + rng.randrange(6 * DAY_S), UTC))
    rows = expected_rows(schedules, busy, event, query)
    order = {k: i for i, k in enumerate(schedules)}
    rows.sort(key=lambda r: (r[1], order[r[0]]))
    for k in (1, 3, 25, 400):
        got = first_free(fleet, event, query, k)
        assert [(f.host, f.start, f.remaining) for f in got] == [
            (r[0], r[1], r[3]) for r in rows[:k]
        ], (seed, k)


def test_fingerprint_is_stable() -> None:
    sch = Schedule("Europe/Madrid", {"mon": [("09:00", "13:00")]},
                   [Override("2026-12-08", [("10:00", "11:00")])])
    ev = EventPolicy(30, step=15, buffer_after=10)
    busy = [Busy("2026-12-07T15:00:00Z", "2026-12-07T16:00:00Z"),
            Busy("2026-12-07T10:00:00Z", "2026-12-07T11:00:00Z", seats=1, id="bk")]
    q = Query("2026-12-07", "2026-12-11", timezone="UTC", now="2026-12-01T00:00:00Z")
    digest = fingerprint(sch, busy, ev, q)
    # computed once (slotcalc fingerprint v1); must never change silently
    assert digest == "6c874743dd30841905436cbcb332cb1da980dd6c21cbe2f635db567e307b8464"
    assert fingerprint(sch, list(reversed(busy)), ev, q) == digest
    assert fingerprint(sch, [(b.start_s, b.end_s, b.seats, b.id) for b in busy], ev, q) == digest
    assert fingerprint(sch, busy[:1], ev, q) != digest
    assert fingerprint(sch, busy, EventPolicy(30, step=15), q) != digest
    assert fingerprint(sch, busy, ev, Query("2026-12-07", "2026-12-12", timezone="UTC",
                                            now="2026-12-01T00:00:00Z")) != digest
    window = ("2026-12-07T00:00:00Z", "2026-12-12T00:00:00Z")
    assert fingerprint(sch, busy, ev, window) == fingerprint(
        sch, busy, ev, (1796601600, 1797033600))
    # the same digest in a fresh interpreter (no shared hash seeds, caches or state)
    code = (
        "from slotcalc import *; from slotcalc.batch import fingerprint\n"
        "s = Schedule('Europe/Madrid', {'mon': [('09:00', '13:00')]},"
        " [Override('2026-12-08', [('10:00', '11:00')])])\n"
        "b = [Busy('2026-12-07T10:00:00Z', '2026-12-07T11:00:00Z', seats=1, id='bk'),"
        " Busy('2026-12-07T15:00:00Z', '2026-12-07T16:00:00Z')]\n"
        "q = Query('2026-12-07', '2026-12-11', timezone='UTC', now='2026-12-01T00:00:00Z')\n"
        "print(fingerprint(s, b, EventPolicy(30, step=15, buffer_after=10), q))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(ROOT / "src"), "PYTHONHASHSEED": "7"})
    assert out.stdout.strip() == digest


def test_fingerprints_of_a_fleet() -> None:
    fleet, schedules, busy, event, query = make_fleet(11)
    got = fingerprints(fleet, event, query).to_pydict()
    for key, digest in zip(got["host"], got["fingerprint"], strict=True):
        assert digest == fingerprint(schedules[key], busy[key], event, query)


def _pickles() -> list[Any]:
    import cloudpickle

    return [pickle, cloudpickle]


@pytest.mark.parametrize("seed", range(4))
def test_everything_pickles_and_answers_the_same(seed: int) -> None:
    fleet, schedules, busy, event, query = make_fleet(seed)
    want = batch_rows(slots_table(fleet, event, query))
    key = next(iter(schedules))
    single = find_slots(schedules[key], event, query, busy[key])
    for mod in _pickles():
        f2, e2, q2 = (mod.loads(mod.dumps(x)) for x in (fleet, event, query))
        assert batch_rows(slots_table(f2, e2, q2)) == want
        s2, b2 = mod.loads(mod.dumps((schedules[key], busy[key])))
        assert s2 == schedules[key] and b2 == busy[key]
        assert find_slots(s2, e2, q2, b2) == single
        for obj in (Override("2027-03-29", [("09:00", "10:00")]), Host("x", s2, b2),
                    Team("any", 1)):
            assert mod.loads(mod.dumps(obj)) == obj
        h2 = mod.loads(mod.dumps(Host(key, schedules[key], busy[key])))
        assert find_slots(h2.schedule, e2, q2, h2.busy) == single


def test_friendly_import_error_without_pyarrow() -> None:
    code = (
        "import sys; sys.modules['pyarrow'] = None\n"
        "try:\n    import slotcalc.batch\n"
        "except ImportError as e:\n    print(e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(ROOT / "src")})
    assert "pip install 'slotcalc[arrow]'" in out.stdout
