"""Event policies: every SPEC §2 option, limits per period, horizons, repeats."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any, Literal, NamedTuple

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from ..model import LIMIT_PERIODS, WEEKDAYS, EventPolicy, Limits, Repeat
from ._common import (
    ALIGNS,
    DEFAULT_YEARS,
    check_bool,
    check_choices,
    check_int,
    coin,
    draw_int,
    pick,
    rarely,
)
from ._zones import draw_setting

#: Business-day sets worth trying besides the default Monday to Friday.
_BUSINESS_WEEKS: tuple[tuple[str, ...], ...] = (
    ("mon", "tue", "wed", "thu", "fri"),
    ("sun", "mon", "tue", "wed", "thu"),  # a Sunday–Thursday working week
    ("mon", "tue", "wed", "thu", "fri", "sat"),
    ("sat", "sun"),
    ("wed",),
)
#: Days between repeats, the weekly one first.
_INTERVALS = (7, 1, 14, 2, 28, 3)


class EventBounds(NamedTuple):
    aligns: tuple[str, ...]
    max_duration: int
    min_step: int
    max_buffer: int
    max_capacity: int
    max_notice: int
    max_horizon: int
    max_per_day: int
    max_limit: int
    duration_limits: bool
    week_starts: tuple[str, ...]
    max_business_days: int
    max_bookable_days: int
    bookable_dates: bool
    max_repeat: int


DEFAULT_EVENT = EventBounds(ALIGNS, 180, 5, 60, 4, 3 * 1440, 14, 5, 5, True, WEEKDAYS, 10, 10,
                            True, 4)
#: Bounds that draw only the options of SPEC version 1 (no limits, no new horizons, no repeat).
V1_EVENT = DEFAULT_EVENT._replace(max_limit=0, duration_limits=False, week_starts=("mon",),
                                  max_business_days=0, max_bookable_days=0, bookable_dates=False,
                                  max_repeat=0)


def _draw_small(draw: st.DrawFn, round_values: tuple[int, ...], top: int) -> int:
    """0, one of ``round_values`` up to ``top``, or anything from 0 to ``top``."""
    how = draw_int(draw, 0, 2)
    fits = [v for v in round_values if v <= top]
    if how == 0:
        return 0
    if how == 1 and fits:
        return pick(draw, fits)
    return draw_int(draw, 0, top)


def _draw_periods(draw: st.DrawFn, skip: Sequence[str] = ()) -> list[str]:
    """A non-empty subset of day/week/month/year (not those in ``skip``), week most often."""
    left = [p for p in LIMIT_PERIODS if p not in skip]
    got = [p for p in left if coin(draw)]
    return got or ["week" if "week" in left else left[0]]


def draw_limits_dict(draw: st.DrawFn, periods: Sequence[str], top: int) -> dict[str, int]:
    return {p: draw_int(draw, 1, top) for p in periods}


def _draw_minutes_limits(draw: st.DrawFn, periods: Sequence[str], duration: int
                         ) -> dict[str, int]:
    """Booked-minute limits: mostly whole multiples of ``duration`` (one to four bookings),
    sometimes anything up to four bookings' worth (less than one booking: nothing fits)."""
    out: dict[str, int] = {}
    for p in periods:
        if draw_int(draw, 0, 3):
            out[p] = duration * draw_int(draw, 1, 4)
        else:
            out[p] = draw_int(draw, 1, 4 * duration)
    return out


def draw_repeat_dict(draw: st.DrawFn, max_count: int,
                     intervals: Sequence[int] = _INTERVALS) -> dict[str, int]:
    return {"interval_days": pick(draw, intervals), "count": draw_int(draw, 2, max_count)}


