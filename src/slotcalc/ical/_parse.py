"""iCalendar (RFC 5545) content lines → the few components and properties busy time needs.

The reader is a single pass over the content lines that keeps only what busy time depends on:

* ``VEVENT``: DTSTART, DTEND, DURATION, RRULE, RDATE, EXDATE, RECURRENCE-ID, SEQUENCE, UID,
  STATUS, TRANSP (properties of nested components such as ``VALARM`` are ignored);
* ``VTIMEZONE`` with its ``STANDARD``/``DAYLIGHT`` observances (TZID, DTSTART, TZOFFSETFROM,
  TZOFFSETTO, RRULE, RDATE);
* ``VFREEBUSY``: FREEBUSY;
* the calendar's ``X-WR-TIMEZONE``.

Speed comes from not looking at the rest. The text is split at each ``BEGIN:VEVENT`` line; a
VEVENT written the usual way (no nesting but an alarm at its end, no line name in small
letters) is kept as its text with its DTSTART and DTEND dates and UID, found for all the events
of a run at once by C-level ``map`` calls (:meth:`_Scanner.feed`), so a plain event costs a
few regular-expression matches and no Python loop over its lines. Everything else is read line
by line, where a line is examined only when its name is one of those above (one regular
expression over the text), and folded continuation lines are joined only onto the lines that
are kept. Values stay text here; :mod:`slotcalc.ical._busy` reads the ones it needs (most events
lie outside the window and are never read further). Line numbers are physical (1-based) lines
of the input.

Cost: O(n) in the size of the text, with a small constant for the lines that are skipped.
Text arrives in chunks (:func:`scan` takes an iterable), so a file or a download is read in
pieces and never held twice.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Iterator
from datetime import datetime
from itertools import accumulate, repeat
from operator import add
from typing import NamedTuple

__all__ = [
    "DATE",
    "FLOATING",
    "UTC",
    "QuickEvent",
    "RawCalendar",
    "RawEvent",
    "RawFreeBusy",
    "RawObservance",
    "RawProp",
    "RawTimezone",
    "Unreadable",
    "iter_chunks",
    "looks_like_icalendar",
    "param_dict",
    "parse_duration",
    "parse_moment",
    "parse_period",
    "scan",
    "unescape_text",
]

# Kinds of date/time values (RFC 5545 §3.3.4, §3.3.5).
DATE = 0  # VALUE=DATE: a local date
FLOATING = 1  # a wall time without zone (or with a TZID, which the caller resolves)
UTC = 2  # a wall time with the "Z" suffix


class Unreadable(Exception):
    """The text is not an iCalendar stream as a whole (the public API raises CalendarUnreadable)."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


class RawProp(NamedTuple):
    """One content line: ``params`` is the raw text between the name and the value
    (``";TZID=Europe/Berlin"`` or ``""``), ``value`` the raw value, ``line`` its line number."""

    params: str
    value: str
    line: int


class RawEvent:
    """The properties of one VEVENT that matter for busy time, as read (not yet interpreted).

    ``problem`` is set (with ``problem_line``) when the component cannot be used: a property
    that must occur once occurs twice, a nested component never ends, and so on.

    A plain VEVENT found by the scanner's fast path is kept as its text (``body``) with a few
    properties looked up (``uid``, ``quick_start``, ``quick_end``, ``maybe_recurring``); the
    rest is read by :meth:`load` only if the event can matter for the window.
    """

    __slots__ = ("dtend", "dtstart", "duration", "exdates", "line", "problem", "problem_line",
                 "rdates", "rid", "rrules", "sequence", "status", "transp", "uid")

    def __init__(self, line: int) -> None:
        self.line = line
        self.dtstart: RawProp | None = None
        self.dtend: RawProp | None = None
        self.duration: RawProp | None = None
        self.rid: RawProp | None = None
        self.uid: str | None = None
        self.sequence: RawProp | None = None
        self.status: str | None = None
        self.transp: str | None = None
        self.rrules: list[RawProp] = []
        self.rdates: list[RawProp] = []
        self.exdates: list[RawProp] = []
        self.problem: str | None = None
        self.problem_line = 0

    def fail(self, message: str, line: int) -> None:
        """Mark the component unusable (the first problem found is the one reported)."""
        if self.problem is None:
            self.problem = message
            self.problem_line = line

    @classmethod
    def from_text(cls, line: int, text: str, limit: int) -> RawEvent:
        """Read the VEVENT the fast path kept (:data:`QuickEvent`): its properties are the
        content lines of ``text[:limit]``."""
        event = cls(line)
        text = unfold_names(text, limit)
        depth = 0
        number = line + 1
        last = 0
        count = text.count
        for m in _LINE.finditer(text, 0, limit):
            at = m.start()
            number += count("\n", last, at)
            last = at
            name, rest = m.groups()
            if name not in _NAMES:
                name = name.upper()
            if name == "BEGIN":  # (a nested component in a spelling the fast path let by)
                depth += 1
                continue
            if name == "END":
                depth -= 1
                continue
            if depth:
                continue
            if rest[:1] == ":" and "\n" not in rest:
                params = ""
                value = rest[1:]
            else:
                split = _split_rest(rest)
                if split is None:
                    continue
                params, value = split
            event.take(name, params, value, number)
        return event

    def take(self, name: str, params: str, value: str, number: int) -> None:
        """Keep property ``name`` (upper case) of this VEVENT, if busy time needs it."""
        attr = _ONCE.get(name)
        if attr is not None:
            if getattr(self, attr) is not None:
                self.fail(f"{name} occurs twice", number)
            else:
                setattr(self, attr, _prop(RawProp, (params, value, number)))
        elif name == "RRULE":
            self.rrules.append(_prop(RawProp, (params, value, number)))
        elif name == "EXDATE":
            self.exdates.append(_prop(RawProp, (params, value, number)))
        elif name == "RDATE":
            self.rdates.append(_prop(RawProp, (params, value, number)))
        elif name == "UID":
            if self.uid is not None:
                self.fail("UID occurs twice", number)
            self.uid = unescape_text(value) if "\\" in value else value
        elif name == "STATUS":
            self.status = value.strip().upper()
        elif name == "TRANSP":
            self.transp = value.strip().upper()


