"""The benchmark runner: ``python -m benchmarks`` or ``python benchmarks/run.py``.

Options::

    --quick             fewer repeats, the reference on the small case only (a smoke run)
    --repeats N         timed runs per figure (default 11; --quick: 3)
    --only W1,W3,...    just these parts: W1 W2 W3 W4 W5 W7, V2 (or W6: the team tree,
                        periods, limits, horizons, repeats), sweeps (or busy, days, hosts),
                        reference (W7, many hosts at once, runs only when asked for:
                        it needs pyarrow and dask, and a minute or two)
    --json FILE         also write every figure, the machine and the targets as JSON
    --plot FILE         plot the sweeps (needs matplotlib: pip install 'slotcalc[bench]')

Prints the machine record, the workload table (both paths, floors, engine/floor), the sweeps
with their growth factors, the reference engine, W5 and the targets of issue 6. The exit
status is 0 even when a target misses (the figures are the output, not a test).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: python benchmarks/run.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    __package__ = "benchmarks"

from benchmarks import report, suite, v2_bench
from benchmarks.timing import machine_info

PARTS = ("W1", "W2", "W3", "W4", "W5", "V2", "W7", "BUSY", "DAYS", "HOSTS", "REFERENCE")
ALIASES = {
    "SWEEPS": ("BUSY", "DAYS", "HOSTS"),
    "SWEEP": ("BUSY", "DAYS", "HOSTS"),
    "REF": ("REFERENCE",),
    "W6": ("V2",),
}


def parse_only(text: str | None) -> set[str] | None:
    """Return the selected parts (upper case), or None for all. Raises SystemExit when unknown."""
    if not text:
        return None
    out: set[str] = set()
    for raw in text.split(","):
        name = raw.strip().upper().removeprefix("SWEEP-")
        if not name:
            continue
        if name in ALIASES:
            out.update(ALIASES[name])
        elif name in PARTS:
            out.add(name)
        else:
            raise SystemExit(
                f"--only: unknown part {raw.strip()!r} (choose from W1 W2 W3 W4 W5 W6 V2 W7 "
                "sweeps busy days hosts reference)"
            )
    return out


def build_parser() -> argparse.ArgumentParser:
    """Return the command line parser."""
    p = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="slotcalc benchmarks (issue 6): workloads W1-W5 through the typed API and "
        "answer_request, their output floors, scaling sweeps, the reference engine, targets.",
        epilog="docs/benchmarks.md explains every figure.",
    )
    p.add_argument("--quick", action="store_true", help="few repeats: a smoke run")
    p.add_argument("--repeats", type=int, default=None, help="timed runs per figure")
    p.add_argument("--warmup", type=int, default=1, help="untimed runs before timing")
    p.add_argument(
        "--only",
        default=None,
        help="comma-separated parts: W1 W2 W3 W4 W5 W7, sweeps (or busy, days, hosts), "
        "reference",
    )
    p.add_argument("--json", type=Path, default=None, metavar="FILE", help="write results")
    p.add_argument("--plot", type=Path, default=None, metavar="FILE", help="plot the sweeps")
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the selected benchmarks, print them, write JSON/plot on request; return 0."""
    args = build_parser().parse_args(argv)
    only = parse_only(args.only)
    repeats = args.repeats or (3 if args.quick else 11)
    if repeats < 1 or args.warmup < 0:
        raise SystemExit("--repeats must be at least 1 and --warmup at least 0")
    settings = suite.Settings(repeats=repeats, warmup=args.warmup, quick=args.quick)
    started = time.perf_counter()
    machine = machine_info()
    entry_name, entry = suite.json_entry()

    def want(part: str) -> bool:
        return only is None or part in only

    print(report.header(machine, entry_name, repeats, args.warmup))
    print()
    results: dict[str, Any] = {
        "machine": machine,
        "settings": {"repeats": repeats, "warmup": args.warmup, "quick": args.quick},
        "json_path": entry_name,
    }

    cases = []
    for group in suite.workload_cases(only):
        cases.extend(suite.run_workloads(group, entry, settings))
    results["workloads"] = cases
    if cases:
        print("Workloads (ms; floor = just building the answer's datetimes / strings)")
        print(report.workloads_table(cases))
        print(report.workloads_legend(cases))
        print()

    if want("W5"):
        results["w5"] = suite.run_w5(settings)
        print(report.w5_text(results["w5"]))
        print()

    if want("V2"):
        results["v2"] = v2_bench.run(repeats, args.warmup)
        print(v2_bench.table(results["v2"]))
        print()

    if only is not None and "W7" in only:
        from benchmarks import batch_bench

        results["w7"] = batch_bench.run_w7(repeats=min(repeats, 3) if args.quick else 3)
        print(batch_bench.w7_text(results["w7"]))
        print()

    sweeps = []
    for name in ("busy", "days", "hosts"):
        if want(name.upper()):
            sweeps.append(suite.run_sweep(name, entry, settings))
            print(report.sweep_table(sweeps[-1]))
            print()
    results["sweeps"] = sweeps

    if want("REFERENCE"):
        results["reference"] = suite.run_reference(settings)
        print(report.reference_table(results["reference"]))
        print()

    results["targets"] = suite.targets(cases, sweeps)
    if results["targets"]:
        print(report.targets_table(results["targets"]))
        print()
    if args.plot is not None:
        print(report.plot(sweeps, args.plot))
    results["elapsed_s"] = round(time.perf_counter() - started, 1)
    if args.json is not None:
        report.write_json(results, args.json)
        print(f"results written to {args.json}")
    print(f"total time: {results['elapsed_s']:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