def draw_event_dict(draw: st.DrawFn, b: EventBounds, explicit: bool, day: date
                    ) -> dict[str, Any]:
    """An event policy as a JSON dict; each option is left at its default about half the time
    (and, with ``explicit``, sometimes spelled out with it). ``day`` anchors the dates of
    ``bookable_from`` / ``bookable_until``."""
    lengths = [m for m in (30, 60, 15, 45, 90, 120, 20, 25, 50)
               if b.min_step <= m <= b.max_duration]
    duration = pick(draw, lengths) if lengths and coin(draw) else draw_int(draw, b.min_step,
                                                                           b.max_duration)
    out: dict[str, Any] = {"duration": duration}

    def put(key: str, value: object, default: object) -> None:
        if value != default or (explicit and coin(draw)):
            out[key] = value

    def maybe(key: str, value: int | None, default: int | None) -> None:
        put(key, value if coin(draw) else default, default)

    steps = [s for s in (5, 10, 15, 30, 60) if s >= b.min_step]
    step = (pick(draw, steps) if steps and coin(draw)
            else draw_int(draw, b.min_step, max(b.min_step, 2 * b.max_duration)))
    maybe("step", step, duration)
    put("align", pick(draw, b.aligns), "window")  # "window" first: shrinks to the default
    maybe("buffer_before", _draw_small(draw, (5, 10, 15, 30), b.max_buffer), 0)
    maybe("buffer_after", _draw_small(draw, (5, 10, 15, 30), b.max_buffer), 0)
    maybe("min_notice", _draw_small(draw, (30, 60, 120, 1440), b.max_notice), 0)
    if b.max_horizon:
        maybe("horizon_days", draw_int(draw, 1, b.max_horizon), None)
    maybe("capacity", draw_int(draw, 1, b.max_capacity), 1)
    if b.max_per_day:
        maybe("max_per_day", draw_int(draw, 1, b.max_per_day), None)
    limited = False
    if b.max_limit and coin(draw):
        skip = ("day",) if "max_per_day" in out else ()
        out["booking_limits"] = draw_limits_dict(draw, _draw_periods(draw, skip), b.max_limit)
        limited = True
    elif explicit and b.max_limit and rarely(draw, 6):
        out["booking_limits"] = {}
    if b.duration_limits and rarely(draw, 3):
        out["duration_limits"] = _draw_minutes_limits(draw, _draw_periods(draw), duration)
        limited = True
    if b.week_starts != ("mon",) and (limited or coin(draw)):
        order = sorted(b.week_starts, key=lambda d: (d != "mon", d != "sun"))  # sun second
        put("week_start", pick(draw, order), "mon")
    if b.max_business_days and rarely(draw, 3):
        out["horizon_business_days"] = draw_int(draw, 1, b.max_business_days)
        if coin(draw):
            out["business_days"] = list(pick(draw, _BUSINESS_WEEKS))
    elif b.max_business_days and rarely(draw, 8):
        out["business_days"] = [d for d in WEEKDAYS if coin(draw)] or ["fri"]
    if b.max_bookable_days and rarely(draw, 4):
        out["horizon_bookable_days"] = draw_int(draw, 1, b.max_bookable_days)
    if b.bookable_dates and rarely(draw, 4):
        first = day + timedelta(days=draw_int(draw, -3, 3))
        how = draw_int(draw, 0, 2)
        if how != 2:
            out["bookable_from"] = first.isoformat()
        if how != 1:
            out["bookable_until"] = (first + timedelta(days=draw_int(draw, 0, 10))).isoformat()
    if b.max_repeat and rarely(draw, 3):
        out["repeat"] = draw_repeat_dict(draw, b.max_repeat)
    return out


def event_from(e: dict[str, Any]) -> EventPolicy:
    return EventPolicy(**e)


@st.composite
def _event_policies(draw: st.DrawFn, bounds: EventBounds,
                    dates: st.SearchStrategy[date] | None) -> EventPolicy:
    day = draw(dates) if dates is not None else draw_setting(
        draw, None, DEFAULT_YEARS, True, 1, False).day
    return event_from(draw_event_dict(draw, bounds, False, day))


def event_bounds(*, aligns: Sequence[str], max_duration: int, min_step: int, max_buffer: int,
                 max_capacity: int, max_notice: int, max_horizon: int, max_per_day: int,
                 max_limit: int, duration_limits: bool, week_starts: Sequence[str],
                 max_business_days: int, max_bookable_days: int, bookable_dates: bool,
                 max_repeat: int) -> EventBounds:
    """Return the checked bounds of :func:`event_policies` (errors name the argument)."""
    chosen = check_choices("aligns", aligns, ALIGNS)
    check_int("min_step", min_step, 1, 1440)
    check_int("max_duration", max_duration, min_step, 1440)
    check_int("max_buffer", max_buffer, 0, 1440)
    check_int("max_capacity", max_capacity, 1, 1000)
    check_int("max_notice", max_notice, 0, 366 * 1440)
    check_int("max_horizon", max_horizon, 0, 3660)
    check_int("max_per_day", max_per_day, 0, 1000)
    check_int("max_limit", max_limit, 0, 1000)
    check_bool("duration_limits", duration_limits)
    starts = check_choices("week_starts", week_starts, WEEKDAYS)
    check_int("max_business_days", max_business_days, 0, 3660)
    check_int("max_bookable_days", max_bookable_days, 0, 3660)
    check_bool("bookable_dates", bookable_dates)
    check_int("max_repeat", max_repeat, 0, 100)
    if max_repeat == 1:
        raise InvalidArgument("max_repeat=1 must be 0 (no repeats) or at least 2 (a repeat "
                              "has at least two occurrences)")
    return EventBounds(chosen, max_duration, min_step, max_buffer, max_capacity, max_notice,
                       max_horizon, max_per_day, max_limit, duration_limits, starts,
                       max_business_days, max_bookable_days, bookable_dates, max_repeat)


