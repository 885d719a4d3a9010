"""Public input value objects: what goes into the engine (answers are in :mod:`slotcalc.answers`).

Inputs (:class:`Schedule`, :class:`Override`, :class:`Travel`, :class:`EventPolicy`,
:class:`Limits`, :class:`Repeat`, :class:`Busy`, :class:`Query`, :class:`Calendar`,
:class:`Host`, :class:`Team` and the tree nodes :class:`All`, :class:`AnyOf`) are frozen,
slotted dataclasses, validated and normalised once, when built; they pickle cleanly (derived
fields travel with them). Each field that JSON has carries metadata naming it, so the JSON
layer (:mod:`slotcalc.jsonapi`) is driven by these classes: a new option is one field. Each
accepts the natural Python values (``date``, aware ``datetime``, ``time``, ``timedelta``
minutes, epoch-second ``int`` instants) and also the strings of SPEC §1 (``"2026-12-07"``,
``"2026-12-07T15:00:00Z"``, ``"09:30"``, ``"24:00"``), so the JSON layer is a thin shell.
Invalid input raises a :class:`~slotcalc.errors.SlotcalcError` whose ``path`` points at the
field, relative to the object (``/weekly/mon/0/1``).

"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from operator import add, attrgetter
from typing import Any, Literal, Union, cast
from zoneinfo import ZoneInfo

from ._tz import DAY, EPOCH, EPOCH_ORDINAL, load_zone, zone_name
from .access import MAX_CALENDARS
from .answers import Availability, CheckResult, Day, Notice, Slot  # re-exported (version 1)
from .errors import (
    DuplicateOverride,
    InvalidDate,
    InvalidDuration,
    InvalidInterval,
    InvalidRequest,
    InvalidTime,
    InvalidValue,
    NaiveDatetime,
    RangeTooLarge,
    SlotcalcError,
    pointer,
)

__all__ = [
    "MAX_CALENDARS",
    "WEEKDAYS",
    "All",
    "AnyOf",
    "Availability",
    "Busy",
    "BusyTable",
    "Calendar",
    "CheckResult",
    "Day",
    "EventPolicy",
    "Host",
    "Limits",
    "Node",
    "Notice",
    "Override",
    "Query",
    "Repeat",
    "Schedule",
    "Slot",
    "Team",
    "Travel",
]

_date = date  # for annotations inside classes that have a field called ``date``
WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Align = Literal["window", "clock", "free"]
TeamMode = Literal["all", "any"]

#: Largest number of minutes accepted for durations, steps, buffers and notice (366 days).
MAX_MINUTES = 366 * 24 * 60
#: Largest capacity, seats, max_per_day and limit.
MAX_COUNT = 1_000_000
#: Largest horizon in days.
MAX_HORIZON_DAYS = 3660
#: Instants and dates must lie in [MIN_YEAR, MAX_YEAR).
MIN_YEAR = 1800
MAX_YEAR = 2500
#: Most dates one override may cover.
MAX_OVERRIDE_DAYS = 3660
#: Longest query range.
MAX_RANGE_DAYS = 366
#: Most wall-time intervals one weekday or override may list (one a minute).
MAX_INTERVALS_PER_DAY = 1440
#: Largest ``repeat.count``, and the most days a repeat may reach past its first occurrence.
MAX_REPEAT_COUNT = 1000
MAX_REPEAT_DAYS = 3660

_WALL = re.compile(r"([0-9]{2}):([0-9]{2})(?::([0-9]{2}))?")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_INSTANT = re.compile(
    r"([0-9]{4}-[0-9]{2}-[0-9]{2})[Tt ]([0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,9})?)"
    r"([Zz]|[+\-][0-9]{2}:[0-9]{2})?"
)


# ---------------------------------------------------------------------------------------------
# Field readers: each returns the normalised value or raises with a path relative to the field.


def _type_name(value: object) -> str:
    """Return the JSON name of ``value``'s type (``string``, ``integer``, ``object``…)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, (list, tuple)):
        return "array"
    return type(value).__name__


def read_whole(value: object, what: str, code: type[SlotcalcError] = InvalidValue,
               path: str = "") -> int:
    """Return ``value`` as an int: an int, or a float with no fraction (see :func:`read_int`)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidRequest(f"{what} must be an integer, not {_type_name(value)}", path)
    if isinstance(value, float):
        if not value.is_integer():
            raise code(f"{what} must be a whole number, got {value}", path)
        return int(value)
    return value


def read_int(
    value: object,
    what: str,
    lo: int,
    hi: int,
    code: type[SlotcalcError] = InvalidValue,
    path: str = "",
) -> int:
    """Return ``value`` as an int in ``[lo, hi]``.

    A bool or a non-number is a wrong type (``InvalidRequest``). A float is a number, as JSON
    has only numbers: a whole one (``30.0``) is taken as the int, any other (``30.5``, NaN) is
    a bad value (``code``), like one out of range.
    """
    value = read_whole(value, what, code, path)
    if not lo <= value <= hi:
        raise code(f"{what} must be between {lo} and {hi}, got {value}", path)
    return value


def read_wall(value: object, *, end: bool, path: str = "") -> int:
    """Return a wall time as seconds after local midnight (86400 for an end of ``24:00``)."""
    if isinstance(value, time):
        if value.tzinfo is not None:
            raise InvalidTime("a wall time has no time zone of its own", path)
        if value.microsecond:
            raise InvalidTime("a wall time is whole seconds", path)
        return value.hour * 3600 + value.minute * 60 + value.second
    if not isinstance(value, str):
        raise InvalidRequest(f"a wall time must be a string 'HH:MM', not {_type_name(value)}", path)
    m = _WALL.fullmatch(value)
    if not m:
        raise InvalidTime(f"{value!r} is not a wall time 'HH:MM' or 'HH:MM:SS'", path)
    h, mi, s = int(m[1]), int(m[2]), int(m[3] or 0)
    if h == 24 and mi == 0 and s == 0:
        if not end:
            raise InvalidTime("24:00 may only end an interval", path)
        return DAY
    if h > 23 or mi > 59 or s > 59:
        raise InvalidTime(f"{value!r} is not a wall time between 00:00 and 24:00", path)
    return h * 3600 + mi * 60 + s


def read_wall_intervals(value: object, path: str = "") -> tuple[tuple[int, int], ...]:
    """Return ``[[start, end], …]`` as sorted, de-duplicated ``(start_s, end_s)`` pairs."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise InvalidRequest(
            f"intervals must be a list of [start, end] pairs, not {_type_name(value)}", path
        )
    if len(value) > MAX_INTERVALS_PER_DAY:
        raise InvalidValue(f"at most {MAX_INTERVALS_PER_DAY} intervals a day", path)
    out: set[tuple[int, int]] = set()
    for i, pair in enumerate(value):
        here = path + pointer(i)
        if isinstance(pair, (str, bytes)) or not isinstance(pair, Sequence) or len(pair) != 2:
            raise InvalidRequest("an interval must be a pair [start, end]", here)
        start = read_wall(pair[0], end=False, path=here + "/0")
        stop = read_wall(pair[1], end=True, path=here + "/1")
        if stop <= start:
            raise InvalidInterval(
                f"interval ends at or before it starts ({pair[0]}–{pair[1]})", here
            )
        out.add((start, stop))
    return tuple(sorted(out))


def _shown(value: str, limit: int = 60) -> str:
    """Return ``repr(value)`` cut to about ``limit`` characters (long inputs stay out of
    messages)."""
    text = repr(value) if len(value) <= limit else repr(value[:limit]) + "…"
    return text


