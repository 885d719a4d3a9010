"""Busy time from iCalendar feeds (RFC 5545): the optional ``slotcalc[ical]`` adapter.

:func:`read_calendar` reads a feed (text, bytes, a file, a path or an ``http``/``https``/
``webcal`` URL) and returns the busy instances that overlap a window, one per instance, with
warnings for what it skipped::

    >>> from slotcalc.ical import read_calendar
    >>> feed = "\\r\\n".join([
    ...     "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//example//EN",
    ...     "BEGIN:VEVENT", "UID:standup@example.com",
    ...     "DTSTART;TZID=Europe/Berlin:20260323T090000",
    ...     "DTEND;TZID=Europe/Berlin:20260323T091500",
    ...     "RRULE:FREQ=DAILY;COUNT=10", "END:VEVENT", "END:VCALENDAR", ""])
    >>> found = read_calendar(feed, start="2026-03-28T00:00:00Z", end="2026-03-30T00:00:00Z")
    >>> [b.start.isoformat() for b in found.busy]    # 09:00 in Berlin, before and after DST
    ['2026-03-28T08:00:00+00:00', '2026-03-29T07:00:00+00:00']

How a ``str`` source is told apart: text whose first non-blank characters (after an optional
byte order mark) are ``BEGIN:VCALENDAR`` is the feed itself; a string starting with a URL
scheme (``http://``, ``https://``, ``webcal://``, ``webcals://``; any other scheme is refused)
is fetched; any other one-line string is a file path; anything else is text that is not
iCalendar (``calendar_unreadable``). ``bytes`` are the feed's bytes, an ``os.PathLike`` is a
path, an object with ``read()`` is a file. The explicit :func:`read_calendar_text`,
:func:`read_calendar_bytes`, :func:`read_calendar_path`, :func:`read_calendar_url` and
:func:`read_calendar_file` skip the guessing.

The rules (what is busy, time zones, recurrences, limits) are in ``docs/ical.md`` and in
:mod:`slotcalc.ical._busy`. This module needs python-dateutil; the engine never imports it.
"""

from __future__ import annotations

try:
    import dateutil.rrule  # noqa: F401  # the adapter's one dependency, checked up front
except ImportError as exc:  # pragma: no cover - depends on the installation
    raise ImportError(
        "slotcalc.ical needs python-dateutil: pip install 'slotcalc[ical]'"
    ) from exc

import codecs
import os
import re
import stat
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import IO, Any, NamedTuple
from zoneinfo import ZoneInfo

from .._tz import load_zone, to_epoch, to_epoch_ceil
from ..errors import (
    CalendarUnreadable,
    InvalidInterval,
    InvalidRequest,
    SlotcalcError,
)
from ..model import Busy, Notice, read_instant
from ._busy import SKIPPED, UNKNOWN_TZID, TooMuch, busy_intervals
from ._fetch import Fetched, fetch, fetch_calendar, fetch_with_charset
from ._parse import Unreadable, looks_like_icalendar, scan
from ._tz import UTC_ZONE, IanaZone, WallZone

__all__ = [
    "SKIPPED",
    "UNKNOWN_TZID",
    "CalendarBusy",
    "Fetched",
    "busy_document",
    "fetch",
    "fetch_calendar",
    "read_calendar",
    "read_calendar_bytes",
    "read_calendar_file",
    "read_calendar_path",
    "read_calendar_text",
    "read_calendar_url",
]

_READ = 1 << 20  # bytes (or characters) read at a time
_URL = re.compile(r"(?i)([a-z][a-z0-9+.-]*)://")
Source = str | bytes | bytearray | memoryview | os.PathLike[str] | IO[str] | IO[bytes]
Moment = datetime | int | str


class CalendarBusy(NamedTuple):
    """What a feed implies for a window.

    ``intervals``: ``(start, end)`` in epoch seconds, one per busy instance that overlaps the
    window (not merged: two meetings at once are two entries), sorted by start then end.
    ``warnings``: :class:`~slotcalc.model.Notice` entries for what was skipped
    (``calendar_component_skipped``, ``calendar_unknown_tzid``), each message naming its line.
    """

    intervals: list[tuple[int, int]]
    warnings: tuple[Notice, ...]

    @property
    def busy(self) -> tuple[Busy, ...]:
        """Return the intervals as blocking :class:`~slotcalc.model.Busy` entries (UTC)."""
        return tuple(Busy(datetime.fromtimestamp(a, UTC), datetime.fromtimestamp(b, UTC))
                     for a, b in self.intervals)


