"""The public strategies reach the edge cases they promise, and only ever make valid input.

Reach tests follow Hypothesis' own ``find_any``: generate (no shrinking) until an example
satisfies the condition, failing if none does within the budget. Validity tests feed drawn
inputs to the engine and the JSON layer and require an answer, never an error.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

import slotcalc
from slotcalc import (
    Busy,
    EventPolicy,
    Host,
    Override,
    Query,
    Schedule,
    Team,
    check_slot,
    check_team_slot,
    find_slots,
    find_team_slots,
)
from slotcalc import strategies as ss
from slotcalc.jsonapi import answer_request
from strategies import count

pytestmark = pytest.mark.property

T = TypeVar("T")

_FIND = settings(max_examples=2000, database=None, deadline=None, phases=[Phase.generate],
                 suppress_health_check=list(HealthCheck))
_ENGINE = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def find_any(strategy: st.SearchStrategy[T], condition: Callable[[T], bool]) -> T:
    """Return some example of ``strategy`` satisfying ``condition`` (fails if none is found)."""
    return find(strategy, condition, settings=_FIND)


def _walls(schedule: Schedule, day: date) -> list[datetime]:
    """The wall-time bounds of ``schedule``'s intervals on ``day``, as aware datetimes."""
    out = []
    for a, b in schedule.intervals_on(day):
        for sec in (a, b):
            if sec < 86400:
                out.append(datetime.combine(day, time(0), schedule.zone) + timedelta(seconds=sec))
    return out


def _peak_seats(busy: list[Busy]) -> int:
    """The most seats in use at one instant."""
    edges = sorted([(b.start_s, b.seats or 0) for b in busy] + [(b.end_s, -(b.seats or 0))
                                                               for b in busy],
                   key=lambda e: (e[0], e[1]))
    best = level = 0
    for _, d in edges:
        level += d
        best = max(best, level)
    return best


# ---------------------------------------------------------------------------------------------
# Zones, transitions, wall times


def test_timezones_reach_every_zone_of_both_lists() -> None:
    for zone in ss.HARD_ZONES + ss.COMMON_ZONES:
        assert find_any(ss.timezones(), zone.__eq__) == zone


def test_wall_times_hit_gaps_and_folds() -> None:
    gap = find_any(ss.wall_times(), lambda w: ss.wall_kind(w) == "gap")
    fold = find_any(ss.wall_times(), lambda w: ss.wall_kind(w) == "fold")
    # a gap time does not survive a round trip through UTC; a fold time has two offsets
    assert gap.astimezone(UTC).astimezone(gap.tzinfo).replace(tzinfo=None) != gap.replace(
        tzinfo=None)
    assert fold.utcoffset() != fold.replace(fold=1).utcoffset()


def test_wall_times_reach_apias_skipped_day() -> None:
    w = find_any(ss.wall_times(zone="Pacific/Apia"), lambda w: w.date() == date(2011, 12, 30))
    assert ss.wall_kind(w) == "gap"  # the whole day never happened


def test_wall_kind_on_known_nights() -> None:
    ny = ZoneInfo("America/New_York")
    assert ss.wall_kind(datetime(2026, 3, 8, 2, 30, tzinfo=ny)) == "gap"
    assert ss.wall_kind(datetime(2026, 11, 1, 1, 30, tzinfo=ny)) == "fold"
    assert ss.wall_kind(datetime(2026, 11, 1, 3, 30, tzinfo=ny)) == "normal"
    assert ss.wall_kind(datetime(2026, 11, 1, 1, 30, tzinfo=UTC)) == "normal"
    with pytest.raises(ValueError):
        ss.wall_kind(datetime(2026, 11, 1, 1, 30))


def test_transitions_reach_unusual_nights() -> None:
    half = find_any(ss.transitions("Australia/Lord_Howe"), lambda t: True)
    assert half.size == timedelta(minutes=30)
    skip = find_any(ss.transitions("Pacific/Apia"), lambda t: t.size == timedelta(days=1))
    assert skip.local_date == date(2011, 12, 30) and skip.kind == "gap"
    midnight = find_any(ss.transitions("America/Santiago"),
                        lambda t: t.kind == "fold" and t.wall_before.time() == time(0))
    assert midnight.wall_after.time() == time(23)
    two_hours = find_any(ss.transitions("Antarctica/Troll"), lambda t: True)
    assert two_hours.size == timedelta(hours=2)


