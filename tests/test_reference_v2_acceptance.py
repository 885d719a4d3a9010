"""The v2 reference engine (tests/reference_v2.py) passes every shared acceptance case.

Both folders are read: ``cases`` (version 1, whose meaning version 2 keeps) and ``v2``. The
reference does not validate, so error cases are skipped; the other cases compare every key of
``expect`` except ``warnings``.
"""

from __future__ import annotations

import json
import pathlib
from typing import Any

import pytest

from reference_v2 import ref_answer, ref_check


def _acceptance_dir() -> pathlib.Path:
    here = pathlib.Path(__file__).resolve().parents[2] / "shared" / "acceptance"
    return here if here.is_dir() else pathlib.Path("/work/shared/acceptance")


ROOT = _acceptance_dir()
ALL_CASES = sorted([*ROOT.glob("cases/*.json"), *ROOT.glob("v2/*.json")])


def run_case(case: dict[str, Any]) -> dict[str, Any]:
    if "check" in case:
        return ref_check(case["request"], case["check"])
    return ref_answer(case["request"])


@pytest.mark.skipif(not ALL_CASES, reason="the shared acceptance cases are not beside the repo")
@pytest.mark.parametrize("path", ALL_CASES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_reference_v2_passes_acceptance_case(path: pathlib.Path) -> None:
    case = json.loads(path.read_text())
    expect = case["expect"]
    if "error" in expect:
        pytest.skip("error case: the reference does not validate")
    got = run_case(case)
    for key, value in expect.items():
        if key == "warnings":
            continue
        assert got.get(key) == value, key