# ------------------------------------------------------------------------------ the window

def _instant(value: object, path: str, *, ceil: bool = False) -> int:
    if isinstance(value, bool):
        raise InvalidRequest(f"{path[1:]} must be an instant, not a bool", path)
    if isinstance(value, int):
        return value
    moment = read_instant(value, path)
    return to_epoch_ceil(moment) if ceil else to_epoch(moment)


def _zone(timezone: str | ZoneInfo) -> WallZone:
    try:
        zone = load_zone(timezone)
    except SlotcalcError as exc:
        raise exc.under("timezone") from None
    return UTC_ZONE if zone.key in ("UTC", "Etc/UTC") else IanaZone(zone)


# ------------------------------------------------------------------------------ reading

def _decode(chunks: Iterable[bytes], charset: str = "utf-8") -> Iterator[str]:
    """Decode byte chunks (a character split between chunks is kept whole). Bytes that are not
    ``charset`` become lone surrogates, so a character split by line folding is restored
    after unfolding (RFC 5545 §3.1)."""
    try:
        decoder = codecs.getincrementaldecoder(charset)(errors="surrogateescape")
    except LookupError:
        decoder = codecs.getincrementaldecoder("utf-8")(errors="surrogateescape")
    for chunk in chunks:
        text = decoder.decode(chunk)
        if text:
            yield text
    tail = decoder.decode(b"", final=True)
    if tail:
        yield tail


def _checked(chunks: Iterable[str]) -> Iterator[str]:
    """Yield ``chunks`` after making sure the stream starts like iCalendar (BOM dropped)."""
    pieces = iter(chunks)
    head = ""
    for chunk in pieces:
        head = head + chunk if head else chunk
        if len(head) >= 4096 or len(head.lstrip("\ufeff \t\r\n")) >= 15:
            break
    if not head[:4096].lstrip("\ufeff \t\r\n"):
        raise Unreadable("the calendar is empty")
    if not looks_like_icalendar(head):
        raise Unreadable("not an iCalendar stream: it does not start with BEGIN:VCALENDAR")
    yield head[1:] if head.startswith("\ufeff") else head
    yield from pieces


def _bytes_limited(chunks: Iterable[bytes], max_bytes: int, what: str) -> Iterator[bytes]:
    total = 0
    for chunk in chunks:
        total += len(chunk)
        if total > max_bytes:
            raise Unreadable(f"{what} is larger than max_bytes ({max_bytes} bytes)")
        yield chunk


def _read_file(stream: IO[Any], max_bytes: int) -> Iterator[str]:
    first = stream.read(_READ)
    if isinstance(first, str):
        total = len(first)
        chunk: Any = first
        while chunk:
            if total > max_bytes:
                raise Unreadable(f"the calendar is larger than max_bytes ({max_bytes})")
            yield chunk
            chunk = stream.read(_READ)
            total += len(chunk)
        return

    def raw() -> Iterator[bytes]:
        chunk_b: Any = first
        while chunk_b:
            yield bytes(chunk_b)
            chunk_b = stream.read(_READ)

    yield from _decode(_bytes_limited(raw(), max_bytes, "the calendar"))


def _compute(chunks: Iterable[str], start: Moment, end: Moment, timezone: str | ZoneInfo,
             max_instances: int) -> CalendarBusy:
    lo = _instant(start, "/start")
    hi = _instant(end, "/end", ceil=True)
    if hi <= lo:
        raise InvalidInterval("the window must end after it starts", "/end")
    zone = _zone(timezone)
    if isinstance(max_instances, bool) or not isinstance(max_instances, int) or \
            max_instances < 1:
        raise InvalidRequest("max_instances must be a positive integer", "/max_instances")
    try:
        cal = scan(_checked(chunks))
        found = busy_intervals(cal, lo, hi, zone, max_instances)
    except Unreadable as exc:
        raise CalendarUnreadable(_clean(exc.message)) from None
    except TooMuch as exc:
        raise CalendarUnreadable(_clean(exc.message)) from None
    notices = tuple(Notice(code, _clean(message)) for code, message, _ in found.warnings)
    return CalendarBusy(found.intervals, notices)


