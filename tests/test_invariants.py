"""Properties every answer of the fast engine has, whatever the input (SPEC §2–§4, §7).

Unlike the differential tests these do not recompute the answer: they check what must hold of
any answer (sorted, unique, inside windows, clear of buffered busy time, capacity respected,
notice, horizon, range, limit and max_per_day respected, grouped by the query zone's dates,
next_available really the next slot, check agreeing with the list) and, for teams, that
``all``/``any``/``min`` combine the single-host answers exactly as SPEC §7 says.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from reference import DAY, MINUTE, from_us, merged_windows, resolve, to_us, whole_seconds
from slotcalc import Busy, Query, Slot, Team, check_slot, find_slots, find_team_slots
from slotcalc.strategies import Scenario
from strategies import TeamCase, booked_scenarios, count, examples, scenario_strategy, team_cases

pytestmark = pytest.mark.property


def _unlimited(query: Query, timezone: str | None = None) -> Query:
    return Query(query.start, query.end, timezone=timezone or query.timezone, now=query.now,
                 exclude=query.exclude)


def _kept(busy: Sequence[Busy], exclude: frozenset[str]) -> list[Busy]:
    return [b for b in busy if b.id is None or b.id not in exclude]


def _peak(bookings: list[tuple[int, int, int]], lo: int, hi: int) -> int:
    """Largest total of seats at one instant of [lo, hi), by a sweep over the boundaries."""
    edges: list[tuple[int, int]] = []
    for a, b, k in bookings:
        a, b = max(a, lo), min(b, hi)
        if a < b:
            edges += [(a, k), (b, -k)]
    peak = cur = 0
    for _, k in sorted(edges, key=lambda e: (e[0], e[1])):  # ends before starts at one instant
        cur += k
        peak = max(peak, cur)
    return peak


def _range_us(query: Query, zone: object) -> tuple[int, int]:
    if query.by_dates:
        assert isinstance(query.start, date) and isinstance(query.end, date)
        return (resolve(zone, query.start, 0),  # type: ignore[arg-type]
                resolve(zone, query.end + timedelta(days=1), 0))  # type: ignore[arg-type]
    assert isinstance(query.start, datetime) and isinstance(query.end, datetime)
    return to_us(query.start), to_us(query.end)


def check_single_invariants(sc: Scenario) -> None:
    sched, ev, busy, query = sc.schedule, sc.event, list(sc.busy), sc.query
    qzone = query.zone or sched.zone
    assert query.now is not None
    ans = find_slots(sched, ev, query, busy)
    assert ans.timezone == qzone.key
    slots = ans.slots
    event(f"slots: {'none' if not slots else '1-5' if len(slots) <= 5 else 'more'}")

    # grouping: dates strictly increasing, no empty day, each slot on its day (query zone)
    dates = [d.date for d in ans.days]
    assert dates == sorted(set(dates))
    for d in ans.days:
        assert d.slots
        starts = [to_us(s.start) for s in d.slots]
        assert starts == sorted(set(starts))  # sorted and unique within the day
        for s in d.slots:
            assert s.start.astimezone(qzone).date() == d.date
    all_starts = [to_us(s.start) for s in slots]
    assert len(set(all_starts)) == len(all_starts)

    kept = _kept(busy, query.exclude)
    blocking = [whole_seconds(b) for b in kept if b.seats is None]
    seated = [(*whole_seconds(b), b.seats) for b in kept if b.seats is not None]
    now = to_us(query.now)
    lo, hi = _range_us(query, qzone)
    horizon = None
    if ev.horizon_days is not None:
        today = query.now.astimezone(sched.zone).date()
        horizon = resolve(sched.zone, today + timedelta(days=ev.horizon_days), 0)
    dur, before, after = ev.duration * MINUTE, ev.buffer_before * MINUTE, ev.buffer_after * MINUTE
    for slot in slots:
        s, e = to_us(slot.start), to_us(slot.end)
        # written in the query zone, lasting exactly the duration in elapsed time
        assert slot.start.isoformat() == slot.start.astimezone(qzone).isoformat()
        assert slot.end.isoformat() == slot.end.astimezone(qzone).isoformat()
        assert e - s == dur
        assert slot.hosts is None
        # inside one merged window
        local = slot.start.astimezone(sched.zone).date()
        windows = merged_windows(sched, local - timedelta(days=3),
                                 local + timedelta(days=3 + ev.duration // 1440))
        assert any(a <= s and e <= b for a, b in windows), slot
        # notice, horizon, range
        assert s >= now + ev.min_notice * MINUTE
        assert horizon is None or s < horizon
        assert lo <= s < hi
        # no blocking busy time in the buffered span
        assert not any(a < e + after and b > s - before for a, b in blocking), slot
        # capacity: remaining is what the peak leaves, and at least one seat
        peak = _peak(seated, s - before, e + after)
        assert 1 <= slot.remaining == ev.capacity - peak
        if ev.max_per_day is not None:
            booked = sum(1 for a, _, _ in seated
                         if datetime.fromtimestamp(a // 1_000_000, sched.zone).date() == local)
            assert booked < ev.max_per_day

    # limit: the earliest slots of the unlimited answer
    if query.limit is not None:
        full = find_slots(sched, ev, _unlimited(query), busy).slots
        assert len(slots) == min(query.limit, len(full))
        assert sorted(all_starts) == sorted(to_us(x.start) for x in full)[: len(slots)]

    # next_available: only when there are no slots; the first slot at or after the range
    if slots:
        assert ans.next_available is None
    elif ans.next_available is not None:
        na = to_us(ans.next_available)
        assert hi <= na < hi + 366 * DAY
        assert horizon is None or na < horizon
        probe = Query(from_us(hi, qzone), ans.next_available
                      + timedelta(seconds=1), now=query.now, exclude=query.exclude,
                      timezone=qzone.key) if na + 1_000_000 - hi <= 366 * DAY else None
        if probe is not None:
            first = find_slots(sched, ev, probe, busy).slots
            assert [to_us(x.start) for x in first] == [na]

    # check agrees with the list: bookable, same remaining, next_available the following slot
    ordered = sorted(slots, key=lambda x: to_us(x.start))
    for i, slot in enumerate(ordered[:4]):
        got = check_slot(sched, ev, query, slot.start, busy)
        assert got.bookable and got.reason is None and got.remaining == slot.remaining
        if i + 1 < len(ordered) and query.limit is None:
            assert got.next_available is not None
            assert to_us(got.next_available) == to_us(ordered[i + 1].start)


@settings(max_examples=examples(150))
@given(st.one_of(scenario_strategy(), booked_scenarios()))
def test_single_host_invariants(sc: Scenario) -> None:
    count("invariants/single host")
    check_single_invariants(sc)


# ---------------------------------------------------------------------------------------------
# Teams: all = intersection, any = union, min = k = at least k hosts


def _by_start(slots: list[Slot]) -> dict[int, Slot]:
    return {to_us(s.start): s for s in slots}


@settings(max_examples=examples(120))
@given(team_cases(), st.sampled_from(("all", "any", "min")), st.integers(2, 3))
def test_team_combines_single_host_answers(case: TeamCase, how: str, k: int) -> None:
    count("invariants/team vs single hosts")
    hosts, ev, query, _ = case
    n = len(hosts)
    # each host's own grid (SPEC v2 §7 "grid": "host"), so single-host answers combine
    team = (Team("all", grid="host") if how == "all"
            else Team("any", min=1 if how == "any" else min(k, n), grid="host"))
    zone = query.zone or hosts[0].schedule.zone
    q = _unlimited(query, zone.key)
    singles = [_by_start(find_slots(h.schedule, ev, q, h.busy).slots) for h in hosts]
    got = find_team_slots(hosts, ev, q, team)
    assert got.timezone == zone.key
    team_slots = _by_start(got.slots)
    everything = sorted(set().union(*singles))
    need = n if team.mode == "all" else team.min
    want = [t for t in everything if sum(t in s for s in singles) >= need]
    event(f"team {team.mode} min={team.min} of {n}: {'empty' if not want else 'slots'}")
    assert sorted(team_slots) == want
    for t, slot in team_slots.items():
        free = [i for i, s in enumerate(singles) if t in s]
        assert slot.hosts == tuple(hosts[i].id for i in free)
        rem = [singles[i][t].remaining for i in free]
        assert slot.remaining == (min(rem) if team.mode == "all" else sum(rem))
        assert to_us(slot.end) - t == ev.duration * MINUTE
    if team.mode == "any" and team.min == 1 and got.slots:
        assert sorted(team_slots) == everything  # the union


@settings(max_examples=examples(60))
@given(team_cases(max_hosts=1))
def test_team_of_one_is_the_single_host(case: TeamCase) -> None:
    count("invariants/team of one")
    (host,), ev, query, team = case
    single = find_slots(host.schedule, ev, query, host.busy)
    alone = find_team_slots([host], ev, query, team)
    assert [(s.start, s.end, s.remaining) for s in single.slots] == [
        (s.start, s.end, s.remaining) for s in alone.slots]
    assert all(s.hosts == (host.id,) for s in alone.slots)
    assert single.next_available == alone.next_available
