"""Benchmark W5: busy time from a realistic Google-style feed, slotcalc vs icalendar.

Times, on :func:`benchmarks.feeds.google_style_feed` (5,000 events + 200 recurring series,
about 3.8 MB) and its 90-day window :data:`benchmarks.feeds.W5_WINDOW`:

* ``slotcalc``: :func:`slotcalc.ical.read_calendar_text` (scan + expand, one call);
* ``icalendar parse``: ``icalendar.Calendar.from_ical``;
* ``recurring-ical-events expand``: ``recurring_ical_events.of(cal).between(start, end)``;
* ``unfold + split``: merely unfolding and splitting the text into content lines (the floor
  any reader pays), the faster of two plain ways of doing it;

each the best of ``repeat`` runs, and the peak memory of one run of each (``tracemalloc``).

Run ``python -m benchmarks.ical_bench`` (from the repository root) to print the table; the
benchmark lead calls :func:`run_w5`, which returns the figures as a dict.
"""

from __future__ import annotations

import gc
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

from benchmarks.feeds import W5_WINDOW, google_style_feed

__all__ = ["main", "run_w5", "unfold_split"]


def unfold_split(text: str) -> list[str]:
    """Return the content lines of ``text``: line breaks (CRLF or LF) split, folded
    continuation lines joined (the least any reader must do)."""
    lines: list[str] = []
    for line in text.splitlines():
        if line[:1] in (" ", "\t") and lines:
            lines[-1] += line[1:]
        else:
            lines.append(line)
    return lines


def _unfold_split_replace(text: str) -> list[str]:
    return text.replace("\r\n", "\n").replace("\n ", "").replace("\n\t", "").split("\n")


def _best(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    best = float("inf")
    result: Any = None
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def _peak(fn: Callable[[], Any]) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def run_w5(n_events: int = 5000, n_recurring: int = 200, *, repeat: int = 9,
           reference: bool = True, memory: bool = True) -> dict[str, Any]:
    """Run benchmark W5 and return its figures.

    Keys: ``feed_bytes``, ``busy_instances``; ``ours_s``, ``unfold_s`` (seconds, best of
    ``repeat``), ``ours_parse_s`` and ``ours_expand_s`` (our two phases timed apart);
    with ``reference``: ``ical_parse_s``, ``ical_expand_s``, ``ical_total_s``,
    ``ical_occurrences``, ``speedup`` (their total / ours); ``vs_unfold`` (ours / unfold);
    with ``memory``: ``ours_peak_bytes``, ``unfold_peak_bytes`` and (with ``reference``)
    ``ical_peak_bytes``, ``memory_ratio`` (theirs / ours). The reference is timed once per
    repetition of parse and of expansion, separately.
    """
    from slotcalc.ical import read_calendar_text

    text = google_style_feed(n_events, n_recurring)
    start, end = W5_WINDOW
    out: dict[str, Any] = {"feed_bytes": len(text.encode("utf-8")), "n_events": n_events,
                           "n_recurring": n_recurring}

    def ours() -> Any:
        return read_calendar_text(text, start=start, end=end, timezone="Europe/Berlin")

    # interleaved, so a busy machine slows both sides alike
    best_ours = best_unfold = float("inf")
    found: Any = None
    for _ in range(repeat):
        seconds, found = _best(ours, 1)
        best_ours = min(best_ours, seconds)
        plain, _ = _best(lambda: unfold_split(text), 1)
        replaced, _ = _best(lambda: _unfold_split_replace(text), 1)
        best_unfold = min(best_unfold, plain, replaced)
    out["ours_s"] = best_ours
    out["unfold_s"] = best_unfold
    # our two phases on their own: reading the content lines into components (parse), then
    # expanding the components that overlap the window into busy instances (expand)
    from slotcalc.ical import _zone
    from slotcalc.ical._busy import busy_intervals
    from slotcalc.ical._parse import iter_chunks, scan

    parse_s, cal = _best(lambda: scan(iter_chunks(text)), max(1, repeat // 2))
    lo, hi = int(start.timestamp()), int(end.timestamp())
    zone = _zone("Europe/Berlin")
    expand_s, _ = _best(lambda: busy_intervals(cal, lo, hi, zone, 100_000), max(1, repeat // 2))
    out["ours_parse_s"] = parse_s
    out["ours_expand_s"] = expand_s
    out["busy_instances"] = len(found.intervals)
    out["vs_unfold"] = out["ours_s"] / out["unfold_s"]
    if memory:
        out["ours_peak_bytes"] = _peak(ours)
        out["unfold_peak_bytes"] = _peak(lambda: unfold_split(text))
    if reference:
        import icalendar
        import recurring_ical_events

        parse_s, cal = _best(lambda: icalendar.Calendar.from_ical(text), max(1, repeat // 2))
        expand_s, found_ref = _best(
            lambda: list(recurring_ical_events.of(cal).between(start, end)), max(1, repeat // 2))
        out["ical_parse_s"] = parse_s
        out["ical_expand_s"] = expand_s
        out["ical_total_s"] = parse_s + expand_s
        out["ical_occurrences"] = len(found_ref)
        out["speedup"] = out["ical_total_s"] / out["ours_s"]
        if memory:
            def theirs() -> Any:
                calendar = icalendar.Calendar.from_ical(text)
                return list(recurring_ical_events.of(calendar).between(start, end))

            out["ical_peak_bytes"] = _peak(theirs)
            out["memory_ratio"] = out["ical_peak_bytes"] / out["ours_peak_bytes"]
    return out


def main() -> None:
    """Print the W5 table."""
    r = run_w5()
    mb = 1024 * 1024
    print(f"W5: Google-style feed, {r['n_events']} events + {r['n_recurring']} series, "
          f"{r['feed_bytes'] / 1e6:.2f} MB, 90-day window, {r['busy_instances']} busy instances")
    print(f"{'':34}{'time':>10}{'peak memory':>14}")
    rows = [("slotcalc (parse + expand)", r["ours_s"], r.get("ours_peak_bytes")),
            ("unfold + split lines", r["unfold_s"], r.get("unfold_peak_bytes"))]
    if "ical_parse_s" in r:
        rows += [("icalendar parse", r["ical_parse_s"], None),
                 ("recurring-ical-events expand", r["ical_expand_s"], None),
                 ("icalendar + r-i-e total", r["ical_total_s"], r.get("ical_peak_bytes"))]
    for name, seconds, peak in rows:
        memory = f"{peak / mb:11.1f} MB" if peak is not None else ""
        print(f"{name:34}{seconds * 1000:8.1f} ms{memory:>14}")
    print(f"slotcalc / unfold+split: {r['vs_unfold']:.2f}x (issue 10's target <= 2.5x)")
    if "speedup" in r:
        print(f"icalendar+r-i-e / slotcalc: {r['speedup']:.1f}x faster (target >= 10x)")
    if "memory_ratio" in r:
        print(f"peak memory, theirs / ours: {r['memory_ratio']:.1f}x (target >= 5x)")


if __name__ == "__main__":
    main()