def event_policies(*, aligns: Sequence[Literal["window", "clock", "free"]] = ALIGNS,
                   max_duration: int = 180, min_step: int = 5, max_buffer: int = 60,
                   max_capacity: int = 4, max_notice: int = 3 * 1440, max_horizon: int = 14,
                   max_per_day: int = 5, max_limit: int = 5, duration_limits: bool = True,
                   week_starts: Sequence[str] = WEEKDAYS, max_business_days: int = 10,
                   max_bookable_days: int = 10, bookable_dates: bool = True,
                   max_repeat: int = 4, dates: st.SearchStrategy[date] | None = None
                   ) -> st.SearchStrategy[EventPolicy]:
    """Return a strategy for :class:`~slotcalc.EventPolicy` objects covering every option.

    ``duration`` (``min_step``..``max_duration`` minutes, often a round length), ``step``
    (the duration, a round step, or anything from ``min_step`` to twice ``max_duration``),
    each of ``aligns``, buffers up to ``max_buffer``, ``min_notice`` up to ``max_notice``,
    ``horizon_days`` None or up to ``max_horizon``, ``capacity`` up to ``max_capacity``,
    ``max_per_day`` None or up to ``max_per_day``; ``booking_limits`` per day/week/month/year
    up to ``max_limit``; ``duration_limits`` (mostly whole multiples of the duration);
    ``week_start`` from ``week_starts``; ``horizon_business_days`` up to
    ``max_business_days`` with a ``business_days`` set; ``horizon_bookable_days`` up to
    ``max_bookable_days``; ``bookable_from`` / ``bookable_until`` within days of a date from
    ``dates`` (default: a DST night); ``repeat`` with 2 to ``max_repeat`` occurrences, weekly
    most often. A bound of 0 (or False) turns its option off. Each option keeps its default
    in about half the examples or more, so failures shrink to the defaults.
    """
    bounds = event_bounds(aligns=aligns, max_duration=max_duration, min_step=min_step,
                          max_buffer=max_buffer, max_capacity=max_capacity,
                          max_notice=max_notice, max_horizon=max_horizon,
                          max_per_day=max_per_day, max_limit=max_limit,
                          duration_limits=duration_limits, week_starts=week_starts,
                          max_business_days=max_business_days,
                          max_bookable_days=max_bookable_days, bookable_dates=bookable_dates,
                          max_repeat=max_repeat)
    return _event_policies(bounds, dates)


@st.composite
def _limits(draw: st.DrawFn, periods: tuple[str, ...], max_value: int) -> Limits:
    chosen = [p for p in periods if coin(draw)]
    return Limits(**draw_limits_dict(draw, chosen, max_value))


def limits(*, periods: Sequence[str] = LIMIT_PERIODS,
           max_value: int = 10) -> st.SearchStrategy[Limits]:
    """Return a strategy for :class:`~slotcalc.Limits`: any subset of ``periods`` (possibly
    none), each with a limit from 1 to ``max_value`` (bookings, or minutes when used as
    ``duration_limits``)."""
    chosen = check_choices("periods", periods, LIMIT_PERIODS)
    check_int("max_value", max_value, 1, 1_000_000)
    return _limits(chosen, max_value)


@st.composite
def _repeats(draw: st.DrawFn, max_count: int, intervals: tuple[int, ...]) -> Repeat:
    return Repeat(**draw_repeat_dict(draw, max_count, intervals))


def repeats(*, max_count: int = 4,
            intervals: Sequence[int] = _INTERVALS) -> st.SearchStrategy[Repeat]:
    """Return a strategy for :class:`~slotcalc.Repeat`: ``interval_days`` from ``intervals``
    (weekly first) and ``count`` from 2 to ``max_count``."""
    check_int("max_count", max_count, 2, 1000)
    if isinstance(intervals, str) or not isinstance(intervals, Sequence) or not intervals:
        raise InvalidArgument(f"intervals={intervals!r} must be a non-empty sequence of days")
    for i in intervals:
        check_int("intervals[…]", i, 1, 3660)
    if (max_count - 1) * max(intervals) > 3660:
        raise InvalidArgument(f"max_count={max_count!r} with intervals={intervals!r} reaches "
                              "past 3660 days")
    return _repeats(max_count, tuple(intervals))
