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

import dataclasses
import difflib
import importlib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from itertools import repeat
from operator import contains, itemgetter, lt
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, TypeVar

from . import api
from ._engine.host import SEARCH_DAYS
from ._tz import DAY, to_epoch
from .access import CalendarAccess
from .answers import Notice
from .errors import (
    CalendarFetchFailed,
    CalendarUnreadable,
    InvalidDuration,
    InvalidRequest,
    InvalidValue,
    SlotcalcError,
    pointer,
)
from .model import (
    MAX_CALENDARS,
    MAX_COUNT,
    MAX_MINUTES,
    WEEKDAYS,
    All,
    AnyOf,
    Busy,
    BusyTable,
    Calendar,
    EventPolicy,
    Host,
    Node,
    Query,
    Schedule,
    Team,
    _type_name,
    instant_seconds,
    instants_seconds,
    read_instant,
    read_whole,
)

if TYPE_CHECKING:  # the iCalendar adapter is optional: imported only for requests with calendars
    from .ical import CalendarBusy

__all__ = [
    "CalendarSource",
    "HostRequest",
    "Request",
    "answer_request",
    "check_request",
    "load",
    "load_ical",
    "parse_request",
    "read_calendars",
    "request_schema",
]

Document = dict[str, Any]
T = TypeVar("T")
_NO_BUSY = BusyTable._of([], [], [], [], [], [])
_BUSY_KEYS = frozenset(("start", "end", "seats", "id", "buffer_before", "buffer_after"))

#: Extra days of calendar read before the range with ``align: "free"``, whose grid depends on
#: where the free stretch that reaches into the range began.
FREE_LOOKBACK_DAYS = 1

_TOP_FIELDS = ("schedule", "busy", "calendars", "hosts", "team", "event", "query")


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
    busy: BusyTable
    calendars: tuple[CalendarSource, ...]
    path: str


def _at(err: SlotcalcError, path: str) -> SlotcalcError:
    """Return ``err`` with ``path`` (a JSON Pointer) put in front of its own path."""
    err.path = path + err.path
    return err


@contextmanager
def _under(path: str) -> Iterator[None]:
    """Put ``path`` in front of the path of a SlotcalcError raised inside the block."""
    try:
        yield
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
    """Return ``value`` as an int (a whole number; ``30.0`` is 30), as the model reads it."""
    return read_whole(value, what, InvalidDuration if what == "duration" else InvalidValue, path)


# ---------------------------------------------------------------------------------------------
# Readers, driven by the value objects' fields: each JSON object is one class of
# :mod:`slotcalc.model`, each of its keys one field (the field's metadata names the key and says
# how to read its value); errors carry the request's JSON Pointer.


def _fields(cls: type) -> dict[str, dataclasses.Field[Any]]:
    """Return the JSON keys of ``cls`` and their fields, in declaration order."""
    got = _FIELD_CACHE.get(cls)
    if got is None:
        got = _FIELD_CACHE[cls] = {
            (f.metadata.get("json") or f.name): f
            for f in dataclasses.fields(cls) if not f.metadata.get("derived")
        }
    return got


_FIELD_CACHE: dict[type, dict[str, dataclasses.Field[Any]]] = {}
_WHAT = {"Override": "an override", "Travel": "a travel entry", "Schedule": "a schedule",
         "Limits": "limits", "Repeat": "repeat", "EventPolicy": "event", "Busy": "a busy entry",
         "Query": "query", "Calendar": "a calendar", "Host": "a host", "Team": "team"}


def load(cls: type[T], value: object, path: str) -> T:
    """Return the ``cls`` object of the JSON ``value`` (at ``path``), read field by field.

    Unknown keys, missing required keys, ``null`` where the field does not allow it and wrong
    JSON types are reported here; the class checks the values. Cost: O(size of ``value``).
    """
    what = _WHAT.get(cls.__name__, cls.__name__)
    table = _fields(cls)
    required = [k for k, f in table.items() if f.metadata.get("required")]
    o = _object(value, path, what, tuple(table), required)
    args: dict[str, object] = {}
    for key, v in o.items():
        f = table[key]
        here = path + pointer(key)
        if v is None:
            if f.metadata.get("null"):
                continue
            raise InvalidRequest(f"{key} may not be null (leave the field out for its default)",
                                 here)
        args[f.name] = _value(f.metadata, v, here, key)
    with _under(path):
        return cls(**args)


