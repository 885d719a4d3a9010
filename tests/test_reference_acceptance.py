"""The reference engine (tests/reference.py) must itself pass the shared acceptance cases.

The JSON requests are turned into model objects by the small converter in tests/strategies.py
(not the project's JSON layer), so the oracle is checked against the worked examples
independently.
"""

from __future__ import annotations

import json
import pathlib
from typing import Any

import pytest

from reference import (
    RefAnswer,
    RefCheck,
    ref_check,
    ref_check_team,
    ref_find_slots,
    ref_find_team_slots,
)
from slotcalc import SlotcalcError
from strategies import busy_of, event_of, hosts_of, query_of, schedule_of, team_of

CASES = pathlib.Path(__file__).resolve().parents[2] / "shared" / "acceptance" / "cases"
ALL_CASES = sorted(CASES.glob("*.json")) if CASES.is_dir() else []


def answer_json(a: RefAnswer) -> dict[str, Any]:
    days = []
    for d, slots in a.days:
        out = []
        for s in slots:
            item: dict[str, Any] = {"start": s.start, "end": s.end, "remaining": s.remaining}
            if s.hosts is not None:
                item["hosts"] = list(s.hosts)
            out.append(item)
        days.append({"date": d, "slots": out})
    return {"timezone": a.timezone, "days": days, "next_available": a.next_available}


def check_json(c: RefCheck) -> dict[str, Any]:
    out: dict[str, Any] = {"bookable": c.bookable, "reason": c.reason, "remaining": c.remaining,
                           "next_available": c.next_available}
    if c.hosts is not None:
        out["hosts"] = list(c.hosts)
    return out


def run_case(request: dict[str, Any], check: str | None) -> dict[str, Any]:
    event = event_of(request["event"])
    query = query_of(request["query"])
    if "hosts" in request:
        hosts = hosts_of(request["hosts"])
        team = team_of(request.get("team"))
        if check is not None:
            return check_json(ref_check_team(hosts, event, query, check, team))
        return answer_json(ref_find_team_slots(hosts, event, query, team))
    schedule = schedule_of(request["schedule"])
    busy = busy_of(request.get("busy", []))
    if check is not None:
        return check_json(ref_check(schedule, event, query, check, busy))
    return answer_json(ref_find_slots(schedule, event, query, busy))


@pytest.mark.skipif(not ALL_CASES, reason="the shared acceptance cases are not beside the repo")
@pytest.mark.parametrize("path", ALL_CASES, ids=lambda p: p.stem)
def test_reference_passes_acceptance_case(path: pathlib.Path) -> None:
    case = json.loads(path.read_text())
    expect = case["expect"]
    if "error" in expect:
        with pytest.raises(SlotcalcError) as info:
            run_case(case["request"], case.get("check"))
        assert info.value.code == expect["error"]["code"]
        return
    got = run_case(case["request"], case.get("check"))
    for key, value in expect.items():
        if key == "warnings":
            continue
        assert got.get(key) == value, key
