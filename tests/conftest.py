"""Hypothesis profiles and the differential-example count reported at the end of a run.

Profiles (pick one with ``HYPOTHESIS_PROFILE=…``; default ``default``):

* ``default``: moderate example counts, no deadline (the reference engine is slow on purpose);
* ``ci``: the same numbers, derandomised so a CI run is repeatable;
* ``slow``: ten times the examples, for a long local soak (``-m slow`` tests scale up too).

Tests marked ``slow`` are skipped unless ``--run-slow``, ``-m slow`` or the ``slow`` profile
asks for them, so a plain ``pytest`` stays quick.
"""

from __future__ import annotations

import json
import os

import pytest
from hypothesis import HealthCheck, settings

from strategies import EXAMPLE_COUNTS

_COMMON = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
    "print_blob": True,
}
settings.register_profile("default", max_examples=100, **_COMMON)  # type: ignore[arg-type]
settings.register_profile("ci", max_examples=100, derandomize=True, **_COMMON)  # type: ignore[arg-type]
settings.register_profile("slow", max_examples=1000, **_COMMON)  # type: ignore[arg-type]
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--run-slow``: also run the tests marked ``slow`` (long Hypothesis soaks)."""
    parser.addoption("--run-slow", action="store_true", default=False,
                     help="run the tests marked slow (long Hypothesis soaks)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip ``slow`` tests unless asked for: ``--run-slow``, ``-m slow`` or the slow profile."""
    asked = (config.getoption("--run-slow") or "slow" in (config.getoption("-m") or "").replace(
        "not slow", "") or os.environ.get("HYPOTHESIS_PROFILE") == "slow")
    if asked:
        return
    skip = pytest.mark.skip(reason="slow: run with --run-slow, -m slow or HYPOTHESIS_PROFILE=slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print how many Hypothesis examples each differential/property test ran (and write them
    as JSON to the file named by ``SLOTCALC_EXAMPLE_COUNTS``, when set)."""
    if not EXAMPLE_COUNTS:
        return
    terminalreporter.section("hypothesis examples run")
    for name, n in sorted(EXAMPLE_COUNTS.items()):
        terminalreporter.write_line(f"{n:7d}  {name}")
    diff = sum(n for name, n in EXAMPLE_COUNTS.items() if name.startswith("differential"))
    terminalreporter.write_line(f"{diff:7d}  differential examples in total")
    out = os.environ.get("SLOTCALC_EXAMPLE_COUNTS")
    if out:  # a JSON file for notes and CI summaries
        with open(out, "w", encoding="utf-8") as f:
            json.dump({"differential_total": diff, **dict(EXAMPLE_COUNTS)}, f, indent=1)
