"""The typed API: a :class:`Request` planned once, then asked for slots, periods or a check.

``Request(who, event, query)`` takes one :class:`~slotcalc.model.Schedule` (with ``busy=``),
one :class:`~slotcalc.model.Host`, or a list of hosts with a :class:`~slotcalc.model.Team`.
:meth:`Request.plan` turns it into integers once (epoch seconds; the engine of
:mod:`slotcalc._engine`); the :class:`Plan` answers :meth:`~Plan.slots`,
:meth:`~Plan.periods`, :meth:`~Plan.check` and :meth:`~Plan.answer`. Datetimes are built only
for the answer, at the edge; ``*_document`` methods write the SPEC §4 documents straight from
the integers (the JSON layer's path, no datetime at all).

The version-1 functions :func:`find_slots`, :func:`check_slot`, :func:`find_team_slots`,
:func:`check_team_slot` and the ``*_document`` ones stay as one-line wrappers.
"""

from __future__ import annotations

import time as _time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial
from itertools import compress, repeat
from operator import add, not_, sub, truth
from typing import Any, cast
from zoneinfo import ZoneInfo

from ._engine.host import NO_BOOKINGS, SEARCH_DAYS, Bookings, HostPlan, Policy, plan_columns
from ._engine.solve import Checked, Engine, Node, Raw
from ._engine.windows import midnight
from ._format import (
    InstantFormatter,
    datetimes_of,
    day_runs,
    runs,
    shifted_datetimes,
    to_datetime,
)
from ._tz import DAY, EPOCH_ORDINAL, offset_table, ordinal_date, to_epoch, to_epoch_ceil, zone_name
from .answers import Availability, CheckResult, Day, Notice, Period, Periods, Reason, Slot
from .errors import InvalidRequest, InvalidValue
from .model import (
    WEEKDAYS,
    All,
    AnyOf,
    Busy,
    BusyTable,
    EventPolicy,
    Host,
    Query,
    Schedule,
    Team,
    read_instant,
)

__all__ = [
    "Plan",
    "Request",
    "answer_document",
    "check_document",
    "check_slot",
    "check_team_slot",
    "find_slots",
    "find_team_slots",
    "team_answer_document",
    "team_check_document",
]

#: The id of the host of a single-schedule request (never shown).
_SOLO = "-"


def _ordinal(d: date | None) -> int | None:
    return None if d is None else d.toordinal() - EPOCH_ORDINAL


def policy_of(event: EventPolicy) -> Policy:
    """Return the engine's :class:`Policy` (seconds, dates as days since 1970) of ``event``."""
    limits = event.booking_limits.items()
    if event.max_per_day is not None:
        limits = (("day", event.max_per_day), *limits)
    return Policy(
        duration=event.duration * 60,
        step=event.step * 60,
        align=event.align,
        buffer_before=event.buffer_before * 60,
        buffer_after=event.buffer_after * 60,
        capacity=event.capacity,
        min_notice=event.min_notice * 60,
        booking_limits=limits,
        duration_limits=tuple((k, n * 60) for k, n in event.duration_limits.items()),
        week_start=WEEKDAYS.index(event.week_start),
        horizon_days=event.horizon_days,
        horizon_business_days=event.horizon_business_days,
        business_days=frozenset(WEEKDAYS.index(d) for d in event.business_days),
        horizon_bookable_days=event.horizon_bookable_days,
        bookable_from=_ordinal(event.bookable_from),
        bookable_until=_ordinal(event.bookable_until),
        repeat=None if event.repeat is None else (event.repeat.interval_days,
                                                  event.repeat.count),
    )


