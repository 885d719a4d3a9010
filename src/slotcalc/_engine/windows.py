"""Working hours → merged windows of instants, and the wall-clock grid, on integers only.

Wall times become instants by RFC 5545 §3.3.5 (SPEC §1) with :func:`resolve`, which reads the
zone's :class:`~slotcalc._tz.OffsetTable` (no datetime is built): a wall time that occurs twice
means its first occurrence, one that does not exist is read with the offset in force before
the gap. Sizes in the costs: D local dates, I intervals a day, T offset changes.
"""

from __future__ import annotations

from functools import lru_cache

from .._tz import DAY, OffsetTable, offset_table
from ..model import Schedule
from .sets import Interval, IntervalSet, merge

#: How far back (days) a window still open at the edge of the expanded dates is followed; a
#: window open that far back is anchored on the clock grid (its start is unknown).
MAX_LOOKBACK_DAYS = 400

# A window: (start, end, anchored). ``anchored`` is False for a window that was still open
# MAX_LOOKBACK_DAYS before the span: its grid is the clock grid.
Window = tuple[int, int, bool]


def resolve(table: OffsetTable, local: int) -> int:
    """Return the instant of wall reading ``local`` (local seconds since 1970) by SPEC §1.

    Among the constant-offset segments near ``local``, the first whose local range has not
    ended by ``local`` holds its first occurrence; when ``local`` lies before that segment's
    local start, it is in a gap and is read with the offset before the gap. Cost: O(log T).
    """
    segs = table.segments(local - 2 * DAY, local + 2 * DAY)
    prev = segs[0][2]
    for a, b, off in segs:
        if local < b + off:
            return local - (off if local >= a + off else prev)
        prev = off
    return local - prev


def resolve_pieces(table: OffsetTable, lo: int, hi: int) -> list[tuple[int, int, int]]:
    """Return ``[(a, b, off)]`` covering wall readings ``[lo, hi)``; on each, ``L ↦ L − off``.

    The offset used by :func:`resolve` changes only where a segment's local range starts or
    ends. Cost: O(T log T) for the T offset changes near the span.
    """
    segs = table.segments(lo - 2 * DAY, hi + 2 * DAY)
    cuts = {lo}
    for a, b, off in segs:
        for c in (a + off, b + off):
            if lo < c < hi:
                cuts.add(c)
    points = sorted(cuts)
    ends = [*points[1:], hi]
    return [(a, b, a - resolve(table, a)) for a, b in zip(points, ends, strict=True)]


def midnight(table: OffsetTable, day: int) -> int:
    """Return the instant local date ``day`` (days since 1970) begins. Cost: O(log T)."""
    return resolve(table, day * DAY)


def date_instants(table: OffsetTable, first: int, end: int) -> IntervalSet:
    """Return the instants whose local date is in ``first … end − 1`` (days since 1970).

    Usually ``[midnight(first), midnight(end))``; where clocks go back over midnight, the
    repeated hour after it belongs to the earlier date again, so the set may have holes.
    Cost: O(log T + k) for the k offset changes near the dates.
    """
    lo, hi = first * DAY, end * DAY  # local seconds
    out: list[Interval] = []
    for a, b, off in table.segments(lo - 2 * DAY, hi + 2 * DAY):
        x, y = max(a, lo - off), min(b, hi - off)
        if x < y:
            out.append((x, y))
    return merge(out)


#: How far (seconds) a day must lie from an offset change for :func:`day_windows` to resolve its
#: wall times by subtraction: two offsets of one zone differ by less than two days.
_SAFE_MARGIN = 2 * DAY


