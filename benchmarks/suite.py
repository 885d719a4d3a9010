"""Runs the workloads, sweeps, floors and the reference, and checks the targets of issue 6.

Every function here returns plain data (dicts of numbers and strings) that :mod:`.report`
prints and :mod:`.run` writes as JSON. Times are in milliseconds.
"""

from __future__ import annotations

import importlib.util
import inspect
import itertools
import math
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import slotcalc

from . import workloads as wl
from .floors import check_same, datetime_floor, json_floor, precompute
from .timing import measure, measure_interleaved

Document = dict[str, Any]
JsonCall = Callable[[Document], Document]

#: Targets of issue 6.
W1_JSON_LIMIT = 1.5  # issue 10: W1 through answer_request within 1.5x of its string floor
JSON_LIMIT = 4.0  # issue 10: W2 and W4 through the JSON layer within 4x of their string floor
W1_TYPED_LIMIT = 2.0  # issue 10: W1 through the typed API within 2x of its datetime floor
STEP_LIMIT = 12.0  # a 10x step of a sweep costs at most about 12x ...
GROWTH_EXPONENT_LIMIT = math.log(STEP_LIMIT) / math.log(10)  # ... i.e. time ∝ size^1.079 at most
TEAM_LIMIT = 12.0  # W3 with 10 hosts within 12x of one host

REFERENCE_PATH = Path(__file__).resolve().parent.parent / "tests" / "reference.py"


@dataclass(frozen=True)
class Settings:
    """How hard to measure: timed repeats per figure, warm-up calls, and the quick flag."""

    repeats: int
    warmup: int
    quick: bool


def json_entry() -> tuple[str, JsonCall | None]:
    """Return the JSON layer's entry point and its name.

    ``slotcalc.answer_request`` (or ``slotcalc.jsonapi.answer_request``) takes the request as
    loaded from JSON, so its figures include validating it and building the value objects. When
    neither exists the JSON path is timed through ``answer_document`` on prebuilt value objects
    (returned as ``None`` here), which leaves the input reading out.
    """
    fn = getattr(slotcalc, "answer_request", None)
    if callable(fn):
        return "slotcalc.answer_request", fn
    try:
        from slotcalc.jsonapi import answer_request
    except ImportError:
        return "slotcalc.answer_document on prebuilt value objects (no answer_request yet)", None
    return "slotcalc.jsonapi.answer_request", answer_request


def _ms(seconds: float) -> float:
    return round(seconds * 1000.0, 4)


def _json_call(w: wl.Workload, entry: JsonCall | None) -> Callable[[], Document]:
    if entry is None:
        return w.document
    request = w.request
    return lambda: entry(request)


def _answer_ok(doc: Document, what: str) -> Document:
    if "error" in doc:
        raise RuntimeError(f"{what}: the JSON layer answered with an error: {doc['error']}")
    return doc


# ---------------------------------------------------------------------------------------------
# Workloads


def workload_cases(only: set[str] | None) -> list[list[tuple[str, wl.Workload]]]:
    """Return the W1–W4 workloads selected by ``only`` (None: all), in groups timed together.

    W3 with 10 hosts is grouped with the same data for its first host alone, so the
    10-host/1-host ratio compares figures taken turn about.
    """
    out: list[list[tuple[str, wl.Workload]]] = []

    def want(key: str) -> bool:
        return only is None or key in only

    if want("W1"):
        out.append([("W1", wl.w1())])
    if want("W2"):
        out.append([("W2", wl.w2())])
    if want("W3"):
        for mode in ("any", "all"):
            out.append([(f"W3 {mode}", wl.w3(mode, 10)), (f"W3 {mode} 1 host", wl.w3(mode, 1))])
    if want("W4"):
        out.append([("W4", wl.w4())])
    return out


