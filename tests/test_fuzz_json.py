"""Fuzzing the JSON layer and the CLI: only ever an answer or a SPEC §5 error.

Arbitrary JSON values are put at every field of valid requests (and fields are deleted or
added); arbitrary bytes, and valid requests with bytes flipped, go to the command line.
Nothing else may come out: no other exception, no traceback, exit status 0 or 1.
"""

from __future__ import annotations

import copy
import io
import json
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slotcalc import cli
from slotcalc.jsonapi import answer_request, check_request
from strategies import examples

pytestmark = pytest.mark.property

CODES = {"invalid_json", "invalid_request", "invalid_timezone", "invalid_time", "invalid_date",
         "naive_datetime", "invalid_interval", "duplicate_override", "invalid_duration",
         "invalid_value", "range_too_large", "calendar_unreadable", "calendar_fetch_failed"}
POINTER = re.compile(r"(/([^~/]|~[01])*)*")

SINGLE: dict[str, Any] = {
    "schedule": {
        "timezone": "Europe/Madrid",
        "weekly": {"mon": [["09:00", "13:00"], ["15:00", "18:00"]], "fri": [["22:00", "24:00"]],
                   "sat": [["00:00", "02:00"]]},
        "overrides": [{"date": "2026-12-08", "intervals": []},
                      {"date": "2026-12-10", "until": "2026-12-11",
                       "intervals": [["10:00", "12:30"]]}],
    },
    "event": {"duration": 45, "step": 30, "align": "window", "buffer_before": 5,
              "buffer_after": 10, "min_notice": 60, "horizon_days": 30, "capacity": 2,
              "max_per_day": 5},
    "busy": [{"start": "2026-12-07T10:00:00+01:00", "end": "2026-12-07T11:00:00+01:00"},
             {"start": "2026-12-07T15:00:00Z", "end": "2026-12-07T15:45:00Z", "seats": 1,
              "id": "bk_1"}],
    "calendars": [{"ics": "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\n"
                          "UID:a@t\r\nDTSTART;TZID=Europe/Madrid:20261207T120000\r\n"
                          "DURATION:PT1H\r\nRRULE:FREQ=DAILY;COUNT=5\r\nEND:VEVENT\r\n"
                          "END:VCALENDAR\r\n"}],
    "query": {"timezone": "America/New_York", "start": "2026-12-07", "end": "2026-12-13",
              "now": "2026-12-01T09:00:00Z", "exclude": ["bk_1"], "limit": 50},
}
TEAM: dict[str, Any] = {
    "hosts": [
        {"id": "ana", "schedule": {"timezone": "Europe/Madrid",
                                  "weekly": {"mon": [["09:00", "13:00"]]}},
         "busy": [{"start": "2026-12-07T09:00:00Z", "end": "2026-12-07T10:00:00Z"}]},
        {"id": "bo", "schedule": {"timezone": "Europe/London",
                                  "weekly": {"mon": [["09:00", "17:00"]]}}},
        {"id": "cy", "schedule": {"timezone": "America/New_York",
                                  "weekly": {"mon": [["06:00", "12:00"]]}}},
    ],
    "team": {"mode": "any", "min": 2},
    "event": {"duration": 60, "align": "clock"},
    "query": {"start": "2026-12-07T00:00:00Z", "end": "2026-12-09T00:00:00Z", "timezone": "UTC",
              "now": "2026-11-30T12:00:00Z"},
}
BASES = (SINGLE, TEAM)


def _pointers(node: Any, prefix: str = "") -> list[str]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out.extend(_pointers(v, f"{prefix}/{k}"))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out.extend(_pointers(v, f"{prefix}/{i}"))
    return out


POINTERS = [(b, p) for b, base in enumerate(BASES) for p in _pointers(base) if p]

PLAUSIBLE = st.sampled_from([
    "2026-12-07", "2026-12-07T10:00:00Z", "2026-12-07T10:00:00+05:45", "2026-12-07T10:00:00",
    "1800-01-01T00:00:00Z", "2499-12-31", "2026-02-29", "24:00", "00:00", "23:59:59", "12:60",
    "UTC", "Europe/Madrid", "America/St_Johns", "Asia/Kathmandu", "Etc/GMT+14", "", "mon",
    "window", "clock", "free", "all", "any", -1, 0, 1, 2, 59, 1440, 527040, 527041, 2**63,
    1.5, True, None, [], {}, ["09:00", "10:00"], [["09:00", "10:00"]],
])
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12) | PLAUSIBLE,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=3),
    max_leaves=6,
)


