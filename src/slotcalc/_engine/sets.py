"""Interval algebra on sorted lists of half-open integer intervals ``[(start, end), …]``.

Every function takes and returns lists sorted by start. A *merged* list (a set) has no two
intervals that overlap or touch, and no empty interval; every set operation returns one.
Intersections and differences are two-pointer walks (as in ``portion``), unions of many lists
and "at least k of n" are one sweep over the sorted end points. Costs are in the docstrings
(n, m: lengths of the inputs; N: their total length).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from itertools import islice
from typing import TypeVar

Interval = tuple[int, int]
IntervalSet = list[Interval]
T = TypeVar("T")

#: The set of every integer we deal with (instants of the years 1800–2500, doubled).
EVERYTHING: tuple[int, int] = (-(2**62), 2**62)


def merge(intervals: Iterable[Interval]) -> IntervalSet:
    """Return the union of ``intervals`` as a merged list (touching intervals join).

    Empty intervals (end <= start) are dropped. The starts and the ends are sorted each on
    its own (C-level int sorts) and joined by :func:`join_columns`. Cost: O(n log n).
    """
    pairs = [(a, b) for a, b in intervals if b > a]
    return join_columns(sorted([a for a, _ in pairs]), sorted([b for _, b in pairs]), 1)


def union(*sets: IntervalSet) -> IntervalSet:
    """Return the union of merged lists as a merged list. Cost: O(N log N), C-level sorts of
    runs that are already in order."""
    return join_columns(sorted([a for x in sets for a, _ in x]),
                        sorted([b for x in sets for _, b in x]), 1)


def join_columns(starts: Sequence[int], ends: Sequence[int], gap: int = 0) -> IntervalSet:
    """Return the union of the intervals ``[starts[i], ends[i])``, pieces less than ``gap``
    apart joined (``gap = 1``: touching pieces join too), as a merged list.

    ``starts`` and ``ends`` are each sorted **on their own** (no pairs are needed): with the
    starts and the ends in order, a piece ends before ``starts[i]`` exactly when the ``i``
    smallest ends all lie before it, so the cuts are where ``starts[i] ≥ ends[i − 1] + gap``.
    Every interval must be non-empty. Cost: O(n), one pass over ints.
    """
    if not starts:
        return []
    out: IntervalSet = []
    append = out.append
    a = starts[0]
    for s, e in zip(islice(starts, 1, None), ends, strict=False):  # ends[-1] is left
        if s >= e + gap:
            append((a, e))
            a = s
    append((a, ends[-1]))
    return out


def join_pairs(starts: Sequence[int], ends: Sequence[int], gap: int = 0) -> IntervalSet:
    """Return what :func:`join_columns` returns, for ``starts`` sorted and each ``ends[i]``
    either the end of the interval starting at ``starts[i]`` or, as there, the ``i``-th
    smallest end.

    A piece ends before ``starts[i]`` exactly when every earlier interval does, that is when
    the largest end so far lies before it (for columns sorted on their own that is
    ``ends[i − 1]``). Spans that come in start order need no sort of their ends. Every
    interval must be non-empty. Cost: O(n), one pass over ints.
    """
    if not starts:
        return []
    out: IntervalSet = []
    append = out.append
    a, m = starts[0], ends[0]
    for s, e in zip(islice(starts, 1, None), islice(ends, 1, None), strict=True):
        if s >= m + gap:
            append((a, m))
            a, m = s, e
        elif e > m:
            m = e
    append((a, m))
    return out


def widen(x: IntervalSet, before: int, after: int) -> IntervalSet:
    """Return ``[(a − before, b + after)]`` joined where they overlap or touch, in one pass.

    ``x`` is sorted by start with no empty interval; widening by constants keeps that order,
    so no sort is needed. Cost: O(n).
    """
    out: IntervalSet = []
    for a, b in x:
        a, b = a - before, b + after
        if out and a <= out[-1][1]:
            if b > out[-1][1]:
                out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


def intersect(x: IntervalSet, y: IntervalSet) -> IntervalSet:
    """Return ``x ∩ y`` (both merged) as a merged list. Cost: O(n + m)."""
    out: IntervalSet = []
    i = j = 0
    n, m = len(x), len(y)
    while i < n and j < m:
        a = max(x[i][0], y[j][0])
        b = min(x[i][1], y[j][1])
        if a < b:
            out.append((a, b))
        if x[i][1] < y[j][1]:
            i += 1
        else:
            j += 1
    return out


def subtract(base: IntervalSet, cut: IntervalSet) -> IntervalSet:
    """Return ``base`` minus ``cut`` (both merged) as a merged list. Cost: O(n + m)."""
    return [(a, b) for a, b, _ in subtract_tagged([(a, b, None) for a, b in base], cut)]


def subtract_tagged(
    base: Sequence[tuple[int, int, T]], cut: IntervalSet
) -> list[tuple[int, int, T]]:
    """Return ``base`` minus ``cut``; each piece keeps the tag of the interval it came from.

    ``base`` is sorted and its intervals do not overlap; ``cut`` is merged. The walk starts at
    the first interval of ``cut`` that can matter (bisect), so a short ``base`` against a long
    ``cut`` costs O(n + log m + k) for the k pieces of ``cut`` inside it.
    """
    out: list[tuple[int, int, T]] = []
    if not base:
        return out
    m = len(cut)
    j = bisect_right(cut, (base[0][0], EVERYTHING[1])) - 1 if cut else 0
    j = max(j, 0)
    for a, b, tag in base:
        if j < m and cut[j][1] <= a:  # jump over the cuts that end before a (one search)
            j = bisect_left(cut, (a,), j + 1)
            if cut[j - 1][1] > a:
                j -= 1
        k = j
        while k < m and cut[k][0] < b:
            ca, cb = cut[k]
            if ca > a:
                out.append((a, ca, tag))
            if cb >= b:
                a = b
                break
            a = max(a, cb)
            k += 1
        if a < b:
            out.append((a, b, tag))
    return out


def clip(x: IntervalSet, lo: int, hi: int) -> IntervalSet:
    """Return ``x ∩ [lo, hi)`` (``x`` merged). Two searches find the intervals that meet the
    range, a slice copies them and only the first and the last are cut.
    Cost: O(log n + k) for the k intervals kept, all but two of them C-level copies."""
    if hi <= lo or not x:
        return []
    i = max(0, bisect_right(x, (lo, EVERYTHING[1])) - 1)  # the last one starting by lo
    out = x[i:bisect_left(x, (hi,), i)]  # …up to the first one starting at or after hi
    if out and out[0][1] <= lo:
        del out[0]
    if out:
        a, b = out[0]
        if a < lo:
            out[0] = (lo, b)
        a, b = out[-1]
        if b > hi:
            out[-1] = (a, hi)
    return out


def shift(x: IntervalSet, by: int) -> IntervalSet:
    """Return ``x`` moved by ``by``. Cost: O(n)."""
    return [(a + by, b + by) for a, b in x]


def at_least(sets: Sequence[IntervalSet], k: int) -> IntervalSet:
    """Return the points that lie in at least ``k`` of ``sets`` (each merged), as a merged list.

    ``k = len(sets)`` is the intersection, ``k = 1`` the union. One sweep over the sorted end
    points with a counter. Cost: O(N log N).
    """
    if k <= 0:
        return [EVERYTHING]
    if k > len(sets):
        return []
    if len(sets) == 1:
        return list(sets[0])
    if k == len(sets) == 2:
        return intersect(sets[0], sets[1])
    events: list[tuple[int, int]] = []
    for s in sets:
        for a, b in s:
            events.append((a, 1))
            events.append((b, -1))
    events.sort()  # at one point, ends (-1) come before starts (+1): half-open intervals
    out: IntervalSet = []
    level = 0
    opened = 0
    for t, d in events:
        before = level
        level += d
        if before < k <= level:
            opened = t
        elif level < k <= before and t > opened:
            if out and out[-1][1] == opened:
                out[-1] = (out[-1][0], t)
            else:
                out.append((opened, t))
    return out


def holds(x: IntervalSet, t: int) -> bool:
    """Return whether ``t`` lies in ``x``. Cost: O(log n)."""
    i = bisect_right(x, (t, EVERYTHING[1])) - 1
    return i >= 0 and x[i][1] > t


def first_at_or_after(x: IntervalSet, t: int) -> int | None:
    """Return the smallest point of ``x`` that is at least ``t``, or None. Cost: O(log n)."""
    i = bisect_left(x, (t, EVERYTHING[0]))
    if i > 0 and x[i - 1][1] > t:
        return t
    return x[i][0] if i < len(x) else None
