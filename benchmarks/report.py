"""Prints the results as text tables, writes them as JSON, and plots the sweeps.

The plot needs matplotlib (``pip install 'slotcalc[bench]'``); without it :func:`plot` says so
and the rest of the run is unaffected.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any


def _table(headers: Sequence[str], rows: Iterable[Sequence[object]], right: str = "") -> str:
    """Return a plain-text table; columns whose header is in ``right`` are right-aligned."""
    cells = [[str(h) for h in headers]] + [[_cell(v) for v in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines: list[str] = []
    for n, row in enumerate(cells):
        parts = [
            v.rjust(w) if headers[i] in right or (n and _numeric(v)) else v.ljust(w)
            for i, (v, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(parts).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _numeric(text: str) -> bool:
    return bool(text) and text.lstrip("×x").replace(",", "").replace(".", "").isdigit()


def _cell(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "NO"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:.2f}" if value < 100 else f"{value:,.0f}"
    return "" if value is None else str(value)


def header(machine: dict[str, Any], entry: str, repeats: int, warmup: int) -> str:
    """Return the lines that say where and how the figures were taken."""
    return (
        f"slotcalc {machine['slotcalc']} benchmarks — {machine['date']}\n"
        f"Python {machine['python']} ({machine['implementation']}) on {machine['platform']}\n"
        f"CPU: {machine['cpu']} ({machine['cpus']} logical cores, {machine['machine']})\n"
        f"Each figure: median of {repeats} timed runs after {warmup} warm-up run(s), "
        f"milliseconds, gc off while timing.\n"
        f"JSON path: {entry}"
    )


def workloads_table(cases: Sequence[dict[str, Any]]) -> str:
    """Return the W1–W4 table: both paths, their floors and engine/floor."""
    rows = [
        (
            c["key"],
            c["slots"],
            c["busy"],
            c["typed_ms"],
            c["typed_floor_ms"],
            f"{c['typed_ratio']:.2f}",
            c["json_ms"],
            c.get("document_ms"),
            c["json_floor_ms"],
            f"{c['json_ratio']:.2f}",
        )
        for c in cases
    ]
    return _table(
        (
            "workload",
            "slots",
            "busy",
            "typed",
            "dt floor",
            "typed/floor",
            "json",
            "(doc)",
            "str floor",
            "json/floor",
        ),
        rows,
    )


def workloads_legend(cases: Sequence[dict[str, Any]]) -> str:
    """Return one line per workload saying what it is."""
    return "\n".join(f"  {c['key']}: {c['description']}" for c in cases)


def sweep_table(sweep: dict[str, Any]) -> str:
    """Return one sweep's table: time per size, and the growth from the previous size."""
    growth = {g["to"]: g for g in sweep["growth"]}
    rows = []
    for s in sweep["steps"]:
        g = growth.get(s["size"])
        rows.append(
            (
                s["size"],
                s["slots"],
                s["typed_ms"],
                "" if g is None else f"×{g['typed_x']:.2f}",
                s["json_ms"],
                "" if g is None else f"×{g['json_x']:.2f}",
                "" if g is None else f"×{g['size_x']:.3g}",
                "" if g is None else f"{g['typed_per_10x']:.1f} / {g['json_per_10x']:.1f}",
            )
        )
    return f"Sweep: {sweep['label']}\n" + _table(
        ("size", "slots", "typed", "growth", "json", "growth", "size", "per 10x (t/j)"),
        rows,
        right="per 10x (t/j)",
    )


def reference_table(ref: dict[str, Any]) -> str:
    """Return the reference engine's table (or why it was skipped)."""
    if "skipped" in ref:
        return f"Reference engine: {ref['skipped']}"
    rows = [
        (
            r["case"],
            r["slots"],
            r["same_answer"],
            r["engine_ms"],
            r["reference_ms"],
            f"×{r['reference_x']:.0f}",
        )
        for r in ref["rows"]
    ]
    return "Reference engine (tests/reference.py), typed API\n" + _table(
        ("case", "slots", "same answer", "engine", "reference", "reference/engine"), rows
    )


def w5_text(w5: dict[str, Any]) -> str:
    """Return W5's figures, one per line (nested dicts flattened with dots)."""
    if "skipped" in w5:
        detail = f" ({w5['detail']})" if w5.get("detail") else ""
        return f"W5 (iCal feed): {w5['skipped']}{detail}"
    lines = ["W5 (iCal feed, benchmarks/ical_bench.py)"]
    for key, value in _flatten(w5["figures"]):
        if isinstance(value, float) and key.endswith("_s"):
            text = f"{value * 1000:.1f} ms"
        elif isinstance(value, int) and key.endswith("_bytes"):
            text = f"{value / 1e6:.1f} MB"
        else:
            text = _cell(value)
        lines.append(f"  {key}: {text}")
    return "\n".join(lines)


def _flatten(value: object, prefix: str = "") -> list[tuple[str, object]]:
    if isinstance(value, dict):
        out: list[tuple[str, object]] = []
        for k, v in value.items():
            out.extend(_flatten(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    return [(prefix, value)]


def targets_table(targets: Sequence[dict[str, Any]]) -> str:
    """Return the targets with their measured value, limit and whether each holds."""
    rows = [
        (t["target"], f"{t['value']:.2f}{t['unit']}", f"≤ {t['limit']:g}{t['unit']}", t["holds"])
        for t in targets
    ]
    return "Targets (issues 6 and 10)\n" + _table(("target", "measured", "limit", "holds"), rows)


def write_json(results: dict[str, Any], path: Path) -> None:
    """Write ``results`` as indented JSON to ``path``."""
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def plot(sweeps: Sequence[dict[str, Any]], path: Path) -> str:
    """Plot time against size for each sweep (log–log, with a linear guide); return a message."""
    try:
        matplotlib: Any = importlib.import_module("matplotlib")
        matplotlib.use("Agg")
        plt: Any = importlib.import_module("matplotlib.pyplot")
    except ImportError:
        return "plot skipped: matplotlib is not installed (pip install 'slotcalc[bench]')"
    if not sweeps:
        return "plot skipped: no sweep was run"
    fig, axes = plt.subplots(1, len(sweeps), figsize=(5 * len(sweeps), 4), squeeze=False)
    for ax, sweep in zip(axes[0], sweeps, strict=True):
        sizes = [s["size"] for s in sweep["steps"]]
        for kind, style in (("typed", "o-"), ("json", "s-")):
            times = [s[f"{kind}_ms"] for s in sweep["steps"]]
            ax.plot(sizes, times, style, label=kind)
        top = max(s["json_ms"] for s in sweep["steps"])
        ax.plot(
            sizes,
            [top * n / sizes[-1] for n in sizes],
            ":",
            color="grey",
            label="linear",
        )
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel(sweep["name"])
        ax.set_ylabel("ms (median)")
        ax.set_title(sweep["label"], fontsize=9)
        ax.legend(fontsize=8)
        ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return f"plot written to {path}"