def _value(meta: Mapping[str, Any], v: object, here: str, key: str) -> object:
    """Return the JSON value ``v`` of a field as its class takes it."""
    item, obj, kind = meta.get("item"), meta.get("obj"), meta.get("kind")
    if item is Busy:
        return _busy(v, here)
    if item is not None:
        return [load(item, x, here + pointer(i)) for i, x in enumerate(_array(v, here, key))]
    if obj is not None:
        return load(obj, v, here)
    if kind == "integer":
        return _integer(v, here, key)
    if kind == "intervals":
        return _intervals(v, here)
    if kind == "weekly":
        days = _object(v, here, "weekly", WEEKDAYS)
        return {k: _intervals(x, here + pointer(k)) for k, x in days.items()}
    if kind in ("weekdays", "strings"):
        items = _array(v, here, key)
        return [_string(x, here + pointer(i), key) for i, x in enumerate(items)]
    if kind == "node":
        return _node(v, here)
    if kind in ("date", "moment"):
        return v  # the class reads (and checks the type of) dates and instants
    if kind == "instant":  # JSON instants are RFC 3339 strings (the typed API also takes ints)
        if not isinstance(v, str):
            raise InvalidRequest(f"{key} must be an RFC 3339 string, not {_type_name(v)}", here)
        return v
    return _string(v, here, key)


def _node(value: object, path: str) -> Node:
    """Return a requirement-tree node: a host id, ``{"all": […]}`` or ``{"any": […], "min": k}``."""
    if isinstance(value, str):
        return value
    if not isinstance(value, Mapping):
        raise InvalidRequest(f"a tree node is a host id or an object, not {_type_name(value)}",
                             path)
    if "all" in value:
        o = _object(value, path, "an 'all' node", ("all",))
        kids = _array(o["all"], path + "/all", "all")
        with _under(path):
            return All([_node(k, path + pointer("all", i)) for i, k in enumerate(kids)])
    o = _object(value, path, "a tree node", ("any", "min"), ("any",))
    kids = _array(o["any"], path + "/any", "any")
    least = 1 if o.get("min") is None else _integer(o["min"], path + "/min", "min")
    with _under(path):
        return AnyOf([_node(k, path + pointer("any", i)) for i, k in enumerate(kids)],
                     min=least)


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


def _busy(value: object, path: str) -> BusyTable:
    """Return a ``busy`` list as a :class:`BusyTable`: strings straight to epoch seconds.

    A blocking entry ``{"start", "end"}`` in the usual shapes is read with integer arithmetic
    (:func:`~slotcalc.model.instant_seconds`); any other entry (seats, id, buffers, odd
    offsets, fractions of a second) is read as a :class:`Busy`. Cost: O(n).
    """
    items = _array(value, path, "busy")
    table = _busy_columns(items)
    if table is not None:
        return table
    start: list[int] = []
    end: list[int] = []
    seats: list[int] = []
    before: list[int] = []
    after: list[int] = []
    ids: list[str | None] = []
    for i, item in enumerate(items):
        if type(item) is dict and _BUSY_KEYS.issuperset(item):
            a, b = item.get("start"), item.get("end")
            k, ident = item.get("seats", 0), item.get("id", "")
            x0, x1 = item.get("buffer_before", 0), item.get("buffer_after", 0)
            if (type(a) is str and type(b) is str and type(k) is int and type(ident) is str
                    and type(x0) is int and type(x1) is int and 0 <= x0 <= MAX_MINUTES
                    and 0 <= x1 <= MAX_MINUTES and (0 < k <= MAX_COUNT or "seats" not in item)):
                x, y = instant_seconds(a), instant_seconds(b)
                if x is not None and y is not None and x < y:
                    start.append(x)
                    end.append(y)
                    seats.append(k)
                    before.append(60 * x0)
                    after.append(60 * x1)
                    ids.append(ident if "id" in item else None)
                    continue
        entry = load(Busy, item, path + pointer(i))
        start.append(entry.start_s)
        end.append(entry.end_s)
        seats.append(entry.seats or 0)
        before.append(60 * entry.buffer_before)
        after.append(60 * entry.buffer_after)
        ids.append(entry.id)
    return BusyTable._of(start, end, seats, before, after, ids)