# A VEVENT found by the scanner's fast path: (line, text, limit, uid, first, last, recurring).
# ``text[:limit]`` holds its own properties (text after BEGIN:VEVENT, before a nested alarm or
# END:VEVENT); ``uid`` its UID if it was read;
# ``first``/``last`` the YYYYMMDD of its DTSTART and DTEND (or DTSTART's again without DTEND)
# when they are plain DATE or DATE-TIME values; ``recurring`` is False only when the event
# surely has no RRULE, RDATE, RECURRENCE-ID or DURATION and its DTSTART and DTEND are plain:
# only such events may be judged by those dates alone; all others are read in full.
QuickEvent = tuple[int, str, int, str | None, str | None, str | None, bool]


class RawObservance:
    """A STANDARD or DAYLIGHT block of a VTIMEZONE, as read."""

    __slots__ = ("dtstart", "kind", "line", "offset_from", "offset_to", "rdates", "rrules")

    def __init__(self, kind: str, line: int) -> None:
        self.kind = kind
        self.line = line
        self.dtstart: RawProp | None = None
        self.offset_from: RawProp | None = None
        self.offset_to: RawProp | None = None
        self.rrules: list[RawProp] = []
        self.rdates: list[RawProp] = []


class RawTimezone:
    """A VTIMEZONE: its TZID and observances, as read."""

    __slots__ = ("line", "observances", "problem", "tzid")

    def __init__(self, line: int) -> None:
        self.line = line
        self.tzid: str | None = None
        self.observances: list[RawObservance] = []
        self.problem: str | None = None


class RawFreeBusy:
    """A VFREEBUSY: its FREEBUSY properties, as read."""

    __slots__ = ("line", "periods", "problem", "problem_line")

    def __init__(self, line: int) -> None:
        self.line = line
        self.periods: list[RawProp] = []
        self.problem: str | None = None
        self.problem_line = 0


class RawCalendar:
    """Everything :func:`scan` kept from a feed."""

    __slots__ = ("events", "freebusy", "quick", "timezones", "x_wr_timezone")

    def __init__(self) -> None:
        self.events: list[RawEvent] = []
        self.quick: list[QuickEvent] = []
        self.timezones: list[RawTimezone] = []
        self.freebusy: list[RawFreeBusy] = []
        self.x_wr_timezone: RawProp | None = None


# Names the scanner acts on. Names are case-insensitive (RFC 5545 §3.1).
_NAME_LIST = ("BEGIN|END|DTSTART|DTEND|DURATION|RRULE|RDATE|EXDATE|RECURRENCE-ID|SEQUENCE|UID|"
              "STATUS|TRANSP|FREEBUSY|TZID|TZOFFSETFROM|TZOFFSETTO|X-WR-TIMEZONE")
