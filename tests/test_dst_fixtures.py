"""DST fixtures: every gap and fold of the project's zones, probed one second and one step around.

In the manner of CPython's ``test_zoneinfo``: the transitions of 2010–2030 (plus Apia's skipped
2011-12-30) are found once by sampling ``zoneinfo``; then for each of them

* ``OffsetTable.offset`` equals ``zoneinfo`` at ``t − step, t − 1, t, t + 1, t + step``;
* ``wall_to_epoch`` resolves wall times one second and one minute around the gap or fold by
  RFC 5545 (first occurrence in a fold, pre-gap offset in a gap) — the expected instants are
  computed from the two offsets alone, not from zoneinfo;
* the engine's slots on that night (six wall hours around the change, 60- and 30-minute events)
  step by exactly the event's elapsed length, and read as zoneinfo writes those instants.

A hand-written table pins the well-known nights to literal strings, and the hardest nights of
the public strategies' zone list (midnight folds and gaps, Apia, Troll, Dublin's negative DST)
are run through the engine and the reference (tests/reference.py) for every alignment.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

import pytest

from reference import answer_of, flat, ref_find_slots
from slotcalc import Busy, EventPolicy, Override, Query, Schedule, find_slots
from slotcalc._tz import OffsetTable, wall_to_epoch

ZONES = ("America/New_York", "Europe/London", "Australia/Lord_Howe", "Pacific/Apia",
         "Pacific/Chatham", "America/Santiago", "Asia/Kolkata", "Africa/Casablanca",
         "Asia/Kathmandu", "America/St_Johns", "UTC")
YEARS = (2010, 2031)  # [from, to)
SAMPLE = 6 * 3600
DAY = 86400
HOUR = 3600


class Transition(NamedTuple):
    zone: str
    at: int  # first epoch second with the new offset
    before: int  # offset (s) in force before
    after: int  # offset (s) from ``at`` on

    @property
    def gap(self) -> bool:
        return self.after > self.before

    def __str__(self) -> str:
        kind = "gap" if self.gap else "fold"
        when = datetime.fromtimestamp(self.at, UTC).isoformat()
        return f"{self.zone}@{when}:{kind}{(self.after - self.before) // 60:+d}m"


def _offset(zone: ZoneInfo, t: int) -> int:
    off = datetime.fromtimestamp(t, zone).utcoffset()
    assert off is not None
    return int(off.total_seconds())


@cache
def transitions(name: str) -> tuple[Transition, ...]:
    """Return every offset change of ``name`` in YEARS, found by sampling and bisection."""
    zone = ZoneInfo(name)
    lo = int(datetime(YEARS[0], 1, 1, tzinfo=UTC).timestamp())
    hi = int(datetime(YEARS[1], 1, 1, tzinfo=UTC).timestamp())
    out: list[Transition] = []
    t, prev = lo, _offset(zone, lo)
    while t < hi:
        nxt = t + SAMPLE
        off = _offset(zone, nxt)
        if off != prev:
            a, b = t, nxt
            while b - a > 1:
                mid = (a + b) // 2
                if _offset(zone, mid) == prev:
                    a = mid
                else:
                    b = mid
            out.append(Transition(name, b, prev, off))
            prev = off
        t = nxt
    return tuple(out)


ALL = [tr for name in ZONES for tr in transitions(name)]
QUIET = ("Asia/Kolkata", "Asia/Kathmandu", "UTC")


def test_fixture_table_is_complete() -> None:
    counts = {name: len(transitions(name)) for name in ZONES}
    for name in QUIET:
        assert counts[name] == 0
    for name in ("America/New_York", "Europe/London", "Australia/Lord_Howe", "Pacific/Chatham",
                 "America/St_Johns"):
        assert counts[name] == 2 * (YEARS[1] - YEARS[0])
    assert counts["Pacific/Apia"] >= 20
    assert counts["America/Santiago"] >= 36
    assert counts["Africa/Casablanca"] >= 40
    apia = [tr for tr in transitions("Pacific/Apia") if tr.after - tr.before == 24 * HOUR]
    assert [str(tr) for tr in apia] == ["Pacific/Apia@2011-12-30T10:00:00+00:00:gap+1440m"]


# ---------------------------------------------------------------------------------------------
# OffsetTable against zoneinfo


@pytest.mark.parametrize("name", ZONES)
def test_offset_table_matches_zoneinfo_around_every_transition(name: str) -> None:
    zone = ZoneInfo(name)
    table = OffsetTable(zone)
    for tr in transitions(name):
        for dt in (-HOUR, -60, -1, 0, 1, 60, HOUR):
            t = tr.at + dt
            assert table.offset(t) == _offset(zone, t), (str(tr), dt)
        assert table.offset(tr.at - 1) == tr.before, str(tr)
        assert table.offset(tr.at) == tr.after, str(tr)
        # local date: the local day of t - 1 and t as zoneinfo sees it
        for t in (tr.at - 1, tr.at):
            want = datetime.fromtimestamp(t, zone).date()
            assert table.local_day(t) == (want - date(1970, 1, 1)).days
    for year in range(*YEARS):  # and the quiet middle of every year
        t = int(datetime(year, 1, 15, 12, tzinfo=UTC).timestamp())
        assert table.offset(t) == _offset(zone, t)


@pytest.mark.parametrize("name", [z for z in ZONES if z not in QUIET])
def test_offset_table_segments_cut_at_transitions(name: str) -> None:
    table = OffsetTable(ZoneInfo(name))
    trs = transitions(name)[:6]
    lo, hi = trs[0].at - DAY, trs[-1].at + DAY
    segs = table.segments(lo, hi)
    assert segs[0][0] == lo and segs[-1][1] == hi
    assert all(a < b for a, b, _ in segs)
    assert all(segs[i][1] == segs[i + 1][0] for i in range(len(segs) - 1))
    assert [b for _, b, _ in segs[:-1]] == [tr.at for tr in trs]
    assert [off for _, _, off in segs] == [trs[0].before] + [tr.after for tr in trs]


# ---------------------------------------------------------------------------------------------
# wall time -> instant, RFC 5545


def local_seconds(tr: Transition, t: int, offset: int) -> tuple[date, int]:
    """Return (local date, second of day) of the local reading ``t + offset``."""
    days, sec = divmod(t + offset, DAY)
    return date(1970, 1, 1) + timedelta(days=days), sec


def expected_instant(tr: Transition, local: int) -> int:
    """RFC 5545 from the two offsets alone: ``local`` is a local reading in seconds since epoch."""
    first_new = tr.at + tr.after  # first local reading after the change
    last_old = tr.at + tr.before  # first local reading the old offset no longer reaches
    if tr.gap:
        # before the gap and inside it: the old offset; from the gap's end: the new one
        return local - tr.before if local < first_new else local - tr.after
    # fold: readings in [first_new, last_old) happen twice: the first (old offset) wins
    return local - tr.before if local < last_old else local - tr.after


@pytest.mark.parametrize("tr", ALL, ids=str)
def test_wall_to_epoch_around_transition(tr: Transition) -> None:
    zone = ZoneInfo(tr.zone)
    edges = (tr.at + tr.before, tr.at + tr.after)  # the two local readings that bound the change
    probes = sorted({edge + d for edge in edges for d in (-60, -1, 0, 1, 60)}
                    | {(edges[0] + edges[1]) // 2})
    for local in probes:
        day, sec = divmod(local, DAY)
        d = date(1970, 1, 1) + timedelta(days=day)
        assert wall_to_epoch(zone, d, sec) == expected_instant(tr, local), (str(tr), d, sec)
    # 24:00 means the next day's 00:00
    d, _ = local_seconds(tr, tr.at, tr.after)
    assert wall_to_epoch(zone, d, DAY) == wall_to_epoch(zone, d + timedelta(days=1), 0)


def test_wall_to_epoch_literal_fixtures() -> None:
    def utc(zone: str, d: date, hh: int, mm: int = 0) -> str:
        t = wall_to_epoch(ZoneInfo(zone), d, hh * HOUR + mm * 60)
        return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M")

    # New York: 02:30 does not exist on 8 March 2026 -> read with EST = 03:30 EDT
    assert utc("America/New_York", date(2026, 3, 8), 2, 30) == "2026-03-08T07:30"
    assert utc("America/New_York", date(2026, 3, 8), 3, 0) == "2026-03-08T07:00"
    # 01:30 happens twice on 1 November 2026 -> the first (EDT)
    assert utc("America/New_York", date(2026, 11, 1), 1, 30) == "2026-11-01T05:30"
    assert utc("America/New_York", date(2026, 11, 1), 2, 0) == "2026-11-01T07:00"
    # Lord Howe moves half an hour
    assert utc("Australia/Lord_Howe", date(2026, 10, 4), 2, 15) == "2026-10-03T15:45"
    assert utc("Australia/Lord_Howe", date(2026, 4, 5), 1, 45) == "2026-04-04T14:45"
    # Apia: 30 December 2011 never happened; its wall times read with -10:00
    assert utc("Pacific/Apia", date(2011, 12, 30), 0, 0) == "2011-12-30T10:00"
    assert utc("Pacific/Apia", date(2011, 12, 30), 12, 0) == "2011-12-30T22:00"
    assert utc("Pacific/Apia", date(2011, 12, 31), 0, 0) == "2011-12-30T10:00"
    # Chatham at +12:45/+13:45
    assert utc("Pacific/Chatham", date(2026, 9, 27), 3, 0) == "2026-09-26T14:15"
    # Santiago: midnight does not exist on 6 September 2026; 23:30 repeats on 4 April
    assert utc("America/Santiago", date(2026, 9, 6), 0, 0) == "2026-09-06T04:00"
    assert utc("America/Santiago", date(2026, 4, 4), 23, 30) == "2026-04-05T02:30"
    # St John's at -03:30/-02:30, changing at 00:01 in 2011
    assert utc("America/St_Johns", date(2011, 3, 13), 0, 30) == "2011-03-13T04:00"
    # Casablanca: back to +00 for Ramadan 2026, 03:00 -> 02:00 on 15 February
    assert utc("Africa/Casablanca", date(2026, 2, 15), 2, 30) == "2026-02-15T01:30"
    # quarter hours without transitions
    assert utc("Asia/Kathmandu", date(2026, 12, 7), 10, 0) == "2026-12-07T04:15"
    assert utc("Asia/Kolkata", date(2026, 12, 7), 10, 0) == "2026-12-07T04:30"


# ---------------------------------------------------------------------------------------------
# Slots on transition nights


def night_schedule(tr: Transition, hours: int = 6) -> tuple[Schedule, int, int, date]:
    """Return a schedule open ``hours`` wall hours around ``tr`` and the window's bounds.

    The wall span starts at the whole hour three hours before the last old reading; it is
    written as overrides (split at midnight when it crosses one). Returns the schedule, the
    window's first and end instant (computed from the offsets alone) and the first local date.
    """
    start_local = (tr.at + tr.before - 3 * HOUR) // HOUR * HOUR
    end_local = start_local + hours * HOUR
    d0, s0 = divmod(start_local, DAY)
    d1, s1 = divmod(end_local, DAY)
    first = date(1970, 1, 1) + timedelta(days=d0)
    overrides = []
    if d0 == d1:
        overrides.append(Override(first, [(_wall(s0), _wall(s1))]))
    else:
        overrides.append(Override(first, [(_wall(s0), "24:00")]))
        if s1:
            overrides.append(Override(first + timedelta(days=1), [("00:00", _wall(s1))]))
    sched = Schedule(tr.zone, {}, overrides)
    return sched, expected_instant(tr, start_local), expected_instant(tr, end_local), first


def _wall(sec: int) -> str:
    return f"{sec // HOUR:02d}:{sec % HOUR // 60:02d}"


NIGHTS = [tr for tr in ALL if abs(tr.after - tr.before) <= 2 * HOUR]


@pytest.mark.parametrize("tr", NIGHTS, ids=str)
@pytest.mark.parametrize("minutes", [60, 30])
def test_slots_on_transition_night(tr: Transition, minutes: int) -> None:
    zone = ZoneInfo(tr.zone)
    sched, w0, w1, first = night_schedule(tr)
    assert w1 - w0 == 6 * HOUR - (tr.after - tr.before)  # the night is shorter/longer
    now = datetime.fromtimestamp(w0 - 30 * DAY, UTC)
    query = Query(first, first + timedelta(days=1), now=now)
    got = find_slots(sched, EventPolicy(minutes), query).slots
    # (sorted: where a fold crosses midnight, St John's 2010, a later date's slot can come
    # between two slots of the earlier date, and days are grouped by local date)
    starts = sorted(int(s.start.timestamp()) for s in got)
    want = list(range(w0, w1 - minutes * 60 + 1, minutes * 60))
    assert starts == want, str(tr)
    for s in got:
        assert int(s.end.timestamp()) - int(s.start.timestamp()) == minutes * 60
        t = int(s.start.timestamp())
        assert s.start.isoformat() == datetime.fromtimestamp(t, zone).isoformat()
        assert s.end.isoformat() == datetime.fromtimestamp(t + minutes * 60, zone).isoformat()
        assert s.remaining == 1


@pytest.mark.parametrize("tr", NIGHTS[::3], ids=str)
@pytest.mark.parametrize("align", ["clock", "free"])
def test_transition_night_other_alignments_match_reference(tr: Transition, align: str) -> None:
    sched, w0, _, first = night_schedule(tr)
    now = datetime.fromtimestamp(w0 - 30 * DAY, UTC)
    event = EventPolicy(30, step=20, align=align)  # type: ignore[arg-type]
    query = Query(first, first + timedelta(days=1), now=now, timezone="UTC")
    got = find_slots(sched, event, query)
    assert [s.start.isoformat() for s in got.slots] == [s.start for s in flat(ref_find_slots(
        sched, event, query))]


def test_apia_skipped_day_overnight() -> None:
    """Hours 20:00–24:00 on 29 December 2011 and 00:00–04:00 on the 31st are one 8-hour window."""
    sched = Schedule("Pacific/Apia", {}, [Override("2011-12-29", [("20:00", "24:00")]),
                                         Override("2011-12-30", []),
                                         Override("2011-12-31", [("00:00", "04:00")])])
    query = Query("2011-12-29", "2011-12-31", now="2011-12-01T00:00:00Z")
    got = find_slots(sched, EventPolicy(120, step=60), query)
    assert [d.date.isoformat() for d in got.days] == ["2011-12-29", "2011-12-31"]
    assert [(s.start.isoformat(), s.end.isoformat()) for s in got.slots] == [
        ("2011-12-29T20:00:00-10:00", "2011-12-29T22:00:00-10:00"),
        ("2011-12-29T21:00:00-10:00", "2011-12-29T23:00:00-10:00"),
        ("2011-12-29T22:00:00-10:00", "2011-12-31T00:00:00+14:00"),
        ("2011-12-29T23:00:00-10:00", "2011-12-31T01:00:00+14:00"),
        ("2011-12-31T00:00:00+14:00", "2011-12-31T02:00:00+14:00"),
        ("2011-12-31T01:00:00+14:00", "2011-12-31T03:00:00+14:00"),
        ("2011-12-31T02:00:00+14:00", "2011-12-31T04:00:00+14:00"),
    ]


def test_apia_hours_on_the_missing_date_read_with_the_old_offset() -> None:
    """Wall times of 30 December 2011 read with -10:00 land on the 31st (RFC 5545)."""
    sched = Schedule("Pacific/Apia", {}, [Override("2011-12-30", [("09:00", "11:00")])])
    query = Query("2011-12-31", "2011-12-31", now="2011-12-01T00:00:00Z")
    got = find_slots(sched, EventPolicy(60), query)
    assert [s.start.isoformat() for s in got.slots] == ["2011-12-31T09:00:00+14:00",
                                                        "2011-12-31T10:00:00+14:00"]
    # and there is no 30 December to group by, even when it is asked for
    assert find_slots(sched, EventPolicy(60), Query("2011-12-30", "2011-12-30",
                                                    now="2011-12-01T00:00:00Z")).days == ()


LITERAL_NIGHTS = [
    # zone, date, hours, minutes, expected (start, end) strings
    ("Australia/Lord_Howe", "2026-04-05", ("00:00", "03:00"), 60, [
        ("2026-04-05T00:00:00+11:00", "2026-04-05T01:00:00+11:00"),
        ("2026-04-05T01:00:00+11:00", "2026-04-05T01:30:00+10:30"),
        ("2026-04-05T01:30:00+10:30", "2026-04-05T02:30:00+10:30"),
    ]),
    ("Australia/Lord_Howe", "2026-10-04", ("01:00", "04:00"), 60, [
        ("2026-10-04T01:00:00+10:30", "2026-10-04T02:30:00+11:00"),
        ("2026-10-04T02:30:00+11:00", "2026-10-04T03:30:00+11:00"),
    ]),
    ("Pacific/Chatham", "2026-09-27", ("02:00", "05:00"), 60, [
        ("2026-09-27T02:00:00+12:45", "2026-09-27T04:00:00+13:45"),
        ("2026-09-27T04:00:00+13:45", "2026-09-27T05:00:00+13:45"),
    ]),
    ("America/St_Johns", "2026-11-01", ("00:30", "02:30"), 60, [
        ("2026-11-01T00:30:00-02:30", "2026-11-01T01:30:00-02:30"),
        ("2026-11-01T01:30:00-02:30", "2026-11-01T01:30:00-03:30"),
        ("2026-11-01T01:30:00-03:30", "2026-11-01T02:30:00-03:30"),
    ]),
    ("Africa/Casablanca", "2026-03-22", ("01:00", "04:00"), 60, [
        ("2026-03-22T01:00:00+00:00", "2026-03-22T03:00:00+01:00"),
        ("2026-03-22T03:00:00+01:00", "2026-03-22T04:00:00+01:00"),
    ]),
    ("Europe/London", "2026-10-25", ("00:30", "02:30"), 30, [
        ("2026-10-25T00:30:00+01:00", "2026-10-25T01:00:00+01:00"),
        ("2026-10-25T01:00:00+01:00", "2026-10-25T01:30:00+01:00"),
        ("2026-10-25T01:30:00+01:00", "2026-10-25T01:00:00+00:00"),
        ("2026-10-25T01:00:00+00:00", "2026-10-25T01:30:00+00:00"),
        ("2026-10-25T01:30:00+00:00", "2026-10-25T02:00:00+00:00"),
        ("2026-10-25T02:00:00+00:00", "2026-10-25T02:30:00+00:00"),
    ]),
]


@pytest.mark.parametrize(("zone", "day", "hours", "minutes", "want"), LITERAL_NIGHTS,
                         ids=[f"{z}-{d}" for z, d, *_ in LITERAL_NIGHTS])
def test_literal_transition_nights(zone: str, day: str, hours: tuple[str, str], minutes: int,
                                   want: list[tuple[str, str]]) -> None:
    sched = Schedule(zone, {}, [Override(day, [hours])])
    query = Query(day, day, now="2026-01-01T00:00:00Z")
    got = find_slots(sched, EventPolicy(minutes), query)
    assert [(s.start.isoformat(), s.end.isoformat()) for s in got.slots] == want


# ---------------------------------------------------------------------------------------------
# The hardest nights of the public strategies' zone list, engine against the reference


HARD_NIGHTS = [
    ("America/Havana", "2026-11-01"), ("America/Havana", "2026-03-08"),
    ("Pacific/Apia", "2011-12-29"), ("Australia/Lord_Howe", "2026-04-05"),
    ("Australia/Lord_Howe", "2026-10-04"), ("America/Santiago", "2026-09-05"),
    ("America/Santiago", "2026-04-04"), ("America/St_Johns", "2010-11-06"),
    ("Asia/Beirut", "2026-03-28"), ("Asia/Beirut", "2026-10-24"),
    ("America/Scoresbysund", "2026-03-28"), ("Antarctica/Troll", "2026-03-29"),
    ("Europe/Dublin", "2026-10-25"), ("Africa/Casablanca", "2026-02-15"),
    ("Africa/Casablanca", "2026-03-22"), ("Pacific/Chatham", "2026-09-27"),
    ("Asia/Gaza", "2026-10-24"), ("America/Asuncion", "2026-10-03"),
]
NIGHT_EVENTS = [
    EventPolicy(60),
    EventPolicy(30, step=20, align="clock"),
    EventPolicy(45, align="free"),
    EventPolicy(90, step=30, align="clock", horizon_days=2),
    EventPolicy(60, max_per_day=1, capacity=2),
]


@pytest.mark.parametrize(("zone", "day"), HARD_NIGHTS, ids=[f"{z}-{d}" for z, d in HARD_NIGHTS])
def test_hard_nights_match_reference(zone: str, day: str) -> None:
    first = date.fromisoformat(day)
    now = datetime.combine(first, datetime.min.time(), tzinfo=UTC) - timedelta(days=1)
    busy = [Busy(now + timedelta(hours=30), now + timedelta(hours=30, minutes=50), seats=1)]
    for evening in ([("20:00", "24:00")], [("22:30", "24:00"), ("00:00", "03:15")]):
        sched = Schedule(zone, {}, [Override(first, evening),
                                    Override(first + timedelta(days=1), [("00:00", "04:00")]),
                                    Override(first + timedelta(days=2), evening)])
        for event in NIGHT_EVENTS:
            for viewer, limit in ((None, None), ("UTC", 3)):
                query = Query(first, first + timedelta(days=2), timezone=viewer, now=now,
                              limit=limit)
                want = ref_find_slots(sched, event, query, busy)
                assert answer_of(find_slots(sched, event, query, busy)) == want, (evening, event)