def read_date(value: object, path: str = "") -> date:
    """Return a local date from a ``date`` or a ``YYYY-MM-DD`` string."""
    if isinstance(value, datetime):
        raise InvalidRequest("a local date is wanted here, not a datetime", path)
    if isinstance(value, date):
        d = value
    elif isinstance(value, str):
        if not _DATE.fullmatch(value):
            raise InvalidDate(f"{_shown(value)} is not a date YYYY-MM-DD", path)
        try:
            d = date.fromisoformat(value)
        except ValueError:
            raise InvalidDate(f"{_shown(value)} is not a calendar date", path) from None
    else:
        raise InvalidRequest(f"a date must be a string 'YYYY-MM-DD', not {_type_name(value)}", path)
    if not MIN_YEAR <= d.year < MAX_YEAR:
        raise InvalidValue(f"dates must lie in the years {MIN_YEAR}–{MAX_YEAR - 1}", path)
    return d


def read_instant(value: object, path: str = "") -> datetime:
    """Return an aware datetime from an aware ``datetime`` or an RFC 3339 string with offset."""
    if isinstance(value, str):
        n = len(value)
        if (
            ((n == 20 and value[19] == "Z") or (n == 25 and value[22] == ":" and value[19] in "+-"))
            and value[10] == "T"
            and value[4] == value[7] == "-"
            and value[13] == value[16] == ":"
        ):
            # the common shapes YYYY-MM-DDTHH:MM:SSZ and …SS±HH:MM, without the regex: with
            # every separator in place, fromisoformat accepts exactly the digits the regex would
            # (anything it refuses takes the full path below, which says what is wrong)
            try:
                moment = datetime.fromisoformat(value)
            except ValueError:
                pass
            else:
                if MIN_YEAR < moment.year < MAX_YEAR - 1:
                    return moment
                return _instant_years(moment, path)
        m = _INSTANT.fullmatch(value)
        if not m:
            if _DATE.fullmatch(value):
                raise InvalidTime(
                    f"{_shown(value)} is a date; an instant needs a time and an offset", path
                )
            raise InvalidTime(f"{_shown(value)} is not an RFC 3339 instant", path)
        if m[3] is None:
            raise NaiveDatetime(f"{_shown(value)} has no UTC offset ('Z' or '+HH:MM')", path)
        text = value
        if value[10] != "T" or "." in value or m[3] == "z":
            text = f"{m[1]}T{m[2]}{'+00:00' if m[3] in 'Zz' else m[3]}"
            frac = text.find(".")
            if frac != -1:  # fromisoformat wants at most 6 fraction digits
                stop = frac + 1
                while stop < len(text) and text[stop].isdigit():
                    stop += 1
                text = text[: frac + 1] + text[frac + 1 : stop][:6].ljust(6, "0") + text[stop:]
        try:
            moment = datetime.fromisoformat(text)  # also refuses offsets of 24 hours or more
        except ValueError:
            raise InvalidTime(f"{_shown(value)} is not a valid instant", path) from None
    elif isinstance(value, datetime):
        moment = value
        try:
            offset = None if moment.tzinfo is None else moment.utcoffset()
        except Exception as exc:  # a tzinfo that raises, or answers 30 hours
            raise InvalidTime(f"the datetime's tzinfo ({type(moment.tzinfo).__name__}) gives "
                              f"no valid UTC offset ({type(exc).__name__})", path) from None
        if offset is None:
            raise NaiveDatetime("a datetime without a UTC offset is not an instant", path)
    else:
        raise InvalidRequest(
            f"an instant must be an RFC 3339 string, not {_type_name(value)}", path
        )
    return _instant_years(moment, path)


def _instant_years(moment: datetime, path: str) -> datetime:
    """Return ``moment`` if it lies in the years MIN_YEAR..MAX_YEAR - 1 (locally and in UTC)."""
    year = moment.year
    if not MIN_YEAR < year < MAX_YEAR - 1 and (
        not MIN_YEAR <= year < MAX_YEAR or not MIN_YEAR <= moment.astimezone(UTC).year < MAX_YEAR
    ):
        raise InvalidValue(f"instants must lie in the years {MIN_YEAR}–{MAX_YEAR - 1}", path)
    return moment


def _read_zone(value: object) -> ZoneInfo:
    """Return the zone of a ``timezone`` field (errors point at ``/timezone``)."""
    try:
        return load_zone(value)
    except SlotcalcError as e:
        raise e.under("timezone") from None


def read_moment(value: object, path: str = "") -> date | datetime:
    """Return a query bound: a local ``date`` or an aware ``datetime``."""
    if isinstance(value, datetime):
        return read_instant(value, path)
    if isinstance(value, date):
        return read_date(value, path)
    if isinstance(value, str) and (_DATE.fullmatch(value) or _DATE_LIKE.fullmatch(value)):
        return read_date(value, path)  # 2026-1-1 is a date written wrong: invalid_date
    return read_instant(value, path)


# digits and dashes only (2026-1-1, 26-12-07): meant as a date, whatever is wrong with it
_DATE_LIKE = re.compile(r"[+-]?\d{1,8}-\d{1,4}-\d{1,4}")


def _set(obj: object, name: str, value: object) -> None:
    object.__setattr__(obj, name, value)


def _format_wall(seconds: int) -> str:
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h:02d}:{m:02d}" + (f":{s:02d}" if s else "")


WallIntervals = Sequence[tuple[str | time, str | time]] | Sequence[Sequence[str | time]]


def _json(name: str | None = None, *, item: type | None = None, obj: type | None = None,
          null: bool = False, required: bool = False, kind: str = "") -> dict[str, Any]:
    """Metadata of a field that the JSON layer reads: its name in JSON and how to read it.

    ``item``: the class of a list's items; ``obj``: the class of a nested object; ``null``:
    JSON ``null`` is allowed; ``required``: the field must be given; ``kind``: the JSON type
    for the schema (``string``, ``integer``, ``date``, ``instant``, ``wall``…).
    """
    return {"json": name, "item": item, "obj": obj, "null": null, "required": required,
            "kind": kind}


_DERIVED: dict[str, Any] = {"derived": True}


def _sequence(value: object, what: str, path: str) -> list[Any]:
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        raise InvalidRequest(f"{what} must be a list, not {_type_name(value)}", path)
    return list(value)


