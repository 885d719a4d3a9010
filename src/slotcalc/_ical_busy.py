"""A scanned feed → its busy instances in a window, as epoch-second intervals.

What is busy (SPEC §2 "Calendars"):

* every instance of a VEVENT that is not ``STATUS:CANCELLED`` and not ``TRANSP:TRANSPARENT``
  (``TENTATIVE`` is busy), from its start to its end, half-open;
* every VFREEBUSY period whose ``FBTYPE`` is not ``FREE``.

Instances come from DTSTART, RRULE (expanded in the wall time of DTSTART's zone, so 09:00
stays 09:00 across DST), RDATE (dates, date-times, periods), less EXDATE; components with a
RECURRENCE-ID replace the instance they name (with ``RANGE=THISANDFUTURE`` also every later
one, shifted by the same amount and with the new length and status). Of several components
with one UID and the same RECURRENCE-ID (or none), those with the highest SEQUENCE count; on
a tie all of them count (nothing tells which is current, and blocking both never books over a
real meeting).

The end of an instance: DTEND gives an exact length (RFC 5545 §3.8.5.3: the same number of
seconds for every instance); DURATION a nominal one (days and weeks in wall time, then exact
hours, minutes, seconds); neither gives one day for an all-day (DATE) event and nothing for a
timed one: a zero-length instance blocks nothing and is left out.

Time zones (SPEC §2): a TZID naming an IANA zone, or a Windows zone, uses that zone's current
rules even when the feed has a VTIMEZONE of that name; any other TZID uses the feed's
VTIMEZONE; one with neither gives a ``calendar_unknown_tzid`` warning and is read in the
schedule's zone. ``X-WR-TIMEZONE`` is the zone of floating times and of the wall clock of a
recurring event whose DTSTART is in UTC. DATE values are local dates in the schedule's zone.

A component that cannot be read is skipped with a ``calendar_component_skipped`` warning that
names its line. Plain events that the fast scanner kept as text and that cannot touch the
window (judged by their DTSTART/DTEND text with five days to spare, more than any UTC offset)
are not read further.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import date, datetime, timedelta
from typing import NamedTuple

from ._ical_parse import (
    DATE,
    UTC,
    RawCalendar,
    RawEvent,
    RawFreeBusy,
    RawProp,
    param_dict,
    parse_duration,
    parse_moment,
    parse_period,
)
from ._ical_recur import RuleError, RuleSpec, TooManyInstances, expand, parse_rrule
from ._ical_tz import UTC_ZONE, WallZone, resolve_tzid

__all__ = ["SKIPPED", "UNKNOWN_TZID", "BusyResult", "TooMuch", "busy_intervals"]

SKIPPED = "calendar_component_skipped"
UNKNOWN_TZID = "calendar_unknown_tzid"
DAY = 86400
_MARGIN = timedelta(days=5)  # more than any UTC offset a feed can write (±99:59)


class TooMuch(Exception):
    """The feed yields more busy instances in the window than allowed."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


class BusyResult(NamedTuple):
    """Busy intervals ``[(start, end)]`` (epoch seconds, sorted, one per instance) and
    warnings ``[(code, message, line)]`` in line order."""

    intervals: list[tuple[int, int]]
    warnings: list[tuple[str, str, int]]


