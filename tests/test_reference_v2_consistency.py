"""The v2 reference agrees with itself: its periods (boundary pieces) against its slots
(grid enumeration) on a one-minute clock grid.

With ``align: "clock"`` and ``step`` 1 every whole minute in a window is on the grid, so a
whole minute is a slot start exactly when it is a feasible start (§4 periods). All the drawn
inputs are whole minutes, so: every slot start lies in some period's run ``[a, b]``, and every
whole minute strictly inside a run is a slot start.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

import reference_v2 as ref
from strategies_v2 import check_starts, requests

pytestmark = pytest.mark.differential


def _minute_grid(doc: dict[str, Any]) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    ev = doc["event"]
    ev["align"], ev["step"] = "clock", 1
    ev.pop("horizon_bookable_days", None)  # its own grid search: a year of minutes when empty
    doc["query"].pop("limit", None)
    doc["query"]["output"] = "periods"
    return doc


@settings(max_examples=60, deadline=None)
@given(requests(v2=True))
def test_periods_are_the_runs_of_minute_slots(doc: dict[str, Any]) -> None:
    doc = _minute_grid(doc)
    periods = ref.ref_answer(doc)["periods"]
    req = ref.Request(doc, *_range(doc))
    lo, hi = req.range()
    starts = {s for s, _, _ in req.slots(lo, hi) if req.in_range(s)}
    dur = req.ev.dur
    event(f"periods: {min(len(periods), 3)}{'+' if len(periods) > 3 else ''}")
    runs = [(ref.parse_instant(p["start"]), ref.parse_instant(p["end"]) - dur) for p in periods]
    for s in starts:
        assert any(a <= s <= b for a, b in runs), ref.iso(s, req.zone)
    for a, b in runs:
        t = (a // ref.MINUTE + 1) * ref.MINUTE
        while t < b:
            assert t in starts, ref.iso(t, req.zone)
            t += ref.MINUTE


def _range(doc: dict[str, Any]) -> tuple[int, int]:
    q = doc["query"]
    if len(q["start"]) != 10:
        return ref.parse_instant(q["start"]), ref.parse_instant(q["end"])
    probe = ref.Request(doc, ref.parse_instant(q["now"]), ref.parse_instant(q["now"]) + 1)
    return probe.range()


def _strip_hosts(answer: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(answer)
    for day in out.get("days", []):
        for slot in day["slots"]:
            slot.pop("hosts", None)
    for period in out.get("periods", []):
        period.pop("hosts", None)
    out.pop("hosts", None)
    return out


@settings(max_examples=60, deadline=None)
@given(requests(v2=True, team=False), st.data())
def test_single_schedule_is_a_team_of_one(doc: dict[str, Any], data: st.DataObject) -> None:
    """A schedule and a team of that one host (either grid, any shape of team) answer alike:
    the team grid over one host is the host's own grid."""
    team_doc = {k: v for k, v in doc.items() if k not in ("schedule", "busy")}
    team_doc["hosts"] = [{"id": "solo", "schedule": doc["schedule"],
                          "busy": doc.get("busy", [])}]
    team_doc["team"] = data.draw(st.sampled_from(
        ({}, {"mode": "any"}, {"require": "solo"}, {"require": {"all": ["solo"]}},
         {"mode": "all", "grid": "host"}, {"require": {"any": ["solo"], "min": 1},
                                           "grid": "team"})))
    single = ref.ref_answer(doc)
    team = ref.ref_answer(team_doc)
    assert _strip_hosts(team) == single
    start = data.draw(check_starts(doc, single))
    assert _strip_hosts(ref.ref_check(team_doc, start)) == ref.ref_check(doc, start)


@settings(max_examples=60, deadline=None)
@given(requests(v2=True))
def test_every_slot_lies_in_a_period(doc: dict[str, Any]) -> None:
    """A slot start is a feasible start: it lies in one period's run of starts."""
    doc = copy.deepcopy(doc)
    doc["query"].pop("limit", None)
    doc["query"]["output"] = "slots"
    slots = [s["start"] for d in ref.ref_answer(doc)["days"] for s in d["slots"]]
    doc["query"]["output"] = "periods"
    dur = int(doc["event"]["duration"]) * ref.MINUTE
    runs = [(ref.parse_instant(p["start"]), ref.parse_instant(p["end"]) - dur)
            for p in ref.ref_answer(doc)["periods"]]
    for s in map(ref.parse_instant, slots):
        assert any(a <= s <= b for a, b in runs)
