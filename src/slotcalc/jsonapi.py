"""The JSON layer: SPEC §2 request documents in, SPEC §4 answer documents out.

:func:`answer_request` and :func:`check_request` take a request as loaded from JSON (dicts,
lists, strings, numbers, ``None``) and return the answer document, or, for bad input, the error
document of SPEC §5 — they never raise for bad input. :func:`parse_request` is the raising
variant for Python users: it returns a validated :class:`Request` whose :meth:`Request.answer`
and :meth:`Request.check` raise :class:`~slotcalc.errors.SlotcalcError`.

Every field is checked: unknown fields at every level, wrong types (a ``bool`` is not an
integer, ``null`` only where SPEC §2 allows it), missing required fields, and everything the
value objects of :mod:`slotcalc.model` check themselves (their errors carry paths relative to
themselves; this layer puts the request's part in front). The path of an error is the JSON
Pointer of the offending field; for a missing field, the pointer where it should be.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal, NamedTuple, TypeVar

from ._tz import DAY, to_epoch, wall_to_epoch
from .errors import InvalidRequest, InvalidValue, SlotcalcError, pointer
from .model import (
    Busy,
    EventPolicy,
    Host,
    Notice,
    Override,
    Query,
    Schedule,
    Team,
    read_instant,
)

__all__ = [
    "CalendarSource",
    "HostRequest",
    "Request",
    "answer_request",
    "check_request",
    "parse_request",
]

T = TypeVar("T")
Document = dict[str, Any]

#: Days searched after the range for ``next_available`` (SPEC §4).
SEARCH_DAYS = 366
#: Extra days of calendar read before the range with ``align: "free"``, whose grid depends on
#: where the free stretch that reaches into the range began.
FREE_LOOKBACK_DAYS = 1

_TOP_FIELDS = ("schedule", "busy", "calendars", "hosts", "team", "event", "query")
_SCHEDULE_FIELDS = ("timezone", "weekly", "overrides")
_OVERRIDE_FIELDS = ("date", "until", "intervals")
_EVENT_FIELDS = ("duration", "step", "align", "buffer_before", "buffer_after", "min_notice",
                 "horizon_days", "capacity", "max_per_day")
_EVENT_NULLABLE = frozenset({"horizon_days", "max_per_day"})
_QUERY_FIELDS = ("timezone", "start", "end", "now", "exclude", "limit")
_BUSY_FIELDS = ("start", "end", "seats", "id")
_CALENDAR_KINDS = ("path", "url", "ics")
_HOST_FIELDS = ("id", "schedule", "busy", "calendars")
_TEAM_FIELDS = ("mode", "min")


# ---------------------------------------------------------------------------------------------
# Shapes


class CalendarSource(NamedTuple):
    """One entry of a ``calendars`` list: where to read busy time from, and its JSON Pointer."""

    kind: Literal["path", "url", "ics"]
    value: str
    path: str


class HostRequest(NamedTuple):
    """One host of a request: its id (``None`` for a single schedule), hours, busy, calendars.

    ``path`` is the JSON Pointer of the host (``""`` for a single schedule, ``/hosts/1``).
    """

    id: str | None
    schedule: Schedule
    busy: tuple[Busy, ...]
    calendars: tuple[CalendarSource, ...]
    path: str


def _type_name(value: object) -> str:
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


def _at(err: SlotcalcError, path: str) -> SlotcalcError:
    """Return ``err`` with ``path`` (a JSON Pointer) put in front of its own path."""
    err.path = path + err.path
    return err


def _build(path: str, make: Callable[[], T]) -> T:
    """Return ``make()``; a SlotcalcError it raises gets ``path`` in front of its path."""
    try:
        return make()
    except SlotcalcError as e:
        raise _at(e, path) from None


def _object(value: object, path: str, what: str, allowed: Sequence[str],
            required: Sequence[str] = ()) -> Mapping[str, object]:
    """Return ``value`` if it is an object with only ``allowed`` keys and every ``required`` key.

    Unknown keys are reported first (a misspelt field is then named, not reported missing).
    """
    if not isinstance(value, Mapping):
        raise InvalidRequest(f"{what} must be an object, not {_type_name(value)}", path)
    for key in value:
        if not isinstance(key, str):
            raise InvalidRequest(f"{what} has a key that is not a string: {key!r}", path)
        if key not in allowed:
            near = difflib.get_close_matches(key, allowed, n=1)
            hint = f"; did you mean {near[0]!r}?" if near else f" (known: {', '.join(allowed)})"
            raise InvalidRequest(f"unknown field {key!r} in {what}{hint}", path + pointer(key))
    for key in required:
        if key not in value:
            raise InvalidRequest(f"{what} needs the field {key!r}", path + pointer(key))
    return value


def _not_null(obj: Mapping[str, object], key: str, path: str, what: str) -> object:
    """Return ``obj[key]``; ``null`` is refused (the field may be left out instead)."""
    value = obj[key]
    if value is None:
        raise InvalidRequest(f"{what} may not be null (leave the field out for its default)",
                             path + pointer(key))
    return value


def _array(value: object, path: str, what: str) -> Sequence[object]:
    """Return ``value`` if it is a JSON array (a list or tuple)."""
    if not isinstance(value, (list, tuple)):
        raise InvalidRequest(f"{what} must be an array, not {_type_name(value)}", path)
    return value


def _string(value: object, path: str, what: str) -> str:
    if not isinstance(value, str):
        raise InvalidRequest(f"{what} must be a string, not {_type_name(value)}", path)
    return value


def _integer(value: object, path: str, what: str) -> int:
    """Return ``value`` if it is an integer (a boolean or a float like 30.0 is not)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidRequest(f"{what} must be an integer, not {_type_name(value)}", path)
    return value