@given(ss.transitions("Europe/London", years=(2020, 2022)))
@settings(max_examples=20)
def test_transitions_agree_with_zoneinfo(tr: ss.Transition) -> None:
    zone = ZoneInfo(tr.zone)
    assert 2020 <= tr.at.year <= 2022
    assert (tr.at - timedelta(seconds=1)).astimezone(zone).utcoffset() == tr.offset_before
    assert tr.at.astimezone(zone).utcoffset() == tr.offset_after


def test_transitions_of_a_zone_without_any_is_an_error() -> None:
    with pytest.raises(InvalidArgument):
        find_any(ss.transitions("Asia/Kolkata"), lambda t: True)


def test_dates_near_transitions() -> None:
    zone, day = find_any(ss.dates_near_transitions(), lambda zd: zd == ("Pacific/Apia",
                                                                        date(2011, 12, 30)))
    assert (zone, day) == ("Pacific/Apia", date(2011, 12, 30))


@given(ss.dates_near_transitions(zones=["America/New_York", "Asia/Kolkata"], within_days=2))
@settings(max_examples=30)
def test_dates_near_transitions_are_near_one(zone_day: tuple[str, date]) -> None:
    zone, day = zone_day
    assert zone == "America/New_York"  # Kolkata has no transition to be near
    assert day.month in (2, 3, 4, 10, 11)


@given(ss.local_dates(near_transitions=False, years=(2030, 2031)))
@settings(max_examples=20)
def test_local_dates_stay_in_years(day: date) -> None:
    assert 2030 <= day.year <= 2031


# ---------------------------------------------------------------------------------------------
# Hours, overrides, schedules


def _overnight(weekly: dict[str, list[tuple[str, str]]]) -> bool:
    days = slotcalc.model.WEEKDAYS
    return any(any(b == "24:00" for _, b in weekly.get(d, ()))
               and any(a == "00:00" for a, _ in weekly.get(days[(i + 1) % 7], ()))
               for i, d in enumerate(days))


def test_weekly_hours_reach_overnight_windows() -> None:
    weekly = find_any(ss.weekly_hours(), lambda w: _overnight(w) and len(w) < 7)
    Schedule("Europe/Madrid", weekly)  # accepted


def test_wall_intervals_reach_touching_and_overlapping_pairs() -> None:
    def secs(p: tuple[str, str]) -> tuple[int, int]:
        return tuple(slotcalc.model.read_wall(x, end=i == 1) for i, x in enumerate(p))  # type: ignore[return-value]

    def touching(ps: list[tuple[str, str]]) -> bool:
        ivs = [secs(p) for p in ps]
        return any(a[1] == b[0] for a in ivs for b in ivs)

    def overlapping(ps: list[tuple[str, str]]) -> bool:
        ivs = [secs(p) for p in ps]
        return any(a[0] < b[0] < a[1] < b[1] for a in ivs for b in ivs)

    find_any(ss.wall_intervals(), touching)
    find_any(ss.wall_intervals(), overlapping)
    find_any(ss.wall_intervals(near=[time(2, 0)]), lambda ps: ("02:00", "03:00") in ps or any(
        a == "02:00" for a, _ in ps))


@given(ss.wall_intervals(min_size=1, max_size=4, seconds=True))
@settings(max_examples=50)
def test_wall_intervals_are_valid(pairs: list[tuple[str, str]]) -> None:
    assert 1 <= len(pairs) <= 5  # one touching/overlapping extra may join
    Override("2026-01-01", pairs)


@given(ss.overrides(max_size=6, max_days=10))
@settings(max_examples=50)
def test_overrides_never_cover_a_date_twice(overrides: list[Override]) -> None:
    covered = [o.date + timedelta(days=i) for o in overrides
               for i in range((o.until - o.date).days + 1)]
    assert len(covered) == len(set(covered))
    Schedule("UTC", {}, overrides)


def test_schedules_put_window_bounds_in_gaps_and_folds() -> None:
    def bound_in(kind: str) -> Callable[[ss.Scenario], bool]:
        def check(s: ss.Scenario) -> bool:
            tr = s.transition
            return tr is not None and any(
                ss.wall_kind(w) == kind
                for d in (tr.local_date, tr.local_date + timedelta(days=1))
                for w in _walls(s.schedule, d))
        return check

    find_any(ss.scenarios(), bound_in("gap"))
    find_any(ss.scenarios(), bound_in("fold"))
    find_any(ss.schedules(), lambda s: len(s.overrides) >= 2)