_NAMES = frozenset(_NAME_LIST.split("|"))
_prop = tuple.__new__  # builds a RawProp without NamedTuple's slower __new__
# A content line with one of those names: the name, then the rest (parameters, ":" and value,
# with any folded continuation lines). Every match starts at the line feed before the line.
_LINE = re.compile(
    r"\n(?=[BEDRSUTFXbedrsutfx])((?i:" + _NAME_LIST + r"))(?=[;:])([^\r\n]*(?:\r?\n[ \t][^\r\n]*)*)"
)
_FOLD = re.compile(r"\r?\n[ \t]")
# A fold inside a property name (RFC 5545 §3.1 allows a fold anywhere): "D" CRLF SPACE
# "TEND:…". Group 1: the name's pieces with their folds; group 2: its last piece and ";"/":".
_NAME_FOLD = re.compile(r"\n((?:[A-Za-z0-9-]+\r?\n[ \t])+)([A-Za-z0-9-]*[;:])")
# The fast path's properties (canonical spelling only: a batch with any other is read line by
# line), with the same shape as _LINE.
# The lines of an event the fast path must know about: nesting, anything that may recur or
# last (RRULE, RDATE, RECURRENCE-ID, DURATION, in any case), and any line starting with a small
# letter (a name spelled in small letters sends the event line by line).
_MARKS = re.compile(r"\n(BEGIN|END|R|D[Uu]|[a-z])")
_PLAIN = ["END"]
_ALARM = ["BEGIN", "END", "END"]
# How an event's text ends (it runs up to the next BEGIN:VEVENT): with END:VEVENT, and with an
# alarm just before it (CRLF or LF throughout).
_TAILS = ("\nEND:VEVENT", "\nEND:VEVENT\r")
_ALARM_TAILS = ("\nEND:VALARM\r\nEND:VEVENT\r", "\nEND:VALARM\nEND:VEVENT")
# DTSTART, DTEND, maybe DTSTAMP, and UID on unfolded lines, in that order, at the top of an
# event (how Google writes them); groups: the start's and end's YYYYMMDD, the UID.
_TOP = re.compile(
    r"\r?\nDTSTART(?:;[^:\r\n]*)?:(\d{8})(?:T\d{6}Z?)?\r?\n"
    r"DTEND(?:;[^:\r\n]*)?:(\d{8})(?:T\d{6}Z?)?\r?\n"
    r"(?:DTSTAMP:[^\r\n]*\r?\n)?UID:([^\r\n]*)(?=\r?\n[^ \t])"
)
# _TOP for CRLF text with ASCII digits, a little quicker: where it matches, _TOP matches the
# same text with the same groups (\r?\n reads CRLF the same way; [0-9] is part of \d); where it
# does not, _TOP is asked.
_TOP_CRLF = re.compile(
    r"\r\nDTSTART(?:;[^:\r\n]*)?:([0-9]{8})(?:T[0-9]{6}Z?)?\r\n"
    r"DTEND(?:;[^:\r\n]*)?:([0-9]{8})(?:T[0-9]{6}Z?)?\r\n"
    r"(?:DTSTAMP:[^\r\n]*\r\n)?UID:([^\r\n]*)(?=\r\n[^ \t])"
)
_ONCE = {"DTSTART": "dtstart", "DTEND": "dtend", "DURATION": "duration", "RECURRENCE-ID": "rid",
         "SEQUENCE": "sequence"}
_CHUNK = 1 << 20  # characters per piece when the caller hands over one big string
_EVENT = "\nBEGIN:VEVENT"


def _quick_day(piece: str, p: int, skip: int) -> str | None:
    """Return the ``YYYYMMDD`` of the DATE or DATE-TIME property whose line starts at ``p``
    (``skip`` characters of name), or None when there is none or it needs a full read
    (folded, or not a plain date). Cost: O(length of the line)."""
    if p < 0:
        return None
    e = piece.find("\n", p + skip)
    # the value ends at the first carriage return, as the line-by-line reader reads it
    v = piece.find("\r", p + skip, e)
    if v < 0:
        v = e
    value = piece[piece.rfind(":", p, v) + 1:v]
    if (len(value) in (8, 15, 16) and value[:8].isdigit()
            and piece[e + 1:e + 2] not in (" ", "\t")):
        return value[:8]
    return None


