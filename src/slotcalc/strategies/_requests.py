"""Whole inputs: typed scenarios (one host or a team) and JSON request documents."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any, NamedTuple

from hypothesis import strategies as st

from ..api import Request
from ..model import MAX_RANGE_DAYS, WEEKDAYS, Busy, EventPolicy, Host, Query, Schedule, Team
from ._busy import (
    BusyPlan,
    anchors_of,
    busy_dict,
    busy_from,
    draw_busy_plans,
    draw_seat_plans,
)
from ._common import (
    DEFAULT_YEARS,
    GRIDS,
    MINUTE,
    OUTPUTS,
    WEIGHTED_ZONES,
    check_choices,
    check_int,
    check_years,
    check_zones,
    coin,
    draw_int,
    pick,
    rarely,
)
from ._events import DEFAULT_EVENT, V1_EVENT, EventBounds, draw_event_dict, event_from
from ._hours import draw_home, draw_schedule_dict, fmt_wall, schedule_from
from ._queries import QueryPlan, draw_query_plan, query_dict, query_from
from ._teams import draw_host_ids, draw_ics, draw_team, team_dict
from ._zones import Setting, Transition, draw_month_end

_DAY_S = 86400


class Scenario(NamedTuple):
    """A schedule, an event policy, busy time and a query drawn around one DST transition.

    Ask it with :meth:`request` (``s.request().slots()``), or pass it on as
    ``find_slots(s.schedule, s.event, s.query, s.busy)``. ``transition`` is the night the
    scenario is built around (None when the zone has none in the years asked).
    """

    schedule: Schedule
    event: EventPolicy
    busy: tuple[Busy, ...]
    query: Query
    transition: Transition | None

    def request(self) -> Request:
        """Return the :class:`~slotcalc.api.Request` of this scenario."""
        return Request(self.schedule, self.event, self.query, busy=self.busy)


class TeamScenario(NamedTuple):
    """Hosts, an event policy, a team rule and a query drawn around one DST transition.

    Ask it with :meth:`request`, or pass it on as
    ``find_team_slots(s.hosts, s.event, s.query, s.team)``. Host ids are unique, ``team.min``
    never exceeds the number of hosts and a requirement tree names each host once.
    ``transition`` is the night of the first host's zone the scenario is built around (None
    when it has none).
    """

    hosts: tuple[Host, ...]
    event: EventPolicy
    team: Team
    query: Query
    transition: Transition | None

    def request(self) -> Request:
        """Return the :class:`~slotcalc.api.Request` of this team scenario."""
        return Request(self.hosts, self.event, self.query, team=self.team)


class _Options(NamedTuple):
    """What a whole input may hold (the options of :func:`scenarios` and its siblings)."""

    zones: tuple[str, ...] | None
    years: tuple[int, int]
    max_days: int
    max_busy: int
    max_intervals: int
    max_overrides: int
    max_travel: int
    max_buffer: int
    bounds: EventBounds
    outputs: tuple[str, ...]
    ranged: bool | None
    grids: tuple[str, ...]
    max_depth: int
    max_calendars: int
    version: int


def _options(*, zones: Sequence[str] | None, years: tuple[int, int], max_days: int,
             max_busy: int, max_intervals: int, max_overrides: int, max_travel: int,
             max_buffer: int, version: int, outputs: Sequence[str], ranged: bool | None,
             grids: Sequence[str] = GRIDS, max_depth: int = 3, max_calendars: int = 0
             ) -> _Options:
    chosen = check_zones(zones)
    span = check_years(years)
    check_int("max_days", max_days, 1, MAX_RANGE_DAYS - 1)
    check_int("max_busy", max_busy, 0)
    check_int("max_intervals", max_intervals, 0)
    check_int("max_overrides", max_overrides, 0)
    check_int("max_travel", max_travel, 0, 50)
    check_int("max_buffer", max_buffer, 0, 1440)
    check_int("version", version, 1, 2)
    kinds = check_choices("outputs", outputs, OUTPUTS)
    if ranged not in (True, False, None):
        from hypothesis.errors import InvalidArgument

        raise InvalidArgument(f"ranged={ranged!r} must be True, False or None")
    grid_kinds = check_choices("grids", grids, GRIDS)
    check_int("max_depth", max_depth, 0, 10)
    check_int("max_calendars", max_calendars, 0, 100)
    if version == 1:  # only what SPEC version 1 had
        return _Options(chosen, span, max_days, max_busy, max_intervals, max_overrides, 0, 0,
                        V1_EVENT, ("slots",), True, ("team",), 0, max_calendars, 1)
    return _Options(chosen, span, max_days, max_busy, max_intervals, max_overrides, max_travel,
                    max_buffer, DEFAULT_EVENT, kinds, ranged, grid_kinds, max_depth,
                    max_calendars, 2)


def _draw_scene(draw: st.DrawFn, o: _Options, explicit: bool,
                event: st.SearchStrategy[EventPolicy] | None
                ) -> tuple[Setting, dict[str, Any] | None, EventPolicy, int]:
    """The zone and night, the event (dict and object) and the date the query starts near.

    The traps of SPEC version 2: limits sometimes around a month that ends on a Sunday (a DST
    night in Europe); a repeat's query placed so that a later occurrence lands on the DST night
    (in its gap when the night has one)."""
    setting = draw_home(draw, o.zones, o.years, 0, o.max_travel)
    month_end = bool(o.bounds.max_limit) and rarely(draw, 5)
    if month_end:
        setting = draw_month_end(draw, setting, o.years)
    doc: dict[str, Any] | None = None
    if event is not None:
        policy = draw(event)
    else:
        doc = draw_event_dict(draw, o.bounds, explicit, setting.day)
        if month_end and "booking_limits" not in doc:
            doc["booking_limits"] = {pick(draw, ("week", "month")): draw_int(draw, 1, 3)}
        policy = event_from(doc)
    shift = 0
    if policy.repeat is not None and setting.transition is not None and coin(draw):
        shift = draw_int(draw, 1, policy.repeat.count - 1) * policy.repeat.interval_days
    return setting, doc, policy, shift


def _shifts(policy: EventPolicy) -> tuple[int, ...]:
    """Seconds past the range where busy time matters too: a repeat's later occurrences, the
    rest of a week or month for limits."""
    if policy.repeat is not None:
        step = policy.repeat.interval_days * _DAY_S
        return tuple(i * step for i in range(1, policy.repeat.count))
    if policy.booking_limits.items() or policy.duration_limits.items() or policy.max_per_day:
        return tuple(d * _DAY_S for d in (1, 2, 3, 6, -1, -2, 10, -10))
    return ()


def _draw_exclude(draw: st.DrawFn, plan: QueryPlan, busy: Sequence[BusyPlan]) -> QueryPlan:
    """Sometimes let the query leave out some of the busy entries that have ids."""
    ids = [p.id for p in busy if p.id is not None]
    if not ids or not coin(draw):
        return plan
    picked = dict.fromkeys(pick(draw, ids) for _ in range(draw_int(draw, 1, 3)))
    return plan._replace(exclude=tuple(picked))


def _draw_host_plans(draw: st.DrawFn, o: _Options, zone: str, setting: Setting, n: int,
                     plan: QueryPlan, capacity: int, grid: int, shifts: tuple[int, ...],
                     variety: bool, shift: int = 0
                     ) -> list[tuple[dict[str, Any], Schedule, list[BusyPlan]]]:
    """``n`` hosts' schedules (first in ``zone``) and busy time, around the night and ``plan``.

    ``variety`` (for JSON requests) adds wall times with seconds and lowercase ``z``. ``shift``
    (days): the query starts that long before the night, for a repeat to land on it; the hosts
    in ``zone`` then work, on that date, from a wall time inside the night's gap or fold.
    """
    out: list[tuple[dict[str, Any], Schedule, list[BusyPlan]]] = []
    for i in range(n):
        how = draw_int(draw, 0, 2) if i else 1
        if how == 0:  # a colleague with the first host's hours (only the busy time differs)
            z, sched = zone, out[0][0]
        else:  # hours of their own, in the first host's zone or another
            z = zone if how == 1 else pick(draw, o.zones or WEIGHTED_ZONES)
            sched = draw_schedule_dict(draw, z, setting.day, o.years, o.max_intervals,
                                       o.max_overrides, variety, o.max_travel, o.zones)
        tr = setting.transition
        if shift and tr is not None and z == zone and how:
            sched = _open_at(draw, sched, setting.day - timedelta(days=shift), tr)
        schedule = schedule_from(sched)
        anchors = anchors_of(schedule, plan.lo, plan.hi)
        busy = draw_busy_plans(draw, anchors, z, 0, o.max_busy, f"b{i}_" if n > 1 else "b",
                               variety, grid, o.max_buffer, shifts)
        if o.max_busy and coin(draw):
            busy += draw_seat_plans(draw, anchors, z, capacity, 0, o.max_busy,
                                    f"s{i}_" if n > 1 else "s", variety, grid, o.max_buffer,
                                    shifts)
        out.append((sched, schedule, busy))
    return out


def _open_at(draw: st.DrawFn, sched: dict[str, Any], day: date, tr: Transition
             ) -> dict[str, Any]:
    """``sched`` with hours on ``day``'s weekday that start inside ``tr``'s gap or fold (the
    wall times a later repeat occurrence on the night of ``tr`` cannot have, or has twice)."""
    lo, hi = sorted((tr.wall_before, tr.wall_after))
    width = int((hi - lo).total_seconds()) // 60
    start = lo + timedelta(minutes=draw_int(draw, 0, max(0, width - 1)) // 15 * 15)
    if start.date() != tr.local_date:  # a gap or fold that spans midnight: left alone
        return sched
    a = start.hour * 3600 + start.minute * 60
    b = min(86400, a + pick(draw, (2, 1, 4, 8)) * 3600)
    weekly = {k: list(v) for k, v in sched["weekly"].items()}
    name = WEEKDAYS[day.weekday()]
    weekly[name] = [*weekly.get(name, []), [fmt_wall(a), fmt_wall(b)]]
    return {**sched, "weekly": weekly}


@st.composite
def _scenario(draw: st.DrawFn, o: _Options,
              event: st.SearchStrategy[EventPolicy] | None) -> Scenario:
    setting, _, policy, shift = _draw_scene(draw, o, False, event)
    zone = setting.zone
    plan = draw_query_plan(draw, zone, setting.day - timedelta(days=shift), o.max_days, None,
                           o.zones, (), False, True, o.outputs, o.ranged)
    [(_, schedule, busy)] = _draw_host_plans(draw, o, zone, setting, 1, plan, policy.capacity,
                                             policy.step * MINUTE, _shifts(policy), False,
                                             shift)
    plan = _draw_exclude(draw, plan, busy)
    return Scenario(schedule, policy, tuple(busy_from(p) for p in busy), query_from(plan),
                    setting.transition)


def scenarios(*, zones: Sequence[str] | None = None, years: tuple[int, int] = DEFAULT_YEARS,
              max_days: int = 3, max_busy: int = 4, max_intervals: int = 3,
              max_overrides: int = 2, max_travel: int = 2, max_buffer: int = 30,
              outputs: Sequence[str] = OUTPUTS, ranged: bool | None = True, version: int = 2,
              event: st.SearchStrategy[EventPolicy] | None = None) -> st.SearchStrategy[Scenario]:
    """Return a strategy for :class:`Scenario` bundles built around one DST night.

    The zone comes from ``zones`` / :func:`timezones`; when it changes offset in ``years`` the
    scenario centres on one such night (an unusual one about half the time): the schedule's
    bounds, overrides and travel (up to ``max_travel``) cluster on the night's wall times, the
    query range (up to ``max_days`` days, dates or instants, any viewer zone, explicit
    ``now``, ``output`` from ``outputs``; ``ranged=None`` sometimes leaves the range out, for
    ``check`` only) covers it, and up to ``max_busy`` blocking entries and seat bookings (own
    buffers up to ``max_buffer``) sit on the windows' edges and the event's grid, and on the
    later dates that limits and repeats look at. The traps of SPEC version 2 come with it: a
    week or month with limits that holds the DST change or ends on a Sunday, a repeat whose
    later occurrence lands on the DST night (in its gap when clocks go forward), travel from
    America/Los_Angeles to Pacific/Auckland. ``event`` replaces :func:`event_policies`;
    ``version=1`` draws only what SPEC version 1 had.
    """
    o = _options(zones=zones, years=years, max_days=max_days, max_busy=max_busy,
                 max_intervals=max_intervals, max_overrides=max_overrides,
                 max_travel=max_travel, max_buffer=max_buffer, version=version, outputs=outputs,
                 ranged=ranged)
    return _scenario(o, event)


@st.composite
def _team_scenario(draw: st.DrawFn, o: _Options, max_hosts: int,
                   event: st.SearchStrategy[EventPolicy] | None) -> TeamScenario:
    setting, _, policy, shift = _draw_scene(draw, o, False, event)
    n = draw_int(draw, 1, max_hosts)
    plan = draw_query_plan(draw, setting.zone, setting.day - timedelta(days=shift), o.max_days,
                           None, o.zones, (), False, True, o.outputs, o.ranged)
    found = _draw_host_plans(draw, o, setting.zone, setting, n, plan, policy.capacity,
                             policy.step * MINUTE, _shifts(policy), False, shift)
    names = draw_host_ids(draw, n)
    plan = _draw_exclude(draw, plan, [p for _, _, busy in found for p in busy])
    people = tuple(Host(names[i], schedule, [busy_from(p) for p in busy])
                   for i, (_, schedule, busy) in enumerate(found))
    team = draw_team(draw, names, n, o.grids, o.max_depth)
    return TeamScenario(people, policy, team, query_from(plan), setting.transition)


def team_scenarios(*, zones: Sequence[str] | None = None, years: tuple[int, int] = DEFAULT_YEARS,
                   max_hosts: int = 3, max_days: int = 3, max_busy: int = 3,
                   max_intervals: int = 3, max_overrides: int = 2, max_travel: int = 2,
                   max_buffer: int = 30, outputs: Sequence[str] = OUTPUTS,
                   ranged: bool | None = True, grids: Sequence[str] = GRIDS,
                   max_depth: int = 3, version: int = 2,
                   event: st.SearchStrategy[EventPolicy] | None = None
                   ) -> st.SearchStrategy[TeamScenario]:
    """Return a strategy for :class:`TeamScenario` bundles: 1 to ``max_hosts`` hosts.

    Like :func:`scenarios` for teams: the first host's zone and one of its DST nights set the
    scene; other hosts share the first host's hours, or have their own in that zone or
    another; each host's busy time and seat bookings sit on its own windows; the team is
    ``all``, ``any`` with a ``min`` of at most the number of hosts, or a requirement tree over
    the hosts up to ``max_depth`` deep (:func:`requirement_trees`), with a ``grid`` from
    ``grids``. ``version=1``: only ``mode`` teams and SPEC version 1 fields.
    """
    check_int("max_hosts", max_hosts, 1, 50)
    o = _options(zones=zones, years=years, max_days=max_days, max_busy=max_busy,
                 max_intervals=max_intervals, max_overrides=max_overrides,
                 max_travel=max_travel, max_buffer=max_buffer, version=version, outputs=outputs,
                 ranged=ranged, grids=grids, max_depth=max_depth)
    return _team_scenario(o, max_hosts, event)


# ---------------------------------------------------------------------------------------------
# JSON requests


@st.composite
def _request(draw: st.DrawFn, o: _Options, team: bool | None, max_hosts: int) -> dict[str, Any]:
    setting, doc, policy, shift = _draw_scene(draw, o, True, None)
    assert doc is not None
    zone = setting.zone
    is_team = coin(draw) if team is None else team
    n = draw_int(draw, 1, max_hosts) if is_team else 1
    plan = draw_query_plan(draw, zone, setting.day - timedelta(days=shift), o.max_days, None,
                           o.zones, (), True, True, o.outputs, o.ranged)
    found = _draw_host_plans(draw, o, zone, setting, n, plan, policy.capacity,
                             policy.step * MINUTE, _shifts(policy), True, shift)
    plan = _draw_exclude(draw, plan, [p for _, _, busy in found for p in busy])
    names = draw_host_ids(draw, n) if is_team else []
    people: list[dict[str, Any]] = []
    for i, (sched, _, busy) in enumerate(found):
        entry: dict[str, Any] = {"id": names[i]} if is_team else {}
        entry["schedule"] = sched
        if busy or coin(draw):
            entry["busy"] = [busy_dict(p) for p in busy]
        cals = draw_int(draw, 0, o.max_calendars)
        if cals:
            entry["calendars"] = [{"ics": draw_ics(draw, sched["timezone"], setting.day, 3)}
                                  for _ in range(cals)]
        people.append(entry)
    request: dict[str, Any]
    if is_team:
        rule = draw_team(draw, names, n, o.grids, o.max_depth)
        request = {"hosts": people}
        if rule.require is not None or rule.mode != "all" or rule.grid != "team" or coin(draw):
            request["team"] = team_dict(draw, rule, o.version == 2)
    else:
        request = dict(people[0])
    request["event"] = doc
    request["query"] = query_dict(plan, draw, o.version == 2)
    return request


def requests(*, zones: Sequence[str] | None = None, years: tuple[int, int] = DEFAULT_YEARS,
             team: bool | None = None, max_hosts: int = 3, max_days: int = 3, max_busy: int = 3,
             max_intervals: int = 3, max_overrides: int = 2, max_travel: int = 2,
             max_buffer: int = 30, outputs: Sequence[str] = OUTPUTS,
             ranged: bool | None = True, grids: Sequence[str] = GRIDS, max_depth: int = 3,
             max_calendars: int = 0, version: int = 2) -> st.SearchStrategy[dict[str, Any]]:
    """Return a strategy for whole JSON requests (SPEC §2), valid by construction.

    Each is a ``dict`` ready for ``json.dumps`` or :func:`slotcalc.answer_request`: a
    ``schedule``, ``event``, ``query`` and ``busy`` (``team=False``), or ``hosts`` (1 to
    ``max_hosts``, unique ids, each with its own zone, schedule and busy time) and ``team``
    (``team=True``: ``mode``, or a ``require`` tree, and a ``grid``), or either (``None``, the
    default). Everything is built around one DST night of the first zone as in
    :func:`scenarios`, with every field of SPEC version 2 (``version=1``: only those of
    version 1): travel ``zones``, busy entries' own buffers, limits, horizons, ``repeat``,
    ``output`` from ``outputs``. ``ranged=False`` leaves the query's range out (a document
    for ``check_request`` only; ``None``: sometimes). With ``max_calendars`` each host may
    name inline iCalendar text (``{"ics": …}``, never a path or URL; reading it needs
    ``slotcalc[ical]``). Optional fields are sometimes left out and sometimes spelled out with
    their defaults; instants use ``Z``, ``z``, zone offsets or odd fixed offsets, some with
    fractions of a second; wall times sometimes have seconds.
    """
    check_int("max_hosts", max_hosts, 1, 50)
    o = _options(zones=zones, years=years, max_days=max_days, max_busy=max_busy,
                 max_intervals=max_intervals, max_overrides=max_overrides,
                 max_travel=max_travel, max_buffer=max_buffer, version=version, outputs=outputs,
                 ranged=ranged, grids=grids, max_depth=max_depth, max_calendars=max_calendars)
    return _request(o, team, max_hosts)


def team_requests(*, zones: Sequence[str] | None = None, years: tuple[int, int] = DEFAULT_YEARS,
                  max_hosts: int = 3, max_days: int = 3, max_busy: int = 3,
                  max_intervals: int = 3, max_overrides: int = 2, max_travel: int = 2,
                  max_buffer: int = 30, outputs: Sequence[str] = OUTPUTS,
                  ranged: bool | None = True, grids: Sequence[str] = GRIDS, max_depth: int = 3,
                  max_calendars: int = 0, version: int = 2) -> st.SearchStrategy[dict[str, Any]]:
    """Return a strategy for JSON team requests: :func:`requests` with ``team=True``.

    ``team`` is ``{"mode": "all"}``, ``{"mode": "any"}`` (sometimes with a ``min`` from 1 to
    the number of hosts), or ``{"require": …}`` with a tree of ``all`` / ``any`` nodes, and
    sometimes a ``grid``; left out now and then when it is the default.
    """
    return requests(zones=zones, years=years, team=True, max_hosts=max_hosts, max_days=max_days,
                    max_busy=max_busy, max_intervals=max_intervals, max_overrides=max_overrides,
                    max_travel=max_travel, max_buffer=max_buffer, outputs=outputs,
                    ranged=ranged, grids=grids, max_depth=max_depth,
                    max_calendars=max_calendars, version=version)
