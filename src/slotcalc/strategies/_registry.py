"""What ``st.from_type`` draws for each public type: one coherent strategy per type."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from .. import api, model
from ._busy import busy_lists, seat_bookings
from ._common import NAMES, draw_int, shuffled
from ._events import event_policies, limits, repeats
from ._hours import overrides, schedules, travel
from ._queries import queries
from ._requests import Scenario, TeamScenario, scenarios, team_scenarios
from ._teams import calendars, draw_node, hosts, teams


def _first(items: list[Any]) -> Any:
    return items[0]


@st.composite
def _rooted(draw: st.DrawFn, kind: str) -> model.All | model.AnyOf:
    names = shuffled(draw, NAMES)[:draw_int(draw, 1, 4)]
    node = draw_node(draw, names, 3, kind)
    assert isinstance(node, (model.All, model.AnyOf))
    return node


def strategy_for(cls: type) -> st.SearchStrategy[Any]:
    """Return the strategy ``st.from_type(cls)`` uses for one of slotcalc's public types."""
    table: dict[type, Any] = {
        model.Schedule: schedules,
        model.Override: lambda: overrides(min_size=1, max_size=1).map(_first),
        model.Travel: lambda: travel(min_size=1, max_size=1).map(_first),
        model.EventPolicy: event_policies,
        model.Limits: limits,
        model.Repeat: repeats,
        model.Busy: lambda: st.one_of(busy_lists(min_size=1, max_size=1),
                                      seat_bookings(capacity=2, min_size=1, max_size=1)
                                      ).map(_first),
        model.Query: queries,
        model.Calendar: calendars,
        model.Host: hosts,
        model.Team: teams,
        model.All: lambda: _rooted("all"),
        model.AnyOf: lambda: _rooted("any"),
        api.Request: lambda: st.one_of(scenarios().map(Scenario.request),
                                       team_scenarios().map(TeamScenario.request)),
        Scenario: scenarios,
        TeamScenario: team_scenarios,
    }
    make = table.get(cls)
    if make is None:
        raise InvalidArgument(f"slotcalc has no strategy for {cls!r}")
    got: st.SearchStrategy[Any] = make()
    return got


__all__ = ["strategy_for"]
