"""A slow, literal reference engine for ALL of SPEC version 2 (§2, §3, §4, §7), on JSON documents.

``ref_answer(doc)`` returns the §4 answer document (``days``, or ``periods`` when
``query.output`` is ``"periods"``) and ``ref_check(doc, start)`` the §4 check document for a
request document of §2/§7. Nothing of :mod:`slotcalc` is imported: the document is read here
with ``zoneinfo``/``datetime`` only. The document is assumed valid (no validation; bad input
may raise anything). ``calendars`` are ignored; ``warnings`` is always ``[]``.

Instants are ints: microseconds since 1970-01-01T00:00Z (periods may evaluate a rule at a
:class:`fractions.Fraction` between two such points).

How it reads the SPEC, literally:

* Windows (§2): for every local date ``D``, the override covering ``D`` (else ``D``'s weekday)
  gives wall intervals; they are read in the travel zone covering ``D`` (else the home
  ``timezone``); each bound is ``datetime(..., tzinfo=zone)`` with ``fold=0`` (``24:00`` is the
  next day's ``00:00``). All intervals of all dates are merged where they overlap or touch.
* Rule 1 grid: ``window``: ``window.start + k·step``; ``clock``: the wall reading in the home
  zone is a whole multiple of ``step`` after local midnight (both occurrences in a fold, none in
  a gap); ``free``: ``stretch.start + k·step`` where the free stretches are the windows minus
  every blocking entry's span widened to ``[span start − buffer_after, span end + buffer_before)``.
* Rules 2–7 are checked one by one at each candidate start with plain loops over the busy
  entries. Rule 5 takes the seat total at the start of the buffered interval and at every seat
  span start inside it. Rule 6 counts the (not excluded) seat bookings by the periods of their
  start's local date in the home zone. Rule 7 reads the wall time of ``s`` in the home zone on
  the date ``i·interval_days`` later (``fold=0``).
* Teams (§7): requirement trees; a host is free at ``s`` by rules 1–7 with the team grid
  (``"team"``: ``stretch.start + k·step`` for the maximal stretches where the tree is satisfied
  by the hosts' windows or free stretches; ``"host"``: each host's own grid; ``"clock"``: each
  host's own clock grid in its own home zone).
* Periods (§4): feasibility (every rule but the grid part of rule 1) changes only at
  boundary instants that are collected explicitly (window edges, busy and seat span edges
  shifted by duration and buffers, notice, horizons, every local midnight and zone transition,
  the range bounds, and for repeats every such instant of the occurrence dates mapped back to
  the start's date by its wall reading, plus the wall readings of the transitions on the
  occurrence dates); the rules are evaluated at every boundary and at one point strictly
  between consecutive boundaries, and maximal runs are read off these pieces.

Choices where the SPEC is silent (and the v1 reference's documented ones, kept):

* An interval whose resolved end does not come after its resolved start (possible only in a
  gap) is empty (v1).
* A merged window still open 400 days before the earliest start asked about (a 24/7 schedule)
  has no known start: its grid is the clock grid (v1); so is the grid of a free stretch that
  begins at such a window's start, and of a team stretch that begins at such a host window's
  start (the clock of the first host, in request order, whose open window begins there).
* Busy entries are widened to whole seconds (start floored, end ceiled), as ``slotcalc.Busy``
  does (v1); ``duration_limits`` count the exact ``end − start`` of a booking.
* ``check``: ``too_soon`` (notice or ``bookable_from``), ``too_far`` (any horizon or
  ``bookable_until``), ``outside_hours`` (``[s, e)`` in no merged window), then with ``free``:
  ``busy`` when no free stretch holds ``[s, e)``; then ``off_grid``, ``busy``, ``full``,
  ``day_full``, ``repeat_conflict``. ``remaining`` is 0 when not bookable. ``conflicts`` (with
  ``repeat``) is computed whatever the reason, written in the query zone; for a team it is the
  union of the hosts' conflicts sorted by instant.
* Team grid: ``s`` is on it when some team stretch holds ``s`` (``start ≤ s < end``) and
  ``s − start`` is a whole number of steps. A host's own ``horizon_bookable_days`` uses the
  grid that applies to that host in the request (the team grid unless ``"grid": "host"``).
* Rule 6 and the limits of an occurrence (rule 7) use the local date of the occurrence's
  resolved instant (not the nominal date when the wall time falls in a gap across midnight).
* ``horizon_bookable_days``: dates ``today`` … ``today + 365``; a date counts when some grid
  start whose local date (home zone) it is passes every rule except that horizon and the range.
* ``next_available`` (answers): the first slot start in ``[range end, range end + 366 days)``;
  for periods the lower end of the first feasible run there (its infimum).
  ``next_available`` (check): the first slot start in ``(s, s + 366 days)``.
* A single ``schedule`` is a team of one (no ``hosts`` in the answer), with its own grid.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from functools import lru_cache
from itertools import pairwise
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

US = 1_000_000
MINUTE = 60 * US
DAY_S = 86400
DAY = DAY_S * US
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
OPEN_DAYS = 400
SEARCH_DAYS = 366
REASONS = ("too_soon", "too_far", "outside_hours", "off_grid", "busy", "full", "day_full",
           "repeat_conflict")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

Time = int | Fraction


# ---------------------------------------------------------------------------------------------
# Time helpers


def to_us(moment: datetime) -> int:
    """Return the exact instant of an aware datetime in microseconds."""
    d = moment - EPOCH
    return (d.days * DAY_S + d.seconds) * US + d.microseconds


def from_us(t: Time, zone: ZoneInfo) -> datetime:
    """Return instant ``t`` (floored to a microsecond) as an aware datetime in ``zone``."""
    return (EPOCH + timedelta(microseconds=math.floor(t))).astimezone(zone)


@lru_cache(maxsize=1 << 16)
def zone_of(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@lru_cache(maxsize=1 << 18)
def resolve(zone: ZoneInfo, day: date, second: int, fold: int = 0) -> int:
    """Return wall time ``second`` (0..86400) of local ``day`` as an instant (``fold`` 0: §1)."""
    if second == DAY_S:
        day, second = day + timedelta(days=1), 0
    h, rest = divmod(second, 3600)
    m, s = divmod(rest, 60)
    return to_us(datetime(day.year, day.month, day.day, h, m, s, fold=fold, tzinfo=zone))


def local_date(t: Time, zone: ZoneInfo) -> date:
    return from_us(t, zone).date()


def parse_instant(text: str) -> int:
    return to_us(datetime.fromisoformat(text.replace("z", "Z")))


def parse_wall(text: str) -> int:
    parts = [int(x) for x in text.split(":")]
    h, m = parts[0], parts[1]
    s = parts[2] if len(parts) > 2 else 0
    return h * 3600 + m * 60 + s


def iso(t: Time, zone: ZoneInfo) -> str:
    return from_us(t, zone).isoformat()


def days_between(first: date, last: date) -> Iterator[date]:
    d = first
    while d <= last:
        yield d
        d += timedelta(days=1)


def merge(raw: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Return intervals merged where they overlap or touch, in order."""
    out: list[list[int]] = []
    for start, end in sorted(raw):
        if out and start <= out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return [(a, b) for a, b in out]


