"""The typed API: value objects in, value objects (or SPEC §4 documents) out.

:func:`find_slots` and :func:`check_slot` answer for one schedule, :func:`find_team_slots` and
:func:`check_team_slot` for several hosts (SPEC §7). They turn the value objects into integers
(epoch seconds), run the engine (:mod:`slotcalc._engine`) and build the answer at the edge.
:func:`answer_document`, :func:`team_answer_document` and :func:`check_document` return the
SPEC §4 JSON documents directly (strings, no datetimes), for the JSON layer.
"""

from __future__ import annotations

import time as _time
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, timedelta
from functools import partial
from itertools import repeat
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from . import _engine as eng
from ._format import InstantFormatter, datetimes_of, day_runs, to_datetime
from ._tz import DAY, offset_table, ordinal_date, to_epoch, to_epoch_ceil, wall_to_epoch, zone_name
from .errors import InvalidRequest, InvalidValue
from .model import (
    Availability,
    Busy,
    CheckResult,
    Day,
    EventPolicy,
    Host,
    Notice,
    Query,
    Schedule,
    Slot,
    Team,
    read_instant,
)

__all__ = [
    "answer_document",
    "check_document",
    "check_slot",
    "check_team_slot",
    "find_slots",
    "find_team_slots",
    "search_span",
    "team_answer_document",
    "team_check_document",
]


class _Prepared(NamedTuple):
    plans: list[eng.HostPlan]
    ids: tuple[str, ...] | None
    mode: str
    need: int
    qzone: ZoneInfo
    lo: int
    hi: int
    limit: int | None
    duration: int


