"""Teams: hosts, requirement trees (``All`` / ``AnyOf`` with ``min``), team rules, calendars."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from .._tz import DAY
from ..model import All, AnyOf, Calendar, Host, Node, Team
from ._busy import anchors_of, busy_from, draw_busy_plans
from ._common import (
    DEFAULT_YEARS,
    GRIDS,
    MINUTE,
    NAMES,
    check_choices,
    check_ids,
    check_int,
    check_years,
    check_zones,
    coin,
    draw_int,
    local_midnight,
    pick,
    rarely,
    shuffled,
)
from ._hours import draw_home, draw_schedule_dict, schedule_from
from ._zones import draw_setting

# ---------------------------------------------------------------------------------------------
# Requirement trees


def draw_node(draw: st.DrawFn, ids: Sequence[str], depth: int, root: str | None = None) -> Node:
    """A tree over ``ids`` (each exactly once, in the order given) at most ``depth`` levels of
    nodes deep; ``root`` ``"all"`` / ``"any"`` forces a node of that kind at the top."""
    if len(ids) == 1 and root is None and (depth <= 0 or draw_int(draw, 0, 3)):
        return ids[0]
    groups: list[Sequence[str]] = []
    if depth <= 1:
        groups = [[i] for i in ids]
    else:
        i = 0
        while i < len(ids):
            k = draw_int(draw, 1, len(ids) - i)
            groups.append(ids[i:i + k])
            i += k
    kids = [g[0] if len(g) == 1 and (depth <= 1 or draw_int(draw, 0, 2))
            else draw_node(draw, g, depth - 1) for g in groups]
    kind = root or ("all" if coin(draw) else "any")
    if kind == "all":
        return All(kids)
    how = draw_int(draw, 0, 3)
    least = 1 if how <= 1 else len(kids) if how == 2 else draw_int(draw, 1, len(kids))
    return AnyOf(kids, min=least)


def node_dict(node: Node, draw: st.DrawFn) -> Any:
    """The JSON form of a tree node (``min`` 1 sometimes spelled out)."""
    if isinstance(node, str):
        return node
    kids = [node_dict(k, draw) for k in node.children]
    if isinstance(node, All):
        return {"all": kids}
    out: dict[str, Any] = {"any": kids}
    if node.min != 1 or coin(draw):
        out["min"] = node.min
    return out


@st.composite
def _trees(draw: st.DrawFn, ids: tuple[str, ...] | None, max_depth: int,
           root: str | None) -> Node:
    names = list(ids) if ids is not None else shuffled(draw, NAMES)[:draw_int(draw, 1, 4)]
    return draw_node(draw, shuffled(draw, names), max_depth, root)


def requirement_trees(*, ids: Sequence[str] | None = None,
                      max_depth: int = 3) -> st.SearchStrategy[Node]:
    """Return a strategy for requirement trees (SPEC §7): a host id, :class:`~slotcalc.All`
    or :class:`~slotcalc.AnyOf` nodes (``min`` 1, all the children, or between), nested up to
    ``max_depth`` levels, naming each of ``ids`` exactly once in any order (default: one to
    four of ``"ana"``, ``"bo"``, …). Fit for ``Team(require=…)`` over hosts with those ids.
    """
    chosen = check_ids("ids", ids) if ids is not None else None
    check_int("max_depth", max_depth, 1, 10)
    return _trees(chosen, max_depth, None)


def draw_team(draw: st.DrawFn, ids: Sequence[str] | None, max_min: int,
              grids: tuple[str, ...], max_depth: int) -> Team:
    """``all``, ``any`` (with a ``min`` half the time) or, given ``ids``, a tree over them."""
    grid = pick(draw, grids)
    how = draw_int(draw, 0, 5 if ids is not None and max_depth else 3)
    top = max_min if ids is None else min(max_min, len(ids))
    if how == 0:
        return Team("all", grid=grid)  # type: ignore[arg-type]
    if how == 1:
        return Team("any", grid=grid)  # type: ignore[arg-type]
    if how <= 3 or ids is None:
        return Team("any", draw_int(draw, 1, top), grid=grid)  # type: ignore[arg-type]
    tree = draw_node(draw, shuffled(draw, ids), max_depth)
    return Team(require=tree, grid=grid)  # type: ignore[arg-type]


def team_dict(draw: st.DrawFn, team: Team, v2: bool = True) -> dict[str, Any]:
    """The JSON form of ``team``; ``v2=False`` never spells out the default ``grid``."""
    out: dict[str, Any] = {}
    if team.require is not None:
        out["require"] = node_dict(team.require, draw)
    else:
        out["mode"] = team.mode
        if team.mode == "any" and (team.min > 1 or coin(draw)):
            out["min"] = team.min
    if team.grid != "team" or (v2 and coin(draw)):
        out["grid"] = team.grid
    return out


@st.composite
def _teams(draw: st.DrawFn, ids: tuple[str, ...] | None, max_min: int,
           grids: tuple[str, ...], max_depth: int) -> Team:
    return draw_team(draw, ids, max_min, grids, max_depth)


def teams(*, ids: Sequence[str] | None = None, max_min: int = 3,
          grids: Sequence[str] = GRIDS, max_depth: int = 3) -> st.SearchStrategy[Team]:
    """Return a strategy for :class:`~slotcalc.Team`: ``mode`` ``"all"``, or ``"any"`` with
    ``min`` None or 1..``max_min``; given the hosts' ``ids``, also (a third of the time) a
    requirement tree over them (:func:`requirement_trees`, up to ``max_depth`` deep); the
    ``grid`` drawn from ``grids`` (``"team"`` first, then ``"host"``).

    slotcalc refuses a ``min`` above the number of hosts: pass ``ids`` (``min`` then stays
    within them) or ``max_min=len(hosts)``, or use :func:`team_scenarios`, which does.
    """
    chosen = check_ids("ids", ids) if ids is not None else None
    check_int("max_min", max_min, 1)
    kinds = check_choices("grids", grids, GRIDS)
    check_int("max_depth", max_depth, 0, 10)
    return _teams(chosen, max_min, kinds, max_depth)


def draw_host_ids(draw: st.DrawFn, n: int) -> list[str]:
    """``n`` distinct, non-empty host ids: mostly names, sometimes any Unicode text."""
    if n <= len(NAMES) and draw_int(draw, 0, 3) < 3:
        return shuffled(draw, NAMES)[:n]
    out: list[str] = []
    while len(out) < n:
        ident: str = draw(st.text(_ID_CHARS, min_size=1, max_size=6))
        if ident not in out:
            out.append(ident)
    return out


_ID_CHARS = st.characters(exclude_categories=["Cs"])

# ---------------------------------------------------------------------------------------------
# Calendars (inline iCalendar text)


def _ical_stamp(t: datetime) -> str:
    return t.strftime("%Y%m%dT%H%M%S")


def draw_ics(draw: st.DrawFn, zone: str, day: date, max_events: int) -> str:
    """An iCalendar text with up to ``max_events`` VEVENTs around local ``day`` in ``zone``:
    times in UTC, with the zone's TZID (some in a DST gap or fold), floating, or all-day;
    some recurring (daily or weekly ``COUNT``), transparent, cancelled or tentative."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//slotcalc//strategies//EN"]
    base = local_midnight(zone, day)
    for i in range(draw_int(draw, 0, max_events)):
        start = base + draw_int(draw, -24, 48) * 30 * MINUTE
        length = pick(draw, (60, 30, 120, 15, 240, 45)) * MINUTE
        how = draw_int(draw, 0, 3)
        lines += ["BEGIN:VEVENT", f"UID:e{i}@strategies.slotcalc", "DTSTAMP:20000101T000000Z"]
        if how == 0:
            lines += [f"DTSTART:{_utc(start)}", f"DTEND:{_utc(start + length)}"]
        elif how == 1:  # wall times in the zone, read by SPEC §1 (gaps, folds)
            wall = datetime.combine(day, datetime.min.time()) + timedelta(
                minutes=draw_int(draw, -24, 48) * 30)
            lines += [f"DTSTART;TZID={zone}:{_ical_stamp(wall)}",
                      f"DTEND;TZID={zone}:{_ical_stamp(wall + timedelta(seconds=length))}"]
        elif how == 2:  # floating: read in the schedule's zone
            wall = datetime.combine(day, datetime.min.time()) + timedelta(
                minutes=draw_int(draw, 0, 47) * 30)
            lines += [f"DTSTART:{_ical_stamp(wall)}",
                      f"DTEND:{_ical_stamp(wall + timedelta(seconds=length))}"]
        else:  # all day
            first = day + timedelta(days=draw_int(draw, -1, 1))
            lines += [f"DTSTART;VALUE=DATE:{first:%Y%m%d}",
                      f"DTEND;VALUE=DATE:{first + timedelta(days=1):%Y%m%d}"]
        if rarely(draw, 3):
            lines.append(f"RRULE:FREQ={pick(draw, ('WEEKLY', 'DAILY'))};"
                         f"COUNT={draw_int(draw, 2, 5)}")
        if rarely(draw, 6):
            lines.append(pick(draw, ("TRANSP:TRANSPARENT", "STATUS:CANCELLED",
                                     "STATUS:TENTATIVE")))
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"