def run_workloads(
    group: Sequence[tuple[str, wl.Workload]], entry: JsonCall | None, settings: Settings
) -> list[dict[str, Any]]:
    """Time a group of workloads through both paths and both floors; return their figures.

    Every call of the group (each workload's typed and JSON paths, floors and document) takes
    its turn in every repeat. Checks first, for each workload, that the typed answer, the JSON
    answer and the floor's document agree.
    """
    calls: dict[str, Callable[[], object]] = {}
    out: list[dict[str, Any]] = []
    for key, w in group:
        json_call = _json_call(w, entry)
        pre = precompute(w.typed())
        doc = _answer_ok(json_call(), key)
        str_floor = json_floor(pre)
        check_same(doc, str_floor())
        calls[f"{key}/typed"] = w.typed
        calls[f"{key}/typed_floor"] = datetime_floor(pre)
        calls[f"{key}/json"] = json_call
        calls[f"{key}/json_floor"] = str_floor
        if entry is not None:
            calls[f"{key}/document"] = w.document
        out.append(
            {
                "key": key,
                "description": w.description,
                "slots": pre.slot_count,
                "days_with_slots": len(pre.days),
                "busy": w.busy,
                "hosts": len(w.request.get("hosts", [None])),
            }
        )
    t = measure_interleaved(calls, settings.repeats, settings.warmup)
    for figures in out:
        key = figures["key"]
        for name, timing in t.items():
            owner, _, what = name.partition("/")
            if owner == key:
                figures[f"{what}_ms"] = _ms(timing.median)
                figures[f"{what}_best_ms"] = _ms(timing.best)
                figures[f"{what}_spread"] = round(timing.spread, 3)
        figures["typed_ratio"] = _ratio(t[f"{key}/typed"].median, t[f"{key}/typed_floor"].median)
        figures["json_ratio"] = _ratio(t[f"{key}/json"].median, t[f"{key}/json_floor"].median)
    return out


def _ratio(a: float, b: float) -> float:
    return round(a / b, 3) if b > 0 else math.inf


# ---------------------------------------------------------------------------------------------
# Sweeps

#: Sweeps time each size this many times as often as a workload figure (their growth factors
#: are ratios of medians, so noise counts twice).
SWEEP_REPEAT_FACTOR = 2

SWEEPS: dict[str, tuple[str, Callable[[], list[wl.Workload]]]] = {
    "busy": ("blocking busy entries (W1, 90 days)", wl.sweep_busy),
    "days": ("days in the range (W1, 1,000 busy per 90 days)", wl.sweep_days),
    "hosts": ("hosts (W3 'any', 30 days, 300 busy each)", wl.sweep_hosts),
}


def run_sweep(name: str, entry: JsonCall | None, settings: Settings) -> dict[str, Any]:
    """Time one sweep's sizes through both paths; return the steps and the growth between them.

    All sizes and both paths take turns within each repeat (:func:`measure_interleaved`), so
    a change in the machine's load does not masquerade as growth between sizes. The sweep's
    verdicts divide one median by another, so it takes :data:`SWEEP_REPEAT_FACTOR` times the
    repeats of a workload figure.
    """
    label, build = SWEEPS[name]
    sized = build()
    calls: dict[str, Callable[[], object]] = {}
    steps: list[dict[str, Any]] = []
    for w in sized:
        json_call = _json_call(w, entry)
        _answer_ok(json_call(), f"sweep {name} {w.size}")
        calls[f"{w.size}/typed"] = w.typed
        calls[f"{w.size}/json"] = json_call
        steps.append({"size": w.size, "slots": len(w.typed().slots), "busy": w.busy})
    t = measure_interleaved(calls, settings.repeats * SWEEP_REPEAT_FACTOR, settings.warmup)
    for step in steps:
        for path in ("typed", "json"):
            step[f"{path}_ms"] = _ms(t[f"{step['size']}/{path}"].median)
    growth: list[dict[str, Any]] = []
    for a, b in itertools.pairwise(steps):
        size_x = b["size"] / a["size"]
        row: dict[str, Any] = {"from": a["size"], "to": b["size"], "size_x": round(size_x, 3)}
        for path in ("typed", "json"):
            time_x = b[f"{path}_ms"] / a[f"{path}_ms"]
            row[f"{path}_x"] = round(time_x, 3)
            row[f"{path}_exponent"] = round(math.log(time_x) / math.log(size_x), 3)
            # the time a 10x step would cost at this rate
            row[f"{path}_per_10x"] = round(10 ** (math.log(time_x) / math.log(size_x)), 2)
        growth.append(row)
    return {"name": name, "label": label, "steps": steps, "growth": growth}


# ---------------------------------------------------------------------------------------------
# The reference engine (tests/reference.py), for scale


