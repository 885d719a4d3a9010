"""The scanner's fast paths read exactly what the slower ones read.

:meth:`slotcalc.ical._parse._Scanner.feed` keeps the usual VEVENTs itself, looking at all the
events of a run of text at once (``plain_runs``); the others go to ``_fast_event`` (one event
at a time) and from there, if need be, to the line-by-line reader. Here:

* the scan with ``plain_runs`` and the scan without it give the same :class:`RawCalendar`
  (the same kept events, with the same line numbers, dates, UIDs and flags; the same events
  read line by line), on hand-written edge cases (folds inside the needed properties, CRLF and
  LF, ``DTSTART;TZID=…``, X-properties whose names contain DTSTART, DESCRIPTIONs whose text
  holds ``\\nDTSTART:``, names in small letters, alarms of other shapes, …) and on mangled
  copies of a Google-style feed;
* the answers (busy time and warnings) of all three ways of reading agree.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import pytest
from benchmarks.feeds import google_style_feed
from hypothesis import example, given, settings
from hypothesis import strategies as st

from slotcalc.errors import CalendarUnreadable
from slotcalc.ical import CalendarBusy, read_calendar_text
from slotcalc.ical import _parse as _ical_parse
from slotcalc.ical._parse import RawCalendar, iter_chunks, scan

WINDOW = {"start": "2026-03-01T00:00:00Z", "end": "2026-04-01T00:00:00Z"}


@contextmanager
def reading(how: str) -> Iterator[None]:
    """Scan ``"fast"`` (every fast path), ``"event"`` (one event at a time, no run-level fast
    path) or ``"line"`` (every line read by name)."""
    scanner = _ical_parse._Scanner
    original = scanner._fast_event
    try:
        if how in ("event", "line"):
            scanner.plain_runs = False
        if how == "line":
            scanner._fast_event = lambda self, piece, line: False  # type: ignore[method-assign]
        yield
    finally:
        scanner.plain_runs = True
        scanner._fast_event = original  # type: ignore[method-assign]


def _props(obj: Any) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in type(obj).__slots__}


def _shown(cal: RawCalendar) -> dict[str, Any]:
    """What a scan kept, comparable with ``==``."""
    return {
        "quick": cal.quick,
        "events": [_props(ev) for ev in cal.events],
        "timezones": [(tz.line, tz.tzid, tz.problem, [_props(o) for o in tz.observances])
                      for tz in cal.timezones],
        "freebusy": [_props(fb) for fb in cal.freebusy],
        "x_wr_timezone": cal.x_wr_timezone,
    }


def _scan(text: str, how: str, size: int | None = None) -> dict[str, Any] | str:
    with reading(how):
        try:
            chunks = iter_chunks(text, size) if size else iter_chunks(text)
            return _shown(scan(chunks))
        except _ical_parse.Unreadable as exc:
            return f"unreadable: {exc.message}"


def _read(text: str, how: str) -> CalendarBusy | str:
    with reading(how):
        try:
            return read_calendar_text(text, timezone="Europe/Berlin", **WINDOW)
        except CalendarUnreadable as exc:
            return f"unreadable: {exc}"


def assert_same(text: str, size: int | None = None) -> None:
    """The run-level fast path keeps what the event-level one keeps, and every way of reading
    gives the same answer (the line-by-line one may warn about far events the others pass
    over unread)."""
    fast = _scan(text, "fast", size)
    assert fast == _scan(text, "event", size)
    found = _read(text, "fast")
    assert found == _read(text, "event")
    slow = _read(text, "line")
    if isinstance(found, str) or isinstance(slow, str):
        assert found == slow
    else:
        assert found.intervals == slow.intervals
        assert set(found.warnings) <= set(slow.warnings)


def feed(*events: list[str], eol: str = "\r\n", head: tuple[str, ...] = ()) -> str:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//t//EN", "X-WR-TIMEZONE:Europe/Berlin",
             *head]
    for body in events:
        lines += ["BEGIN:VEVENT", *body, "END:VEVENT"]
    return eol.join([*lines, "END:VCALENDAR", ""])


TOP = ["DTSTART;TZID=Europe/Berlin:20260310T090000", "DTEND;TZID=Europe/Berlin:20260310T100000",
       "DTSTAMP:20260101T000000Z", "UID:a@example.com"]
FAR = ["DTSTART;TZID=Europe/Berlin:20240310T090000", "DTEND;TZID=Europe/Berlin:20240310T100000",
       "DTSTAMP:20260101T000000Z", "UID:far@example.com"]
ALARM = ["BEGIN:VALARM", "ACTION:DISPLAY", "TRIGGER:-PT10M", "END:VALARM"]

# Events whose every line is written the usual way, and variations on them. Each is checked
# alone, after a usual event, and with a far copy of itself (one UID).
EDGE_CASES: dict[str, list[str]] = {
    "usual": [*TOP, "SUMMARY:x"],
    "usual with alarm": [*TOP, "SUMMARY:x", *ALARM],
    "no DTSTAMP": [TOP[0], TOP[1], TOP[3]],
    "all day": ["DTSTART;VALUE=DATE:20260310", "DTEND;VALUE=DATE:20260311", *TOP[2:]],
    "utc": ["DTSTART:20260310T090000Z", "DTEND:20260310T100000Z", *TOP[2:]],
    "floating": ["DTSTART:20260310T090000", "DTEND:20260310T100000", *TOP[2:]],
    "end before start": [TOP[1].replace("DTEND", "DTSTART"), TOP[0].replace("DTSTART", "DTEND"),
                         *TOP[2:]],
    "folded DTSTART value": ["DTSTART;TZID=Europe/Berlin:2026031", " 0T090000", *TOP[1:]],
    "folded DTSTART params": ["DTSTART;TZID=Europe/", " Berlin:20260310T090000", *TOP[1:]],
    "folded DTEND": [TOP[0], "DTEND;TZID=Europe/Berlin:20260310T10", "\t0000", *TOP[2:]],
    "folded name": [TOP[0], "DT", " END;TZID=Europe/Berlin:20260310T100000", *TOP[2:]],
    "folded UID": [*TOP[:3], "UID:a@exa", " mple.com"],
    "folded DTSTAMP": [*TOP[:2], "DTSTAMP:20260101T0", " 00000Z", TOP[3]],
    "escaped UID": [*TOP[:3], "UID:a\\,b\\;c@example.com"],
    "UID first": [TOP[3], *TOP[:3]],
    "DTEND first": [TOP[1], TOP[0], *TOP[2:]],
    "no DTEND": [TOP[0], *TOP[2:]],
    "DURATION": [TOP[0], "DURATION:PT1H", *TOP[2:]],
    "Duration": [*TOP, "Duration:PT5H"],
    "RRULE": [*TOP, "RRULE:FREQ=DAILY;COUNT=3"],
    "RRULE ended": [*FAR[:3], TOP[3], "RRULE:FREQ=DAILY;UNTIL=20240320T000000Z"],
    "RDATE": [*TOP, "RDATE:20260312T090000Z"],
    "RRULE with alarm": [*TOP, "RRULE:FREQ=WEEKLY;COUNT=3", "SUMMARY:x", *ALARM],
    "RRULE and DURATION before the top": ["RRULE:FREQ=DAILY", "DURATION:PT1H", *TOP],
    "RRULE after the alarm": [*TOP, *ALARM, "RRULE:FREQ=DAILY"],
    "RRULE and small letters": [*TOP, "RRULE:FREQ=DAILY", "x-a:b"],
    "RRULE and Duration": [*TOP, "RRULE:FREQ=DAILY", "Duration:PT1H"],
    "RRULE and two alarms": [*TOP, "RRULE:FREQ=DAILY", *ALARM, *ALARM],
    "RRULE and ENDX": [*TOP, "RRULE:FREQ=DAILY", "ENDX:1"],
    "RECURRENCE-ID": [*TOP, "RECURRENCE-ID;TZID=Europe/Berlin:20260309T090000"],
    "rrule in small letters": [*TOP, "rrule:FREQ=DAILY;COUNT=3"],
    "small-letter X-property": [*TOP, "x-foo:bar"],
    "small-letter dtend again": [*TOP, "dtend:20260310T120000Z"],
    "DTSTART twice": [*TOP, "DTSTART:20260311T090000Z"],
    "Dtend twice": [*TOP, "Dtend:20260311T090000Z"],
    "X-property named like DTSTART": [*TOP, "X-DTSTART:20260311T090000Z",
                                      "X-GOOGLE-DTSTART;TZID=Europe/Berlin:20260311T090000"],
    "DTSTARTX property": ["DTSTARTX:20260311T090000Z", *TOP],
    "description holding DTSTART": [*TOP, "DESCRIPTION:moved\\nDTSTART:20260320T090000Z\\n"
                                    "END:VEVENT\\nBEGIN:VEVENT"],
    "folded description holding DTSTART": [*TOP, "DESCRIPTION:moved", " \\nDTSTART:2026032",
                                           " 0T090000Z", "\tRRULE:FREQ=DAILY"],
    "description line starting RRULE": [*TOP, "DESCRIPTION:see", " RRULE:FREQ=DAILY"],
    "line starting R": [*TOP, "RESOURCES:projector"],
    "STATUS cancelled": [*TOP, "STATUS:CANCELLED"],
    "TRANSP transparent": [*TOP, "TRANSP:TRANSPARENT"],
    "SEQUENCE": [*TOP, "SEQUENCE:3"],
    "alarm folded BEGIN": [*TOP, "BEGIN:VAL", " ARM", *ALARM[1:]],
    "alarm BEGIN folded after": [*TOP, "BEGIN:VALARM", " X", *ALARM[1:]],
    "alarm BEGIN with spaces": [*TOP, "BEGIN:VALARM ", *ALARM[1:]],
    "alarm BEGIN longer": [*TOP, "BEGIN:VALARMS", *ALARM[1:3], "END:VALARMS"],
    "alarm in small letters": [*TOP, "begin:valarm", *ALARM[1:3], "end:valarm"],
    "alarm misspelt end": [*TOP, *ALARM[:3], "END:VALARMS"],
    "alarm not last": [TOP[0], *ALARM, *TOP[1:]],
    "alarm with RRULE inside": [*TOP, *ALARM[:3], "RRULE:FREQ=DAILY", "END:VALARM"],
    "two alarms": [*TOP, *ALARM, *ALARM],
    "nested VEVENT": [*TOP, "BEGIN:VEVENT", *TOP, "END:VEVENT"],
    "other component": [*TOP, "BEGIN:X-THING", "END:X-THING"],
    "ENDX property": [*TOP, "ENDX:1"],
    "BEGINNING property": [*TOP, "BEGINNING:1"],
    "blank line": [*TOP, ""],
    "trailing spaces": [TOP[0] + " ", *TOP[1:]],
    "lowercase Z": ["DTSTART:20260310T090000z", "DTEND:20260310T100000z", *TOP[2:]],
    "Arabic-Indic digits": ["DTSTART:\u0662\u0660\u0662\u0666\u0660\u0663\u0661\u0660", *TOP[1:]],
    "TZID with colon in quotes": ['DTSTART;TZID="Europe/Berlin":20260310T090000', *TOP[1:]],
    "params with quoted colon": ['DTSTART;X-A="a:b";TZID=Europe/Berlin:20260310T090000',
                                 *TOP[1:]],
    "stray CR ending UID": [*TOP[:3], "UID:a@example.com\r"],
    "stray CR inside UID": [*TOP[:3], "UID:a\rb@example.com"],
    "stray CR ending UID, then a space line": [*TOP[:3], "UID:a@example.com\r", " b"],
    "stray CR inside DTSTART": ["DTSTART;TZID=Europe/Berlin:20260310T090000\rX:20240101",
                                *TOP[1:]],
    "stray CR ending DTEND": [TOP[0], TOP[1] + "\r", *TOP[2:]],
    "UID with a parameter": [*TOP[:3], "UID;X=1:a@example.com"],
    "UID in mixed case": [*TOP[:3], "Uid:a@example.com"],
    "UID twice, second in mixed case": [*TOP, "Uid:b@example.com"],
    "empty": [],
    "only UID": [TOP[3]],
}


@pytest.mark.parametrize("name", sorted(EDGE_CASES))
@pytest.mark.parametrize("eol", ["\r\n", "\n"])
def test_edge_cases_read_alike(name: str, eol: str) -> None:
    body = EDGE_CASES[name]
    usual = EDGE_CASES["usual"]
    far_copy = [line.replace("20260310", "20240310").replace("20260311", "20240311")
                for line in body]
    for events in ([body], [usual, body], [body, usual], [body, far_copy, [*FAR, *ALARM]],
                   [far_copy, body]):
        text = feed(*events, eol=eol)
        assert_same(text)
        assert_same(text, size=97)  # runs cut in many places


def test_the_fast_path_keeps_the_usual_events() -> None:
    text = feed(EDGE_CASES["usual"], EDGE_CASES["usual with alarm"], EDGE_CASES["no DTSTAMP"],
                EDGE_CASES["all day"])
    cal = scan(iter_chunks(text))
    # (the last event's text runs on to END:VCALENDAR: that one is read line by line)
    assert len(cal.quick) == 3 and len(cal.events) == 1
    # (line, text, limit, uid, first, last, recurring): the text is the event's, after
    # BEGIN:VEVENT; the limit stops before the alarm
    line, piece, limit, uid, first, last, recurring = cal.quick[1]
    assert (line, uid, first, last, recurring) == (12, "a@example.com", "20260310", "20260310",
                                                   False)
    assert piece[limit:].startswith("\nBEGIN:VALARM")


def test_lines_starting_like_marks_send_events_on() -> None:
    # a small-letter name, R…, DU…: the event is not taken whole by the run-level path
    for extra in ("rrule:FREQ=DAILY", "RRULE:FREQ=DAILY", "Duration:PT1H", "x-a:b"):
        text = feed([*TOP, extra])
        cal = scan(iter_chunks(text))
        assert not cal.quick or cal.quick[0][6] is True, extra


def test_a_google_style_feed_reads_alike() -> None:
    text = google_style_feed(300, 40)
    assert_same(text)
    assert _scan(text, "fast", 4096) == _scan(text, "fast")
    assert _scan(text.replace("\r\n", "\n"), "fast") == _scan(text.replace("\r\n", "\n"),
                                                               "event")


GOOGLE = google_style_feed(40, 12).split("\r\n")


@settings(max_examples=150, deadline=None)
@given(edits=st.lists(st.tuples(st.integers(0, 10**6), st.sampled_from(
    ["drop", "double", "cut", "junk", "swap", "lower", "fold", "lf"]), st.text(max_size=12)),
    max_size=6), size=st.sampled_from([None, 61, 4096]))
def test_mangled_google_feeds_read_alike(edits: list[tuple[int, str, str]],
                                         size: int | None) -> None:
    lines = list(GOOGLE)
    eols = ["\r\n"] * len(lines)
    for where, how, junk in edits:
        i = where % len(lines)
        if how == "drop" and len(lines) > 1:
            del lines[i]
            del eols[i]
        elif how == "double":
            lines.insert(i, lines[i])
            eols.insert(i, eols[i])
        elif how == "cut":
            lines[i] = lines[i][: where % (len(lines[i]) + 1)]
        elif how == "junk":
            lines[i] = lines[i][: where % (len(lines[i]) + 1)] + junk
        elif how == "swap":
            j = (where // 7) % len(lines)
            lines[i], lines[j] = lines[j], lines[i]
        elif how == "lower":
            lines[i] = lines[i].lower()
        elif how == "fold":
            cut = where % (len(lines[i]) + 1)
            lines[i] = lines[i][:cut] + "\r\n " + lines[i][cut:]
        else:
            eols[i] = "\n"
    text = "".join(line + eol for line, eol in zip(lines, eols, strict=True))
    assert_same(text, size)


@pytest.mark.parametrize("begin", ["BEGIN:VEVENT\r\n X-Y", "BEGIN:VEVENT\r\n\tX", "BEGIN:VEVENTX",
                                   "BEGIN:VEVENT ", "BEGIN:VEVENT\r", "BEGIN:VEVENT;X=1"])
@pytest.mark.parametrize("body", ["usual", "RRULE", "RRULE and DURATION before the top",
                                  "UID first"])
def test_odd_begin_lines_read_alike(begin: str, body: str) -> None:
    # the text after a BEGIN:VEVENT that is not a line of its own (folded, more after it)
    text = feed(EDGE_CASES[body], EDGE_CASES[body], EDGE_CASES["usual"])
    at = text.index("BEGIN:VEVENT", text.index("BEGIN:VEVENT") + 1)
    text = text[:at] + begin + text[at + len("BEGIN:VEVENT"):]
    for eol in ("\r\n", "\n"):
        assert_same(text.replace("\r\n", eol))


def _parse_moment_by_hand(value: str) -> tuple[int, datetime]:
    # parse_moment as it was before it let fromisoformat read the usual forms
    v = value.strip()
    n = len(v)
    try:
        if n == 8 and v.isdigit():
            return _ical_parse.DATE, datetime(int(v[:4]), int(v[4:6]), int(v[6:8]))
        if (n == 15 or n == 16) and v[8] in "Tt" and v[:8].isdigit() and v[9:15].isdigit():
            moment = datetime(int(v[:4]), int(v[4:6]), int(v[6:8]),
                              int(v[9:11]), int(v[11:13]), min(int(v[13:15]), 59))
            if n == 15:
                return _ical_parse.FLOATING, moment
            if v[15] in "Zz":
                return _ical_parse.UTC, moment
    except ValueError:
        pass
    raise ValueError(f"{value!r} is not a DATE or DATE-TIME")


MOMENT_TEXT = st.one_of(
    st.text(alphabet="0123456789Tt Zz:-\u0661\u00b2", min_size=6, max_size=18),
    st.tuples(st.integers(0, 10**8 - 1), st.sampled_from(["T", "t", "X", ""]),
              st.integers(0, 10**6 - 1), st.sampled_from(["", "Z", "z", " ", "ZZ"])).map(
        lambda p: f"{p[0]:08d}{p[1]}{p[2]:06d}{p[3]}"),
    st.datetimes().map(lambda d: d.strftime("%Y%m%dT%H%M%S")),
)


@settings(max_examples=600)
@given(text=MOMENT_TEXT)
@example(text="20260310T09:00Z")
@example(text="20260310T09:00:00")
@example(text="20260310T09:00")
@example(text="2026-03-10T0900")
@example(text="20260310T090060")
@example(text="20260310T090099Z")
@example(text="20260310T240000")
def test_parse_moment_reads_as_by_hand(text: str) -> None:
    def read(how: Any) -> Any:
        try:
            return how(text)
        except ValueError as exc:
            return str(exc)

    assert read(_ical_parse.parse_moment) == read(_parse_moment_by_hand)


EOLS = st.sampled_from(["\r\n"] * 12 + ["\n", "\r", "\r\n ", "\r\r\n"])
PARAMS = st.sampled_from(["", "", ";TZID=Europe/Berlin", ";VALUE=DATE", ";X=\"a:b\"", ";", " "])
VALUES = st.sampled_from(["20260310T090000", "20260310T090000Z", "20260310"] * 3 + [
                          "20260310T0900",
                          "\u0662\u0660\u0662\u0666\u0660\u0663\u0661\u0660", "2026031OT090000",
                          "20260310t090000", "20260310T090000ZZ", ""])
TOP_TEXT = st.tuples(EOLS, PARAMS, VALUES, EOLS, PARAMS, VALUES, EOLS,
                     st.sampled_from(["", "DTSTAMP:20260101T000000Z", "DTSTAMP:x\ry"]), EOLS,
                     st.sampled_from(["a@b", "", "a\rb", "a\\,b"])).map(
    lambda p: (f"{p[0]}DTSTART{p[1]}:{p[2]}{p[3]}DTEND{p[4]}:{p[5]}{p[6]}"
               + (f"{p[7]}{p[8]}" if p[7] else "") + f"UID:{p[9]}"))


@settings(max_examples=1000)
@given(head=TOP_TEXT, tail=st.sampled_from(["", "\r\nSUMMARY:x", "\r\n y", "\nX:1", "\r\n"]))
@example(head="\r\nDTSTART:20260310T090000\r\nDTEND:20260310T100000\r\nUID:a", tail="\r\nX")
@example(head="\r\nDTSTART;TZID=Europe/Berlin:20260310\r\nDTEND:20260310\r\nDTSTAMP:x\r\nUID:a",
         tail="\r\nX")
def test_the_crlf_top_lines_agree_with_the_general_ones(head: str, tail: str) -> None:
    text = head + tail
    fast = _ical_parse._TOP_CRLF.match(text)
    if fast is not None:
        general = _ical_parse._TOP.match(text)
        assert general is not None
        assert (fast.groups(), fast.end()) == (general.groups(), general.end())


@pytest.mark.parametrize("uid_line", ["UID:s@x\r", "UID:s@x\rjunk", "Uid:s@x", "UID;X=1:s@x"])
def test_uids_the_quick_look_cannot_read_still_group(uid_line: str) -> None:
    # a moved series (the override's UID line odd) and a far copy with a higher SEQUENCE (its
    # UID line odd): the line-by-line reading groups them with their UID; so must the fast one
    series = [["DTSTART;TZID=Europe/Berlin:20260302T090000",
               "DTEND;TZID=Europe/Berlin:20260302T100000", "DTSTAMP:20260101T000000Z",
               "UID:s@x", "RRULE:FREQ=WEEKLY;COUNT=10"],
              ["DTSTART;TZID=Europe/Berlin:20260309T140000",
               "DTEND;TZID=Europe/Berlin:20260309T150000", "DTSTAMP:20260101T000000Z",
               uid_line, "RECURRENCE-ID;RANGE=THISANDFUTURE;TZID=Europe/Berlin:20260309T090000",
               "SEQUENCE:1"],
              EDGE_CASES["usual"]]
    copies = [[*TOP[:3], "UID:p@x", "SEQUENCE:0"],
              [*FAR[:3], uid_line.replace("s@x", "p@x"), "SEQUENCE:5"],
              EDGE_CASES["usual"]]
    for events in (series, copies):
        for eol in ("\r\n", "\n"):
            assert_same(feed(*events, eol=eol))
