"""Public value objects: what goes into the engine and what comes out.

Inputs (:class:`Schedule`, :class:`Override`, :class:`EventPolicy`, :class:`Busy`,
:class:`Query`, :class:`Host`, :class:`Team`) are frozen, slotted classes validated and
normalised once, when built. Each accepts the natural Python values (``date``, aware
``datetime``, ``time``) and also the strings of SPEC §1 (``"2026-12-07"``,
``"2026-12-07T15:00:00Z"``, ``"09:30"``, ``"24:00"``), so the JSON layer is a thin shell.
Invalid input raises a :class:`~slotcalc.errors.SlotcalcError` whose ``path`` points at the
field, relative to the object (``/weekly/mon/0/1``).

Outputs (:class:`Slot`, :class:`Day`, :class:`Availability`, :class:`CheckResult`,
:class:`Notice`) are typed named tuples: immutable, cheap to build in bulk.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal, NamedTuple
from zoneinfo import ZoneInfo

from ._tz import DAY, EPOCH, load_zone, zone_name
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
    "WEEKDAYS",
    "Availability",
    "Busy",
    "CheckResult",
    "Day",
    "EventPolicy",
    "Host",
    "Notice",
    "Override",
    "Query",
    "Schedule",
    "Slot",
    "Team",
]

_date = date  # for annotations inside classes that have a field called ``date``
WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Align = Literal["window", "clock", "free"]
Reason = Literal["too_soon", "too_far", "outside_hours", "off_grid", "busy", "full", "day_full"]
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


def read_date(value: object, path: str = "") -> date:
    """Return a local date from a ``date`` or a ``YYYY-MM-DD`` string."""
    if isinstance(value, datetime):
        raise InvalidRequest("a local date is wanted here, not a datetime", path)
    if isinstance(value, date):
        d = value
    elif isinstance(value, str):
        if not _DATE.fullmatch(value):
            raise InvalidDate(f"{value!r} is not a date YYYY-MM-DD", path)
        try:
            d = date.fromisoformat(value)
        except ValueError:
            raise InvalidDate(f"{value!r} is not a calendar date", path) from None
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
                    f"{value!r} is a date; an instant needs a time and an offset", path
                )
            raise InvalidTime(f"{value!r} is not an RFC 3339 instant", path)
        if m[3] is None:
            raise NaiveDatetime(f"{value!r} has no UTC offset ('Z' or '+HH:MM')", path)
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
            raise InvalidTime(f"{value!r} is not a valid instant", path) from None
    elif isinstance(value, datetime):
        moment = value
        if moment.tzinfo is None or moment.utcoffset() is None:
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
    if isinstance(value, str) and _DATE.fullmatch(value):
        return read_date(value, path)
    return read_instant(value, path)


def _set(obj: object, name: str, value: object) -> None:
    object.__setattr__(obj, name, value)


class _Frozen:
    """Base of the input value objects: immutable, compared and hashed by their fields."""

    __slots__ = ()
    _fields: tuple[str, ...] = ()

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def _key(self) -> tuple[Any, ...]:
        return tuple(getattr(self, f) for f in self._fields)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return bool(self._key() == other._key())

    def __hash__(self) -> int:
        return hash((type(self).__name__, self._key()))

    def __repr__(self) -> str:
        inner = ", ".join(f"{f}={getattr(self, f)!r}" for f in self._fields)
        return f"{type(self).__name__}({inner})"

    def __reduce__(self) -> tuple[Any, ...]:
        # every slot, not only the public fields: the derived ones (``zone``, ``start_s``,
        # ``_by_date`` …) are what the engine reads, so an unpickled object must carry them
        names = [n for cls in type(self).__mro__ for n in getattr(cls, "__slots__", ())]
        return (_rebuild, (type(self), {n: getattr(self, n) for n in names}))


def _rebuild(cls: type[_Frozen], fields: dict[str, Any]) -> _Frozen:
    obj = object.__new__(cls)
    for k, v in fields.items():
        _set(obj, k, v)
    return obj


def _format_wall(seconds: int) -> str:
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h:02d}:{m:02d}" + (f":{s:02d}" if s else "")


WallIntervals = Sequence[tuple[str | time, str | time]] | Sequence[Sequence[str | time]]


# ---------------------------------------------------------------------------------------------
# Inputs


class Override(_Frozen):
    """Hours that replace a weekday's hours on one local date or a range of dates.

    ``intervals`` are ``(start, end)`` wall-time pairs (``"HH:MM"`` strings or ``time``; an
    end may be ``"24:00"``); an empty list closes the day(s). ``until`` (inclusive) defaults to
    ``date``. Stored as seconds after midnight in ``intervals``.

    >>> Override("2026-12-24", [("09:00", "12:00")]).until
    datetime.date(2026, 12, 24)
    """

    __slots__ = ("date", "intervals", "until")
    _fields = ("date", "until", "intervals")
    date: _date
    until: _date
    intervals: tuple[tuple[int, int], ...]

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


class Schedule(_Frozen):
    """One host's working hours in an IANA zone: weekly hours plus dated overrides.

    ``weekly`` maps ``"mon"`` … ``"sun"`` to ``(start, end)`` wall-time pairs; a missing day
    has no hours. Pairs may overlap or touch (they are merged once resolved to instants).
    ``overrides`` replace the hours of their dates; two covering one date are refused.
    Stored: ``weekly`` as a 7-tuple (Monday first) of sorted ``(start_s, end_s)`` pairs in
    seconds after midnight; ``overrides`` sorted by date.

    >>> s = Schedule("Europe/Madrid", {"mon": [("09:00", "13:00"), ("15:00", "18:00")]})
    >>> s.hours("mon")
    [('09:00', '13:00'), ('15:00', '18:00')]
    """

    __slots__ = ("_by_date", "overrides", "timezone", "weekly", "zone")
    _fields = ("timezone", "weekly", "overrides")
    timezone: str
    zone: ZoneInfo
    weekly: tuple[tuple[tuple[int, int], ...], ...]
    overrides: tuple[Override, ...]
    _by_date: dict[date, tuple[tuple[int, int], ...]]

    def __init__(
        self,
        timezone: str | ZoneInfo,
        weekly: Mapping[str, WallIntervals] | None = None,
        overrides: Iterable[Override] = (),
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
        if isinstance(overrides, (str, bytes, Mapping)) or not isinstance(overrides, Iterable):
            raise InvalidRequest("overrides must be a list", "/overrides")
        given = list(overrides)
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
        ordered = tuple(given[i] for i in order)
        _set(self, "overrides", ordered)
        by_date: dict[date, tuple[tuple[int, int], ...]] = {}
        for o in ordered:
            d = o.date
            while d <= o.until:
                by_date[d] = o.intervals
                d += timedelta(days=1)
        _set(self, "_by_date", by_date)

    def intervals_on(self, day: date) -> tuple[tuple[int, int], ...]:
        """Return the wall-time intervals (seconds after midnight) that apply on local ``day``."""
        got = self._by_date.get(day)
        return self.weekly[day.weekday()] if got is None else got

    def hours(self, weekday: str) -> list[tuple[str, str]]:
        """Return a weekday's hours as ``("HH:MM", "HH:MM")`` pairs."""
        return [(_format_wall(a), _format_wall(b)) for a, b in self.weekly[WEEKDAYS.index(weekday)]]