def _minutes(value: object, what: str, lo: int, path: str,
             code: type[SlotcalcError] = InvalidValue) -> int:
    """Return minutes from an int (or whole float) or a ``timedelta`` of whole minutes."""
    if isinstance(value, timedelta):
        secs = value.total_seconds()
        if secs % 60:
            raise code(f"{what} must be whole minutes, got {value}", path)
        value = int(secs // 60)
    return read_int(value, what, lo, MAX_MINUTES, code, path)


# ---------------------------------------------------------------------------------------------
# Inputs


@dataclass(frozen=True, slots=True, init=False)
class Override:
    """Hours that replace a weekday's hours on one local date or a range of dates.

    ``intervals`` are ``(start, end)`` wall-time pairs (``"HH:MM"`` strings or ``time``; an
    end may be ``"24:00"``); an empty list closes the day(s). ``until`` (inclusive) defaults to
    ``date``. Stored as seconds after midnight in ``intervals``.

    >>> Override("2026-12-24", [("09:00", "12:00")]).until
    datetime.date(2026, 12, 24)
    """

    date: _date = field(metadata=_json(required=True, kind="date"))
    until: _date = field(metadata=_json(kind="date"))
    intervals: tuple[tuple[int, int], ...] = field(metadata=_json(required=True,
                                                                  kind="intervals"))

    def __init__(
        self, date: _date | str, intervals: WallIntervals = (), until: _date | str | None = None
    ) -> None:
        first = read_date(date, "/date")
        last = first if until is None else read_date(until, "/until")
        if last < first:
            raise InvalidInterval("an override's 'until' is before its 'date'", "/until")
        if (last - first).days >= MAX_OVERRIDE_DAYS:
            raise InvalidValue(f"an override may cover at most {MAX_OVERRIDE_DAYS} days", "/until")
        _set(self, "date", first)
        _set(self, "until", last)
        _set(self, "intervals", read_wall_intervals(intervals, "/intervals"))

    def covers(self, day: _date) -> bool:
        """Return whether ``day`` is one of this override's dates."""
        return self.date <= day <= self.until


@dataclass(frozen=True, slots=True, init=False)
class Travel:
    """A stay in another zone: the hours of dates ``start`` … ``until`` are read in ``timezone``.

    ``until`` None: every later date. Only the reading of hours changes (SPEC §2 ``zones``).

    >>> Travel("2026-12-08", "2026-12-09", timezone="Europe/London").timezone
    'Europe/London'
    """

    start: _date = field(metadata=_json("from", required=True, kind="date"))
    until: _date | None = field(metadata=_json(kind="date"))
    timezone: str = field(metadata=_json(required=True, kind="timezone"))
    zone: ZoneInfo = field(
        init=False, compare=False, repr=False, metadata=_DERIVED)

    def __init__(self, start: _date | str, until: _date | str | None = None, *,
                 timezone: str | ZoneInfo) -> None:
        first = read_date(start, "/from")
        last = None if until is None else read_date(until, "/until")
        if last is not None and last < first:
            raise InvalidInterval("a travel entry's 'until' is before its 'from'", "/until")
        zone = _read_zone(timezone)
        _set(self, "start", first)
        _set(self, "until", last)
        _set(self, "timezone", zone_name(zone))
        _set(self, "zone", zone)


_NO_HOURS: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True, slots=True, init=False)
class Schedule:
    """One host's working hours in an IANA zone: weekly hours, dated overrides, travel.

    ``weekly`` maps ``"mon"`` … ``"sun"`` to ``(start, end)`` wall-time pairs; a missing day
    has no hours. Pairs may overlap or touch (they are merged once resolved to instants).
    ``overrides`` replace the hours of their dates; two covering one date are refused.
    ``zones`` (:class:`Travel`) read the hours of some dates in another zone. Stored:
    ``weekly`` as a 7-tuple (Monday first) of sorted ``(start_s, end_s)`` pairs in seconds
    after midnight; ``overrides`` and ``zones`` sorted by date.

    >>> s = Schedule("Europe/Madrid", {"mon": [("09:00", "13:00"), ("15:00", "18:00")]})
    >>> s.hours("mon")
    [('09:00', '13:00'), ('15:00', '18:00')]
    """

    timezone: str = field(metadata=_json(required=True, kind="timezone"))
    weekly: tuple[tuple[tuple[int, int], ...], ...] = field(metadata=_json(kind="weekly"))
    overrides: tuple[Override, ...] = field(metadata=_json(item=Override))
    zones: tuple[Travel, ...] = field(metadata=_json(item=Travel))
    zone: ZoneInfo = field(
        init=False, compare=False, repr=False, metadata=_DERIVED)
    _by_day: dict[int, tuple[tuple[int, int], ...]] = field(
        init=False, compare=False, repr=False, metadata=_DERIVED)

    def __init__(
        self,
        timezone: str | ZoneInfo,
        weekly: Mapping[str, WallIntervals] | None = None,
        overrides: Iterable[Override] = (),
        zones: Iterable[Travel] = (),
    ) -> None:
        zone = _read_zone(timezone)
        _set(self, "zone", zone)
        _set(self, "timezone", zone_name(zone))
        if weekly is None:
            weekly = {}
        if not isinstance(weekly, Mapping):
            raise InvalidRequest(
                f"weekly must map weekdays to intervals, not {_type_name(weekly)}", "/weekly"
            )
        days: list[tuple[tuple[int, int], ...]] = [()] * 7
        for key, value in weekly.items():
            if key not in WEEKDAYS:
                raise InvalidRequest(
                    f"unknown weekday {key!r} (use mon … sun)", pointer("weekly", str(key))
                )
            days[WEEKDAYS.index(key)] = read_wall_intervals(value, pointer("weekly", key))
        _set(self, "weekly", tuple(days))
        given = _sequence(overrides, "overrides", "/overrides")
        for i, o in enumerate(given):
            if not isinstance(o, Override):
                raise InvalidRequest(
                    f"overrides must be Override objects, not {_type_name(o)}",
                    pointer("overrides", i),
                )
        order = sorted(range(len(given)), key=lambda i: (given[i].date, i))
        for a, b in itertools.pairwise(order):
            if given[b].date <= given[a].until:
                later = max(a, b)
                raise DuplicateOverride(
                    f"overrides {min(a, b)} and {later} both cover {given[b].date.isoformat()}",
                    pointer("overrides", later),
                )
        _set(self, "overrides", tuple(given[i] for i in order))
        by_day: dict[int, tuple[tuple[int, int], ...]] = {}
        for o in self.overrides:
            first = o.date.toordinal() - EPOCH_ORDINAL
            for n in range(first, o.until.toordinal() - EPOCH_ORDINAL + 1):
                by_day[n] = o.intervals
        _set(self, "_by_day", by_day)
        trips = _sequence(zones, "zones", "/zones")
        for i, t in enumerate(trips):
            if not isinstance(t, Travel):
                raise InvalidRequest(
                    f"zones must be Travel objects, not {_type_name(t)}", pointer("zones", i)
                )
        order = sorted(range(len(trips)), key=lambda i: (trips[i].start, i))
        for a, b in itertools.pairwise(order):
            end = trips[a].until
            if end is None or trips[b].start <= end:
                later = max(a, b)
                raise DuplicateOverride(
                    f"travel entries {min(a, b)} and {later} both cover "
                    f"{trips[b].start.isoformat()}",
                    pointer("zones", later),
                )
        _set(self, "zones", tuple(trips[i] for i in order))

    def intervals_on(self, day: date) -> tuple[tuple[int, int], ...]:
        """Return the wall-time intervals (seconds after midnight) that apply on local ``day``."""
        return self.hours_on(day.toordinal() - EPOCH_ORDINAL)

    def hours_on(self, n: int) -> tuple[tuple[int, int], ...]:
        """Return the wall-time intervals of the local date ``n`` days after 1970-01-01."""
        got = self._by_day.get(n)
        return self.weekly[(n + 3) % 7] if got is None else got

    def zone_runs(self, first: int, last: int) -> list[tuple[ZoneInfo, int, int]]:
        """Return ``[(zone, a, b)]``: dates ``a..b`` (days since 1970) have hours in ``zone``."""
        if not self.zones:
            return [(self.zone, first, last)]
        out: list[tuple[ZoneInfo, int, int]] = []
        n = first
        for t in self.zones:
            a = t.start.toordinal() - EPOCH_ORDINAL
            b = last if t.until is None else t.until.toordinal() - EPOCH_ORDINAL
            if b < n or a > last:
                continue
            if a > n:
                out.append((self.zone, n, a - 1))
            out.append((t.zone, max(a, n), min(b, last)))
            n = min(b, last) + 1
        if n <= last:
            out.append((self.zone, n, last))
        return out

    def hours(self, weekday: str) -> list[tuple[str, str]]:
        """Return a weekday's hours as ``("HH:MM", "HH:MM")`` pairs."""
        return [(_format_wall(a), _format_wall(b)) for a, b in self.weekly[WEEKDAYS.index(weekday)]]


