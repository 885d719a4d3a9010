"""Every acceptance case of ``../shared/acceptance/cases`` and ``…/v2``, in-process (JSON layer).

Compared as ``check.py`` does: for an expected error only its ``code``; otherwise every
expected key except ``warnings`` (whose messages are the project's own). The whole module is
skipped when the shared folder is not beside the checkout.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from slotcalc.jsonapi import answer_request, check_request

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "acceptance"
CASES = SHARED / "cases"
V2 = SHARED / "v2"  # the cases of SPEC version 2's rules

if not CASES.is_dir():
    pytest.skip(f"no acceptance cases at {CASES}", allow_module_level=True)

PATHS = sorted(CASES.glob("*.json")) + (sorted(V2.glob("*.json")) if V2.is_dir() else [])


@pytest.mark.parametrize("path", PATHS, ids=[f"{p.parent.name}/{p.stem}" for p in PATHS])
def test_case(path: Path) -> None:
    case: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    if "check" in case:
        got = check_request(case["request"], case["check"])
    else:
        got = answer_request(case["request"])
    expect = case["expect"]
    if "error" in expect:
        assert "error" in got, f"expected error {expect['error']['code']}, got an answer"
        assert got["error"]["code"] == expect["error"]["code"], got
        return
    assert "error" not in got, got
    assert isinstance(got["warnings"], list)
    for key, want in expect.items():
        if key != "warnings":
            assert got.get(key) == want, key


def test_there_are_cases() -> None:
    assert PATHS
