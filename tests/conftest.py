"""Hypothesis profiles and the differential-example count reported at the end of a run.

Profiles (pick one with ``HYPOTHESIS_PROFILE=…``; default ``default``):

* ``default``: moderate example counts, no deadline (the reference engine is slow on purpose);
* ``ci``: the same numbers, derandomised so a CI run is repeatable;
* ``slow``: ten times the examples, for a long local soak (``-m slow`` tests scale up too).
"""

from __future__ import annotations

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


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print how many Hypothesis examples each differential/property test ran."""
    if not EXAMPLE_COUNTS:
        return
    terminalreporter.section("hypothesis examples run")
    for name, n in sorted(EXAMPLE_COUNTS.items()):
        terminalreporter.write_line(f"{n:7d}  {name}")
    diff = sum(n for name, n in EXAMPLE_COUNTS.items() if name.startswith("differential"))
    terminalreporter.write_line(f"{diff:7d}  differential examples in total")