def load_reference(path: Path = REFERENCE_PATH) -> ModuleType | None:
    """Return the tests' slow reference engine, imported by path, or None when absent."""
    if not path.is_file():
        return None
    spec = importlib.util.spec_from_file_location("slotcalc_reference_engine", path)
    if spec is None or spec.loader is None:
        return None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def run_reference(settings: Settings) -> dict[str, Any]:
    """Time the reference engine against the typed API on a small W1 and (unless quick) on W1.

    Both answers are compared first (the reference's own plain shape).
    """
    ref = load_reference()
    if ref is None:
        return {"skipped": f"no reference engine at {REFERENCE_PATH}"}
    cases = [("W1, 7 days, 80 busy", wl.w1(busy=80, days=7))]
    if not settings.quick:
        cases.append(("W1 (90 days, 1,000 busy)", wl.w1()))
    rows: list[dict[str, Any]] = []
    for label, w in cases:
        s, e, q, b = wl.typed_inputs(w.request)

        def ref_call(s: Any = s, e: Any = e, q: Any = q, b: Any = b) -> object:
            return ref.ref_find_slots(s, e, q, b)

        same = ref_call() == ref.answer_of(w.typed())
        reps = max(3, settings.repeats // 3)
        engine = measure(w.typed, settings.repeats, settings.warmup)
        slow = measure(ref_call, reps, 0)
        rows.append(
            {
                "case": label,
                "slots": len(w.typed().slots),
                "same_answer": same,
                "engine_ms": _ms(engine.median),
                "reference_ms": _ms(slow.median),
                "reference_x": _ratio(slow.median, engine.median),
            }
        )
    return {"rows": rows}


# ---------------------------------------------------------------------------------------------
# W5: the iCal feed (benchmarks/ical_bench.py, written with the iCal adapter)

W5_SKIPPED = "skipped: iCal adapter not installed/available"


def run_w5(settings: Settings) -> dict[str, Any]:
    """Return the figures of ``benchmarks.ical_bench.run_w5()``, or why W5 was skipped."""
    try:
        from . import ical_bench
    except ImportError as e:
        return {"skipped": W5_SKIPPED, "detail": str(e)}
    fn = getattr(ical_bench, "run_w5", None)
    if not callable(fn):
        return {"skipped": W5_SKIPPED, "detail": "benchmarks/ical_bench.py has no run_w5()"}
    kwargs: dict[str, Any] = {}
    params = inspect.signature(fn).parameters
    if "repeat" in params:  # best of this many; icalendar's own parse/expand takes seconds a run
        kwargs["repeat"] = 1 if settings.quick else 3
    if settings.quick:  # a smoke run leaves out the slow comparisons
        for name in ("reference", "memory"):
            if name in params:
                kwargs[name] = False
    try:
        figures = fn(**kwargs)
    except ImportError as e:
        return {"skipped": W5_SKIPPED, "detail": str(e)}
    return {"figures": figures}


# ---------------------------------------------------------------------------------------------
# Targets


def targets(
    cases: Sequence[dict[str, Any]], sweeps: Sequence[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Return each target of issues 6 and 10 that the run measured: its value, limit and verdict."""
    out: list[dict[str, Any]] = []
    by_key = {c["key"]: c for c in cases}

    def add(name: str, value: float, limit: float, unit: str = "x") -> None:
        out.append(
            {"target": name, "value": value, "limit": limit, "unit": unit, "holds": value <= limit}
        )

    if "W1" in by_key:
        add("W1 answer_request / string floor", by_key["W1"]["json_ratio"], W1_JSON_LIMIT)
        add("W1 typed / datetime floor", by_key["W1"]["typed_ratio"], W1_TYPED_LIMIT)
    for key in ("W2", "W4"):
        if key in by_key:
            add(f"{key} answer_request / string floor", by_key[key]["json_ratio"], JSON_LIMIT)
    for mode in ("any", "all"):
        ten, one = by_key.get(f"W3 {mode}"), by_key.get(f"W3 {mode} 1 host")
        if ten and one:
            for path in ("typed", "json"):
                add(
                    f"W3 {mode!r} 10 hosts / 1 host ({path})",
                    _ratio(ten[f"{path}_ms"], one[f"{path}_ms"]),
                    TEAM_LIMIT,
                )
    for sweep in sweeps:
        for g in sweep["growth"]:
            for path in ("typed", "json"):
                add(
                    f"sweep {sweep['name']} {g['from']:,}→{g['to']:,} ({path}), cost of 10x",
                    g[f"{path}_per_10x"],
                    STEP_LIMIT,
                )
    return out