class EventPolicy(_Frozen):
    """What is being booked and the rules around it (SPEC §2, all times in minutes).

    ``step`` defaults to ``duration``. ``align`` is ``"window"`` (grid from each merged
    window's start), ``"clock"`` (wall times that are whole multiples of ``step`` after local
    midnight) or ``"free"`` (grid restarts at every free stretch).

    >>> EventPolicy(30, step=15, buffer_after=10).step
    15
    """

    __slots__ = (
        "align",
        "buffer_after",
        "buffer_before",
        "capacity",
        "duration",
        "horizon_days",
        "max_per_day",
        "min_notice",
        "step",
    )
    _fields = (
        "duration",
        "step",
        "align",
        "buffer_before",
        "buffer_after",
        "min_notice",
        "horizon_days",
        "capacity",
        "max_per_day",
    )
    duration: int
    step: int
    align: Align
    buffer_before: int
    buffer_after: int
    min_notice: int
    horizon_days: int | None
    capacity: int
    max_per_day: int | None

    def __init__(
        self,
        duration: int,
        *,
        step: int | None = None,
        align: Align = "window",
        buffer_before: int = 0,
        buffer_after: int = 0,
        min_notice: int = 0,
        horizon_days: int | None = None,
        capacity: int = 1,
        max_per_day: int | None = None,
    ) -> None:
        _set(
            self,
            "duration",
            read_int(duration, "duration", 1, MAX_MINUTES, InvalidDuration, "/duration"),
        )
        _set(
            self,
            "step",
            self.duration if step is None else read_int(step, "step", 1, MAX_MINUTES, path="/step"),
        )
        if align not in ("window", "clock", "free"):
            raise InvalidValue(
                f"align must be 'window', 'clock' or 'free', not {align!r}", "/align"
            )
        _set(self, "align", align)
        _set(
            self,
            "buffer_before",
            read_int(buffer_before, "buffer_before", 0, MAX_MINUTES, path="/buffer_before"),
        )
        _set(
            self,
            "buffer_after",
            read_int(buffer_after, "buffer_after", 0, MAX_MINUTES, path="/buffer_after"),
        )
        _set(
            self,
            "min_notice",
            read_int(min_notice, "min_notice", 0, MAX_MINUTES, path="/min_notice"),
        )
        _set(
            self,
            "horizon_days",
            None
            if horizon_days is None
            else read_int(horizon_days, "horizon_days", 1, MAX_HORIZON_DAYS, path="/horizon_days"),
        )
        _set(self, "capacity", read_int(capacity, "capacity", 1, MAX_COUNT, path="/capacity"))
        _set(
            self,
            "max_per_day",
            None
            if max_per_day is None
            else read_int(max_per_day, "max_per_day", 1, MAX_COUNT, path="/max_per_day"),
        )