LIMIT_PERIODS: tuple[str, ...] = ("day", "week", "month", "year")


@dataclass(frozen=True, slots=True, init=False)
class Limits:
    """At most this many per ``day``, ``week``, ``month``, ``year`` (any subset; None: no limit).

    Used for ``booking_limits`` (bookings) and ``duration_limits`` (booked minutes).

    >>> Limits(week=3).items()
    (('week', 3),)
    """

    day: int | None = field(metadata=_json(null=True, kind="integer"))
    week: int | None = field(metadata=_json(null=True, kind="integer"))
    month: int | None = field(metadata=_json(null=True, kind="integer"))
    year: int | None = field(metadata=_json(null=True, kind="integer"))

    def __init__(self, day: int | None = None, week: int | None = None,
                 month: int | None = None, year: int | None = None) -> None:
        for name, value in zip(LIMIT_PERIODS, (day, week, month, year), strict=True):
            got = None if value is None else read_int(value, name, 1, MAX_COUNT, path="/" + name)
            _set(self, name, got)

    def items(self) -> tuple[tuple[str, int], ...]:
        """Return the limits that are set, as ``(period, n)`` pairs, shortest period first."""
        out = ((k, getattr(self, k)) for k in LIMIT_PERIODS)
        return tuple((k, v) for k, v in out if v is not None)


@dataclass(frozen=True, slots=True, init=False)
class Repeat:
    """A booking that recurs: ``count`` occurrences, ``interval_days`` local dates apart.

    >>> Repeat(7, 4).count
    4
    """

    interval_days: int = field(metadata=_json(required=True, kind="integer"))
    count: int = field(metadata=_json(required=True, kind="integer"))

    def __init__(self, interval_days: int, count: int) -> None:
        _set(self, "interval_days",
             read_int(interval_days, "interval_days", 1, MAX_REPEAT_DAYS, path="/interval_days"))
        _set(self, "count", read_int(count, "count", 2, MAX_REPEAT_COUNT, path="/count"))
        if (self.count - 1) * self.interval_days > MAX_REPEAT_DAYS:
            raise InvalidValue(
                f"a repeat may reach at most {MAX_REPEAT_DAYS} days past its first occurrence",
                "/count")


def _limits(value: object, path: str) -> Limits:
    if isinstance(value, Limits):
        return value
    if isinstance(value, Mapping):
        for key in value:
            if key not in LIMIT_PERIODS:
                raise InvalidRequest(
                    f"unknown limit period {key!r} (use day, week, month, year)",
                    path + pointer(str(key)))
        try:
            return Limits(**value)
        except SlotcalcError as e:
            e.path = path + e.path
            raise
    raise InvalidRequest(f"limits must be a Limits or a mapping, not {_type_name(value)}", path)


def _weekday(value: object, what: str, path: str) -> int:
    if not isinstance(value, str):
        raise InvalidRequest(f"{what} must be a weekday string, not {_type_name(value)}", path)
    if value not in WEEKDAYS:
        raise InvalidValue(f"{what} must be one of mon … sun, not {value!r}", path)
    return WEEKDAYS.index(value)


@dataclass(frozen=True, slots=True, init=False)
class EventPolicy:
    """What is being booked and the rules around it (SPEC §2, all times in minutes).

    ``step`` defaults to ``duration``. ``align`` is ``"window"`` (grid from each merged
    window's start), ``"clock"`` (wall times that are whole multiples of ``step`` after local
    midnight) or ``"free"`` (grid restarts at every free stretch). Minutes may also be given as
    ``timedelta``.

    >>> EventPolicy(30, step=15, buffer_after=10).step
    15
    """

    duration: int = field(metadata=_json(required=True, kind="integer"))
    step: int = field(metadata=_json(kind="integer"))
    align: Align = field(metadata=_json(kind="align"))
    buffer_before: int = field(metadata=_json(kind="integer"))
    buffer_after: int = field(metadata=_json(kind="integer"))
    min_notice: int = field(metadata=_json(kind="integer"))
    horizon_days: int | None = field(metadata=_json(null=True, kind="integer"))
    horizon_business_days: int | None = field(metadata=_json(null=True, kind="integer"))
    business_days: tuple[str, ...] = field(metadata=_json(kind="weekdays"))
    horizon_bookable_days: int | None = field(metadata=_json(null=True, kind="integer"))
    bookable_from: _date | None = field(metadata=_json(null=True, kind="date"))
    bookable_until: _date | None = field(metadata=_json(null=True, kind="date"))
    capacity: int = field(metadata=_json(kind="integer"))
    booking_limits: Limits = field(metadata=_json(obj=Limits))
    duration_limits: Limits = field(metadata=_json(obj=Limits))
    max_per_day: int | None = field(metadata=_json(null=True, kind="integer"))
    week_start: str = field(metadata=_json(kind="weekday"))
    repeat: Repeat | None = field(metadata=_json(obj=Repeat, null=True))

    def __init__(
        self,
        duration: int | timedelta,
        *,
        step: int | timedelta | None = None,
        align: Align = "window",
        buffer_before: int | timedelta = 0,
        buffer_after: int | timedelta = 0,
        min_notice: int | timedelta = 0,
        horizon_days: int | None = None,
        horizon_business_days: int | None = None,
        business_days: Iterable[str] = ("mon", "tue", "wed", "thu", "fri"),
        horizon_bookable_days: int | None = None,
        bookable_from: _date | str | None = None,
        bookable_until: _date | str | None = None,
        capacity: int = 1,
        booking_limits: Limits | Mapping[str, int] | None = None,
        duration_limits: Limits | Mapping[str, int] | None = None,
        max_per_day: int | None = None,
        week_start: str = "mon",
        repeat: Repeat | Mapping[str, int] | None = None,
    ) -> None:
        _set(self, "duration", _minutes(duration, "duration", 1, "/duration", InvalidDuration))
        _set(self, "step", self.duration if step is None
             else _minutes(step, "step", 1, "/step", InvalidDuration))
        if align not in ("window", "clock", "free"):
            raise InvalidValue(
                f"align must be 'window', 'clock' or 'free', not {align!r}", "/align"
            )
        _set(self, "align", align)
        for name, value in (("buffer_before", buffer_before), ("buffer_after", buffer_after),
                            ("min_notice", min_notice)):
            _set(self, name, _minutes(value, name, 0, "/" + name))
        for name, days_ in (("horizon_days", horizon_days),
                            ("horizon_business_days", horizon_business_days),
                            ("horizon_bookable_days", horizon_bookable_days)):
            _set(self, name, None if days_ is None
                 else read_int(days_, name, 1, MAX_HORIZON_DAYS, path="/" + name))
        days = _sequence(business_days, "business_days", "/business_days")
        if not days:
            raise InvalidValue("business_days may not be empty", "/business_days")
        picked = {_weekday(d, "a business day", pointer("business_days", i))
                  for i, d in enumerate(days)}
        _set(self, "business_days", tuple(WEEKDAYS[i] for i in sorted(picked)))
        first = None if bookable_from is None else read_date(bookable_from, "/bookable_from")
        last = None if bookable_until is None else read_date(bookable_until, "/bookable_until")
        if first is not None and last is not None and last < first:
            raise InvalidInterval("bookable_until is before bookable_from", "/bookable_until")
        _set(self, "bookable_from", first)
        _set(self, "bookable_until", last)
        _set(self, "capacity", read_int(capacity, "capacity", 1, MAX_COUNT, path="/capacity"))
        limits = Limits() if booking_limits is None else _limits(booking_limits,
                                                                 "/booking_limits")
        per_day = None if max_per_day is None else read_int(
            max_per_day, "max_per_day", 1, MAX_COUNT, path="/max_per_day")
        if per_day is not None and limits.day is not None:
            raise InvalidRequest("max_per_day is booking_limits.day: give one of them",
                                 "/max_per_day")
        _set(self, "booking_limits", limits)
        _set(self, "max_per_day", per_day)
        _set(self, "duration_limits", Limits() if duration_limits is None
             else _limits(duration_limits, "/duration_limits"))
        _weekday(week_start, "week_start", "/week_start")
        _set(self, "week_start", week_start)
        if repeat is not None and not isinstance(repeat, Repeat):
            if not isinstance(repeat, Mapping):
                raise InvalidRequest(f"repeat must be a Repeat, not {_type_name(repeat)}",
                                     "/repeat")
            try:
                repeat = Repeat(**repeat)
            except SlotcalcError as e:
                e.path = "/repeat" + e.path
                raise
            except TypeError:
                raise InvalidRequest("repeat takes interval_days and count", "/repeat") from None
        _set(self, "repeat", repeat)

    def day_limit(self) -> int | None:
        """Return the bookings allowed per day: ``booking_limits.day`` or ``max_per_day``."""
        return self.booking_limits.day if self.max_per_day is None else self.max_per_day