# ---------------------------------------------------------------------------------------------
# Readers: each returns a value object or raises with the request's JSON Pointer.


def _intervals(value: object, path: str) -> list[list[object]]:
    """Return ``[[start, end], …]`` checked for shape (the model reads the times)."""
    pairs = _array(value, path, "intervals")
    out: list[list[object]] = []
    for i, pair in enumerate(pairs):
        here = path + pointer(i)
        items = _array(pair, here, "an interval")
        if len(items) != 2:
            raise InvalidRequest(f"an interval is a pair [start, end], not {len(items)} values",
                                 here)
        out.append(list(items))
    return out


def _override(value: object, path: str) -> Override:
    o = _object(value, path, "an override", _OVERRIDE_FIELDS, ("date", "intervals"))
    day = _not_null(o, "date", path, "date")
    until = _not_null(o, "until", path, "until") if "until" in o else None
    intervals = _intervals(o["intervals"], path + "/intervals")
    return _build(path, lambda: Override(day, intervals, until))  # type: ignore[arg-type]


def _schedule(value: object, path: str) -> Schedule:
    o = _object(value, path, "a schedule", _SCHEDULE_FIELDS, ("timezone",))
    zone = _string(o["timezone"], path + "/timezone", "timezone")
    weekly: dict[str, list[list[object]]] = {}
    if "weekly" in o:
        days = _object(o["weekly"], path + "/weekly", "weekly",
                       ("mon", "tue", "wed", "thu", "fri", "sat", "sun"))
        for key, hours in days.items():
            weekly[key] = _intervals(hours, path + pointer("weekly", key))
    overrides: list[Override] = []
    if "overrides" in o:
        items = _array(o["overrides"], path + "/overrides", "overrides")
        overrides = [_override(x, path + pointer("overrides", i)) for i, x in enumerate(items)]
    return _build(path, lambda: Schedule(zone, weekly, overrides))  # type: ignore[arg-type]


def _busy(value: object, path: str) -> tuple[Busy, ...]:
    items = _array(value, path, "busy")
    out: list[Busy] = []
    for i, item in enumerate(items):
        here = path + pointer(i)
        o = _object(item, here, "a busy entry", _BUSY_FIELDS, ("start", "end"))
        seats = None
        if "seats" in o:
            seats = _integer(_not_null(o, "seats", here, "seats"), here + "/seats", "seats")
        ident = None
        if "id" in o:
            ident = _string(_not_null(o, "id", here, "id"), here + "/id", "id")
        start, end = o["start"], o["end"]
        out.append(_build(here, lambda: Busy(start, end, seats=seats, id=ident)))  # type: ignore[arg-type]
    return tuple(out)