class Busy(_Frozen):
    """Busy time ``[start, end)``: blocking, or, with ``seats``, a booking using that many seats.

    ``id`` lets a query leave the entry out (``Query(exclude=…)``), as when moving a booking.
    ``start_s``/``end_s`` are the epoch seconds the engine uses (start floored, end ceiled).

    >>> Busy("2026-12-07T15:00:00Z", "2026-12-07T16:00:00+01:00").end_s - Busy(
    ...     "2026-12-07T15:00:00Z", "2026-12-07T16:00:00Z").start_s
    0
    """

    __slots__ = ("end", "end_s", "id", "seats", "start", "start_s")
    _fields = ("start", "end", "seats", "id")
    start: datetime
    end: datetime
    seats: int | None
    id: str | None
    start_s: int
    end_s: int

    def __init__(
        self,
        start: datetime | str,
        end: datetime | str,
        *,
        seats: int | None = None,
        id: str | None = None,
    ) -> None:
        # Hot when reading thousands of busy entries: the setter and the epoch arithmetic of
        # to_epoch / to_epoch_ceil are inlined (same results).
        a = read_instant(start, "/start")
        b = read_instant(end, "/end")
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
        setter(self, "start_s", ds.days * DAY + ds.seconds)  # floored to a whole second
        # widened outward to whole seconds
        setter(self, "end_s", de.days * DAY + de.seconds + (1 if de.microseconds else 0))


class Query(_Frozen):
    """Which slots to list: a range, the zone to show them in, ``now``, exclusions, a limit.

    ``start``/``end`` are two local dates (inclusive, in ``timezone``) or two aware instants
    (half-open). ``timezone`` defaults to the schedule's (the first host's for a team). ``now``
    defaults to the moment the engine runs.

    >>> Query("2026-12-07", "2026-12-11", timezone="UTC").end
    datetime.date(2026, 12, 11)
    """

    __slots__ = ("end", "exclude", "limit", "now", "start", "timezone", "zone")
    _fields = ("start", "end", "timezone", "now", "exclude", "limit")
    start: date | datetime
    end: date | datetime
    timezone: str | None
    zone: ZoneInfo | None
    now: datetime | None
    exclude: frozenset[str]
    limit: int | None

    def __init__(
        self,
        start: date | datetime | str,
        end: date | datetime | str,
        *,
        timezone: str | ZoneInfo | None = None,
        now: datetime | str | None = None,
        exclude: Iterable[str] = (),
        limit: int | None = None,
    ) -> None:
        a = read_moment(start, "/start")
        b = read_moment(end, "/end")
        if isinstance(a, datetime) != isinstance(b, datetime):
            raise InvalidRequest("start and end must both be dates or both be instants", "/end")
        if isinstance(a, datetime) and isinstance(b, datetime):
            span = (b - EPOCH) - (a - EPOCH)  # instants, not wall readings (fold-aware)
            if span <= timedelta(0):
                raise InvalidInterval("the query must end after it starts", "/end")
            if span > timedelta(days=MAX_RANGE_DAYS):
                raise RangeTooLarge(f"the range may span at most {MAX_RANGE_DAYS} days", "/end")
        else:
            if b < a:
                raise InvalidInterval("the query's end date is before its start date", "/end")
            if (b - a).days + 1 > MAX_RANGE_DAYS:
                raise RangeTooLarge(f"the range may span at most {MAX_RANGE_DAYS} days", "/end")
        _set(self, "start", a)
        _set(self, "end", b)
        if timezone is None:
            _set(self, "zone", None)
            _set(self, "timezone", None)
        else:
            zone = _read_zone(timezone)
            _set(self, "zone", zone)
            _set(self, "timezone", zone_name(zone))
        _set(self, "now", None if now is None else read_instant(now, "/now"))
        if isinstance(exclude, (str, bytes, Mapping)) or not isinstance(exclude, Iterable):
            raise InvalidRequest("exclude must be a list of busy ids", "/exclude")
        ids = list(exclude)
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

    @property
    def by_dates(self) -> bool:
        """Whether the range is given as local dates (else as instants)."""
        return not isinstance(self.start, datetime)


