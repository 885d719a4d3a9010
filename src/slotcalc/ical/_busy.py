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

The end of an instance: a DTEND on the same wall clock as DTSTART (same zone, or both
floating, or both UTC) gives every instance the same wall-clock length, so a 22:00–06:00
shift ends at 06:00 on the night clocks change too (as calendar applications show it; RFC
5545 §3.8.5.3 would keep the exact number of seconds instead); a DTEND in another zone gives
an exact length; DURATION a nominal one (days and weeks in wall time, then exact hours,
minutes, seconds, as RFC 5545 §3.3.6 says); neither gives one day for an all-day (DATE) event
and nothing for a timed one: a zero-length instance blocks nothing and is left out.

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

from bisect import bisect_left, bisect_right
from datetime import date, datetime, timedelta
from typing import NamedTuple

from ._parse import (
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
from ._recur import RuleError, RuleSpec, TooManyInstances, expand, parse_rrule, tiled_seconds
from ._tz import UTC_ZONE, WallZone, naive_epoch, naive_from_epoch, resolve_tzid

__all__ = ["SKIPPED", "UNKNOWN_TZID", "BusyResult", "TooMuch", "busy_intervals"]

SKIPPED = "calendar_component_skipped"
UNKNOWN_TZID = "calendar_unknown_tzid"
DAY = 86400
_MARGIN = timedelta(days=5)  # more than any UTC offset a feed can write (±99:59)
_ONE_DAY = timedelta(days=1)
_new = tuple.__new__  # builds a NamedTuple without its slower __new__
_EPOCH_NAIVE = datetime(1970, 1, 1)
_EPOCH_ORDINAL = _EPOCH_NAIVE.toordinal()
# an UNTIL this late is no end at all (it is clamped: converting it could overflow year 9999)
_FAR_WALL = datetime(9000, 1, 1)
_FAR_EPOCH = int((_FAR_WALL - _EPOCH_NAIVE).total_seconds())


def _cut(text: str, limit: int = 80) -> str:
    """Return ``text`` cut to ``limit`` characters (long feed values stay out of messages)."""
    return text if len(text) <= limit else text[:limit - 1] + "…"


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
    seconds: int  # exact seconds, added after (with ``wall``: wall-clock seconds too)
    wall: bool = False  # the whole length is wall-clock time (DTEND in DTSTART's zone)
    exact: int = 0  # with ``wall``: the master's length in seconds, for an end in a DST gap


class _Component:
    """One VEVENT, read: its start, length, busy flag, recurrence and identity."""

    __slots__ = ("busy", "exprops", "future", "length", "line", "rdates", "rid", "rules",
                 "sequence", "start", "uid")

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
        self.exprops: list[RawProp] = []  # EXDATE lines, read when the window is known


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
        # what the rules of one UID may still expand: copies of an event with the same UID
        # share one budget, so 4,000 copies of an hourly series cost one limit, not 4,000
        self.budget = max_instances
        self.warnings: list[tuple[str, str, int]] = []
        self.timezones = {tz.tzid: tz for tz in cal.timezones if tz.tzid is not None}
        self.built: dict[str, WallZone | str] = {}
        self.unknown: dict[str, tuple[int, str]] = {}  # TZID -> (first line, why)
        self.walls: dict[tuple[WallZone, int], datetime] = {}
        self.dates: dict[int, str] = {}
        xwr = cal.x_wr_timezone
        if xwr is not None and xwr.value.strip():
            found = resolve_tzid(xwr.value.strip(), self.timezones, self.built)
            if isinstance(found, WallZone):
                self.xwr = self.floating = found
            else:
                self.warnings.append((UNKNOWN_TZID, f"line {xwr.line}: X-WR-TIMEZONE "
                                      f"{xwr.value.strip()!r} is not a time zone ({found}); "
                                      "ignored", xwr.line))

    def wall(self, zone: WallZone, t: int) -> datetime:
        """``zone.epoch_to_wall(t)``, remembered: a feed's series ask for the same few."""
        key = (zone, t)
        found = self.walls.get(key)
        if found is None:
            found = self.walls[key] = zone.epoch_to_wall(t)
        return found

    def date_text(self, t: int) -> str:
        """:func:`_date_text`, remembered."""
        found = self.dates.get(t)
        if found is None:
            found = self.dates[t] = _date_text(t)
        return found

    def tzid_zone(self, tzid: str, line: int) -> WallZone:
        found = resolve_tzid(tzid, self.timezones, self.built)
        if isinstance(found, WallZone):
            return found
        seen = self.unknown.get(tzid)
        if seen is None or line < seen[0]:
            self.unknown[tzid] = (line, found)  # reported once, at its first line
        return self.zone

    def finish(self) -> list[tuple[str, str, int]]:
        """Return all warnings, in line order."""
        for tzid, (line, why) in self.unknown.items():
            self.warnings.append((UNKNOWN_TZID, f"line {line}: TZID {tzid!r} is unknown "
                                  f"({why}); its times are read in {self.zone.name}", line))
        self.unknown.clear()
        return sorted(self.warnings, key=lambda w: (w[2], w[0], w[1]))

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
            if tzid:
                built = self.built.get(tzid)  # (a zone already read: tzid_zone's answer)
                zone = built if isinstance(built, WallZone) else self.tzid_zone(tzid, line)
            else:
                zone = self.floating
        return _new(_Moment, (kind, wall, zone, zone.wall_to_epoch(wall)))


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
        if start.kind != DATE and end.kind != DATE and end.zone is start.zone:
            # both ends on one wall clock: every instance ends at the same wall time
            delta = end.wall - start.wall
            if delta.days >= 0:
                return _Length(delta.days, delta.seconds, True, seconds)
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
    comp.exprops = ev.exdates
    return comp


def _end(zone: WallZone, wall: datetime, start: int, length: _Length) -> int:
    """Return the end of an instance starting at ``start`` (wall time ``wall`` in ``zone``)."""
    if length.wall:
        end = zone.wall_to_epoch(wall + timedelta(days=length.days, seconds=length.seconds))
        # a start in a DST gap is read after the gap and may pass the wall-clock end: then
        # the instance keeps the master's length rather than blocking nothing
        return end if end > start or not length.exact else start + length.exact
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

    def instances(self) -> list[tuple[int, int]]:
        """Return ``(start, end)`` of every instance that can touch the window (widened by
        the instance length and the THISANDFUTURE shifts), EXDATEs taken out."""
        ctx = self.ctx
        comp = self.comp
        zone = self.zone
        length = comp.length
        span = length.days * DAY + 2 * 3600 + length.seconds + self.widen
        lo_wall = ctx.wall(zone, ctx.lo - span) - _ONE_DAY
        hi_wall = ctx.wall(zone, ctx.hi + self.widen) + _ONE_DAY
        if len(comp.rules) == 1 and not comp.rdates:
            found = self._one_tiled_rule(lo_wall, hi_wall, span)
            if found is not None:
                return found
        starts: dict[int, datetime] = {}
        ends: dict[int, int] = {}  # RDATE periods with their own end
        dtstart_in = True
        untils: list[int | None] = []
        for spec, prop in comp.rules:
            until_wall, until_epoch = self._until(spec, hi_wall)
            untils.append(until_epoch)
            budget = ctx.budget
            try:
                walls = expand(spec, self.wall, lo_wall, hi_wall, until_wall, max(budget, 0))
            except TooManyInstances:
                raise self._too_many(budget, prop) from None
            ctx.budget -= len(walls)
            epochs = zone.walls_to_epochs(walls)
            if spec.until is not None and spec.until[0] == UTC and comp.start.kind != DATE:
                assert until_epoch is not None
                for wall, t in zip(walls, epochs, strict=True):
                    if t <= until_epoch:
                        starts.setdefault(t, wall)
            else:
                for wall, t in zip(walls, epochs, strict=True):
                    starts.setdefault(t, wall)
        if untils and all(u is not None for u in untils):
            dtstart_in = comp.start.epoch <= max(u for u in untils if u is not None)
        if dtstart_in and lo_wall <= self.wall <= hi_wall:
            starts.setdefault(zone.wall_to_epoch(self.wall), self.wall)
        for t, end in comp.rdates:
            if ctx.lo - span <= t <= ctx.hi + self.widen:
                if t not in starts:
                    starts[t] = zone.epoch_to_wall(t)
                if end is not None:
                    ends[t] = end
        exdates, exdays = self._exdates(span)
        kept = [(t, wall) for t, wall in starts.items()
                if t not in exdates and not (exdays and wall.date() in exdays)]
        if length.wall and kept:
            # every end at the same wall-clock distance: where no offset change lies between
            # start and end that distance is the elapsed time; else convert the wall time
            step = length.days * DAY + length.seconds
            first = min(t for t, _ in kept)
            changes = zone.transitions(first, max(t for t, _ in kept) + step + 2 * 3600)
            delta = timedelta(seconds=step)
            out: list[tuple[int, int]] = []
            for t, wall in kept:
                end = ends.get(t)
                if end is None:
                    i = bisect_right(changes, t)
                    if i < len(changes) and changes[i] <= t + step + 2 * 3600:
                        end = zone.wall_to_epoch(wall + delta)
                        if end <= t:
                            end = t + length.exact
                    else:
                        end = t + step
                out.append((t, end))
            return out
        if not length.days:
            seconds = length.seconds
            return [(t, ends.get(t, t + seconds)) for t, _ in kept]
        return [(t, ends[t] if t in ends else _end(zone, wall, t, length)) for t, wall in kept]

    def _until(self, spec: RuleSpec, hi_wall: datetime) -> tuple[datetime | None, int | None]:
        """Return a rule's UNTIL as ``(wall time to expand to, or None when the window bounds
        the expansion; instant, or None without UNTIL)``."""
        if spec.until is None:
            return None, None
        zone = self.zone
        until_wall: datetime | None = None
        until_epoch: int | None = None
        kind, value = spec.until
        if value >= _FAR_WALL:
            # UNTIL=99991231T235959Z means "no end": nothing in the window depends on
            # it, and converting it to a wall time would overflow the year 9999
            until_epoch = _FAR_EPOCH
        elif kind == UTC:
            until_epoch = UTC_ZONE.wall_to_epoch(value)
            until_wall = zone.epoch_to_wall(until_epoch)
            if self.comp.start.kind != DATE:
                until_wall += timedelta(hours=3)  # fold slack; exact check below
        elif kind == DATE and self.comp.start.kind != DATE:
            until_wall = value + timedelta(days=1, seconds=-1)  # the whole day
        else:
            until_wall = value
        if until_epoch is None:
            assert until_wall is not None
            until_epoch = zone.wall_to_epoch(until_wall)
        if until_wall is not None and until_wall > hi_wall + timedelta(days=2):
            until_wall = None  # ends after the window: the window bounds the expansion
        return until_wall, until_epoch

    def _too_many(self, budget: int, prop: RawProp) -> TooMuch:
        ctx = self.ctx
        line = self.comp.line
        whose = "VEVENT's" if budget == ctx.max_instances else \
            "VEVENT's (with the other copies of its UID)"
        return TooMuch(f"line {line}: the {whose} RRULE:{_cut(prop.value)} yields more than "
                       f"{ctx.max_instances} instances in the window (the max_instances "
                       "limit)", line)

    def _one_tiled_rule(self, lo_wall: datetime, hi_wall: datetime,
                        span: int) -> list[tuple[int, int]] | None:
        """:meth:`instances` for a master with one RRULE that tiles (DAILY and WEEKLY rules
        filtered by weekday and time of day only) and no RDATE, in integers: the rule's wall
        seconds in C-level ranges (:func:`tiled_seconds`), their instants a stretch at a time
        (:meth:`WallZone.wall_seconds_to_epochs`), ends by addition wherever no offset change
        lies between start and end. None for any other master. Same answer as the general
        path, instance for instance."""
        ctx = self.ctx
        comp = self.comp
        zone = self.zone
        length = comp.length
        spec, prop = comp.rules[0]
        until_wall, until_epoch = self._until(spec, hi_wall)
        budget = ctx.budget
        try:
            walls = tiled_seconds(spec, self.wall, lo_wall, hi_wall, until_wall, max(budget, 0))
        except TooManyInstances:
            raise self._too_many(budget, prop) from None
        if walls is None:
            return None
        ctx.budget -= len(walls)
        epochs = zone.wall_seconds_to_epochs(walls)
        if spec.until is not None and spec.until[0] == UTC and comp.start.kind != DATE:
            assert until_epoch is not None
            pairs = [(t, w) for t, w in zip(epochs, walls, strict=True) if t <= until_epoch]
        else:
            pairs = list(zip(epochs, walls, strict=True))
        # instant -> wall time, the first wall of an instant kept (two walls of a DST gap
        # can be one instant); the order of instances does not matter to the caller
        pairs.reverse()
        starts = dict(pairs)
        if (until_epoch is None or comp.start.epoch <= until_epoch) \
                and lo_wall <= self.wall <= hi_wall:
            starts.setdefault(zone.wall_to_epoch(self.wall), naive_epoch(self.wall))
        exdates, exdays = self._exdates(span)
        if exdates or exdays:
            days = {d.toordinal() - _EPOCH_ORDINAL for d in exdays}
            kept = [(t, w) for t, w in starts.items()
                    if t not in exdates and not (days and w // DAY in days)]
        else:
            kept = list(starts.items())
        if not kept:
            return []
        if length.wall:
            # every end at the same wall-clock distance: where no offset change lies between
            # start and end that distance is the elapsed time; else convert the wall time
            step = length.days * DAY + length.seconds
            kept.sort()
            times = [t for t, _ in kept]
            out = [(t, t + step) for t in times]
            for change in zone.transitions(times[0], times[-1] + step + 2 * 3600):
                # the starts with this change after them and at most step + 2 h away
                for k in range(bisect_left(times, change - step - 2 * 3600),
                               bisect_left(times, change)):
                    t, w = kept[k]
                    end = zone.wall_to_epoch(naive_from_epoch(w + step))
                    out[k] = (t, end if end > t else t + length.exact)
            return out
        if not length.days:
            seconds = length.seconds
            return [(t, t + seconds) for t, _ in kept]
        return [(t, zone.wall_to_epoch(naive_from_epoch(w + length.days * DAY)) + length.seconds)
                for t, w in kept]

    def _exdates(self, span: int) -> tuple[set[int], set[date]]:
        """Read the EXDATEs that can remove an instance touching the window (those far from
        it are not read). Raises _Skip for one that cannot be read."""
        comp = self.comp
        if not comp.exprops:
            return set(), set()
        ctx = self.ctx
        margin = int(_MARGIN.total_seconds())
        lo_text = ctx.date_text(ctx.lo - span - self.widen - margin)
        hi_text = ctx.date_text(ctx.hi + self.widen + margin)
        exdates: set[int] = set()
        exdays: set[date] = set()
        for prop in comp.exprops:
            for item in prop.value.split(","):
                item = item.strip()
                if not item or (item[:8].isdigit() and not lo_text <= item[:8] <= hi_text):
                    continue
                try:
                    moment = ctx.moment(prop, item)
                except ValueError as exc:
                    raise _Skip(f"EXDATE {prop.value!r}: {exc}", prop.line) from None
                exdates.add(moment.epoch)
                if moment.kind == DATE:
                    exdays.add(moment.wall.date())
        return exdates, exdays


def _ymd(day: date) -> str:
    """``day.strftime("%Y%m%d")``, faster (that leaves a year before 1000 unpadded)."""
    return day.isoformat().replace("-", "") if day.year >= 1000 else day.strftime("%Y%m%d")


def _date_text(t: int) -> str:
    """The YYYYMMDD of instant ``t`` in UTC (callers widen by :data:`_MARGIN` first)."""
    return (_EPOCH_NAIVE + timedelta(seconds=t)).strftime("%Y%m%d")


def _overlaps(a: int, b: int, lo: int, hi: int) -> bool:
    return b > a and a < hi and b > lo


def _excludes(ctx: _Context, master: _Component, t: int) -> bool:
    """Return whether an EXDATE of ``master`` removes its instance at instant ``t``."""
    if not master.exprops:
        return False
    zone = master.start.zone
    if master.start.kind == UTC and ctx.xwr is not None:
        zone = ctx.xwr
    day = zone.epoch_to_wall(t).date()
    near = {_ymd(day + timedelta(days=k)) for k in (-2, -1, 0, 1, 2)}
    for prop in master.exprops:
        for item in prop.value.split(","):
            item = item.strip()
            if item[:8] not in near:
                continue
            try:
                moment = ctx.moment(prop, item)
            except ValueError:
                continue
            if moment.epoch == t or (moment.kind == DATE and moment.wall.date() == day):
                return True
    return False


def _skipped(ctx: _Context, line: int, exc: _Skip, what: str = "VEVENT") -> None:
    ctx.warnings.append((SKIPPED, f"line {line}: {what} skipped: {exc.message}", line))


def _group(ctx: _Context, events: list[RawEvent], out: list[tuple[int, int]]) -> None:
    """Add the busy instances of all components with one UID to ``out``."""
    lo, hi = ctx.lo, ctx.hi
    ctx.budget = ctx.max_instances  # shared by every rule of this UID
    if len(events) == 1 and events[0].rid is None and not events[0].rrules \
            and not events[0].rdates:
        # one plain event: the common case
        try:
            comp = _read(ctx, events[0])
        except _Skip as exc:
            _skipped(ctx, events[0].line, exc)
            return
        moment = comp.start
        end = _end(moment.zone, moment.wall, moment.epoch, comp.length)
        if comp.busy and end > moment.epoch and moment.epoch < hi and end > lo:
            out.append((moment.epoch, end))
        return
    masters: list[_Component] = []
    raw_overrides: list[RawEvent] = []
    for ev in events:
        if ev.rid is not None:
            raw_overrides.append(ev)
            continue
        try:
            masters.append(_read(ctx, ev))
        except _Skip as exc:
            _skipped(ctx, ev.line, exc)
    if masters:
        top = max(c.sequence for c in masters)
        masters = [c for c in masters if c.sequence == top]
    overrides: dict[int, list[_Component]] = {}
    for ev in raw_overrides:
        try:
            comp = _read(ctx, ev, masters[0] if masters else None)
        except _Skip as exc:
            _skipped(ctx, ev.line, exc)
            continue
        assert comp.rid is not None
        overrides.setdefault(comp.rid, []).append(comp)
    kept: list[_Component] = []
    for rid, comps in list(overrides.items()):
        top = max(c.sequence for c in comps)
        if any(_excludes(ctx, m, rid) for m in masters):
            # the instance was deleted after it was changed: the series now excludes it
            del overrides[rid]
            continue
        kept.extend(c for c in comps if c.sequence == top)
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
        if not master.busy and not future:
            continue  # a free series: only its overrides can be busy
        if not (master.rules or master.rdates):
            end = _end(master.start.zone, master.start.wall, master.start.epoch, master.length)
            if (master.busy and master.start.epoch not in overrides
                    and _overlaps(master.start.epoch, end, lo, hi)):
                out.append((master.start.epoch, end))
            continue
        series = _Series(ctx, master, widen)
        try:
            found = series.instances()
        except _Skip as exc:
            _skipped(ctx, master.line, exc)
            continue
        if not future:
            out += [(start, end) for start, end in found
                    if end > start and start < hi and end > lo and start not in overrides]
            continue
        for orig, end in found:
            if orig in overrides:
                continue
            start = orig
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


def _guarded(ctx: _Context, events: list[RawEvent], out: list[tuple[int, int]]) -> None:
    """:func:`_group`, with dates beyond what Python's datetime holds (the years 1 to 9999)
    taken as a component that cannot be read."""
    mark = len(out)
    try:
        _group(ctx, events, out)
    except (OverflowError, ValueError) as exc:
        del out[mark:]
        line = min(ev.line for ev in events)
        _skipped(ctx, line, _Skip(f"a value out of range or unreadable ({_cut(str(exc))})",
                                  line))


def _freebusy(ctx: _Context, fb: RawFreeBusy, out: list[tuple[int, int]]) -> None:
    if fb.problem:
        raise _Skip(fb.problem, fb.problem_line or fb.line)
    found: list[tuple[int, int]] = []
    for prop in fb.periods:
        try:
            params = param_dict(prop.params) if prop.params else {}
        except ValueError as exc:
            raise _Skip(f"FREEBUSY: {exc}", prop.line) from None
        if params.get("FBTYPE", "BUSY").upper() == "FREE":
            continue
        for item in prop.value.split(","):
            item = item.strip()
            if not item:
                continue
            try:
                (kind, wall), end = parse_period(item)
            except ValueError as exc:
                raise _Skip(f"FREEBUSY {_cut(item)!r}: {exc}", prop.line) from None
            a = ctx.resolve(params, kind, wall, prop.line).epoch
            if end[0] == -1:
                assert isinstance(end[1], int)
                b = a + end[1]
            else:
                assert isinstance(end[1], datetime)
                b = ctx.resolve(params, end[0], end[1], prop.line).epoch
            if b < a:
                raise _Skip(f"FREEBUSY period {item} ends before it starts", prop.line)
            if _overlaps(a, b, ctx.lo, ctx.hi):
                found.append((a, b))
    out.extend(found)


def _ended_before(text: str, limit: int, lo_text: str) -> bool:
    """Fast path: return whether the event in ``text[:limit]`` has RRULEs that all end
    (UNTIL, plain and unfolded) before the date ``lo_text``, and no RDATE. Its DTSTART and
    DTEND the caller checks. Anything unusual answers False (the event is read in full)."""
    find = text.find
    if find("\nRDATE", 0, limit) >= 0:
        return False
    p = find("\nRRULE", 0, limit)
    if p < 0:
        return False
    while p >= 0:
        e = find("\n", p + 1)
        if e < 0 or e > limit or text[e + 1:e + 2] in (" ", "\t"):
            return False
        u = text.find("UNTIL=", p, e)
        if u < 0 or text[p + 6:p + 7] != ":":
            return False
        until = text[u + 6:u + 14]
        if not until.isdigit() or until >= lo_text:
            return False
        p = find("\nRRULE", e, limit)
    return True


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
    lo_day = (datetime(1970, 1, 1) + timedelta(seconds=lo) - _MARGIN).date()
    lo_text = lo_day.strftime("%Y%m%d")
    hi_text = (datetime(1970, 1, 1) + timedelta(seconds=hi) + _MARGIN).strftime("%Y%m%d")
    # Plain events whose dates lie outside the window are passed over, unless another
    # component shares their UID (then SEQUENCE decides between them): two passes.
    groups: dict[str, list[RawEvent | tuple[int, str, int]]] = {}
    loners: list[RawEvent] = []
    read: list[RawEvent] = []  # events whose UID the fast path did not read
    quick = cal.quick
    # (a plain event has both dates; the comparisons run quickly in the comprehension)
    near = [q for q in quick
            if q[6] or not (q[5] < lo_text or q[4] > hi_text)]  # type: ignore[operator]
    passed = len(quick) - len(near)
    ended: set[str] = set()  # series whose every rule ended before the window
    cutoffs: dict[int, str] = {}  # days an instance lasts -> the date its UNTIL must precede
    for line, text, limit, uid, first, last, _ in near:
        if uid is not None and first is not None and last is not None and last < lo_text:
            # an instance lasts as many days as the first one: shift the cutoff by that
            span = (date(int(last[:4]), int(last[4:6]), int(last[6:8]))
                    - date(int(first[:4]), int(first[4:6]), int(first[6:8]))).days
            cutoff = cutoffs.get(span)
            if cutoff is None:
                cutoff = cutoffs[span] = (lo_day - timedelta(days=span)).strftime("%Y%m%d")
            if _ended_before(text, limit, cutoff):
                ended.add(uid)
        if uid is None:
            read.append(RawEvent.from_text(line, text, limit))
            continue
        members = groups.get(uid)
        if members is None:
            groups[uid] = [(line, text, limit)]
        else:
            members.append((line, text, limit))
    for ev in (*cal.events, *read):
        if ev.uid is None:
            loners.append(ev)
        else:
            groups.setdefault(ev.uid, []).append(ev)
    if passed and groups:
        for q in [q for q in quick if q[3] in groups and not q[6]
                  and (q[5] < lo_text or q[4] > hi_text)]:  # type: ignore[operator]
            groups[q[3]].append(q[:3])  # type: ignore[index]
    out: list[tuple[int, int]] = []
    limit = max_instances
    for uid, uid_members in groups.items():
        if len(uid_members) == 1 and uid in ended:
            continue  # a lone series that ended before the window (no override to move it)
        events = [m if isinstance(m, RawEvent) else RawEvent.from_text(*m)
                  for m in uid_members]
        if len({ev.uid for ev in events}) == 1:
            _guarded(ctx, events, out)
        else:  # a UID read by the fast path differs from the full reading: regroup
            regroup: dict[str | None, list[RawEvent]] = {}
            for ev in events:
                regroup.setdefault(ev.uid, []).append(ev)
            for same in regroup.values():
                _guarded(ctx, same, out)
        if len(out) > limit:
            break
    for ev in loners:
        if len(out) > limit:
            break
        _guarded(ctx, [ev], out)
    for fb in cal.freebusy:
        mark = len(out)
        try:
            _freebusy(ctx, fb, out)
        except _Skip as exc:
            _skipped(ctx, fb.line, exc, "VFREEBUSY")
        except (OverflowError, ValueError) as exc:
            del out[mark:]
            _skipped(ctx, fb.line, _Skip(f"a value out of range ({_cut(str(exc))})", fb.line),
                     "VFREEBUSY")
    if len(out) > max_instances:
        raise TooMuch(f"the feed yields {len(out)} busy instances in the window, more than "
                      f"the max_instances limit of {max_instances}", 0)
    out.sort()
    return BusyResult(out, ctx.finish())