class _Skip(Exception):
    """A component that cannot be read (message names the problem; line where it is)."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


class _Moment(NamedTuple):
    kind: int  # DATE, FLOATING (also with a TZID) or UTC
    wall: datetime  # naive local wall time in ``zone`` (midnight for a DATE)
    zone: WallZone
    epoch: int


class _Length(NamedTuple):
    days: int  # nominal days, added in wall time
    seconds: int  # exact seconds, added after


class _Component:
    """One VEVENT, read: its start, length, busy flag, recurrence and identity."""

    __slots__ = ("busy", "exdates", "exdays", "future", "length", "line", "rdates", "rid",
                 "rules", "sequence", "start", "uid")

    def __init__(self, line: int, uid: str | None, start: _Moment, length: _Length,
                 busy: bool, sequence: int) -> None:
        self.line = line
        self.uid = uid
        self.start = start
        self.length = length
        self.busy = busy
        self.sequence = sequence
        self.rid: int | None = None  # RECURRENCE-ID as an instant
        self.future = False  # RANGE=THISANDFUTURE
        self.rules: list[tuple[RuleSpec, RawProp]] = []
        self.rdates: list[tuple[int, int | None]] = []  # (start, explicit end or None)
        self.exdates: set[int] = set()
        self.exdays: set[date] = set()


class _Context:
    """What every component is read against: zones, the window, the budget, the warnings."""

    def __init__(self, cal: RawCalendar, zone: WallZone, lo: int, hi: int,
                 max_instances: int) -> None:
        self.cal = cal
        self.zone = zone  # the schedule's zone: DATE values and unknown TZIDs
        self.floating = zone  # floating DATE-TIMEs (X-WR-TIMEZONE if the feed names one)
        self.xwr: WallZone | None = None
        self.lo = lo
        self.hi = hi
        self.max_instances = max_instances
        self.warnings: list[tuple[str, str, int]] = []
        self.timezones = {tz.tzid: tz for tz in cal.timezones if tz.tzid is not None}
        self.built: dict[str, WallZone | str] = {}
        self.warned: set[str] = set()
        xwr = cal.x_wr_timezone
        if xwr is not None and xwr.value.strip():
            found = resolve_tzid(xwr.value.strip(), self.timezones, self.built)
            if isinstance(found, WallZone):
                self.xwr = self.floating = found
            else:
                self.warnings.append((UNKNOWN_TZID, f"line {xwr.line}: X-WR-TIMEZONE "
                                      f"{xwr.value.strip()!r} is not a time zone ({found}); "
                                      "ignored", xwr.line))

    def tzid_zone(self, tzid: str, line: int) -> WallZone:
        found = resolve_tzid(tzid, self.timezones, self.built)
        if isinstance(found, WallZone):
            return found
        if tzid not in self.warned:
            self.warned.add(tzid)
            self.warnings.append((UNKNOWN_TZID, f"line {line}: TZID {tzid!r} is unknown "
                                  f"({found}); its times are read in {self.zone.name}", line))
        return self.zone

    def moment(self, prop: RawProp, value: str | None = None) -> _Moment:
        """Read a DATE / DATE-TIME (UTC, TZID or floating) value of ``prop`` (or ``value``,
        one item of its list, read with its parameters). Raises ValueError."""
        params = param_dict(prop.params) if prop.params else {}
        kind, wall = parse_moment(prop.value if value is None else value)
        if params.get("VALUE", "").upper() == "DATE" and kind != DATE:
            raise ValueError(f"{prop.value!r} is not a DATE")
        return self.resolve(params, kind, wall, prop.line)

    def resolve(self, params: dict[str, str], kind: int, wall: datetime, line: int) -> _Moment:
        """Return the moment of a parsed value with its line's parameters."""
        if kind == DATE:
            zone = self.zone
        elif kind == UTC:
            zone = UTC_ZONE
        else:
            tzid = params.get("TZID")
            zone = self.tzid_zone(tzid, line) if tzid else self.floating
        return _Moment(kind, wall, zone, zone.wall_to_epoch(wall))


def _length(ctx: _Context, ev: RawEvent, start: _Moment) -> _Length:
    if ev.dtend is not None:
        end = ctx.moment(ev.dtend)
        if start.kind == DATE and end.kind == DATE:
            days = (end.wall - start.wall).days
            if days < 0:
                raise _Skip(f"DTEND {ev.dtend.value} is before DTSTART", ev.dtend.line)
            return _Length(days, 0)
        seconds = end.epoch - start.epoch
        if seconds < 0:
            raise _Skip(f"DTEND {ev.dtend.value} is before DTSTART", ev.dtend.line)
        return _Length(0, seconds)
    if ev.duration is not None:
        days, seconds = parse_duration(ev.duration.value)
        if days < 0 or seconds < 0:
            raise _Skip(f"DURATION {ev.duration.value} is negative", ev.duration.line)
        return _Length(days, seconds)
    return _Length(1, 0) if start.kind == DATE else _Length(0, 0)