def _edit(base: dict[str, Any], pointer: str, how: str, value: Any) -> dict[str, Any]:
    doc = copy.deepcopy(base)
    parts = pointer.split("/")[1:]
    parent: Any = doc
    for p in parts[:-1]:
        parent = parent[int(p)] if isinstance(parent, list) else parent[p]
    key: Any = int(parts[-1]) if isinstance(parent, list) else parts[-1]
    if how == "delete":
        del parent[key]
    elif how == "add" and isinstance(parent, dict):
        parent[f"{key}_extra"] = value
    elif how == "add":
        parent.insert(key, value)
    else:
        parent[key] = value
    return doc


def _is_error(doc: dict[str, Any]) -> bool:
    if set(doc) != {"error"}:
        return False
    err = doc["error"]
    assert set(err) == {"code", "message", "path"}, err
    assert err["code"] in CODES, err
    assert isinstance(err["message"], str) and err["message"]
    assert isinstance(err["path"], str) and POINTER.fullmatch(err["path"]), err
    return True


def _assert_answer_or_error(doc: dict[str, Any], check: bool) -> None:
    if _is_error(doc):
        return
    keys = ["bookable", "reason", "remaining", "next_available"] if check else \
        ["timezone", "days", "next_available", "warnings"]
    assert list(doc)[:4] == keys, doc
    assert doc["warnings"] == [] or all(set(w) == {"code", "message", "path"}
                                        for w in doc["warnings"])
    json.dumps(doc)  # plain JSON values only


edits = st.tuples(st.sampled_from(POINTERS), st.sampled_from(["set", "set", "delete", "add"]),
                  st.one_of(PLAUSIBLE, JSON_VALUES))


@settings(max_examples=examples(400))
@given(edits)
def test_answer_request_substitutions(edit: tuple[tuple[int, str], str, Any]) -> None:
    (b, pointer), how, value = edit
    doc = _edit(BASES[b], pointer, how, value)
    _assert_answer_or_error(answer_request(doc), check=False)


@settings(max_examples=examples(150))
@given(edits, st.one_of(JSON_VALUES, st.sampled_from(["2026-12-07T09:00:00Z",
                                                      "2026-12-07T14:00:00+00:00"])))
def test_check_request_substitutions(edit: tuple[tuple[int, str], str, Any], start: Any) -> None:
    (b, pointer), how, value = edit
    doc = _edit(BASES[b], pointer, how, value)
    _assert_answer_or_error(check_request(doc, start), check=True)


@settings(max_examples=examples(100))
@given(JSON_VALUES)
def test_whole_request_replaced(value: Any) -> None:
    _assert_answer_or_error(answer_request(value), check=False)


def _cli(data: bytes, fmt: str) -> tuple[int, bytes, str]:
    out, err = io.BytesIO(), io.StringIO()
    code = cli.main(["slots", "-", "--format", fmt], stdin=io.BytesIO(data), stdout=out,
                    stderr=err)
    return code, out.getvalue(), err.getvalue()


def _assert_cli(code: int, out: bytes, err: str, fmt: str) -> None:
    assert code in (0, 1), (code, err)
    assert "Traceback" not in err
    if fmt == "json":
        doc = json.loads(out)
        _assert_answer_or_error(doc, check=False)
        assert (code == 1) == ("error" in doc)
    elif code == 1:
        assert out == b"" and err.count("\n") == 1


@settings(max_examples=examples(150))
@given(st.binary(max_size=200), st.sampled_from(["json", "table", "grid"]))
def test_cli_arbitrary_bytes(data: bytes, fmt: str) -> None:
    _assert_cli(*_cli(data, fmt), fmt)


@settings(max_examples=examples(150))
@given(st.sampled_from(BASES), st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)),
                                        max_size=4),
       st.sampled_from(["json", "table", "grid"]))
def test_cli_flipped_bytes(base: dict[str, Any], flips: list[tuple[int, int]], fmt: str) -> None:
    data = bytearray(json.dumps(base).encode())
    for at, byte in flips:
        data[at % len(data)] = byte
    _assert_cli(*_cli(bytes(data), fmt), fmt)


@settings(max_examples=examples(100))
@given(edits, st.sampled_from(["json", "table", "grid"]))
def test_cli_substitutions(edit: tuple[tuple[int, str], str, Any], fmt: str) -> None:
    (b, pointer), how, value = edit
    doc = _edit(BASES[b], pointer, how, value)
    try:
        data = json.dumps(doc, allow_nan=False).encode("utf-8")
    except (ValueError, UnicodeEncodeError):
        data = json.dumps(doc, allow_nan=True).encode("utf-8", "backslashreplace")
    _assert_cli(*_cli(data, fmt), fmt)