_START, _END = itemgetter("start"), itemgetter("end")
_SPAN_KEYS = frozenset(("start", "end"))


def _has(rows: Sequence[dict[str, Any]], key: str) -> int:
    """Return how many of ``rows`` have ``key``."""
    return sum(map(contains, rows, repeat(key)))


def _busy_columns(items: Sequence[object]) -> BusyTable | None:
    """Return the :class:`BusyTable` of ``items`` read column-wise, or None.

    Takes exactly the entries :func:`_busy`'s loop reads fast (dicts of known keys, string
    instants in the usual shapes, whole numbers in range), each check once over a column
    with C-level ``map``/``set`` instead of once per entry; None as soon as any entry is
    different, and the loop then reads them one by one and names the bad field. A key's
    absence reads as its default.

    Keys are checked by counting, without a pass over every entry's keys: the entries'
    lengths add up to the number of values the columns read (start, end, and the optional
    fields other than their defaults) exactly when no entry has another key, an explicit
    ``0`` seats or a ``null`` id (which the loop rejects) — every term is a count, none can
    make up for another. The optional columns read are those of the first entries; when the
    count does not come out, the keys of all entries are gathered and counted again.

    A long list is read :data:`_CHUNK` entries at a time (each chunk on its own, then the
    columns joined): every pass then runs over entries, strings and lists that stay in the
    processor's cache, which on W4's 10,000 entries saves a tenth to a fifth of the time.
    Cost: O(n).
    """
    if not items or set(map(type, items)) != {dict}:
        return None
    rows: Sequence[dict[str, Any]] = items  # type: ignore[assignment]
    columns: tuple[list[Any], ...] = ([], [], [], [], [], [])
    for lo in range(0, len(rows), _CHUNK):
        got = _busy_chunk(rows[lo:lo + _CHUNK])
        if got is None:
            return None
        for whole, part in zip(columns, got, strict=True):
            whole += part
    return BusyTable._of(*columns)


_CHUNK = 1024  # entries read at a time by _busy_columns


def _busy_chunk(rows: Sequence[dict[str, Any]]) -> tuple[list[Any], ...] | None:
    """Return the columns (start, end, seats, before, after, ids) of dicts ``rows``, or None:
    one chunk of :func:`_busy_columns`."""
    try:
        starts, ends = list(map(_START, rows)), list(map(_END, rows))
    except KeyError:
        return None
    a, b = instants_seconds(starts), instants_seconds(ends)
    if a is None or b is None or not all(map(lt, a, b)):
        return None
    n = len(rows)
    total = sum(map(len, rows))
    cols: dict[str, list[Any]] = {}
    if total != 2 * n:  # with start and end in every entry, two keys each means no other
        first = set().union(*rows[:_GUESS]) - _SPAN_KEYS
        if not (_OPTIONAL_KEYS.issuperset(first) and _read_columns(rows, first, cols)):
            return None
        if total != 2 * n + sum(n - col.count(_DEFAULTS[k]) for k, col in cols.items()):
            keys = set().union(*rows) - _SPAN_KEYS
            if not (_OPTIONAL_KEYS.issuperset(keys) and _read_columns(rows, keys - first, cols)):
                return None
            if total != 2 * n + sum(n - cols[k].count(_DEFAULTS[k]) if k in ("seats", "id")
                                    else _has(rows, k) for k in cols):
                return None  # an explicit 0 seats or null id
    zero_col = [0] * n
    before = cols.get("buffer_before")
    after = cols.get("buffer_after")
    return (a, b, cols.get("seats", zero_col),
            zero_col if before is None else [60 * x for x in before],
            zero_col if after is None else [60 * x for x in after], cols.get("id", [None] * n))


_GUESS = 8  # entries whose keys choose the optional columns read first
_OPTIONAL_KEYS = frozenset(("seats", "id", "buffer_before", "buffer_after"))
_DEFAULTS: dict[str, Any] = {"seats": 0, "id": None, "buffer_before": 0, "buffer_after": 0}
_HIGHEST = {"seats": MAX_COUNT, "buffer_before": MAX_MINUTES, "buffer_after": MAX_MINUTES}


