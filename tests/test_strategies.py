"""The public strategies reach the edge cases they promise, and only ever make valid input.

Reach tests follow Hypothesis' own ``find_any``: generate (no shrinking) until an example
satisfies the condition, failing if none does within the budget. Validity tests feed drawn
inputs to the typed API (``Request(...).slots()`` / ``.periods()`` / ``.check()``) and the JSON
layer and require an answer, never an error. Example counts are kept small: the whole file is
meant to run in well under a minute.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument, NoSuchExample

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
    find_slots,
    find_team_slots,
)
from slotcalc import strategies as ss
from slotcalc.api import Request
from slotcalc.jsonapi import answer_request, check_request
from slotcalc.model import All, AnyOf, Calendar, Limits, Node, Repeat, Travel
from strategies import count, examples

pytestmark = pytest.mark.property

T = TypeVar("T")

_FIND = settings(max_examples=2000, database=None, deadline=None, phases=[Phase.generate],
                 suppress_health_check=list(HealthCheck))
_ENGINE = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_JSON = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def find_any(strategy: st.SearchStrategy[T], condition: Callable[[T], bool]) -> T:
    """Return some example of ``strategy`` satisfying ``condition`` (fails if none is found)."""
    return find(strategy, condition, settings=_FIND)


def reach_all(strategy: st.SearchStrategy[T], conditions: dict[str, Callable[[T], bool]]
              ) -> None:
    """Fail unless, within one budget of examples, each condition holds for some example."""
    missing = dict(conditions)

    def check(x: T) -> bool:
        for name, cond in list(missing.items()):
            if cond(x):
                del missing[name]
        return not missing

    try:
        find(strategy, check, settings=_FIND)
    except NoSuchExample:
        pytest.fail(f"never reached: {sorted(missing)}")


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
    find_any(ss.scenarios(version=1), _fills_a_slot)
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
# Version-2 fields and their traps


def test_schedules_reach_travel_across_the_date_line() -> None:
    s = find_any(ss.schedules(), lambda s: s.timezone == "America/Los_Angeles" and any(
        t.timezone == "Pacific/Auckland" for t in s.zones))
    assert s.zone_runs(0, 30000)  # the engine can read its hours
    find_any(ss.schedules(), lambda s: any(t.until is None for t in s.zones))
    find_any(ss.schedules(), lambda s: len(s.zones) >= 2)


@given(ss.travel(home="America/Los_Angeles", max_size=4))
@settings(max_examples=30)
def test_travel_entries_never_cover_a_date_twice(trips: list[Travel]) -> None:
    Schedule("America/Los_Angeles", {}, (), trips)  # refuses a date covered twice


def test_busy_entries_reach_their_own_buffers() -> None:
    find_any(ss.busy_lists(min_size=1), lambda bs: any(b.buffer_before for b in bs))
    find_any(ss.seat_bookings(capacity=2, min_size=1), lambda bs: any(b.buffer_after for b in bs))


@given(ss.busy_lists(max_buffer=0, max_size=3))
@settings(max_examples=20)
def test_busy_buffers_can_be_turned_off(busy: list[Busy]) -> None:
    assert all(b.buffer_before == b.buffer_after == 0 for b in busy)


def test_event_policies_reach_every_v2_option() -> None:
    reach_all(ss.event_policies(), {
        "week": lambda e: e.booking_limits.week is not None,
        "month": lambda e: e.booking_limits.month is not None,
        "year": lambda e: e.booking_limits.year is not None,
        "day": lambda e: e.booking_limits.day is not None,
        "minutes": lambda e: e.duration_limits.items() != (),
        "week_start": lambda e: e.week_start == "sun",
        "business": lambda e: e.horizon_business_days is not None and e.business_days != (
            "mon", "tue", "wed", "thu", "fri"),
        "bookable": lambda e: e.horizon_bookable_days is not None,
        "from": lambda e: e.bookable_from is not None,
        "until": lambda e: e.bookable_until is not None,
        "weekly_repeat": lambda e: e.repeat is not None and e.repeat.interval_days == 7,
        "other_repeat": lambda e: e.repeat is not None and e.repeat.interval_days != 7,
    })


@given(ss.event_policies(max_limit=0, duration_limits=False, week_starts=["mon"],
                         max_business_days=0, max_bookable_days=0, bookable_dates=False,
                         max_repeat=0))
@settings(max_examples=30)
def test_event_policies_v2_options_turn_off(e: EventPolicy) -> None:
    assert e.booking_limits == e.duration_limits == Limits()
    assert e.week_start == "mon" and e.repeat is None and e.bookable_from is None
    assert e.horizon_business_days is None and e.horizon_bookable_days is None


def test_limits_and_repeats() -> None:
    find_any(ss.limits(), lambda lim: len(lim.items()) == 4)
    find_any(ss.limits(), lambda lim: lim.items() == ())
    assert find_any(ss.repeats(max_count=3, intervals=[14]), lambda r: r.count == 3) == Repeat(
        14, 3)


def test_queries_reach_periods_and_checks() -> None:
    find_any(ss.queries(), lambda q: q.output == "periods")
    q = find_any(ss.queries(ranged=None), lambda q: q.start is None)
    assert q.end is None and q.now is not None
    assert all(x.start is None for x in [find_any(ss.queries(ranged=False), lambda q: True)])


def _tree_depth(node: Node) -> int:
    return 0 if isinstance(node, str) else 1 + max(_tree_depth(k) for k in node.children)


def _leaves(node: Node) -> list[str]:
    return [node] if isinstance(node, str) else [x for k in node.children for x in _leaves(k)]


def test_teams_reach_nested_trees_and_both_grids() -> None:
    ids = ["ana", "bo", "r1", "r2", "r3"]
    t = find_any(ss.teams(ids=ids), lambda t: t.require is not None and _tree_depth(
        t.require) >= 2 and isinstance(t.require, All))
    assert t.require is not None and sorted(_leaves(t.require)) == sorted(ids)
    find_any(ss.teams(ids=ids), lambda t: isinstance(t.require, AnyOf) and t.require.min > 1)
    find_any(ss.teams(), lambda t: t.grid == "host")
    find_any(ss.teams(), lambda t: t.mode == "any" and t.min == 3)


@given(ss.requirement_trees(ids=["a", "b", "c", "d"], max_depth=3))
@settings(max_examples=40)
def test_requirement_trees_name_each_host_once(node: Node) -> None:
    assert sorted(_leaves(node)) == ["a", "b", "c", "d"]
    assert _tree_depth(node) <= 3
    Team(require=node).tree(["a", "b", "c", "d"])  # accepted


def _occurrence_walls(s: ss.Scenario) -> list[datetime]:
    """The wall times, in the home zone, of later repeat occurrences of each window bound on
    the query's first dates (the starts a repeat of a window-start slot would need)."""
    rep, zone = s.event.repeat, s.schedule.zone
    if rep is None or s.query.start is None:
        return []
    first = s.query.start if not isinstance(s.query.start, datetime) else (
        s.query.start.astimezone(zone).date())
    out = []
    for d in (first, first + timedelta(days=1)):
        for w in _walls(s.schedule, d):
            for i in range(1, rep.count):
                later = w.date() + timedelta(days=i * rep.interval_days)
                out.append(datetime.combine(later, w.time(), zone))
    return out