def split_busy(busy: BusyTable, exclude: frozenset[str]
               ) -> tuple[Sequence[int], Sequence[int], Bookings]:
    """Return the blocking spans' starts and ends (two columns) and the bookings of ``busy``
    (ids in ``exclude`` left out).

    Cost: O(n): C-level column arithmetic when nothing is excluded, else one pass.
    """
    start, end, seats, before, after = busy.start, busy.end, busy.seats, busy.before, busy.after
    if not exclude:
        if any(before):
            start = tuple(map(sub, start, before))
        if any(after):
            end = tuple(map(add, end, after))
        if not any(seats):
            return start, end, NO_BOOKINGS
        blocks = list(map(not_, seats))
        booked = list(map(truth, seats))
        bookings = Bookings(*(list(compress(col, booked))
                              for col in (busy.start, busy.end, seats, start, end)))
        return list(compress(start, blocks)), list(compress(end, blocks)), bookings
    starts: list[int] = []
    ends: list[int] = []
    rows: list[tuple[int, int, int, int, int]] = []
    for a, b, k, x, y, ident in zip(start, end, seats, before, after, busy.ids, strict=True):
        if ident is not None and ident in exclude:
            continue
        if k:
            rows.append((a, b, k, a - x, b + y))
        else:
            starts.append(a - x)
            ends.append(b + y)
    return starts, ends, (Bookings(*map(list, zip(*rows, strict=True))) if rows
                          else NO_BOOKINGS)


def _tree_indices(node: Node | Any, index: dict[str, int]) -> Node:
    if isinstance(node, str):
        return index[node]
    if isinstance(node, All):
        kids = tuple(_tree_indices(k, index) for k in node.children)
        return ("all", len(kids), kids)
    assert isinstance(node, AnyOf)
    kids = tuple(_tree_indices(k, index) for k in node.children)
    return ("any", node.min, kids)


@dataclass(frozen=True, slots=True, init=False)
class Request:
    """Everything a question needs: who (hosts and how they combine), the event, the query.

    ``who`` is a :class:`Schedule` (its busy time in ``busy``), a :class:`Host`, or a list of
    hosts (combined by ``team``, default all of them). Validated when built (a tree that
    misses a host, an id twice…). :meth:`plan` it once, or ask it directly.

    >>> from slotcalc import Schedule, EventPolicy, Query
    >>> r = Request(Schedule("UTC", {"mon": [("09:00", "11:00")]}), EventPolicy(60),
    ...             Query("2026-12-07", "2026-12-07", now="2026-12-01T00:00:00Z"))
    >>> [s.start.isoformat() for s in r.slots().slots]
    ['2026-12-07T09:00:00+00:00', '2026-12-07T10:00:00+00:00']
    """

    hosts: tuple[Host, ...]
    event: EventPolicy
    query: Query
    team: Team | None
    tree: Any = field(compare=False, repr=False)

    def __init__(self, who: Schedule | Host | Sequence[Host], event: EventPolicy, query: Query,
                 *, busy: Iterable[Busy] | BusyTable = (), team: Team | None = None) -> None:
        if not isinstance(event, EventPolicy):
            raise InvalidRequest("event must be an EventPolicy", "/event")
        if not isinstance(query, Query):
            raise InvalidRequest("query must be a Query", "/query")
        if isinstance(who, Schedule):
            hosts: tuple[Host, ...] = (Host(_SOLO, who, busy),)
            if team is not None:
                raise InvalidRequest("a team needs hosts, not one schedule", "/team")
        elif isinstance(who, Host):
            hosts = (who,)
        else:
            if isinstance(who, (str, bytes)) or not isinstance(who, Sequence):
                raise InvalidRequest("who must be a Schedule, a Host or a list of hosts",
                                     "/hosts")
            hosts = tuple(who)
            if not hosts:
                raise InvalidValue("a team needs at least one host", "/hosts")
            seen: set[str] = set()
            for i, h in enumerate(hosts):
                if not isinstance(h, Host):
                    raise InvalidRequest("hosts must be Host objects", f"/hosts/{i}")
                if h.id in seen:
                    raise InvalidValue(f"host id {h.id!r} is used twice", f"/hosts/{i}/id")
                seen.add(h.id)
            team = team or Team()
        if team is not None and not isinstance(team, Team):
            raise InvalidRequest("team must be a Team", "/team")
        tree = None
        if team is not None:
            try:
                node = team.tree([h.id for h in hosts])
            except InvalidRequest as e:
                e.path = "/team" + e.path
                raise
            except InvalidValue as e:
                e.path = "/team" + e.path
                raise
            tree = _tree_indices(node, {h.id: i for i, h in enumerate(hosts)})
        object.__setattr__(self, "hosts", hosts)
        object.__setattr__(self, "event", event)
        object.__setattr__(self, "query", query)
        object.__setattr__(self, "team", team)
        object.__setattr__(self, "tree", tree)

    def plan(self) -> Plan:
        """Return the request on integers, ready to be asked. Cost: O(K·B log B)."""
        return Plan(self)

    def slots(self) -> Availability:
        """Return the slots in the query range (SPEC §3, §4)."""
        return self.plan().slots()

    def periods(self) -> Periods:
        """Return the free periods in the query range (SPEC §4 ``output: "periods"``)."""
        return self.plan().periods()

    def answer(self) -> Availability | Periods:
        """Return what ``query.output`` asks for: slots or periods."""
        return self.plan().answer()

    def check(self, start: datetime | str | int, *, search: bool = True) -> CheckResult:
        """Return whether ``start`` is bookable (SPEC §4); ``search``: find ``next_available``."""
        return self.plan().check(start, search=search)