def _read_columns(rows: Sequence[dict[str, Any]], keys: set[str],
                  cols: dict[str, list[Any]]) -> bool:
    """Read the optional ``keys`` of ``rows`` into ``cols`` (absent: the default); False
    unless every value is one :func:`_busy_columns` takes (an int in range, a string id)."""
    for key in keys:
        if key == "id":
            col = cols[key] = list(map(dict.get, rows, repeat(key)))
            if not set(map(type, col)) <= {str, type(None)}:
                return False
        else:
            col = cols[key] = list(map(dict.get, rows, repeat(key), repeat(0)))
            if set(map(type, col)) != {int} or min(col) < 0 or max(col) > _HIGHEST[key]:
                return False
    return True


def _calendars(value: object, path: str) -> tuple[CalendarSource, ...]:
    items = _array(value, path, "calendars")
    if len(items) > MAX_CALENDARS:
        raise InvalidValue(f"a request may name at most {MAX_CALENDARS} calendars",
                           path + pointer(MAX_CALENDARS))
    out: list[CalendarSource] = []
    for i, item in enumerate(items):
        here = path + pointer(i)
        cal = load(Calendar, item, here)
        out.append(CalendarSource(cal.kind, cal.value, here))
    return tuple(out)


def _hosts(value: object, path: str) -> tuple[HostRequest, ...]:
    items = _array(value, path, "hosts")
    if not items:
        raise InvalidValue("hosts may not be empty (a team has at least one host)", path)
    out: list[HostRequest] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(items):
        here = path + pointer(i)
        o = _object(item, here, "a host", tuple(_fields(Host)), ("id", "schedule"))
        ident = _string(o["id"], here + "/id", "a host id")
        if ident in seen:
            raise InvalidValue(f"host id {ident!r} is also the id of host {seen[ident]}",
                               here + "/id")
        seen[ident] = i
        schedule = load(Schedule, o["schedule"], here + "/schedule")
        busy = _busy(o["busy"], here + "/busy") if "busy" in o else _NO_BUSY
        cals = _calendars(o["calendars"], here + "/calendars") if "calendars" in o else ()
        with _under(here):
            Host(ident, schedule, busy)  # checks the id is not empty
        out.append(HostRequest(ident, schedule, busy, cals, here))
    return tuple(out)


def request_schema() -> dict[str, Any]:
    """Return the JSON Schema of a request document, made from the same field tables the loader
    reads (:func:`load`), so the two cannot drift apart."""
    defs: dict[str, Any] = {}

    def ref(cls: type) -> dict[str, Any]:
        name = cls.__name__
        if name not in defs:
            defs[name] = {}
            props = {k: _schema_of(f.metadata, ref) for k, f in _fields(cls).items()}
            for k, f in _fields(cls).items():
                if f.metadata.get("null"):
                    props[k] = {"anyOf": [props[k], {"type": "null"}]}
            required = [k for k, f in _fields(cls).items() if f.metadata.get("required")]
            defs[name] = {"type": "object", "properties": props, "additionalProperties": False,
                          **({"required": required} if required else {})}
        return {"$ref": f"#/$defs/{name}"}

    host = ref(Host)
    single = {"type": "object", "additionalProperties": False,
              "required": ["schedule", "event", "query"],
              "properties": {"schedule": ref(Schedule), "busy": _schema_of(
                  {"item": Busy}, ref), "calendars": _schema_of({"item": Calendar}, ref),
                  "event": ref(EventPolicy), "query": ref(Query)}}
    team = {"type": "object", "additionalProperties": False,
            "required": ["hosts", "event", "query"],
            "properties": {"hosts": {"type": "array", "items": host, "minItems": 1},
                           "team": ref(Team), "event": ref(EventPolicy), "query": ref(Query)}}
    defs["Node"] = {"anyOf": [
        {"type": "string"},
        {"type": "object", "additionalProperties": False, "required": ["all"],
         "properties": {"all": {"type": "array", "items": {"$ref": "#/$defs/Node"}}}},
        {"type": "object", "additionalProperties": False, "required": ["any"],
         "properties": {"any": {"type": "array", "items": {"$ref": "#/$defs/Node"}},
                        "min": {"type": "integer", "minimum": 1}}}]}
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": "slotcalc request (SPEC §2)", "oneOf": [single, team], "$defs": defs}


