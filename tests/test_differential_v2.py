"""Differential tests of SPEC version 2: ``slotcalc.jsonapi`` agrees with tests/reference_v2.py.

Random valid request documents (tests/strategies_v2.py) go through
``slotcalc.jsonapi.answer_request`` / ``check_request`` and through the literal reference;
the documents must be equal apart from ``warnings``.

* ``*_v1`` tests draw documents with version 1's fields only: they run against any engine.
* ``*_v2`` tests draw every field of version 2. While the engine refuses version 2 documents
  (probed once with a small one) they are skipped with that reason; ``SLOTCALC_DIFF_V2=1``
  runs them anyway.

All are marked ``differential`` (deselect with ``-m "not differential"``). A failure is shrunk
by Hypothesis, which calls the (slow) reference many times; ``SLOTCALC_DIFF_NO_SHRINK=1`` reports
the first failing document as drawn instead.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from hypothesis import Phase, event, given, settings
from hypothesis import strategies as st

from reference_v2 import ref_answer, ref_check
from slotcalc.jsonapi import answer_request, check_request
from strategies_v2 import check_starts, requests

pytestmark = pytest.mark.differential

_PROBE: dict[str, Any] = {
    "schedule": {"timezone": "UTC", "weekly": {"mon": [["09:00", "10:00"]]},
                 "zones": [{"from": "2026-12-01", "timezone": "UTC"}]},
    "busy": [{"start": "2026-12-07T09:00:00Z", "end": "2026-12-07T09:10:00Z",
              "buffer_after": 5}],
    "event": {"duration": 30, "booking_limits": {"week": 2}, "repeat": {"interval_days": 7,
                                                                         "count": 2}},
    "query": {"now": "2026-11-30T12:00:00Z", "start": "2026-12-07", "end": "2026-12-07",
              "output": "periods"},
}


if os.environ.get("SLOTCALC_DIFF_NO_SHRINK") == "1":
    _PHASES = (Phase.explicit, Phase.reuse, Phase.generate)
else:
    _PHASES = tuple(Phase)


def _engine_speaks_v2() -> bool:
    if os.environ.get("SLOTCALC_DIFF_V2") == "1":
        return True
    return "error" not in answer_request(_PROBE)


needs_v2 = pytest.mark.skipif(not _engine_speaks_v2(),
                              reason="the engine refuses SPEC v2 documents (SLOTCALC_DIFF_V2=1 "
                                     "runs these anyway)")


def _without_warnings(doc: dict[str, Any]) -> dict[str, Any]:
    """The document without ``warnings`` and a check's ``end`` (the engine's own addition)."""
    return {k: v for k, v in doc.items() if k not in ("warnings", "end")}


def _describe(doc: dict[str, Any], want: dict[str, Any]) -> None:
    kind = "team" if "hosts" in doc else "single"
    if "periods" in want:
        event(f"{kind} periods: {'some' if want['periods'] else 'none'}")
    else:
        event(f"{kind} slots: {'some' if want['days'] else 'none'}")
    event(f"align: {doc['event'].get('align', 'window')}")


def agree_answer(doc: dict[str, Any]) -> dict[str, Any]:
    want = ref_answer(doc)
    got = answer_request(doc)
    _describe(doc, want)
    assert _without_warnings(got) == _without_warnings(want)
    return want


def agree_check(doc: dict[str, Any], start: str) -> None:
    want = ref_check(doc, start)
    got = check_request(doc, start)
    event(f"check reason: {want['reason']}")
    assert _without_warnings(got) == _without_warnings(want)


# ---------------------------------------------------------------------------------------------
# Version 1 documents: any engine


@settings(max_examples=100, deadline=None, phases=_PHASES)
@given(requests(v2=False, team=False))
def test_differential_answer_v1(doc: dict[str, Any]) -> None:
    agree_answer(doc)


@settings(max_examples=100, deadline=None, phases=_PHASES)
@given(requests(v2=False, team=False), st.data())
def test_differential_check_v1(doc: dict[str, Any], data: st.DataObject) -> None:
    start = data.draw(check_starts(doc, ref_answer(doc)), label="check start")
    agree_check(doc, start)


@settings(max_examples=100, deadline=None, phases=_PHASES)
@given(requests(v2=False, team=True), st.data())
def test_differential_team_v1(doc: dict[str, Any], data: st.DataObject) -> None:
    want = agree_answer(doc)
    agree_check(doc, data.draw(check_starts(doc, want), label="check start"))


# ---------------------------------------------------------------------------------------------
# Version 2 documents


@needs_v2
@settings(max_examples=100, deadline=None, phases=_PHASES)
@given(requests(v2=True, team=False))
def test_differential_answer_v2(doc: dict[str, Any]) -> None:
    agree_answer(doc)


@needs_v2
@settings(max_examples=100, deadline=None, phases=_PHASES)
@given(requests(v2=True, team=False), st.data())
def test_differential_check_v2(doc: dict[str, Any], data: st.DataObject) -> None:
    start = data.draw(check_starts(doc, ref_answer(doc)), label="check start")
    agree_check(doc, start)


@needs_v2
@settings(max_examples=100, deadline=None, phases=_PHASES)
@given(requests(v2=True, team=True), st.data())
def test_differential_team_v2(doc: dict[str, Any], data: st.DataObject) -> None:
    want = agree_answer(doc)
    agree_check(doc, data.draw(check_starts(doc, want), label="check start"))