# ---------------------------------------------------------------------------------------------
# Event policies, busy time, seats, queries


@pytest.mark.parametrize("field, value", [
    ("align", "clock"), ("align", "free"), ("align", "window"), ("capacity", 3),
])
def test_event_policies_reach_every_option_value(field: str, value: object) -> None:
    find_any(ss.event_policies(), lambda e: getattr(e, field) == value)


@pytest.mark.parametrize("field", ["buffer_before", "buffer_after", "min_notice", "horizon_days",
                                   "max_per_day"])
def test_event_policies_reach_every_option(field: str) -> None:
    find_any(ss.event_policies(), lambda e: getattr(e, field))
    find_any(ss.event_policies(), lambda e: e.step != e.duration)


@given(ss.event_policies(aligns=["clock"], max_duration=30, min_step=10, max_capacity=2,
                         max_horizon=0, max_per_day=0))
@settings(max_examples=30)
def test_event_policies_respect_bounds(e: EventPolicy) -> None:
    assert e.align == "clock" and 10 <= e.duration <= 30 and e.step >= 10
    assert e.capacity <= 2 and e.horizon_days is None and e.max_per_day is None


def test_seat_bookings_fill_capacity() -> None:
    full = find_any(ss.seat_bookings(capacity=3, min_size=1), lambda bs: _peak_seats(bs) == 3)
    assert all(b.seats for b in full)


def test_busy_lists_collide_with_the_schedules_windows() -> None:
    schedule = Schedule("America/New_York", {d: [("09:00", "17:00")] for d in ("mon", "tue")})
    query = Query("2026-03-09", "2026-03-10", now="2026-03-01T00:00:00Z")
    opening = datetime(2026, 3, 9, 13, 0, tzinfo=UTC)  # 09:00 EDT
    found = find_any(ss.busy_lists(schedule=schedule, query=query, min_size=1),
                     lambda bs: any(b.start == opening for b in bs))
    assert all(b.seats is None for b in found)


def _empty(s: ss.Scenario) -> bool:
    return not find_slots(s.schedule, s.event, s.query, s.busy).days


def _fills_a_slot(s: ss.Scenario) -> bool:
    """Some start that would be a slot without the seat bookings is full with them."""
    seated = [b for b in s.busy if b.seats is not None]
    if not seated:
        return False
    blocking = [b for b in s.busy if b.seats is None]
    for slot in find_slots(s.schedule, s.event, s.query, blocking).slots[:20]:
        if check_slot(s.schedule, s.event, s.query, slot.start, s.busy).reason == "full":
            return True
    return False


def test_scenarios_reach_full_capacity_and_empty_answers() -> None:
    find_any(ss.scenarios(), _fills_a_slot)
    find_any(ss.scenarios(), _empty)
    find_any(ss.scenarios(), lambda s: not _empty(s))


def test_queries_reach_each_shape() -> None:
    find_any(ss.queries(), lambda q: q.by_dates)
    find_any(ss.queries(), lambda q: not q.by_dates)
    find_any(ss.queries(), lambda q: q.timezone is not None)
    find_any(ss.queries(), lambda q: q.limit is not None)
    find_any(ss.queries(exclude=["b0"]), lambda q: "b0" in q.exclude)


@given(ss.queries(max_days=2))
@settings(max_examples=50)
def test_queries_have_now_and_short_ranges(q: Query) -> None:
    assert q.now is not None
    if isinstance(q.start, datetime) and isinstance(q.end, datetime):
        assert q.end.astimezone(UTC) - q.start.astimezone(UTC) <= timedelta(days=2)
    else:
        assert isinstance(q.start, date) and isinstance(q.end, date)
        assert (q.end - q.start).days <= 1
    assert 1999 <= q.now.astimezone(UTC).year <= 2041


# ---------------------------------------------------------------------------------------------
# Whole inputs work with the engine and the JSON layer