@dataclass(frozen=True, slots=True, init=False)
class Busy:
    """Busy time ``[start, end)``: blocking, or, with ``seats``, a booking using that many seats.

    ``buffer_before``/``buffer_after`` (minutes) are the entry's own breaks: its span is
    ``[start − buffer_before, end + buffer_after)``. ``id`` lets a query leave the entry out
    (``Query(exclude=…)``), as when moving a booking. ``start_s``/``end_s`` are the epoch
    seconds the engine uses (start floored, end ceiled); ``row`` is the entry's row of a
    :class:`BusyTable` (seats 0 for none, buffers in seconds), made once when built.

    >>> Busy("2026-12-07T15:00:00Z", "2026-12-07T17:00:00+01:00").end_s - Busy(
    ...     "2026-12-07T15:00:00Z", "2026-12-07T16:00:00Z").start_s
    3600
    """

    start: datetime = field(metadata=_json(required=True, kind="instant"))
    end: datetime = field(metadata=_json(required=True, kind="instant"))
    seats: int | None = field(metadata=_json(kind="integer"))
    id: str | None = field(metadata=_json(kind="string"))
    buffer_before: int = field(metadata=_json(kind="integer"))
    buffer_after: int = field(metadata=_json(kind="integer"))
    start_s: int = field(
        init=False, compare=False, repr=False, metadata=_DERIVED)
    end_s: int = field(
        init=False, compare=False, repr=False, metadata=_DERIVED)
    row: tuple[int, int, int, int, int, str | None] = field(
        init=False, compare=False, repr=False, metadata=_DERIVED)

    def __init__(
        self,
        start: datetime | str | int,
        end: datetime | str | int,
        *,
        seats: int | None = None,
        id: str | None = None,
        buffer_before: int | timedelta = 0,
        buffer_after: int | timedelta = 0,
    ) -> None:
        a = read_instant(_from_epoch(start), "/start")
        b = read_instant(_from_epoch(end), "/end")
        ds = a - EPOCH
        de = b - EPOCH
        if de <= ds:  # instants, not wall readings (``b <= a`` ignores fold in one zone)
            raise InvalidInterval("busy time must end after it starts", "/end")
        if seats is not None:
            seats = read_int(seats, "seats", 1, MAX_COUNT, path="/seats")
        if id is not None and not isinstance(id, str):
            raise InvalidRequest(f"id must be a string, not {_type_name(id)}", "/id")
        setter = object.__setattr__
        setter(self, "start", a)
        setter(self, "end", b)
        setter(self, "seats", seats)
        setter(self, "id", id)
        setter(self, "buffer_before", 0 if buffer_before == 0 else _minutes(
            buffer_before, "buffer_before", 0, "/buffer_before"))
        setter(self, "buffer_after", 0 if buffer_after == 0 else _minutes(
            buffer_after, "buffer_after", 0, "/buffer_after"))
        setter(self, "start_s", ds.days * DAY + ds.seconds)  # floored to a whole second
        setter(self, "end_s", de.days * DAY + de.seconds + (1 if de.microseconds else 0))
        setter(self, "row", (self.start_s, self.end_s, seats or 0, 60 * self.buffer_before,
                             60 * self.buffer_after, id))

    @property
    def span(self) -> tuple[int, int]:
        """Return ``[start − buffer_before, end + buffer_after)`` in epoch seconds."""
        return self.start_s - 60 * self.buffer_before, self.end_s + 60 * self.buffer_after


#: Epoch seconds of the first and last instants accepted (years MIN_YEAR … MAX_YEAR − 1).
_MIN_EPOCH = (date(MIN_YEAR, 1, 1).toordinal() - EPOCH_ORDINAL) * DAY
_MAX_EPOCH = (date(MAX_YEAR, 1, 1).toordinal() - EPOCH_ORDINAL) * DAY
_DAYS_IN = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def instant_seconds(text: str) -> int | None:
    """Return the epoch seconds of ``YYYY-MM-DDTHH:MM:SSZ`` or ``…SS±HH:MM``, or None.

    Integer arithmetic only (no datetime): the date, clock and offset parts are each read
    once and kept in small bounded caches (a busy list repeats them). None for any other
    shape or a value out of range, which :func:`read_instant` then reads and explains.
    Cost: O(1).
    """
    n = len(text)
    if n == 20:
        tail = "Z" if text[19] == "Z" else ""
    elif n == 25:
        tail = text[19:]
    else:
        return None
    if text[10] != "T":
        return None
    days = _DATES.get(text[:10])
    if days is None:
        days = _read_days(text[:10])
        if days is None:
            return None
    clock = _CLOCKS.get(text[11:19])
    if clock is None:
        clock = _read_clock(text[11:19])
        if clock is None:
            return None
    off = _OFFSETS.get(tail)
    if off is None:
        off = _read_offset(tail)
        if off is None:
            return None
    t = days * DAY + clock - off
    if not _MIN_EPOCH + 2 * DAY <= t < _MAX_EPOCH - 2 * DAY:
        return None  # near the ends of the accepted years: read_instant says what is wrong
    return t


