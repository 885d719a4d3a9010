"""Many hosts at once: columnar slots, a fleet-wide check, ``first_free`` and fingerprints.

One event and one query for a whole fleet of hosts. Busy time comes in as Arrow columns
(``host``, ``start``, ``end`` as epoch-second integers or Arrow timestamps, optional ``seats``
and ``id``); schedules by host (``{host: Schedule}``, or ``{host: schedule_id}`` plus a
``library`` of ``{schedule_id: Schedule}``). Slots come out as a stream of Arrow record batches,
one per batch of hosts, with the columns of :data:`SLOT_COLUMNS`; a host whose input is bad gets
one row with its ``error`` instead of failing the batch.

>>> import pyarrow as pa
>>> from slotcalc import EventPolicy, Query, Schedule
>>> from slotcalc.batch import Fleet, slots_table
>>> nine_to_noon = Schedule("Europe/Berlin", {"mon": [("09:00", "12:00")]})
>>> busy = pa.table({"host": ["ana", "ana"], "start": [1796630400, 1796634000],
...                  "end": [1796632200, 1796635800]})
>>> fleet = Fleet({"ana": nine_to_noon, "bo": nine_to_noon}, busy)
>>> t = slots_table(fleet, EventPolicy(60), Query("2026-12-07", "2026-12-07",
...                 now="2026-12-01T00:00:00Z"))
>>> [(h, s.strftime("%H:%M")) for h, s in zip(t["host"].to_pylist(), t["start"].to_pylist())]
[('ana', '10:00'), ('bo', '08:00'), ('bo', '09:00'), ('bo', '10:00')]

``pyarrow`` is the optional extra ``slotcalc[arrow]``; it is imported here only.
All engine access is in the adapter section below (``_host_starts`` and friends), built on
integer tuples taken straight from the Arrow columns — no ``Busy`` object per row, no datetime
per slot.
"""

from __future__ import annotations

import dataclasses
import hashlib
import heapq
import json
from bisect import bisect_left
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from itertools import compress
from typing import Any, NamedTuple

try:
    import pyarrow as pa
    import pyarrow.compute as pc
except ImportError as _e:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "slotcalc.batch needs pyarrow: pip install 'slotcalc[arrow]'"
    ) from _e

from ._engine.host import SEARCH_DAYS, HostPlan, Policy, plan_host
from ._engine.solve import Engine
from ._tz import DAY, OffsetTable, offset_table, to_epoch, to_epoch_ceil
from .api import _now_seconds, _query_span, policy_of
from .errors import InvalidRequest, InvalidValue, NaiveDatetime, SlotcalcError
from .model import Busy, EventPolicy, Limits, Query, Repeat, Schedule, read_instant

__all__ = [
    "PERIOD_COLUMNS",
    "SLOT_COLUMNS",
    "CheckRow",
    "Fleet",
    "FreeSlot",
    "check",
    "fingerprint",
    "fingerprints",
    "first_free",
    "periods",
    "slots",
    "slots_table",
]

HostKey = Hashable
#: The columns of every slot batch (``next_available`` only when asked for).
SLOT_COLUMNS = ("host", "start", "end", "remaining", "date", "error")
_UTC_S = pa.timestamp("s", tz="UTC")
#: Hosts per record batch unless told otherwise.
DEFAULT_BATCH = 1000
#: Chunks of the ``first_free`` search, in days from the range's start (then the rest).
FIRST_FREE_CHUNKS = (1, 7)

# =============================================================================================
# Engine adapter: the only code that touches slotcalc._engine / slotcalc.api internals.
# Everything here takes and returns ints; re-point it at the v2 engine after the merge.
# =============================================================================================

Blocking = list[tuple[int, int]]
Bookings = list[tuple[int, int, int]]


class HostBusy(NamedTuple):
    """One host's busy rows as int columns: ``seats`` None (no seats column) or per row."""

    starts: list[int]
    ends: list[int]
    seats: list[int | None] | None

    @property
    def empty(self) -> bool:
        return not self.starts

    def split(self) -> tuple[Blocking, Bookings]:
        """Return ``(blocking, bookings)`` as the engine's plan takes them."""
        if self.seats is None:
            return list(zip(self.starts, self.ends, strict=True)), []
        blocking: Blocking = []
        bookings: Bookings = []
        for a, b, k in zip(self.starts, self.ends, self.seats, strict=True):
            if k is None:
                blocking.append((a, b))
            else:
                bookings.append((a, b, k))
        return blocking, bookings


NO_BUSY = HostBusy([], [], None)


#: Cached free grids / no-busy checks kept per call before they are dropped (memory bound).
_CACHE_LIMIT = 4096


@dataclass
class _Ctx:
    """One call's shared state: the policy, ``now``, and per-schedule caches of free grids."""

    event: EventPolicy
    query: Query
    now: int
    policy: Policy
    spans: dict[str, tuple[int, int]] = field(default_factory=dict)
    # (id(schedule), lo, hi) -> the slot starts of the schedule with no busy time at all
    grids: dict[tuple[int, int, int], list[int]] = field(default_factory=dict)
    checks: dict[tuple[int, int, bool], tuple[str | None, int]] = field(default_factory=dict)
    keep: list[Schedule] = field(default_factory=list)  # keeps the ids of ``grids`` valid

    @classmethod
    def of(cls, event: EventPolicy, query: Query) -> _Ctx:
        if not isinstance(event, EventPolicy):
            raise InvalidRequest("event must be an EventPolicy", "/event")
        if not isinstance(query, Query):
            raise InvalidRequest("query must be a Query", "/query")
        now = _now_seconds(query)
        return cls(event, query, now, policy_of(event))

    def trim(self) -> None:
        """Forget the cached grids when there are many (hosts that share no schedule)."""
        if len(self.grids) + len(self.checks) > _CACHE_LIMIT:
            self.grids.clear()
            self.checks.clear()
            self.keep.clear()

    def span(self, schedule: Schedule) -> tuple[int, int]:
        """Return the query range ``[lo, hi)`` (local dates read in the viewer zone)."""
        zone = self.query.zone or schedule.zone
        got = self.spans.get(zone.key)
        if got is None:
            got = self.spans[zone.key] = _query_span(self.query, zone)
        return got

    def viewer_table(self, schedule: Schedule) -> OffsetTable:
        return offset_table(self.query.zone or schedule.zone)


