"""One host's rules as sets of feasible starts (SPEC §3 rules 1–7 but the grid).

A :class:`HostPlan` is built once per host and request from integers only: blocking spans,
seat bookings, the policy and ``now``. Everything that does not depend on the range asked is
kept as one merged *forbidden* set (busy spans, full seats, closed limit periods); a range then
costs its windows, one difference and one clip (:meth:`HostPlan.span`).

Feasible starts are kept in **half-seconds** ("ticks", ``2·t``): rule boundaries are whole
seconds, but some rules are closed at their end (``s ≤ window end − duration``) and others open
(``s < horizon midnight``); on doubled integers both are exact half-open intervals, so the
free periods of SPEC §4 (the real intervals of feasible starts) come out exactly, and a slot
start ``s`` is feasible when ``2·s`` is in the set.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from itertools import accumulate
from typing import NamedTuple

from .._tz import DAY, OffsetTable, offset_table
from ..model import Schedule
from .sets import (
    EVERYTHING,
    IntervalSet,
    clip,
    holds,
    intersect,
    join_pairs,
    merge,
    shift,
    subtract,
    union,
)
from .windows import Window, date_instants, midnight, resolve, resolve_pieces, windows_for

#: How far the next free start is searched for (SPEC §4), and ``horizon_bookable_days``' search.
SEARCH_DAYS = 366

REASONS = (
    "too_soon",
    "too_far",
    "outside_hours",
    "off_grid",
    "busy",
    "full",
    "day_full",
    "repeat_conflict",
)

_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


@dataclass(frozen=True, slots=True)
class Policy:
    """The event policy in seconds (dates as days since 1970), shared by every host."""

    duration: int
    step: int
    align: str
    buffer_before: int
    buffer_after: int
    capacity: int
    min_notice: int
    booking_limits: tuple[tuple[str, int], ...]
    duration_limits: tuple[tuple[str, int], ...]  # seconds
    week_start: int  # 0 = Monday
    horizon_days: int | None
    horizon_business_days: int | None
    business_days: frozenset[int]
    horizon_bookable_days: int | None
    bookable_from: int | None
    bookable_until: int | None
    repeat: tuple[int, int] | None  # (interval_days, count)


# A booking: (start, end, seats, span_start, span_end); the span carries the entry's own buffers.
Booking = tuple[int, int, int, int, int]


class Bookings(NamedTuple):
    """Bookings as columns, one row per :data:`Booking` (no tuple per booking)."""

    start: Sequence[int]
    end: Sequence[int]
    seats: Sequence[int]
    span_start: Sequence[int]
    span_end: Sequence[int]


NO_BOOKINGS = Bookings((), (), (), (), ())


def period_of(kind: str, day: int, week_start: int) -> tuple[int, int]:
    """Return the first date and the first date after the ``kind`` period holding ``day``."""
    if kind == "day":
        return day, day + 1
    if kind == "week":
        first = day - ((day + 3 - week_start) % 7)  # 1970-01-01 was a Thursday (3)
        return first, first + 7
    d = date.fromordinal(day + _EPOCH_ORDINAL)
    if kind == "month":
        a = date(d.year, d.month, 1)
        b = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    else:
        a, b = date(d.year, 1, 1), date(d.year + 1, 1, 1)
    return a.toordinal() - _EPOCH_ORDINAL, b.toordinal() - _EPOCH_ORDINAL


@dataclass(slots=True)
class HostSpan:
    """A host over one range: its windows, its grid stretches and its feasible starts (ticks)."""

    windows: list[Window]
    stretches: list[Window]  # the windows, or with align "free" the free stretches
    feasible: IntervalSet


@dataclass(slots=True)
class HostPlan:
    """One host's schedule, busy time and bookings, prepared for any range of starts.

    Built in O(B log B) for B busy entries (:func:`plan_host`). Sets of starts are in ticks.
    """

    schedule: Schedule
    table: OffsetTable
    policy: Policy
    blocked: tuple[list[int], list[int]]  # blocking spans' starts, sorted, and ends (join_pairs)
    _widened: IntervalSet | None  # the spans widened by the event's buffers (see widened)
    busy_starts: IntervalSet  # starts that meet blocking time (rule 4)
    full_starts: IntervalSet  # starts that meet a full seat level (rule 5)
    closed_starts: IntervalSet  # starts in a period closed by a limit (rule 6)
    forbidden: IntervalSet  # the union of the three
    seat_times: list[int]  # seats in use: levels[i] from times[i] to times[i + 1]
    seat_levels: list[int]
    earliest: int  # now + min_notice, and bookable_from's midnight (seconds, closed)
    notice: int  # now + min_notice alone
    horizon: int | None  # the first instant past every horizon (seconds, open)
    today: int

    @property
    def widened(self) -> IntervalSet:
        """Return the blocking spans widened by the event's buffers, merged: the time that is
        in no free stretch (``align="free"``). Built on first use. Cost: O(B)."""
        if self._widened is None:
            pol = self.policy
            ba, bb = pol.buffer_after, pol.buffer_before
            self._widened = [(a - ba, b + bb) for a, b in join_pairs(*self.blocked, ba + bb + 1)]
        return self._widened

    def span(self, lo: int, hi: int) -> HostSpan:
        """Return the host's windows and feasible starts ``s`` with ``lo <= s < hi``.

        Rules 1 (but the grid), 2, 3 (``[lo, hi)``), 4, 5, 6 and 7. Cost: O(D log D + W + k)
        for the D dates and W windows of the range and the k forbidden intervals inside it,
        plus, with ``repeat``, that of :meth:`repeat_ok`.
        """
        pol = self.policy
        dur = pol.duration
        a = max(lo, self.earliest)
        b = hi if self.horizon is None else min(hi, self.horizon)
        wins = windows_for(self.schedule, lo, hi + dur)
        stretches = _free_stretches(wins, self.widened) if pol.align == "free" else wins
        if a >= b:
            return HostSpan(wins, stretches, [])
        feasible = clip(self._allowed(wins), 2 * a, 2 * b)
        if pol.repeat is not None and feasible:
            feasible = intersect(feasible, self.repeat_ok(a, b))
        return HostSpan(wins, stretches, feasible)

    def stretches(self, lo: int, hi: int) -> list[Window]:
        """Return the windows (with ``align="free"`` the free stretches) that meet ``[lo, hi)``."""
        wins = windows_for(self.schedule, lo, hi + self.policy.duration)
        return _free_stretches(wins, self.widened) if self.policy.align == "free" else wins

    def _allowed(self, wins: Sequence[Window]) -> IntervalSet:
        """Return the starts in ``wins`` that pass rules 4–6 (ticks, no horizon, no range)."""
        dur = self.policy.duration
        inside = [(2 * a, 2 * (b - dur) + 1) for a, b, _ in wins if b - a >= dur]
        return subtract(inside, self.forbidden)

    def occurrence_ok(self, lo: int, hi: int) -> IntervalSet:
        """Return the instants in ``[lo, hi)`` where an occurrence may start (ticks).

        Rule 7's test of one occurrence: inside one merged window, rules 4, 5 and 6.
        """
        return clip(self._allowed(windows_for(self.schedule, lo, hi + self.policy.duration)),
                    2 * lo, 2 * hi)

    def repeat_ok(self, lo: int, hi: int) -> IntervalSet:
        """Return the starts in ``[lo, hi)`` whose later occurrences all pass rule 7 (ticks).

        Occurrence ``i`` of ``s`` is the wall time of ``s`` on the date ``i·k`` days later,
        resolved by SPEC §1: on each piece where the home offset of ``s`` and the offset that
        resolves the moved wall time are constant it is ``s + c``, so the starts allowed by
        occurrence ``i`` are the allowed occurrence instants moved back by ``c``.
        Cost: O(n·(D log D + W)) for n occurrences over D dates of the range each.
        """
        assert self.policy.repeat is not None
        k, count = self.policy.repeat
        table = self.table
        home = table.segments(lo, hi)
        need = merge(
            (lo + i * k * DAY - 2 * DAY, hi + i * k * DAY + 2 * DAY) for i in range(1, count)
        )
        allowed: IntervalSet = []
        for a, b in need:
            allowed.extend(self.occurrence_ok(a, b))
        allowed = merge(allowed)
        ok: IntervalSet = [(2 * lo, 2 * hi)]
        for i in range(1, count):
            move = i * k * DAY
            back: IntervalSet = []
            for a, b, off in home:
                for la, lb, roff in resolve_pieces(table, a + off + move, b + off + move):
                    c = off + move - roff  # occurrence = s + c on this piece
                    sa, sb = la - off - move, lb - off - move
                    back.extend(shift(clip(allowed, 2 * (sa + c), 2 * (sb + c)), -2 * c))
            ok = intersect(ok, merge(back))
            if not ok:
                break
        return ok

    def occurrences(self, s: int) -> list[int]:
        """Return the starts of occurrences 1 … count − 1 of a booking at ``s`` (rule 7)."""
        assert self.policy.repeat is not None
        k, count = self.policy.repeat
        local = s + self.table.offset(s)
        return [resolve(self.table, local + i * k * DAY) for i in range(1, count)]

    def conflicts(self, s: int) -> list[int]:
        """Return the occurrences of a booking at ``s`` that fail rule 7, in order."""
        if self.policy.repeat is None:
            return []
        return [t for t in self.occurrences(s) if not holds(self.occurrence_ok(t, t + 1), 2 * t)]

    def remaining(self, s: int) -> int:
        """Return the capacity minus the most seats in use in ``[s − before, e + after)``.

        Cost: O(log B + k) for the k seat segments inside.
        """
        pol = self.policy
        times = self.seat_times
        if not times:
            return pol.capacity
        a, b = s - pol.buffer_before, s + pol.duration + pol.buffer_after
        i = max(0, bisect_right(times, a) - 1)
        j = bisect_left(times, b, i)
        return pol.capacity - max(self.seat_levels[i:j], default=0)

    def remaining_of(self, starts: list[int]) -> list[int]:
        """Return :meth:`remaining` of each start.

        One search a start finds the level in effect when its window opens; the few seat
        changes inside a window are then walked (a window with more of them takes a second
        search and a C-level maximum). Cost: O(S log B) plus the seat changes inside the
        windows, at most :data:`_WALK` of them a start walked in Python.
        """
        pol = self.policy
        times, levels = self.seat_times, self.seat_levels
        cap = pol.capacity
        if not times:
            return [cap] * len(starts)
        before, reach = pol.buffer_before, pol.duration + pol.buffer_after
        m = len(times)
        out: list[int] = []
        append = out.append
        for s in starts:
            i = bisect_right(times, s - before)
            peak = levels[i - 1] if i else 0
            end = s + reach
            if i + _WALK < m and times[i + _WALK] < end:
                j = bisect_left(times, end, i)
                peak = max(peak, max(levels[i:j]))
            else:
                while i < m and times[i] < end:
                    if levels[i] > peak:
                        peak = levels[i]
                    i += 1
            append(cap - peak)
        return out

    def reason(self, s: int, exact: bool, stretches: Sequence[Window],
               on_grid: bool) -> str | None:
        """Return the first SPEC §4 reason that start ``s`` fails for this host, or None.

        ``stretches`` are the windows around ``s`` (``exact``: ``s`` has no fraction of a
        second); ``on_grid`` whether ``s`` is on the grid that applies. Cost: O(log B) plus the
        windows around ``s`` (and the occurrences' with ``repeat``).
        """
        pol = self.policy
        t = 2 * s
        if s < self.earliest:
            return "too_soon"
        if self.horizon is not None and s >= self.horizon:
            return "too_far"
        e = s + pol.duration
        if not any(a <= s and e <= b for a, b, _ in stretches):
            return "outside_hours"
        busy = holds(self.busy_starts, t)
        if pol.align == "free" and busy:
            return "busy"
        if not exact or not on_grid:
            return "off_grid"
        if busy:
            return "busy"
        if holds(self.full_starts, t):
            return "full"
        if holds(self.closed_starts, t):
            return "day_full"
        if self.conflicts(s):
            return "repeat_conflict"
        return None


def _free_stretches(wins: Sequence[Window], widened: IntervalSet) -> list[Window]:
    """Return the windows minus the widened blocking time, each piece with its grid anchor.

    A piece that begins where its window begins keeps the window's ``anchored``; any other
    begins at the end of busy time, a known instant.
    """
    out: list[Window] = []
    for a, b, anchored in wins:
        for x, y in subtract([(a, b)], clip(widened, a, b)):
            out.append((x, y, anchored or x != a))
    return out


#: Seat changes inside one slot's window walked one by one before :meth:`HostPlan.remaining_of`
#: searches instead.
_WALK = 4


def _starts_meeting(starts: Sequence[int], ends: Sequence[int], lead: int, tail: int
                    ) -> IntervalSet:
    """Return the starts ``s`` (ticks) whose ``[s − tail, s + lead)`` meets a span.

    The spans are ``[starts[i], ends[i])`` as :func:`~slotcalc._engine.sets.join_pairs`
    takes them (starts sorted; ends paired with them, or sorted on their own). For a span
    ``[A, B)`` these are ``A − lead < s < B + tail``: open at both ends, so two spans give
    one interval of starts when the second begins before ``B + tail + lead``.
    Cost: O(n), one pass.
    """
    first, last = 1 - 2 * lead, 2 * tail  # (2(a − lead) + 1, 2(b + tail)), in two additions
    return [(a + a + first, b + b + last) for a, b in join_pairs(starts, ends, lead + tail)]


def plan_host(
    schedule: Schedule,
    policy: Policy,
    now: int,
    blocking: Sequence[tuple[int, int]],
    bookings: Sequence[Booking],
) -> HostPlan:
    """Return the :class:`HostPlan` of one host; ``blocking`` are ``(start, end)`` spans
    (own buffers included), ``bookings`` :data:`Booking` tuples (see :func:`plan_columns`)."""
    starts = [a for a, _ in blocking]
    ends = [b for _, b in blocking]
    columns = Bookings(*map(list, zip(*bookings, strict=True))) if bookings else NO_BOOKINGS
    return plan_columns(schedule, policy, now, starts, ends, columns)


def plan_columns(
    schedule: Schedule,
    policy: Policy,
    now: int,
    starts: Sequence[int],
    ends: Sequence[int],
    bookings: Bookings,
) -> HostPlan:
    """Return the :class:`HostPlan` of one host.

    The blocking spans (own buffers included, never empty) come as two columns ``starts``
    and ``ends``; ``bookings`` come as :class:`Bookings` columns. The starts are sorted (a C-level
    int sort); spans that came in start order keep their ends paired with them, others have
    their ends sorted on their own (no pairs either way): unions need nothing more
    (:func:`~slotcalc._engine.sets.join_pairs`).
    Cost: O(B log B) for B entries, plus O(P) for P periods a limit closes.
    """
    table = offset_table(schedule.zone)
    dur, bb, ba = policy.duration, policy.buffer_before, policy.buffer_after
    ordered = sorted(starts)
    if ordered == (starts if type(starts) is list else list(starts)):
        blocked = (ordered, list(ends))  # in start order already: the ends stay paired
    else:
        blocked = (ordered, sorted(ends))
    busy_starts = _starts_meeting(*blocked, dur + ba, bb)
    times, levels = _seat_levels(bookings)
    full_starts = _starts_meeting(*_full_runs(times, levels, policy.capacity), dur + ba, bb)
    closed_starts = _closed_periods(table, policy, bookings)
    forbidden = (union(busy_starts, full_starts, closed_starts)
                 if full_starts or closed_starts else busy_starts)
    today = table.local_day(now)
    notice = now + policy.min_notice
    earliest = notice
    if policy.bookable_from is not None:
        earliest = max(earliest, midnight(table, policy.bookable_from))
    lasts: list[int] = []
    if policy.horizon_days is not None:
        lasts.append(today + policy.horizon_days - 1)
    if policy.horizon_business_days is not None:
        lasts.append(_business_day(today, policy.horizon_business_days, policy.business_days))
    if policy.bookable_until is not None:
        lasts.append(policy.bookable_until)
    horizon = midnight(table, min(lasts) + 1) if lasts else None
    return HostPlan(
        schedule, table, policy, blocked, None, busy_starts, full_starts, closed_starts,
        forbidden, times, levels, earliest, notice, horizon, today,
    )


def _seat_levels(bookings: Bookings) -> tuple[list[int], list[int]]:
    """Return the seats in use as a step function: ``levels[i]`` from ``times[i]`` up to
    ``times[i + 1]`` (the last level is 0), over the bookings' spans.

    The change at each span end is summed in a dict; the levels are its running sum in time
    order (C-level ``accumulate``). Cost: O(B log B).
    """
    events: dict[int, int] = {}
    get = events.get
    for k, x, y in zip(bookings.seats, bookings.span_start, bookings.span_end, strict=True):
        events[x] = get(x, 0) + k
        events[y] = get(y, 0) - k
    times = sorted(events)
    return times, list(accumulate(map(events.__getitem__, times)))


def _full_runs(times: list[int], levels: list[int], capacity: int
               ) -> tuple[list[int], list[int]]:
    """Return the starts and ends of the runs of seat levels at ``capacity`` or more, in
    order (levels from :func:`_seat_levels`: the last is 0, so every run ends).
    Cost: O(L), one pass."""
    starts: list[int] = []
    ends: list[int] = []
    opened = False
    for t, level in zip(times, levels, strict=True):
        if level >= capacity:
            if not opened:
                starts.append(t)
                opened = True
        elif opened:
            ends.append(t)
            opened = False
    return starts, ends


def _business_day(today: int, n: int, business: frozenset[int]) -> int:
    """Return the ``n``-th business day from ``today`` on (today counts when it is one)."""
    d = today - 1
    while n:
        d += 1
        if (d + 3) % 7 in business:
            n -= 1
    return d


def _closed_periods(table: OffsetTable, policy: Policy, bookings: Bookings) -> IntervalSet:
    """Return the starts (ticks) in a period that a booking or duration limit closes (rule 6).

    Bookings count in the periods of their start's local date: counted per date first, then
    each limit sums its periods over the distinct dates; the closed periods are joined into
    runs of dates before they become instants. Cost: O(B + L·G + P log P) for G distinct
    dates and L limits.
    """
    limits = [(kind, n, False) for kind, n in policy.booking_limits]
    limits += [(kind, n, True) for kind, n in policy.duration_limits]
    if not limits:
        return []
    dur = policy.duration
    if any(minutes and n < dur for _kind, n, minutes in limits):
        return [EVERYTHING]  # a duration limit below one booking closes every period
    count: dict[int, int] = {}
    length: dict[int, int] = {}
    for s, e in zip(bookings.start, bookings.end, strict=True):
        day = table.local_day(s)
        count[day] = count.get(day, 0) + 1
        length[day] = length.get(day, 0) + e - s
    closed: set[tuple[int, int]] = set()
    for kind, n, minutes in limits:
        used: dict[tuple[int, int], int] = {}
        for day, amount in (length if minutes else count).items():
            key = period_of(kind, day, policy.week_start)
            used[key] = used.get(key, 0) + amount
        for key, total in used.items():
            if (total + dur > n) if minutes else (total >= n):
                closed.add(key)
    out: IntervalSet = []
    for a, b in merge(closed):  # runs of closed dates
        out.extend((2 * x, 2 * y) for x, y in date_instants(table, a, b))
    return merge(out)