def instants_seconds(texts: Sequence[str]) -> list[int] | None:
    """Return :func:`instant_seconds` of every text, or None unless every one reads.

    The same shapes and answers, read column-wise when the texts share one shape (all
    ``…Z`` or all ``…±HH:MM``): the texts are joined by spaces, and when the spaces (counted)
    and the letters T are where that shape puts them (strided slices), one C-level ``split``
    cuts the column into its dates and its clocks with their offsets. Each distinct
    part is read once into a bounded cache (a busy list repeats them) whose dates stay days
    away from the ends of the accepted years, so no text needs a range check; the rest is
    C-level lookups and additions, several times faster than one text at a time. Any other
    column (mixed shapes, a part the caches do not take) is read one by one. None as soon as
    any text does not read: the caller then explains the first bad one.
    Cost: O(n + P) for P distinct parts.
    """
    n = len(texts)
    if not n:
        return []
    try:
        joined = " ".join(texts)
    except TypeError:
        return None
    width = len(texts[0])
    # the n − 1 spaces are the joiners exactly when they are all there is and each lies where
    # texts of `width` put it: then every text is `width` long, with a T at 10
    if (width in (20, 25) and len(joined) == (width + 1) * n - 1
            and joined.count(" ") == n - 1 and joined[width::width + 1] == " " * (n - 1)
            and joined[10::width + 1] == "T" * n):
        parts = joined.replace(" ", "T").split("T")
        if len(parts) == 2 * n:  # no text has another T
            try:
                return list(map(add, map(_COLUMN_DAYS.__getitem__, parts[0::2]),
                                map(_LOCAL_CLOCK_SECONDS.__getitem__, parts[1::2])))
            except _Unreadable:
                pass  # a bad part, or a date near the ends of the accepted years
    return _one_by_one(texts)


def _one_by_one(texts: Sequence[str]) -> list[int] | None:
    out = [instant_seconds(t) if type(t) is str else None for t in texts]
    return None if None in out else cast(list[int], out)


class _Unreadable(Exception):
    """A date, clock or offset part that does not read."""


class _PartCache(dict[str, int]):
    """A bounded cache of one part's seconds: a missing key is read by ``read`` (or raises
    :class:`_Unreadable`), so a C-level ``map`` of ``__getitem__`` reads each part once."""

    def __init__(self, read: Callable[[str], int | None], scale: int = 1) -> None:
        super().__init__()
        self.read, self.scale = read, scale

    def __missing__(self, key: str) -> int:
        got = self.read(key)
        if got is None:
            raise _Unreadable(key)
        if len(self) >= _CACHE_MAX:
            self.clear()
        self[key] = got * self.scale
        return got * self.scale


_DATES: dict[str, int] = {}
_CLOCKS: dict[str, int] = {}
_OFFSETS: dict[str, int] = {"Z": 0}
_CACHE_MAX = 4096


def _remember(cache: dict[str, int], key: str, value: int) -> int:
    if len(cache) >= _CACHE_MAX:
        cache.clear()
    cache[key] = value
    return value


def _read_days(text: str) -> int | None:
    """Return ``YYYY-MM-DD`` as days since 1970 (H. Hinnant's days-from-civil), or None."""
    if not (text.isascii() and text[4] == "-" and text[7] == "-" and text[:4].isdigit()
            and text[5:7].isdigit() and text[8:].isdigit()):
        return None
    y, m, d = int(text[:4]), int(text[5:7]), int(text[8:])
    leap = y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)
    if not 1 <= m <= 12 or not 1 <= d <= (29 if m == 2 and leap else _DAYS_IN[m]):
        return None
    yy = y - (m <= 2)
    era = yy // 400
    yoe = yy - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    return _remember(_DATES, text, era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy
                     - 719468)


def _read_clock(text: str) -> int | None:
    """Return ``HH:MM:SS`` as seconds after midnight, or None."""
    if not (text.isascii() and text[2] == ":" and text[5] == ":" and text[:2].isdigit()
            and text[3:5].isdigit() and text[6:].isdigit()):
        return None
    h, m, sec = int(text[:2]), int(text[3:5]), int(text[6:])
    if h > 23 or m > 59 or sec > 59:
        return None
    return _remember(_CLOCKS, text, h * 3600 + m * 60 + sec)


def _read_offset(text: str) -> int | None:
    """Return ``±HH:MM`` as seconds east of UTC, or None."""
    if not (len(text) == 6 and text.isascii() and text[0] in "+-" and text[3] == ":"
            and text[1:3].isdigit() and text[4:].isdigit()):
        return None
    h, m = int(text[1:3]), int(text[4:])
    if h > 23 or m > 59:
        return None
    off = h * 3600 + m * 60
    return _remember(_OFFSETS, text, -off if text[0] == "-" else off)


def _read_column_day(text: str) -> int | None:
    """Return ``YYYY-MM-DD`` as days since 1970, or None, also for a date in the first three
    or the last four days of the accepted years: any clock and offset on the dates read keeps
    an instant in range (:func:`instant_seconds` reads the others one by one)."""
    days = _read_days(text) if len(text) == 10 else None
    if days is None or not _MIN_EPOCH + 3 * DAY <= days * DAY < _MAX_EPOCH - 4 * DAY:
        return None
    return days


def _read_local_clock(text: str) -> int | None:
    """Return ``HH:MM:SSZ`` or ``HH:MM:SS±HH:MM`` as the clock's seconds after midnight less
    the offset, or None."""
    if len(text) not in (9, 14):
        return None
    clock, tail = _read_clock(text[:8]), text[8:]
    off = _OFFSETS[tail] if tail in _OFFSETS else _read_offset(tail)
    return None if clock is None or off is None else clock - off


_COLUMN_DAYS = _PartCache(_read_column_day, DAY)
_LOCAL_CLOCK_SECONDS = _PartCache(_read_local_clock)