class Host(_Frozen):
    """One member of a team: an id, a schedule and busy time (SPEC §7)."""

    __slots__ = ("busy", "id", "schedule")
    _fields = ("id", "schedule", "busy")
    id: str
    schedule: Schedule
    busy: tuple[Busy, ...]

    def __init__(self, id: str, schedule: Schedule, busy: Iterable[Busy] = ()) -> None:
        if not isinstance(id, str):
            raise InvalidRequest(f"a host id must be a string, not {_type_name(id)}", "/id")
        if not id:
            raise InvalidValue("a host id may not be empty", "/id")
        if not isinstance(schedule, Schedule):
            raise InvalidRequest("schedule must be a Schedule", "/schedule")
        _set(self, "id", id)
        _set(self, "schedule", schedule)
        _set(self, "busy", _busy_tuple(busy, "/busy"))


class Team(_Frozen):
    """How a team's hosts combine: ``"all"`` free, or ``"any"`` with at least ``min`` free."""

    __slots__ = ("min", "mode")
    _fields = ("mode", "min")
    mode: TeamMode
    min: int

    def __init__(self, mode: TeamMode = "all", min: int | None = None) -> None:
        if mode not in ("all", "any"):
            raise InvalidValue(f"team mode must be 'all' or 'any', not {mode!r}", "/mode")
        _set(self, "mode", mode)
        if min is not None:
            read_int(min, "min", 1, MAX_COUNT, path="/min")
            if mode == "all":
                raise InvalidValue("'min' goes with mode 'any' ('all' needs every host)", "/min")
        _set(self, "min", 1 if min is None else min)


def _busy_tuple(busy: Iterable[Busy], path: str) -> tuple[Busy, ...]:
    if isinstance(busy, (str, bytes, Mapping)) or not isinstance(busy, Iterable):
        raise InvalidRequest("busy must be a list of Busy entries", path)
    out = tuple(busy)
    for i, b in enumerate(out):
        if not isinstance(b, Busy):
            raise InvalidRequest(
                f"busy entries must be Busy objects, not {_type_name(b)}", path + pointer(i)
            )
    return out


# ---------------------------------------------------------------------------------------------
# Outputs


class Notice(NamedTuple):
    """A warning in an answer: something that was skipped, with a code and where it was."""

    code: str
    message: str
    path: str = ""


class Slot(NamedTuple):
    """A bookable start: ``[start, end)`` in the query zone, seats ``remaining``, free ``hosts``.

    ``hosts`` is ``None`` for a single schedule, the free host ids in request order for a team.
    """

    start: datetime
    end: datetime
    remaining: int
    hosts: tuple[str, ...] | None = None


class Day(NamedTuple):
    """The slots that start on one local date of the query zone."""

    date: date
    slots: tuple[Slot, ...]


class Availability(NamedTuple):
    """The answer of SPEC §4: days with slots, ``next_available`` when there are none."""

    timezone: str
    days: tuple[Day, ...]
    next_available: datetime | None
    warnings: tuple[Notice, ...] = ()

    @property
    def slots(self) -> list[Slot]:
        """Every slot of every day, in order."""
        return [s for d in self.days for s in d.slots]


class CheckResult(NamedTuple):
    """Whether one start is bookable, why not, and the first slot start after it."""

    bookable: bool
    reason: Reason | None
    remaining: int
    next_available: datetime | None
    hosts: tuple[str, ...] | None = None
    warnings: tuple[Notice, ...] = ()
