"""Working hours: wall intervals, weekly hours, overrides, travel zones, schedules.

Seconds after local midnight inside; ``"HH:MM"`` strings (JSON) or model objects outside.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, time, timedelta
from functools import lru_cache
from typing import Any

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from .._tz import DAY
from ..model import WEEKDAYS, Override, Schedule, Travel
from ._common import (
    DEFAULT_YEARS,
    HOUR,
    MINUTE,
    WEIGHTED_ZONES,
    check_int,
    check_sizes,
    check_years,
    check_zone,
    check_zones,
    coin,
    draw_int,
    pick,
    rarely,
    shuffled,
)
from ._zones import Setting, Transition, draw_setting, transition_list

#: Trips that cross the date line (or nearly): a home zone and where its host travels to.
DATE_LINE_TRIPS: dict[str, str] = {
    "America/Los_Angeles": "Pacific/Auckland",
    "Pacific/Auckland": "America/Los_Angeles",
    "Pacific/Apia": "America/Los_Angeles",
    "Pacific/Kiritimati": "Pacific/Honolulu",
}


def fmt_wall(seconds: int) -> str:
    if seconds == DAY:
        return "24:00"
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h:02d}:{m:02d}" + (f":{s:02d}" if s else "")


def _hint_seconds(trs: Sequence[Transition]) -> tuple[int, ...]:
    """Seconds of the day worth clustering wall-time bounds around: a night's two readings."""
    out: set[int] = set()
    for tr in trs:
        for w in (tr.wall_before, tr.wall_after):
            s = w.hour * 3600 + w.minute * 60 + w.second
            out.update(x for x in (s, s - 1800, s + 1800, s - 3600, s + 3600) if 0 <= x < DAY)
            if s == 0:
                out.add(DAY)
    return tuple(sorted(out))


def time_hints(near: Sequence[time]) -> tuple[int, ...]:
    out: set[int] = set()
    for t in near:
        if not isinstance(t, time):
            raise InvalidArgument(f"near={near!r} must hold datetime.time values")
        s = t.hour * 3600 + t.minute * 60 + t.second
        out.update(x for x in (s, s - 1800, s + 1800) if 0 <= x < DAY)
        if s == 0:
            out.add(DAY)
    return tuple(sorted(out))


_LENGTHS = tuple(m * MINUTE for m in (60, 120, 240, 480, 600, 30, 90, 15, 45))