def _looked_up(line: int, piece: str, limit: int, recurring: bool) -> QuickEvent:
    """Return the :data:`QuickEvent` of an event whose top lines :data:`_TOP` does not match:
    DTSTART, DTEND and UID looked for anywhere before ``limit`` (anything unusual about the
    dates makes it ``recurring``: read in full)."""
    find = piece.find
    last = uid = None
    first = _quick_day(piece, find("\nDTSTART", 0, limit), 8)
    p = find("\nDTEND", 0, limit)
    if p >= 0:
        last = _quick_day(piece, p, 6)
        if last is None:
            recurring = True  # an end the quick look cannot judge: read it in full
    else:
        recurring = True  # no DTEND (or one spelled DTend): read it in full
    if first is None or last is None or last < first:
        recurring = True
    p = find("\nUID:", 0, limit)
    if p >= 0:
        e = find("\n", p + 5)
        r = piece.find("\r", p + 5, e)
        # the value ends at the first carriage return; a fold can follow only a CRLF or LF
        if (0 <= r < e - 1) or piece[e + 1:e + 2] not in (" ", "\t"):
            uid = piece[p + 5:r if r >= 0 else e]
            if "\\" in uid:
                uid = unescape_text(uid)
    if uid is None:
        recurring = True  # a UID the quick look cannot read (or none): read it in full
    return (line, piece, limit, uid, first, last, recurring)


def looks_like_icalendar(head: str) -> bool:
    """Return whether text starting with ``head`` starts like an iCalendar stream
    (``BEGIN:VCALENDAR`` after an optional byte order mark and blank space)."""
    return head.lstrip("\ufeff \t\r\n")[:15].upper() == "BEGIN:VCALENDAR"


def iter_chunks(text: str, size: int = _CHUNK) -> Iterator[str]:
    """Yield ``text`` in pieces of about ``size`` characters (any cut is fine for :func:`scan`)."""
    for i in range(0, len(text), size):
        yield text[i:i + size]


def _batches(chunks: Iterable[str]) -> Iterator[tuple[str, int]]:
    """Yield ``(text, first_line_number)``: runs of whole logical lines, each run starting with
    a line feed (so every content line in it follows one), preferably cut before a VEVENT.
    A run is cut only when more text follows, so a text given in one piece is not copied
    twice."""
    held = ""  # text that is cut when the next chunk arrives
    number = 1  # the line that follows the line feed at the start of ``held``
    for chunk in chunks:
        if not chunk:
            continue
        if not held:
            held = "\n" + chunk
            continue
        end = len(held)
        cut = held.rfind(_EVENT)
        if cut <= 0:
            # No event starts here: cut before the last line break that is followed by a
            # character other than a space or tab (the start of a new logical line).
            cut = held.rfind("\n")
            while cut > 0 and (cut + 1 >= end or held[cut + 1] in " \t"):
                cut = held.rfind("\n", 0, cut)
        if cut <= 0:
            held += chunk
            continue
        run = held[:cut]
        held = held[cut:] + chunk
        yield run, number
        number += run.count("\n")
    if held:
        yield held, number


def _name_unfolded(m: re.Match[str]) -> str:
    """Return a content line start with the folds of its name moved after the ``;``/``:``
    that ends it: the name is whole again, the value unfolds as any folded value does, and the
    text keeps its line count (so line numbers stay those of the input)."""
    pieces = m.group(1)
    folds = "".join(_FOLD.findall(pieces))
    return "\n" + _FOLD.sub("", pieces) + m.group(2) + folds


def unfold_names(text: str, limit: int | None = None) -> str:
    """Return ``text`` with every property name that a fold cuts made whole (see
    :func:`_name_unfolded`; the length and every position stay the same). Only the lines
    before ``limit`` are looked at. Cost: one regex search when there is no such fold.

    It is applied wherever content lines are read by name (:meth:`RawEvent.from_text` and the
    line-by-line reader); the fast path never needs it, as a folded name makes it pass the
    event to one of those (no DTSTART/DTEND/UID found where expected: read in full).
    """
    end = len(text) if limit is None else limit
    if _NAME_FOLD.search(text, 0, end) is None:
        return text
    return _NAME_FOLD.sub(_name_unfolded, text[:end]) + text[end:]


def _split_quoted(rest: str) -> int:
    """Return the index of the colon that ends the parameters in ``rest`` (colons inside
    double-quoted parameter values do not count), or -1."""
    quoted = False
    for i, c in enumerate(rest):
        if c == '"':
            quoted = not quoted
        elif c == ":" and not quoted:
            return i
    return -1


def _split_rest(rest: str) -> tuple[str, str] | None:
    """Return ``(params, value)`` of the rest of a content line after its name (unfolded; a
    character split by folding restored), or None if it has no value."""
    if "\n" in rest:
        rest = _FOLD.sub("", rest)
        if not rest.isascii():
            with contextlib.suppress(UnicodeError):
                rest = rest.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    rest = rest.rstrip("\r")
    if rest[:1] == ":":
        return "", rest[1:]
    colon = rest.find(":")
    if '"' in rest[:colon if colon >= 0 else len(rest)]:
        colon = _split_quoted(rest)
    if colon < 0:
        return None
    return rest[:colon], rest[colon + 1:]


