"""Hypothesis strategies that generate valid, DST-hard slotcalc inputs.

For services that test their own booking flows with `Hypothesis <https://hypothesis.works>`_
(install ``slotcalc[hypothesis]``). Every strategy here generates inputs that slotcalc accepts
(valid by construction), and leans toward the cases a hand-written test forgets: zones with
30-minute DST, transitions at midnight, a skipped calendar day (Pacific/Apia, 2011-12-30),
negative DST, odd offsets; wall times inside a spring-forward gap or a fall-back fold; windows
that run past midnight; busy time and seat bookings placed right on the schedule's windows so
they collide with slots; queries whose ``now`` makes the answer empty; limits over a week that
holds a DST change or a month that ends on a Sunday, a repeat that lands in a DST gap, travel
across the date line.

This is the one public module; the strategies live in private modules by subject:

* Zones and time (``_zones``): :func:`timezones`, :func:`transitions`,
  :func:`dates_near_transitions`, :func:`local_dates`, :func:`wall_times`, :func:`wall_kind`.
* Hours (``_hours``): :func:`wall_intervals`, :func:`weekly_hours`, :func:`overrides`,
  :func:`travel`, :func:`schedules`.
* Events (``_events``): :func:`event_policies`, :func:`limits`, :func:`repeats`.
* Queries (``_queries``): :func:`queries`.
* Busy time (``_busy``): :func:`busy_lists`, :func:`seat_bookings`.
* Teams (``_teams``): :func:`hosts`, :func:`requirement_trees`, :func:`teams`,
  :func:`calendars`.
* Whole inputs (``_requests``): :func:`scenarios`, :func:`team_scenarios` (typed, with
  :class:`Scenario` / :class:`TeamScenario`), :func:`requests`, :func:`team_requests` (JSON
  request documents of SPEC §2).

Importing this module, or Hypothesis with slotcalc installed (the package's ``hypothesis``
entry point, :func:`_hypothesis_setup_hook`), registers a strategy with ``st.from_type`` for
every public input type, so ``st.from_type(Schedule)`` works without setup. The core of
slotcalc never imports this package.
"""

from __future__ import annotations

from typing import Any


def _hypothesis_setup_hook() -> None:
    """Register the strategies for slotcalc's public types with ``st.from_type``.

    Hypothesis calls this through the ``hypothesis`` entry point declared in slotcalc's
    ``pyproject.toml`` while it is being imported, and this package calls it once it is
    built. It is defined before this package imports Hypothesis: when this package is imported
    first, that import runs the hook while the package is only half built, so the hook
    registers functions that look the strategy up when ``from_type`` first asks.
    """
    from hypothesis import strategies as hst

    from .. import api, model

    types: list[type] = [model.Schedule, model.Override, model.Travel, model.EventPolicy,
                         model.Limits, model.Repeat, model.Busy, model.Query, model.Calendar,
                         model.Host, model.Team, model.All, model.AnyOf, api.Request]
    for cls in types:
        hst.register_type_strategy(cls, _lookup)
    try:  # the strategy bundles, once their module exists
        from ._requests import Scenario, TeamScenario
    except ImportError:  # pragma: no cover (half-built: registered again at the end)
        return
    hst.register_type_strategy(Scenario, _lookup)
    hst.register_type_strategy(TeamScenario, _lookup)


def _lookup(cls: type) -> Any:
    from ._registry import strategy_for

    return strategy_for(cls)


try:
    import hypothesis  # noqa: F401
except ImportError as e:
    raise ImportError(
        "slotcalc.strategies needs Hypothesis, which is not installed: "
        "pip install 'slotcalc[hypothesis]'"
    ) from e

from ._busy import busy_lists, seat_bookings  # noqa: E402
from ._common import (  # noqa: E402
    ALIGNS,
    COMMON_ZONES,
    DEFAULT_YEARS,
    GRIDS,
    HARD_ZONES,
    OUTPUTS,
)
from ._events import event_policies, limits, repeats  # noqa: E402
from ._hours import (  # noqa: E402
    DATE_LINE_TRIPS,
    overrides,
    schedules,
    travel,
    wall_intervals,
    weekly_hours,
)
from ._queries import queries  # noqa: E402
from ._requests import (  # noqa: E402
    Scenario,
    TeamScenario,
    requests,
    scenarios,
    team_requests,
    team_scenarios,
)
from ._teams import calendars, hosts, requirement_trees, teams  # noqa: E402
from ._zones import (  # noqa: E402
    Transition,
    dates_near_transitions,
    local_dates,
    timezones,
    transitions,
    wall_kind,
    wall_times,
)

__all__ = [  # noqa: RUF022 (grouped by subject, as in docs/strategies.md)
    # constants
    "ALIGNS",
    "COMMON_ZONES",
    "DATE_LINE_TRIPS",
    "DEFAULT_YEARS",
    "GRIDS",
    "HARD_ZONES",
    "OUTPUTS",
    # zones and time
    "Transition",
    "dates_near_transitions",
    "local_dates",
    "timezones",
    "transitions",
    "wall_kind",
    "wall_times",
    # hours
    "overrides",
    "schedules",
    "travel",
    "wall_intervals",
    "weekly_hours",
    # events
    "event_policies",
    "limits",
    "repeats",
    # queries
    "queries",
    # busy time
    "busy_lists",
    "seat_bookings",
    # teams
    "calendars",
    "hosts",
    "requirement_trees",
    "teams",
    # whole inputs
    "Scenario",
    "TeamScenario",
    "requests",
    "scenarios",
    "team_requests",
    "team_scenarios",
]

_hypothesis_setup_hook()  # also without the entry point (slotcalc not installed, or plugins off)