def test_scenarios_reach_a_repeat_that_lands_in_a_gap() -> None:
    s = find_any(ss.scenarios(), lambda s: any(ss.wall_kind(w) == "gap"
                                               for w in _occurrence_walls(s)))
    s.request().slots()  # and the engine answers it


def test_scenarios_reach_limits_over_a_dst_week_and_a_sunday_month_end() -> None:
    def dates(s: ss.Scenario) -> list[date]:
        a, b = s.query.start, s.query.end
        if isinstance(a, datetime) and isinstance(b, datetime):
            zone = s.schedule.zone
            a, b = a.astimezone(zone).date(), b.astimezone(zone).date()
        assert isinstance(a, date) and isinstance(b, date)
        return [a + timedelta(days=i) for i in range((b - a).days + 1)]

    def dst_week(s: ss.Scenario) -> bool:
        tr = s.transition
        return (s.event.booking_limits.week is not None and tr is not None
                and any(abs((d - tr.local_date).days) < 7 for d in dates(s)))

    def sunday_month_end(s: ss.Scenario) -> bool:
        lim = s.event.booking_limits
        return (lim.week is not None or lim.month is not None) and any(
            d.weekday() == 6 and (d + timedelta(days=1)).day == 1 for d in dates(s))

    find_any(ss.scenarios(), dst_week)
    s = find_any(ss.scenarios(), sunday_month_end)
    s.request().slots()