class _Scanner:
    """The reading state: the component stack and the components being filled."""

    __slots__ = ("cal", "event", "fb", "finished", "obs", "outer", "quick", "stack", "started",
                 "tz")

    # Whether :meth:`feed` keeps plain VEVENTs itself (tests turn it off, and
    # :meth:`_fast_event` too, to compare with reading every event line by line).
    plain_runs = True

    def __init__(self) -> None:
        self.cal = RawCalendar()
        self.quick = self.cal.quick
        self.stack: list[str] = []
        self.started = False
        self.finished = False
        self.outer: RawEvent | None = None  # the VEVENT being read (also inside its VALARMs)
        self.event: RawEvent | None = None  # the same, only while its own properties are read
        self.tz: RawTimezone | None = None
        self.obs: RawObservance | None = None
        self.fb: RawFreeBusy | None = None

    def feed(self, text: str, first_line: int) -> None:
        """Read a run of whole logical lines (starting with a line feed) whose first line is
        ``first_line``. Plain VEVENTs go through the fast paths, all else through
        :meth:`general`.

        The text is split at each ``BEGIN:VEVENT`` line; what every event needs looked at is
        done for all of them at once, in C (``map``): its line count, its :data:`_MARKS`, a
        :data:`_TOP` match and whether it ends with END:VEVENT. An event written the usual way
        (those marks show no nesting but one alarm at its end and nothing that may recur, and
        DTSTART, DTEND and UID are at its top) is kept right here, exactly as
        :meth:`_fast_event` would keep it; any other goes to :meth:`_fast_event`, and from there
        to :meth:`general` if need be."""
        pieces = text.split(_EVENT)
        self.general(pieces[0], first_line)
        line = first_line + pieces[0].count("\n")
        del pieces[0]
        lines = accumulate(map(add, map(str.count, pieces, repeat("\n")), repeat(1)),
                           initial=line)
        marks = map(_MARKS.findall, pieces)
        tops = map(_TOP_CRLF.match, pieces)
        # (with plain_runs off no event is kept here: none ends the usual way)
        tails = map(str.endswith, pieces, repeat(_TAILS)) if self.plain_runs else repeat(False)
        quick = self.quick
        stack = self.stack
        fast = self._fast_event
        depth_one = len(stack) == 1
        top = _TOP.match
        # (``lines`` has one more item, the line after the last event)
        for piece, here, found, m, tail in zip(pieces, lines, marks, tops, tails, strict=False):
            # kept as _fast_event would keep it: the event ends with END:VEVENT, and its marks
            # are END alone, or BEGIN END END of one alarm at its end, give or take
            # RRULE/RDATE/RECURRENCE-ID (R) and DURATION (DU) lines (then it is recurring)
            if tail and depth_one:
                if m is None:
                    m = top(piece)
                if m is not None and found == _PLAIN:
                    # (the usual event, first: _TOP's match ends on the UID line, at the top,
                    # always before ``limit``, the line feed of a BEGIN or END line)
                    first, last, uid = m.groups()
                    if "\\" in uid:
                        uid = unescape_text(uid)
                    quick.append((here, piece, len(piece) - (12 if piece[-1] == "\r" else 11),
                                  uid, first, last, last < first))
                    continue
                if m is not None and found == _ALARM and piece.endswith(_ALARM_TAILS):
                    # (the usual event with an alarm, second: as below)
                    begin = piece.find("\nBEGIN:VALARM")
                    after = begin + (14 if piece[begin + 13:begin + 14] == "\r" else 13)
                    if begin >= 0 and piece[after] == "\n" and piece[after + 1] not in " \t":
                        first, last, uid = m.groups()
                        if "\\" in uid:
                            uid = unescape_text(uid)
                        quick.append((here, piece, begin, uid, first, last, last < first))
                        continue
                if found in (_PLAIN, _ALARM):
                    core = found
                    recurring = False
                else:
                    core = [mark for mark in found if mark != "R" and mark != "DU"]
                    recurring = True
                limit = -1
                if core == _PLAIN:
                    limit = len(piece) - (12 if piece[-1] == "\r" else 11)
                elif core == _ALARM and piece.endswith(_ALARM_TAILS):
                    # BEGIN:VALARM on a line of its own, not folded, the event's only BEGIN
                    begin = piece.find("\nBEGIN:VALARM")
                    after = begin + 13 if begin >= 0 else 0
                    if piece[after] == "\r":
                        after += 1
                    if begin >= 0 and piece[after] == "\n" and piece[after + 1] not in " \t":
                        limit = begin
                if limit >= 0:
                    if m is not None:
                        first, last, uid = m.groups()
                        if "\\" in uid:
                            uid = unescape_text(uid)
                        quick.append((here, piece, limit, uid, first, last,
                                      recurring or last < first))
                        continue
                    c = piece[:1]
                    if (piece[1:2] not in (" ", "\t") if c == "\n" else
                            c == "\r" and piece[1:2] == "\n" and piece[2:3] not in (" ", "\t")):
                        quick.append(_looked_up(here, piece, limit, recurring))
                        continue
            if not depth_one or not fast(piece, here):
                self.general(_EVENT + piece, here)
                depth_one = len(stack) == 1

    def _fast_event(self, piece: str, line: int) -> bool:
        """Keep a VEVENT written in the usual way as its text (a :data:`QuickEvent`), with its
        start and end dates and UID looked up; return False to have it read line by line.
        ``piece`` is the text after ``BEGIN:VEVENT`` up to the next one. Cost: one scan of
        the event's line starts, plus a few searches near its top."""
        c = piece[:1]
        if c == "\r":
            if piece[1:2] != "\n" or piece[2:3] in (" ", "\t"):
                return False  # BEGIN:VEVENT with more after it, or folded
        elif c != "\n" or piece[1:2] in (" ", "\t"):
            return False
        end = piece.rfind("\nEND:VEVENT")
        if end < 0 or piece[end + 11:] not in ("\r", ""):
            return False  # END:VEVENT with more after it, or more after the event
        marks = _MARKS.findall(piece)  # the lines starting BEGIN, END, R or DU
        limit = end
        recurring = False
        if marks != _PLAIN:
            if marks != _ALARM:
                if marks[-1] != "END" or marks.count("END") != marks.count("BEGIN") + 1:
                    return False  # something after END:VEVENT, or nesting to check by lines
                if not "".join(marks).isupper():
                    return False  # a line in small letters (or "Du…"): read line by line
                recurring = "R" in marks or "DU" in marks
            if "BEGIN" in marks:
                # one nested component (an alarm) as the last part of the event
                if marks.count("BEGIN") != 1:
                    return False
                closing = piece.rfind("\nEND", 0, end)
                limit = piece.rfind("\nBEGIN", 0, closing)
                if limit < 0 or piece.find("\n", closing + 1) != end:
                    return False
                # BEGIN:X … END:X, each on one unfolded line, names alike
                eol = piece.find("\n", limit + 1)
                opened = piece[limit + 6:eol]
                closed = piece[closing + 4:end]
                if (opened[:1] != ":" or closed[:1] != ":" or piece[eol + 1:eol + 2] in (" ", "\t")
                        or opened[1:].strip().upper() != closed[1:].strip().upper()):
                    return False
        m = _TOP.match(piece)
        if m is not None and m.end() <= limit:
            # the usual layout: DTSTART, DTEND (DTSTAMP) and UID on plain lines at the top
            first, last, uid = m.group(1, 2, 3)
            if "\\" in uid:
                uid = unescape_text(uid)
            # (an end before the start is a fault to report: read such an event in full)
            self.quick.append((line, piece, limit, uid, first, last, recurring or last < first))
            return True
        self.quick.append(_looked_up(line, piece, limit, recurring))
        return True

    def general(self, text: str, first_line: int) -> None:
        """Read every relevant content line of ``text`` (which starts with a line feed; its
        first line is ``first_line``). Cost: O(len(text))."""
        text = unfold_names(text)
        number = first_line
        last = 0
        for m in _LINE.finditer(text):
            at = m.start()
            number += text.count("\n", last, at)
            last = at
            split = _split_rest(m.group(2))
            if split is not None:
                self._line(m.group(1).upper(), split[0], split[1], number)

    def _line(self, name: str, params: str, value: str, number: int) -> None:
        stack = self.stack
        if name == "BEGIN":
            what = value.strip().upper()
            if not stack:
                if what != "VCALENDAR":
                    raise Unreadable(f"line {number}: BEGIN:{what} outside BEGIN:VCALENDAR",
                                     number)
                self.started = True
                self.finished = False
            elif what == "VCALENDAR":
                raise Unreadable(f"line {number}: BEGIN:VCALENDAR inside VCALENDAR", number)
            stack.append(what)
            depth = len(stack)
            self.event = None
            if depth == 2:
                if what == "VEVENT":
                    self.event = self.outer = RawEvent(number)
                    self.cal.events.append(self.outer)
                elif what == "VTIMEZONE":
                    self.tz = RawTimezone(number)
                    self.cal.timezones.append(self.tz)
                elif what == "VFREEBUSY":
                    self.fb = RawFreeBusy(number)
                    self.cal.freebusy.append(self.fb)
            elif depth == 3:
                if self.tz is not None and what in ("STANDARD", "DAYLIGHT"):
                    self.obs = RawObservance(what, number)
                    self.tz.observances.append(self.obs)
                elif self.outer is not None and what == "VEVENT":
                    self.outer.fail(f"BEGIN:VEVENT at line {number} inside a VEVENT", number)
            return
        if name == "END":
            what = value.strip().upper()
            if what not in stack:
                if len(stack) <= 1:
                    raise Unreadable(f"line {number}: END:{what} without BEGIN:{what}", number)
                # a misspelt end of a component inside the calendar: take it as that end
                why = f"END:{what} at line {number} does not match BEGIN:{stack[-1]}"
                if self.outer is not None:
                    self.outer.fail(why, number)
                if self.fb is not None and self.fb.problem is None:
                    self.fb.problem = why
                    self.fb.problem_line = number
                if self.tz is not None:
                    self.tz.problem = why
                what = stack[-1]
            while stack[-1] != what:
                unclosed = stack.pop()
                why = f"BEGIN:{unclosed} is not closed before END:{what} at line {number}"
                if self.outer is not None:
                    self.outer.fail(why, number)
                if self.tz is not None:
                    self.tz.problem = why
                if self.fb is not None and self.fb.problem is None:
                    self.fb.problem = why
                    self.fb.problem_line = number
            stack.pop()
            depth = len(stack)
            if depth == 0:
                self.finished = True
            if depth <= 1:
                self.outer = None
                self.tz = None
                self.fb = None
            self.obs = None
            self.event = self.outer if depth == 2 else None
            return
        event = self.event
        if event is not None:
            event.take(name, params, value, number)
            return
        depth = len(stack)
        obs = self.obs
        if obs is not None and depth == 3:
            if name == "DTSTART":
                obs.dtstart = RawProp(params, value, number)
            elif name == "TZOFFSETFROM":
                obs.offset_from = RawProp(params, value, number)
            elif name == "TZOFFSETTO":
                obs.offset_to = RawProp(params, value, number)
            elif name == "RRULE":
                obs.rrules.append(RawProp(params, value, number))
            elif name == "RDATE":
                obs.rdates.append(RawProp(params, value, number))
        elif depth == 2:
            if self.tz is not None and name == "TZID":
                self.tz.tzid = unescape_text(value) if "\\" in value else value
            elif self.fb is not None and name == "FREEBUSY":
                self.fb.periods.append(RawProp(params, value, number))
        elif depth == 1 and name == "X-WR-TIMEZONE":
            self.cal.x_wr_timezone = RawProp(params, value, number)