_KIND_SCHEMA: dict[str, dict[str, Any]] = {
    "integer": {"type": "integer"},
    "string": {"type": "string"},
    "timezone": {"type": "string", "description": "IANA time zone name"},
    "date": {"type": "string", "format": "date"},
    "instant": {"type": "string", "format": "date-time"},
    "moment": {"type": "string", "description": "a local date YYYY-MM-DD or an RFC 3339 instant"},
    "align": {"enum": ["window", "clock", "free"]},
    "mode": {"enum": ["all", "any"]},
    "grid": {"enum": ["team", "host"]},
    "output": {"enum": ["slots", "periods"]},
    "weekday": {"enum": list(WEEKDAYS)},
    "weekdays": {"type": "array", "items": {"enum": list(WEEKDAYS)}, "minItems": 1},
    "strings": {"type": "array", "items": {"type": "string"}},
    "node": {"$ref": "#/$defs/Node"},
    "intervals": {"type": "array", "items": {"type": "array", "items": {"type": "string"},
                                             "minItems": 2, "maxItems": 2}},
}


def _schema_of(meta: Mapping[str, Any], ref: Any) -> dict[str, Any]:
    item, obj, kind = meta.get("item"), meta.get("obj"), meta.get("kind")
    if item is not None:
        return {"type": "array", "items": ref(item)}
    if obj is not None:
        return dict(ref(obj))
    if kind == "weekly":
        return {"type": "object", "additionalProperties": False,
                "properties": {d: _KIND_SCHEMA["intervals"] for d in WEEKDAYS}}
    return dict(_KIND_SCHEMA[str(kind)])


# ---------------------------------------------------------------------------------------------
# The request