def day_windows(schedule: Schedule, first_day: int, last_day: int) -> IntervalSet:
    """Return the hours of local dates ``first_day..last_day`` (days since 1970) as merged instants.

    Each date's hours are read in the zone of that date (the schedule's, or a travel zone's);
    each wall time resolved by :func:`resolve`; an interval whose resolved end is not after its
    start (only inside a gap) is empty. A date far from any offset change is resolved by
    subtracting the segment's offset; then ``L − offset`` is exactly what :func:`resolve`
    returns. Cost: O(D·I log(D·I)).
    """
    out: list[Interval] = []
    for zone, a, b in schedule.zone_runs(first_day, last_day):
        table = offset_table(zone)
        segs = table.segments((a - 3) * DAY, (b + 4) * DAY)
        j = 0
        for n in range(a, b + 1):
            hours = schedule.hours_on(n)
            if not hours:
                continue
            base = n * DAY
            while j + 1 < len(segs) and segs[j][1] <= base - segs[j][2]:
                j += 1
            seg_start, seg_end, off = segs[j]
            first = base - off
            if seg_start + _SAFE_MARGIN <= first and first + DAY + _SAFE_MARGIN <= seg_end:
                out.extend((first + x, first + y) for x, y in hours)
                continue
            for x, y in hours:
                s = resolve(table, base + x)
                e = resolve(table, base + y)
                if e > s:
                    out.append((s, e))
    return merge(out)


def spill_limit(table: OffsetTable, day: int) -> int:
    """Return the latest instant that hours of a local date before ``day`` can reach.

    A wall time at most ``day``'s midnight resolves to at most that minus the smallest offset
    in force near it: usually the midnight itself, later after a gap (a whole day later where
    Pacific/Apia skipped 30 December 2011). Cost: O(log T).
    """
    base = day * DAY
    near = table.segments(base - 3 * DAY, base + 3 * DAY)
    return base - min(off for _, _, off in near)


@lru_cache(maxsize=256)
def windows_for(schedule: Schedule, lo: int, hi: int) -> list[Window]:
    """Return the merged windows that meet ``[lo, hi)``, each with its real start.

    When the first window starts by the :func:`spill_limit` of the first date expanded, the
    hours of earlier dates might join it: one more date is expanded, and only while that
    moves the window's start back is the look-back doubled, so the grid of
    ``align="window"`` does not depend on the range asked. Cost: O(D log D) for the D local
    dates spanned (more only for windows open for days on end, up to
    :data:`MAX_LOOKBACK_DAYS`). Kept in a small cache: hosts often share a schedule, and a
    range is asked again by searches. The list returned is shared: do not change it.
    """
    table = offset_table(schedule.zone)
    first = table.local_day(lo) - 2
    last = table.local_day(hi) + 2
    back = 0
    wins = day_windows(schedule, first, last)
    open_at_edge = bool(wins) and wins[0][0] <= spill_limit(table, first)
    while open_at_edge and back < MAX_LOOKBACK_DAYS:
        step = 1 if back == 0 else min(MAX_LOOKBACK_DAYS, back * 2)
        more = day_windows(schedule, first - step, last)
        edge = wins[0][0]
        held = next((a for a, b in more if a <= edge < b), edge)
        if held == edge:  # earlier dates do not reach the window: its start is real
            open_at_edge = False
            break
        wins, back = more, step
        open_at_edge = wins[0][0] <= spill_limit(table, first - back)
    out = [(a, b, True) for a, b in wins if b > lo and a < hi]
    if open_at_edge and out and wins[0][0] == out[0][0]:
        out[0] = (out[0][0], out[0][1], False)
    return out


def clock_points(table: OffsetTable, period: int, a: int, b: int) -> range | list[int]:
    """Return the instants in ``[a, b)`` whose wall time is a whole multiple of ``period``.

    Cost: O(T + P) for T offset changes in the span and P points (plus one step a local day
    when ``period`` does not divide a day).
    """
    segs = table.segments(a, b)
    if len(segs) == 1 and DAY % period == 0:
        x, y, off = segs[0]
        first = -(-(x + off) // period) * period
        return range(first - off, y, period)
    out: list[int] = []
    for x, y, off in segs:
        la, lb = x + off, y + off
        if DAY % period == 0:
            first = -(-la // period) * period
            out.extend(range(first - off, lb - off, period))
            continue
        d = la // DAY
        while d * DAY < lb:
            base = d * DAY
            k0 = max(0, -(-(la - base) // period))
            out.extend(range(base + k0 * period - off, min(lb, base + DAY) - off, period))
            d += 1
    return out