def scan(chunks: Iterable[str]) -> RawCalendar:
    """Read iCalendar text (given in pieces) and return what busy time needs.

    Raises :class:`Unreadable` when the text as a whole is not a complete iCalendar stream: it
    does not start with ``BEGIN:VCALENDAR``, a component ends that never began, or the text
    stops before ``END:VCALENDAR`` (a truncated download). A single broken component is not an
    error here: it is marked (``problem``) and reported by the caller. Cost: O(size of text).
    """
    scanner = _Scanner()
    for text, first_line in _batches(chunks):
        scanner.feed(text, first_line)
    if not scanner.started:
        raise Unreadable("not an iCalendar stream: no BEGIN:VCALENDAR")
    if scanner.stack or not scanner.finished:
        stack = scanner.stack
        where = f" (BEGIN:{stack[-1]} is still open)" if stack else ""
        raise Unreadable(f"the calendar ends before END:VCALENDAR{where}: truncated?")
    return scanner.cal


# ---------------------------------------------------------------------------- values

_PARAM = re.compile(r';([A-Za-z0-9-]+)=((?:"[^"]*"|[^;:,"]*)(?:,(?:"[^"]*"|[^;:,"]*))*)')
_PARAM_CACHE: dict[str, dict[str, str]] = {}
# The cache is shared by every feed read in the process: bound what it can hold in all, not
# only how many entries (4,096 entries of at most 256 characters: about 2 MB at worst).
_PARAM_CACHE_ENTRIES = 4096
_PARAM_CACHE_KEY = 256