def transitions(zone: ZoneInfo, lo: int, hi: int) -> list[int]:
    """Return every instant in ``[lo, hi]`` at which ``zone``'s UTC offset changes."""
    first = (EPOCH + timedelta(microseconds=lo)).year
    last = (EPOCH + timedelta(microseconds=hi)).year
    return [t for y in range(first, last + 1) for t in _year_transitions(zone, y)
            if lo <= t <= hi]


@lru_cache(maxsize=1 << 12)
def _year_transitions(zone: ZoneInfo, year: int) -> tuple[int, ...]:
    """Return the instants of UTC year ``year`` at which ``zone``'s offset changes."""
    lo = to_us(datetime(year, 1, 1, tzinfo=UTC))
    return tuple(_scan_transitions(zone, lo - 1, to_us(datetime(year + 1, 1, 1, tzinfo=UTC)) - 1))


def _scan_transitions(zone: ZoneInfo, lo: int, hi: int) -> list[int]:
    """Return every instant in ``(lo, hi]`` at which ``zone``'s UTC offset changes (found by
    comparing offsets hour by hour and bisecting to the microsecond)."""
    out: list[int] = []

    def off(t: int) -> timedelta | None:
        return from_us(t, zone).utcoffset()

    t = lo
    prev = off(t)
    hour = 3600 * US
    while t < hi:
        n = min(t + hour, hi)
        cur = off(n)
        if cur != prev:
            a, b = t, n  # off(a) == prev != off(b)
            while b - a > 1:
                m = (a + b) // 2
                if off(m) == prev:
                    a = m
                else:
                    b = m
            out.append(b)
            prev = cur
        t = n
    return out


class Win(NamedTuple):
    start: int
    end: int
    open: bool  # reaches back to the lookback edge: no known start (clock grid)


def holding(items: list[Win], starts: list[int], s: Time, e: Time) -> Win | None:
    """Return the item (sorted, disjoint) that contains ``[s, e)``."""
    i = bisect_right(starts, s) - 1
    if i >= 0 and items[i].start <= s and e <= items[i].end:
        return items[i]
    return None


# ---------------------------------------------------------------------------------------------
# The event


