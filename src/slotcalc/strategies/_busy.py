"""Busy time and seat bookings, placed on a schedule's windows so they collide with slots."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from .._tz import DAY, to_epoch, wall_to_epoch
from ..model import Busy, Query, Schedule
from ._common import (
    DEFAULT_YEARS,
    MINUTE,
    Moment,
    as_datetime,
    as_text,
    check_int,
    check_sizes,
    coin,
    draw_int,
    draw_moment,
    local_midnight,
    pick,
    rarely,
    shuffled,
)
from ._zones import draw_setting


def _window_edges(schedule: Schedule, lo: int, hi: int) -> list[int]:
    """Instants where the schedule's wall intervals start or end, near ``[lo, hi)``.

    Cost: O(days × intervals) zone lookups, for the days of ``[lo − 1 day, hi + 1 day]``
    (at most 400 of them). Travel dates are read in their own zone.
    """
    home = schedule.zone
    first = datetime.fromtimestamp(lo, home).date() - timedelta(days=1)
    last = datetime.fromtimestamp(hi, home).date() + timedelta(days=1)
    out: set[int] = set()
    day = first
    while day <= last and (day - first).days <= 400:
        zone = home
        for t in schedule.zones:
            if t.start <= day and (t.until is None or day <= t.until):
                zone = t.zone
        for a, b in schedule.intervals_on(day):
            out.add(wall_to_epoch(zone, day, a))
            out.add(wall_to_epoch(zone, day, b))
        day += timedelta(days=1)
    return sorted(t for t in out if lo - 2 * DAY <= t <= hi + 2 * DAY)


def anchors_of(schedule: Schedule | None, lo: int, hi: int) -> tuple[int, ...]:
    edges = _window_edges(schedule, lo, hi) if schedule is not None else []
    return tuple(sorted({lo, hi, *edges}))


class BusyPlan(NamedTuple):
    start: Moment
    end: Moment
    seats: int | None
    id: str | None
    buffer_before: int = 0
    buffer_after: int = 0


_OFFSETS = tuple(m * MINUTE for m in (0, -15, 15, -30, 30, -60, 60, -5, 5, -120, 120))
_BUSY_LENGTHS = tuple(m * MINUTE for m in (60, 30, 15, 90, 120, 45, 240, 1440, 5))
_BREAKS = (0, 5, 10, 15, 30, 60)


def _draw_breaks(draw: st.DrawFn, max_buffer: int) -> tuple[int, int]:
    """An entry's own ``buffer_before`` / ``buffer_after`` (minutes); none about 2 in 3."""
    if not max_buffer or draw_int(draw, 0, 2):
        return 0, 0
    fits = [m for m in _BREAKS if m <= max_buffer]

    def one() -> int:
        return pick(draw, fits) if coin(draw) else draw_int(draw, 0, max_buffer)

    return one(), one()


def draw_busy_entry(draw: st.DrawFn, anchors: tuple[int, ...], zone: str, seats: int | None,
                    ident: str | None, lower: bool, grid: int, max_buffer: int,
                    shifts: tuple[int, ...] = ()) -> BusyPlan:
    """One entry near an anchor (or, now and then, that far plus one of ``shifts`` seconds:
    the later dates a repeat or a limit looks at)."""
    a = pick(draw, anchors)
    if shifts and rarely(draw, 3):
        a += pick(draw, shifts)
    if grid and coin(draw):
        a += draw_int(draw, 0, 8) * grid
    start = a + (pick(draw, _OFFSETS) if coin(draw) else draw_int(draw, -600, 600) * MINUTE)
    length = pick(draw, _BUSY_LENGTHS) if coin(draw) else draw_int(draw, 1, 720) * MINUTE
    jitter = draw_int(draw, -59, 59) if draw_int(draw, 0, 2) == 2 else 0  # off-minute seconds
    us = draw_int(draw, 1, 999_999) if draw_int(draw, 0, 3) == 3 else 0
    before, after = _draw_breaks(draw, max_buffer)
    return BusyPlan(draw_moment(draw, start + jitter, zone, lower, us),
                    draw_moment(draw, start + length, zone, lower), seats, ident, before, after)