def _plan(ctx: _Ctx, schedule: Schedule, busy: HostBusy) -> HostPlan:
    blocking, bookings = busy.split()
    return plan_host(schedule, ctx.policy, ctx.now, blocking,
                     [(a, b, k, a, b) for a, b, k in bookings])


def _engine(ctx: _Ctx, schedule: Schedule, busy: HostBusy) -> Engine:
    """Return the version-2 engine of one host (its plan, no tree)."""
    return Engine([_plan(ctx, schedule, busy)], None, True)


def _simple(ctx: _Ctx) -> bool:
    """Whether busy time can only remove starts of the busy-free grid, each on its own.

    Not so with ``repeat`` (later occurrences meet busy time) or ``horizon_bookable_days``
    (busy time moves the horizon): those hosts take the engine's own path.
    """
    p = ctx.policy
    return p.repeat is None and p.horizon_bookable_days is None


#: Free grids shared by the calls of one process, keyed by value (schedule, policy, span), so
#: the tasks of a Dask worker or the requests of a service reuse them; cleared when full.
_SHARED_GRIDS: dict[tuple[Schedule, Policy, int, int, int], list[int]] = {}


def _free_grid(ctx: _Ctx, schedule: Schedule, lo: int, hi: int) -> list[int]:
    """Return the starts of ``schedule`` in ``[lo, hi)`` with no busy time (cached).

    First by object identity within the call, then by value across calls (never mutated:
    callers copy before changing).
    """
    key = (id(schedule), lo, hi)
    got = ctx.grids.get(key)
    if got is None:
        shared = (schedule, ctx.policy, ctx.now, lo, hi)  # ``now`` sets the horizon
        got = _SHARED_GRIDS.get(shared)
        if got is None:
            got = _engine(ctx, schedule, NO_BUSY).slots(lo, hi).starts
            if len(_SHARED_GRIDS) >= _CACHE_LIMIT:
                _SHARED_GRIDS.clear()
            _SHARED_GRIDS[shared] = got
        ctx.grids[key] = got
        ctx.keep.append(schedule)
    return got


def _cut(starts: list[int], forbidden: list[tuple[int, int]]) -> list[int]:
    """Return the ``starts`` (sorted) outside every ``[a, b)`` of ``forbidden`` (sorted)."""
    if not forbidden:
        return list(starts)
    out: list[int] = []
    i, n = 0, len(starts)
    for a, b in forbidden:
        j = bisect_left(starts, a, i)
        out.extend(starts[i:j])
        i = bisect_left(starts, b, j)
        if i >= n:
            break
    out.extend(starts[i:])
    return out


def _host_starts(
    ctx: _Ctx,
    schedule: Schedule,
    busy: HostBusy,
    lo: int,
    hi: int,
    limit: int | None = None,
) -> tuple[list[int], list[int]]:
    """Return ``(starts, remaining)`` of one host in ``[lo, hi)``: ``host_slots`` of its plan.

    With ``align`` ``"window"`` or ``"clock"`` the grid does not depend on busy time, so the
    starts of the schedule with no busy time are computed once per schedule object and call
    (:func:`_free_grid`) and each host's forbidden starts, seats and full days are cut from
    them — the same set ``host_slots`` builds (rules 4–6 only remove starts). ``"free"``
    re-anchors the grid on busy time and takes the engine's own walk.
    """
    if ctx.policy.align == "free" or not _simple(ctx):
        raw = _engine(ctx, schedule, busy).slots(lo, hi, limit)
        return raw.starts, raw.remaining
    grid = _free_grid(ctx, schedule, lo, hi)
    if busy.empty:
        starts = grid[:limit] if limit is not None else list(grid)
        return starts, [ctx.policy.capacity] * len(starts)
    if busy.seats is None or all(k is None for k in busy.seats):
        # blocking time only: rule 4 is the whole story, cut straight from the grid
        p = ctx.policy
        starts = _cut_blocking(grid, busy.starts, busy.ends, p.buffer_after + p.duration - 1,
                               p.buffer_before)
        if limit is not None:
            del starts[limit:]
        return starts, [p.capacity] * len(starts)
    raw = _engine(ctx, schedule, busy).slots(lo, hi, limit)  # seats and limits: the engine
    return raw.starts, raw.remaining


def _cut_blocking(grid: list[int], starts: list[int], ends: list[int], lead: int,
                  tail: int) -> list[int]:
    """Return the ``grid`` starts that no blocking entry forbids (rule 4), rows in any order.

    Entry ``[a, b)`` forbids the starts in ``[a − buffer_after − duration + 1, b +
    buffer_before)`` (``lead``/``tail``) — the engine's ``forbidden`` ranges, unmerged. Two
    bisects per entry mark a byte mask; no sort, no merge. Cost: O(B log S + S).
    """
    n = len(grid)
    if not n or not starts:
        return list(grid)
    first, last = grid[0], grid[-1]
    keep = bytearray(b"\x01") * n
    for a, b in zip(starts, ends, strict=True):
        x = a - lead
        y = b + tail
        if y <= first or x > last:
            continue
        i = bisect_left(grid, x)
        j = bisect_left(grid, y, i)
        if i < j:
            keep[i:j] = bytes(j - i)
    return list(compress(grid, keep))