class Plan:
    """A :class:`Request` planned once: every host's integers, the tree, the query range.

    Reusable: ask it for slots, periods and any number of checks.
    """

    __slots__ = ("engine", "hi", "ids", "lo", "qzone", "request")

    def __init__(self, request: Request) -> None:
        if any(h.calendars for h in request.hosts):
            raise InvalidRequest("this request's calendars are not read yet: computing does no "
                                 "I/O; call slotcalc.read_calendars(request, access=…) first",
                                 "/calendars")
        query = request.query
        now = _now_seconds(query)
        policy = policy_of(request.event)
        plans: list[HostPlan] = []
        for h in request.hosts:
            starts, ends, bookings = split_busy(h.busy, query.exclude)
            plans.append(plan_columns(h.schedule, policy, now, starts, ends, bookings))
        team_grid = request.team is None or request.team.grid == "team"
        self.engine = Engine(plans, cast(Node | None, request.tree), team_grid)
        self.request = request
        self.ids: tuple[str, ...] | None = (
            None if request.team is None else tuple(h.id for h in request.hosts))
        self.qzone: ZoneInfo = query.zone or request.hosts[0].schedule.zone
        self.lo = self.hi = 0
        if query.start is not None:
            self.lo, self.hi = _query_span(query, self.qzone)

    def _need_range(self) -> None:
        _query_span(self.request.query, self.qzone)  # raises without a range

    # -- integers ---------------------------------------------------------------------------

    def raw_slots(self) -> tuple[Raw, int | None]:
        """Return the slots as integers, and the next start when there are none."""
        self._need_range()
        raw = self.engine.slots(self.lo, self.hi, self.request.query.limit)
        nxt = None
        if not raw.starts:
            nxt = self.engine.first_slot(self.hi, self.hi + SEARCH_DAYS * DAY)
        return raw, nxt

    def raw_periods(self) -> tuple[list[tuple[int, int, tuple[int, ...] | None]], int | None]:
        """Return the periods as integers, and the next feasible start when there are none."""
        self._need_range()
        got = self.engine.periods(self.lo, self.hi, self.request.query.limit)
        nxt = None
        if not got:
            nxt = self.engine.first_feasible(self.hi, self.hi + SEARCH_DAYS * DAY)
        return got, nxt

    def raw_check(self, start: datetime | str | int, search: bool
                  ) -> tuple[int, Checked, int | None]:
        """Return the start in seconds, its check, and the next slot start after it."""
        if isinstance(start, int) and not isinstance(start, bool):
            s, exact = start, True
        else:
            moment = read_instant(start, "/start")
            s, exact = to_epoch(moment), moment.microsecond == 0
        c = self.engine.check(s, exact)
        nxt = self.engine.first_slot(s + 1, s + 1 + SEARCH_DAYS * DAY) if search else None
        return s, c, nxt

    # -- typed answers ----------------------------------------------------------------------

    def slots(self) -> Availability:
        """Return the typed slots answer."""
        raw, nxt = self.raw_slots()
        return self._availability(raw, nxt)

    def periods(self) -> Periods:
        """Return the typed periods answer."""
        got, nxt = self.raw_periods()
        table = offset_table(self.qzone)
        instants = sorted({t for a, b, _ in got for t in (a, b)} | ({nxt} if nxt else set()))
        get = dict(zip(instants, datetimes_of(table, instants), strict=True)).__getitem__
        periods = tuple(Period(get(a), get(b), self._names(who)) for a, b, who in got)
        return Periods(zone_name(self.qzone), periods, None if nxt is None else get(nxt), ())

    def answer(self) -> Availability | Periods:
        """Return what ``query.output`` asks for."""
        return self.periods() if self.request.query.output == "periods" else self.slots()

    def check(self, start: datetime | str | int, *, search: bool = True) -> CheckResult:
        """Return the typed check of ``start``."""
        s, c, nxt = self.raw_check(start, search)
        cache: dict[int, datetime] = {}
        zone = self.qzone
        dt = None if nxt is None else to_datetime(cache, zone, nxt)
        conflicts = None
        if self.request.event.repeat is not None:
            conflicts = tuple(to_datetime(cache, zone, t) for t in c.conflicts)
        return CheckResult(
            c.bookable, cast(Reason | None, c.reason), c.remaining, dt, self._names(c.hosts),
            (), to_datetime(cache, zone, s + self.engine.duration), conflicts)

    def _names(self, who: tuple[int, ...] | None) -> tuple[str, ...] | None:
        if self.ids is None or who is None:
            return None
        return tuple(self.ids[i] for i in who)

    def _availability(self, raw: Raw, nxt: int | None) -> Availability:
        """Return the typed answer of the engine's starts.

        The starts' datetimes are built in time order by :func:`datetimes_of` (mostly by
        adding the gap to the previous one), the ends' by adding the duration to the starts'
        (:func:`shifted_datetimes`); each slot is made by ``tuple.__new__`` straight from its
        fields, each day's slots are a slice (:func:`day_runs`). Cost: O(S) plus O(G log S)
        for G days.
        """
        zone = self.qzone
        dur = self.engine.duration
        starts, rem = raw.starts, raw.remaining
        table = offset_table(zone)
        start_dts = datetimes_of(table, starts)
        end_dts = shifted_datetimes(table, starts, start_dts, dur)
        new_slot, kind = _new_slot, repeat(Slot)
        if raw.hosts is None or self.ids is None:
            slots = tuple(map(new_slot, kind, zip(start_dts, end_dts, rem,
                                                  repeat(None), strict=False)))  # repeat is endless
        else:
            ids = self.ids
            names: dict[tuple[int, ...], tuple[str, ...]] = {}
            who = [names.get(h) or names.setdefault(h, tuple(ids[i] for i in h))
                   for h in raw.hosts]
            slots = tuple(map(new_slot, kind, zip(start_dts, end_dts, rem, who, strict=True)))
        per_run = runs(table, starts)
        if len({day for _lo, _hi, day, _off in per_run}) == len(per_run):  # a run a date
            from_ordinal = date.fromordinal
            days = tuple([_new_day((from_ordinal(day + EPOCH_ORDINAL), slots[lo:hi]))
                          for lo, hi, day, _off in per_run])
        else:  # the clock went back over midnight: a date's runs are joined
            days = tuple([
                _new_day((ordinal_date(day), tuple(s for lo, hi in spans for s in slots[lo:hi])))
                for day, spans in day_runs(table, starts)])
        return Availability(zone_name(zone), days,
                            None if nxt is None else to_datetime({}, zone, nxt), ())

    # -- documents (strings straight from integers) -----------------------------------------

    def answer_document(self, warnings: Iterable[Notice] = ()) -> dict[str, Any]:
        """Return the SPEC §4 document of what ``query.output`` asks for."""
        if self.request.query.output == "periods":
            return self.periods_document(warnings)
        return self.slots_document(warnings)

    def slots_document(self, warnings: Iterable[Notice] = ()) -> dict[str, Any]:
        """Return the SPEC §4 slots document. Cost: O(S) strings and dicts."""
        raw, nxt = self.raw_slots()
        table = offset_table(self.qzone)
        fmt = InstantFormatter(table)
        dur = self.engine.duration
        ids = self.ids
        starts, rem, hosts = raw.starts, raw.remaining, raw.hosts
        start_texts = fmt.texts(starts)
        end_texts = fmt.texts([s + dur for s in starts])
        days: list[dict[str, Any]] = []
        for day, spans in day_runs(table, starts):
            slots: list[dict[str, Any]] = []
            for lo, hi in spans:
                if ids is None or hosts is None:
                    slots.extend(
                        [{"start": a, "end": b, "remaining": r}
                         for a, b, r in zip(start_texts[lo:hi], end_texts[lo:hi], rem[lo:hi],
                                            strict=True)])
                else:
                    slots.extend(
                        [{"start": a, "end": b, "remaining": r, "hosts": [ids[h] for h in who]}
                         for a, b, r, who in zip(start_texts[lo:hi], end_texts[lo:hi],
                                                 rem[lo:hi], hosts[lo:hi], strict=True)])
            days.append({"date": fmt.date_text(day), "slots": slots})
        return {
            "timezone": zone_name(self.qzone),
            "days": days,
            "next_available": None if nxt is None else fmt.text(nxt),
            "warnings": [w.to_dict() for w in warnings],
        }

    def periods_document(self, warnings: Iterable[Notice] = ()) -> dict[str, Any]:
        """Return the SPEC §4 periods document."""
        got, nxt = self.raw_periods()
        fmt = InstantFormatter(offset_table(self.qzone))
        periods: list[dict[str, Any]] = []
        for a, b, who in got:
            item: dict[str, Any] = {"start": fmt.text(a), "end": fmt.text(b)}
            names = self._names(who)
            if names is not None:
                item["hosts"] = list(names)
            periods.append(item)
        return {
            "timezone": zone_name(self.qzone),
            "periods": periods,
            "next_available": None if nxt is None else fmt.text(nxt),
            "warnings": [w.to_dict() for w in warnings],
        }

    def check_document(self, start: datetime | str | int, warnings: Iterable[Notice] = ()
                       ) -> dict[str, Any]:
        """Return the SPEC §4 check document of ``start``."""
        s, c, nxt = self.raw_check(start, True)
        fmt = InstantFormatter(offset_table(self.qzone))
        doc: dict[str, Any] = {
            "bookable": c.bookable,
            "reason": c.reason,
            "remaining": c.remaining,
            "next_available": None if nxt is None else fmt.text(nxt),
            "end": fmt.text(s + self.engine.duration),
        }
        names = self._names(c.hosts)
        if names is not None:
            doc["hosts"] = list(names)
        if self.request.event.repeat is not None:
            doc["conflicts"] = [fmt.text(t) for t in c.conflicts]
        doc["warnings"] = [w.to_dict() for w in warnings]
        return doc


