"""The slot engine: SPEC §3 on integers (epoch seconds) and sorted interval lists.

Data flows one way: a :class:`HostPlan` is built once per host and request (busy time sorted,
widened and merged; seat usage as a step function; full days), then :func:`host_slots` walks
the host's merged windows for a span of starts and yields every slot start with its remaining
seats. Teams merge the hosts' sorted streams (:func:`merge_team`).

Sizes in the costs: W windows in the span, B busy entries, S candidate starts on the grid,
D local dates in the span, K hosts.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

from ._intervals import Interval, merge, subtract, subtract_tagged
from ._tz import DAY, OffsetTable, ordinal_date, wall_to_epoch
from .model import Schedule

#: How far back (days) the engine looks for the start of a window that is open at the edge of
#: the dates it expanded; a window still open that far back is anchored on the clock grid.
MAX_LOOKBACK_DAYS = 400
#: How far the next free start is searched for (SPEC §4).
SEARCH_DAYS = 366

REASONS = ("too_soon", "too_far", "outside_hours", "off_grid", "busy", "full", "day_full")

# A window: (start, end, anchored). ``anchored`` is False for a window that was still open
# MAX_LOOKBACK_DAYS before the span: its grid is the clock grid.
Window = tuple[int, int, bool]


#: How far (seconds) a day must lie from an offset change for :func:`day_windows` to resolve its
#: wall times by subtraction: two offsets of one zone differ by less than two days.
_SAFE_MARGIN = 2 * DAY


def day_windows(
    schedule: Schedule, first_day: int, last_day: int, table: OffsetTable | None = None
) -> list[Interval]:
    """Return the hours of local dates ``first_day..last_day`` (days since 1970) as merged instants.

    Each wall time is resolved by RFC 5545 §3.3.5 (:func:`wall_to_epoch`); an interval whose
    resolved end is not after its resolved start (only inside a DST gap) is empty.

    With the zone's ``table``, a day whose whole span lies inside one constant-offset segment
    of the zone, at least :data:`_SAFE_MARGIN` from both of its ends, is resolved by
    subtracting that offset (no datetime is built): then ``L − offset`` is an instant with wall
    time ``L`` and no earlier instant has it (that would need two offsets of the zone two days
    apart, and offsets stay within ±24 h), which is exactly what ``wall_to_epoch`` returns.
    Days near an offset change take ``wall_to_epoch``. Cost: O(D·I log(D·I)) for I intervals
    a day, with one datetime per wall time only on days near a transition.
    """
    zone = schedule.zone
    intervals_on = schedule.intervals_on
    out: list[Interval] = []
    segs = [] if table is None else table.segments((first_day - 3) * DAY, (last_day + 4) * DAY)
    j = 0
    for n in range(first_day, last_day + 1):
        day = ordinal_date(n)
        hours = intervals_on(day)
        if not hours:
            continue
        base = n * DAY  # the day's local midnight, in local seconds since 1970
        if segs:
            while j + 1 < len(segs) and segs[j][1] <= base - segs[j][2]:
                j += 1
            seg_start, seg_end, off = segs[j]
            first = base - off
            if seg_start + _SAFE_MARGIN <= first and first + DAY + _SAFE_MARGIN <= seg_end:
                out.extend((first + a, first + b) for a, b in hours)
                continue
        for a, b in hours:
            s = wall_to_epoch(zone, day, a)
            e = wall_to_epoch(zone, day, b)
            if e > s:
                out.append((s, e))
    return merge(out)


def spill_limit(table: OffsetTable, day: int) -> int:
    """Return the latest instant that hours of a local date before ``day`` can reach.

    A wall time ``L`` (local seconds, at most ``day``'s midnight) resolves to ``L − offset``
    for an offset in force around it — the one before a gap when it falls in one — so the
    smallest offset near that midnight bounds it. Usually this is ``day``'s own midnight; after
    a gap it is later (a whole day later where Pacific/Apia skipped 30 December 2011).
    Cost: O(log T).
    """
    base = day * DAY
    near = table.segments(base - 3 * DAY, base + 3 * DAY)
    return base - min(off for _, _, off in near)


def windows_for(schedule: Schedule, table: OffsetTable, lo: int, hi: int) -> list[Window]:
    """Return the merged windows that may hold a slot ``[s, e)`` with ``lo <= s`` and ``e <= hi``.

    A window that the hours of the dates before the expanded ones could reach (it starts by
    their :func:`spill_limit`) is followed back, doubling the look-back, to its real start, so
    the grid of ``align="window"`` does not depend on the range asked. Cost: O(D log D) for
    the D local dates spanned (more only for windows open for days on end, up to
    :data:`MAX_LOOKBACK_DAYS`).
    """
    first = table.local_day(lo) - 2
    last = table.local_day(hi) + 2
    back = 0
    while True:
        start_day = first - back
        wins = day_windows(schedule, start_day, last, table)
        open_at_edge = bool(wins) and wins[0][0] <= spill_limit(table, start_day)
        if not open_at_edge or back >= MAX_LOOKBACK_DAYS:
            break
        back = min(MAX_LOOKBACK_DAYS, max(7, back * 2))
    out = [(a, b, True) for a, b in wins if b > lo and a < hi]
    if open_at_edge and out and wins[0][0] == out[0][0]:
        out[0] = (out[0][0], out[0][1], False)
    return out


def clock_points(table: OffsetTable, period: int, a: int, b: int) -> range | list[int]:
    """Return the starts in ``[a, b)`` whose wall time is a whole multiple of ``period``.

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


@dataclass(frozen=True, slots=True)
class Policy:
    """The event policy in seconds, and the bounds shared by every host of a request."""

    duration: int
    step: int
    align: str
    buffer_before: int
    buffer_after: int
    capacity: int
    max_per_day: int | None
    horizon_days: int | None
    earliest: int  # now + min_notice, rounded up to a whole second


@dataclass(slots=True)
class HostPlan:
    """One host's schedule and busy time, prepared for repeated span queries.

    Built in O(B log B): ``blocked`` merges every blocking entry widened by the buffers
    (``[start − buffer_after, end + buffer_before)``); ``forbidden`` is the set of starts that
    would overlap one (``[A − duration + 1, B)`` for each blocked ``[A, B)``); ``seat_times`` /
    ``seat_use`` the step function of seats in use; ``full_days`` the local dates that already
    have ``max_per_day`` bookings; ``horizon`` the first instant past the horizon.
    """

    schedule: Schedule
    table: OffsetTable
    policy: Policy
    blocked: list[Interval]
    forbidden: list[Interval]
    forbidden_starts: list[int]
    seat_segments: list[tuple[int, int, int]]
    seat_starts: list[int]
    full_days: set[int]
    horizon: int | None


def plan_host(
    schedule: Schedule,
    table: OffsetTable,
    policy: Policy,
    now: int,
    blocking: Iterable[Interval],
    bookings: Iterable[tuple[int, int, int]],
) -> HostPlan:
    """Return the :class:`HostPlan` of one host. ``bookings`` are ``(start, end, seats)``.

    Cost: O(B log B).
    """
    dur, bb, ba = policy.duration, policy.buffer_before, policy.buffer_after
    blocked = _widen_merge(blocking, ba, bb)
    # after widening, neighbouring forbidden ranges may overlap: join them (one pass, since
    # ``blocked`` is merged its ends increase, and a - dur + 1 < b keeps every range non-empty)
    forbidden: list[Interval] = []
    lead = dur - 1
    last_a = last_b = 0
    for a, b in blocked:
        a -= lead
        if forbidden and a <= last_b:
            forbidden[-1] = (last_a, b)
        else:
            forbidden.append((a, b))
            last_a = a
        last_b = b
    books = list(bookings)
    events: dict[int, int] = {}
    for s, e, k in books:
        events[s] = events.get(s, 0) + k
        events[e] = events.get(e, 0) - k
    segments: list[tuple[int, int, int]] = []
    level = 0
    times = sorted(events)
    for i, t in enumerate(times[:-1]):
        level += events[t]
        if level > 0:
            segments.append((t, times[i + 1], level))
    full: set[int] = set()
    if policy.max_per_day is not None and books:
        counts: dict[int, int] = {}
        for s, _e, _k in books:
            d = table.local_day(s)
            counts[d] = counts.get(d, 0) + 1
        full = {d for d, c in counts.items() if c >= policy.max_per_day}
    horizon = None
    if policy.horizon_days is not None:
        today = table.local_day(now)
        horizon = wall_to_epoch(schedule.zone, ordinal_date(today + policy.horizon_days), 0)
    return HostPlan(
        schedule,
        table,
        policy,
        blocked,
        forbidden,
        [a for a, _ in forbidden],
        segments,
        [s for s, _, _ in segments],
        full,
        horizon,
    )


def _widen_merge(spans: Iterable[Interval], before: int, after: int) -> list[Interval]:
    """Return ``merge((s - before, e + after) for s, e in spans)``, in one pass after one sort.

    Widening by constants keeps the order of the pairs, so the raw pairs are sorted and
    widened as they are merged; empty pairs are dropped, touching ones join, as in
    :func:`~slotcalc._intervals.merge`. Cost: O(B log B).
    """
    out: list[Interval] = []
    append = out.append
    cur_a = cur_b = 0
    open_ = False
    for s, e in sorted(spans):
        a, b = s - before, e + after
        if b <= a:
            continue
        if open_ and a <= cur_b:
            if b > cur_b:
                cur_b = b
            continue
        if open_:
            append((cur_a, cur_b))
        cur_a, cur_b, open_ = a, b, True
    if open_:
        append((cur_a, cur_b))
    return out


def _grid(plan: HostPlan, anchor: int | None, a: int, b: int) -> range | list[int]:
    """Return the grid points in ``[a, b)``: from ``anchor`` by ``step``, or the clock grid."""
    step = plan.policy.step
    if anchor is None or plan.policy.align == "clock":
        return clock_points(plan.table, step, a, b)
    first = anchor + -(-(a - anchor) // step) * step
    return range(first, b, step)


def host_slots(
    plan: HostPlan, lo: int, hi: int, limit: int | None = None
) -> tuple[list[int], list[int]]:
    """Return ``(starts, remaining)``: every slot start ``s`` of the host with ``lo <= s < hi``.

    Applies SPEC §3 conditions 1, 2 (with ``lo``/``hi`` already holding notice and horizon), 4,
    5 and 6; stops after ``limit`` slots. Cost: O(D log D + W + B + S) — windows from the
    schedule, one two-pointer pass against the forbidden starts, one sliding-window maximum over
    the seat step function, one bisect-free pass for full days.
    """
    pol = plan.policy
    dur = pol.duration
    lo = max(lo, pol.earliest)
    if plan.horizon is not None:
        hi = min(hi, plan.horizon)
    if hi <= lo:
        return [], []
    wins = windows_for(plan.schedule, plan.table, lo, hi + dur)
    ranges: list[tuple[int, int, int | None]] = []
    if pol.align == "free":
        for ws, we, anchored in wins:
            for fs, fe in subtract([(ws, we)], plan.blocked):
                a, b = max(fs, lo), min(fe - dur + 1, hi)
                if a < b:
                    ranges.append((a, b, fs if (anchored or fs != ws) else None))
    else:
        for ws, we, anchored in wins:
            a, b = max(ws, lo), min(we - dur + 1, hi)
            if a < b:
                ranges.append((a, b, ws if anchored else None))
        ranges = subtract_tagged(ranges, plan.forbidden)
    starts: list[int] = []
    for a, b, anchor in ranges:
        starts.extend(_grid(plan, anchor, a, b))
        if (
            limit is not None
            and not plan.seat_segments
            and not plan.full_days
            and len(starts) >= limit
        ):
            break
    remaining = _seats(plan, starts)
    if plan.full_days:
        table = plan.table
        keep = [i for i, s in enumerate(starts) if table.local_day(s) not in plan.full_days]
        starts = [starts[i] for i in keep]
        remaining = [remaining[i] for i in keep]
    if limit is not None and len(starts) > limit:
        del starts[limit:]
        del remaining[limit:]
    return starts, remaining


def _seats(plan: HostPlan, starts: list[int]) -> list[int]:
    """Filter ``starts`` in place to those with a free seat; return their remaining seats.

    Sliding-window maximum (monotonic deque) of the seat step function over
    ``[s − buffer_before, s + duration + buffer_after)`` as ``s`` increases. Cost: O(S + B).
    """
    pol = plan.policy
    cap = pol.capacity
    segs = plan.seat_segments
    if not segs:
        return [cap] * len(starts)
    bb, tail = pol.buffer_before, pol.duration + pol.buffer_after
    window: deque[tuple[int, int]] = deque()  # (end, level), levels decreasing
    j = 0
    n = len(segs)
    kept: list[int] = []
    rem: list[int] = []
    for s in starts:
        left, right = s - bb, s + tail
        while j < n and segs[j][0] < right:
            _, e, level = segs[j]
            while window and window[-1][1] <= level:
                window.pop()
            window.append((e, level))
            j += 1
        while window and window[0][0] <= left:
            window.popleft()
        peak = window[0][1] if window else 0
        if peak < cap:
            kept.append(s)
            rem.append(cap - peak)
    starts[:] = kept
    return rem


def peak_seats(plan: HostPlan, a: int, b: int) -> int:
    """Return the most seats in use at any instant of ``[a, b)``. Cost: O(log B + k)."""
    segs = plan.seat_segments
    i = max(0, bisect_right(plan.seat_starts, a) - 1)
    peak = 0
    while i < len(segs) and segs[i][0] < b:
        if segs[i][1] > a:
            peak = max(peak, segs[i][2])
        i += 1
    return peak


def check_host(plan: HostPlan, s: int, exact: bool) -> tuple[str | None, int]:
    """Return ``(reason, remaining)`` for start ``s``: the first SPEC §4 reason, or None.

    ``exact`` is False when the asked start had a fraction of a second (never on a grid).
    Cost: O(D log D + log B) — the windows around ``s``, bisects into the busy lists.
    """
    pol = plan.policy
    dur = pol.duration
    if s < pol.earliest:
        return "too_soon", 0
    if plan.horizon is not None and s >= plan.horizon:
        return "too_far", 0
    e = s + dur
    wins = windows_for(plan.schedule, plan.table, s, e)
    win = next(((ws, we, anc) for ws, we, anc in wins if ws <= s and e <= we), None)
    if win is None:
        return "outside_hours", 0
    ws, we, anchored = win
    i = bisect_right(plan.forbidden_starts, s) - 1
    overlaps_busy = i >= 0 and plan.forbidden[i][1] > s
    if pol.align == "free":
        if overlaps_busy:
            return "busy", 0
        stretch = next(
            (fs for fs, fe in subtract([(ws, we)], plan.blocked) if fs <= s and e <= fe), ws
        )
        anchor: int | None = stretch if (anchored or stretch != ws) else None
    else:
        anchor = ws if anchored else None
    if not exact or s not in _grid(plan, anchor, s, s + 1):
        return "off_grid", 0
    if overlaps_busy:
        return "busy", 0
    peak = peak_seats(plan, s - pol.buffer_before, e + pol.buffer_after)
    if peak >= pol.capacity:
        return "full", 0
    if plan.full_days and plan.table.local_day(s) in plan.full_days:
        return "day_full", 0
    return None, pol.capacity - peak


TeamStream = tuple[list[int], list[int], list[tuple[int, ...]] | None]


def merge_team(streams: list[tuple[list[int], list[int]]], mode: str, need: int) -> TeamStream:
    """Merge the hosts' sorted slot streams into the team's: ``(starts, remaining, hosts)``.

    ``all``: starts every host offers, remaining the smallest; ``any``: starts at least
    ``need`` hosts offer, remaining the sum. ``hosts`` holds host indices in request order.
    One pass over the streams with a dict, then one sort of the distinct starts:
    Cost: O(N + U log U) for N slots over all hosts, U distinct starts — about K times one host.
    """
    k = len(streams)
    if mode == "all":
        if not streams:
            return [], [], []
        common = dict(zip(*streams[0], strict=True))
        for starts, rem in streams[1:]:
            common = {s: min(r, common[s]) for s, r in zip(starts, rem, strict=True) if s in common}
        keys = sorted(common)
        everyone = tuple(range(k))
        return keys, [common[s] for s in keys], [everyone] * len(keys)
    free: dict[int, list[int]] = {}
    total: dict[int, int] = {}
    for idx, (starts, rem) in enumerate(streams):
        for s, r in zip(starts, rem, strict=True):
            got = free.get(s)
            if got is None:
                free[s] = [idx]
                total[s] = r
            else:
                got.append(idx)
                total[s] += r
    keys = sorted(s for s, who in free.items() if len(who) >= need)
    return keys, [total[s] for s in keys], [tuple(free[s]) for s in keys]


def first_start(plans: list[HostPlan], mode: str, need: int, lo: int, hi: int) -> int | None:
    """Return the first slot start in ``[lo, hi)`` (one host, or the team), searching in chunks.

    Chunks of 7, 31 and then the rest of the days keep the common case (a free start soon) cheap.
    Cost: that of :func:`host_slots` over the days searched, times K hosts.
    """
    a = lo
    for width in (7 * DAY, 31 * DAY, hi - lo):
        b = min(hi, a + width)
        if a >= b:
            break
        if len(plans) == 1:
            starts, _ = host_slots(plans[0], a, b, limit=1)
            if starts:
                return starts[0]
        else:
            merged = merge_team([host_slots(p, a, b) for p in plans], mode, need)[0]
            if merged:
                return merged[0]
        a = b
    return None