class Request(NamedTuple):
    """A validated request: its hosts, how they combine, the event and the query.

    ``team`` is ``None`` for a single schedule (``hosts`` then holds one :class:`HostRequest`
    with id ``None``). ``access`` is what the caller grants: which calendar files and URLs
    may be read (:class:`~slotcalc.access.CalendarAccess`; default: none, inline ``ics`` only).
    """

    hosts: tuple[HostRequest, ...]
    team: Team | None
    event: EventPolicy
    query: Query
    access: CalendarAccess = CalendarAccess()

    @property
    def has_calendars(self) -> bool:
        """Whether any host reads busy time from calendars."""
        return any(h.calendars for h in self.hosts)

    def with_calendars(self, extra: Sequence[CalendarSource]) -> Request:
        """Return this single-schedule request with ``extra`` calendars after its own.

        Their paths continue the request's own ``/calendars`` numbering. A team request refuses
        them (each host has its own calendars): InvalidRequest at ``/hosts``.
        """
        if not extra:
            return self
        if self.team is not None:
            raise InvalidRequest("extra calendars go with a single schedule; give a team's "
                                 "calendars per host (hosts[].calendars)", "/hosts")
        host = self.hosts[0]
        n = len(host.calendars)
        added = tuple(CalendarSource(c.kind, c.value, pointer("calendars", n + i))
                      for i, c in enumerate(extra))
        _allowed(host.calendars + added, self.access)
        return self._replace(hosts=(host._replace(calendars=host.calendars + added),))

    def answer(self) -> Document:
        """Return the SPEC §4 answer document. Raises SlotcalcError (calendar errors).

        Cost: that of :func:`slotcalc.api.answer_document`, plus reading the calendars (twice
        when the range has no slot: the next-free search needs a year more of them).
        """
        return self.solve()[0]

    def solve(self) -> tuple[Document, tuple[BusyTable, ...]]:
        """Return the answer document and each host's busy time, calendar entries included."""
        if not self.has_calendars:
            busy = tuple(h.busy for h in self.hosts)
            return self._document(busy, ()), busy
        fetched: dict[str, bytes] = {}
        lo, hi = self._span(searching=False)
        busy, notes = self._read_calendars(lo, hi, fetched)
        doc = self._document(busy, notes)
        if not doc.get("days", doc.get("periods")):
            lo, hi = self._span(searching=True)
            busy, notes = self._read_calendars(lo, hi, fetched)
            doc = self._document(busy, notes)
        return doc, busy

    def check(self, start: object) -> Document:
        """Return the SPEC §4 check document for ``start`` (an instant; errors at ``/start``).

        The query's range and limit do not apply; ``now``, ``exclude`` and its zone do.
        Raises SlotcalcError. Calendars are read around ``start`` (and, when the next free
        start lies further on, over the 366 days of the search).
        """
        moment = read_instant(start, "/start")
        if not self.has_calendars:
            return self._check_document(moment, tuple(h.busy for h in self.hosts), ())
        s = to_epoch(moment)
        pad = self._pad()
        lo, hi = s - pad - self._lookback(), s + 8 * DAY + pad
        fetched: dict[str, bytes] = {}
        busy, notes = self._read_calendars(lo, hi, fetched)
        doc = self._check_document(moment, busy, notes)
        nxt = doc["next_available"]
        if nxt is None or to_epoch(read_instant(nxt)) + pad > hi:
            busy, notes = self._read_calendars(lo, s + (SEARCH_DAYS + 1) * DAY + pad, fetched)
            doc = self._check_document(moment, busy, notes)
        return doc

    # -- internals ------------------------------------------------------------------------

    def typed(self, busy: Sequence[BusyTable]) -> api.Request:
        """Return the typed :class:`slotcalc.api.Request` with each host's ``busy``."""
        if self.team is None:
            return api.Request(self.hosts[0].schedule, self.event, self.query, busy=busy[0])
        hosts = [Host(h.id or "", h.schedule, b) for h, b in zip(self.hosts, busy, strict=True)]
        return api.Request(hosts, self.event, self.query, team=self.team)

    def _document(self, busy: Sequence[BusyTable], notes: Sequence[Notice]) -> Document:
        return self.typed(busy).plan().answer_document(notes)

    def _check_document(self, start: datetime, busy: Sequence[BusyTable],
                        notes: Sequence[Notice]) -> Document:
        return self.typed(busy).plan().check_document(start, notes)

    def _pad(self) -> int:
        e = self.event
        return (e.duration + e.buffer_before + e.buffer_after) * 60

    def _lookback(self) -> int:
        return FREE_LOOKBACK_DAYS * DAY if self.event.align == "free" else 0

    def _span(self, *, searching: bool) -> tuple[int, int]:
        lo, hi = api.search_span(self.event, self.query, self.hosts[0].schedule.zone,
                             searching=searching)
        return lo - self._lookback(), hi

    def _read_calendars(self, lo: int, hi: int, fetched: dict[str, bytes]
                        ) -> tuple[tuple[BusyTable, ...], tuple[Notice, ...]]:
        """Return each host's busy time plus its calendars' entries in ``[lo, hi)``; warnings.

        ``fetched`` keeps the bodies of URLs already fetched (a feed is fetched once per
        answer, however often it is read).
        """
        ical = load_ical()
        out: list[BusyTable] = []
        notes: list[Notice] = []
        for host in self.hosts:
            extra: list[tuple[int, int]] = []
            for src in host.calendars:
                try:
                    got = _read_one(ical, src, self.access, host.schedule.timezone, lo, hi,
                                    fetched)
                except SlotcalcError as e:
                    raise _at(e, src.path) from None
                extra.extend(got.intervals)  # epoch seconds, straight to the engine
                notes.extend(Notice(n.code, n.message, src.path + n.path) for n in got.warnings)
            n = len(extra)
            out.append(host.busy + BusyTable._of([a for a, _ in extra], [b for _, b in extra],
                                                 [0] * n, [0] * n, [0] * n, [None] * n))
        return tuple(out), tuple(notes)


def _read_one(ical: Any, src: CalendarSource, access: CalendarAccess, timezone: str, lo: int,
              hi: int, fetched: dict[str, bytes]) -> CalendarBusy:
    """Return the busy time of one calendar in ``[lo, hi)`` (floating times in ``timezone``).

    A file or URL is read only as ``access`` grants; unless it asks for detailed errors, a
    granted read that fails says no more than "could not read calendar N" (no probing of
    which files exist or which ports answer through distinct messages).
    """
    if src.kind == "ics":
        got: CalendarBusy = ical.read_calendar_text(src.value, start=lo, end=hi,
                                                    timezone=timezone)
        return got
    number = src.path.rsplit("/", 1)[-1]
    try:
        if src.kind == "path":
            got = ical.read_calendar_path(access.file(src.value, ""), start=lo, end=hi,
                                          timezone=timezone)
            return got
        access.check("url", src.value, "")
        body = fetched.get(src.value)
        if body is None:
            try:
                if access.fetch is not None:
                    body = access.fetch(src.value)
                    if not isinstance(body, bytes | bytearray):
                        raise CalendarFetchFailed("the fetch function of CalendarAccess "
                                                  "returned no bytes")
                    body = bytes(body)
                else:
                    body = ical.fetch_calendar(src.value, hosts=access.hosts)
            except SlotcalcError:
                raise
            except OSError:
                raise CalendarFetchFailed(f"could not fetch calendar {number}") from None
            fetched[src.value] = body
        got = ical.read_calendar_bytes(body, start=lo, end=hi, timezone=timezone)
        return got
    except (CalendarUnreadable, CalendarFetchFailed) as e:
        if access.detailed_errors:
            raise
        verb = "fetch" if isinstance(e, CalendarFetchFailed) else "read"
        raise type(e)(f"could not {verb} calendar {number}") from None