def _calendars(value: object, path: str) -> tuple[CalendarSource, ...]:
    items = _array(value, path, "calendars")
    out: list[CalendarSource] = []
    for i, item in enumerate(items):
        here = path + pointer(i)
        o = _object(item, here, "a calendar", _CALENDAR_KINDS)
        if len(o) != 1:
            raise InvalidRequest("a calendar is one of {\"path\": …}, {\"url\": …} or {\"ics\": …}",
                                 here)
        kind = next(iter(o))
        text = _string(o[kind], here + pointer(kind), kind)
        if not text:
            raise InvalidValue(f"a calendar's {kind!r} may not be empty", here + pointer(kind))
        out.append(CalendarSource(kind, text, here))  # type: ignore[arg-type]
    return tuple(out)


def _event(value: object, path: str) -> EventPolicy:
    o = _object(value, path, "event", _EVENT_FIELDS, ("duration",))
    args: dict[str, object] = {}
    for key, v in o.items():
        here = path + pointer(key)
        if v is None and key in _EVENT_NULLABLE:
            continue
        v = _not_null(o, key, path, key)
        if key == "align":
            args[key] = _string(v, here, "align")
        else:
            args[key] = _integer(v, here, key)
    duration = args.pop("duration")
    return _build(path, lambda: EventPolicy(duration, **args))  # type: ignore[arg-type]


def _query(value: object, path: str) -> Query:
    o = _object(value, path, "query", _QUERY_FIELDS, ("start", "end"))
    args: dict[str, object] = {}
    for key in o:
        if key == "limit" and o[key] is None:
            continue
        v = _not_null(o, key, path, key)
        here = path + pointer(key)
        if key == "timezone":
            args[key] = _string(v, here, "timezone")
        elif key == "exclude":
            ids = _array(v, here, "exclude")
            for i, x in enumerate(ids):
                _string(x, here + pointer(i), "an excluded busy id")
            args[key] = list(ids)
        elif key == "limit":
            args[key] = _integer(v, here, "limit")
        else:
            args[key] = v
    start, end = args.pop("start"), args.pop("end")
    return _build(path, lambda: Query(start, end, **args))  # type: ignore[arg-type]


def _hosts(value: object, path: str) -> tuple[HostRequest, ...]:
    items = _array(value, path, "hosts")
    if not items:
        raise InvalidValue("hosts may not be empty (a team has at least one host)", path)
    out: list[HostRequest] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(items):
        here = path + pointer(i)
        o = _object(item, here, "a host", _HOST_FIELDS, ("id", "schedule"))
        ident = _string(o["id"], here + "/id", "a host id")
        if ident in seen:
            raise InvalidValue(f"host id {ident!r} is also the id of host {seen[ident]}",
                               here + "/id")
        seen[ident] = i
        schedule = _schedule(o["schedule"], here + "/schedule")
        busy = _busy(o["busy"], here + "/busy") if "busy" in o else ()
        cals = _calendars(o["calendars"], here + "/calendars") if "calendars" in o else ()
        _build(here, lambda: Host(ident, schedule, busy))  # checks the id is not empty
        out.append(HostRequest(ident, schedule, busy, cals, here))
    return tuple(out)


def _team(value: object, path: str, size: int) -> Team:
    o = _object(value, path, "team", _TEAM_FIELDS)
    mode = _string(_not_null(o, "mode", path, "mode"), path + "/mode", "mode") if "mode" in o else "all"
    least = None
    if "min" in o:
        least = _integer(_not_null(o, "min", path, "min"), path + "/min", "min")
    team = _build(path, lambda: Team(mode, least))  # type: ignore[arg-type]
    if team.min > size:
        raise InvalidValue(f"min is {team.min} but the team has {size} host"
                           f"{'' if size == 1 else 's'}", path + "/min")
    return team