def draw_busy_plans(draw: st.DrawFn, anchors: tuple[int, ...], zone: str, min_size: int,
                    max_size: int, id_prefix: str, lower: bool, grid: int,
                    max_buffer: int, shifts: tuple[int, ...] = ()) -> list[BusyPlan]:
    return [draw_busy_entry(draw, anchors, zone, None,
                            f"{id_prefix}{i}" if coin(draw) else None, lower, grid, max_buffer,
                            shifts)
            for i in range(draw_int(draw, min_size, max_size))]


def draw_seat_plans(draw: st.DrawFn, anchors: tuple[int, ...], zone: str, capacity: int,
                    min_size: int, max_size: int, id_prefix: str, lower: bool,
                    grid: int, max_buffer: int, shifts: tuple[int, ...] = ()) -> list[BusyPlan]:
    """Bookings with seats; often a stack that together fills (or nearly fills) capacity.

    ``shifts`` (seconds): some bookings lie that far after an anchor (the dates that limits
    and repeats look at)."""
    out: list[BusyPlan] = []
    if max_size and coin(draw):
        # a stack of bookings that all hold one instant: seats sum to capacity (or one less)
        a = pick(draw, anchors)
        if grid and coin(draw):
            a += draw_int(draw, 0, 4) * grid
        total = capacity - pick(draw, (0, 0, 1))
        while total > 0 and len(out) < max_size:
            k = total if len(out) == max_size - 1 else draw_int(draw, 1, total)
            total -= k
            before = pick(draw, (0, 0, 15, 30, 60)) * MINUTE
            after = pick(draw, (15, 30, 60, 120, 240)) * MINUTE
            b_before, b_after = _draw_breaks(draw, max_buffer)
            out.append(BusyPlan(draw_moment(draw, a - before, zone, lower),
                                draw_moment(draw, a + after, zone, lower), k, None,
                                b_before, b_after))
    while len(out) < min_size or (len(out) < max_size and coin(draw)):
        k = draw_int(draw, 1, capacity) if draw_int(draw, 0, 5) else capacity + 1
        out.append(draw_busy_entry(draw, anchors, zone, k, None, lower, grid, max_buffer,
                                   shifts))
    out = shuffled(draw, out)
    return [p._replace(id=f"{id_prefix}{i}" if coin(draw) else None) for i, p in enumerate(out)]


def busy_from(p: BusyPlan) -> Busy:
    return Busy(as_datetime(p.start), as_datetime(p.end), seats=p.seats, id=p.id,
                buffer_before=p.buffer_before, buffer_after=p.buffer_after)


def busy_dict(p: BusyPlan) -> dict[str, Any]:
    out: dict[str, Any] = {"start": as_text(p.start), "end": as_text(p.end)}
    if p.seats is not None:
        out["seats"] = p.seats
    if p.id is not None:
        out["id"] = p.id
    if p.buffer_before:
        out["buffer_before"] = p.buffer_before
    if p.buffer_after:
        out["buffer_after"] = p.buffer_after
    return out


def _query_range(query: Query, zone: str) -> tuple[int, int]:
    if isinstance(query.start, datetime) and isinstance(query.end, datetime):
        return to_epoch(query.start), to_epoch(query.end)
    qzone = query.timezone or zone
    if isinstance(query.start, date) and isinstance(query.end, date):
        return (local_midnight(qzone, query.start),
                local_midnight(qzone, query.end + timedelta(days=1)))
    # a check's query has no range: the days after ``now`` (or around today's date)
    lo = to_epoch(query.now) if query.now is not None else int(time.time())
    return lo, lo + 2 * DAY


def _draw_around(draw: st.DrawFn, schedule: Schedule | None, query: Query | None,
                 between: tuple[datetime, datetime] | None) -> tuple[tuple[int, ...], str]:
    """Anchor instants to place busy time on, and a zone to write instants in."""
    zone = schedule.timezone if schedule is not None else None
    if query is not None:
        lo, hi = _query_range(query, zone or "UTC")
    elif between is not None:
        lo, hi = to_epoch(between[0]), to_epoch(between[1])
    else:  # a day near one of the DST nights of the schedule's zone (or of any zone)
        setting = draw_setting(draw, None if zone is None else (zone,), DEFAULT_YEARS, True, 1,
                               False)
        zone = zone or setting.zone
        lo = local_midnight(setting.zone, setting.day)
        hi = lo + DAY
    return anchors_of(schedule, lo, hi), zone or "UTC"


