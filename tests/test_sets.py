"""The interval algebra of the engine (``slotcalc._engine.sets``) against a set-of-points oracle.

Every operation is checked point by point on small integers: an interval list stands for the
set of the integers it holds, and each result must be that set, written as a merged list
(sorted, no empty, overlapping or touching intervals).
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from slotcalc._engine.sets import (
    at_least,
    clip,
    first_at_or_after,
    holds,
    intersect,
    join_columns,
    join_pairs,
    merge,
    shift,
    subtract,
    subtract_tagged,
)

pytestmark = pytest.mark.property

Interval = tuple[int, int]
raw = st.lists(st.tuples(st.integers(-20, 40), st.integers(-20, 40)), max_size=8)
sets_ = raw.map(merge)


def points(x: list[Interval]) -> set[int]:
    return {t for a, b in x for t in range(a, b)}


def is_merged(x: list[Interval]) -> bool:
    return all(a < b for a, b in x) and all(x[i][1] < x[i + 1][0] for i in range(len(x) - 1))


def as_set(p: set[int]) -> list[Interval]:
    return merge((t, t + 1) for t in p)


@given(raw)
def test_merge_is_the_union(x: list[Interval]) -> None:
    got = merge(x)
    assert is_merged(got)
    assert points(got) == points([(a, b) for a, b in x if a < b])


@given(sets_, sets_)
def test_intersect(x: list[Interval], y: list[Interval]) -> None:
    got = intersect(x, y)
    assert is_merged(got) and got == as_set(points(x) & points(y))


@given(sets_, sets_)
def test_subtract(x: list[Interval], y: list[Interval]) -> None:
    got = subtract(x, y)
    assert is_merged(got) and got == as_set(points(x) - points(y))


@given(sets_, sets_)
def test_subtract_tagged_keeps_tags(x: list[Interval], y: list[Interval]) -> None:
    got = subtract_tagged([(a, b, i) for i, (a, b) in enumerate(x)], y)
    for a, b, tag in got:
        assert x[tag][0] <= a < b <= x[tag][1]
    assert points([(a, b) for a, b, _ in got]) == points(x) - points(y)


@given(st.lists(sets_, min_size=1, max_size=5), st.integers(0, 6))
def test_at_least_k_of_n(sets: list[list[Interval]], k: int) -> None:
    got = at_least(sets, k)
    universe = range(-25, 45)
    if k == 0:
        assert all(holds(got, t) for t in universe)
        return
    want = {t for t in universe if sum(t in points(s) for s in sets) >= k}
    assert is_merged(got) and got == as_set(want)


@given(sets_, st.integers(-25, 45), st.integers(-25, 45))
def test_clip(x: list[Interval], lo: int, hi: int) -> None:
    got = clip(x, lo, hi)
    assert is_merged(got) and got == as_set({t for t in points(x) if lo <= t < hi})


@given(sets_, st.integers(-10, 10))
def test_shift(x: list[Interval], by: int) -> None:
    assert points(shift(x, by)) == {t + by for t in points(x)}


@given(sets_, st.integers(-25, 45))
def test_holds_and_first_at_or_after(x: list[Interval], t: int) -> None:
    p = points(x)
    assert holds(x, t) == (t in p)
    later = [u for u in p if u >= t]
    assert first_at_or_after(x, t) == (min(later) if later else None)


@given(raw, st.integers(1, 6))
def test_join_pairs_and_join_columns_are_the_union_with_gaps_closed(x: list[Interval],
                                                                      gap: int) -> None:
    """Spans in start order (ends paired) and columns sorted on their own give the same
    union, pieces less than ``gap`` apart joined."""
    spans = sorted((a, b) for a, b in x if a < b)
    starts, ends = [a for a, _ in spans], [b for _, b in spans]
    want = merge(spans)
    while any(want[i + 1][0] - want[i][1] < gap for i in range(len(want) - 1)):
        i = next(i for i in range(len(want) - 1) if want[i + 1][0] - want[i][1] < gap)
        want[i:i + 2] = [(want[i][0], want[i + 1][1])]
    assert join_pairs(starts, ends, gap) == want
    assert join_pairs(starts, sorted(ends), gap) == want
    assert join_columns(starts, sorted(ends), gap) == want