def test_scenarios_reach_travel_and_tree_teams() -> None:
    find_any(ss.scenarios(), lambda s: bool(s.schedule.zones))
    find_any(ss.team_scenarios(), lambda s: s.team.require is not None and len(s.hosts) >= 2)
    find_any(ss.team_scenarios(), lambda s: s.team.grid == "host" and len(s.hosts) >= 2)


def test_version_1_draws_no_v2_field() -> None:
    @given(ss.scenarios(version=1))
    @settings(max_examples=40, database=None)
    def check(s: ss.Scenario) -> None:
        e = s.event
        assert not s.schedule.zones and all(b.buffer_before == b.buffer_after == 0
                                            for b in s.busy)
        assert e.booking_limits == e.duration_limits == Limits() and e.repeat is None
        assert s.query.output == "slots"

    check()

    @given(ss.requests(version=1, team=True))
    @settings(max_examples=30, database=None)
    def check_doc(r: dict[str, Any]) -> None:
        text = json.dumps(r)
        for word in ("booking_limits", "duration_limits", "repeat", "output", "grid",
                     "require", "\"zones\"", "horizon_b", "bookable", "week_start"):
            assert word not in text
        assert all(set(b) <= {"start", "end", "seats", "id"} for h in r["hosts"]
                   for b in h.get("busy", ()))

    check_doc()


# ---------------------------------------------------------------------------------------------
# Whole inputs work with the typed API and the JSON layer


def _ask(request: Request) -> None:
    """Ask ``request`` everything: slots and periods (when it has a range) and a check."""
    q = request.query
    if q.start is not None:
        answer = request.slots()
        starts = [slot.start.astimezone(UTC) for slot in answer.slots]
        assert starts == sorted(starts)
        for slot in answer.slots:
            # a team's ``any`` node adds up its satisfied children's seats
            assert 1 <= slot.remaining <= request.event.capacity * len(request.hosts)
            # elapsed time: subtracting datetimes of one ZoneInfo would compare wall clocks
            assert slot.end.astimezone(UTC) - slot.start.astimezone(UTC) == timedelta(
                minutes=request.event.duration)
        if answer.slots:
            assert request.check(answer.slots[0].start, search=False).bookable
        request.periods()
    assert q.now is not None
    request.check(q.now)


@given(ss.scenarios(ranged=None))
@_ENGINE
def test_every_scenario_gets_answers_from_the_typed_api(s: ss.Scenario) -> None:
    count("strategies scenarios")
    _ask(s.request())


@given(ss.team_scenarios(ranged=None))
@_ENGINE
def test_every_team_scenario_gets_answers_from_the_typed_api(s: ss.TeamScenario) -> None:
    count("strategies team scenarios")
    ids = [h.id for h in s.hosts]
    request = s.request()
    _ask(request)
    if s.query.start is not None:
        for slot in request.slots().slots:
            assert slot.hosts is not None and set(slot.hosts) <= set(ids)