def _read(ctx: _Context, ev: RawEvent, master: _Component | None = None) -> _Component:
    """Return the component of a VEVENT. Raises _Skip if it cannot be read."""
    if ev.problem:
        raise _Skip(ev.problem, ev.problem_line or ev.line)
    prop = ev.dtstart
    try:
        rid = ctx.moment(ev.rid) if ev.rid is not None else None
    except ValueError as exc:
        raise _Skip(f"RECURRENCE-ID: {exc}", ev.line) from None
    try:
        if prop is None:
            if rid is None:
                raise _Skip("the VEVENT has no DTSTART", ev.line)
            start = rid  # an override that only cancels or restyles keeps its time
        else:
            start = ctx.moment(prop)
    except ValueError as exc:
        raise _Skip(f"DTSTART: {exc}", prop.line if prop else ev.line) from None
    try:
        if prop is None and master is not None and ev.dtend is None and ev.duration is None:
            length = master.length
        else:
            length = _length(ctx, ev, start)
    except ValueError as exc:
        raise _Skip(f"DTEND/DURATION: {exc}", ev.line) from None
    sequence = 0
    if ev.sequence is not None:
        try:
            sequence = int(ev.sequence.value.strip())
        except ValueError:
            raise _Skip(f"SEQUENCE {ev.sequence.value!r} is not an integer",
                        ev.sequence.line) from None
    busy = ev.status != "CANCELLED" and ev.transp != "TRANSPARENT"
    comp = _Component(ev.line, ev.uid, start, length, busy, sequence)
    if rid is not None:
        comp.rid = rid.epoch
        assert ev.rid is not None
        comp.future = param_dict(ev.rid.params).get("RANGE", "").upper() == "THISANDFUTURE" \
            if ev.rid.params else False
    for rule in ev.rrules:
        try:
            comp.rules.append((parse_rrule(rule.value), rule))
        except RuleError as exc:
            raise _Skip(f"RRULE {rule.value!r}: {exc}", rule.line) from None
    for rdate in ev.rdates:
        try:
            params = param_dict(rdate.params) if rdate.params else {}
            period = params.get("VALUE", "").upper() == "PERIOD"
            for item in rdate.value.split(","):
                item = item.strip()
                if not item:
                    continue
                if period or "/" in item:
                    (kind, wall), end = parse_period(item)
                    a = ctx.resolve(params, kind, wall, rdate.line).epoch
                    if end[0] == -1:
                        assert isinstance(end[1], int)
                        b = a + end[1]
                    else:
                        assert isinstance(end[1], datetime)
                        b = ctx.resolve(params, end[0], end[1], rdate.line).epoch
                    if b < a:
                        raise ValueError(f"period {item} ends before it starts")
                    comp.rdates.append((a, b))
                else:
                    comp.rdates.append((ctx.moment(rdate, item).epoch, None))
        except ValueError as exc:
            raise _Skip(f"RDATE {rdate.value!r}: {exc}", rdate.line) from None
    for exdate in ev.exdates:
        try:
            for item in exdate.value.split(","):
                item = item.strip()
                if not item:
                    continue
                moment = ctx.moment(exdate, item)
                comp.exdates.add(moment.epoch)
                if moment.kind == DATE:
                    comp.exdays.add(moment.wall.date())
        except ValueError as exc:
            raise _Skip(f"EXDATE {exdate.value!r}: {exc}", exdate.line) from None
    return comp


def _end(zone: WallZone, wall: datetime, start: int, length: _Length) -> int:
    if length.days:
        return zone.wall_to_epoch(wall + timedelta(days=length.days)) + length.seconds
    return start + length.seconds


class _Series:
    """A master's instances: ``(original start, start, end)`` with the master's length."""

    def __init__(self, ctx: _Context, comp: _Component, widen: int) -> None:
        self.ctx = ctx
        self.comp = comp
        start = comp.start
        if start.kind == UTC and ctx.xwr is not None and (comp.rules or comp.rdates):
            # Google: a series anchored in UTC repeats at the same wall time in X-WR-TIMEZONE
            self.zone = ctx.xwr
            self.wall = ctx.xwr.epoch_to_wall(start.epoch)
        else:
            self.zone = start.zone
            self.wall = start.wall
        self.widen = widen

    def instances(self) -> list[tuple[int, int, int]]:
        ctx = self.ctx
        comp = self.comp
        zone = self.zone
        length = comp.length
        span = length.days * DAY + 2 * 3600 + length.seconds + self.widen
        lo_wall = zone.epoch_to_wall(ctx.lo - span) - timedelta(days=1)
        hi_wall = zone.epoch_to_wall(ctx.hi + self.widen) + timedelta(days=1)
        starts: dict[int, tuple[datetime | None, int | None]] = {}
        dtstart_in = True
        untils: list[int | None] = []
        for spec, prop in comp.rules:
            until_wall: datetime | None = None
            until_epoch: int | None = None
            if spec.until is not None:
                kind, value = spec.until
                if kind == UTC:
                    until_epoch = value_epoch = UTC_ZONE.wall_to_epoch(value)
                    until_wall = zone.epoch_to_wall(value_epoch)
                    if comp.start.kind != DATE:
                        until_wall += timedelta(hours=3)  # fold slack; exact check below
                elif kind == DATE and comp.start.kind != DATE:
                    until_wall = value + timedelta(days=1, seconds=-1)  # the whole day
                else:
                    until_wall = value
                if until_epoch is None:
                    until_epoch = zone.wall_to_epoch(until_wall)
            untils.append(until_epoch)
            try:
                walls = expand(spec, self.wall, lo_wall, hi_wall, until_wall,
                               ctx.max_instances)
            except TooManyInstances:
                raise TooMuch(f"line {prop.line}: RRULE:{prop.value} yields more than "
                              f"{ctx.max_instances} instances in the window (the "
                              "max_instances limit)", prop.line) from None
            exact = spec.until is not None and spec.until[0] == UTC and comp.start.kind != DATE
            for wall in walls:
                t = zone.wall_to_epoch(wall)
                if exact and until_epoch is not None and t > until_epoch:
                    continue
                starts.setdefault(t, (wall, None))
        if untils and all(u is not None for u in untils):
            dtstart_in = comp.start.epoch <= max(u for u in untils if u is not None)
        if dtstart_in and lo_wall <= self.wall <= hi_wall:
            starts.setdefault(zone.wall_to_epoch(self.wall), (self.wall, None))
        for t, end in comp.rdates:
            if ctx.lo - span <= t <= ctx.hi + self.widen and (t not in starts or end is not None):
                starts[t] = (None, end)
        out: list[tuple[int, int, int]] = []
        for t, (known, end) in starts.items():
            if t in comp.exdates:
                continue
            wall = known if known is not None else zone.epoch_to_wall(t)
            if comp.exdays and wall.date() in comp.exdays:
                continue
            out.append((t, t, end if end is not None else _end(zone, wall, t, length)))
        return out


