"""Timing and the machine record: medians of repeated runs after a warm-up.

Each figure is the median of ``repeats`` timed calls (:func:`time.perf_counter`) after
``warmup`` untimed calls. The warm-up fills what a long-running process keeps between requests
(the zone caches and offset tables of :mod:`slotcalc._tz`, imported modules), so the figures are
those of a warm server, not of a cold start. The garbage collector is disabled during each timed
call (and run between calls), so a collection triggered by an earlier call's garbage does not
land in a later one's figure; every call still pays for all the objects it allocates.
"""

from __future__ import annotations

import datetime as _dt
import gc
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Timing:
    """Seconds: the median, the fastest and every run, in order."""

    median: float
    best: float
    runs: tuple[float, ...]

    @property
    def spread(self) -> float:
        """Return (slowest − fastest) / median: how noisy the runs were."""
        return (max(self.runs) - min(self.runs)) / self.median if self.median else 0.0


def measure(fn: Callable[[], object], repeats: int, warmup: int = 1) -> Timing:
    """Return the :class:`Timing` of ``repeats`` calls of ``fn`` after ``warmup`` calls.

    The garbage collector is off during each timed call and collects between calls.
    """
    for _ in range(warmup):
        fn()
    runs: list[float] = []
    enabled = gc.isenabled()
    try:
        for _ in range(repeats):
            gc.collect()
            gc.disable()
            t0 = time.perf_counter()
            fn()
            t1 = time.perf_counter()
            gc.enable()
            runs.append(t1 - t0)
    finally:
        if enabled:
            gc.enable()
        else:
            gc.disable()
    return Timing(statistics.median(runs), min(runs), tuple(runs))


def measure_interleaved(
    calls: dict[str, Callable[[], object]], repeats: int, warmup: int = 1
) -> dict[str, Timing]:
    """Return a :class:`Timing` per call, the calls taking turns within each repeat.

    Taking turns (engine, floor, engine, floor, …) spreads any change in the machine's load over
    all of them alike, so their ratios stay meaningful on a busy machine.
    """
    for _ in range(warmup):
        for fn in calls.values():
            fn()
    runs: dict[str, list[float]] = {name: [] for name in calls}
    enabled = gc.isenabled()
    try:
        for _ in range(repeats):
            for name, fn in calls.items():
                gc.collect()
                gc.disable()
                t0 = time.perf_counter()
                fn()
                t1 = time.perf_counter()
                gc.enable()
                runs[name].append(t1 - t0)
    finally:
        if enabled:
            gc.enable()
        else:
            gc.disable()
    return {
        name: Timing(statistics.median(r), min(r), tuple(r)) for name, r in runs.items()
    }


def cpu_name() -> str:
    """Return the CPU model name (from /proc/cpuinfo or sysctl when available)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    if sys.platform == "darwin":
        try:
            import subprocess

            out = subprocess.run(
                ["sysctl", "-n", "machdep.cpu.brand_string"],
                capture_output=True,
                text=True,
                timeout=5,
                check=False,
            )
            if out.stdout.strip():
                return out.stdout.strip()
        except OSError:
            pass
    return platform.processor() or platform.machine() or "unknown"


def machine_info() -> dict[str, Any]:
    """Return what the figures depend on: Python, platform, machine, CPU, cores and the date."""
    import slotcalc

    return {
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu": cpu_name(),
        "cpus": os.cpu_count(),
        "slotcalc": slotcalc.__version__,
        "date": _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
