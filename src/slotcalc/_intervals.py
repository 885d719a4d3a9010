"""Interval algebra on sorted lists of half-open integer intervals ``[(start, end), …]``.

Every function takes and returns lists sorted by start; "merged" lists also have no two
intervals that overlap or touch. Costs are in the docstrings (n, m: lengths of the inputs).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

Interval = tuple[int, int]
T = TypeVar("T")


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

    Cost: O(n + m) (see :func:`subtract_tagged`).
    """
    return [(a, b) for a, b, _ in subtract_tagged([(a, b, None) for a, b in base], cut)]


def subtract_tagged(
    base: list[tuple[int, int, T]], cut: list[Interval]
) -> list[tuple[int, int, T]]:
    """Return ``base`` minus ``cut``; each piece keeps the tag of the interval it came from.

    ``base`` is sorted and its intervals do not overlap; ``cut`` is merged. A two-pointer
    walk. Cost: O(n + m).
    """
    out: list[tuple[int, int, T]] = []
    j = 0
    m = len(cut)
    for a, b, tag in base:
        while j < m and cut[j][1] <= a:
            j += 1
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