def _overlaps(a: int, b: int, lo: int, hi: int) -> bool:
    return b > a and a < hi and b > lo


def _group(ctx: _Context, events: list[RawEvent], out: list[tuple[int, int]]) -> None:
    """Add the busy instances of all components with one UID to ``out``."""
    masters: list[_Component] = []
    raw_overrides: list[RawEvent] = []
    for ev in events:
        if ev.rid is not None:
            raw_overrides.append(ev)
            continue
        try:
            masters.append(_read(ctx, ev))
        except _Skip as exc:
            ctx.warnings.append((SKIPPED, f"line {ev.line}: VEVENT skipped: {exc.message}"
                                 + (f" (line {exc.line})" if exc.line != ev.line else ""),
                                 ev.line))
    if masters:
        top = max(c.sequence for c in masters)
        masters = [c for c in masters if c.sequence == top]
    overrides: dict[int, list[_Component]] = {}
    for ev in raw_overrides:
        try:
            comp = _read(ctx, ev, masters[0] if masters else None)
        except _Skip as exc:
            ctx.warnings.append((SKIPPED, f"line {ev.line}: VEVENT skipped: {exc.message}"
                                 + (f" (line {exc.line})" if exc.line != ev.line else ""),
                                 ev.line))
            continue
        assert comp.rid is not None
        overrides.setdefault(comp.rid, []).append(comp)
    kept: list[_Component] = []
    for comps in overrides.values():
        top = max(c.sequence for c in comps)
        kept.extend(c for c in comps if c.sequence == top)
    lo, hi = ctx.lo, ctx.hi
    for comp in kept:
        end = _end(comp.start.zone, comp.start.wall, comp.start.epoch, comp.length)
        if comp.busy and _overlaps(comp.start.epoch, end, lo, hi):
            out.append((comp.start.epoch, end))
    future = sorted(((c.rid, c) for c in kept if c.future and c.rid is not None),
                    key=lambda pair: pair[0])
    future_rids = [rid for rid, _ in future]
    widen = max((abs(c.start.epoch - rid) + c.length.days * DAY + c.length.seconds
                 for rid, c in future), default=0)
    for master in masters:
        if not (master.rules or master.rdates):
            end = _end(master.start.zone, master.start.wall, master.start.epoch, master.length)
            if (master.busy and master.start.epoch not in overrides
                    and _overlaps(master.start.epoch, end, lo, hi)):
                out.append((master.start.epoch, end))
            continue
        series = _Series(ctx, master, widen)
        for orig, start, end in series.instances():
            if orig in overrides:
                continue
            busy = master.busy
            i = bisect_right(future_rids, orig) - 1
            if i >= 0:
                rid, change = future[i]
                start = orig + (change.start.epoch - rid)
                wall = series.zone.epoch_to_wall(start)
                end = _end(series.zone, wall, start, change.length)
                busy = change.busy
            if busy and _overlaps(start, end, lo, hi):
                out.append((start, end))


