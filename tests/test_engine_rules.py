"""One example per rule of SPEC §2–§4 and §7, with answers worked out by hand.

Unless a test says otherwise: New York, Monday 7 December 2026 (UTC−5), ``now`` a week before.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slotcalc import (
    Availability,
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
from slotcalc._engine.host import NO_BOOKINGS, Bookings, _full_runs, _seat_levels, plan_host
from slotcalc.api import policy_of

NY = "America/New_York"
MON = "2026-12-07"
NOW = "2026-11-30T12:00:00Z"
WEEKDAYS_9_17 = {d: [("09:00", "17:00")] for d in ("mon", "tue", "wed", "thu", "fri")}


def q(start: str = MON, end: str = MON, **kw: Any) -> Query:
    kw.setdefault("now", NOW)
    return Query(start, end, **kw)


def ny(weekly: dict[str, Any] | None = None, overrides: Sequence[Override] = ()) -> Schedule:
    return Schedule(NY, weekly if weekly is not None else {"mon": [("09:00", "12:00")]}, overrides)


def at(hhmm: str, day: str = MON) -> str:
    """A New York wall time in December (UTC−5) as an instant."""
    return f"{day}T{hhmm}:00-05:00"


def hm(ans: Availability) -> list[str]:
    return [s.start.strftime("%H:%M") for s in ans.slots]


def starts(ans: Availability) -> list[str]:
    return [s.start.isoformat() for s in ans.slots]


def by_day(ans: Availability) -> dict[str, list[str]]:
    return {d.date.isoformat(): [s.start.strftime("%H:%M") for s in d.slots] for d in ans.days}


# ---------------------------------------------------------------------------------------------
# Weekly hours


def test_weekly_hours() -> None:
    ans = find_slots(ny(), EventPolicy(60), q(MON, "2026-12-08"))
    assert by_day(ans) == {MON: ["09:00", "10:00", "11:00"]}  # Tuesday has no hours
    assert ans.timezone == NY and ans.next_available is None and ans.warnings == ()
    assert [s.remaining for s in ans.slots] == [1, 1, 1]
    assert ans.slots[0].end.isoformat() == "2026-12-07T10:00:00-05:00"


def test_missing_and_empty_days_have_no_hours() -> None:
    sched = ny({"mon": [("09:00", "12:00")], "tue": []})
    ans = find_slots(sched, EventPolicy(60), q("2026-12-08", "2026-12-13"))
    assert ans.days == ()
    assert ans.next_available is not None
    assert ans.next_available.isoformat() == "2026-12-14T09:00:00-05:00"


def test_several_intervals_a_day() -> None:
    sched = ny({"mon": [("09:00", "10:00"), ("14:00", "15:30")]})
    assert hm(find_slots(sched, EventPolicy(60), q())) == ["09:00", "14:00"]


def test_24_00_ends_the_day() -> None:
    ans = find_slots(ny({"mon": [("22:00", "24:00")]}), EventPolicy(60), q())
    assert by_day(ans) == {MON: ["22:00", "23:00"]}
    assert ans.slots[-1].end.isoformat() == "2026-12-08T00:00:00-05:00"


def test_overlapping_intervals_merge() -> None:
    sched = ny({"mon": [("09:00", "10:30"), ("10:15", "11:00")]})
    assert hm(find_slots(sched, EventPolicy(60), q())) == ["09:00", "10:00"]


def test_touching_intervals_merge() -> None:
    sched = ny({"mon": [("09:45", "10:30"), ("09:00", "09:45")]})
    assert hm(find_slots(sched, EventPolicy(60, step=30), q())) == ["09:00", "09:30"]


def test_duplicate_intervals_count_once() -> None:
    sched = ny({"mon": [("14:00", "15:00"), ("09:00", "10:00"), ("09:00", "10:00")]})
    assert hm(find_slots(sched, EventPolicy(60), q())) == ["09:00", "14:00"]


def test_windows_merge_across_midnight() -> None:
    sched = ny({"sun": [("23:00", "24:00")], "mon": [("00:00", "01:00")]})
    ans = find_slots(sched, EventPolicy(120), q("2026-12-06", MON))
    assert starts(ans) == ["2026-12-06T23:00:00-05:00"]
    assert ans.slots[0].end.isoformat() == "2026-12-07T01:00:00-05:00"
    assert [d.date.isoformat() for d in ans.days] == ["2026-12-06"]


# ---------------------------------------------------------------------------------------------
# Overrides


def test_override_replaces_the_weekday() -> None:
    sched = ny(WEEKDAYS_9_17, [Override(MON, [("13:00", "15:00")])])
    assert hm(find_slots(sched, EventPolicy(60), q())) == ["13:00", "14:00"]


def test_override_closes_a_day() -> None:
    sched = ny(WEEKDAYS_9_17, [Override(MON, [])])
    ans = find_slots(sched, EventPolicy(60), q())
    assert ans.days == ()
    assert ans.next_available is not None
    assert ans.next_available.isoformat() == "2026-12-08T09:00:00-05:00"


def test_override_covers_a_range_of_dates() -> None:
    sched = ny(WEEKDAYS_9_17, [Override(MON, [("10:00", "11:00")], until="2026-12-09")])
    ans = find_slots(sched, EventPolicy(60), q(MON, "2026-12-10"))
    assert by_day(ans) == {
        MON: ["10:00"], "2026-12-08": ["10:00"], "2026-12-09": ["10:00"],
        "2026-12-10": ["09:00", "10:00", "11:00", "12:00", "13:00", "14:00", "15:00", "16:00"],
    }


def test_override_opens_a_day_without_weekly_hours() -> None:
    sched = ny({"mon": [("09:00", "12:00")]}, [Override("2026-12-12", [("10:00", "12:00")])])
    assert by_day(find_slots(sched, EventPolicy(60), q("2026-12-12", "2026-12-12"))) == {
        "2026-12-12": ["10:00", "11:00"]}


def test_override_hours_merge_with_the_next_day() -> None:
    sched = ny({"tue": [("00:00", "01:00")]}, [Override(MON, [("22:00", "24:00")])])
    ans = find_slots(sched, EventPolicy(120, step=60), q())
    assert hm(ans) == ["22:00", "23:00"]
    assert ans.slots[-1].end.isoformat() == "2026-12-08T01:00:00-05:00"


# ---------------------------------------------------------------------------------------------
# Grid alignment and step


def test_window_alignment_starts_at_each_window() -> None:
    sched = ny({"mon": [("09:10", "10:00"), ("13:05", "14:10")]})
    assert hm(find_slots(sched, EventPolicy(30), q())) == ["09:10", "13:05", "13:35"]


def test_clock_alignment_uses_wall_clock_multiples() -> None:
    sched = ny({"mon": [("09:10", "11:00")]})
    assert hm(find_slots(sched, EventPolicy(30, align="clock"), q())) == ["09:30", "10:00", "10:30"]
    ev = EventPolicy(30, step=20, align="clock")
    assert hm(find_slots(sched, ev, q())) == ["09:20", "09:40", "10:00", "10:20"]


def test_clock_alignment_is_the_schedule_zones_clock() -> None:
    sched = Schedule("Asia/Kathmandu", {"mon": [("10:00", "11:00")]})
    ans = find_slots(sched, EventPolicy(30, align="clock"), q(timezone="UTC"))
    assert starts(ans) == ["2026-12-07T04:15:00+00:00", "2026-12-07T04:45:00+00:00"]


def test_step_longer_and_shorter_than_duration() -> None:
    sched = ny({"mon": [("09:00", "11:00")]})
    assert hm(find_slots(sched, EventPolicy(30, step=60), q())) == ["09:00", "10:00"]
    assert hm(find_slots(sched, EventPolicy(60, step=45), q())) == ["09:00", "09:45"]


def test_free_alignment_restarts_after_busy_time() -> None:
    busy = [Busy(at("09:00"), at("09:15"))]
    assert hm(find_slots(ny(), EventPolicy(45, align="free"), q(), busy)) == [
        "09:15", "10:00", "10:45"]


def test_free_alignment_restarts_after_the_buffer() -> None:
    sched = ny({"mon": [("09:00", "11:00")]})
    busy = [Busy(at("09:00"), at("09:15"))]
    ev = EventPolicy(30, align="free", buffer_before=10)
    assert hm(find_slots(sched, ev, q(), busy)) == ["09:25", "09:55", "10:25"]


def test_free_alignment_busy_in_the_middle() -> None:
    busy = [Busy(at("10:00"), at("10:20"))]
    ev = EventPolicy(30, align="free")
    assert hm(find_slots(ny(), ev, q(), busy)) == ["09:00", "09:30", "10:20", "10:50", "11:20"]
    ev = EventPolicy(30, align="free", buffer_after=15)  # the stretch before ends at 09:45
    assert hm(find_slots(ny(), ev, q(), busy)) == ["09:00", "10:20", "10:50", "11:20"]


# ---------------------------------------------------------------------------------------------
# Buffers


@pytest.mark.parametrize(("busy_end", "want"), [("08:40", []), ("08:30", ["09:00"])])
def test_buffer_before_may_reach_outside_hours(busy_end: str, want: list[str]) -> None:
    sched = ny({"mon": [("09:00", "10:00")]})
    busy = [Busy(at("08:00"), at(busy_end))]
    assert hm(find_slots(sched, EventPolicy(60, buffer_before=30), q(), busy)) == want


@pytest.mark.parametrize(("busy_start", "want"), [("10:10", []), ("10:15", ["09:00"])])
def test_buffer_after_may_reach_outside_hours(busy_start: str, want: list[str]) -> None:
    sched = ny({"mon": [("09:00", "10:00")]})
    busy = [Busy(at(busy_start), at("10:30"))]
    assert hm(find_slots(sched, EventPolicy(60, buffer_after=15), q(), busy)) == want


def test_busy_time_removes_only_overlapping_slots() -> None:
    busy = [Busy("2026-12-07T15:00:00Z", "2026-12-07T15:30:00Z")]  # 10:00–10:30 local
    assert hm(find_slots(ny(), EventPolicy(30), q(), busy)) == [
        "09:00", "09:30", "10:30", "11:00", "11:30"]
    ev = EventPolicy(30, buffer_before=15, buffer_after=10)
    assert hm(find_slots(ny(), ev, q(), busy)) == ["09:00", "11:00", "11:30"]


# ---------------------------------------------------------------------------------------------
# Notice and horizon


def test_min_notice() -> None:
    ans = find_slots(ny(), EventPolicy(30, min_notice=60), q(now="2026-12-07T14:40:00Z"))
    assert hm(ans) == ["11:00", "11:30"]


def test_min_notice_boundary_is_inclusive() -> None:
    ans = find_slots(ny(), EventPolicy(60, min_notice=60), q(now=at("08:00")))
    assert hm(ans) == ["09:00", "10:00", "11:00"]
    ans = find_slots(ny(), EventPolicy(60, min_notice=61), q(now=at("08:00")))
    assert hm(ans) == ["10:00", "11:00"]


def test_now_defaults_to_the_current_time() -> None:
    sched = ny(WEEKDAYS_9_17)
    past = find_slots(sched, EventPolicy(60), Query("2001-01-01", "2001-01-05"))
    assert past.days == ()
    later = datetime.now().year + 2
    future = find_slots(sched, EventPolicy(60), Query(f"{later}-03-01", f"{later}-03-07"))
    assert len(future.slots) == 5 * 8


def test_horizon_today_is_nows_date_in_the_schedule_zone() -> None:
    sunday_night = "2026-12-07T03:00:00Z"  # Sunday 22:00 in New York, Monday in UTC
    ans = find_slots(ny(), EventPolicy(60, horizon_days=1), q(now=sunday_night))
    assert ans.days == () and ans.next_available is None  # never past the horizon
    ans = find_slots(ny(), EventPolicy(60, horizon_days=2), q(now=sunday_night))
    assert hm(ans) == ["09:00", "10:00", "11:00"]


def test_horizon_limits_starts_not_ends() -> None:
    sched = ny({"mon": [("23:00", "24:00")], "tue": [("00:00", "01:00")]})
    ans = find_slots(sched, EventPolicy(60, horizon_days=1), q(MON, "2026-12-08", now=at("12:00")))
    assert starts(ans) == ["2026-12-07T23:00:00-05:00"]


def test_horizon_in_days() -> None:
    ans = find_slots(ny(WEEKDAYS_9_17), EventPolicy(240, horizon_days=2),
                     q(MON, "2026-12-11", now="2026-12-07T06:00:00Z"))
    assert by_day(ans) == {MON: ["09:00", "13:00"], "2026-12-08": ["09:00", "13:00"]}


# ---------------------------------------------------------------------------------------------
# Capacity and remaining


def test_capacity_remaining() -> None:
    busy = [Busy(at("09:00"), at("10:00"), seats=1)]
    ans = find_slots(ny(), EventPolicy(60, capacity=2), q(), busy)
    assert [(s.start.strftime("%H:%M"), s.remaining) for s in ans.slots] == [
        ("09:00", 1), ("10:00", 2), ("11:00", 2)]


def test_capacity_full() -> None:
    busy = [Busy(at("09:00"), at("10:00"), seats=2)]
    assert hm(find_slots(ny(), EventPolicy(60, capacity=2), q(), busy)) == ["10:00", "11:00"]
    one = [Busy(at("09:00"), at("10:00"), seats=1)]
    assert hm(find_slots(ny(), EventPolicy(60), q(), one)) == ["10:00", "11:00"]


def test_capacity_counts_the_peak_not_the_sum() -> None:
    busy = [Busy(at("09:00"), at("09:30"), seats=1), Busy(at("09:30"), at("10:00"), seats=1)]
    ans = find_slots(ny(), EventPolicy(60, capacity=2), q(), busy)
    assert [s.remaining for s in ans.slots] == [1, 2, 2]


def test_capacity_counts_the_buffered_span() -> None:
    busy = [Busy(at("10:00"), at("10:30"), seats=2)]
    ans = find_slots(ny(), EventPolicy(60, capacity=2, buffer_after=30), q(), busy)
    assert hm(ans) == ["11:00"]


def test_capacity_with_overlapping_bookings() -> None:
    sched = ny({"mon": [("09:00", "11:00")]})
    busy = [Busy("2026-12-07T14:00:00Z", "2026-12-07T15:00:00Z", seats=2),
            Busy("2026-12-07T14:30:00Z", "2026-12-07T15:30:00Z", seats=1)]
    ans = find_slots(sched, EventPolicy(60, step=30, capacity=3), q(), busy)
    assert [(s.start.strftime("%H:%M"), s.remaining) for s in ans.slots] == [("10:00", 2)]


# ---------------------------------------------------------------------------------------------
# max_per_day


def test_max_per_day() -> None:
    sched = ny({"mon": [("09:00", "12:00")], "tue": [("09:00", "12:00")]})
    busy = [Busy(at("06:00"), at("06:30"), seats=1), Busy(at("07:00"), at("07:30"), seats=1)]
    ans = find_slots(sched, EventPolicy(60, max_per_day=2), q(MON, "2026-12-08"), busy)
    assert by_day(ans) == {"2026-12-08": ["09:00", "10:00", "11:00"]}


def test_max_per_day_counts_bookings_on_their_local_start_date() -> None:
    sched = ny({"mon": [("09:00", "12:00")], "tue": [("09:00", "12:00")]})
    busy = [Busy("2026-12-08T04:00:00Z", "2026-12-08T04:30:00Z", seats=1)]  # Mon 23:00 local
    ans = find_slots(sched, EventPolicy(60, max_per_day=1), q(MON, "2026-12-08"), busy)
    assert by_day(ans) == {"2026-12-08": ["09:00", "10:00", "11:00"]}


def test_max_per_day_counts_bookings_not_seats_nor_blocking_time() -> None:
    busy = [Busy(at("06:00"), at("06:30"), seats=3), Busy(at("07:00"), at("07:30"))]
    ans = find_slots(ny(), EventPolicy(60, capacity=5, max_per_day=2), q(), busy)
    assert hm(ans) == ["09:00", "10:00", "11:00"]


# ---------------------------------------------------------------------------------------------
# exclude and limit


def test_exclude_by_id() -> None:
    busy = [Busy(at("09:00"), at("10:00"), id="bk_1"), Busy(at("10:00"), at("11:00")),
            Busy(at("11:00"), at("12:00"), seats=1, id="bk_2")]
    assert hm(find_slots(ny(), EventPolicy(60), q(), busy)) == []
    assert hm(find_slots(ny(), EventPolicy(60), q(exclude=["bk_1"]), busy)) == ["09:00"]
    assert hm(find_slots(ny(), EventPolicy(60), q(exclude=["bk_2", "bk_1", "nope"]), busy)) == [
        "09:00", "11:00"]


def test_exclude_also_frees_the_day_count() -> None:
    busy = [Busy(at("07:00"), at("07:30"), seats=1, id="old")]
    ev = EventPolicy(60, max_per_day=1)
    assert find_slots(ny(), ev, q(), busy).days == ()
    assert hm(find_slots(ny(), ev, q(exclude=["old"]), busy)) == ["09:00", "10:00", "11:00"]


def test_limit_takes_the_earliest_across_days() -> None:
    sched = ny({"mon": [("09:00", "12:00")], "tue": [("09:00", "12:00")]})
    ans = find_slots(sched, EventPolicy(60), q(MON, "2026-12-08", limit=4))
    assert by_day(ans) == {MON: ["09:00", "10:00", "11:00"], "2026-12-08": ["09:00"]}


# ---------------------------------------------------------------------------------------------
# Ranges and the viewer's zone


def test_instant_range_is_half_open_on_starts() -> None:
    sched = ny(WEEKDAYS_9_17)
    ans = find_slots(sched, EventPolicy(60), q(at("09:00"), at("11:00")))
    assert hm(ans) == ["09:00", "10:00"]
    ans = find_slots(sched, EventPolicy(60), q(at("09:30"), at("11:00")))
    assert hm(ans) == ["10:00"]  # 09:00 starts before the range, though it overlaps it


def test_dates_are_the_viewers_dates() -> None:
    tokyo = Schedule("Asia/Tokyo", {"mon": [("09:00", "10:00")]})  # 00:00Z = Sunday 19:00 NY
    ans = find_slots(tokyo, EventPolicy(60), q("2026-12-06", "2026-12-06", timezone=NY))
    assert starts(ans) == ["2026-12-06T19:00:00-05:00"]
    ans = find_slots(tokyo, EventPolicy(60), q(MON, MON, timezone=NY))
    assert ans.days == ()
    assert ans.next_available is not None
    assert ans.next_available.isoformat() == "2026-12-13T19:00:00-05:00"


def test_answer_grouped_by_the_viewers_dates() -> None:
    kolkata = Schedule("Asia/Kolkata", {"tue": [("20:00", "22:00")]})  # 14:30Z
    ans = find_slots(kolkata, EventPolicy(60), q("2026-12-09", "2026-12-09",
                                                 timezone="Pacific/Auckland"))
    assert ans.timezone == "Pacific/Auckland"
    assert by_day(ans) == {"2026-12-09": ["03:30", "04:30"]}
    assert starts(ans)[0] == "2026-12-09T03:30:00+13:00"


def test_answer_defaults_to_the_schedule_zone() -> None:
    ans = find_slots(Schedule("Europe/Madrid", {"mon": [("09:00", "10:00")]}), EventPolicy(60), q())
    assert ans.timezone == "Europe/Madrid"
    assert starts(ans) == ["2026-12-07T09:00:00+01:00"]


# ---------------------------------------------------------------------------------------------
# next_available


def test_next_available_when_the_range_is_empty() -> None:
    ans = find_slots(ny(WEEKDAYS_9_17), EventPolicy(60), q("2026-12-05", "2026-12-06"))
    assert ans.days == ()
    assert ans.next_available is not None
    assert ans.next_available.isoformat() == "2026-12-07T09:00:00-05:00"


def test_next_available_is_null_when_there_are_slots() -> None:
    assert find_slots(ny(), EventPolicy(60), q()).next_available is None


@pytest.mark.parametrize(("horizon", "want"), [(2, None), (3, "2026-12-07T09:00:00-05:00")])
def test_next_available_never_past_the_horizon(horizon: int, want: str | None) -> None:
    saturday = "2026-12-05T15:00:00Z"
    ans = find_slots(ny(WEEKDAYS_9_17), EventPolicy(60, horizon_days=horizon),
                     q("2026-12-05", "2026-12-06", now=saturday))
    assert ans.days == ()
    assert (None if ans.next_available is None else ans.next_available.isoformat()) == want


@pytest.mark.parametrize(("day", "found"), [("2027-12-08", True), ("2027-12-09", False)])
def test_next_available_searches_366_days(day: str, found: bool) -> None:
    sched = ny({}, [Override(day, [("09:00", "10:00")])])
    ans = find_slots(sched, EventPolicy(60), q())  # the range ends 2026-12-08 00:00
    want = f"{day}T09:00:00-05:00" if found else None
    assert (None if ans.next_available is None else ans.next_available.isoformat()) == want


# ---------------------------------------------------------------------------------------------
# check


def _check(start: str, ev: EventPolicy | None = None, busy: Sequence[Busy] = (),
           query: Query | None = None, sched: Schedule | None = None) -> tuple[Any, ...]:
    got = check_slot(sched or ny(), ev or EventPolicy(60), query or q(), start, busy)
    nxt = None if got.next_available is None else got.next_available.isoformat()
    return got.bookable, got.reason, got.remaining, nxt


def test_check_bookable() -> None:
    assert _check(at("10:00")) == (True, None, 1, at("11:00"))
    assert _check("2026-12-07T15:00:00Z") == (True, None, 1, at("11:00"))


def test_check_too_soon() -> None:
    assert _check(at("09:00"), query=q(now=at("09:30"))) == (False, "too_soon", 0, at("10:00"))
    ev = EventPolicy(60, min_notice=120)
    assert _check(at("10:00"), ev, query=q(now=at("08:30"))) == (False, "too_soon", 0, at("11:00"))


def test_check_too_far() -> None:
    assert _check(at("10:00"), EventPolicy(60, horizon_days=1)) == (False, "too_far", 0, None)


def test_check_outside_hours() -> None:
    next_monday = at("09:00", "2026-12-14")
    assert _check(at("12:00")) == (False, "outside_hours", 0, next_monday)
    assert _check(at("11:30")) == (False, "outside_hours", 0, next_monday)  # ends after 12:00
    assert _check(at("08:00")) == (False, "outside_hours", 0, at("09:00"))


def test_check_off_grid() -> None:
    assert _check(at("09:20")) == (False, "off_grid", 0, at("10:00"))
    thirty_seconds_late = "2026-12-07T09:00:30-05:00"
    assert _check(thirty_seconds_late) == (False, "off_grid", 0, at("10:00"))


def test_check_busy() -> None:
    busy = [Busy(at("10:00"), at("11:00"))]
    assert _check(at("10:00"), busy=busy) == (False, "busy", 0, at("11:00"))
    assert _check(at("09:00"), EventPolicy(60, buffer_after=5), busy) == (
        False, "busy", 0, at("11:00"))


def test_check_full() -> None:
    busy = [Busy(at("10:00"), at("11:00"), seats=2)]
    assert _check(at("10:00"), EventPolicy(60, capacity=2), busy) == (False, "full", 0, at("11:00"))
    assert _check(at("09:00"), EventPolicy(60, capacity=3), busy) == (True, None, 3, at("10:00"))
    assert _check(at("10:00"), EventPolicy(60, capacity=3), busy) == (True, None, 1, at("11:00"))


def test_check_day_full() -> None:
    busy = [Busy(at("07:00"), at("07:30"), seats=1)]
    assert _check(at("10:00"), EventPolicy(60, max_per_day=1), busy) == (
        False, "day_full", 0, at("09:00", "2026-12-14"))


def test_check_reasons_come_in_spec_order() -> None:
    busy = [Busy(at("09:00"), at("12:00"))]
    # too soon and outside hours -> too_soon
    assert _check(at("13:00"), query=q(now=at("14:00")))[1] == "too_soon"
    # too far and outside hours -> too_far
    assert _check(at("13:00"), EventPolicy(60, horizon_days=1))[1] == "too_far"
    # outside hours and off grid -> outside_hours
    assert _check(at("11:30"))[1] == "outside_hours"
    # off grid and busy -> off_grid
    assert _check(at("09:20"), busy=busy)[1] == "off_grid"
    # busy and full -> busy
    both = [*busy, Busy(at("10:00"), at("11:00"), seats=1)]
    assert _check(at("10:00"), busy=both)[1] == "busy"
    # full and day_full -> full
    seats = [Busy(at("10:00"), at("11:00"), seats=1)]
    assert _check(at("10:00"), EventPolicy(60, max_per_day=1), seats)[1] == "full"


def test_check_ignores_the_range_and_limit() -> None:
    query = q("2026-12-08", "2026-12-08", limit=1)
    assert _check(at("10:00"), query=query) == (True, None, 1, at("11:00"))


def test_check_with_free_alignment() -> None:
    busy = [Busy(at("10:00"), at("10:20"))]
    ev = EventPolicy(30, align="free")
    assert _check(at("10:00"), ev, busy) == (False, "busy", 0, at("10:20"))
    assert _check(at("10:20"), ev, busy) == (True, None, 1, at("10:50"))
    assert _check(at("10:30"), ev, busy) == (False, "off_grid", 0, at("10:50"))


def test_check_next_available_is_strictly_after() -> None:
    assert _check(at("11:00")) == (True, None, 1, at("09:00", "2026-12-14"))


# ---------------------------------------------------------------------------------------------
# Teams (SPEC §7)


def madrid_london(busy: Sequence[Busy] = ()) -> list[Host]:
    ana = Host("ana", Schedule("Europe/Madrid", {"mon": [("15:00", "18:00")]}))  # 14–17Z
    bo = Host("bo", Schedule("Europe/London", {"mon": [("13:00", "16:30")]}), busy)  # 13–16:30Z
    return [ana, bo]


def test_team_all_madrid_and_london() -> None:
    ans = find_team_slots(madrid_london(), EventPolicy(30), q())
    assert ans.timezone == "Europe/Madrid"  # the first host's zone
    assert hm(ans) == ["15:00", "15:30", "16:00", "16:30", "17:00"]
    assert all(s.hosts == ("ana", "bo") and s.remaining == 1 for s in ans.slots)
    busy = [Busy("2026-12-07T15:00:00Z", "2026-12-07T15:30:00Z")]
    ans = find_team_slots(madrid_london(busy), EventPolicy(30), q(timezone="UTC"))
    assert hm(ans) == ["14:00", "14:30", "15:30", "16:00"]


def test_team_any_lists_free_hosts_and_sums_remaining() -> None:
    hosts = madrid_london([Busy("2026-12-07T14:00:00Z", "2026-12-07T14:30:00Z", seats=1)])
    ev = EventPolicy(30, capacity=2)
    any_ = find_team_slots(hosts, ev, q(timezone="UTC"), Team("any"))
    got = [(s.start.strftime("%H:%M"), s.hosts, s.remaining) for s in any_.slots]
    assert got[:3] == [("13:00", ("bo",), 2), ("13:30", ("bo",), 2), ("14:00", ("ana", "bo"), 3)]
    assert got[-1] == ("16:30", ("ana",), 2)
    all_ = find_team_slots(hosts, ev, q(timezone="UTC"), Team("all"))
    assert (all_.slots[0].start.strftime("%H:%M"), all_.slots[0].remaining) == ("14:00", 1)


def three_hosts() -> list[Host]:
    a = Host("a", Schedule(NY, {"mon": [("09:00", "12:00")]}))  # 14–17Z
    b = Host("b", Schedule("Europe/London", {"mon": [("14:00", "16:00")]}),  # 14–16Z
             [Busy("2026-12-07T15:00:00Z", "2026-12-07T16:00:00Z")])
    c = Host("c", Schedule("Europe/Madrid", {"mon": [("16:00", "18:00")]}))  # 15–17Z
    return [a, b, c]


def test_team_three_hosts_min_2() -> None:
    ans = find_team_slots(three_hosts(), EventPolicy(60), q(), Team("any", min=2))
    assert ans.timezone == NY
    assert [(s.start.strftime("%H:%M"), s.hosts, s.remaining) for s in ans.slots] == [
        ("09:00", ("a", "b"), 2), ("10:00", ("a", "c"), 2), ("11:00", ("a", "c"), 2)]
    every = find_team_slots(three_hosts(), EventPolicy(60), q(), Team("any", min=3))
    assert every.days == ()
    assert every.next_available is not None  # next Monday, when b is free at 15Z
    assert every.next_available.isoformat() == "2026-12-14T10:00:00-05:00"
    assert find_team_slots(three_hosts(), EventPolicy(60), q(), Team("all")).days == ()
    union = find_team_slots(three_hosts(), EventPolicy(60), q(), Team("any"))
    assert [s.hosts for s in union.slots] == [("a", "b"), ("a", "c"), ("a", "c")]


def test_team_window_grids_are_per_host_with_grid_host() -> None:
    # SPEC v2 §7: "grid": "host" keeps version 1's answer (each host's own grid)
    early = Host("early", Schedule(NY, {"mon": [("09:00", "11:00")]}))
    late = Host("late", Schedule(NY, {"mon": [("09:30", "11:30")]}))
    ev = EventPolicy(60)
    all_ = find_team_slots([early, late], ev, q(), Team("all", grid="host"))
    assert all_.days == () and all_.next_available is None  # the grids never meet
    team_grid = find_team_slots([early, late], ev, q(), Team("all"))
    assert hm(team_grid) == ["09:30"]  # version 2's default: the team's grid starts at 09:30
    any_ = find_team_slots([early, late], ev, q(), Team("any", grid="host"))
    assert [(s.start.strftime("%H:%M"), s.hosts) for s in any_.slots] == [
        ("09:00", ("early",)), ("09:30", ("late",)), ("10:00", ("early",)), ("10:30", ("late",))]
    clock = find_team_slots([early, late], EventPolicy(60, align="clock"), q(), Team("all"))
    assert hm(clock) == ["10:00"]


def test_team_check() -> None:
    hosts, ev = three_hosts(), EventPolicy(60)
    fifteen = "2026-12-07T15:00:00Z"
    got = check_team_slot(hosts, ev, q(), fifteen, Team("any", min=2))
    assert (got.bookable, got.reason, got.remaining, got.hosts) == (True, None, 2, ("a", "c"))
    assert got.next_available is not None
    assert got.next_available.isoformat() == "2026-12-07T11:00:00-05:00"
    got = check_team_slot(hosts, ev, q(), fifteen, Team("any", min=3))
    assert (got.bookable, got.reason, got.hosts) == (False, "busy", ("a", "c"))
    got = check_team_slot(hosts, ev, q(), fifteen, Team("all"))
    assert (got.bookable, got.reason, got.hosts) == (False, "busy", ("a", "c"))
    # a and b are off their grids at 14:30Z, c is outside its hours: the earliest reason wins
    got = check_team_slot(hosts, ev, q(), "2026-12-07T14:30:00Z", Team("all"))
    assert (got.bookable, got.reason, got.hosts) == (False, "outside_hours", ())


def test_team_of_different_capacities_reports_the_smallest_for_all() -> None:
    hosts = madrid_london([Busy("2026-12-07T15:00:00Z", "2026-12-07T16:00:00Z", seats=2)])
    ans = find_team_slots(hosts, EventPolicy(60, capacity=3), q(timezone="UTC"))
    assert [(s.start.strftime("%H:%M"), s.remaining) for s in ans.slots] == [
        ("14:00", 3), ("15:00", 1)]


def test_slot_days_group_and_order() -> None:
    ans = find_slots(ny(WEEKDAYS_9_17), EventPolicy(480), q(MON, "2026-12-11"))
    assert [d.date.isoformat() for d in ans.days] == [
        "2026-12-07", "2026-12-08", "2026-12-09", "2026-12-10", "2026-12-11"]
    assert all(len(d.slots) == 1 for d in ans.days)
    assert ans.slots[0].end - ans.slots[0].start == timedelta(hours=8)


# ---------------------------------------------------------------------------------------------
# The lead's choices where SPEC is silent


def test_interval_inside_a_gap_that_resolves_backwards_is_empty() -> None:
    """02:30 (read with EST: 07:30Z) to 03:15 EDT (07:15Z) on 8 March 2026 holds nothing."""
    night = q("2026-03-08", "2026-03-08", now="2026-03-01T00:00:00Z")
    empty = ny({}, [Override("2026-03-08", [("02:30", "03:15")])])
    ans = find_slots(empty, EventPolicy(15), night)
    assert ans.days == () and ans.next_available is None
    wider = ny({}, [Override("2026-03-08", [("01:30", "03:15")])])  # 06:30Z–07:15Z
    ans = find_slots(wider, EventPolicy(15), night)
    assert starts(ans) == ["2026-03-08T01:30:00-05:00", "2026-03-08T01:45:00-05:00",
                           "2026-03-08T03:00:00-04:00"]


def test_a_window_open_for_ever_has_its_grid_on_the_clock() -> None:
    week = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    always = ny({d: [("00:00", "24:00")] for d in week})
    ans = find_slots(always, EventPolicy(50), q(MON, "2026-12-08"))
    days = by_day(ans)
    assert days[MON][:3] == ["00:00", "00:50", "01:40"]
    assert days[MON][-1] == "23:20"  # 28 × 50 minutes, then the clock starts again at midnight
    assert days["2026-12-08"][:2] == ["00:00", "00:50"]


def test_hours_of_a_skipped_day_join_the_next_window_and_anchor_its_grid() -> None:
    """Apia skipped Friday 30 December 2011. Friday's 00:00–01:00 resolve (offset before the
    gap) to Saturday 00:00–01:00 +14, so they open the window that Saturday's 00:30–24:00 and
    Sunday's 00:00–01:00 continue: its grid starts at Saturday 00:00, even when the range asked
    starts on Sunday (regression: the engine once began that window at Saturday 00:30)."""
    from slotcalc import EventPolicy, Query, Schedule, check_slot, find_slots

    schedule = Schedule("Pacific/Apia", {"fri": [("00:00", "01:00")],
                                         "sat": [("00:30", "24:00")],
                                         "sun": [("00:00", "01:00")]})
    event = EventPolicy(7)  # 1440 minutes after the anchor is not on a 7-minute grid
    query = Query("2012-01-01", "2012-01-01", now="2011-12-01T00:00:00Z")
    starts = [s.start.isoformat() for s in find_slots(schedule, event, query).slots]
    assert starts[:2] == ["2012-01-01T00:02:00+14:00", "2012-01-01T00:09:00+14:00"]
    got = check_slot(schedule, event, query, "2011-12-31T10:00:00Z")
    assert (got.reason, got.next_available.isoformat() if got.next_available else None) == (
        "off_grid", "2012-01-01T00:02:00+14:00")


@pytest.mark.property
@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 2000), st.integers(1, 400), st.integers(1, 3)),
             max_size=60),
    st.lists(st.integers(-100, 2500), max_size=40),
    st.integers(0, 120), st.integers(1, 300), st.integers(0, 120),
)
def test_remaining_of_every_start_is_remaining_of_each(
        spans: list[tuple[int, int, int]], offsets: list[int], before: int, duration: int,
        after: int) -> None:
    """The walk (a few seat changes inside a window) and the search (many) both give the
    per-start answer, for dense and sparse bookings alike."""
    base = 1_800_000_000
    policy = policy_of(EventPolicy(duration, capacity=5, buffer_before=before,
                                   buffer_after=after))
    bookings = [(base + 60 * a, base + 60 * (a + d), k, base + 60 * a, base + 60 * (a + d))
                for a, d, k in spans]
    plan = plan_host(ny(), policy, base, [], bookings)
    starts = sorted(base + 60 * x for x in offsets)
    assert plan.remaining_of(starts) == [plan.remaining(s) for s in starts]


@pytest.mark.property
@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 300), st.integers(1, 60), st.integers(1, 3)),
                max_size=40), st.integers(1, 4))
def test_full_runs_cover_exactly_the_segments_at_capacity(
        spans: list[tuple[int, int, int]], capacity: int) -> None:
    rows = [(a, a + d, k, a, a + d) for a, d, k in spans]
    times, levels = _seat_levels(Bookings(*map(list, zip(*rows, strict=True))) if rows
                                 else NO_BOOKINGS)
    starts, ends = _full_runs(times, levels, capacity)
    full = {x for i, level in enumerate(levels) if level >= capacity
            for x in range(times[i], times[i + 1])}
    assert {x for a, b in zip(starts, ends, strict=True) for x in range(a, b)} == full
    assert all(b < a for a, b in zip(starts[1:], ends, strict=False))  # apart, in order