def _draw_interval(draw: st.DrawFn, hints: tuple[int, ...], seconds: bool) -> tuple[int, int]:
    """One wall interval ``(start_s, end_s)`` with ``0 <= start < end <= 86400``."""
    starts = [h for h in hints if h < DAY]
    how = draw_int(draw, 0, 3 if seconds else 2)
    if how == 0 and starts:
        a = pick(draw, starts)
    elif how <= 1:
        a = draw_int(draw, 0, 47) * 1800  # a whole or half hour
    elif how == 2:
        a = draw_int(draw, 0, DAY // MINUTE - 1) * MINUTE
    else:
        a = draw_int(draw, 0, DAY - 1)
    ends = [h for h in hints if h > a]
    how = draw_int(draw, 0, 4 if seconds else 3)
    if how == 0:
        b = min(DAY, a + pick(draw, _LENGTHS))
    elif how == 1 and ends:
        b = pick(draw, ends)
    elif how <= 2:
        b = DAY
    elif how == 3:
        b = draw_int(draw, a // MINUTE + 1, DAY // MINUTE) * MINUTE
    else:
        b = draw_int(draw, a + 1, DAY)
    return a, b


def draw_day(draw: st.DrawFn, hints: tuple[int, ...], min_size: int, max_size: int,
             seconds: bool) -> list[tuple[int, int]]:
    """A day's intervals, sometimes with touching or overlapping pairs, in any order."""
    out = [_draw_interval(draw, hints, seconds) for _ in range(draw_int(draw, min_size, max_size))]
    if out and len(out) < max_size:
        a, b = out[-1]
        shape = draw_int(draw, 0, 2)
        if shape == 1 and b < DAY:  # touching: 09:00–12:00 + 12:00–14:00
            out.append((b, draw_int(draw, b // MINUTE + 1, DAY // MINUTE) * MINUTE))
        elif shape == 2 and b - a >= 2 * MINUTE:  # overlapping: 09:00–12:00 + 11:00–13:00
            mid = a + draw_int(draw, 1, (b - a) // MINUTE - 1) * MINUTE
            out.append((mid, b + draw_int(draw, 0, (DAY - b) // MINUTE) * MINUTE))
    return shuffled(draw, out)


def pairs(intervals: Sequence[tuple[int, int]]) -> list[tuple[str, str]]:
    return [(fmt_wall(a), fmt_wall(b)) for a, b in intervals]


@st.composite
def _wall_intervals(draw: st.DrawFn, hints: tuple[int, ...], min_size: int, max_size: int,
                    seconds: bool) -> list[tuple[str, str]]:
    return pairs(draw_day(draw, hints, min_size, max_size, seconds))


def wall_intervals(*, min_size: int = 0, max_size: int = 3, near: Sequence[time] = (),
                   seconds: bool = False) -> st.SearchStrategy[list[tuple[str, str]]]:
    """Return a strategy for one day's hours: ``[("HH:MM", "HH:MM"), …]`` pairs, start < end.

    ``min_size`` to ``max_size`` pairs (one touching or overlapping pair may be added when
    fewer than ``max_size`` were drawn). Ends may be ``"24:00"``. Bounds cluster on whole and
    half hours, on midnight, and around the wall times in ``near`` (for example a zone's
    transition times); some lists hold touching (``09:00–12:00``, ``12:00–14:00``) or
    overlapping pairs, in any order. ``seconds=True`` also draws ``"HH:MM:SS"`` bounds.
    """
    check_sizes("min_size", min_size, "max_size", max_size)
    return _wall_intervals(time_hints(near), min_size, max_size, seconds)


_DAY_KINDS = ("hours", "hours", "hours", "hours", "missing", "empty")


def _draw_weekly(draw: st.DrawFn, hints: tuple[int, ...], max_intervals: int, overnight: bool,
                 seconds: bool) -> dict[str, list[tuple[int, int]]]:
    if max_intervals and draw_int(draw, 0, 19) == 0:  # open around the clock
        return {d: [(0, DAY)] for d in WEEKDAYS}
    weekly: dict[str, list[tuple[int, int]]] = {}
    for day in WEEKDAYS:
        kind = pick(draw, _DAY_KINDS)
        if kind == "hours" and max_intervals:
            weekly[day] = draw_day(draw, hints, 1, max_intervals, seconds)
        elif kind == "empty":
            weekly[day] = []
    if overnight and max_intervals and coin(draw):
        # a window across midnight, as two pairs: fri 22:00–24:00 + sat 00:00–02:00
        i = draw_int(draw, 0, 6)
        late = DAY - pick(draw, (2 * HOUR, HOUR, 30 * MINUTE, 4 * HOUR))
        early = pick(draw, (2 * HOUR, HOUR, 30 * MINUTE, 3 * HOUR))
        weekly.setdefault(WEEKDAYS[i], []).append((late, DAY))
        weekly.setdefault(WEEKDAYS[(i + 1) % 7], []).insert(0, (0, early))
    return weekly


@st.composite
def _weekly_hours(draw: st.DrawFn, hints: tuple[int, ...], max_intervals: int, overnight: bool,
                  seconds: bool) -> dict[str, list[tuple[str, str]]]:
    weekly = _draw_weekly(draw, hints, max_intervals, overnight, seconds)
    return {d: pairs(v) for d, v in weekly.items()}


def weekly_hours(*, max_intervals: int = 3, near: Sequence[time] = (), overnight: bool = True,
                 seconds: bool = False) -> st.SearchStrategy[dict[str, list[tuple[str, str]]]]:
    """Return a strategy for weekly hours: ``{"mon": [("09:00", "17:00")], …}``.

    Each day is missing, ``[]`` or one to ``max_intervals`` pairs drawn like
    :func:`wall_intervals` (touching and overlapping pairs included). With ``overnight`` about
    half the schedules also hold a window across midnight written as two pairs
    (``fri 22:00–24:00`` and ``sat 00:00–02:00``, ``sun`` wrapping to ``mon``); about one in
    twenty is open around the clock.
    """
    check_int("max_intervals", max_intervals, 0)
    return _weekly_hours(time_hints(near), max_intervals, overnight, seconds)


def _draw_override_dicts(draw: st.DrawFn, around: date, hints: tuple[int, ...], min_size: int,
                         max_size: int, max_days: int, max_intervals: int,
                         seconds: bool) -> list[dict[str, Any]]:
    """Overrides as JSON dicts covering disjoint date ranges near ``around``, in any order."""
    n = draw_int(draw, min_size, max_size)
    cursor = around - timedelta(days=draw_int(draw, 0, 2))
    out: list[dict[str, Any]] = []
    for _ in range(n):
        first = cursor + timedelta(days=draw_int(draw, 0, 2))
        last = first + timedelta(days=draw_int(draw, 1, max_days) - 1)
        cursor = last + timedelta(days=1)
        o: dict[str, Any] = {"date": first.isoformat()}
        if last != first or coin(draw):
            o["until"] = last.isoformat()
        closed = max_intervals == 0 or draw_int(draw, 0, 3) == 3
        ivs = [] if closed else draw_day(draw, hints, 1, max_intervals, seconds)
        o["intervals"] = [list(p) for p in pairs(ivs)]
        out.append(o)
    return shuffled(draw, out)


def override_from(o: dict[str, Any]) -> Override:
    return Override(o["date"], [tuple(p) for p in o["intervals"]], o.get("until"))


@st.composite
def _overrides(draw: st.DrawFn, dates: st.SearchStrategy[date] | None, hints: tuple[int, ...],
               min_size: int, max_size: int, max_days: int, max_intervals: int,
               seconds: bool) -> list[Override]:
    around = draw(dates) if dates is not None else draw_setting(
        draw, None, DEFAULT_YEARS, True, 1, False).day
    found = _draw_override_dicts(draw, around, hints, min_size, max_size, max_days,
                                 max_intervals, seconds)
    return [override_from(o) for o in found]


def overrides(*, dates: st.SearchStrategy[date] | None = None, min_size: int = 0,
              max_size: int = 3, max_days: int = 3, max_intervals: int = 2,
              near: Sequence[time] = (),
              seconds: bool = False) -> st.SearchStrategy[list[Override]]:
    """Return a strategy for a list of overrides that never cover one date twice.

    The overrides cover disjoint runs of one to ``max_days`` dates (``until`` given when the
    run is longer than a day, and sometimes when it is not) near a date drawn from ``dates``
    (default: like :func:`local_dates`, so mostly DST nights), in any order. About one in four
    is closed (``[]``); the others hold up to ``max_intervals`` pairs like
    :func:`wall_intervals`.
    """
    check_sizes("min_size", min_size, "max_size", max_size)
    check_int("max_days", max_days, 1, 3660)
    check_int("max_intervals", max_intervals, 0)
    return _overrides(dates, time_hints(near), min_size, max_size, max_days, max_intervals,
                      seconds)


# ---------------------------------------------------------------------------------------------
# Travel


def _draw_destination(draw: st.DrawFn, home: str, zones: tuple[str, ...] | None) -> str:
    far = DATE_LINE_TRIPS.get(home)
    if far is not None and (zones is None or far in zones) and coin(draw):
        return far
    return pick(draw, zones or WEIGHTED_ZONES)


def draw_travel_dicts(draw: st.DrawFn, home: str, around: date, zones: tuple[str, ...] | None,
                      min_size: int, max_size: int, max_days: int) -> list[dict[str, Any]]:
    """Travel entries as JSON dicts over disjoint date runs near ``around``, in any order.

    The last run (by date) is open-ended (no ``until``) now and then.
    """
    n = draw_int(draw, min_size, max_size)
    cursor = around - timedelta(days=draw_int(draw, 0, 3))
    out: list[dict[str, Any]] = []
    for i in range(n):
        first = cursor + timedelta(days=draw_int(draw, 0, 2))
        last = first + timedelta(days=draw_int(draw, 1, max_days) - 1)
        cursor = last + timedelta(days=1)
        t: dict[str, Any] = {"from": first.isoformat()}
        if i < n - 1 or not rarely(draw, 4):
            t["until"] = last.isoformat()
        t["timezone"] = _draw_destination(draw, home, zones)
        out.append(t)
    return shuffled(draw, out)


def travel_from(t: dict[str, Any]) -> Travel:
    return Travel(t["from"], t.get("until"), timezone=t["timezone"])


@st.composite
def _travel(draw: st.DrawFn, home: str | None, zones: tuple[str, ...] | None,
            dates: st.SearchStrategy[date] | None, min_size: int, max_size: int,
            max_days: int) -> list[Travel]:
    setting = draw_setting(draw, None if home is None else (home,), DEFAULT_YEARS, True, 1,
                           False)
    around = draw(dates) if dates is not None else setting.day
    found = draw_travel_dicts(draw, setting.zone, around, zones, min_size, max_size, max_days)
    return [travel_from(t) for t in found]


def travel(*, home: str | None = None, zones: Sequence[str] | None = None,
           dates: st.SearchStrategy[date] | None = None, min_size: int = 0, max_size: int = 2,
           max_days: int = 7) -> st.SearchStrategy[list[Travel]]:
    """Return a strategy for a schedule's ``zones``: :class:`~slotcalc.Travel` entries over
    disjoint runs of one to ``max_days`` dates (the last sometimes open-ended), in any order.

    The runs start near a date from ``dates`` (default: a DST night of ``home``). The zone
    travelled to comes from ``zones`` / :func:`timezones`, and for a ``home`` on one side of
    the date line about half the time from the other side (America/Los_Angeles →
    Pacific/Auckland: the same wall date is a day apart).
    """
    chosen = check_zones(zones)
    fixed = check_zone(home, "home") if home is not None else None
    check_sizes("min_size", min_size, "max_size", max_size)
    check_int("max_days", max_days, 1, 3660)
    return _travel(fixed, chosen, dates, min_size, max_size, max_days)


# ---------------------------------------------------------------------------------------------
# Schedules


def schedule_from(s: dict[str, Any]) -> Schedule:
    weekly = {d: [tuple(p) for p in v] for d, v in s["weekly"].items()}
    return Schedule(s["timezone"], weekly, [override_from(o) for o in s.get("overrides", ())],
                    [travel_from(t) for t in s.get("zones", ())])


@lru_cache(maxsize=4096)
def _hints_near(zone: str, day: date, years: tuple[int, int]) -> tuple[int, ...]:
    lo, hi = day - timedelta(days=2), day + timedelta(days=2)
    # the whole span of years (one cached table per zone), widened only for a day outside it
    found = transition_list(zone, (min(years[0], lo.year), max(years[1], hi.year)))
    return _hint_seconds([t for t in found if lo <= t.local_date <= hi])


def draw_home(draw: st.DrawFn, zones: tuple[str, ...] | None, years: tuple[int, int],
              within_days: int, max_travel: int) -> Setting:
    """A schedule's zone and date (mostly a DST night); now and then, when no zones are given
    and travel is drawn, America/Los_Angeles on one of its nights (to travel to Auckland)."""
    if zones is None and max_travel and rarely(draw, 8):
        zones = ("America/Los_Angeles",)
    return draw_setting(draw, zones, years, True, within_days, False)


def draw_schedule_dict(draw: st.DrawFn, zone: str, day: date, years: tuple[int, int],
                       max_intervals: int, max_overrides: int, seconds: bool,
                       max_travel: int = 0, zones: tuple[str, ...] | None = None
                       ) -> dict[str, Any]:
    """A schedule as a JSON dict whose bounds cluster around the DST nights near ``day`` (of
    its zone and of the zones it travels to, when it does)."""
    trips = (draw_travel_dicts(draw, zone, day, zones, 1, max_travel, 7)
             if max_travel and coin(draw) else [])
    hints = tuple(sorted(set(_hints_near(zone, day, years)).union(
        *(_hints_near(t["timezone"], day, years) for t in trips))))
    weekly = _draw_weekly(draw, hints, max_intervals, True, seconds)
    for shift in (0, 1, -1):  # mostly open on the night itself and the days either side
        d = day + timedelta(days=shift)
        name = WEEKDAYS[d.weekday()]
        if max_intervals and not weekly.get(name) and draw_int(draw, 0, 3):
            weekly[name] = draw_day(draw, hints, 1, max_intervals, seconds)
    out: dict[str, Any] = {"timezone": zone,
                           "weekly": {d: [list(p) for p in pairs(v)] for d, v in weekly.items()}}
    ovs = _draw_override_dicts(draw, day, hints, 0, max_overrides, 3, max_intervals, seconds)
    if ovs or coin(draw):
        out["overrides"] = ovs
    if trips:
        out["zones"] = trips
    return out


@st.composite
def _schedules(draw: st.DrawFn, zones: tuple[str, ...] | None, years: tuple[int, int],
               max_intervals: int, max_overrides: int, max_travel: int,
               seconds: bool) -> Schedule:
    setting = draw_home(draw, zones, years, 1, max_travel)
    return schedule_from(draw_schedule_dict(draw, setting.zone, setting.day, years,
                                            max_intervals, max_overrides, seconds, max_travel,
                                            zones))


def schedules(*, zones: Sequence[str] | None = None, years: tuple[int, int] = DEFAULT_YEARS,
              max_intervals: int = 3, max_overrides: int = 3, max_travel: int = 2,
              seconds: bool = False) -> st.SearchStrategy[Schedule]:
    """Return a strategy for :class:`~slotcalc.Schedule` objects.

    The zone comes from ``zones`` / :func:`timezones`; weekly hours as :func:`weekly_hours`
    (mostly open on the DST night and the days either side), up to ``max_overrides``
    non-overlapping overrides (:func:`overrides`) and, in about half the schedules, one to
    ``max_travel`` travel entries (:func:`travel`; 0: none) near one of the zone's DST nights,
    with bounds clustered on the wall times of the nights of the home zone and the zones
    travelled to, so that windows start or end inside gaps and folds. Without ``zones``, now
    and then the home is America/Los_Angeles travelling to Pacific/Auckland across the date
    line. ``seconds=True`` also draws ``"HH:MM:SS"`` bounds.
    """
    chosen = check_zones(zones)
    span = check_years(years)
    check_int("max_intervals", max_intervals, 0)
    check_int("max_overrides", max_overrides, 0)
    check_int("max_travel", max_travel, 0, 50)
    return _schedules(chosen, span, max_intervals, max_overrides, max_travel, seconds)