def _freebusy(ctx: _Context, fb: RawFreeBusy, out: list[tuple[int, int]]) -> None:
    if fb.problem:
        raise _Skip(fb.problem, fb.problem_line or fb.line)
    found: list[tuple[int, int]] = []
    for prop in fb.periods:
        params = param_dict(prop.params) if prop.params else {}
        if params.get("FBTYPE", "BUSY").upper() == "FREE":
            continue
        for item in prop.value.split(","):
            item = item.strip()
            if not item:
                continue
            try:
                (kind, wall), end = parse_period(item)
            except ValueError as exc:
                raise _Skip(f"FREEBUSY {item!r}: {exc}", prop.line) from None
            zone = UTC_ZONE if kind == UTC else ctx.floating
            a = zone.wall_to_epoch(wall)
            if end[0] == -1:
                assert isinstance(end[1], int)
                b = a + end[1]
            else:
                assert isinstance(end[1], datetime)
                b = (UTC_ZONE if end[0] == UTC else ctx.floating).wall_to_epoch(end[1])
            if b < a:
                raise _Skip(f"FREEBUSY period {item} ends before it starts", prop.line)
            if _overlaps(a, b, ctx.lo, ctx.hi):
                found.append((a, b))
    out.extend(found)


def busy_intervals(cal: RawCalendar, lo: int, hi: int, zone: WallZone,
                   max_instances: int) -> BusyResult:
    """Return the busy instances of ``cal`` that overlap ``[lo, hi)`` (epoch seconds) and the
    warnings. ``zone`` is the schedule's zone (DATE values, floating times without
    X-WR-TIMEZONE, unknown TZIDs). Raises :class:`TooMuch` when a rule or the whole feed
    yields more than ``max_instances`` instances in the window.

    Cost: O(events) to sort plain events by their text, plus for each event that can touch
    the window (and each recurring series) its reading and O(instances in the window).
    """
    ctx = _Context(cal, zone, lo, hi, max_instances)
    lo_text = (datetime(1970, 1, 1) + timedelta(seconds=lo) - _MARGIN).strftime("%Y%m%d")
    hi_text = (datetime(1970, 1, 1) + timedelta(seconds=hi) + _MARGIN).strftime("%Y%m%d")
    groups: dict[str, list[RawEvent | tuple[int, str]]] = {}
    aside: dict[str, tuple[int, str]] = {}  # plain events outside the window, by UID
    loners: list[RawEvent] = []
    for line, body, uid, first, last, recurring in cal.quick:
        if uid is None:
            loners.append(RawEvent.from_text(line, body))
            continue
        members = groups.get(uid)
        if members is not None:
            members.append((line, body))
            continue
        other = aside.pop(uid, None)
        if other is not None:  # several components with this UID: all are read
            groups[uid] = [other, (line, body)]
            continue
        if not recurring and last is not None and first is not None and (
                last < lo_text or first > hi_text):
            aside[uid] = (line, body)
            continue
        groups[uid] = [(line, body)]
    for ev in cal.events:
        if ev.uid is None:
            loners.append(ev)
            continue
        other = aside.pop(ev.uid, None)
        members = groups.setdefault(ev.uid, [])
        if other is not None:
            members.append(other)
        members.append(ev)
    out: list[tuple[int, int]] = []
    limit = max_instances
    for uid_members in groups.values():
        events = [m if isinstance(m, RawEvent) else RawEvent.from_text(*m) for m in uid_members]
        if len({ev.uid for ev in events}) == 1:
            _group(ctx, events, out)
        else:  # a UID read by the fast path differs from the full reading: regroup
            regroup: dict[str | None, list[RawEvent]] = {}
            for ev in events:
                regroup.setdefault(ev.uid, []).append(ev)
            for same in regroup.values():
                _group(ctx, same, out)
        if len(out) > limit:
            break
    for ev in loners:
        if len(out) > limit:
            break
        _group(ctx, [ev], out)
    for fb in cal.freebusy:
        try:
            _freebusy(ctx, fb, out)
        except _Skip as exc:
            ctx.warnings.append((SKIPPED, f"line {fb.line}: VFREEBUSY skipped: {exc.message}",
                                 fb.line))
    if len(out) > max_instances:
        raise TooMuch(f"the feed yields {len(out)} busy instances in the window, more than "
                      f"the max_instances limit of {max_instances}", 0)
    out.sort()
    ctx.warnings.sort(key=lambda w: w[2])
    return BusyResult(out, ctx.warnings)