def _check_between(between: tuple[datetime, datetime] | None) -> None:
    if between is None:
        return
    if (not isinstance(between, Sequence) or len(between) != 2
            or any(not isinstance(x, datetime) or x.utcoffset() is None for x in between)
            or to_epoch(between[1]) <= to_epoch(between[0])):  # instants, not wall clocks
        raise InvalidArgument(f"between={between!r} must be two aware datetimes, start < end")


@st.composite
def _busy_lists(draw: st.DrawFn, schedule: Schedule | None, query: Query | None,
                between: tuple[datetime, datetime] | None, min_size: int, max_size: int,
                grid: int, max_buffer: int) -> list[Busy]:
    anchors, zone = _draw_around(draw, schedule, query, between)
    plans = draw_busy_plans(draw, anchors, zone, min_size, max_size, "b", False, grid,
                            max_buffer)
    return [busy_from(p) for p in plans]


def busy_lists(*, schedule: Schedule | None = None, query: Query | None = None,
               between: tuple[datetime, datetime] | None = None, min_size: int = 0,
               max_size: int = 4, step: int = 0,
               max_buffer: int = 30) -> st.SearchStrategy[list[Busy]]:
    """Return a strategy for lists of blocking :class:`~slotcalc.Busy` entries (no ``seats``).

    Entries start on, or a few minutes to hours from, the instants where ``schedule``'s
    windows open and close within ``query``'s range (or ``between``, or one day near a DST
    night when neither is given; a query without a range: the two days after its ``now``),
    so they really overlap slots. ``step`` (minutes) also puts them on grid points after those
    edges. Lengths run from 1 minute to a day; some instants have odd seconds or microseconds
    (slotcalc floors starts and ceils ends), and they are written in UTC, the schedule's
    zone, another zone or an odd fixed offset. About half carry an ``id`` (``"b0"``, ``"b1"``,
    …); about a third carry their own ``buffer_before`` / ``buffer_after`` of up to
    ``max_buffer`` minutes (0: none).
    """
    check_sizes("min_size", min_size, "max_size", max_size)
    _check_between(between)
    check_int("step", step, 0)
    check_int("max_buffer", max_buffer, 0, 1440)
    return _busy_lists(schedule, query, between, min_size, max_size, step * MINUTE, max_buffer)


@st.composite
def _seat_bookings(draw: st.DrawFn, capacity: int, schedule: Schedule | None,
                   query: Query | None, between: tuple[datetime, datetime] | None,
                   min_size: int, max_size: int, grid: int, max_buffer: int) -> list[Busy]:
    anchors, zone = _draw_around(draw, schedule, query, between)
    plans = draw_seat_plans(draw, anchors, zone, capacity, min_size, max_size, "s", False, grid,
                            max_buffer)
    return [busy_from(p) for p in plans]


def seat_bookings(*, capacity: int, schedule: Schedule | None = None,
                  query: Query | None = None, between: tuple[datetime, datetime] | None = None,
                  min_size: int = 0, max_size: int = 4, step: int = 0,
                  max_buffer: int = 30) -> st.SearchStrategy[list[Busy]]:
    """Return a strategy for existing bookings (:class:`~slotcalc.Busy` with ``seats``).

    Placed like :func:`busy_lists`. About half the lists hold a stack of bookings that all
    overlap one instant (a window edge or grid point) with seats adding up to ``capacity``
    (so slots there are full) or ``capacity − 1`` (one seat left); other bookings take 1 to
    ``capacity`` seats, rarely ``capacity + 1``. About half carry an ``id`` (``"s0"``, …);
    some carry their own buffers, as :func:`busy_lists`.
    """
    check_int("capacity", capacity, 1, 1000)
    check_sizes("min_size", min_size, "max_size", max_size)
    _check_between(between)
    check_int("step", step, 0)
    check_int("max_buffer", max_buffer, 0, 1440)
    return _seat_bookings(capacity, schedule, query, between, min_size, max_size,
                          step * MINUTE, max_buffer)