class Event:
    def __init__(self, doc: dict[str, Any]) -> None:
        self.duration = doc["duration"]
        self.dur = int(doc["duration"]) * MINUTE
        self.step = int(doc.get("step") or doc["duration"]) * MINUTE
        self.align = doc.get("align", "window")
        self.before = int(doc.get("buffer_before", 0)) * MINUTE
        self.after = int(doc.get("buffer_after", 0)) * MINUTE
        self.notice = int(doc.get("min_notice", 0)) * MINUTE
        self.horizon_days = doc.get("horizon_days")
        self.horizon_business = doc.get("horizon_business_days")
        self.business = {WEEKDAYS.index(d) for d in
                         (doc.get("business_days") or ["mon", "tue", "wed", "thu", "fri"])}
        self.horizon_bookable = doc.get("horizon_bookable_days")
        self.bookable_from = (None if doc.get("bookable_from") is None
                              else date.fromisoformat(doc["bookable_from"]))
        self.bookable_until = (None if doc.get("bookable_until") is None
                               else date.fromisoformat(doc["bookable_until"]))
        self.capacity = int(doc.get("capacity", 1))
        self.booking_limits: dict[str, int] = dict(doc.get("booking_limits") or {})
        if doc.get("max_per_day") is not None:
            self.booking_limits["day"] = int(doc["max_per_day"])
        self.duration_limits: dict[str, int] = dict(doc.get("duration_limits") or {})
        self.week_start = WEEKDAYS.index(doc.get("week_start", "mon"))
        rep = doc.get("repeat")
        self.repeat: tuple[int, int] | None = (
            None if rep is None else (int(rep["interval_days"]), int(rep["count"])))

    def repeat_days(self) -> int:
        return 0 if self.repeat is None else self.repeat[0] * (self.repeat[1] - 1)

    def period(self, kind: str, d: date) -> object:
        if kind == "day":
            return d
        if kind == "week":
            return d - timedelta(days=(d.weekday() - self.week_start) % 7)
        if kind == "month":
            return (d.year, d.month)
        return d.year


# ---------------------------------------------------------------------------------------------
# One host