def param_dict(params: str) -> dict[str, str]:
    """Return the parameters of a content line as ``{NAME: value}`` (names upper-cased, double
    quotes removed; a list value stays comma-separated). Raises ValueError if unreadable.

    Results are cached: a feed repeats the same few parameter strings thousands of times.
    """
    found = _PARAM_CACHE.get(params)
    if found is not None:
        return found
    out: dict[str, str] = {}
    pos = 0
    while pos < len(params):
        m = _PARAM.match(params, pos)
        if m is None:
            shown = params if len(params) <= 60 else params[:59] + "…"
            raise ValueError(f"unreadable parameters {shown!r}")
        raw = m.group(2)
        out[m.group(1).upper()] = raw.replace('"', "") if '"' in raw else raw
        pos = m.end()
    if len(params) <= _PARAM_CACHE_KEY and len(_PARAM_CACHE) < _PARAM_CACHE_ENTRIES:
        _PARAM_CACHE[params] = out
    return out


_UNESCAPE = re.compile(r"\\(.)", re.S)
_ESCAPES = {"n": "\n", "N": "\n"}


def unescape_text(value: str) -> str:
    """Return a TEXT value with its backslash escapes (``\\,`` ``\\;`` ``\\\\`` ``\\n``) undone."""
    return _UNESCAPE.sub(lambda m: _ESCAPES.get(m.group(1), m.group(1)), value)