def _cut(text: str, limit: int = 80) -> str:
    """Return ``text`` cut to ``limit`` characters (long values stay out of messages)."""
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _clean(message: str) -> str:
    """Return ``message`` safe to print (undecodable bytes of the feed shown as U+FFFD) and
    at most 300 characters long (a message may quote a feed's value, which can be huge)."""
    message = _cut(message, 300)
    return message.encode("utf-8", "replace").decode("utf-8", "replace") \
        if not message.isascii() else message


def read_calendar_text(text: str, *, start: Moment, end: Moment,
                       timezone: str | ZoneInfo = "UTC", max_bytes: int = 50_000_000,
                       max_instances: int = 100_000) -> CalendarBusy:
    """Return the busy time of iCalendar ``text`` in ``[start, end)`` (as :func:`read_calendar`)."""
    if len(text) > max_bytes:
        raise CalendarUnreadable(f"the calendar is larger than max_bytes ({max_bytes})")
    return _compute((text,), start, end, timezone, max_instances)


def read_calendar_bytes(data: bytes | bytearray | memoryview, *, start: Moment, end: Moment,
                        timezone: str | ZoneInfo = "UTC", max_bytes: int = 50_000_000,
                        max_instances: int = 100_000) -> CalendarBusy:
    """Return the busy time of an iCalendar feed given as (UTF-8) bytes."""
    view = memoryview(data)
    if view.nbytes > max_bytes:
        raise CalendarUnreadable(f"the calendar is larger than max_bytes ({max_bytes})")
    pieces = (bytes(view[i:i + _READ]) for i in range(0, view.nbytes, _READ))
    return _compute(_decode(pieces), start, end, timezone, max_instances)


def read_calendar_file(stream: IO[str] | IO[bytes], *, start: Moment, end: Moment,
                       timezone: str | ZoneInfo = "UTC", max_bytes: int = 50_000_000,
                       max_instances: int = 100_000) -> CalendarBusy:
    """Return the busy time of a feed read from an open file (text or binary), in pieces."""
    try:
        return _compute(_read_file(stream, max_bytes), start, end, timezone, max_instances)
    except OSError as exc:
        raise CalendarUnreadable(f"cannot read the calendar: {exc}") from None


def _open_regular(path: str | os.PathLike[str]) -> IO[bytes]:
    """Open ``path`` for reading if it is a regular file; raise CalendarUnreadable otherwise.

    Opened without blocking (a FIFO would wait for a writer) and checked on the open file
    (``fstat``), so a name swapped for a FIFO or a device between a check and the open
    cannot slip through: ``/dev/stdin``, a FIFO, a directory, a device are all refused.
    """
    shown = _cut(repr(os.fspath(path)))
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) |
                     getattr(os, "O_CLOEXEC", 0))
    except ValueError:  # a NUL character in the path
        raise CalendarUnreadable(f"cannot read {shown}: the path holds a NUL character"
                                 ) from None
    except OSError as exc:
        raise CalendarUnreadable(f"cannot read {shown}: {exc.strerror or 'an OS error'}"
                                 ) from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise CalendarUnreadable(f"cannot read {shown}: not a regular file")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_calendar_path(path: str | os.PathLike[str], *, start: Moment, end: Moment,
                       timezone: str | ZoneInfo = "UTC", max_bytes: int = 50_000_000,
                       max_instances: int = 100_000) -> CalendarBusy:
    """Return the busy time of the feed in file ``path`` (read in pieces, never whole).

    Only a regular file is read: a directory, a FIFO, a device (``/dev/stdin``) or a path
    with a NUL character is ``calendar_unreadable``, as is a file that cannot be opened.
    """
    if not isinstance(path, str | os.PathLike):
        raise InvalidRequest(f"a calendar path is a string or a path, not {type(path).__name__}")
    stream = _open_regular(path)
    try:
        with stream:
            return _compute(_read_file(stream, max_bytes), start, end, timezone,
                            max_instances)
    except CalendarUnreadable:
        raise
    except OSError as exc:
        raise CalendarUnreadable(f"cannot read {_cut(repr(os.fspath(path)))}: "
                                 f"{exc.strerror or 'an OS error'}") from None