@dataclass(frozen=True, slots=True, init=False)
class BusyTable:
    """Busy time as columns of integers: what the engine reads, built without a datetime.

    One row per entry: ``start``/``end`` epoch seconds (start floored, end ceiled),
    ``seats`` (0 for a blocking entry), the entry's own ``before``/``after`` buffers in seconds
    and its ``ids`` (None for none). Built from :class:`Busy` entries
    (:meth:`from_busy`), from JSON by the JSON layer, or from columns directly (the batch
    API). Iterating yields :class:`Busy` objects.

    >>> t = BusyTable([1796634000], [1796637600])
    >>> len(t), t.blocking()
    (1, [(1796634000, 1796637600)])
    """

    start: tuple[int, ...]
    end: tuple[int, ...]
    seats: tuple[int, ...]
    before: tuple[int, ...]
    after: tuple[int, ...]
    ids: tuple[str | None, ...]

    def __init__(self, start: Iterable[int], end: Iterable[int],
                 seats: Iterable[int] | None = None, before: Iterable[int] | None = None,
                 after: Iterable[int] | None = None, ids: Iterable[str | None] | None = None
                 ) -> None:
        a, b = tuple(start), tuple(end)
        n = len(a)
        cols = {"start": a, "end": b,
                "seats": (0,) * n if seats is None else tuple(seats),
                "before": (0,) * n if before is None else tuple(before),
                "after": (0,) * n if after is None else tuple(after),
                "ids": (None,) * n if ids is None else tuple(ids)}
        for name, col in cols.items():
            if len(col) != n:
                raise InvalidRequest(f"busy column {name!r} has {len(col)} rows, not {n}",
                                     "/" + name)
        for i in range(n):
            x, y = a[i], b[i]
            for name in ("start", "end", "seats", "before", "after"):
                v = cols[name][i]
                if type(v) is not int:
                    raise InvalidRequest(f"busy {name} values are integers", pointer(name, i))
            if not _MIN_EPOCH <= x < y <= _MAX_EPOCH:
                raise InvalidInterval("busy time must end after it starts, in the years "
                                      f"{MIN_YEAR}–{MAX_YEAR - 1}", pointer("end", i))
            k, x0, x1 = (cast(int, cols[c][i]) for c in ("seats", "before", "after"))
            if not (0 <= k <= MAX_COUNT and 0 <= x0 <= MAX_MINUTES * 60
                    and 0 <= x1 <= MAX_MINUTES * 60):
                raise InvalidValue("seats and buffers must be ≥ 0 and in range", pointer(
                    "seats", i))
            ident = cols["ids"][i]
            if ident is not None and not isinstance(ident, str):
                raise InvalidRequest("busy ids are strings", pointer("ids", i))
        for name, col in cols.items():
            _set(self, name, col)

    @classmethod
    def from_busy(cls, entries: Iterable[Busy]) -> BusyTable:
        """Return the table of ``entries`` (each a :class:`Busy`). Cost: O(n)."""
        rows = _busy_tuple(entries, "/busy")
        if not rows:
            return cls._of([], [], [], [], [], [])
        return cls._of(*zip(*map(_ROW, rows), strict=True))

    @classmethod
    def _of(cls, start: Sequence[int], end: Sequence[int], seats: Sequence[int],
            before: Sequence[int], after: Sequence[int], ids: Sequence[str | None]
            ) -> BusyTable:
        """Return a table of columns already checked (the JSON layer's and from_busy's)."""
        obj = object.__new__(cls)
        for name, col in (("start", start), ("end", end), ("seats", seats), ("before", before),
                          ("after", after), ("ids", ids)):
            _set(obj, name, col if type(col) is tuple else tuple(col))
        return obj

    def __len__(self) -> int:
        return len(self.start)

    def __iter__(self) -> Iterator[Busy]:
        for i in range(len(self.start)):
            yield Busy(self.start[i], self.end[i], seats=self.seats[i] or None, id=self.ids[i],
                       buffer_before=self.before[i] // 60, buffer_after=self.after[i] // 60)

    def __add__(self, other: BusyTable) -> BusyTable:
        return BusyTable._of(*(list(getattr(self, f)) + list(getattr(other, f))
                               for f in ("start", "end", "seats", "before", "after", "ids")))

    def blocking(self) -> list[tuple[int, int]]:
        """Return the blocking rows' spans ``[start − before, end + after)``."""
        if not any(self.seats) and not any(self.before) and not any(self.after):
            return list(zip(self.start, self.end, strict=True))
        return [(a - x, b + y) for a, b, k, x, y in zip(self.start, self.end, self.seats,
                                                         self.before, self.after, strict=True)
                if not k]


def _from_epoch(value: object) -> object:
    """Return an epoch-seconds int as an aware UTC datetime (other values unchanged)."""
    if isinstance(value, int) and not isinstance(value, bool):
        if not (MIN_YEAR - 1970) * 365 * DAY < value < (MAX_YEAR - 1 - 1970) * 365 * DAY:
            raise InvalidValue("epoch seconds outside the years 1800–2499")
        return EPOCH + timedelta(seconds=value)
    return value


Output = Literal["slots", "periods"]


@dataclass(frozen=True, slots=True, init=False)
class Query:
    """Which slots to list: a range, the zone to show them in, ``now``, exclusions, a limit.

    ``start``/``end`` are two local dates (inclusive, in ``timezone``) or two aware instants
    (half-open); both None for a check. ``timezone`` defaults to the schedule's (the first
    host's for a team). ``now`` defaults to the moment the engine runs. ``output`` is
    ``"slots"`` or ``"periods"``.

    >>> Query("2026-12-07", "2026-12-11", timezone="UTC").end
    datetime.date(2026, 12, 11)
    """

    start: date | datetime | None = field(metadata=_json(kind="moment"))
    end: date | datetime | None = field(metadata=_json(kind="moment"))
    timezone: str | None = field(metadata=_json(kind="timezone"))
    now: datetime | None = field(metadata=_json(kind="instant"))
    exclude: frozenset[str] = field(metadata=_json(kind="strings"))
    limit: int | None = field(metadata=_json(null=True, kind="integer"))
    output: Output = field(metadata=_json(kind="output"))
    zone: ZoneInfo | None = field(
        init=False, compare=False, repr=False, metadata=_DERIVED)

    def __init__(
        self,
        start: date | datetime | str | None = None,
        end: date | datetime | str | None = None,
        *,
        timezone: str | ZoneInfo | None = None,
        now: datetime | str | int | None = None,
        exclude: Iterable[str] = (),
        limit: int | None = None,
        output: Output = "slots",
    ) -> None:
        if (start is None) != (end is None):
            raise InvalidRequest("give both start and end, or neither (a check needs none)",
                                 "/end" if end is None else "/start")
        a = None if start is None else read_moment(start, "/start")
        b = None if end is None else read_moment(end, "/end")
        if a is not None and b is not None:
            if isinstance(a, datetime) != isinstance(b, datetime):
                raise InvalidRequest("start and end must both be dates or both be instants",
                                     "/end")
            if isinstance(a, datetime) and isinstance(b, datetime):
                span = (b - EPOCH) - (a - EPOCH)  # instants, not wall readings (fold-aware)
                if span <= timedelta(0):
                    raise InvalidInterval("the query must end after it starts", "/end")
                if span > timedelta(days=MAX_RANGE_DAYS):
                    raise RangeTooLarge(f"the range may span at most {MAX_RANGE_DAYS} days",
                                        "/end")
            else:
                if b < a:
                    raise InvalidInterval("the query's end date is before its start date",
                                          "/end")
                if (b - a).days + 1 > MAX_RANGE_DAYS:
                    raise RangeTooLarge(f"the range may span at most {MAX_RANGE_DAYS} days",
                                        "/end")
        _set(self, "start", a)
        _set(self, "end", b)
        if timezone is None:
            _set(self, "zone", None)
            _set(self, "timezone", None)
        else:
            zone = _read_zone(timezone)
            _set(self, "zone", zone)
            _set(self, "timezone", zone_name(zone))
        _set(self, "now", None if now is None else read_instant(_from_epoch(now), "/now"))
        ids = _sequence(exclude, "exclude", "/exclude")
        for i, x in enumerate(ids):
            if not isinstance(x, str):
                raise InvalidRequest(
                    f"exclude holds busy ids (strings), not {_type_name(x)}", pointer("exclude", i)
                )
        _set(self, "exclude", frozenset(ids))
        _set(
            self,
            "limit",
            None if limit is None else read_int(limit, "limit", 1, MAX_COUNT, path="/limit"),
        )
        if output not in ("slots", "periods"):
            raise InvalidValue(f"output must be 'slots' or 'periods', not {output!r}", "/output")
        _set(self, "output", output)

    @property
    def by_dates(self) -> bool:
        """Whether the range is given as local dates (else as instants)."""
        return self.start is not None and not isinstance(self.start, datetime)


@dataclass(frozen=True, slots=True, init=False)
class Calendar:
    """Where busy time comes from in iCalendar: one of ``path``, ``url`` or inline ``ics``.

    Reading a file or fetching a URL happens only in the explicit step the caller controls
    (:func:`slotcalc.read_calendars`), never while computing.

    >>> Calendar(ics="BEGIN:VCALENDAR\\r\\nEND:VCALENDAR\\r\\n").kind
    'ics'
    """

    path: str | None = field(metadata=_json(kind="string"))
    url: str | None = field(metadata=_json(kind="string"))
    ics: str | None = field(metadata=_json(kind="string"))

    def __init__(self, *, path: str | None = None, url: str | None = None,
                 ics: str | None = None) -> None:
        given = [(k, v) for k, v in (("path", path), ("url", url), ("ics", ics)) if v is not None]
        if len(given) != 1:
            raise InvalidRequest('a calendar is one of {"path": …}, {"url": …} or {"ics": …}')
        kind, value = given[0]
        if not isinstance(value, str):
            raise InvalidRequest(f"a calendar's {kind!r} must be a string, not "
                                 f"{_type_name(value)}", "/" + kind)
        if not value:
            raise InvalidValue(f"a calendar's {kind!r} may not be empty", "/" + kind)
        _set(self, "path", path)
        _set(self, "url", url)
        _set(self, "ics", ics)

    @property
    def kind(self) -> Literal["path", "url", "ics"]:
        """Which of ``path``, ``url`` and ``ics`` is given."""
        return "path" if self.path is not None else "url" if self.url is not None else "ics"

    @property
    def value(self) -> str:
        """The path, URL or calendar text."""
        got = self.path or self.url or self.ics
        assert got is not None
        return got


@dataclass(frozen=True, slots=True, init=False)
class Host:
    """One member of a team: an id, a schedule, busy time and calendars (SPEC §7)."""

    id: str = field(metadata=_json(required=True, kind="string"))
    schedule: Schedule = field(metadata=_json(obj=Schedule, required=True))
    busy: BusyTable = field(metadata=_json(item=Busy))
    calendars: tuple[Calendar, ...] = field(metadata=_json(item=Calendar))

    def __init__(self, id: str, schedule: Schedule, busy: Iterable[Busy] | BusyTable = (),
                 calendars: Iterable[Calendar] = ()) -> None:
        if not isinstance(id, str):
            raise InvalidRequest(f"a host id must be a string, not {_type_name(id)}", "/id")
        if not id:
            raise InvalidValue("a host id may not be empty", "/id")
        if not isinstance(schedule, Schedule):
            raise InvalidRequest("schedule must be a Schedule", "/schedule")
        _set(self, "id", id)
        _set(self, "schedule", schedule)
        _set(self, "busy", busy if isinstance(busy, BusyTable) else BusyTable.from_busy(busy))
        cals = tuple(_sequence(calendars, "calendars", "/calendars"))
        for i, c in enumerate(cals):
            if not isinstance(c, Calendar):
                raise InvalidRequest(f"calendars must be Calendar objects, not {_type_name(c)}",
                                     pointer("calendars", i))
        if len(cals) > MAX_CALENDARS:
            raise InvalidValue(f"at most {MAX_CALENDARS} calendars", "/calendars")
        _set(self, "calendars", cals)


@dataclass(frozen=True, slots=True, init=False)
class All:
    """A requirement-tree node: every child must be satisfied (SPEC §7 ``{"all": […]}``).

    Children are host ids or nodes. ``All(["ana", "bo", AnyOf(["r1", "r2", "r3"])])``.
    """

    children: tuple[Node, ...]

    def __init__(self, children: Iterable[Node]) -> None:
        _set(self, "children", _children(children, "/all"))


@dataclass(frozen=True, slots=True, init=False)
class AnyOf:
    """A requirement-tree node: at least ``min`` children must be satisfied (``{"any": […]}``)."""

    children: tuple[Node, ...]
    min: int

    def __init__(self, children: Iterable[Node], min: int = 1) -> None:
        kids = _children(children, "/any")
        _set(self, "children", kids)
        need = read_int(min, "min", 1, MAX_COUNT, path="/min")
        if need > len(kids):
            raise InvalidValue(f"min is {need} but the node has {len(kids)} children", "/min")
        _set(self, "min", need)


Node = Union[str, All, AnyOf]  # noqa: UP007 (a forward-referenced alias)


def _children(value: object, path: str) -> tuple[Node, ...]:
    kids = tuple(_sequence(value, "a node's children", path))
    if not kids:
        raise InvalidValue("a node needs at least one child", path)
    for i, k in enumerate(kids):
        if not isinstance(k, (str, All, AnyOf)):
            raise InvalidRequest(
                f"a tree node is a host id, All or AnyOf, not {_type_name(k)}", pointer(
                    path.strip("/"), i))
    return kids


GridRule = Literal["team", "host"]


@dataclass(frozen=True, slots=True, init=False)
class Team:
    """Who of a team must be free (SPEC §7): ``mode`` ``"all"``/``"any"`` (with ``min``), or a
    requirement tree ``require`` of host ids, :class:`All` and :class:`AnyOf` nodes; and the
    grid rule: ``"team"`` (the default) or ``"host"`` (each host's own grid, version 1).

    >>> Team(require=All(["ana", AnyOf(["r1", "r2"])])).grid
    'team'
    """

    mode: TeamMode | None = field(metadata=_json(kind="mode"))
    min: int = field(metadata=_json(kind="integer"))
    require: Node | None = field(metadata=_json(kind="node"))
    grid: GridRule = field(metadata=_json(kind="grid"))

    def __init__(self, mode: TeamMode | None = None, min: int | None = None, *,
                 require: Node | None = None, grid: GridRule = "team") -> None:
        if require is not None and mode is not None:
            raise InvalidRequest("give 'mode' or 'require', not both", "/mode")
        if mode is not None and mode not in ("all", "any"):
            raise InvalidValue(f"team mode must be 'all' or 'any', not {mode!r}", "/mode")
        if min is not None:
            read_int(min, "min", 1, MAX_COUNT, path="/min")
            if mode != "any":
                raise InvalidValue("'min' goes with mode 'any' ('all' needs every host)", "/min")
        if require is not None and not isinstance(require, (str, All, AnyOf)):
            raise InvalidRequest("require must be a host id, All or AnyOf", "/require")
        if grid not in ("team", "host"):
            raise InvalidValue(f"grid must be 'team' or 'host', not {grid!r}", "/grid")
        _set(self, "mode", "all" if mode is None and require is None else mode)
        _set(self, "min", 1 if min is None else min)
        _set(self, "require", require)
        _set(self, "grid", grid)

    def tree(self, ids: Sequence[str]) -> Node:
        """Return the requirement tree over the hosts ``ids`` (``mode`` expanded).

        Raises InvalidRequest for an id that names no host, a host missing from the tree or in
        it twice; InvalidValue for a ``min`` above the number of hosts.
        """
        if self.require is None:
            if self.mode == "any":
                need = self.min
                if need > len(ids):
                    raise InvalidValue(f"min is {need} but the team has {len(ids)} hosts",
                                       "/min")
                return AnyOf(list(ids), min=need)
            return All(list(ids))
        seen: list[str] = []
        _leaves(self.require, seen)
        known = set(ids)
        for x in seen:
            if x not in known:
                raise InvalidRequest(f"the tree names {x!r}, which is no host's id", "/require")
        if len(set(seen)) != len(seen):
            twice = next(x for x in seen if seen.count(x) > 1)
            raise InvalidRequest(f"host {twice!r} appears twice in the tree", "/require")
        missing = [x for x in ids if x not in set(seen)]
        if missing:
            raise InvalidRequest(f"host {missing[0]!r} is missing from the tree", "/require")
        return self.require


def _leaves(node: Node, out: list[str]) -> None:
    if isinstance(node, str):
        out.append(node)
    else:
        for k in node.children:
            _leaves(k, out)


_ROW = attrgetter("row")


def _busy_tuple(busy: Iterable[Busy], path: str) -> tuple[Busy, ...]:
    out = tuple(_sequence(busy, "busy", path))
    if set(map(type, out)) <= {Busy}:
        return out
    for i, b in enumerate(out):
        if not isinstance(b, Busy):
            raise InvalidRequest(
                f"busy entries must be Busy objects, not {_type_name(b)}", path + pointer(i)
            )
    return out