def _open_bound(
    ctx: _Ctx, schedule: Schedule, a: int, b: int,
    offsets: dict[tuple[Any, int, int], tuple[int, int]],
) -> int | None:
    """Return a lower bound of the host's first slot start in ``[a, b)``; None: it has none.

    No plan, no grid: every slot lies inside the host's hours (rule 1), so a start ``s`` lies
    in one of the wall-time intervals of some local date (merged windows are unions of them)
    and ``s >= a`` and ``s >= now + min_notice``. A wall interval ``[x, y)`` of date ``n``
    becomes instants between ``n·DAY + x − max_offset`` and ``n·DAY + y − min_offset``, for
    the zone's smallest and largest offsets near the range (any reading of SPEC §1, gaps and
    folds included, lies between). So the bound is the earliest of ``max(lower, a)`` over the
    intervals whose latest end is after it — cost O(D·I) for the D dates and I intervals a day
    near the range; ``offsets`` caches each zone's extremes for the range.
    """
    lo = max(a, ctx.now + ctx.policy.min_notice)
    if lo >= b:
        return None
    first = (lo - 2 * DAY) // DAY
    last = (b + 2 * DAY) // DAY
    best: int | None = None
    for zone, d0, d1 in schedule.zone_runs(first, last):
        key = (zone, d0, d1)
        got = offsets.get(key)
        if got is None:
            segs = offset_table(zone).segments((d0 - 2) * DAY, (d1 + 3) * DAY)
            offs = [off for _x, _y, off in segs]
            got = offsets[key] = (min(offs), max(offs))
        low, high = got
        # only dates whose hours can reach [lo, b): n·DAY + DAY − low > lo, n·DAY − high < b
        for n in range(max(d0, (lo + low) // DAY - 1), min(d1, (b + high) // DAY) + 1):
            base = n * DAY
            for x, y in schedule.hours_on(n):
                start = base + x - high
                if start >= b:
                    break
                if base + y - low <= lo:
                    continue
                if start < lo:
                    start = lo
                if best is None or start < best:
                    best = start
                    if best == lo:
                        return best
    return best


def _host_next(
    ctx: _Ctx, schedule: Schedule, busy: HostBusy, after: int
) -> int | None:
    """Return the first start at or after ``after`` within the SPEC's 366-day search."""
    return _engine(ctx, schedule, busy).first_slot(after, after + SEARCH_DAYS * DAY)


def _host_check(
    ctx: _Ctx, schedule: Schedule, busy: HostBusy, s: int, exact: bool
) -> tuple[str | None, int]:
    """Return ``(reason, remaining)`` for start ``s`` (``check_host``, no next-free search).

    The answer with no busy time is cached per schedule: with ``align`` other than ``"free"``
    the first four reasons (notice, horizon, hours, grid) do not depend on busy time, so when
    it gives one of them — or the host has no busy time near ``s`` — it is the answer.
    """
    key = (id(schedule), s, exact)
    base = ctx.checks.get(key)
    if base is None:
        base = _check(_engine(ctx, schedule, NO_BUSY), s, exact)
        ctx.checks[key] = base
        ctx.keep.append(schedule)
    p = ctx.policy
    if p.align != "free" and _simple(ctx) and (base[0] is not None or busy.empty):
        return base
    if p.align != "free" and _simple(ctx) and busy.seats is None:
        # free at ``s`` with no busy time and only blocking entries: rule 4 decides
        x, y = s - p.buffer_before, s + p.duration + p.buffer_after
        for a, b in zip(busy.starts, busy.ends, strict=True):
            if a < y and b > x:
                return "busy", 0
        return base
    return _check(_engine(ctx, schedule, busy), s, exact)


def _check(engine: Engine, s: int, exact: bool) -> tuple[str | None, int]:
    c = engine.check(s, exact)
    return c.reason, c.remaining


def _busy_reach(ctx: _Ctx, for_check: bool) -> tuple[int, int] | None:
    """Return how far (seconds) before/after a start busy time can matter, or None: all of it.

    Rule 4/5 look at ``[s − buffer_before, s + duration + buffer_after)``; ``max_per_day``
    at the bookings starting on ``s``'s local date (within two days of ``s``). With
    ``align: "free"`` the free stretches depend on busy time anywhere in a window.
    """
    p = ctx.policy
    if p.align == "free" or not _simple(ctx):
        return None
    kinds = {k for k, _ in p.booking_limits} | {k for k, _ in p.duration_limits}
    if kinds - {"day"}:
        return None  # a week, month or year limit counts bookings far from the start
    before = p.buffer_before + 1
    after = p.duration + p.buffer_after + 1
    if kinds:
        before += 2 * DAY
        after += 2 * DAY
    return before, after


# =============================================================================================
# Inputs
# =============================================================================================


def _seconds(col: pa.ChunkedArray | pa.Array, name: str, ceil: bool) -> pa.Array:
    """Return an int64 column of epoch seconds from ints or Arrow timestamps.

    Starts are floored and ends ceiled to whole seconds, as ``Busy`` does.
    """
    if isinstance(col, pa.ChunkedArray):
        col = col.combine_chunks()
    t = col.type
    if pa.types.is_timestamp(t):
        if t.tz is None:
            raise NaiveDatetime(
                f"busy column {name!r} is a timestamp without a time zone", f"/busy/{name}"
            )
        per = {"s": 1, "ms": 1000, "us": 1_000_000, "ns": 1_000_000_000}[t.unit]
        raw = col.cast(pa.int64())
        if per == 1:
            return raw
        if ceil:
            raw = pc.add(raw, per - 1)
        fl = pc.divide(pc.subtract(raw, pc.if_else(pc.less(raw, 0), per - 1, 0)), per)
        return fl.cast(pa.int64())
    if pa.types.is_integer(t):
        return col.cast(pa.int64())
    raise InvalidRequest(
        f"busy column {name!r} must hold epoch seconds (integers) or timestamps, not {t}",
        f"/busy/{name}",
    )


def _table(busy: Any) -> pa.Table:
    if busy is None:
        return pa.table(
            {"host": pa.array([], pa.string()), "start": pa.array([], pa.int64()),
             "end": pa.array([], pa.int64())}
        )
    if isinstance(busy, pa.RecordBatch):
        return pa.Table.from_batches([busy])
    if isinstance(busy, pa.Table):
        return busy
    if isinstance(busy, Mapping):
        return pa.table(dict(busy))
    raise InvalidRequest(
        f"busy must be an Arrow table or record batch, not {type(busy).__name__}", "/busy"
    )


def _normalize(busy: Any) -> pa.Table:
    """Return busy time as ``host, start, end``, ``seats`` (int64; null: blocking) and ``id``."""
    t = _table(busy)
    for name in ("host", "start", "end"):
        if name not in t.column_names:
            raise InvalidRequest(f"busy needs a {name!r} column", f"/busy/{name}")
    cols: dict[str, Any] = {
        "host": t["host"].combine_chunks() if isinstance(t["host"], pa.ChunkedArray)
        else t["host"],
        "start": _seconds(t["start"], "start", ceil=False),
        "end": _seconds(t["end"], "end", ceil=True),
    }
    n = t.num_rows
    if "seats" in t.column_names:
        cols["seats"] = t["seats"].cast(pa.int64())
    else:
        cols["seats"] = pa.nulls(n, pa.int64())
    if "id" in t.column_names:
        cols["id"] = t["id"].cast(pa.string())
    else:
        cols["id"] = pa.nulls(n, pa.string())
    return pa.table(cols)


class _Groups(NamedTuple):
    """Busy rows grouped by host: per host key, the row's index into the list columns."""

    rows: dict[Any, int]
    start: pa.Array  # list<int64>
    end: pa.Array
    seats: pa.Array  # list<int64>, nulls for blocking entries
    any_seats: bool
    bad: dict[Any, str]  # host -> error text of its first bad row


def _validate(table: pa.Table) -> tuple[pa.Table, dict[Any, str]]:
    """Return the rows ``Busy`` would accept, and per host the error of its first bad row.

    Bad rows (null times, an end not after the start, seats < 1) mark their host bad instead
    of failing the call. One vectorized test; Python sees the bad rows only.
    """
    bad: dict[Any, str] = {}
    if not table.num_rows:
        return table, bad
    wrong = pc.or_kleene(
        pc.fill_null(pc.less_equal(table["end"], table["start"]), True),
        pc.fill_null(pc.less(table["seats"], 1), False),
    )
    if not pc.any(wrong).as_py():
        return table, bad
    rows = table.filter(wrong)
    for h, s, e, k in zip(
        rows["host"].to_pylist(), rows["start"].to_pylist(), rows["end"].to_pylist(),
        rows["seats"].to_pylist(), strict=True,
    ):
        if h in bad:
            continue
        if s is None or e is None:
            bad[h] = "invalid_request: busy start and end may not be null"
        elif e <= s:
            bad[h] = "invalid_interval: busy time must end after it starts"
        else:
            bad[h] = f"invalid_value: seats must be at least 1, not {k}"
    return table.filter(pc.invert(wrong)), bad


def _group(table: pa.Table, exclude: frozenset[str], bad: dict[Any, str]) -> _Groups:
    """Group (valid) busy rows by host with Arrow's hash aggregation, dropping ``exclude``d ids."""
    if exclude and table.num_rows:
        drop = pc.is_in(table["id"], value_set=pa.array(sorted(exclude), pa.string()))
        table = table.filter(pc.invert(pc.fill_null(drop, False)))
    any_seats = table.num_rows > 0 and table["seats"].null_count < table.num_rows
    g = table.group_by("host", use_threads=False).aggregate(
        [("start", "list"), ("end", "list"), ("seats", "list")]
    )
    index = {k: i for i, k in enumerate(g["host"].to_pylist())}
    return _Groups(
        index,
        g["start_list"].combine_chunks(),
        g["end_list"].combine_chunks(),
        g["seats_list"].combine_chunks(),
        any_seats,
        bad,
    )


class Fleet:
    """The batch input: hosts, their schedules and their busy time as Arrow columns.

    ``schedules`` maps each host key (str or int) to a :class:`~slotcalc.Schedule`, or to a
    schedule id looked up in ``library``. ``busy`` is an Arrow table or record batch (or a dict
    of columns) with ``host``, ``start``, ``end`` (epoch seconds, or timestamps with a time
    zone), optional ``seats`` (null: blocking) and ``id`` (for ``Query(exclude=…)``). Busy rows
    of hosts not in ``schedules`` are ignored. ``hosts`` picks and orders the hosts (default:
    the order of ``schedules``). Pickles (the Arrow table and the mappings).
    """

    __slots__ = ("_bad", "_clean", "_groups", "_schedules", "busy", "hosts", "library",
                 "schedules")

    def __init__(
        self,
        schedules: Mapping[Any, Schedule | str],
        busy: Any = None,
        *,
        library: Mapping[str, Schedule] | None = None,
        hosts: Sequence[Any] | None = None,
    ) -> None:
        if not isinstance(schedules, Mapping):
            raise InvalidRequest("schedules must map host keys to schedules", "/schedules")
        self.schedules = schedules
        self.library = library
        self.hosts: tuple[Any, ...] = tuple(schedules if hosts is None else hosts)
        self.busy = _normalize(busy)
        self._clean, self._bad = _validate(self.busy)
        self._schedules: list[Schedule | str] = [self._resolve(h) for h in self.hosts]
        self._groups: dict[frozenset[str], _Groups] = {}

    def _resolve(self, host: Any) -> Schedule | str:
        """Return the host's schedule, or the error text when it has none."""
        got = self.schedules.get(host)
        if isinstance(got, Schedule):
            return got
        if got is None:
            return f"invalid_request: host {host!r} has no schedule"
        if self.library is not None and isinstance(got, str):
            sch = self.library.get(got)
            if isinstance(sch, Schedule):
                return sch
            return f"invalid_request: schedule id {got!r} of host {host!r} is not in the library"
        return f"invalid_request: the schedule of host {host!r} is not a Schedule"

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_fleet, (self.schedules, self.busy, self.library, self.hosts))

    def __len__(self) -> int:
        return len(self.hosts)

    def __repr__(self) -> str:
        return f"Fleet({len(self.hosts)} hosts, {self.busy.num_rows} busy rows)"

    def groups(self, exclude: frozenset[str]) -> _Groups:
        got = self._groups.get(exclude)
        if got is None:
            got = _group(self._clean, exclude, self._bad)
            if not exclude:
                self._groups[exclude] = got
        return got

    def subset(self, hosts: Sequence[Any]) -> Fleet:
        """Return the fleet of ``hosts`` only (their busy rows filtered in Arrow)."""
        rows = self.busy.filter(pc.is_in(self.busy["host"], value_set=_keys_array(hosts)))
        return Fleet(self.schedules, rows, library=self.library, hosts=hosts)


def _rebuild_fleet(
    schedules: Mapping[Any, Schedule | str],
    busy: pa.Table,
    library: Mapping[str, Schedule] | None,
    hosts: Sequence[Any],
) -> Fleet:
    return Fleet(schedules, busy, library=library, hosts=hosts)


def _keys_array(keys: Sequence[Any]) -> pa.Array:
    return pa.array(list(keys))


def _as_fleet(hosts: Fleet | Any) -> Fleet:
    if isinstance(hosts, Fleet):
        return hosts
    raise InvalidRequest(f"expected a batch.Fleet, not {type(hosts).__name__}", "/hosts")


def _host_busy(
    groups: _Groups, cache: tuple[list[Any], list[Any], list[Any]], j: int
) -> HostBusy:
    starts, ends, seats = cache[0][j], cache[1][j], cache[2][j]
    if starts is None:
        return NO_BUSY
    return HostBusy(starts, ends, seats if groups.any_seats else None)


def _batch_busy(
    groups: _Groups, keys: Sequence[Any]
) -> tuple[list[Any], list[Any], list[Any]]:
    """Return the busy lists (start, end, seats) of ``keys`` (None for a host without rows)."""
    idx = [groups.rows.get(k) for k in keys]
    sel = pa.array(idx, pa.int64())
    starts = groups.start.take(sel).to_pylist()
    ends = groups.end.take(sel).to_pylist()
    seats = groups.seats.take(sel).to_pylist() if groups.any_seats else [None] * len(keys)
    return starts, ends, seats


# =============================================================================================
# Slots
# =============================================================================================


def _local_dates(starts: pa.Array, offsets: pa.Array) -> pa.Array:
    x = pc.add(starts, offsets)
    days = pc.divide(pc.subtract(x, pc.if_else(pc.less(x, 0), DAY - 1, 0)), DAY)
    return days.cast(pa.int32()).cast(pa.date32())


class _Runs:
    """A column built as runs ``(end, value)``, decoded by Arrow (``run_end_decode``)."""

    __slots__ = ("ends", "values")

    def __init__(self) -> None:
        self.ends: list[int] = []
        self.values: list[Any] = []

    def add(self, end: int, value: Any) -> None:
        """Extend the column to ``end`` rows with ``value``."""
        ends = self.ends
        if ends and ends[-1] >= end:
            return
        if ends and self.values[-1] == value and type(self.values[-1]) is type(value):
            ends[-1] = end
        else:
            ends.append(end)
            self.values.append(value)

    def array(self, values: pa.Array | None = None, type: pa.DataType | None = None) -> pa.Array:
        """Return the decoded column (``values``: the run values, already an Arrow array)."""
        vals = values if values is not None else pa.array(self.values, type)
        if not self.ends:
            return vals.slice(0, 0)
        ree = pa.RunEndEncodedArray.from_arrays(pa.array(self.ends, pa.int32()), vals)
        return pc.run_end_decode(ree)


class _SlotBuilder:
    """The columns of one slot batch: starts as ints, every other column as runs."""

    def __init__(self, next_available: bool) -> None:
        self.starts: list[int | None] = []
        self.host = _Runs()  # values: the host's index in the batch
        self.error = _Runs()
        self.offset = _Runs()
        self.remaining = _Runs()
        self.next: _Runs | None = _Runs() if next_available else None

    def host_slots(
        self, j: int, table: OffsetTable, starts: list[int], remaining: list[int], capacity: int
    ) -> None:
        """Add one host's slots; ``table`` is the viewer zone's (for the local dates)."""
        if not starts:
            return
        base = len(self.starts)
        self.starts.extend(starts)
        end = len(self.starts)
        self.host.ends.append(end)
        self.host.values.append(j)
        self.error.add(end, None)
        if self.next is not None:
            self.next.add(end, None)
        i = 0
        for _a, b, off in table.segments(starts[0], starts[-1] + 1):
            k = bisect_left(starts, b, i)
            if k > i:
                self.offset.add(base + k, off)
            i = k
        if remaining.count(capacity) == len(remaining):
            self.remaining.add(end, capacity)
        else:
            for n, r in enumerate(remaining, base + 1):
                self.remaining.add(n, r)

    def host_row(self, j: int, error: str | None, nxt: int | None) -> None:
        """Add one row with null times: a bad host's error, or a host's next start."""
        self.starts.append(None)
        end = len(self.starts)
        self.host.ends.append(end)
        self.host.values.append(j)
        self.error.add(end, error)
        self.offset.add(end, 0)
        self.remaining.add(end, None)
        if self.next is not None:
            self.next.add(end, nxt)

    def batch(self, keys: pa.Array, duration: int) -> pa.RecordBatch:
        st = pa.array(self.starts, pa.int64())
        offsets = self.offset.array(type=pa.int64())
        cols: dict[str, pa.Array] = {
            "host": self.host.array(keys.take(pa.array(self.host.values, pa.int32()))),
            "start": st.cast(_UTC_S),
            "end": pc.add(st, duration).cast(_UTC_S),
            "remaining": self.remaining.array(type=pa.int32()),
            "date": _local_dates(st, offsets),
            "error": self.error.array(type=pa.string()),
        }
        if self.next is not None:
            cols["next_available"] = self.next.array(type=pa.int64()).cast(_UTC_S)
        return pa.RecordBatch.from_pydict(cols)


def slots(
    hosts: Fleet,
    event: EventPolicy,
    query: Query,
    *,
    batch_size: int = DEFAULT_BATCH,
    next_available: bool = False,
) -> Iterator[pa.RecordBatch]:
    """Yield the slots of every host of the fleet, one record batch per ``batch_size`` hosts.

    Columns: ``host``; ``start``, ``end`` (``timestamp[s, tz=UTC]``); ``remaining`` (int32);
    ``date`` (``date32``, the start's local date in the query zone — each host's own zone when
    the query has none); ``error`` (null, or ``"code: message"`` on the one row of a host whose
    input is bad: that row's other columns are null). Rows are in host order, then by start.
    With ``next_available``, a host without slots gets one row with null ``start`` and its
    ``next_available`` (column added), as ``find_slots`` answers it. Same slots as
    :func:`slotcalc.find_slots` host by host (``query.limit`` applies per host).
    """
    fleet = _as_fleet(hosts)
    if batch_size < 1:
        raise InvalidValue("batch_size must be at least 1", "/batch_size")
    ctx = _Ctx.of(event, query)
    groups = fleet.groups(query.exclude)
    dur = ctx.policy.duration
    cap = ctx.policy.capacity
    limit = query.limit
    for first in range(0, len(fleet.hosts), batch_size):
        keys = fleet.hosts[first : first + batch_size]
        scheds = fleet._schedules[first : first + batch_size]
        cache = _batch_busy(groups, keys)
        ctx.trim()
        out = _SlotBuilder(next_available)
        for j, (key, sch) in enumerate(zip(keys, scheds, strict=True)):
            err = sch if isinstance(sch, str) else groups.bad.get(key)
            if err is None:
                assert isinstance(sch, Schedule)
                try:
                    busy = _host_busy(groups, cache, j)
                    lo, hi = ctx.span(sch)
                    s, r = _host_starts(ctx, sch, busy, lo, hi, limit)
                    nxt = None
                    if not s and next_available:
                        nxt = _host_next(ctx, sch, busy, hi)
                    table = ctx.viewer_table(sch)
                except (SlotcalcError, ValueError, TypeError, OverflowError) as e:
                    err = _error_text(e)
                else:
                    if s:
                        out.host_slots(j, table, s, r, cap)
                    elif next_available:
                        out.host_row(j, None, nxt)
                    continue
            out.host_row(j, err, None)
        yield out.batch(_keys_array(keys), dur)


def slots_table(
    hosts: Fleet, event: EventPolicy, query: Query, **options: Any
) -> pa.Table:
    """Return :func:`slots` as one Arrow table (``options``: those of :func:`slots`)."""
    batches = list(slots(hosts, event, query, **options))
    if not batches:
        return pa.Table.from_batches([], schema=slot_schema(options.get("next_available", False)))
    return pa.Table.from_batches(batches)


PERIOD_COLUMNS = ("host", "start", "end", "error")


def periods(
    hosts: Fleet,
    event: EventPolicy,
    query: Query,
    *,
    batch_size: int = DEFAULT_BATCH,
) -> Iterator[pa.RecordBatch]:
    """Yield the free periods (SPEC §4) of every host, one record batch per ``batch_size`` hosts.

    Columns: ``host``; ``start``, ``end`` (``timestamp[s, tz=UTC]``); ``error`` (null, or
    ``"code: message"`` on the one row of a host whose input is bad). Rows in host order, then
    by start. The same periods as ``Request(...).periods()`` host by host (``query.limit``
    applies per host); computed by the engine from the same feasible sets, without a grid.
    """
    fleet = _as_fleet(hosts)
    if batch_size < 1:
        raise InvalidValue("batch_size must be at least 1", "/batch_size")
    ctx = _Ctx.of(event, query)
    groups = fleet.groups(query.exclude)
    for first in range(0, len(fleet.hosts), batch_size):
        keys = fleet.hosts[first : first + batch_size]
        scheds = fleet._schedules[first : first + batch_size]
        cache = _batch_busy(groups, keys)
        rows: list[int] = []
        starts: list[int | None] = []
        ends: list[int | None] = []
        errors: list[str | None] = []
        for j, (key, sch) in enumerate(zip(keys, scheds, strict=True)):
            err = sch if isinstance(sch, str) else groups.bad.get(key)
            if err is None:
                assert isinstance(sch, Schedule)
                try:
                    lo, hi = ctx.span(sch)
                    got = _engine(ctx, sch, _host_busy(groups, cache, j)).periods(
                        lo, hi, query.limit)
                except (SlotcalcError, ValueError, TypeError, OverflowError) as e:
                    err = _error_text(e)
                else:
                    for a, b, _who in got:
                        rows.append(j)
                        starts.append(a)
                        ends.append(b)
                        errors.append(None)
                    continue
            rows.append(j)
            starts.append(None)
            ends.append(None)
            errors.append(err)
        host_col = _keys_array(keys).take(pa.array(rows, pa.int64()))
        yield pa.record_batch(
            [host_col, pa.array(starts, pa.int64()).cast(_UTC_S),
             pa.array(ends, pa.int64()).cast(_UTC_S), pa.array(errors, pa.string())],
            names=list(PERIOD_COLUMNS))


def slot_schema(next_available: bool = False, host_type: pa.DataType | None = None) -> pa.Schema:
    """Return the schema of :func:`slots` batches (``host`` as ``host_type``, default string)."""
    fields = [
        pa.field("host", host_type or pa.string()),
        pa.field("start", _UTC_S),
        pa.field("end", _UTC_S),
        pa.field("remaining", pa.int32()),
        pa.field("date", pa.date32()),
        pa.field("error", pa.string()),
    ]
    if next_available:
        fields.append(pa.field("next_available", _UTC_S))
    return pa.schema(fields)


def _error_text(e: BaseException) -> str:
    code = getattr(e, "code", None) or "invalid_request"
    return f"{code}: {e}"


# =============================================================================================
# Many-hosts check and first_free
# =============================================================================================


class CheckRow(NamedTuple):
    """One host's answer in :func:`check` (also the columns of its batch)."""

    host: Any
    bookable: bool
    reason: str | None
    remaining: int
    error: str | None


def _near(fleet: Fleet, ctx: _Ctx, lo: int, hi: int) -> Fleet | None:
    """Return the fleet with only the busy rows that can matter to starts in ``[lo, hi)``.

    None when every row may matter (``align: "free"``).
    """
    reach = _busy_reach(ctx, for_check=True)
    if reach is None:
        return None
    before, after = reach
    b = fleet._clean
    keep = pc.and_(pc.less(b["start"], hi + after), pc.greater(b["end"], lo - before))
    near = object.__new__(Fleet)
    near.schedules, near.library, near.hosts = fleet.schedules, fleet.library, fleet.hosts
    near._schedules, near._bad = fleet._schedules, fleet._bad
    near.busy = near._clean = b.filter(keep)
    near._groups = {}
    return near


def check(
    hosts: Fleet, event: EventPolicy, query: Query, start: datetime | str
) -> pa.RecordBatch:
    """Return, for every host, whether ``start`` is bookable: one row per host, in order.

    Columns ``host``, ``bookable``, ``reason`` (SPEC §4's first reason, or null), ``remaining``,
    ``error``. The same as :func:`slotcalc.check_slot` host by host, without its
    ``next_available`` search. Only the busy rows near ``start`` are read (one Arrow filter).
    """
    fleet = _as_fleet(hosts)
    ctx = _Ctx.of(event, query)
    moment = read_instant(start, "/start")
    s = to_epoch(moment)
    exact = moment.microsecond == 0
    near = _near(fleet, ctx, s, s + 1) or fleet
    groups = near.groups(query.exclude)
    cache = _batch_busy(groups, fleet.hosts)
    bookable: list[bool | None] = []
    reasons: list[str | None] = []
    remaining: list[int | None] = []
    errors: list[str | None] = []
    bad = fleet._bad
    for j, (key, sch) in enumerate(zip(fleet.hosts, fleet._schedules, strict=True)):
        err = sch if isinstance(sch, str) else bad.get(key)
        if err is None:
            assert isinstance(sch, Schedule)
            if not j % DEFAULT_BATCH:
                ctx.trim()
            try:
                busy = _host_busy(groups, cache, j)
                reason, rem = _host_check(ctx, sch, busy, s, exact)
            except (SlotcalcError, ValueError, TypeError, OverflowError) as e:
                err = _error_text(e)
            else:
                bookable.append(reason is None)
                reasons.append(reason)
                remaining.append(rem)
                errors.append(None)
                continue
        bookable.append(None)
        reasons.append(None)
        remaining.append(None)
        errors.append(err)
    return pa.RecordBatch.from_pydict(
        {
            "host": _keys_array(fleet.hosts),
            "bookable": pa.array(bookable, pa.bool_()),
            "reason": pa.array(reasons, pa.string()),
            "remaining": pa.array(remaining, pa.int32()),
            "error": pa.array(errors, pa.string()),
        }
    )


class FreeSlot(NamedTuple):
    """One answer of :func:`first_free`: a host, a slot start (aware, UTC) and its seats left."""

    host: Any
    start: datetime
    remaining: int


def first_free(
    hosts: Fleet, event: EventPolicy, query: Query, k: int = 1
) -> list[FreeSlot]:
    """Return the earliest ``k`` (host, start) slots across the fleet in the query range.

    Ordered by start, then host order. The range is searched in chunks (the first day, the
    next six, then the rest) and stops at the first chunk that completes ``k``. In a chunk,
    hosts are taken from a heap keyed by a lower bound of their first start — read from the
    schedule's hours alone, then, for the hosts that reach the top, from the schedule's free
    grid (no busy time, shared by hosts with the same ``Schedule`` object) — and a host's own
    starts are computed only when its bound is at the top; the search stops once no host can
    beat the ``k``-th start found. Only busy rows near the chunk are read. Hosts with bad
    input are skipped (see :func:`slots` for their errors); ``query.limit`` does not apply
    (``k`` does).
    """
    fleet = _as_fleet(hosts)
    if not isinstance(k, int) or isinstance(k, bool) or k < 1:
        raise InvalidValue("k must be an integer of at least 1", "/k")
    ctx = _Ctx.of(event, query)
    bad = fleet._bad
    spans: dict[tuple[int, int], list[int]] = {}
    for j, sch in enumerate(fleet._schedules):
        if isinstance(sch, Schedule) and fleet.hosts[j] not in bad:
            spans.setdefault(ctx.span(sch), []).append(j)
    found: list[tuple[int, int, int]] = []  # (start, host order, remaining)
    for (lo, hi), members in spans.items():
        found.extend(_first_free_span(fleet, ctx, members, lo, hi, k))
    found.sort()
    return [
        FreeSlot(fleet.hosts[j], datetime.fromtimestamp(s, UTC), r) for s, j, r in found[:k]
    ]


def _first_free_span(
    fleet: Fleet, ctx: _Ctx, members: list[int], lo: int, hi: int, k: int
) -> list[tuple[int, int, int]]:
    """Return the earliest ``k`` ``(start, host order, remaining)`` of ``members`` in ``[lo, hi)``.

    Chunk by chunk, hosts wait in a heap keyed by a lower bound of their first start, refined
    lazily: first :func:`_open_bound` (from the hours alone, per schedule object), then — only
    for a host that reaches the top — the schedule's free grid (shared by hosts with the same
    schedule; a bound when busy time can only remove starts), and only then the host's own
    starts. The search stops when no bound left can beat the ``k``-th start found.
    """
    found: list[tuple[int, int, int]] = []
    a = lo
    cuts = [lo + d * DAY for d in FIRST_FREE_CHUNKS] + [hi]
    exclude = ctx.query.exclude
    grid_bound = ctx.policy.align != "free" and _simple(ctx)
    offsets: dict[tuple[Any, int, int], tuple[int, int]] = {}
    errors = (SlotcalcError, ValueError, TypeError, OverflowError)
    for cut in cuts:
        b = min(hi, cut)
        if a >= b:
            continue
        near = _near(fleet, ctx, a, b) or fleet
        groups = near.groups(exclude)
        bounds: dict[int, int | None] = {}  # id(schedule) -> its bound in [a, b)
        heap: list[tuple[int, int, bool]] = []  # (bound, host order, free grid already read)
        for j in members:
            sch = fleet._schedules[j]
            assert isinstance(sch, Schedule)
            sid = id(sch)
            if sid in bounds:
                bound = bounds[sid]
            else:
                try:
                    bound = _open_bound(ctx, sch, a, b, offsets)
                except errors:
                    bound = a  # the exact computation below decides (and skips it)
                bounds[sid] = bound
            if bound is not None:
                heap.append((bound, j, False))
        heapq.heapify(heap)
        best: list[tuple[int, int, int]] = []  # max-heap of the k best, as negatives
        while heap:
            bound, j, gridded = heapq.heappop(heap)
            if len(best) >= k and (bound, j) > (-best[0][0], -best[0][1]):
                break
            sch = fleet._schedules[j]
            assert isinstance(sch, Schedule)
            if grid_bound and not gridded:
                ctx.trim()
                try:
                    grid = _free_grid(ctx, sch, a, b)
                except errors:
                    continue
                if not grid:
                    continue
                if grid[0] > bound:  # a later bound: back in the heap, in its place
                    heapq.heappush(heap, (grid[0], j, True))
                    continue
            key = fleet.hosts[j]
            cache = _batch_busy(groups, [key])
            busy = _host_busy(groups, cache, 0)
            try:
                starts, rem = _host_starts(ctx, sch, busy, a, b, k)
            except errors:
                continue
            for s, r in zip(starts, rem, strict=True):
                item = (-s, -j, r)
                if len(best) < k:
                    heapq.heappush(best, item)
                elif (s, j) < (-best[0][0], -best[0][1]):
                    heapq.heapreplace(best, item)
                else:
                    break
        found.extend((-s, -j, r) for s, j, r in best)
        if len(found) >= k:
            return found
        k -= len(best)
        a = b
    return found


# =============================================================================================
# Fingerprints
# =============================================================================================

#: Bumped when the canonical encoding changes (every digest changes with it).
FINGERPRINT_VERSION = 1


def _schedule_doc(schedule: Schedule) -> dict[str, Any]:
    return {
        "timezone": schedule.timezone,
        "weekly": [[list(p) for p in day] for day in schedule.weekly],
        "overrides": [
            [o.date.isoformat(), o.until.isoformat(), [list(p) for p in o.intervals]]
            for o in schedule.overrides
        ],
        **({"zones": [[t.start.isoformat(), None if t.until is None else t.until.isoformat(),
                       t.timezone] for t in schedule.zones]} if schedule.zones else {}),
    }


#: The event fields of version 1, always in a fingerprint; later fields only when not default,
#: so a fingerprint of a version-1 event stays what it was.
_V1_EVENT = ("duration", "step", "align", "buffer_before", "buffer_after", "min_notice",
             "horizon_days", "capacity", "max_per_day")
_DEFAULT_EVENT = EventPolicy(1)


def _plain(value: Any) -> Any:
    if isinstance(value, Limits):
        return dict(value.items())
    if isinstance(value, Repeat):
        return [value.interval_days, value.count]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def _event_doc(event: EventPolicy) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in dataclasses.fields(event):
        value = getattr(event, f.name)
        if f.name in _V1_EVENT or value != getattr(_DEFAULT_EVENT, f.name):
            out[f.name] = _plain(value)
    return out


def _epoch_of(value: Any, ceil: bool) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    moment = read_instant(value, "/query_window")
    return to_epoch_ceil(moment) if ceil else to_epoch(moment)


def _window_doc(schedule: Schedule, window: Any) -> dict[str, Any]:
    if isinstance(window, Query):
        lo, hi = _query_span(window, window.zone or schedule.zone)
        return {
            "range": [lo, hi],
            "timezone": window.timezone,
            "now": None if window.now is None else to_epoch_ceil(window.now),
            "exclude": sorted(window.exclude),
            "limit": window.limit,
        }
    if isinstance(window, (tuple, list)) and len(window) == 2:
        return {"range": [_epoch_of(window[0], False), _epoch_of(window[1], True)]}
    raise InvalidRequest("query_window must be a Query or a (start, end) pair", "/query_window")


def _busy_rows(busy: Iterable[Any]) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for b in busy:
        if isinstance(b, Busy):
            rows.append([b.start_s, b.end_s, b.seats, b.id])
        else:
            t = tuple(b)
            rows.append([int(t[0]), int(t[1]), t[2] if len(t) > 2 else None,
                         t[3] if len(t) > 3 else None])
    rows.sort(key=lambda r: (r[0], r[1], -1 if r[2] is None else r[2], r[3] or ""))
    return rows


def _digest(schedule: Schedule, busy: list[list[Any]], event: EventPolicy, window: Any) -> str:
    doc = {
        "v": FINGERPRINT_VERSION,
        "schedule": _schedule_doc(schedule),
        "busy": busy,
        "event": _event_doc(event),
        "window": _window_doc(schedule, window),
    }
    text = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def fingerprint(
    schedule: Schedule, busy: Iterable[Any], event: EventPolicy, query_window: Any
) -> str:
    """Return a stable SHA-256 hex digest of one host's inputs.

    The digest covers the normalized inputs — the schedule (zone name, weekly hours and
    overrides in seconds), the busy entries (``Busy`` objects or ``(start_s, end_s[, seats[,
    id]])`` tuples, as epoch seconds, sorted), every field of the event policy, and the query
    window: a :class:`~slotcalc.Query` (its range resolved to epoch seconds, zone, ``now``,
    ``exclude``, ``limit``) or a ``(start, end)`` pair of instants or epoch seconds — encoded
    as canonical JSON (sorted keys, no spaces, ASCII). Equal inputs give equal digests in any
    process and Python version; any change to what the answer depends on changes it.
    """
    if not isinstance(schedule, Schedule):
        raise InvalidRequest("schedule must be a Schedule", "/schedule")
    if not isinstance(event, EventPolicy):
        raise InvalidRequest("event must be an EventPolicy", "/event")
    return _digest(schedule, _busy_rows(busy), event, query_window)


def fingerprints(hosts: Fleet, event: EventPolicy, query_window: Any) -> pa.RecordBatch:
    """Return ``host``, ``fingerprint`` for every host of the fleet (null for a bad host).

    Each is :func:`fingerprint` of the host's schedule, its busy rows and the same event and
    window: store them, and recompute only the hosts whose digest changed.
    """
    fleet = _as_fleet(hosts)
    bad = fleet._bad
    g = fleet.busy.group_by("host", use_threads=False).aggregate(
        [("start", "list"), ("end", "list"), ("seats", "list"), ("id", "list")]
    )
    rows_of = {
        h: list(zip(a, b, k, i, strict=True))
        for h, a, b, k, i in zip(
            g["host"].to_pylist(), g["start_list"].to_pylist(), g["end_list"].to_pylist(),
            g["seats_list"].to_pylist(), g["id_list"].to_pylist(), strict=True,
        )
    }
    out: list[str | None] = []
    for key, sch in zip(fleet.hosts, fleet._schedules, strict=True):
        if isinstance(sch, str) or key in bad:
            out.append(None)
            continue
        out.append(_digest(sch, _busy_rows(rows_of.get(key, ())), event, query_window))
    return pa.RecordBatch.from_pydict(
        {"host": _keys_array(fleet.hosts), "fingerprint": pa.array(out, pa.string())}
    )