class Host:
    """One host's schedule, busy time and every rule of §3 (its own zone for date rules)."""

    def __init__(self, ident: str | None, sched: dict[str, Any], busy: list[dict[str, Any]],
                 ev: Event, exclude: set[str], now: int, lo: int, hi: int) -> None:
        self.id = ident
        self.ev = ev
        self.home = zone_of(sched["timezone"])
        self.weekly: dict[int, list[tuple[int, int]]] = {}
        for key, pairs in (sched.get("weekly") or {}).items():
            self.weekly[WEEKDAYS.index(key)] = [(parse_wall(a), parse_wall(b)) for a, b in pairs]
        self.overrides = []
        for o in sched.get("overrides") or []:
            d0 = date.fromisoformat(o["date"])
            d1 = date.fromisoformat(o["until"]) if o.get("until") else d0
            self.overrides.append((d0, d1, [(parse_wall(a), parse_wall(b))
                                            for a, b in o["intervals"]]))
        self.travel = []
        for z in sched.get("zones") or []:
            d0 = date.fromisoformat(z["from"])
            d1 = date.fromisoformat(z["until"]) if z.get("until") else None
            self.travel.append((d0, d1, zone_of(z["timezone"])))
        self.blocking: list[tuple[int, int]] = []
        self.seated: list[tuple[int, int, int]] = []
        self.bookings: list[tuple[int, int]] = []  # exact (start, end) of seat bookings
        for b in busy:
            if b.get("id") is not None and b["id"] in exclude:
                continue
            bs_exact, be_exact = parse_instant(b["start"]), parse_instant(b["end"])
            bs = bs_exact // US * US - int(b.get("buffer_before", 0)) * MINUTE
            be = -(-be_exact // US) * US + int(b.get("buffer_after", 0)) * MINUTE
            if b.get("seats") is None:
                self.blocking.append((bs, be))
            else:
                self.seated.append((bs, be, int(b["seats"])))
                self.bookings.append((bs_exact, be_exact))
        self.now = now
        self.earliest = now + ev.notice
        self.today = local_date(now, self.home)
        self.from_midnight = (None if ev.bookable_from is None
                              else resolve(self.home, ev.bookable_from, 0))
        self._build_windows(lo, hi)
        self.horizon = self._fixed_horizon()  # before horizon_bookable_days
        self._clock_days: dict[date, list[int]] = {}
        self._booking_dates = [local_date(bs, self.home) for bs, _ in self.bookings]

    # -- windows ----------------------------------------------------------------------------

    def wall_intervals(self, day: date) -> tuple[list[tuple[int, int]], ZoneInfo]:
        covering = [o for o in self.overrides if o[0] <= day <= o[1]]
        hours = covering[0][2] if covering else self.weekly.get(day.weekday(), [])
        zone = self.home
        for d0, d1, z in self.travel:
            if d0 <= day and (d1 is None or day <= d1):
                zone = z
        return hours, zone

    def resolved(self, first: date, last: date) -> list[tuple[int, int]]:
        raw = []
        for day in days_between(first, last):
            hours, zone = self.wall_intervals(day)
            for a, b in hours:
                s, e = resolve(zone, day, a), resolve(zone, day, b)
                if e > s:
                    raw.append((s, e))
        return raw

    def _build_windows(self, lo: int, hi: int) -> None:
        first = local_date(lo, self.home) - timedelta(days=3)
        last = local_date(hi, self.home) + timedelta(days=3)
        floor_date = local_date(lo, self.home) - timedelta(days=OPEN_DAYS)
        raw = self.resolved(first, last)
        while True:
            spans = merge(raw)
            edge = resolve(self.home, first, 0)
            reaches = bool(spans) and spans[0][0] <= edge
            if not reaches or first <= floor_date:
                break
            earlier = max(floor_date, first - timedelta(days=60))
            raw += self.resolved(earlier, first - timedelta(days=1))
            first = earlier
        self.windows = [Win(a, b, reaches and i == 0) for i, (a, b) in enumerate(spans)]
        self.win_starts = [w.start for w in self.windows]
        widened = [(bs - self.ev.after, be + self.ev.before) for bs, be in self.blocking]
        stretches: list[Win] = []
        for w in self.windows:
            pieces = [(w.start, w.end)]
            for bs, be in widened:
                cut = []
                for a, c in pieces:
                    if be <= a or bs >= c:
                        cut.append((a, c))
                        continue
                    if a < bs:
                        cut.append((a, bs))
                    if be < c:
                        cut.append((be, c))
                pieces = cut
            stretches.extend(Win(a, c, w.open and a == w.start) for a, c in pieces)
        self.stretches = stretches
        self.stretch_starts = [w.start for w in stretches]

    def grid_sources(self) -> list[Win]:
        """The intervals whose starts begin the host's own grid (and bound its starts)."""
        return self.stretches if self.ev.align == "free" else self.windows

    # -- horizons ---------------------------------------------------------------------------

    def _last_dates(self) -> list[date]:
        ev = self.ev
        out = []
        if ev.horizon_days is not None:
            out.append(self.today + timedelta(days=int(ev.horizon_days) - 1))
        if ev.horizon_business is not None:
            d, n = self.today, 0
            while True:
                if d.weekday() in ev.business:
                    n += 1
                    if n == int(ev.horizon_business):
                        break
                d += timedelta(days=1)
            out.append(d)
        if ev.bookable_until is not None:
            out.append(ev.bookable_until)
        return out

    def _fixed_horizon(self) -> int | None:
        last = self._last_dates()
        return None if not last else resolve(self.home, min(last) + timedelta(days=1), 0)

    def apply_bookable_days(self, grid: Grid) -> None:
        """Rule 2's ``horizon_bookable_days``: the N-th local date from ``today`` on (366
        dates) that holds a grid start passing every other rule (range excluded)."""
        n = self.ev.horizon_bookable
        if n is None:
            return
        n = int(n)
        lo = resolve(self.home, self.today, 0)
        hi = resolve(self.home, self.today + timedelta(days=SEARCH_DAYS), 0)
        found: set[date] = set()
        stop = hi
        for s in grid.points(self, lo, hi):
            if s >= stop:
                break
            if self.evaluate(s, grid)[0] is None:
                d = local_date(s, self.home)
                if self.today <= d <= self.today + timedelta(days=SEARCH_DAYS - 1):
                    found.add(d)
                    if len(found) >= n:
                        nth = sorted(found)[n - 1]
                        stop = min(stop, resolve(self.home, nth + timedelta(days=2), 0))
        last = sorted(found)[n - 1] if len(found) >= n else (
            self.today + timedelta(days=SEARCH_DAYS - 1))
        m = resolve(self.home, last + timedelta(days=1), 0)
        self.horizon = m if self.horizon is None else min(self.horizon, m)

    # -- the rules --------------------------------------------------------------------------

    def on_clock(self, s: Time) -> bool:
        if s != math.floor(s):
            return False
        d = from_us(s, self.home)
        wall = ((d.hour * 60 + d.minute) * 60 + d.second) * US + d.microsecond
        return wall % self.ev.step == 0

    def blocked(self, s: Time) -> bool:
        """Rule 4 fails."""
        lo, hi = s - self.ev.before, s + self.ev.dur + self.ev.after
        return any(bs < hi and be > lo for bs, be in self.blocking)

    def seats_in_use(self, s: Time) -> int:
        """Rule 5: the largest seat total at one instant of the buffered interval."""
        lo, hi = s - self.ev.before, s + self.ev.dur + self.ev.after
        points = [lo] + [bs for bs, _, _ in self.seated if lo < bs < hi]
        return max(sum(k for bs, be, k in self.seated if bs <= p < be) for p in points)

    def limits_ok(self, s: Time) -> bool:
        """Rule 6."""
        ev = self.ev
        d = local_date(s, self.home)
        for kind, n in ev.booking_limits.items():
            p = ev.period(kind, d)
            if sum(1 for bd in self._booking_dates if ev.period(kind, bd) == p) >= n:
                return False
        for kind, minutes in ev.duration_limits.items():
            p = ev.period(kind, d)
            used = sum(be - bs for (bs, be), bd in zip(self.bookings, self._booking_dates,
                                                        strict=True)
                       if ev.period(kind, bd) == p)
            if used + ev.dur > minutes * MINUTE:
                return False
        return True

    def occurrences(self, s: Time) -> list[Time]:
        """Rule 7: occurrences 1 … count − 1 of ``s`` (wall time in the home zone)."""
        if self.ev.repeat is None:
            return []
        k, count = self.ev.repeat
        base = math.floor(s)
        frac = s - base
        d = from_us(base, self.home)
        out: list[Time] = []
        for i in range(1, count):
            day = d.date() + timedelta(days=i * k)
            wall = datetime(day.year, day.month, day.day, d.hour, d.minute, d.second,
                            d.microsecond, tzinfo=self.home)
            out.append(to_us(wall) + frac)
        return out

    def occurrence_ok(self, o: Time) -> bool:
        if holding(self.windows, self.win_starts, o, o + self.ev.dur) is None:
            return False
        if self.blocked(o):
            return False
        if self.seats_in_use(o) > self.ev.capacity - 1:
            return False
        return self.limits_ok(o)

    def conflicts(self, s: Time) -> list[Time]:
        return [o for o in self.occurrences(s) if not self.occurrence_ok(o)]

    def evaluate(self, s: Time, grid: Grid | None) -> tuple[str | None, int]:
        """Return ``(reason, remaining)``: the first failing reason of §4 (None: free).

        ``grid`` None: the grid part of rule 1 is skipped (periods' feasibility).
        """
        ev = self.ev
        e = s + ev.dur
        if s < self.earliest or (self.from_midnight is not None and s < self.from_midnight):
            return "too_soon", 0
        if self.horizon is not None and s >= self.horizon:
            return "too_far", 0
        window = holding(self.windows, self.win_starts, s, e)
        if window is None:
            return "outside_hours", 0
        holder = window
        if ev.align == "free":
            stretch = holding(self.stretches, self.stretch_starts, s, e)
            if stretch is None:
                return "busy", 0
            holder = stretch
        if grid is not None and not grid.on_grid(self, s, holder):
            return "off_grid", 0
        if self.blocked(s):
            return "busy", 0
        used = self.seats_in_use(s)
        if used > ev.capacity - 1:
            return "full", 0
        if not self.limits_ok(s):
            return "day_full", 0
        if self.conflicts(s):
            return "repeat_conflict", 0
        return None, ev.capacity - used

    # -- clock grid -------------------------------------------------------------------------

    def clock_day(self, day: date) -> list[int]:
        got = self._clock_days.get(day)
        if got is not None:
            return got
        zone = self.home
        found: set[int] = set()
        midnight = resolve(zone, day, 0)
        following = resolve(zone, day + timedelta(days=1), 0)
        if following - midnight == DAY and not transitions(zone, midnight - DAY, following + DAY):
            # no offset change near this date: wall time w after midnight is midnight + w
            got = list(range(midnight, following, self.ev.step))
            self._clock_days[day] = got
            return got
        for sec in range(0, DAY_S, self.ev.step // US):
            h, rest = divmod(sec, 3600)
            m, x = divmod(rest, 60)
            first = datetime(day.year, day.month, day.day, h, m, x, tzinfo=zone)
            if first.utcoffset() == first.replace(fold=1).utcoffset():
                found.add(to_us(first))  # an ordinary wall time: one instant
                continue
            for fold in (0, 1):  # a fold (two instants) or a gap (none)
                wall = first.replace(fold=fold)
                t = to_us(wall)
                back = from_us(t, zone)
                if back.replace(tzinfo=None, fold=0) == wall.replace(tzinfo=None, fold=0):
                    found.add(t)
        self._clock_days[day] = got = sorted(found)
        return got

    def clock_points(self, lo: int, hi: int) -> list[int]:
        out: set[int] = set()
        for day in days_between(local_date(lo, self.home) - timedelta(days=1),
                                local_date(hi, self.home) + timedelta(days=1)):
            out.update(t for t in self.clock_day(day) if lo <= t < hi)
        return sorted(out)

    # -- periods: boundaries ----------------------------------------------------------------

    def boundaries(self, lo: int, hi: int) -> set[int]:
        """Every instant in ``[lo, hi]`` at which this host's feasibility may change."""
        ev = self.ev
        dur, bef, aft = ev.dur, ev.before, ev.after
        margin = dur + bef + aft + 2 * DAY
        a, b = lo - margin, hi + margin

        def instant_points(x0: int, x1: int) -> set[int]:
            pts: set[int] = set()
            for w in self.windows + self.stretches:
                if w.end >= x0 and w.start <= x1:
                    pts.update((w.start, w.end - dur))
            for bs, be in self.blocking:
                pts.update((bs - dur - aft, be + bef))
            for bs, be, _ in self.seated:
                pts.update((bs + bef, be + bef, bs - dur - aft, be - dur - aft))
            for day in days_between(local_date(x0, self.home) - timedelta(days=1),
                                    local_date(x1, self.home) + timedelta(days=1)):
                pts.add(resolve(self.home, day, 0))
                pts.add(resolve(self.home, day, 0, 1))
            pts.update(transitions(self.home, x0, x1))
            return pts

        pts = instant_points(a, b)
        pts.update(p for p in (self.earliest, self.from_midnight, self.horizon) if p is not None)
        if ev.repeat is not None:
            k, count = ev.repeat
            span = (count - 1) * k * DAY
            targets = instant_points(a, b + span + 2 * DAY)
            tr = transitions(self.home, a, b + span + 2 * DAY)
            walls: set[datetime] = set()  # naive readings on occurrence dates
            for x in targets:
                walls.add(from_us(x, self.home).replace(tzinfo=None, fold=0))
            for t in tr:
                for off in (from_us(t - 1, self.home).utcoffset(),
                            from_us(t, self.home).utcoffset()):
                    assert off is not None
                    walls.add((EPOCH + timedelta(microseconds=t) + off).replace(tzinfo=None))
            for i in range(1, count):
                shift = timedelta(days=i * k)
                for w in walls:
                    src = w - shift
                    for fold in (0, 1):
                        pts.add(to_us(src.replace(fold=fold, tzinfo=self.home)))
        return {p for p in pts if lo <= p <= hi}


# ---------------------------------------------------------------------------------------------
# Grids


class Grid:
    """The grid part of rule 1: each host's own (``"host"``, single schedules, ``"clock"``), or
    the team's stretches."""

    def __init__(self, team_stretches: list[tuple[int, int, ZoneInfo | None]] | None,
                 step: int, align: str) -> None:
        self.team = team_stretches  # (start, end, clock zone when open)
        self.step = step
        self.align = align
        if team_stretches is not None:
            self.starts = [s for s, _, _ in team_stretches]

    def on_grid(self, host: Host, s: Time, holder: Win) -> bool:
        if self.align == "clock":
            return host.on_clock(s)
        if self.team is None:
            if holder.open:
                return host.on_clock(s)
            return (s - holder.start) % self.step == 0
        i = bisect_right(self.starts, s) - 1
        if i < 0:
            return False
        start, end, clock = self.team[i]
        if not start <= s < end:
            return False
        if clock is not None:
            return s == math.floor(s) and _wall_mod(s, clock, self.step)
        return (s - start) % self.step == 0

    def points(self, host: Host, lo: int, hi: int) -> list[int]:
        """Candidate grid starts in ``[lo, hi)`` for ``host`` (a superset; each is evaluated)."""
        if self.align == "clock":
            out: list[int] = []
            for w in host.windows:
                if w.end > lo and w.start < hi:
                    out.extend(host.clock_points(max(lo, w.start), min(hi, w.end)))
            return out
        if self.team is None:
            return _stepped([(w.start, w.end, host.home if w.open else None)
                             for w in host.grid_sources()], self.step, lo, hi)
        return _stepped(self.team, self.step, lo, hi)


def _wall_mod(s: Time, zone: ZoneInfo, step: int) -> bool:
    d = from_us(s, zone)
    wall = ((d.hour * 60 + d.minute) * 60 + d.second) * US + d.microsecond
    return wall % step == 0


def _stepped(sources: list[tuple[int, int, ZoneInfo | None]], step: int, lo: int,
             hi: int) -> list[int]:
    out: list[int] = []
    for start, end, clock in sources:
        if end <= lo or start >= hi:
            continue
        if clock is not None:
            t = max(lo, start) // MINUTE * MINUTE
            while t < min(hi, end):
                if t >= max(lo, start) and _wall_mod(t, clock, step):
                    out.append(t)
                t += MINUTE
            continue
        k = max(0, -((start - lo) // step))
        t = start + k * step
        while t < min(hi, end):
            out.append(t)
            t += step
    return out


# ---------------------------------------------------------------------------------------------
# Requirement trees


Node = tuple[Any, ...]  # ("host", index) | ("all", [nodes]) | ("any", [nodes], min)


def parse_node(node: Any, ids: list[str]) -> Node:
    if isinstance(node, str):
        return ("host", ids.index(node))
    if "all" in node:
        return ("all", [parse_node(c, ids) for c in node["all"]])
    return ("any", [parse_node(c, ids) for c in node["any"]], int(node.get("min", 1)))


def tree_of(team: dict[str, Any] | None, n: int, ids: list[str]) -> Node:
    team = team or {}
    if "require" in team:
        return parse_node(team["require"], ids)
    leaves = [("host", i) for i in range(n)]
    if team.get("mode", "all") == "any":
        return ("any", leaves, int(team.get("min", 1)))
    return ("all", leaves)


def satisfied(node: Node, ok: list[bool]) -> bool:
    if node[0] == "host":
        return ok[node[1]]
    got = [satisfied(c, ok) for c in node[1]]
    return all(got) if node[0] == "all" else sum(got) >= node[2]


def combine(node: Node, free: dict[int, int]) -> tuple[bool, int, set[int]]:
    """Return ``(satisfied, remaining, listed hosts)`` of ``node``; ``free``: host → remaining."""
    if node[0] == "host":
        i = node[1]
        if i in free:
            return True, free[i], {i}
        return False, 0, set()
    kids = [combine(c, free) for c in node[1]]
    if node[0] == "all":
        if all(k[0] for k in kids):
            return True, min(k[1] for k in kids), set().union(*(k[2] for k in kids))
        return False, 0, set()
    good = [k for k in kids if k[0]]
    if len(good) >= node[2]:
        return True, sum(k[1] for k in good), set().union(*(k[2] for k in good))
    return False, 0, set()


# ---------------------------------------------------------------------------------------------
# Requests


class Request:
    def __init__(self, doc: dict[str, Any], lo: int, hi: int) -> None:
        """Read ``doc``; ``[lo, hi)`` is the span of starts that will be asked about."""
        self.ev = ev = Event(doc["event"])
        q = doc["query"]
        self.query = q
        self.now = parse_instant(q["now"])
        exclude = set(q.get("exclude") or [])
        if "hosts" in doc:
            self.team = True
            self.ids = [h["id"] for h in doc["hosts"]]
            members = [(h["id"], h["schedule"], h.get("busy") or []) for h in doc["hosts"]]
            team = doc.get("team")
            self.tree = tree_of(team, len(members), self.ids)
            grid_kind = (team or {}).get("grid", "team")
        else:
            self.team = False
            self.ids = []
            members = [(None, doc["schedule"], doc.get("busy") or [])]
            self.tree = ("host", 0)
            grid_kind = "host"
        span_lo = min(lo, self.now) - DAY
        span_hi = max(hi, self.now) + (SEARCH_DAYS + 1) * DAY + ev.repeat_days() * DAY + ev.dur
        self.hosts = [Host(i, s, b, ev, exclude, self.now, span_lo, span_hi)
                      for i, s, b in members]
        zname = q.get("timezone") or self.hosts[0].home.key
        self.zone = zone_of(zname)
        self.zone_name = zname
        if ev.align == "clock" or grid_kind == "host":
            self.grid = Grid(None, ev.step, ev.align)
        else:
            self.grid = Grid(self._team_stretches(), ev.step, ev.align)
        for h in self.hosts:
            h.apply_bookable_days(self.grid)

    def _team_stretches(self) -> list[tuple[int, int, ZoneInfo | None]]:
        """Maximal stretches where the tree is satisfied by the hosts' windows (or free
        stretches), with the clock zone of an open one."""
        per_host = [h.grid_sources() for h in self.hosts]
        firsts = [[w.start for w in src] for src in per_host]
        points = sorted({p for src in per_host for w in src for p in (w.start, w.end)})
        segs: list[tuple[int, int]] = []
        for a, b in pairwise(points):
            ok = [_inside(src, starts, a) for src, starts in zip(per_host, firsts, strict=True)]
            if satisfied(self.tree, ok):
                if segs and segs[-1][1] == a:
                    segs[-1] = (segs[-1][0], b)
                else:
                    segs.append((a, b))
        out = []
        for a, b in segs:
            clock = None
            for h, src in zip(self.hosts, per_host, strict=True):
                if any(w.open and w.start == a for w in src):
                    clock = h.home
                    break
            out.append((a, b, clock))
        return out

    # -- rules for the whole team ------------------------------------------------------------

    def in_range(self, s: Time) -> bool:
        q = self.query
        if _is_date(q["start"]):
            d = local_date(s, self.zone)
            return date.fromisoformat(q["start"]) <= d <= date.fromisoformat(q["end"])
        return parse_instant(q["start"]) <= s < parse_instant(q["end"])

    def range(self) -> tuple[int, int]:
        q = self.query
        if _is_date(q["start"]):
            return (resolve(self.zone, date.fromisoformat(q["start"]), 0),
                    resolve(self.zone, date.fromisoformat(q["end"]) + timedelta(days=1), 0))
        return parse_instant(q["start"]), parse_instant(q["end"])

    def slot_at(self, s: Time, grid: Grid | None) -> tuple[bool, int, list[int], list[str | None]]:
        """Return ``(satisfied, remaining, listed host indexes, host reasons)`` at ``s``."""
        results = [h.evaluate(s, grid) for h in self.hosts]
        free = {i: r for i, (reason, r) in enumerate(results) if reason is None}
        ok, remaining, listed = combine(self.tree, free)
        return ok, remaining, sorted(listed), [reason for reason, _ in results]

    def candidates(self, lo: int, hi: int) -> list[int]:
        pts: set[int] = set()
        if self.grid.team is not None:
            pts.update(self.grid.points(self.hosts[0], lo, hi))
        else:
            for h in self.hosts:
                pts.update(self.grid.points(h, lo, hi))
        return sorted(pts)

    def slots(self, lo: int, hi: int) -> Iterator[tuple[int, int, list[int]]]:
        """Yield ``(start, remaining, listed)`` for every slot start in ``[lo, hi)`` (rules
        1, 2 and 4–7; not the range), in order, a week at a time."""
        cut = lo
        while cut < hi:
            nxt = min(hi, cut + 7 * DAY)
            for s in self.candidates(cut, nxt):
                # a free host's window holds [s, e): skip starts where the tree cannot be
                # satisfied even so (a shortcut only: every other start is evaluated in full)
                inside = [holding(h.windows, h.win_starts, s, s + self.ev.dur) is not None
                          for h in self.hosts]
                if not satisfied(self.tree, inside):
                    continue
                ok, remaining, listed, _ = self.slot_at(s, self.grid)
                if ok:
                    yield s, remaining, listed
            cut = nxt

    def pieces(self, lo: int, hi: int, ranged: bool
               ) -> Iterator[tuple[Time, Time, bool, list[int]]]:
        """Yield ``(left, right, feasible, listed)`` for the points and the open gaps between
        consecutive boundaries of ``[lo, hi)``, in order."""
        pts: set[int] = {lo, hi}
        for h in self.hosts:
            pts |= h.boundaries(lo, hi)
        if ranged and _is_date(self.query["start"]):
            for day in days_between(local_date(lo, self.zone), local_date(hi, self.zone)):
                for fold in (0, 1):
                    p = resolve(self.zone, day, 0, fold)
                    if lo <= p <= hi:
                        pts.add(p)
        order = sorted(p for p in pts if lo <= p <= hi)
        for i, p in enumerate(order):
            if p >= hi:
                break
            yield self._piece(p, p, p, ranged)
            q = order[i + 1]
            mid: Time = p + (q - p) // 2 if q - p >= 2 else Fraction(2 * p + 1, 2)
            yield self._piece(p, q, mid, ranged)

    def _piece(self, left: Time, right: Time, x: Time, ranged: bool
               ) -> tuple[Time, Time, bool, list[int]]:
        if ranged and not self.in_range(x):
            return left, right, False, []
        ok, _, listed, _ = self.slot_at(x, None)
        return left, right, ok, listed


def _inside(items: list[Win], starts: list[int], t: int) -> bool:
    """Whether instant ``t`` lies in one of ``items`` (sorted, disjoint, half-open)."""
    i = bisect_right(starts, t) - 1
    return i >= 0 and items[i].start <= t < items[i].end


def _is_date(text: str) -> bool:
    return len(text) == 10


def _runs(pieces: Iterable[tuple[Time, Time, bool, list[int]]]
          ) -> Iterator[tuple[Time, Time, set[int]]]:
    cur: list[Any] | None = None
    for left, right, ok, listed in pieces:
        if ok:
            if cur is None:
                cur = [left, right, set(listed)]
            else:
                cur[1] = right
                cur[2].update(listed)
        elif cur is not None:
            yield cur[0], cur[1], cur[2]
            cur = None
    if cur is not None:
        yield cur[0], cur[1], cur[2]


# ---------------------------------------------------------------------------------------------
# Public


def ref_answer(doc: dict[str, Any]) -> dict[str, Any]:
    """Return the SPEC §4 answer document (slots or periods) of a valid request document."""
    q = doc["query"]
    probe_zone = zone_of(q.get("timezone") or (doc["hosts"][0]["schedule"]["timezone"]
                                              if "hosts" in doc else
                                              doc["schedule"]["timezone"]))
    if _is_date(q["start"]):
        lo = resolve(probe_zone, date.fromisoformat(q["start"]), 0)
        hi = resolve(probe_zone, date.fromisoformat(q["end"]) + timedelta(days=1), 0)
    else:
        lo, hi = parse_instant(q["start"]), parse_instant(q["end"])
    req = Request(doc, lo, hi)
    lo, hi = req.range()
    zone = req.zone
    dur = req.ev.dur
    limit = q.get("limit")
    out: dict[str, Any] = {"timezone": req.zone_name}
    if q.get("output", "slots") == "periods":
        periods = []
        for a, b, listed in _runs(req.pieces(lo, hi, True)):
            item: dict[str, Any] = {"start": iso(a, zone), "end": iso(b + dur, zone)}
            if req.team:
                item["hosts"] = [req.ids[i] for i in sorted(listed)]
            periods.append(item)
        if limit is not None:
            periods = periods[: int(limit)]
        out["periods"] = periods
        nxt = None
        if not periods:
            cut = hi
            while cut < hi + SEARCH_DAYS * DAY and nxt is None:
                top = min(cut + 14 * DAY, hi + SEARCH_DAYS * DAY)
                for left, _right, ok, _ in req.pieces(cut, top, False):
                    if ok:
                        nxt = iso(left, zone)
                        break
                cut = top
        out["next_available"] = nxt
    else:
        found = [x for x in req.slots(lo - DAY, hi + DAY) if req.in_range(x[0])]
        if limit is not None:
            found = found[: int(limit)]
        days: dict[str, list[dict[str, Any]]] = {}
        for s, remaining, listed in found:
            slot: dict[str, Any] = {"start": iso(s, zone), "end": iso(s + dur, zone),
                                    "remaining": remaining}
            if req.team:
                slot["hosts"] = [req.ids[i] for i in listed]
            days.setdefault(local_date(s, zone).isoformat(), []).append(slot)
        out["days"] = [{"date": d, "slots": v} for d, v in days.items()]
        nxt = None
        if not found:
            first = next(iter(req.slots(hi, hi + SEARCH_DAYS * DAY)), None)
            nxt = None if first is None else iso(first[0], zone)
        out["next_available"] = nxt
    out["warnings"] = []
    return out


def ref_check(doc: dict[str, Any], start: str) -> dict[str, Any]:
    """Return the SPEC §4 check document for ``start`` of a valid request document."""
    s = parse_instant(start)
    req = Request(doc, s, s + DAY)
    zone = req.zone
    ok, remaining, listed, reasons = req.slot_at(s, req.grid)
    out: dict[str, Any] = {"bookable": ok}
    if ok:
        out["reason"] = None
        out["remaining"] = remaining
    else:
        out["reason"] = min((r for r in reasons if r is not None), key=REASONS.index)
        out["remaining"] = 0
    after = next(iter(req.slots(s + 1, s + SEARCH_DAYS * DAY)), None)
    out["next_available"] = None if after is None else iso(after[0], zone)
    if req.team:
        shown = listed if ok else [i for i, r in enumerate(reasons) if r is None]
        out["hosts"] = [req.ids[i] for i in shown]
    if req.ev.repeat is not None:
        conflicts: set[Time] = set()
        for h in req.hosts:
            conflicts.update(h.conflicts(s))
        out["conflicts"] = [iso(c, zone) for c in sorted(conflicts)]
    return out