def parse_moment(value: str) -> tuple[int, datetime]:
    """Return ``(kind, naive datetime)`` for a DATE (``20261201``), a DATE-TIME
    (``20261201T090000``) or a UTC DATE-TIME (``20261201T090000Z``). A DATE comes back at
    midnight. Raises ValueError for anything else. Cost: O(1).
    """
    v = value.strip()
    n = len(v)
    if v.isascii():
        # the usual values, read in C: what fromisoformat reads of these forms is what the
        # code below reads (anything it refuses, such as a 60th second, is left to that)
        try:
            if n == 15 and v[8] in "Tt" and v[:8].isdigit() and v[9:].isdigit():
                return FLOATING, datetime.fromisoformat(v)
            if n == 16 and v[15] in "Zz" and v[8] in "Tt" and v[:8].isdigit() \
                    and v[9:15].isdigit():
                return UTC, datetime.fromisoformat(v[:15])
            if n == 8 and v.isdigit():
                return DATE, datetime.fromisoformat(v)
        except ValueError:
            pass
    try:
        if n == 8 and v.isdigit():
            return DATE, datetime(int(v[:4]), int(v[4:6]), int(v[6:8]))
        if (n == 15 or n == 16) and v[8] in "Tt" and v[:8].isdigit() and v[9:15].isdigit():
            moment = datetime(int(v[:4]), int(v[4:6]), int(v[6:8]),
                              int(v[9:11]), int(v[11:13]), min(int(v[13:15]), 59))
            if n == 15:
                return FLOATING, moment
            if v[15] in "Zz":
                return UTC, moment
    except ValueError:
        pass
    raise ValueError(f"{value!r} is not a DATE or DATE-TIME")


_MAX_DAYS = 366 * 1000  # a DURATION longer than a thousand years is an error
_DURATION = re.compile(
    r"([+-])?P(?:(\d+)W|(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?)",
    re.IGNORECASE,
)


def parse_duration(value: str) -> tuple[int, int]:
    """Return ``(days, seconds)`` of a DURATION (``P1D``, ``PT1H30M``, ``-P2W``): nominal days
    (weeks count 7) and exact seconds, both carrying the sign. Raises ValueError."""
    v = value.strip()
    m = _DURATION.fullmatch(v)
    if m is None or v.upper() in ("P", "+P", "-P"):
        raise ValueError(f"{value!r} is not a DURATION")
    sign = -1 if m.group(1) == "-" else 1
    weeks, days, hours, minutes, seconds = (int(g) if g else 0 for g in m.groups()[1:])
    days += weeks * 7
    seconds += hours * 3600 + minutes * 60
    if days > _MAX_DAYS or seconds > _MAX_DAYS * 86400:
        raise ValueError(f"{value!r} is longer than {_MAX_DAYS // 366} years")
    return sign * days, sign * seconds


def parse_period(value: str) -> tuple[tuple[int, datetime], tuple[int, datetime] | tuple[int, int]]:
    """Return a PERIOD (``start/end`` or ``start/duration``) as ``((kind, start), end)`` where
    ``end`` is ``(kind, datetime)`` or, for a duration, ``(-1, seconds)`` (days counted as
    86400 s, as a period of time is exact). RFC 5545 wants date-times; two dates
    (``19970101/19970102``) are accepted too. Raises ValueError."""
    a, sep, b = value.strip().partition("/")
    if not sep:
        raise ValueError(f"{value!r} is not a PERIOD")
    start = parse_moment(a)
    if b[:1] in ("P", "p", "+", "-"):
        days, secs = parse_duration(b)
        return start, (-1, days * 86400 + secs)
    end = parse_moment(b)
    if (start[0] == DATE) != (end[0] == DATE):
        raise ValueError(f"{value!r}: a PERIOD's ends are both dates or both date-times")
    return start, end