def _utc(t: int) -> str:
    return (datetime(1970, 1, 1) + timedelta(seconds=t)).strftime("%Y%m%dT%H%M%SZ")


@st.composite
def _calendars(draw: st.DrawFn, zones: tuple[str, ...] | None, years: tuple[int, int],
               max_events: int) -> Calendar:
    zone, day, _ = draw_setting(draw, zones, years, True, 1, False)
    return Calendar(ics=draw_ics(draw, zone, day, max_events))


def calendars(*, zones: Sequence[str] | None = None, years: tuple[int, int] = DEFAULT_YEARS,
              max_events: int = 3) -> st.SearchStrategy[Calendar]:
    """Return a strategy for :class:`~slotcalc.Calendar` objects with inline iCalendar text
    (never a ``path`` or ``url``): up to ``max_events`` events around a DST night of a zone
    from ``zones`` / :func:`timezones`, in UTC, with that zone's TZID (wall times in gaps and
    folds included), floating or all-day, some recurring, transparent, cancelled or tentative.
    Reading them needs ``slotcalc[ical]``.
    """
    chosen = check_zones(zones)
    span = check_years(years)
    check_int("max_events", max_events, 0, 50)
    return _calendars(chosen, span, max_events)


# ---------------------------------------------------------------------------------------------
# Hosts