@given(ss.schedules(), ss.event_policies(), ss.queries(ranged=None), st.data())
@_ENGINE
def test_every_typed_strategy_runs_through_the_api(schedule: Schedule, event: EventPolicy,
                                                   query: Query, data: st.DataObject) -> None:
    count("strategies typed parts")
    busy = data.draw(ss.busy_lists(schedule=schedule, query=query))
    busy += data.draw(ss.seat_bookings(capacity=event.capacity, schedule=schedule, query=query))
    _ask(Request(schedule, event, query, busy=busy))
    people = data.draw(st.lists(ss.hosts(), min_size=1, max_size=3, unique_by=lambda h: h.id))
    team = data.draw(ss.teams(ids=[h.id for h in people]))
    _ask(Request(people, event, query, team=team))


@given(st.from_type(Request))
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_from_type_requests_get_answers(request: Request) -> None:
    _ask(request)


@given(ss.requests())
@_JSON
def test_every_request_gets_an_answer(request: dict[str, Any]) -> None:
    count("strategies requests")
    doc = answer_request(json.loads(json.dumps(request)))
    assert "error" not in doc, (doc, request)
    want = "periods" if request["query"].get("output") == "periods" else "days"
    assert set(doc) == {"timezone", want, "next_available", "warnings"}


@pytest.mark.slow
@given(ss.requests(max_calendars=1))
@settings(max_examples=examples(1000), deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_many_requests_get_an_answer(request: dict[str, Any]) -> None:
    count("strategies requests (soak)")
    doc = answer_request(json.loads(json.dumps(request)))
    assert "error" not in doc, (doc, request)


@pytest.mark.slow
@given(st.one_of(ss.scenarios(ranged=None), ss.team_scenarios(ranged=None)))
@settings(max_examples=examples(500), deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_many_scenarios_get_answers(s: ss.Scenario | ss.TeamScenario) -> None:
    count("strategies scenarios (soak)")
    _ask(s.request())


@given(ss.requests(ranged=False))
@settings(max_examples=20, deadline=None)
def test_every_check_request_gets_an_answer(request: dict[str, Any]) -> None:
    assert "start" not in request["query"]
    doc = check_request(json.loads(json.dumps(request)), request["query"]["now"])
    assert "error" not in doc, (doc, request)
    assert isinstance(doc["bookable"], bool)


@given(ss.requests(max_calendars=2, max_busy=1))
@settings(max_examples=15, deadline=None)
def test_requests_with_inline_calendars_get_an_answer(request: dict[str, Any]) -> None:
    doc = answer_request(json.loads(json.dumps(request)))  # inline ics needs no grant
    assert "error" not in doc, (doc, request)


@given(ss.calendars())
@settings(max_examples=20, deadline=None)
def test_calendars_are_readable_icalendar(cal: Calendar) -> None:
    from slotcalc.ical import read_calendar_text

    assert cal.ics is not None and cal.path is None and cal.url is None
    got = read_calendar_text(cal.ics, start="2000-01-01T00:00:00Z", end="2041-01-01T00:00:00Z",
                             timezone="UTC")
    assert not got.warnings, got.warnings


def test_requests_reach_every_v2_field() -> None:
    def has(path: Callable[[dict[str, Any]], object]) -> Callable[[dict[str, Any]], bool]:
        def check(r: dict[str, Any]) -> bool:
            try:
                return bool(path(r))
            except (KeyError, IndexError, TypeError):
                return False
        return check

    reach_all(ss.requests(), {
        "zones": has(lambda r: r["schedule"]["zones"]),
        "busy buffers": has(lambda r: any("buffer_after" in b for b in r["busy"])),
        "month limit": has(lambda r: r["event"]["booking_limits"]["month"]),
        "minute limits": has(lambda r: r["event"]["duration_limits"]),
        "repeat": has(lambda r: r["event"]["repeat"]),
        "business days": has(lambda r: r["event"]["business_days"]),
        "periods": has(lambda r: r["query"]["output"] == "periods"),
        "tree": has(lambda r: r["team"]["require"]["all"]),
        "host grid": has(lambda r: r["team"]["grid"] == "host"),
    })
    r = find_any(ss.team_requests(), has(lambda r: r["team"]["require"]["any"]))
    assert "error" not in answer_request(r)


def test_requests_reach_empty_answers_and_team_minimums() -> None:
    find_any(ss.requests(team=False), lambda r: not answer_request(r).get("days", [1]))
    r = find_any(ss.team_requests(), lambda r: r.get("team", {}).get("min", 1) >= 2)
    assert len(r["hosts"]) >= r["team"]["min"]
    assert "error" not in answer_request(r)
    s = find_any(ss.team_scenarios(max_hosts=2, version=1), lambda s: s.team.min >= 2 and any(
        len(slot.hosts or ()) >= 2 for slot in find_team_slots(s.hosts, s.event, s.query,
                                                                 s.team).slots))
    assert len(s.hosts) >= s.team.min
    find_any(ss.requests(), lambda r: any(b.get("seats") for b in r.get("busy", ())))


# ---------------------------------------------------------------------------------------------
# st.from_type, the entry point, the missing-Hypothesis error and argument checking

_PUBLIC_TYPES = [Schedule, Override, Travel, EventPolicy, Limits, Repeat, Busy, Query, Calendar,
                 Host, Team, All, AnyOf, Request, ss.Scenario, ss.TeamScenario]


@pytest.mark.parametrize("cls", _PUBLIC_TYPES, ids=lambda c: c.__name__)
def test_from_type_is_registered(cls: type) -> None:
    @given(st.from_type(cls))
    @settings(max_examples=5, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    def draws(x: object) -> None:
        assert isinstance(x, cls)

    draws()


def test_from_type_calendars_are_inline() -> None:
    cal = find_any(st.from_type(Calendar), lambda c: "BEGIN:VEVENT" in (c.ics or ""))
    assert cal.kind == "ics"


def _fake_install(tmp: Path) -> dict[str, str]:
    """An environment in which slotcalc's ``hypothesis`` entry point is declared, as after
    ``pip install``: a dist-info folder holding pyproject's entry point, put on the path."""
    info = tmp / "slotcalc-2.0.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: slotcalc\nVersion: 2.0.0\n")
    (info / "entry_points.txt").write_text(
        "[hypothesis]\n_ = slotcalc.strategies:_hypothesis_setup_hook\n")
    src = Path(slotcalc.__file__).parent.parent
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(src), str(tmp)])
    return env


