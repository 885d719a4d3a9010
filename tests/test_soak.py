"""Soaks (``--run-slow``): sizes that must stay bounded in time and memory. Each prints its
figures (run ``pytest --run-slow -s tests/test_soak.py``); none asserts a time — the figures
go in the notes, the benchmarks time things."""

from __future__ import annotations

import gc
import time
import tracemalloc

import pytest

from slotcalc import answer_request

pytestmark = pytest.mark.slow

AROUND = {d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def _timed(what: str, fn: object) -> object:
    tracemalloc.start()
    t0 = time.perf_counter()
    got = fn()  # type: ignore[operator]
    took = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"\n{what}: {took:.2f} s, peak {peak / 2**20:.0f} MiB")
    return got


def test_a_year_of_one_minute_slots() -> None:
    doc = {"schedule": {"timezone": "UTC", "weekly": AROUND}, "event": {"duration": 1},
           "query": {"start": "2026-01-01", "end": "2026-12-31", "now": "2025-01-01T00:00:00Z"}}
    got = _timed("527,040 slots (366 days, duration 1)", lambda: answer_request(doc))
    assert sum(len(d["slots"]) for d in got["days"]) == 525_600  # type: ignore[index]


def test_a_million_busy_entries() -> None:
    entries = [{"start": f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}T{i % 24:02d}:00:00Z",
                "end": f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}T{i % 24:02d}:30:00Z"}
               for i in range(10**6)]
    doc = {"schedule": {"timezone": "Europe/Berlin", "weekly": AROUND}, "busy": entries,
           "event": {"duration": 30}, "query": {"start": "2026-03-01", "end": "2026-03-31",
                                                "now": "2025-01-01T00:00:00Z"}}
    got = _timed("10^6 busy entries", lambda: answer_request(doc))
    assert "error" not in got  # type: ignore[operator]


def test_a_hundred_hosts_a_year() -> None:
    hosts = [{"id": f"h{i}", "schedule": {"timezone": "UTC", "weekly": AROUND}}
             for i in range(100)]
    doc = {"hosts": hosts, "team": {"mode": "any"}, "event": {"duration": 60},
           "query": {"start": "2026-01-01", "end": "2026-12-31", "now": "2025-01-01T00:00:00Z"}}
    got = _timed("100 hosts 24/7, duration 60, 365 days", lambda: answer_request(doc))
    assert len(got["days"]) == 365  # type: ignore[index]


def test_ten_thousand_requests_do_not_grow_memory() -> None:
    doc = {"schedule": {"timezone": "America/New_York",
                        "weekly": {"mon": [["09:00", "17:00"]]}},
           "busy": [{"start": "2026-12-07T15:00:00Z", "end": "2026-12-07T16:00:00Z"}],
           "event": {"duration": 30}, "query": {"start": "2026-12-07", "end": "2026-12-13",
                                                "now": "2026-12-01T00:00:00Z"}}
    for _ in range(500):
        answer_request(doc)
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    t0 = time.perf_counter()
    for _ in range(10_000):
        answer_request(doc)
    gc.collect()
    grown = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    print(f"\n10,000 requests: {time.perf_counter() - t0:.1f} s, memory grew {grown / 1024:.0f} KiB")
    assert grown < 5 * 2**20