def _allowed(sources: Sequence[CalendarSource], access: CalendarAccess) -> None:
    """Raise CalendarNotAllowed for a file or URL calendar that ``access`` does not grant, and
    InvalidValue for more than MAX_CALENDARS calendars (``sources``: all of a request's)."""
    for i, src in enumerate(sources):
        if i == MAX_CALENDARS:
            raise InvalidValue(f"a request may name at most {MAX_CALENDARS} calendars",
                               src.path)
        access.check(src.kind, src.value, src.path)


def load_ical() -> Any:
    """Return the :mod:`slotcalc.ical` module, or raise InvalidRequest saying what to install."""
    try:
        return importlib.import_module("slotcalc.ical")
    except ImportError as e:
        raise InvalidRequest(
            f"reading calendars needs the iCalendar extra: pip install 'slotcalc[ical]' ({e})",
            "") from None


def parse_request(request: object, *, access: CalendarAccess | None = None) -> Request:
    """Return the validated :class:`Request` of a SPEC §2 document as loaded from JSON.

    Raises SlotcalcError (SPEC §5 code, JSON Pointer path) for the first problem found.
    A request has ``event``, ``query`` and either ``schedule`` (with optional ``busy`` and
    ``calendars``) or ``hosts`` (with optional ``team``, default ``{"mode": "all"}``).
    ``access`` grants reading calendar files and URLs (default: neither; inline ``ics`` is
    always read); a calendar it does not grant is ``calendar_not_allowed``.
    Cost: O(size of the request), plus sorting busy time and overrides.
    """
    o = _object(request, "", "the request", _TOP_FIELDS)
    if "hosts" in o:
        for key in ("schedule", "busy", "calendars"):
            if key in o:
                raise InvalidRequest(f"a request with 'hosts' gives each host its own {key}; "
                                     f"drop the top-level {key!r}", pointer(key))
    else:
        if "team" in o:
            raise InvalidRequest("'team' goes with 'hosts' (a request for several hosts)",
                                 "/team")
        if "schedule" not in o:
            raise InvalidRequest("the request needs 'schedule' (one host) or 'hosts' (a team)",
                                 "/schedule")
    for key in ("event", "query"):
        if key not in o:
            raise InvalidRequest(f"the request needs the field {key!r}", pointer(key))
    if "hosts" in o:
        hosts = _hosts(o["hosts"], "/hosts")
        team = load(Team, o["team"], "/team") if "team" in o else Team()
    else:
        schedule = load(Schedule, o["schedule"], "/schedule")
        busy = _busy(o["busy"], "/busy") if "busy" in o else _NO_BUSY
        cals = _calendars(o["calendars"], "/calendars") if "calendars" in o else ()
        hosts = (HostRequest(None, schedule, busy, cals, ""),)
        team = None
    event = load(EventPolicy, o["event"], "/event")
    query = load(Query, o["query"], "/query")
    grant = CalendarAccess() if access is None else access
    if not isinstance(grant, CalendarAccess):
        raise InvalidRequest("access is a slotcalc.CalendarAccess", "")
    _allowed([c for host in hosts for c in host.calendars], grant)
    req = Request(hosts, team, event, query, grant)
    req.typed(tuple(h.busy for h in hosts))  # the team's tree is checked before any reading
    return req


