"""Test-only strategies and helpers around the public ``slotcalc.strategies``.

The inputs themselves come from ``slotcalc.strategies`` (dogfooding: schedules, event
policies, busy lists, seat bookings, queries, teams, scenarios, JSON requests); what lives here
is what only these tests need: the zone list the issue names, a team built around one scenario
so all hosts share the query's dates, a converter from JSON request documents to the typed
objects (independent of the project's JSON layer), check starts worth asking about, and the
example counter printed at the end of the run.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from hypothesis import settings
from hypothesis import strategies as st

from slotcalc import Busy, EventPolicy, Host, Override, Query, Schedule, Team
from slotcalc.strategies import (
    Scenario,
    busy_lists,
    scenarios,
    schedules,
    seat_bookings,
    teams,
)

#: The zones issue 2 names; dates are drawn around their transitions by the public strategies.
ZONES: tuple[str, ...] = (
    "America/New_York", "Europe/London", "Australia/Lord_Howe", "Pacific/Apia",
    "Pacific/Chatham", "America/Santiago", "Asia/Kolkata", "Africa/Casablanca",
    "Asia/Kathmandu", "America/St_Johns", "UTC",
)
#: Apia's skipped day, drawn on its own now and then (the public strategies reach it too).
APIA_YEARS = (2011, 2011)

#: Examples run per test name; printed by ``conftest.pytest_terminal_summary``.
EXAMPLE_COUNTS: Counter[str] = Counter()


def count(name: str) -> None:
    """Count one example of the test ``name``."""
    EXAMPLE_COUNTS[name] += 1


def examples(n: int) -> int:
    """Return ``n`` scaled by the loaded profile (``n`` under the default's 100 examples)."""
    current = settings.default
    return n if current is None else max(1, n * current.max_examples // 100)


# ---------------------------------------------------------------------------------------------
# Inputs


def scenario_strategy(zones: Sequence[str] | None = ZONES) -> st.SearchStrategy[Any]:
    """Scenarios around DST nights of ``zones`` (None: the public default list), with Apia's
    skipped day of December 2011 mixed in."""
    main = scenarios(zones=zones)
    if zones is None or "Pacific/Apia" in zones:
        main = st.one_of(main, scenarios(zones=["Pacific/Apia"], years=APIA_YEARS))
    return main


@st.composite
def booked_scenarios(draw: st.DrawFn, zones: Sequence[str] | None = ZONES) -> Scenario:
    """A scenario with seat bookings on its grid (from ``seat_bookings``), a ``max_per_day``
    half the time, and ``now`` a week before the range half the time: so that ``busy``,
    ``full`` and ``day_full`` answers are common rather than rare."""
    sc = draw(scenario_strategy(zones))
    ev = sc.event
    if draw(st.booleans()):
        ev = dataclasses.replace(ev, max_per_day=draw(st.integers(1, 3)))
    seats = draw(seat_bookings(capacity=ev.capacity, schedule=sc.schedule, query=sc.query,
                               min_size=1, max_size=4, step=ev.step))
    query = sc.query
    if draw(st.booleans()):
        start = query.start
        first = start if isinstance(start, datetime) else datetime.combine(
            start, datetime.min.time(), tzinfo=sc.schedule.zone)
        query = Query(query.start, query.end, timezone=query.timezone,
                      now=first - timedelta(days=7), exclude=query.exclude, limit=query.limit)
    return Scenario(sc.schedule, ev, sc.busy + tuple(seats), query, sc.transition)


class TeamCase(NamedTuple):
    hosts: tuple[Host, ...]
    event: EventPolicy
    query: Query
    team: Team


_NAMES = ("ana", "bo", "chen", "dev")


@st.composite
def team_cases(draw: st.DrawFn, zones: Sequence[str] = ZONES, max_hosts: int = 3) -> TeamCase:
    """A team of 1..max_hosts hosts whose busy time sits on the windows of one shared query.

    The first host is a scenario's schedule and busy time; the others get schedules of the
    same year (in any of ``zones``) with blocking busy time and seat bookings placed by the
    public strategies on their windows inside the query's range.
    """
    sc = draw(scenario_strategy(zones))
    n = draw(st.integers(1, max_hosts))
    year = sc.query.start.year
    ids = draw(st.one_of(
        st.permutations(_NAMES).map(lambda names: list(names[:n])),
        st.lists(st.text(min_size=1, max_size=4), min_size=n, max_size=n, unique=True)))
    members = [Host(ids[0], sc.schedule, sc.busy)]
    for i in range(1, n):
        sched = draw(schedules(zones=zones, years=(year, year)))
        busy = draw(busy_lists(schedule=sched, query=sc.query, max_size=3))
        if draw(st.booleans()):
            busy += draw(seat_bookings(capacity=sc.event.capacity, schedule=sched,
                                       query=sc.query, max_size=2))
        members.append(Host(ids[i], sched, busy))
    # the version-1 reference knows each host's own grid only (SPEC v2 §7 "grid": "host")
    drawn = draw(teams(max_min=n))
    team = Team(drawn.mode, drawn.min if drawn.mode == "any" else None, grid="host")
    return TeamCase(tuple(members), sc.event, sc.query, team)


# ---------------------------------------------------------------------------------------------
# JSON request documents -> typed objects (SPEC §2 field names), independent of slotcalc.jsonapi


def schedule_of(doc: dict[str, Any]) -> Schedule:
    """Return the Schedule of a JSON ``schedule`` object."""
    overrides = [Override(o["date"], o.get("intervals", []), o.get("until"))
                 for o in doc.get("overrides", [])]
    return Schedule(doc["timezone"], doc.get("weekly", {}), overrides)


def busy_of(items: list[dict[str, Any]]) -> list[Busy]:
    """Return the Busy entries of a JSON ``busy`` list."""
    return [Busy(b["start"], b["end"], seats=b.get("seats"), id=b.get("id")) for b in items]


def event_of(doc: dict[str, Any]) -> EventPolicy:
    """Return the EventPolicy of a JSON ``event`` object."""
    return EventPolicy(**doc)


def query_of(doc: dict[str, Any]) -> Query:
    """Return the Query of a JSON ``query`` object."""
    return Query(doc["start"], doc["end"], timezone=doc.get("timezone"), now=doc.get("now"),
                 exclude=doc.get("exclude", ()), limit=doc.get("limit"))


def hosts_of(items: list[dict[str, Any]]) -> list[Host]:
    """Return the Hosts of a JSON ``hosts`` list."""
    return [Host(h["id"], schedule_of(h["schedule"]), busy_of(h.get("busy", []))) for h in items]


def team_of(doc: dict[str, Any] | None) -> Team:
    """Return the Team of a JSON ``team`` object (default: all), on each host's own grid.

    The version-1 reference engine (tests/reference.py) knows only ``grid: "host"``; SPEC
    version 2's team grid is checked against tests/reference_v2.py.
    """
    return Team(**{"grid": "host", **(doc or {})})


# ---------------------------------------------------------------------------------------------
# Check starts


@st.composite
def check_starts(draw: st.DrawFn, candidates: dict[str | None, list[datetime]],
                 near: datetime) -> datetime:
    """A start worth checking: a grid point chosen by the reason a check would give (each
    reason that occurs is equally likely, so ``busy``, ``full`` and ``day_full`` are asked
    about as often as ``too_soon``), sometimes nudged off by a few minutes; or any whole
    minute within five days of ``near``."""
    kinds = sorted(candidates, key=str)
    if kinds and draw(st.integers(0, 4)) > 0:
        base = draw(st.sampled_from(candidates[draw(st.sampled_from(kinds))]))
        return base + timedelta(minutes=draw(st.sampled_from((0,) * 8 + (1, -1, 5, -30, 30))))
    return near + timedelta(minutes=draw(st.integers(-60, 5 * 1440)))
