"""Differential tests: the fast engine agrees with the literal reference (tests/reference.py).

Inputs come from the public ``slotcalc.strategies`` (scenarios built around DST nights of the
zones issue 2 names, JSON requests, teams). Every answer is compared whole: the days, each
slot's start and end as written in the query zone (so the offset is compared too), remaining,
hosts, and ``next_available``; every check: bookable, reason, remaining, next_available, hosts.

The number of examples each test ran is printed at the end of the session ("hypothesis
examples run"). Default run: a few hundred examples per test; ``-m slow`` (or
``HYPOTHESIS_PROFILE=slow``) runs many more.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from reference import (
    answer_of,
    check_of,
    flat,
    ref_check,
    ref_check_team,
    ref_find_slots,
    ref_find_team_slots,
    ref_grid_points,
)
from slotcalc import SlotcalcError, check_slot, check_team_slot, find_slots, find_team_slots
from slotcalc.strategies import Scenario, requests
from strategies import (
    ZONES,
    TeamCase,
    booked_scenarios,
    busy_of,
    check_starts,
    count,
    event_of,
    examples,
    hosts_of,
    query_of,
    scenario_strategy,
    schedule_of,
    team_cases,
    team_of,
)

pytestmark = pytest.mark.differential


def _describe(answer: Any) -> None:
    event("answer: " + ("slots" if answer.days else
                        "next_available" if answer.next_available else "nothing"))


def _agree_find(sc: Scenario) -> None:
    want = ref_find_slots(sc.schedule, sc.event, sc.query, sc.busy)
    got = answer_of(find_slots(sc.schedule, sc.event, sc.query, sc.busy))
    _describe(want)
    event(f"align: {sc.event.align}")
    assert got == want


def _agree_check(sc: Scenario, data: st.DataObject) -> None:
    grid = ref_grid_points(sc.schedule, sc.event, sc.query, sc.busy)
    near = sc.query.now
    assert near is not None
    start = data.draw(check_starts(grid, near), label="check start")
    want = ref_check(sc.schedule, sc.event, sc.query, start, sc.busy)
    got = check_of(check_slot(sc.schedule, sc.event, sc.query, start, sc.busy))
    event(f"check reason: {want.reason}")
    assert got == want


# ---------------------------------------------------------------------------------------------
# One host


@settings(max_examples=examples(200))
@given(scenario_strategy())
def test_differential_find_slots(sc: Scenario) -> None:
    count("differential/find_slots")
    _agree_find(sc)


@settings(max_examples=examples(150))
@given(scenario_strategy(), st.data())
def test_differential_check_slot(sc: Scenario, data: st.DataObject) -> None:
    count("differential/check_slot")
    _agree_check(sc, data)


@settings(max_examples=examples(120))
@given(booked_scenarios(), st.data())
def test_differential_booked(sc: Scenario, data: st.DataObject) -> None:
    """Seat bookings on the grid, max_per_day, now well before the range: full and day_full."""
    count("differential/booked find+check")
    _agree_find(sc)
    _agree_check(sc, data)


@settings(max_examples=examples(100))
@given(scenario_strategy(zones=None))
def test_differential_find_slots_every_hard_zone(sc: Scenario) -> None:
    """The public default zone list: midnight transitions (Havana, Beirut, Asunción), negative
    DST (Dublin), two-hour DST (Troll) and the rest."""
    count("differential/find_slots (all hard zones)")
    _agree_find(sc)


# ---------------------------------------------------------------------------------------------
# JSON request documents (odd offsets, fractions of seconds, defaults spelled out), as objects


def _run_request(doc: dict[str, Any]) -> None:
    if "hosts" in doc:  # the version-1 reference knows each host's own grid only
        doc = {**doc, "team": {"grid": "host", **doc.get("team", {})}}
    event_ = event_of(doc["event"])
    query = query_of(doc["query"])
    if "hosts" in doc:
        hosts = hosts_of(doc["hosts"])
        team = team_of(doc.get("team"))
        if team.mode == "any" and team.min > len(hosts):
            # asking for more hosts than the team has is an error (issue 4), not an empty answer
            event("team min larger than the team")
            with pytest.raises(SlotcalcError) as info:
                find_team_slots(hosts, event_, query, team)
            assert info.value.code == "invalid_value"
            return
        want = ref_find_team_slots(hosts, event_, query, team)
        got = answer_of(find_team_slots(hosts, event_, query, team))
    else:
        schedule = schedule_of(doc["schedule"])
        busy = busy_of(doc.get("busy", []))
        want = ref_find_slots(schedule, event_, query, busy)
        got = answer_of(find_slots(schedule, event_, query, busy))
    _describe(want)
    assert got == want


@settings(max_examples=examples(100))
@given(requests(zones=ZONES))
def test_differential_json_requests(doc: dict[str, Any]) -> None:
    count("differential/requests")
    _run_request(doc)


# ---------------------------------------------------------------------------------------------
# Teams


@settings(max_examples=examples(100))
@given(team_cases(), st.data())
def test_differential_team(case: TeamCase, data: st.DataObject) -> None:
    count("differential/team")
    hosts, ev, query, team = case
    want = ref_find_team_slots(hosts, ev, query, team)
    got = answer_of(find_team_slots(hosts, ev, query, team))
    event(f"team: {team.mode} min={team.min} of {len(hosts)}")
    _describe(want)
    assert got == want
    grid: dict[str | None, list[datetime]] = {}
    for h in hosts:
        for reason, points in ref_grid_points(h.schedule, ev, query, h.busy).items():
            grid.setdefault(reason, []).extend(points)
    assert query.now is not None
    start = data.draw(check_starts(grid, query.now), label="check start")
    want_c = ref_check_team(hosts, ev, query, start, team)
    got_c = check_of(check_team_slot(hosts, ev, query, start, team))
    event(f"team check reason: {want_c.reason}")
    assert got_c == want_c


# ---------------------------------------------------------------------------------------------
# Long runs


@pytest.mark.slow
@settings(max_examples=examples(3000))
@given(scenario_strategy(zones=None), st.data())
def test_differential_slow_soak(sc: Scenario, data: st.DataObject) -> None:
    count("differential/slow soak")
    _agree_find(sc)
    _agree_check(sc, data)


@pytest.mark.slow
@settings(max_examples=examples(1500))
@given(team_cases(zones=ZONES, max_hosts=4))
def test_differential_team_slow(case: TeamCase) -> None:
    count("differential/team slow")
    hosts, ev, query, team = case
    assert answer_of(find_team_slots(hosts, ev, query, team)) == ref_find_team_slots(
        hosts, ev, query, team)


def test_reference_slot_list_is_flat_in_order() -> None:
    """``flat`` keeps the days' order (used by the fixtures)."""
    from reference import RefAnswer, RefSlot

    a = RefAnswer("UTC", (("2026-01-01", (RefSlot("a", "b", 1, None),)),
                          ("2026-01-02", (RefSlot("c", "d", 2, None),))), None)
    assert [s.start for s in flat(a)] == ["a", "c"]
