"""A slow, obviously-correct slot engine: SPEC §3, §4 and §7 read literally, start by start.

This module is the oracle of the differential tests. It shares nothing with
``slotcalc.api`` or the engine's private modules: it reads the public value objects
(``Schedule``, ``EventPolicy``, ``Busy``, ``Query``, ``Host``, ``Team``) field by field and does
all time arithmetic itself with ``zoneinfo``/``datetime``, in integer microseconds since the
epoch (query bounds and ``now`` are taken exactly; busy entries are widened to whole seconds,
as ``slotcalc.Busy`` documents).

How it reads the SPEC:

* Windows (§2): for every local date of the schedule zone, the override that covers the date
  (else the weekday's hours) gives wall intervals; each bound becomes an instant with
  ``datetime(..., tzinfo=zone)`` (``fold=0``: first occurrence in a fold, pre-gap offset in a
  gap; ``24:00`` is the next day's ``00:00``); an interval whose end does not come after its
  start (possible only in a gap) is empty (the lead's documented choice). All intervals of all
  dates are then merged when they overlap or touch.
* Grid (§2, ``align``): ``window``: ``window.start + k·step``; ``clock``: the instants whose wall
  reading in the schedule zone is a whole multiple of ``step`` minutes after midnight (both
  occurrences in a fold, none in a gap); ``free``: ``stretch.start + k·step`` for the free
  stretches = windows minus every blocking busy entry widened to
  ``[start − buffer_after, end + buffer_before)``. A merged window that is still open 400 days
  before the earliest start asked about (a 24/7 schedule) has no known start: its grid is the
  clock grid (the lead's documented choice); so is the grid of a free stretch that begins at such
  a window's (unknown) start.
* A start ``s`` is a slot when conditions 1–6 of §3 hold, each checked on its own with plain
  loops over the busy entries (condition 5 takes the total of seats at the start of
  ``[s − buffer_before, e + buffer_after)`` and at every seat booking's start inside it).
* ``check`` (§4) gives the first failing reason in the order ``too_soon``, ``too_far``,
  ``outside_hours``, ``off_grid``, ``busy``, ``full``, ``day_full``; with ``align: "free"`` a start
  whose buffered span meets blocking busy time is ``busy`` before its grid is looked at (the free
  grid is undefined there: the lead's documented choice). ``remaining`` is 0 when not bookable.
* Teams (§7): every host is evaluated on its own (its zone, grid, notice, horizon, day count);
  ``all`` needs every host, ``any`` at least ``min``; hosts in request order; ``remaining`` is
  the smallest (``all``) or the sum (``any``) of the free hosts'. A team check's reason is the
  earliest, in §4 order, of the reasons of the hosts that are not free.

Answers are plain, comparable data (:class:`RefAnswer`, :class:`RefCheck`) with times as
ISO 8601 strings in the query zone (the offset makes each one an exact instant);
:func:`answer_of` and :func:`check_of` convert the fast engine's results to the same shape.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

from slotcalc.model import Busy, EventPolicy, Host, Query, Schedule, Team

US = 1_000_000
MINUTE = 60 * US
DAY_S = 86400
DAY = DAY_S * US
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
#: How far back a merged window must still be open for its grid to be the clock's.
OPEN_DAYS = 400
#: How far ``next_available`` looks.
SEARCH_DAYS = 366
REASONS = ("too_soon", "too_far", "outside_hours", "off_grid", "busy", "full", "day_full")


# ---------------------------------------------------------------------------------------------
# Time helpers: instants are ints (microseconds since 1970-01-01T00:00Z).


def to_us(moment: datetime) -> int:
    """Return the exact instant of an aware datetime in microseconds."""
    assert moment.tzinfo is not None and moment.utcoffset() is not None
    d = moment - EPOCH
    return (d.days * DAY_S + d.seconds) * US + d.microseconds


def from_us(t: int, zone: ZoneInfo) -> datetime:
    """Return instant ``t`` as an aware datetime in ``zone`` (``fold`` set in a repeat)."""
    return (EPOCH + timedelta(microseconds=t)).astimezone(zone)


@lru_cache(maxsize=1 << 18)
def resolve(zone: ZoneInfo, day: date, second: int) -> int:
    """Return wall time ``second`` (0..86400) of local ``day`` as an instant, with ``fold=0``.

    (Cached only because the lookback of 24/7 schedules asks for the same days again.)
    """
    if second == DAY_S:
        day, second = day + timedelta(days=1), 0
    h, rest = divmod(second, 3600)
    m, s = divmod(rest, 60)
    return to_us(datetime(day.year, day.month, day.day, h, m, s, tzinfo=zone))


def whole_seconds(b: Busy) -> tuple[int, int]:
    """Return a busy entry as ``[start, end)`` widened to whole seconds (start floored, end
    ceiled), the convention of ``slotcalc.Busy`` (``start_s``/``end_s``); it changes nothing
    for conditions 4 and 1 (slot bounds are whole seconds), only which sub-second-apart seat
    bookings count as overlapping.
    """
    a, b_ = to_us(b.start), to_us(b.end)
    return a // US * US, -(-b_ // US) * US


def local_date(t: int, zone: ZoneInfo) -> date:
    """Return the local date of instant ``t`` in ``zone``."""
    return from_us(t, zone).date()


def wall_us(t: int, zone: ZoneInfo) -> int:
    """Return the wall reading of instant ``t`` in ``zone`` as microseconds after midnight."""
    d = from_us(t, zone)
    return ((d.hour * 60 + d.minute) * 60 + d.second) * US + d.microsecond


def iso(t: int, zone: ZoneInfo) -> str:
    """Return instant ``t`` written in ``zone`` (ISO 8601 with its offset)."""
    return from_us(t, zone).isoformat()


def days_between(first: date, last: date) -> Iterator[date]:
    """Yield every date from ``first`` to ``last`` inclusive."""
    d = first
    while d <= last:
        yield d
        d += timedelta(days=1)


# ---------------------------------------------------------------------------------------------
# Plain answers


class RefSlot(NamedTuple):
    start: str
    end: str
    remaining: int
    hosts: tuple[str, ...] | None


class RefAnswer(NamedTuple):
    timezone: str
    days: tuple[tuple[str, tuple[RefSlot, ...]], ...]
    next_available: str | None


class RefCheck(NamedTuple):
    bookable: bool
    reason: str | None
    remaining: int
    next_available: str | None
    hosts: tuple[str, ...] | None


def answer_of(av: object) -> RefAnswer:
    """Return the fast engine's ``Availability`` in the reference's plain shape."""
    days = tuple(
        (d.date.isoformat(),
         tuple(RefSlot(s.start.isoformat(), s.end.isoformat(), s.remaining,
                       None if s.hosts is None else tuple(s.hosts)) for s in d.slots))
        for d in av.days  # type: ignore[attr-defined]
    )
    nxt = av.next_available  # type: ignore[attr-defined]
    return RefAnswer(av.timezone, days,  # type: ignore[attr-defined]
                     None if nxt is None else nxt.isoformat())


def check_of(cr: object) -> RefCheck:
    """Return the fast engine's ``CheckResult`` in the reference's plain shape."""
    nxt = cr.next_available  # type: ignore[attr-defined]
    hosts = cr.hosts  # type: ignore[attr-defined]
    return RefCheck(cr.bookable, cr.reason, cr.remaining,  # type: ignore[attr-defined]
                    None if nxt is None else nxt.isoformat(),
                    None if hosts is None else tuple(hosts))


# ---------------------------------------------------------------------------------------------
# One host


class Window(NamedTuple):
    start: int
    end: int
    open: bool  # still open OPEN_DAYS before the earliest start asked about: no known start


def wall_intervals(schedule: Schedule, day: date) -> tuple[tuple[int, int], ...]:
    """Return the wall intervals (seconds after midnight) of local ``day``: override or weekday."""
    covering = [o for o in schedule.overrides if o.date <= day <= o.until]
    assert len(covering) <= 1, "the model refuses overlapping overrides"
    if covering:
        return tuple(covering[0].intervals)
    return tuple(schedule.weekly[day.weekday()])


def resolved_intervals(schedule: Schedule, first: date, last: date) -> list[tuple[int, int]]:
    """Return the non-empty resolved intervals of the local dates ``first``..``last``."""
    zone = schedule.zone
    raw: list[tuple[int, int]] = []
    for day in days_between(first, last):
        for a, b in wall_intervals(schedule, day):
            start, end = resolve(zone, day, a), resolve(zone, day, b)
            if end > start:
                raw.append((start, end))
    return raw


def merge(raw: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Return intervals merged where they overlap or touch, in order."""
    out: list[list[int]] = []
    for start, end in sorted(raw):
        if out and start <= out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return [(a, b) for a, b in out]