@st.composite
def _host(draw: st.DrawFn, zones: tuple[str, ...] | None, years: tuple[int, int],
          max_busy: int, ident: str | None, max_travel: int, max_buffer: int,
          max_calendars: int) -> Host:
    zone, day, _ = draw_home(draw, zones, years, 1, max_travel)
    schedule = schedule_from(draw_schedule_dict(draw, zone, day, years, 3, 2, False,
                                                max_travel, zones))
    lo = local_midnight(zone, day)
    busy = draw_busy_plans(draw, anchors_of(schedule, lo, lo + DAY), zone, 0, max_busy, "b",
                           False, 0, max_buffer)
    name = ident if ident is not None else draw_host_ids(draw, 1)[0]
    cals = [Calendar(ics=draw_ics(draw, zone, day, 3))
            for _ in range(draw_int(draw, 0, max_calendars))]
    return Host(name, schedule, [busy_from(p) for p in busy], cals)


def hosts(*, zones: Sequence[str] | None = None, years: tuple[int, int] = DEFAULT_YEARS,
          max_busy: int = 3, id: str | None = None, max_travel: int = 2, max_buffer: int = 30,
          max_calendars: int = 0) -> st.SearchStrategy[Host]:
    """Return a strategy for :class:`~slotcalc.Host`: an id (``id`` or a drawn non-empty name),
    a schedule like :func:`schedules` (travel up to ``max_travel``), up to ``max_busy``
    blocking entries on the schedule's windows around the DST night it was built for (own
    buffers up to ``max_buffer``), and up to ``max_calendars`` inline calendars
    (:func:`calendars`; default none).

    slotcalc refuses two hosts with one id in a team: draw lists with
    ``st.lists(hosts(), unique_by=lambda h: h.id)``, or use :func:`team_scenarios`.
    """
    chosen = check_zones(zones)
    span = check_years(years)
    check_int("max_busy", max_busy, 0)
    if id is not None and (not isinstance(id, str) or not id):
        raise InvalidArgument(f"id={id!r} must be a non-empty string")
    check_int("max_travel", max_travel, 0, 50)
    check_int("max_buffer", max_buffer, 0, 1440)
    check_int("max_calendars", max_calendars, 0, 100)
    return _host(chosen, span, max_busy, id, max_travel, max_buffer, max_calendars)