def _now_seconds(query: Query) -> int:
    if query.now is None:
        return int(-(-_time.time() // 1))
    return to_epoch_ceil(query.now)


def _query_span(query: Query, qzone: ZoneInfo) -> tuple[int, int]:
    """Return the query range as ``[lo, hi)`` epoch seconds (local dates resolved by §1)."""
    if isinstance(query.start, datetime) and isinstance(query.end, datetime):
        return to_epoch_ceil(query.start), to_epoch_ceil(query.end)
    assert isinstance(query.start, date) and isinstance(query.end, date)
    return (
        wall_to_epoch(qzone, query.start, 0),
        wall_to_epoch(qzone, query.end + timedelta(days=1), 0),
    )


def _policy(event: EventPolicy, now: int) -> eng.Policy:
    return eng.Policy(
        duration=event.duration * 60,
        step=event.step * 60,
        align=event.align,
        buffer_before=event.buffer_before * 60,
        buffer_after=event.buffer_after * 60,
        capacity=event.capacity,
        max_per_day=event.max_per_day,
        horizon_days=event.horizon_days,
        earliest=now + event.min_notice * 60,
    )


def _plan(
    schedule: Schedule,
    busy: Iterable[Busy],
    policy: eng.Policy,
    now: int,
    exclude: frozenset[str],
    path: str,
) -> eng.HostPlan:
    blocking: list[tuple[int, int]] = []
    bookings: list[tuple[int, int, int]] = []
    for i, b in enumerate(busy):
        if not isinstance(b, Busy):
            raise InvalidRequest(
                f"busy entries must be Busy objects, not {type(b).__name__}", f"{path}/{i}"
            )
        if b.id is not None and b.id in exclude:
            continue
        if b.seats is None:
            blocking.append((b.start_s, b.end_s))
        else:
            bookings.append((b.start_s, b.end_s, b.seats))
    return eng.plan_host(schedule, offset_table(schedule.zone), policy, now, blocking, bookings)


def _check_types(event: EventPolicy, query: Query) -> None:
    if not isinstance(event, EventPolicy):
        raise InvalidRequest("event must be an EventPolicy", "/event")
    if not isinstance(query, Query):
        raise InvalidRequest("query must be a Query", "/query")


def _prepare_single(
    schedule: Schedule, event: EventPolicy, query: Query, busy: Iterable[Busy]
) -> _Prepared:
    if not isinstance(schedule, Schedule):
        raise InvalidRequest("schedule must be a Schedule", "/schedule")
    _check_types(event, query)
    now = _now_seconds(query)
    policy = _policy(event, now)
    plan = _plan(schedule, busy, policy, now, query.exclude, "/busy")
    qzone = query.zone or schedule.zone
    lo, hi = _query_span(query, qzone)
    return _Prepared([plan], None, "all", 1, qzone, lo, hi, query.limit, policy.duration)


def _prepare_team(hosts: Sequence[Host], event: EventPolicy, query: Query, team: Team) -> _Prepared:
    _check_types(event, query)
    if not isinstance(team, Team):
        raise InvalidRequest("team must be a Team", "/team")
    if isinstance(hosts, (str, bytes)) or not isinstance(hosts, Sequence):
        raise InvalidRequest("hosts must be a list of Host objects", "/hosts")
    if not hosts:
        raise InvalidValue("a team needs at least one host", "/hosts")
    seen: set[str] = set()
    for i, h in enumerate(hosts):
        if not isinstance(h, Host):
            raise InvalidRequest("hosts must be Host objects", f"/hosts/{i}")
        if h.id in seen:
            raise InvalidValue(f"host id {h.id!r} is used twice", f"/hosts/{i}/id")
        seen.add(h.id)
    if team.mode == "any" and team.min > len(hosts):
        raise InvalidValue(f"min is {team.min} but the team has {len(hosts)} hosts", "/team/min")
    now = _now_seconds(query)
    policy = _policy(event, now)
    plans = [
        _plan(h.schedule, h.busy, policy, now, query.exclude, f"/hosts/{i}/busy")
        for i, h in enumerate(hosts)
    ]
    qzone = query.zone or hosts[0].schedule.zone
    lo, hi = _query_span(query, qzone)
    ids = tuple(h.id for h in hosts)
    need = len(hosts) if team.mode == "all" else team.min
    return _Prepared(plans, ids, team.mode, need, qzone, lo, hi, query.limit, policy.duration)


class _Raw(NamedTuple):
    starts: list[int]
    remaining: list[int]
    hosts: list[tuple[int, ...]] | None
    next_available: int | None


def _run(p: _Prepared) -> _Raw:
    """Run the engine over the query range, and the next-free search when it is empty."""
    if p.ids is None:
        starts, rem = eng.host_slots(p.plans[0], p.lo, p.hi, p.limit)
        hosts = None
    else:
        starts, rem, hosts = eng.merge_team(
            [eng.host_slots(pl, p.lo, p.hi) for pl in p.plans], p.mode, p.need
        )
        if p.limit is not None and len(starts) > p.limit:
            del starts[p.limit :], rem[p.limit :]
            assert hosts is not None
            del hosts[p.limit :]
    nxt = None
    if not starts:
        nxt = eng.first_start(p.plans, p.mode, p.need, p.hi, p.hi + eng.SEARCH_DAYS * DAY)
    return _Raw(starts, rem, hosts, nxt)


def _availability(p: _Prepared, raw: _Raw) -> Availability:
    """Return the typed answer of the engine's starts.

    One datetime per distinct instant (an end is often a later slot's start), built in time
    order by :func:`datetimes_of`; the slots built in one ``map``; each day's slots a slice
    (:func:`day_runs`). Cost: O(S log S) (one sort of the distinct instants, nearly in order)
    plus O(G log S) for G days.
    """
    zone = p.qzone
    dur = p.duration
    ids = p.ids
    starts, rem, hosts = raw.starts, raw.remaining, raw.hosts
    ends = [s + dur for s in starts]
    distinct = {*starts, *ends}
    if raw.next_available is not None:
        distinct.add(raw.next_available)
    table = offset_table(zone)
    instants = sorted(distinct)
    get = dict(zip(instants, datetimes_of(table, instants), strict=True)).__getitem__
    who: Iterable[tuple[str, ...] | None]
    if ids is None or hosts is None:
        who = repeat(None)
    else:
        names: dict[tuple[int, ...], tuple[str, ...]] = {}
        who = [names.get(h) or names.setdefault(h, tuple(ids[i] for i in h)) for h in hosts]
    rows = zip(map(get, starts), map(get, ends), rem, who, strict=False)  # who may be endless
    slots: tuple[Slot, ...] = tuple(map(_new_slot, rows))
    days = [
        Day(
            ordinal_date(day),
            slots[runs[0][0] : runs[0][1]]
            if len(runs) == 1
            else tuple(s for lo, hi in runs for s in slots[lo:hi]),
        )
        for day, runs in day_runs(table, starts)
    ]
    nxt = None if raw.next_available is None else get(raw.next_available)
    return Availability(zone_name(zone), tuple(days), nxt, ())


#: ``Slot(start, end, remaining, hosts)`` without the Python-level ``__new__`` of a NamedTuple
#: (the same tuple), for building slots in bulk.
_new_slot: Callable[[tuple[datetime, datetime, int, tuple[str, ...] | None]], Slot] = partial(
    tuple.__new__, Slot
)


def _document(p: _Prepared, raw: _Raw, warnings: Iterable[Notice]) -> dict[str, Any]:
    """Return the SPEC §4 document of the engine's starts (strings, no datetimes).

    Cost: O(S) strings and dicts, plus O(G log S) to cut the starts into G local dates.
    """
    table = offset_table(p.qzone)
    fmt = InstantFormatter(table)
    dur = p.duration
    ids = p.ids
    starts, rem, hosts = raw.starts, raw.remaining, raw.hosts
    start_texts = fmt.texts(starts)
    end_texts = fmt.texts([s + dur for s in starts])
    days: list[dict[str, Any]] = []
    for day, spans in day_runs(table, starts):
        slots: list[dict[str, Any]] = []
        for lo, hi in spans:
            if ids is None or hosts is None:
                slots.extend(
                    [
                        {"start": a, "end": b, "remaining": r}
                        for a, b, r in zip(
                            start_texts[lo:hi], end_texts[lo:hi], rem[lo:hi], strict=True
                        )
                    ]
                )
            else:
                slots.extend(
                    [
                        {"start": a, "end": b, "remaining": r, "hosts": [ids[h] for h in who]}
                        for a, b, r, who in zip(
                            start_texts[lo:hi],
                            end_texts[lo:hi],
                            rem[lo:hi],
                            hosts[lo:hi],
                            strict=True,
                        )
                    ]
                )
        days.append({"date": fmt.date_text(day), "slots": slots})
    return {
        "timezone": zone_name(p.qzone),
        "days": days,
        "next_available": None if raw.next_available is None else fmt.text(raw.next_available),
        "warnings": [{"code": w.code, "message": w.message, "path": w.path} for w in warnings],
    }


def find_slots(
    schedule: Schedule, event: EventPolicy, query: Query, busy: Iterable[Busy] = ()
) -> Availability:
    """Return the slots of one schedule in the query range (SPEC §3), grouped by local date.

    >>> from slotcalc import Schedule, EventPolicy, Query
    >>> a = find_slots(
    ...     Schedule("America/New_York", {"mon": [("09:00", "11:00")]}),
    ...     EventPolicy(60),
    ...     Query("2026-12-07", "2026-12-07", now="2026-12-01T00:00:00Z"),
    ... )
    >>> [s.start.isoformat() for s in a.slots]
    ['2026-12-07T09:00:00-05:00', '2026-12-07T10:00:00-05:00']

    Cost: O((W + B) log B + S) plus the datetimes of the answer, for W windows, B busy
    entries and S candidate starts in the range.
    """
    p = _prepare_single(schedule, event, query, busy)
    return _availability(p, _run(p))


def find_team_slots(
    hosts: Sequence[Host], event: EventPolicy, query: Query, team: Team | None = None
) -> Availability:
    """Return a team's slots (SPEC §7): all hosts free (``all``) or at least ``min`` (``any``).

    Each slot lists the free host ids in request order; ``remaining`` is the smallest of
    theirs (``all``) or the sum (``any``). Cost: K times one host, plus O(N + U log U) to merge
    N host slots into U distinct starts.
    """
    p = _prepare_team(hosts, event, query, team or Team())
    return _availability(p, _run(p))


def answer_document(
    schedule: Schedule,
    event: EventPolicy,
    query: Query,
    busy: Iterable[Busy] = (),
    warnings: Iterable[Notice] = (),
) -> dict[str, Any]:
    """Return the SPEC §4 answer document of :func:`find_slots` (strings, not datetimes)."""
    p = _prepare_single(schedule, event, query, busy)
    return _document(p, _run(p), warnings)


def team_answer_document(
    hosts: Sequence[Host],
    event: EventPolicy,
    query: Query,
    team: Team | None = None,
    warnings: Iterable[Notice] = (),
) -> dict[str, Any]:
    """Return the SPEC §4 answer document of :func:`find_team_slots`."""
    p = _prepare_team(hosts, event, query, team or Team())
    return _document(p, _run(p), warnings)


class _Checked(NamedTuple):
    bookable: bool
    reason: str | None
    remaining: int
    next_available: int | None
    hosts: tuple[int, ...] | None


def _check(p: _Prepared, start: datetime | str) -> _Checked:
    moment = read_instant(start, "/start")
    s = to_epoch(moment)
    exact = moment.microsecond == 0
    results = [eng.check_host(pl, s, exact) for pl in p.plans]
    free = tuple(i for i, (reason, _) in enumerate(results) if reason is None)
    if p.ids is None:
        reason, remaining = results[0]
        bookable = reason is None
    else:
        bookable = len(free) >= p.need
        if bookable:
            rems = [results[i][1] for i in free]
            remaining = min(rems) if p.mode == "all" else sum(rems)
            reason = None
        else:
            remaining = 0
            reasons = {r for r, _ in results if r is not None}
            reason = min(reasons, key=eng.REASONS.index)
    limit_hi = s + 1 + eng.SEARCH_DAYS * DAY
    nxt = eng.first_start(p.plans, p.mode, p.need, s + 1, limit_hi)
    return _Checked(bookable, reason, remaining, nxt, None if p.ids is None else free)


def check_slot(
    schedule: Schedule,
    event: EventPolicy,
    query: Query,
    start: datetime | str,
    busy: Iterable[Busy] = (),
) -> CheckResult:
    """Return whether ``start`` is bookable, the first SPEC §4 reason if not, and the next start.

    The query gives ``now``, ``exclude`` and the zone of the answer; its range and limit do
    not apply. ``next_available`` is the first slot start after ``start`` (within 366 days,
    never past the horizon).

    >>> from slotcalc import Schedule, EventPolicy, Query
    >>> r = check_slot(Schedule("UTC", {"mon": [("09:00", "12:00")]}), EventPolicy(60),
    ...                Query("2026-12-07", "2026-12-07", now="2026-12-01T00:00:00Z"),
    ...                "2026-12-07T09:20:00Z")
    >>> r.bookable, r.reason, r.next_available.isoformat()
    (False, 'off_grid', '2026-12-07T10:00:00+00:00')

    Cost: O(log B) for the start itself, plus the search for the next start.
    """
    p = _prepare_single(schedule, event, query, busy)
    return _check_result(p, _check(p, start))


def check_team_slot(
    hosts: Sequence[Host],
    event: EventPolicy,
    query: Query,
    start: datetime | str,
    team: Team | None = None,
) -> CheckResult:
    """Return the check answer for a team: bookable when ``all`` (or ``min``) hosts are free.

    ``hosts`` lists the free host ids; ``reason`` (when not bookable) is the earliest, in SPEC
    §4 order, of the reasons of the hosts that are not free.
    """
    p = _prepare_team(hosts, event, query, team or Team())
    return _check_result(p, _check(p, start))


def _check_result(p: _Prepared, c: _Checked) -> CheckResult:
    nxt = None if c.next_available is None else to_datetime({}, p.qzone, c.next_available)
    ids = None if p.ids is None or c.hosts is None else tuple(p.ids[i] for i in c.hosts)
    return CheckResult(c.bookable, c.reason, c.remaining, nxt, ids)  # type: ignore[arg-type]


def check_document(
    schedule: Schedule,
    event: EventPolicy,
    query: Query,
    start: datetime | str,
    busy: Iterable[Busy] = (),
    warnings: Iterable[Notice] = (),
) -> dict[str, Any]:
    """Return the SPEC §4 check document of :func:`check_slot`."""
    p = _prepare_single(schedule, event, query, busy)
    return _check_document(p, _check(p, start), warnings)


def team_check_document(
    hosts: Sequence[Host],
    event: EventPolicy,
    query: Query,
    start: datetime | str,
    team: Team | None = None,
    warnings: Iterable[Notice] = (),
) -> dict[str, Any]:
    """Return the SPEC §4 check document of :func:`check_team_slot` (with ``hosts``)."""
    p = _prepare_team(hosts, event, query, team or Team())
    return _check_document(p, _check(p, start), warnings)


def _check_document(p: _Prepared, c: _Checked, warnings: Iterable[Notice]) -> dict[str, Any]:
    fmt = InstantFormatter(offset_table(p.qzone))
    doc: dict[str, Any] = {
        "bookable": c.bookable,
        "reason": c.reason,
        "remaining": c.remaining,
        "next_available": None if c.next_available is None else fmt.text(c.next_available),
    }
    if p.ids is not None and c.hosts is not None:
        doc["hosts"] = [p.ids[i] for i in c.hosts]
    doc["warnings"] = [{"code": w.code, "message": w.message, "path": w.path} for w in warnings]
    return doc


def search_span(
    event: EventPolicy, query: Query, zone: ZoneInfo, *, searching: bool = False
) -> tuple[int, int]:
    """Return ``[lo, hi)`` epoch seconds of busy time that can matter to the answer.

    The query range (in ``query.zone`` or ``zone``) widened by the buffers and the duration;
    with ``searching`` also the 366 days of the next-free search. For reading calendars.
    """
    qzone = query.zone or zone
    lo, hi = _query_span(query, qzone)
    if searching:
        hi += eng.SEARCH_DAYS * DAY
    pad = (event.duration + event.buffer_before + event.buffer_after) * 60
    return lo - pad, hi + pad