def answer_request(request: object, *, access: CalendarAccess | None = None) -> Document:
    """Return the SPEC §4 answer to a request as loaded from JSON, or the §5 error document.

    Never raises for bad input: ``{"error": {"code", "message", "path"}}`` instead.
    ``access`` grants reading calendar files and URLs (default: neither).

    >>> doc = answer_request({
    ...     "schedule": {"timezone": "Europe/Madrid", "weekly": {"tue": [["15:00", "16:00"]]}},
    ...     "event": {"duration": 30},
    ...     "query": {"start": "2026-12-01", "end": "2026-12-01", "now": "2026-11-30T12:00:00Z"}})
    >>> [s["start"] for d in doc["days"] for s in d["slots"]]
    ['2026-12-01T15:00:00+01:00', '2026-12-01T15:30:00+01:00']
    >>> err = answer_request({"schedule": {"timezone": "Mars/Base"}, "event": {"duration": 30},
    ...                       "query": {"start": "2026-12-01", "end": "2026-12-01"}})["error"]
    >>> err["code"], err["path"]
    ('invalid_timezone', '/schedule/timezone')
    """
    try:
        return parse_request(request, access=access).answer()
    except SlotcalcError as e:
        return e.to_dict()


def check_request(request: object, start: object, *,
                  access: CalendarAccess | None = None) -> Document:
    """Return the SPEC §4 check document for ``start``, or the §5 error document.

    ``start`` is an RFC 3339 instant (or an aware datetime); an error in it has the path
    ``/start``. Never raises for bad input.
    """
    try:
        return parse_request(request, access=access).check(start)
    except SlotcalcError as e:
        return e.to_dict()


def read_calendars(request: api.Request, *, access: CalendarAccess | None = None,
                   start: datetime | str | None = None, end: datetime | str | None = None
                   ) -> tuple[api.Request, tuple[Notice, ...]]:
    """Return ``request`` with every host's calendars read into its busy time, and the warnings.

    This is the one I/O step of the typed API, done when the caller says so: files and URLs are
    read only as ``access`` grants (default: inline ``ics`` only). The busy instances that can
    matter are read: those of the query range and the 366 days of the next-free search (for a
    request without a range, give ``start``/``end`` of the window to read). The request
    returned has no calendars left, so computing it does no I/O.

    >>> from slotcalc import Calendar, EventPolicy, Host, Query, Request, Schedule
    >>> ics = ("BEGIN:VCALENDAR\\r\\nBEGIN:VEVENT\\r\\nUID:1\\r\\nDTSTART:20261207T090000Z\\r\\n"
    ...        "DTEND:20261207T100000Z\\r\\nEND:VEVENT\\r\\nEND:VCALENDAR\\r\\n")
    >>> host = Host("ana", Schedule("UTC", {"mon": [("09:00", "11:00")]}),
    ...             calendars=[Calendar(ics=ics)])
    >>> r = Request(host, EventPolicy(60), Query("2026-12-07", "2026-12-07",
    ...             now="2026-12-01T00:00:00Z"))
    >>> ready, warnings = read_calendars(r)
    >>> [s.start.strftime("%H:%M") for s in ready.slots().slots]
    ['10:00']
    """
    grant = CalendarAccess() if access is None else access
    hosts = tuple(
        HostRequest(h.id, h.schedule, h.busy,
                    tuple(CalendarSource(c.kind, c.value, f"/hosts/{i}/calendars/{j}")
                          for j, c in enumerate(h.calendars)), f"/hosts/{i}")
        for i, h in enumerate(request.hosts))
    _allowed([c for h in hosts for c in h.calendars], grant)
    plain = Request(hosts, request.team, request.event, request.query, grant)
    if start is not None and end is not None:
        lo, hi = to_epoch(read_instant(start, "/start")), to_epoch(read_instant(end, "/end"))
        lo -= plain._pad() + plain._lookback()
        hi += plain._pad()
    else:
        if request.query.start is None:
            raise InvalidRequest("give start and end of the window to read: the query has no "
                                 "range", "/query/start")
        lo, hi = plain._span(searching=True)
    busy, notes = plain._read_calendars(lo, hi, {})
    read = tuple(Host(h.id, h.schedule, b) for h, b in zip(request.hosts, busy, strict=True))
    if request.team is None:
        return api.Request(read[0].schedule, request.event, request.query,
                           busy=read[0].busy), notes
    return api.Request(list(read), request.event, request.query, team=request.team), notes