def read_calendar_url(url: str, *, start: Moment, end: Moment,
                      timezone: str | ZoneInfo = "UTC", timeout: float = 10.0,
                      max_bytes: int = 50_000_000, max_instances: int = 100_000,
                      max_redirects: int = 3) -> CalendarBusy:
    """Return the busy time of the feed at ``url`` (fetched with :func:`fetch_calendar`)."""
    got, charset = fetch_with_charset(url, timeout=timeout, max_bytes=max_bytes,
                                      max_redirects=max_redirects)
    body = got.body or b""
    pieces = (body[i:i + _READ] for i in range(0, len(body), _READ))
    return _compute(_decode(pieces, charset), start, end, timezone, max_instances)


def read_calendar(source: Source, *, start: Moment, end: Moment,
                  timezone: str | ZoneInfo = "UTC", timeout: float = 10.0,
                  max_bytes: int = 50_000_000, max_instances: int = 100_000,
                  max_redirects: int = 3) -> CalendarBusy:
    """Return the busy instances of an iCalendar feed that overlap ``[start, end)``.

    ``source``: iCalendar text, bytes, an open file, an ``os.PathLike`` path, or a string that
    is a URL (``http``, ``https``, ``webcal``, ``webcals``) or a path (see the module doc for
    how a string is told apart). ``start``/``end``: aware datetimes, RFC 3339 instants or epoch
    seconds. ``timezone``: the zone of all-day (DATE) values and of floating times when the
    feed has no ``X-WR-TIMEZONE`` (the schedule's zone; default UTC). Limits: ``timeout``
    (seconds, the whole fetch), ``max_bytes`` (the feed's size, for every kind of source),
    ``max_redirects``, ``max_instances`` (busy instances in the window, per rule and in all).

    Raises :class:`~slotcalc.errors.CalendarUnreadable` (``calendar_unreadable``: not
    iCalendar, truncated, too large, a rule or the feed yields more than ``max_instances``
    instances) and :class:`~slotcalc.errors.CalendarFetchFailed` (``calendar_fetch_failed``:
    network error, HTTP status, time or size limit, a redirect elsewhere than http(s), too
    many redirects). A single component that cannot be read is skipped with a warning.

    Cost: O(size of the feed) to scan it, plus O(instances in the window) to expand; events
    outside the window are not read beyond their start and end.
    """
    if isinstance(source, str):
        head = source[:4096].lstrip("\ufeff \t\r\n")
        if _URL.match(head) and head[:15].upper() != "BEGIN:VCALENDAR":
            return read_calendar_url(source.strip(), start=start, end=end, timezone=timezone,
                                     timeout=timeout, max_bytes=max_bytes,
                                     max_instances=max_instances, max_redirects=max_redirects)
        if "\n" not in source and source.strip() and head[:15].upper() != "BEGIN:VCALENDAR":
            return read_calendar_path(source, start=start, end=end, timezone=timezone,
                                      max_bytes=max_bytes, max_instances=max_instances)
        return read_calendar_text(source, start=start, end=end, timezone=timezone,
                                  max_bytes=max_bytes, max_instances=max_instances)
    if isinstance(source, bytes | bytearray | memoryview):
        return read_calendar_bytes(source, start=start, end=end, timezone=timezone,
                                   max_bytes=max_bytes, max_instances=max_instances)
    if isinstance(source, os.PathLike):
        return read_calendar_path(source, start=start, end=end, timezone=timezone,
                                  max_bytes=max_bytes, max_instances=max_instances)
    if hasattr(source, "read"):
        return read_calendar_file(source, start=start, end=end, timezone=timezone,
                                  max_bytes=max_bytes, max_instances=max_instances)
    raise InvalidRequest("a calendar source is text, bytes, a path, a file or a URL, not "
                         f"{type(source).__name__}")


# ------------------------------------------------------------------------------ documents

def _utc_text(t: int) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def busy_document(source: Source, start: Moment, end: Moment,
                  timezone: str | ZoneInfo = "UTC", **limits: Any) -> dict[str, Any]:
    """Return what ``slotcalc busy`` prints (SPEC §6): ``{"busy": [{"start": "…Z", "end":
    "…Z"}, …], "warnings": [{"code", "message", "path"}, …]}``, every busy instance that
    overlaps ``[start, end)`` in UTC, sorted, one entry per instance. ``limits`` are
    :func:`read_calendar`'s keyword limits. Raises like :func:`read_calendar`."""
    found = read_calendar(source, start=start, end=end, timezone=timezone, **limits)
    return {
        "busy": [{"start": _utc_text(a), "end": _utc_text(b)} for a, b in found.intervals],
        "warnings": [{"code": n.code, "message": n.message, "path": n.path}
                     for n in found.warnings],
    }