def merged_windows(schedule: Schedule, first: date, last: date) -> list[tuple[int, int]]:
    """Return the merged windows made by the hours of the local dates ``first``..``last``."""
    return merge(resolved_intervals(schedule, first, last))


class HostEngine:
    """Every condition of SPEC §3 for one host, on candidate starts in ``[lo, hi)``.

    Windows are built for the local dates that can hold a slot starting in ``[lo, hi)`` plus
    a lookback that goes on (up to OPEN_DAYS) while the earliest window is still open.
    """

    def __init__(self, schedule: Schedule, event: EventPolicy, busy: Iterable[Busy],
                 exclude: Iterable[str], now: int, lo: int, hi: int) -> None:
        self.zone = schedule.zone
        self.event = event
        self.dur = event.duration * MINUTE
        self.step = event.step * MINUTE
        self.before = event.buffer_before * MINUTE
        self.after = event.buffer_after * MINUTE
        excluded = set(exclude)
        kept = [b for b in busy if b.id is None or b.id not in excluded]
        self.blocking = [whole_seconds(b) for b in kept if b.seats is None]
        self.seated = [(*whole_seconds(b), b.seats) for b in kept if b.seats is not None]
        self.now = now
        self.earliest = now + event.min_notice * MINUTE
        if event.horizon_days is None:
            self.horizon: int | None = None
        else:
            today = local_date(now, self.zone)
            self.horizon = resolve(self.zone, today + timedelta(days=event.horizon_days), 0)
        # Windows: dates around [lo, hi + duration), then back while the first window is open.
        first = local_date(lo, self.zone) - timedelta(days=3)
        last = local_date(hi + self.dur, self.zone) + timedelta(days=3)
        floor_date = local_date(lo, self.zone) - timedelta(days=OPEN_DAYS)
        raw = resolved_intervals(schedule, first, last)
        while True:
            spans = merge(raw)
            edge = resolve(self.zone, first, 0)
            reaches_edge = bool(spans) and spans[0][0] <= edge
            if not reaches_edge or first <= floor_date:
                break
            earlier = max(floor_date, first - timedelta(days=60))
            raw += resolved_intervals(schedule, earlier, first - timedelta(days=1))
            first = earlier
        self.windows = [Window(a, b, reaches_edge and i == 0 and a <= edge)
                        for i, (a, b) in enumerate(spans)]
        self.starts = [w.start for w in self.windows]
        self.stretches = self._free_stretches()
        self._clock_days: dict[date, list[int]] = {}
        self.stretch_starts = [w.start for w in self.stretches]

    # -- windows and stretches ------------------------------------------------------------

    def _free_stretches(self) -> list[Window]:
        widened = sorted((s - self.after, e + self.before) for s, e in self.blocking)
        out: list[Window] = []
        for w in self.windows:
            pieces = [(w.start, w.end)]
            for bs, be in widened:
                cut: list[tuple[int, int]] = []
                for a, c in pieces:
                    if be <= a or bs >= c:
                        cut.append((a, c))
                        continue
                    if a < bs:
                        cut.append((a, bs))
                    if be < c:
                        cut.append((be, c))
                pieces = cut
            out.extend(Window(a, c, w.open and a == w.start) for a, c in pieces)
        return out

    def window_holding(self, s: int, e: int) -> Window | None:
        """Return the merged window that contains ``[s, e)``, if any."""
        i = bisect_right(self.starts, s) - 1
        if i >= 0 and e <= self.windows[i].end:
            return self.windows[i]
        return None

    def stretch_holding(self, s: int, e: int) -> Window | None:
        """Return the free stretch that contains ``[s, e)``, if any."""
        i = bisect_right(self.stretch_starts, s) - 1
        if i >= 0 and e <= self.stretches[i].end:
            return self.stretches[i]
        return None

    # -- the conditions -------------------------------------------------------------------

    def on_clock(self, s: int) -> bool:
        """Whether ``s``'s wall time in the schedule zone is a whole multiple of ``step``."""
        return wall_us(s, self.zone) % self.step == 0

    def on_grid_of(self, s: int, origin: Window) -> bool:
        """Whether ``s`` is on the grid that starts at ``origin`` (clock if it has no start)."""
        if origin.open:
            return self.on_clock(s)
        return (s - origin.start) % self.step == 0

    def blocked(self, s: int) -> bool:
        """Condition 4 fails: a blocking entry overlaps ``[s − before, e + after)``."""
        lo, hi = s - self.before, s + self.dur + self.after
        return any(bs < hi and be > lo for bs, be in self.blocking)

    def seats_in_use(self, s: int) -> int:
        """Condition 5: the largest total of seats in use at one instant of the buffered span."""
        lo, hi = s - self.before, s + self.dur + self.after
        points = [lo] + [bs for bs, _, _ in self.seated if lo < bs < hi]
        return max(sum(k for bs, be, k in self.seated if bs <= p < be) for p in points)

    def bookings_on_day(self, s: int) -> int:
        """Condition 6: seat bookings starting on ``s``'s local date (schedule zone)."""
        day = local_date(s, self.zone)
        return sum(1 for bs, _, _ in self.seated if local_date(bs, self.zone) == day)

    def evaluate(self, s: int) -> tuple[str | None, int]:
        """Return ``(reason, remaining)`` for start ``s``: the first failing reason of §4 or None.

        ``remaining`` is capacity minus the seats in use when bookable, else 0.
        """
        e = s + self.dur
        ev = self.event
        if s < self.earliest:
            return "too_soon", 0
        if self.horizon is not None and s >= self.horizon:
            return "too_far", 0
        window = self.window_holding(s, e)
        if window is None:
            return "outside_hours", 0
        if ev.align == "free":
            if self.blocked(s):
                return "busy", 0
            stretch = self.stretch_holding(s, e)
            assert stretch is not None, "a span inside a window that meets no busy time is free"
            if not self.on_grid_of(s, stretch):
                return "off_grid", 0
        else:
            on_grid = self.on_clock(s) if ev.align == "clock" else self.on_grid_of(s, window)
            if not on_grid:
                return "off_grid", 0
            if self.blocked(s):
                return "busy", 0
        used = self.seats_in_use(s)
        if used > ev.capacity - 1:
            return "full", 0
        if ev.max_per_day is not None and self.bookings_on_day(s) >= ev.max_per_day:
            return "day_full", 0
        return None, ev.capacity - used

    # -- candidates -----------------------------------------------------------------------

    def clock_day(self, day: date) -> list[int]:
        """Return, sorted, the instants whose local reading is on ``day`` at a whole multiple of
        ``step`` after midnight: both occurrences in a fold, none in a gap (kept per day)."""
        got = self._clock_days.get(day)
        if got is not None:
            return got
        zone = self.zone
        found: set[int] = set()
        for sec in range(0, DAY_S, self.step // US):
            h, rest = divmod(sec, 3600)
            m, x = divmod(rest, 60)
            for fold in (0, 1):
                wall = datetime(day.year, day.month, day.day, h, m, x, fold=fold, tzinfo=zone)
                t = to_us(wall)
                back = from_us(t, zone)
                if back.replace(tzinfo=None, fold=0) == wall.replace(tzinfo=None, fold=0):
                    found.add(t)
        self._clock_days[day] = got = sorted(found)
        return got

    def clock_points(self, lo: int, hi: int) -> Iterator[int]:
        """Yield, in order, every instant in ``[lo, hi)`` whose wall time is on the clock grid."""
        zone = self.zone
        pending: list[int] = []
        for day in days_between(local_date(lo, zone) - timedelta(days=1),
                                local_date(hi, zone) + timedelta(days=1)):
            pending.extend(t for t in self.clock_day(day) if lo <= t < hi)
            pending.sort()
            # A fold across midnight can put a later date's reading before an earlier date's,
            # but no reading of a later date comes before the first instant of the next date.
            ready = bisect_left(pending, resolve(zone, day + timedelta(days=1), 0))
            yield from pending[:ready]
            del pending[:ready]
        yield from pending

    def grid_points(self, lo: int, hi: int) -> Iterator[int]:
        """Yield, in order, every start in ``[lo, hi)`` on a grid of condition 1 (a superset of
        the slots: each is then checked by :meth:`evaluate`)."""
        if self.event.align == "clock":
            for w in self.windows:
                if w.end > lo and w.start < hi:
                    yield from self.clock_points(max(lo, w.start), min(hi, w.end))
            return
        origins = self.stretches if self.event.align == "free" else self.windows
        for w in origins:
            if w.end <= lo or w.start >= hi:
                continue
            if w.open:
                yield from self.clock_points(max(lo, w.start), min(hi, w.end))
                continue
            k = max(0, -((w.start - lo) // self.step))  # ceil((lo - start) / step)
            t = w.start + k * self.step
            while t < min(hi, w.end):
                yield t
                t += self.step

    def slots(self, lo: int, hi: int) -> Iterator[tuple[int, int]]:
        """Yield ``(start, remaining)`` for every slot start in ``[lo, hi)``, in order.

        Stops at the horizon (no start past it can be a slot).
        """
        if self.horizon is not None:
            hi = min(hi, self.horizon)
        for s in self.grid_points(lo, hi):
            reason, remaining = self.evaluate(s)
            if reason is None:
                yield s, remaining


# ---------------------------------------------------------------------------------------------
# Queries


def _now(query: Query) -> int:
    assert query.now is not None, "reference runs need an explicit now"
    return to_us(query.now)


def _range(query: Query, zone: ZoneInfo) -> tuple[int, int]:
    """Return the query range as instants ``[lo, hi)`` (dates: first instants of the dates)."""
    if query.by_dates:
        assert isinstance(query.start, date) and isinstance(query.end, date)
        return (resolve(zone, query.start, 0),
                resolve(zone, query.end + timedelta(days=1), 0))
    assert isinstance(query.start, datetime) and isinstance(query.end, datetime)
    return to_us(query.start), to_us(query.end)


def _in_range(s: int, query: Query, zone: ZoneInfo) -> bool:
    """Condition 3, literally: the start's local date (dates) or the half-open instant range."""
    if query.by_dates:
        assert isinstance(query.start, date) and isinstance(query.end, date)
        return query.start <= local_date(s, zone) <= query.end
    assert isinstance(query.start, datetime) and isinstance(query.end, datetime)
    return to_us(query.start) <= s < to_us(query.end)


Member = tuple[str | None, Schedule, Sequence[Busy]]


def _tagged(i: int, slots: Iterator[tuple[int, int]]) -> Iterator[tuple[int, int, int]]:
    """Yield ``(start, host index, remaining)`` for one host's slots."""
    for s, r in slots:
        yield s, i, r


class _Team:
    """Hosts combined by SPEC §7 (a single schedule is a team of one with mode ``all``)."""

    def __init__(self, members: Sequence[Member], event: EventPolicy, query: Query,
                 team: Team, lo: int, hi: int) -> None:
        now = _now(query)
        self.ids = [m[0] for m in members]
        self.engines = [HostEngine(sched, event, busy, query.exclude, now, lo, hi)
                        for _, sched, busy in members]
        self.mode = team.mode
        self.need = len(members) if team.mode == "all" else team.min
        self.single = len(members) == 1 and members[0][0] is None

    def combine(self, free: list[tuple[int, int]]) -> tuple[int, tuple[str, ...] | None] | None:
        """Return ``(remaining, hosts)`` for the free ``(host index, remaining)`` pairs, or None."""
        if len(free) < self.need:
            return None
        rem = [r for _, r in free]
        remaining = min(rem) if self.mode == "all" else sum(rem)
        hosts = None if self.single else tuple(str(self.ids[i]) for i, _ in free)
        return remaining, hosts

    def slots(self, lo: int, hi: int) -> Iterator[tuple[int, int, tuple[str, ...] | None]]:
        """Yield the team's slots ``(start, remaining, hosts)`` with starts in ``[lo, hi)``.

        ``all``: the first host's slots, each asked of every other host; ``any``: every host's
        slots merged in order, grouped by start.
        """
        if self.mode == "all":
            first, *others = self.engines
            for s, r in first.slots(lo, hi):
                rest = [eng.evaluate(s) for eng in others]
                everyone = [(0, r)] + [(i, rem) for i, (reason, rem) in enumerate(rest, 1)
                                       if reason is None]
                if (got := self.combine(everyone)) is not None:
                    yield s, got[0], got[1]
            return
        streams = [_tagged(i, eng.slots(lo, hi)) for i, eng in enumerate(self.engines)]
        current: int | None = None
        free: list[tuple[int, int]] = []
        for s, i, r in heapq.merge(*streams):
            if s != current:
                if current is not None and (got := self.combine(free)) is not None:
                    yield current, got[0], got[1]
                current, free = s, []
            free.append((i, r))
        if current is not None and (got := self.combine(free)) is not None:
            yield current, got[0], got[1]

    def evaluate(self, s: int) -> RefCheck:
        """Return the check of start ``s`` without ``next_available``."""
        results = [eng.evaluate(s) for eng in self.engines]
        free = [(i, r) for i, (reason, r) in enumerate(results) if reason is None]
        got = self.combine(free)
        hosts = None if self.single else tuple(str(self.ids[i]) for i, _ in free)
        if got is not None:
            return RefCheck(True, None, got[0], None, hosts)
        reasons = [reason for reason, _ in results if reason is not None]
        first = min(reasons, key=REASONS.index)
        return RefCheck(False, first, 0, None, hosts)


def _find(members: Sequence[Member], event: EventPolicy, query: Query, team: Team) -> RefAnswer:
    zone = query.zone if query.zone is not None else members[0][1].zone
    lo, hi = _range(query, zone)
    search_hi = hi + SEARCH_DAYS * DAY
    crew = _Team(members, event, query, team, lo - DAY, search_hi)
    found = [x for x in crew.slots(lo - DAY, hi + DAY) if _in_range(x[0], query, zone)]
    if query.limit is not None:
        found = found[: query.limit]
    days: dict[str, list[RefSlot]] = {}
    for s, remaining, hosts in found:
        key = local_date(s, zone).isoformat()
        end = s + event.duration * MINUTE
        days.setdefault(key, []).append(RefSlot(iso(s, zone), iso(end, zone), remaining, hosts))
    nxt: str | None = None
    if not found:
        first = next(iter(crew.slots(hi, search_hi)), None)
        nxt = None if first is None else iso(first[0], zone)
    return RefAnswer(zone.key, tuple((d, tuple(v)) for d, v in days.items()), nxt)


def _check(members: Sequence[Member], event: EventPolicy, query: Query, start: datetime | str,
           team: Team) -> RefCheck:
    zone = query.zone if query.zone is not None else members[0][1].zone
    moment = start if isinstance(start, datetime) else datetime.fromisoformat(
        start.replace("Z", "+00:00"))
    s = to_us(moment)
    search_hi = s + SEARCH_DAYS * DAY
    crew = _Team(members, event, query, team, s, search_hi)
    verdict = crew.evaluate(s)
    after = next(iter(crew.slots(s + 1, search_hi)), None)
    return verdict._replace(next_available=None if after is None else iso(after[0], zone))


def ref_find_slots(schedule: Schedule, event: EventPolicy, query: Query,
                   busy: Iterable[Busy] = ()) -> RefAnswer:
    """Return the answer of SPEC §4 for one schedule, computed literally."""
    return _find([(None, schedule, tuple(busy))], event, query, Team())


def ref_check(schedule: Schedule, event: EventPolicy, query: Query, start: datetime | str,
              busy: Iterable[Busy] = ()) -> RefCheck:
    """Return the check of one start (SPEC §4) for one schedule, computed literally."""
    return _check([(None, schedule, tuple(busy))], event, query, start, Team())


def ref_find_team_slots(hosts: Sequence[Host], event: EventPolicy, query: Query,
                        team: Team = Team()) -> RefAnswer:  # noqa: B008 (Team is immutable)
    """Return the team answer of SPEC §7, computed literally."""
    return _find([(h.id, h.schedule, h.busy) for h in hosts], event, query, team)


def ref_check_team(hosts: Sequence[Host], event: EventPolicy, query: Query,
                   start: datetime | str, team: Team = Team()) -> RefCheck:  # noqa: B008
    """Return the team check of one start, computed literally."""
    return _check([(h.id, h.schedule, h.busy) for h in hosts], event, query, start, team)


def ref_grid_points(schedule: Schedule, event: EventPolicy, query: Query,
                    busy: Iterable[Busy] = ()) -> dict[str | None, list[datetime]]:
    """Return the grid points (condition 1's grid) with a start within a day of the query's
    range, as UTC datetimes, keyed by what a check of each would say (None: bookable):
    starts worth checking, every reason represented when it occurs."""
    zone = query.zone if query.zone is not None else schedule.zone
    lo, hi = _range(query, zone)
    eng = HostEngine(schedule, event, busy, query.exclude, _now(query), lo - DAY, hi + DAY)
    out: dict[str | None, list[datetime]] = {}
    for t in eng.grid_points(lo - DAY, hi + DAY):
        out.setdefault(eng.evaluate(t)[0], []).append(from_us(t, ZoneInfo("UTC")))
    return out


def flat(answer: RefAnswer) -> list[RefSlot]:
    """Return every slot of an answer, in order."""
    return [s for _, slots in answer.days for s in slots]
