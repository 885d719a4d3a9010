"""A request on integers: hosts combined along the requirement tree, the grid last, once.

:class:`Engine` holds the :class:`~slotcalc._engine.host.HostPlan` of every host and the tree
(a host index, or ``(kind, need, children)`` with ``need`` children that must be satisfied).
For a range it takes each host's feasible starts (sets of ticks), combines them along the tree
with interval algebra and a k-of-n sweep (:func:`~slotcalc._engine.sets.at_least`), and only
then lays the grid over the combined set: the team grid anchors at the stretches where the
tree's windows (or free stretches) are satisfied; ``grid="host"`` and ``align="clock"`` use each
host's own grid. Periods come from the same combined sets, without a grid.

Sizes in the costs: K hosts, D dates in the range, B busy entries, S slots.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .._tz import DAY, OffsetTable
from .host import REASONS, SEARCH_DAYS, HostPlan, HostSpan
from .sets import IntervalSet, at_least, clip, first_at_or_after, holds, intersect
from .windows import MAX_LOOKBACK_DAYS, Window, clock_points, midnight

# A tree node: a host index, or (kind, need, children).
Node = int | tuple[str, int, tuple["Node", ...]]


class Grid:
    """The grid of starts over a list of stretches: from each stretch's start by ``step``.

    With ``clock`` (or for a stretch whose start is unknown) the grid is the wall-clock one of
    ``table``'s zone: wall times that are whole multiples of ``step`` after local midnight.
    """

    __slots__ = ("clock", "starts", "step", "stretches", "table")

    def __init__(self, stretches: Sequence[Window], step: int, table: OffsetTable,
                 clock: bool) -> None:
        self.stretches = stretches
        self.starts = [a for a, _, _ in stretches]
        self.step = step
        self.table = table
        self.clock = clock

    def points(self, lo: int, hi: int) -> Iterable[int]:
        """Return the grid points in ``[lo, hi)`` (seconds), in order.

        A range of a combined feasible set lies in one stretch; a host's own range may cross
        several (its grid is then the team's, from each stretch it meets). Cost: O(log W + P)
        for P points.
        """
        if lo >= hi:
            return ()
        if self.clock:
            return clock_points(self.table, self.step, lo, hi)
        i = max(0, bisect_right(self.starts, lo) - 1)
        pieces: list[Iterable[int]] = []
        step = self.step
        while i < len(self.stretches) and self.stretches[i][0] < hi:
            a, b, anchored = self.stretches[i]
            x, y = max(lo, a), min(hi, b)
            if x < y:
                pieces.append(range(a + -(-(x - a) // step) * step, y, step) if anchored
                              else clock_points(self.table, step, x, y))
            i += 1
        if len(pieces) == 1:
            return pieces[0]
        return [t for piece in pieces for t in piece]

    def holds(self, s: int) -> bool:
        """Return whether ``s`` is on the grid. Cost: O(log W)."""
        if not self.clock:
            i = bisect_right(self.starts, s) - 1
            if i < 0 or self.stretches[i][1] <= s:
                return False
            a, _, anchored = self.stretches[i]
            if anchored:
                return (s - a) % self.step == 0
        return ((s + self.table.offset(s)) % DAY) % self.step == 0


def combine(node: Node, leaves: Sequence[IntervalSet]) -> IntervalSet:
    """Return the set where ``node`` is satisfied, given each host's set. Cost: O(N log N)."""
    if isinstance(node, int):
        return leaves[node]
    _kind, need, kids = node
    return at_least([combine(k, leaves) for k in kids], need)


def evaluate(node: Node, free: Sequence[bool], rem: Sequence[int]) -> tuple[bool, int, list[int]]:
    """Return ``(satisfied, remaining, listed)`` of ``node`` for the hosts' ``free`` flags.

    ``listed``: the free hosts below ``node`` whose every ancestor up to it is satisfied
    (SPEC §7); ``remaining``: a host's own, the smallest of the children's for ``all``, the
    sum over the satisfied children for ``any``. Cost: O(K).
    """
    if isinstance(node, int):
        ok = free[node]
        return ok, rem[node], [node] if ok else []
    kind, need, kids = node
    results = [evaluate(k, free, rem) for k in kids]
    sat = sum(1 for r in results if r[0]) >= need
    if not sat:
        return False, 0, []
    listed = [h for r in results for h in r[2]]
    if kind == "all":
        return True, min(r[1] for r in results), listed
    return True, sum(r[1] for r in results if r[0]), listed


def _ancestors(node: Node, path: tuple[Node, ...], out: dict[int, tuple[Node, ...]]) -> None:
    if isinstance(node, int):
        out[node] = path
        return
    for k in node[2]:
        _ancestors(k, (*path, node), out)


@dataclass(slots=True)
class Raw:
    """Slots as integers: starts, remaining seats, listed host indices (None for one host)."""

    starts: list[int]
    remaining: list[int]
    hosts: list[tuple[int, ...]] | None


@dataclass(slots=True)
class Checked:
    """One start checked, as integers."""

    bookable: bool
    reason: str | None
    remaining: int
    hosts: tuple[int, ...] | None
    conflicts: list[int]


class Engine:
    """A request planned once: hosts, the tree (None for one host) and the grid rule."""

    __slots__ = ("duration", "hosts", "team_grid", "tree")

    def __init__(self, hosts: list[HostPlan], tree: Node | None, team_grid: bool) -> None:
        self.hosts = hosts
        self.tree = tree
        pol = hosts[0].policy
        self.duration = pol.duration
        # the team grid differs from each host's own only for window and free alignment
        self.team_grid = team_grid and pol.align != "clock"
        if pol.horizon_bookable_days is not None:
            self._bookable_days(pol.horizon_bookable_days)

    # -- grids ------------------------------------------------------------------------------

    def _host_grid(self, h: HostPlan, span: HostSpan) -> Grid:
        pol = h.policy
        return Grid(span.stretches, pol.step, h.table, pol.align == "clock")

    def _team_grid(self, spans: Sequence[HostSpan], lo: int, hi: int) -> Grid:
        """Return the grid over the stretches where the tree's windows are satisfied.

        The hosts' stretches meeting ``[a, hi)`` are read with their real starts, so a
        combined stretch that begins after ``a`` is whole; one that begins at or before ``a``
        may be joined by earlier windows, so they are read again from just before its start,
        until it begins after what was read (or its start is unknown: a window open for more
        than :data:`MAX_LOOKBACK_DAYS`, whose grid is the clock's). Cost: O(K·D log D) a
        round; one round unless stretches chain back across the range's start.
        """
        assert self.tree is not None
        per = [list(sp.stretches) for sp in spans]
        a = lo
        while True:
            comb = combine(self.tree, [[(x, y) for x, y, _ in s] for s in per])
            unknown = {x for s in per for x, _, anchored in s if not anchored}
            i = bisect_right(comb, (lo, 2**62)) - 1
            if i < 0 or comb[i][1] <= lo or comb[i][0] > a or comb[i][0] in unknown:
                break
            if lo - comb[i][0] > MAX_LOOKBACK_DAYS * DAY:
                unknown.add(comb[i][0])
                break
            a = comb[i][0] - 1
            per = [h.stretches(a, hi) for h in self.hosts]
        stretches = [(x, y, x not in unknown) for x, y in comb]
        pol = self.hosts[0].policy
        return Grid(stretches, pol.step, self.hosts[0].table, False)

    # -- slots ------------------------------------------------------------------------------

    def slots(self, lo: int, hi: int, limit: int | None = None) -> Raw:
        """Return the slots with ``lo <= start < hi``, the earliest ``limit`` of them.

        Cost: one host: O(D log D + B' + S) for the B' forbidden intervals in the range; a
        team: K times that, plus O(N log N) to combine and O(K) a slot to list hosts.
        """
        spans = [h.span(lo, hi) for h in self.hosts]
        if self.tree is None:
            return self._single(spans[0], limit)
        if self.team_grid:
            return self._team_on_team_grid(spans, lo, hi, limit)
        return self._team_on_host_grids(spans, limit)

    def _single(self, span: HostSpan, limit: int | None) -> Raw:
        """One host's slots: its grid over its feasible set, one walk along both.

        A feasible interval lies in one stretch; with a known anchor its points are one
        ``range``, found by moving along the stretches (no search). Anything else (the clock
        grid, an unknown anchor) asks :meth:`Grid.points`. Cost: O(W + F + S) for W
        stretches, F feasible intervals and S slots.
        """
        h = self.hosts[0]
        grid = self._host_grid(h, span)
        step = grid.step
        st = span.stretches
        m = len(st)
        i = 0
        starts: list[int] = []
        for a, b in span.feasible:
            x, y = (a + 1) // 2, (b + 1) // 2
            while i < m and st[i][1] <= x:
                i += 1
            if not grid.clock and i < m and st[i][2] and st[i][0] <= x and y <= st[i][1]:
                sa = st[i][0]
                starts.extend(range(sa + -(-(x - sa) // step) * step, y, step))
            else:
                starts.extend(grid.points(x, y))
            if limit is not None and len(starts) >= limit:
                del starts[limit:]
                break
        rem = h.remaining_of(starts)
        return Raw(starts, rem, None)

    def _team_on_team_grid(self, spans: list[HostSpan], lo: int, hi: int,
                           limit: int | None) -> Raw:
        assert self.tree is not None
        feasible = [sp.feasible for sp in spans]
        sat = combine(self.tree, feasible)
        if not sat:
            return Raw([], [], [])
        grid = self._team_grid(spans, lo, hi)
        out = Raw([], [], [])
        for a, b in sat:
            for s in grid.points((a + 1) // 2, (b + 1) // 2):
                t = 2 * s
                self._add(out, s, [holds(f, t) for f in feasible])
                if limit is not None and len(out.starts) >= limit:
                    return out
        return out

    def _team_on_host_grids(self, spans: list[HostSpan], limit: int | None) -> Raw:
        own: list[set[int]] = []
        for h, sp in zip(self.hosts, spans, strict=True):
            grid = self._host_grid(h, sp)
            own.append({s for a, b in sp.feasible for s in grid.points((a + 1) // 2, (b + 1) // 2)})
        out = Raw([], [], [])
        for s in sorted(set().union(*own)):
            self._add(out, s, [s in pts for pts in own])
            if limit is not None and len(out.starts) >= limit:
                break
        return out

    def _add(self, out: Raw, s: int, free: list[bool]) -> None:
        """Append start ``s`` to ``out`` when the tree is satisfied by the ``free`` hosts."""
        assert self.tree is not None and out.hosts is not None
        rem = [h.remaining(s) if f and h.seat_times else h.policy.capacity
               for h, f in zip(self.hosts, free, strict=True)]
        sat, r, listed = evaluate(self.tree, free, rem)
        if sat:
            out.starts.append(s)
            out.remaining.append(r)
            out.hosts.append(tuple(sorted(listed)))

    # -- periods ----------------------------------------------------------------------------

    def periods(self, lo: int, hi: int, limit: int | None = None
                ) -> list[tuple[int, int, tuple[int, ...] | None]]:
        """Return the free periods ``(start, end, hosts)`` of the starts in ``[lo, hi)`` (SPEC §4).

        Each maximal run of feasible starts (ticks ``[A, B)``) gives ``A // 2`` to
        ``B // 2 + duration``: the run's lower and upper ends, open or closed. A team lists
        every host that is listed at some start of the run. Cost: that of :meth:`slots`
        without the grid and the slots.
        """
        spans = [h.span(lo, hi) for h in self.hosts]
        dur = self.duration
        if self.tree is None:
            runs = spans[0].feasible[:limit]
            return [(a // 2, b // 2 + dur, None) for a, b in runs]
        feasible = [sp.feasible for sp in spans]
        sat = combine(self.tree, feasible)[:limit]
        listed = self._listed_sets(feasible)
        out: list[tuple[int, int, tuple[int, ...] | None]] = []
        for a, b in sat:
            who = tuple(i for i, ls in enumerate(listed) if intersect(ls, [(a, b)]))
            out.append((a // 2, b // 2 + dur, who))
        return out

    def _listed_sets(self, feasible: Sequence[IntervalSet]) -> list[IntervalSet]:
        """Return, for each host, the starts at which it is listed: free, ancestors satisfied."""
        assert self.tree is not None
        anc: dict[int, tuple[Node, ...]] = {}
        _ancestors(self.tree, (), anc)
        cache: dict[int, IntervalSet] = {}
        out: list[IntervalSet] = []
        for i, f in enumerate(feasible):
            cur = f
            for node in anc[i]:
                key = id(node)
                if key not in cache:
                    cache[key] = combine(node, feasible)
                cur = intersect(cur, cache[key])
            out.append(cur)
        return out

    # -- searches ---------------------------------------------------------------------------

    def first_slot(self, lo: int, hi: int) -> int | None:
        """Return the first slot start in ``[lo, hi)``, searching 7, 31, then all the days."""
        a = lo
        for width in (7 * DAY, 31 * DAY, hi - lo):
            b = min(hi, a + width)
            if a >= b:
                break
            got = self.slots(a, b, 1).starts
            if got:
                return got[0]
            a = b
        return None

    def first_feasible(self, lo: int, hi: int) -> int | None:
        """Return the first start of a free period in ``[lo, hi)`` (whole seconds)."""
        a = lo
        for width in (7 * DAY, 31 * DAY, hi - lo):
            b = min(hi, a + width)
            if a >= b:
                break
            got = self.periods(a, b, 1)
            if got:
                return got[0][0]
            a = b
        return None

    def _bookable_days(self, n: int) -> None:
        """Apply ``horizon_bookable_days``: each host's last date is its ``n``-th bookable one.

        A date is bookable for a host when some start on the grid that applies passes every
        rule but this horizon and the range; 366 dates are searched from today, and with fewer
        found the last date searched is the last allowed. Cost: that of :meth:`slots` over the
        366 dates, with the grid walked only to each date's first start.
        """
        bounds = [(midnight(h.table, h.today), midnight(h.table, h.today + SEARCH_DAYS))
                  for h in self.hosts]
        lo, hi = min(a for a, _ in bounds), max(b for _, b in bounds)
        spans = [h.span(lo, hi) for h in self.hosts]  # once for every host (cost: K spans)
        team = self._team_grid(spans, lo, hi) if self.tree is not None and self.team_grid \
            else None
        found: list[int] = []
        for h, span, (a, b) in zip(self.hosts, spans, bounds, strict=True):
            grid = team if team is not None else self._host_grid(h, span)
            found.append(_nth_date(h, grid, clip(span.feasible, 2 * a, 2 * b), n,
                                   h.today + SEARCH_DAYS - 1))
        for h, last in zip(self.hosts, found, strict=True):
            end = midnight(h.table, last + 1)
            h.horizon = end if h.horizon is None else min(h.horizon, end)

    # -- check ------------------------------------------------------------------------------

    def check(self, s: int, exact: bool) -> Checked:
        """Return the check of start ``s`` (SPEC §4).

        Cost: O(K log B) plus the windows near ``s``.
        """
        spans = [h.span(s, s + 1) for h in self.hosts]
        if self.tree is not None and self.team_grid:
            team = self._team_grid(spans, s, s + 1)
            grids = [team.holds(s)] * len(self.hosts)
        else:
            grids = [self._host_grid(h, sp).holds(s)
                     for h, sp in zip(self.hosts, spans, strict=True)]
        reasons = [h.reason(s, exact, sp.windows, g)
                   for h, sp, g in zip(self.hosts, spans, grids, strict=True)]
        conflicts = sorted({t for h in self.hosts for t in h.conflicts(s)})
        free = [r is None for r in reasons]
        rem = [h.remaining(s) for h in self.hosts]
        if self.tree is None:
            ok = free[0]
            return Checked(ok, reasons[0], rem[0] if ok else 0, None, conflicts)
        sat, r, listed = evaluate(self.tree, free, rem)
        if sat:
            return Checked(True, None, r, tuple(sorted(listed)), conflicts)
        why = min((x for x in reasons if x is not None), key=REASONS.index)
        return Checked(False, why, 0, tuple(i for i, f in enumerate(free) if f), conflicts)


def _nth_date(h: HostPlan, grid: Grid, feasible: IntervalSet, n: int, fallback: int) -> int:
    """Return the local date (days since 1970) of the ``n``-th date holding a grid start."""
    seen: set[int] = set()
    for a, b in feasible:
        t, hi = (a + 1) // 2, (b + 1) // 2
        while t < hi:
            d = h.table.local_day(t)
            nxt = midnight(h.table, d + 1)
            if d not in seen and next(iter(grid.points(t, min(hi, nxt))), None) is not None:
                seen.add(d)
                if len(seen) == n:
                    return d
            t = nxt
    return fallback


__all__ = ["Checked", "Engine", "Grid", "Node", "Raw", "combine", "evaluate", "first_at_or_after"]
