"""Interval algebra on sorted lists of half-open integer intervals ``[(start, end), …]``.

Every function takes and returns lists sorted by start; "merged" lists also have no two
intervals that overlap or touch. Costs are in the docstrings (n, m: lengths of the inputs).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable

Interval = tuple[int, int]


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Return the union of ``intervals`` as a merged list (touching intervals join).

    Empty intervals (end <= start) are dropped. Cost: O(n log n).
    """
    out: list[Interval] = []
    for a, b in sorted(intervals):
        if b <= a:
            continue
        if out and a <= out[-1][1]:
            if b > out[-1][1]:
                out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


def subtract(base: list[Interval], cut: list[Interval]) -> list[Interval]:
    """Return ``base`` minus ``cut`` (both merged) as a merged list.

    A two-pointer walk. Cost: O(n + m).
    """
    out: list[Interval] = []
    j = 0
    m = len(cut)
    for a, b in base:
        while j < m and cut[j][1] <= a:
            j += 1
        k = j
        while k < m and cut[k][0] < b:
            ca, cb = cut[k]
            if ca > a:
                out.append((a, ca))
            if cb >= b:
                a = b
                break
            a = max(a, cb)
            k += 1
        if a < b:
            out.append((a, b))
    return out


def contains(intervals: list[Interval], starts: list[int], a: int, b: int) -> int:
    """Return the index of the interval of ``intervals`` holding ``[a, b)``, or -1.

    ``starts`` is ``[iv[0] for iv in intervals]`` (for bisect). Cost: O(log n).
    """
    i = bisect_right(starts, a) - 1
    if i >= 0 and intervals[i][1] >= b:
        return i
    return -1