@given(ss.scenarios())
@_ENGINE
def test_every_scenario_gets_slots_from_the_engine(s: ss.Scenario) -> None:
    count("strategies scenarios")
    answer = find_slots(s.schedule, s.event, s.query, s.busy)
    # in UTC: datetimes sharing a ZoneInfo compare as wall clocks, ignoring fold
    starts = [slot.start.astimezone(UTC) for slot in answer.slots]
    assert starts == sorted(starts)
    for slot in answer.slots:
        assert 1 <= slot.remaining <= s.event.capacity
        # elapsed time: subtracting datetimes of one ZoneInfo would compare wall clocks
        assert slot.end.astimezone(UTC) - slot.start.astimezone(UTC) == timedelta(
            minutes=s.event.duration)
    if answer.slots:
        first = answer.slots[0].start
        assert check_slot(s.schedule, s.event, s.query, first, s.busy).bookable


@given(ss.team_scenarios())
@_ENGINE
def test_every_team_scenario_gets_slots_from_the_engine(s: ss.TeamScenario) -> None:
    count("strategies team scenarios")
    ids = [h.id for h in s.hosts]
    answer = find_team_slots(s.hosts, s.event, s.query, s.team)
    for slot in answer.slots:
        assert slot.hosts is not None and set(slot.hosts) <= set(ids)
        assert len(slot.hosts) >= (len(ids) if s.team.mode == "all" else s.team.min)
    if answer.slots:
        assert check_team_slot(s.hosts, s.event, s.query, answer.slots[0].start, s.team).bookable


@given(ss.requests())
@_ENGINE
def test_every_request_gets_an_answer(request: dict[str, Any]) -> None:
    count("strategies requests")
    doc = answer_request(json.loads(json.dumps(request)))
    assert "error" not in doc, (doc, request)
    assert set(doc) == {"timezone", "days", "next_available", "warnings"}


def test_requests_reach_empty_answers_and_team_minimums() -> None:
    find_any(ss.requests(team=False), lambda r: not answer_request(r)["days"])
    r = find_any(ss.team_requests(), lambda r: r["team"].get("min", 1) >= 2)
    assert len(r["hosts"]) >= r["team"]["min"]
    assert "error" not in answer_request(r)
    s = find_any(ss.team_scenarios(max_hosts=2), lambda s: s.team.min >= 2 and any(
        len(slot.hosts or ()) >= 2 for slot in find_team_slots(s.hosts, s.event, s.query,
                                                                 s.team).slots))
    assert len(s.hosts) >= s.team.min
    find_any(ss.requests(), lambda r: any(b.get("seats") for b in r.get("busy", ())))


# ---------------------------------------------------------------------------------------------
# st.from_type and argument checking


@pytest.mark.parametrize("cls", [Schedule, Override, EventPolicy, Busy, Query, Host, Team])
def test_from_type_is_registered(cls: type) -> None:
    assert isinstance(find_any(st.from_type(cls), lambda x: True), cls)


@pytest.mark.parametrize("first", ["hypothesis", "slotcalc.strategies"])
def test_from_type_works_in_a_fresh_interpreter(first: str) -> None:
    # Either import order: importing slotcalc.strategies first makes Hypothesis run the entry
    # point while that module is still half built.
    code = (f"import {first}\n"
            "from hypothesis import find, strategies as st\n"
            "import slotcalc\n"
            "s = find(st.from_type(slotcalc.Schedule), lambda s: bool(s.overrides))\n"
            "print(type(s).__name__)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, check=True)
    assert out.stdout.strip() == "Schedule"


@pytest.mark.parametrize("make", [
    lambda: ss.timezones(zones=["Mars/Base"]),
    lambda: ss.timezones(zones=[]),
    lambda: ss.timezones(zones="UTC"),
    lambda: ss.wall_intervals(min_size=3, max_size=1),
    lambda: ss.event_policies(aligns=["diagonal"]),  # type: ignore[list-item]
    lambda: ss.event_policies(min_step=0),
    lambda: ss.queries(max_days=400),
    lambda: ss.seat_bookings(capacity=0),
    lambda: ss.dates_near_transitions(years=(2040, 2000)),
    lambda: ss.hosts(id=""),
    lambda: ss.busy_lists(between=(datetime(2026, 1, 2, tzinfo=UTC),
                                   datetime(2026, 1, 1, tzinfo=UTC))),
])
def test_bad_arguments_are_refused(make: Callable[[], st.SearchStrategy[Any]]) -> None:
    with pytest.raises(InvalidArgument):
        make()