#: ``Slot(start, end, remaining, hosts)`` without the Python-level ``__new__`` of a NamedTuple
#: (the same tuple), for building slots in bulk.
_new_slot: Callable[[type[Slot], tuple[datetime, datetime, int, tuple[str, ...] | None]], Slot] = (
    tuple.__new__)
_new_day: Callable[[tuple[date, tuple[Slot, ...]]], Day] = partial(tuple.__new__, Day)


def _now_seconds(query: Query) -> int:
    if query.now is None:
        return int(-(-_time.time() // 1))
    return to_epoch_ceil(query.now)


def _query_span(query: Query, qzone: ZoneInfo) -> tuple[int, int]:
    """Return the query range as ``[lo, hi)`` epoch seconds (local dates resolved by §1)."""
    if query.start is None or query.end is None:
        raise InvalidRequest("slots and periods need the query's start and end",
                             "/query/start")
    if isinstance(query.start, datetime) and isinstance(query.end, datetime):
        return to_epoch_ceil(query.start), to_epoch_ceil(query.end)
    assert isinstance(query.start, date) and isinstance(query.end, date)
    table = offset_table(qzone)
    first = query.start.toordinal() - EPOCH_ORDINAL
    last = query.end.toordinal() - EPOCH_ORDINAL
    return midnight(table, first), midnight(table, last + 1)


def search_span(event: EventPolicy, query: Query, zone: ZoneInfo, *, searching: bool = False
                ) -> tuple[int, int]:
    """Return ``[lo, hi)`` epoch seconds of busy time that can matter to the answer.

    The query range (in ``query.zone`` or ``zone``) widened by the buffers and the duration;
    with ``searching`` also the 366 days of the next-free search; with ``repeat`` the days its
    occurrences reach. For reading calendars.
    """
    lo, hi = _query_span(query, query.zone or zone)
    if searching:
        hi += SEARCH_DAYS * DAY
    if event.repeat is not None:
        hi += (event.repeat.count - 1) * event.repeat.interval_days * DAY + 2 * DAY
    pad = (event.duration + event.buffer_before + event.buffer_after) * 60
    return lo - pad, hi + pad


# ---------------------------------------------------------------------------------------------
# Version-1 names: thin wrappers over Request


def find_slots(schedule: Schedule, event: EventPolicy, query: Query,
               busy: Iterable[Busy] = ()) -> Availability:
    """Return the slots of one schedule in the query range (SPEC §3), grouped by local date.

    >>> from slotcalc import Schedule, EventPolicy, Query
    >>> a = find_slots(
    ...     Schedule("America/New_York", {"mon": [("09:00", "11:00")]}),
    ...     EventPolicy(60),
    ...     Query("2026-12-07", "2026-12-07", now="2026-12-01T00:00:00Z"),
    ... )
    >>> [s.start.isoformat() for s in a.slots]
    ['2026-12-07T09:00:00-05:00', '2026-12-07T10:00:00-05:00']
    """
    return Request(_schedule(schedule), event, query, busy=busy).slots()


def find_team_slots(hosts: Sequence[Host], event: EventPolicy, query: Query,
                    team: Team | None = None) -> Availability:
    """Return a team's slots (SPEC §7); ``team`` defaults to every host."""
    return Request(hosts, event, query, team=team or Team()).slots()


def answer_document(schedule: Schedule, event: EventPolicy, query: Query,
                    busy: Iterable[Busy] = (), warnings: Iterable[Notice] = ()) -> dict[str, Any]:
    """Return the SPEC §4 answer document of :func:`find_slots` (strings, not datetimes)."""
    return Request(_schedule(schedule), event, query, busy=busy).plan().answer_document(warnings)


def team_answer_document(hosts: Sequence[Host], event: EventPolicy, query: Query,
                         team: Team | None = None, warnings: Iterable[Notice] = ()
                         ) -> dict[str, Any]:
    """Return the SPEC §4 answer document of :func:`find_team_slots`."""
    return Request(hosts, event, query, team=team or Team()).plan().answer_document(warnings)


def check_slot(schedule: Schedule, event: EventPolicy, query: Query, start: datetime | str,
               busy: Iterable[Busy] = ()) -> CheckResult:
    """Return whether ``start`` is bookable, the first SPEC §4 reason if not, and the next start.

    The query gives ``now``, ``exclude`` and the zone of the answer; its range and limit do
    not apply (it may have none).

    >>> from slotcalc import Schedule, EventPolicy, Query
    >>> r = check_slot(Schedule("UTC", {"mon": [("09:00", "12:00")]}), EventPolicy(60),
    ...                Query(now="2026-12-01T00:00:00Z"), "2026-12-07T09:20:00Z")
    >>> r.bookable, r.reason, r.next_available.isoformat()
    (False, 'off_grid', '2026-12-07T10:00:00+00:00')
    """
    return Request(_schedule(schedule), event, query, busy=busy).check(start)


def check_team_slot(hosts: Sequence[Host], event: EventPolicy, query: Query,
                    start: datetime | str, team: Team | None = None) -> CheckResult:
    """Return the check answer for a team (SPEC §4, §7)."""
    return Request(hosts, event, query, team=team or Team()).check(start)


def check_document(schedule: Schedule, event: EventPolicy, query: Query, start: datetime | str,
                   busy: Iterable[Busy] = (), warnings: Iterable[Notice] = ()) -> dict[str, Any]:
    """Return the SPEC §4 check document of :func:`check_slot`."""
    return Request(_schedule(schedule), event, query, busy=busy).plan().check_document(
        start, warnings)


def team_check_document(hosts: Sequence[Host], event: EventPolicy, query: Query,
                        start: datetime | str, team: Team | None = None,
                        warnings: Iterable[Notice] = ()) -> dict[str, Any]:
    """Return the SPEC §4 check document of :func:`check_team_slot` (with ``hosts``)."""
    return Request(hosts, event, query, team=team or Team()).plan().check_document(
        start, warnings)


def _schedule(schedule: object) -> Schedule:
    if not isinstance(schedule, Schedule):
        raise InvalidRequest("schedule must be a Schedule", "/schedule")
    return schedule