@pytest.mark.parametrize("first", ["hypothesis", "slotcalc.strategies"])
def test_from_type_works_in_a_fresh_interpreter(first: str, tmp_path: Path) -> None:
    # Either import order: importing slotcalc.strategies first makes Hypothesis run the entry
    # point while that package is still half built; importing hypothesis first runs it before
    # slotcalc.strategies was ever imported by the test.
    code = (f"import {first}\n"
            "from hypothesis import Phase, find, settings, strategies as st\n"
            "import slotcalc\n"
            "fast = settings(phases=[Phase.generate], database=None)\n"
            "s = find(st.from_type(slotcalc.Schedule), lambda s: bool(s.overrides), "
            "settings=fast)\n"
            "e = find(st.from_type(slotcalc.EventPolicy), lambda e: e.repeat is not None, "
            "settings=fast)\n"
            "print(type(s).__name__, type(e).__name__)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, env=_fake_install(tmp_path), check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "Schedule EventPolicy"


def test_import_without_hypothesis_says_what_to_install(tmp_path: Path) -> None:
    code = textwrap.dedent("""
        import sys
        sys.modules["hypothesis"] = None  # as if Hypothesis were not installed
        import slotcalc  # the library itself never needs it
        try:
            import slotcalc.strategies
        except ImportError as e:
            print(e)
        else:
            print("imported")
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, env=_fake_install(tmp_path), check=True)
    assert "pip install 'slotcalc[hypothesis]'" in out.stdout, out.stdout + out.stderr


@pytest.mark.parametrize("make, named", [
    (lambda: ss.timezones(zones=["Mars/Base"]), "Mars/Base"),
    (lambda: ss.timezones(zones=[]), "zones=[]"),
    (lambda: ss.timezones(zones="UTC"), "zones='UTC'"),
    (lambda: ss.wall_intervals(min_size=3, max_size=1), "min_size=3"),
    (lambda: ss.event_policies(aligns=["diagonal"]), "aligns=['diagonal']"),  # type: ignore[list-item]
    (lambda: ss.event_policies(min_step=0), "min_step=0"),
    (lambda: ss.event_policies(max_repeat=1), "max_repeat=1"),
    (lambda: ss.event_policies(max_limit=-1), "max_limit=-1"),
    (lambda: ss.event_policies(week_starts=["monday"]), "week_starts=['monday']"),
    (lambda: ss.event_policies(duration_limits=1), "duration_limits=1"),  # type: ignore[arg-type]
    (lambda: ss.limits(periods=["decade"]), "periods=['decade']"),
    (lambda: ss.repeats(max_count=1), "max_count=1"),
    (lambda: ss.queries(max_days=400), "max_days=400"),
    (lambda: ss.queries(outputs=["json"]), "outputs=['json']"),
    (lambda: ss.queries(ranged="yes"), "ranged='yes'"),  # type: ignore[arg-type]
    (lambda: ss.seat_bookings(capacity=0), "capacity=0"),
    (lambda: ss.busy_lists(max_buffer=-5), "max_buffer=-5"),
    (lambda: ss.dates_near_transitions(years=(2040, 2000)), "years[1]=2000"),
    (lambda: ss.hosts(id=""), "id=''"),
    (lambda: ss.hosts(max_calendars=-1), "max_calendars=-1"),
    (lambda: ss.busy_lists(between=(datetime(2026, 1, 2, tzinfo=UTC),
                                    datetime(2026, 1, 1, tzinfo=UTC))), "between="),
    (lambda: ss.travel(home="Mars/Base"), "home: 'Mars/Base'"),
    (lambda: ss.schedules(max_travel=-1), "max_travel=-1"),
    (lambda: ss.teams(ids=["a", "a"]), "ids=['a', 'a']"),
    (lambda: ss.teams(grids=["diagonal"]), "grids=['diagonal']"),
    (lambda: ss.requirement_trees(ids=[]), "ids=[]"),
    (lambda: ss.requirement_trees(max_depth=0), "max_depth=0"),
    (lambda: ss.scenarios(version=3), "version=3"),
    (lambda: ss.team_scenarios(max_hosts=0), "max_hosts=0"),
    (lambda: ss.requests(max_calendars=1000), "max_calendars=1000"),
])
def test_bad_arguments_are_refused(make: Callable[[], st.SearchStrategy[Any]],
                                   named: str) -> None:
    with pytest.raises(InvalidArgument) as got:
        make()
    assert named in str(got.value)


# ---------------------------------------------------------------------------------------------
# Found while drawing every public type (model/API, not the strategies)


def test_typed_requests_read_or_refuse_host_calendars() -> None:
    from slotcalc import SlotcalcError, read_calendars
    ics = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\n"
           "UID:a@t\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20261207T090000Z\r\n"
           "DTEND:20261207T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    host = Host("ana", Schedule("UTC", {"mon": [("09:00", "10:00")]}), (), [Calendar(ics=ics)])
    request = Request(host, EventPolicy(60), Query("2026-12-07", "2026-12-07",
                                                   now="2026-12-01T00:00:00Z"))
    with pytest.raises(SlotcalcError) as info:  # computing does no I/O, and never ignores them
        request.slots()
    assert info.value.code == "invalid_request"
    ready, _ = read_calendars(request)
    assert not ready.slots().slots  # the calendar's event fills the only hour
