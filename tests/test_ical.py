"""The iCalendar adapter, one small feed per rule (SPEC §2 "Calendars", issue 5).

Every test writes its feed and the busy list it implies in full (UTC, as ``slotcalc busy``
prints it). Property tests at the end check the recurrence expansion against dateutil, the
fast scanner against the line-by-line one, and VTIMEZONE offsets against ``zoneinfo``.
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr
from hypothesis import given, settings
from hypothesis import strategies as st

from slotcalc._windows_zones import LEGACY_WINDOWS_ZONES, WINDOWS_ZONES, windows_to_iana
from slotcalc.errors import (
    CalendarFetchFailed,
    CalendarUnreadable,
    InvalidInterval,
    InvalidTimezone,
    NaiveDatetime,
)
from slotcalc.ical import (
    CalendarBusy,
    _recur,
    busy_document,
    read_calendar,
    read_calendar_bytes,
    read_calendar_file,
    read_calendar_path,
    read_calendar_text,
)
from slotcalc.ical import _parse as _ical_parse
from slotcalc.ical._parse import RawTimezone, iter_chunks, scan
from slotcalc.ical._recur import RuleError, TooManyInstances, expand, parse_rrule
from slotcalc.ical._tz import VTimezone, naive_epoch
from slotcalc.model import Busy

HEAD = ("BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//slotcalc tests//EN")


def cal(*lines: str, head: tuple[str, ...] = HEAD, eol: str = "\r\n") -> str:
    """A VCALENDAR around ``lines``."""
    return eol.join([*head, *lines, "END:VCALENDAR", ""])


def ev(*lines: str, uid: str | None = "e1") -> list[str]:
    """A VEVENT with ``lines`` (and a UID unless ``uid`` is None)."""
    return ["BEGIN:VEVENT", *([f"UID:{uid}"] if uid is not None else []), *lines, "END:VEVENT"]


def busy(source: Any, start: str, end: str, timezone: str = "UTC",
         **limits: Any) -> list[tuple[str, str]]:
    """The busy list of ``source`` in ``[start, end)`` as ("…Z", "…Z") pairs."""
    doc = busy_document(source, start, end, timezone, **limits)
    return [(b["start"], b["end"]) for b in doc["busy"]]


def warnings(source: Any, start: str, end: str, timezone: str = "UTC") -> list[tuple[str, str]]:
    doc = busy_document(source, start, end, timezone)
    return [(w["code"], w["message"]) for w in doc["warnings"]]


MARCH = ("2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z")

# ----------------------------------------------------------------------- content lines


def test_folded_lines_crlf_and_tab() -> None:
    feed = cal(*ev("DTSTART;TZID=Europe/Be", " rlin:20260310T090000",
                   "DTEND;TZID=Europe/Berlin:20260310T1", "\t00000"))
    assert busy(feed, *MARCH) == [("2026-03-10T08:00:00Z", "2026-03-10T09:00:00Z")]


def test_bare_line_feeds() -> None:
    feed = cal(*ev("DTSTART:20260310T090000Z", "DTEND:2026031", " 0T100000Z"), eol="\n")
    assert busy(feed, *MARCH) == [("2026-03-10T09:00:00Z", "2026-03-10T10:00:00Z")]


def test_quoted_parameter_with_colon_uses_the_feeds_vtimezone() -> None:
    name = "(UTC-03:00) Somewhere; Else"
    feed = cal("BEGIN:VTIMEZONE", f'TZID:{name}', "BEGIN:STANDARD",
               "DTSTART:19700101T000000", "TZOFFSETFROM:-0300", "TZOFFSETTO:-0300",
               "END:STANDARD", "END:VTIMEZONE",
               *ev(f'DTSTART;TZID="{name}":20260115T090000',
                   f'DTEND;TZID="{name}":20260115T100000'))
    assert busy(feed, "2026-01-15T00:00:00Z", "2026-01-16T00:00:00Z") == [
        ("2026-01-15T12:00:00Z", "2026-01-15T13:00:00Z")]


def test_escaped_uid_groups_override_with_master() -> None:
    feed = cal(*ev("DTSTART:20260302T090000Z", "DTEND:20260302T100000Z",
                   "RRULE:FREQ=DAILY;COUNT=3", uid="a\\,b\\;c"),
               *ev("RECURRENCE-ID:20260303T090000Z", "DTSTART:20260303T150000Z",
                   "DTEND:20260303T160000Z", uid="a\\,b\\;c"))
    assert busy(feed, *MARCH) == [
        ("2026-03-02T09:00:00Z", "2026-03-02T10:00:00Z"),
        ("2026-03-03T15:00:00Z", "2026-03-03T16:00:00Z"),
        ("2026-03-04T09:00:00Z", "2026-03-04T10:00:00Z"),
    ]


def test_value_kinds_date_utc_tzid_floating() -> None:
    feed = cal(*ev("DTSTART;VALUE=DATE:20260310", uid="all-day"),
               *ev("DTSTART:20260310T120000Z", "DTEND:20260310T123000Z", uid="utc"),
               *ev("DTSTART;TZID=Asia/Tokyo:20260310T090000",
                   "DTEND;TZID=Asia/Tokyo:20260310T100000", uid="tokyo"),
               *ev("DTSTART:20260310T150000", "DTEND:20260310T153000", uid="floating"))
    got = busy(feed, "2026-03-10T00:00:00Z", "2026-03-12T00:00:00Z", "America/New_York")
    assert got == [
        ("2026-03-10T00:00:00Z", "2026-03-10T01:00:00Z"),  # 09:00 in Tokyo
        ("2026-03-10T04:00:00Z", "2026-03-11T04:00:00Z"),  # all day in New York (EDT)
        ("2026-03-10T12:00:00Z", "2026-03-10T12:30:00Z"),
        ("2026-03-10T19:00:00Z", "2026-03-10T19:30:00Z"),  # floating: New York's 15:00
    ]


def test_rdate_periods_and_lists() -> None:
    feed = cal(*ev("DTSTART:20260301T100000Z", "DTEND:20260301T110000Z",
                   "RDATE;VALUE=PERIOD:20260305T100000Z/20260305T130000Z,"
                   "20260306T100000Z/PT30M",
                   "RDATE:20260307T080000Z"))
    assert busy(feed, *MARCH) == [
        ("2026-03-01T10:00:00Z", "2026-03-01T11:00:00Z"),
        ("2026-03-05T10:00:00Z", "2026-03-05T13:00:00Z"),
        ("2026-03-06T10:00:00Z", "2026-03-06T10:30:00Z"),
        ("2026-03-07T08:00:00Z", "2026-03-07T09:00:00Z"),
    ]


def test_exdate_list() -> None:
    feed = cal(*ev("DTSTART:20260302T080000Z", "DURATION:PT1H", "RRULE:FREQ=DAILY;COUNT=5",
                   "EXDATE:20260303T080000Z,20260305T080000Z"))
    assert busy(feed, *MARCH) == [
        ("2026-03-02T08:00:00Z", "2026-03-02T09:00:00Z"),
        ("2026-03-04T08:00:00Z", "2026-03-04T09:00:00Z"),
        ("2026-03-06T08:00:00Z", "2026-03-06T09:00:00Z"),
    ]


def test_property_names_are_case_insensitive() -> None:
    upper = cal(*ev("DTSTART:20260302T080000Z", "DTEND:20260302T090000Z",
                    "RRULE:FREQ=DAILY;COUNT=3", "EXDATE:20260303T080000Z"))
    lower = cal("begin:vevent", "uid:e1", "dtstart:20260302T080000Z",
                "Dtend:20260302T090000Z", "rrule:FREQ=DAILY;COUNT=3",
                "exDate:20260303T080000Z", "end:vevent")
    expected = [("2026-03-02T08:00:00Z", "2026-03-02T09:00:00Z"),
                ("2026-03-04T08:00:00Z", "2026-03-04T09:00:00Z")]
    assert busy(upper, *MARCH) == expected
    assert busy(lower, *MARCH) == expected


@pytest.mark.parametrize("spelling", [
    ("DTstart", "DTend", "Rrule", "Uid"), ("dtstart", "dtend", "rrule", "uid"),
    ("DTSTART", "Dtend", "rRULE", "UId"), ("DtStart", "DTEND", "RRULE", "uid"),
])
def test_mixed_case_names_in_an_otherwise_usual_feed(spelling: tuple[str, ...]) -> None:
    start, end, rule, uid = spelling
    # starts long before the window: only its end, or its rule, brings it into March
    odd = cal(*ev("DTSTART:20260302T080000Z", "DTEND:20260302T090000Z", uid="plain"),
              "BEGIN:VEVENT", f"{uid}:odd", f"{start}:20260201T080000Z",
              f"{end}:20260303T090000Z", "Begin:VALARM", "Duration:PT9H", "End:VALARM",
              "END:VEVENT",
              "BEGIN:VEVENT", "UID:weekly", "DTSTART:20260105T100000Z",
              "DTEND:20260105T110000Z", f"{rule}:FREQ=WEEKLY;COUNT=10", "END:VEVENT")
    assert busy(odd, *MARCH) == [
        ("2026-02-01T08:00:00Z", "2026-03-03T09:00:00Z"),
        ("2026-03-02T08:00:00Z", "2026-03-02T09:00:00Z"),
        ("2026-03-02T10:00:00Z", "2026-03-02T11:00:00Z"),
        ("2026-03-09T10:00:00Z", "2026-03-09T11:00:00Z"),
    ]


def test_byte_order_mark_and_leading_blank_lines() -> None:
    feed = "\ufeff\r\n\r\n" + cal(*ev("DTSTART:20260302T080000Z", "DTEND:20260302T090000Z"))
    assert busy(feed, *MARCH) == [("2026-03-02T08:00:00Z", "2026-03-02T09:00:00Z")]
    assert busy(feed.encode("utf-8"), *MARCH) == busy(feed, *MARCH)


def test_fold_inside_a_utf8_character() -> None:
    # RFC 5545 §3.1: a line may be folded between the octets of one character
    master = ("BEGIN:VEVENT\r\nUID:caf\xc3\r\n \xa9-1\r\nDTSTART:20260302T080000Z\r\n"
              "DTEND:20260302T090000Z\r\nRRULE:FREQ=DAILY;COUNT=2\r\nEND:VEVENT\r\n")
    moved = ("BEGIN:VEVENT\r\nUID:café-1\r\nRECURRENCE-ID:20260303T080000Z\r\n"
             "DTSTART:20260303T120000Z\r\nDTEND:20260303T130000Z\r\nEND:VEVENT\r\n")
    data = (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n" + master.encode("latin-1")
            + moved.encode("utf-8") + b"END:VCALENDAR\r\n")
    assert busy(data, *MARCH) == [("2026-03-02T08:00:00Z", "2026-03-02T09:00:00Z"),
                                  ("2026-03-03T12:00:00Z", "2026-03-03T13:00:00Z")]


# ----------------------------------------------------------------------- components


def test_only_vevent_counts_and_alarm_properties_are_not_the_events() -> None:
    feed = cal("BEGIN:VTODO", "UID:t", "DTSTART:20260302T080000Z", "DUE:20260302T090000Z",
               "END:VTODO",
               "BEGIN:VJOURNAL", "UID:j", "DTSTART:20260302T100000Z", "END:VJOURNAL",
               *ev("DTSTART:20260302T120000Z", "DTEND:20260302T130000Z",
                   "BEGIN:VALARM", "UID:alarm", "ACTION:DISPLAY", "TRIGGER:-PT10M",
                   "DURATION:PT5H", "REPEAT:2", "END:VALARM"))
    assert busy(feed, *MARCH) == [("2026-03-02T12:00:00Z", "2026-03-02T13:00:00Z")]


def test_vfreebusy_periods_busy_unless_free() -> None:
    feed = cal("BEGIN:VFREEBUSY", "UID:fb", "DTSTART:20260302T000000Z",
               "DTEND:20260303T000000Z",
               "FREEBUSY;FBTYPE=BUSY:20260302T090000Z/20260302T100000Z,20260302T120000Z/PT30M",
               "FREEBUSY;FBTYPE=FREE:20260302T140000Z/PT1H",
               "FREEBUSY;FBTYPE=BUSY-TENTATIVE:20260302T160000Z/PT1H",
               "FREEBUSY:20260302T180000Z/PT15M", "END:VFREEBUSY")
    assert busy(feed, *MARCH) == [
        ("2026-03-02T09:00:00Z", "2026-03-02T10:00:00Z"),
        ("2026-03-02T12:00:00Z", "2026-03-02T12:30:00Z"),
        ("2026-03-02T16:00:00Z", "2026-03-02T17:00:00Z"),
        ("2026-03-02T18:00:00Z", "2026-03-02T18:15:00Z"),
    ]


def test_x_wr_timezone_reads_floating_times() -> None:
    feed = cal(*ev("DTSTART:20260310T090000", "DTEND:20260310T100000"),
               head=(*HEAD, "X-WR-TIMEZONE:Europe/Berlin"))
    assert busy(feed, *MARCH) == [("2026-03-10T08:00:00Z", "2026-03-10T09:00:00Z")]


def test_x_wr_timezone_keeps_a_utc_series_at_its_wall_time() -> None:
    lines = ev("DTSTART:20260316T080000Z", "DTEND:20260316T090000Z",
               "RRULE:FREQ=WEEKLY;COUNT=3")
    google = cal(*lines, head=(*HEAD, "X-WR-TIMEZONE:Europe/Berlin"))
    assert busy(google, *MARCH) == [  # 09:00 in Berlin, before and after the DST change
        ("2026-03-16T08:00:00Z", "2026-03-16T09:00:00Z"),
        ("2026-03-23T08:00:00Z", "2026-03-23T09:00:00Z"),
        ("2026-03-30T07:00:00Z", "2026-03-30T08:00:00Z"),
    ]
    assert busy(cal(*lines), *MARCH)[-1] == ("2026-03-30T08:00:00Z", "2026-03-30T09:00:00Z")


def test_unknown_x_wr_timezone_warns() -> None:
    feed = cal(*ev("DTSTART:20260310T090000", "DTEND:20260310T100000"),
               head=(*HEAD, "X-WR-TIMEZONE:Nowhere/Special"))
    assert busy(feed, *MARCH) == [("2026-03-10T09:00:00Z", "2026-03-10T10:00:00Z")]
    (code, message), = warnings(feed, *MARCH)
    assert code == "calendar_unknown_tzid" and "line 4" in message


# ----------------------------------------------------------------------- recurrence


@pytest.mark.parametrize(("rule", "start", "length", "expected"), [
    ("FREQ=YEARLY;COUNT=3", "20240229T100000Z", "PT1H",
     ["2024-02-29T10:00:00Z", "2028-02-29T10:00:00Z", "2032-02-29T10:00:00Z"]),
    ("FREQ=MONTHLY;COUNT=4", "20260131T100000Z", "PT1H",
     ["2026-01-31T10:00:00Z", "2026-03-31T10:00:00Z", "2026-05-31T10:00:00Z",
      "2026-07-31T10:00:00Z"]),
    ("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,FR;COUNT=4", "20260302T100000Z", "PT1H",
     ["2026-03-02T10:00:00Z", "2026-03-06T10:00:00Z", "2026-03-16T10:00:00Z",
      "2026-03-20T10:00:00Z"]),
    ("FREQ=DAILY;INTERVAL=3;COUNT=3", "20260301T100000Z", "PT1H",
     ["2026-03-01T10:00:00Z", "2026-03-04T10:00:00Z", "2026-03-07T10:00:00Z"]),
    ("FREQ=HOURLY;INTERVAL=5;COUNT=3", "20260301T220000Z", "PT30M",
     ["2026-03-01T22:00:00Z", "2026-03-02T03:00:00Z", "2026-03-02T08:00:00Z"]),
    ("FREQ=MINUTELY;INTERVAL=20;COUNT=3", "20260301T090000Z", "PT10M",
     ["2026-03-01T09:00:00Z", "2026-03-01T09:20:00Z", "2026-03-01T09:40:00Z"]),
    ("FREQ=SECONDLY;INTERVAL=30;COUNT=3", "20260301T090000Z", "PT10S",
     ["2026-03-01T09:00:00Z", "2026-03-01T09:00:30Z", "2026-03-01T09:01:00Z"]),
    ("FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=3", "20260131T100000Z", "PT1H",
     ["2026-01-31T10:00:00Z", "2026-02-28T10:00:00Z", "2026-03-31T10:00:00Z"]),
    ("FREQ=MONTHLY;BYDAY=2TU;COUNT=2", "20260310T100000Z", "PT1H",
     ["2026-03-10T10:00:00Z", "2026-04-14T10:00:00Z"]),
    ("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=2", "20260331T100000Z", "PT1H",
     ["2026-03-31T10:00:00Z", "2026-04-30T10:00:00Z"]),
    ("FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO;COUNT=2", "20260511T100000Z", "PT1H",
     ["2026-05-11T10:00:00Z", "2027-05-17T10:00:00Z"]),
    ("FREQ=YEARLY;BYYEARDAY=100;COUNT=2", "20260410T100000Z", "PT1H",
     ["2026-04-10T10:00:00Z", "2027-04-10T10:00:00Z"]),
    ("FREQ=DAILY;BYHOUR=9,17;COUNT=3", "20260302T090000Z", "PT1H",
     ["2026-03-02T09:00:00Z", "2026-03-02T17:00:00Z", "2026-03-03T09:00:00Z"]),
    ("FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU;COUNT=2", "20260329T100000Z", "PT1H",
     ["2026-03-29T10:00:00Z", "2027-03-28T10:00:00Z"]),
])
def test_every_freq_and_byxxx(rule: str, start: str, length: str, expected: list[str]) -> None:
    feed = cal(*ev(f"DTSTART:{start}", f"DURATION:{length}", f"RRULE:{rule}"))
    got = busy(feed, "2024-01-01T00:00:00Z", "2033-01-01T00:00:00Z")
    assert [a for a, _ in got] == expected


def test_byday_mixing_every_and_nth_weekday_is_their_union() -> None:
    feed = cal(*ev("DTSTART:20260302T100000Z", "DURATION:PT1H",
                   "RRULE:FREQ=MONTHLY;BYDAY=MO,-1FR"))
    got = busy(feed, *MARCH)
    assert [a[:10] for a, _ in got] == ["2026-03-02", "2026-03-09", "2026-03-16",
                                        "2026-03-23", "2026-03-27", "2026-03-30"]


def test_several_rrules_add_up_and_count_with_until_both_apply() -> None:
    feed = cal(*ev("DTSTART:20260302T090000Z", "DURATION:PT1H",
                   "RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=2", "RRULE:FREQ=WEEKLY;BYDAY=WE;COUNT=2"),
               *ev("DTSTART:20260316T120000Z", "DURATION:PT1H",
                   "RRULE:FREQ=DAILY;COUNT=10;UNTIL=20260318T120000Z", uid="both"))
    assert busy(feed, *MARCH) == [
        ("2026-03-02T09:00:00Z", "2026-03-02T10:00:00Z"),
        ("2026-03-04T09:00:00Z", "2026-03-04T10:00:00Z"),
        ("2026-03-09T09:00:00Z", "2026-03-09T10:00:00Z"),
        ("2026-03-11T09:00:00Z", "2026-03-11T10:00:00Z"),
        ("2026-03-16T12:00:00Z", "2026-03-16T13:00:00Z"),
        ("2026-03-17T12:00:00Z", "2026-03-17T13:00:00Z"),
        ("2026-03-18T12:00:00Z", "2026-03-18T13:00:00Z"),
    ]


def test_long_instance_of_a_series_that_ended_reaches_into_the_window() -> None:
    feed = cal(*ev("DTSTART;VALUE=DATE:20260201", "DTEND;VALUE=DATE:20260211",
                   "RRULE:FREQ=WEEKLY;UNTIL=20260222"),
               *ev("DTSTART:20250105T100000Z", "DTEND:20250105T110000Z",
                   "RRULE:FREQ=DAILY;UNTIL=20250301T000000Z", uid="long-gone"))
    assert busy(feed, *MARCH) == [("2026-02-22T00:00:00Z", "2026-03-04T00:00:00Z")]


def test_count_counts_from_dtstart_in_an_old_series() -> None:
    feed = cal(*ev("DTSTART:20100101T090000Z", "DTEND:20100101T100000Z",
                   "RRULE:FREQ=DAILY;COUNT=6000"))  # the 6000th day is 2026-06-05
    assert busy(feed, "2026-06-03T00:00:00Z", "2026-06-10T00:00:00Z") == [
        ("2026-06-03T09:00:00Z", "2026-06-03T10:00:00Z"),
        ("2026-06-04T09:00:00Z", "2026-06-04T10:00:00Z"),
        ("2026-06-05T09:00:00Z", "2026-06-05T10:00:00Z"),
    ]


def test_count_with_filters_in_an_old_series() -> None:
    feed = cal(*ev("DTSTART:20100104T090000Z", "DTEND:20100104T100000Z",
                   "RRULE:FREQ=MONTHLY;BYDAY=1MO,3MO;COUNT=391"))
    # two a month from January 2010: the 391st is April 2026's first Monday
    got = busy(feed, "2026-04-01T00:00:00Z", "2026-06-01T00:00:00Z")
    assert got == [("2026-04-06T09:00:00Z", "2026-04-06T10:00:00Z")]


@pytest.mark.parametrize(("until", "days"), [
    ("20260326T080000Z", [23, 24, 25, 26]),  # UTC: an instant (09:00 in Berlin on the 26th)
    ("20260325T090000", [23, 24, 25]),  # floating: the series' wall time
    ("20260324", [23, 24]),  # a date with a date-time DTSTART: that whole day
    ("20260322T000000Z", []),  # before DTSTART: not even DTSTART
])
def test_until_in_any_form(until: str, days: list[int]) -> None:
    feed = cal(*ev("DTSTART;TZID=Europe/Berlin:20260323T090000",
                   "DTEND;TZID=Europe/Berlin:20260323T093000",
                   f"RRULE:FREQ=DAILY;UNTIL={until}"))
    got = busy(feed, *MARCH)
    assert got == [(f"2026-03-{d}T08:00:00Z", f"2026-03-{d}T08:30:00Z") for d in days]


def test_until_date_on_an_all_day_series() -> None:
    feed = cal(*ev("DTSTART;VALUE=DATE:20260323", "RRULE:FREQ=DAILY;UNTIL=20260325"))
    assert busy(feed, *MARCH) == [("2026-03-23T00:00:00Z", "2026-03-24T00:00:00Z"),
                                  ("2026-03-24T00:00:00Z", "2026-03-25T00:00:00Z"),
                                  ("2026-03-25T00:00:00Z", "2026-03-26T00:00:00Z")]


def test_rdate_dates_on_an_all_day_event() -> None:
    feed = cal(*ev("DTSTART;VALUE=DATE:20260301", "RDATE;VALUE=DATE:20260310,20260312"))
    assert busy(feed, *MARCH, "Europe/Berlin") == [
        ("2026-02-28T23:00:00Z", "2026-03-01T23:00:00Z"),
        ("2026-03-09T23:00:00Z", "2026-03-10T23:00:00Z"),
        ("2026-03-11T23:00:00Z", "2026-03-12T23:00:00Z"),
    ]


def test_exdate_matches_by_instant_and_by_date() -> None:
    series = ("DTSTART;TZID=Europe/Berlin:20260302T090000", "DURATION:PT1H",
              "RRULE:FREQ=DAILY;COUNT=3")
    by_instant = cal(*ev(*series, "EXDATE:20260303T080000Z"))
    by_date = cal(*ev(*series, "EXDATE;VALUE=DATE:20260303"))
    expected = [("2026-03-02T08:00:00Z", "2026-03-02T09:00:00Z"),
                ("2026-03-04T08:00:00Z", "2026-03-04T09:00:00Z")]
    assert busy(by_instant, *MARCH) == expected
    assert busy(by_date, *MARCH) == expected


SERIES = ("DTSTART:20260302T090000Z", "DTEND:20260302T100000Z", "RRULE:FREQ=DAILY;COUNT=3")


def test_recurrence_id_moves_one_instance() -> None:
    feed = cal(*ev(*SERIES), *ev("RECURRENCE-ID:20260303T090000Z",
                                 "DTSTART:20260303T150000Z", "DTEND:20260303T160000Z"))
    assert busy(feed, *MARCH) == [("2026-03-02T09:00:00Z", "2026-03-02T10:00:00Z"),
                                  ("2026-03-03T15:00:00Z", "2026-03-03T16:00:00Z"),
                                  ("2026-03-04T09:00:00Z", "2026-03-04T10:00:00Z")]


def test_recurrence_id_cancels_one_instance() -> None:
    feed = cal(*ev(*SERIES), *ev("RECURRENCE-ID:20260303T090000Z", "DTSTART:20260303T090000Z",
                                 "DTEND:20260303T100000Z", "STATUS:CANCELLED"))
    assert busy(feed, *MARCH) == [("2026-03-02T09:00:00Z", "2026-03-02T10:00:00Z"),
                                  ("2026-03-04T09:00:00Z", "2026-03-04T10:00:00Z")]


def test_override_with_only_a_recurrence_id_keeps_its_time() -> None:
    feed = cal(*ev(*SERIES), *ev("RECURRENCE-ID:20260303T090000Z", "TRANSP:TRANSPARENT"))
    assert busy(feed, *MARCH) == [("2026-03-02T09:00:00Z", "2026-03-02T10:00:00Z"),
                                  ("2026-03-04T09:00:00Z", "2026-03-04T10:00:00Z")]


def test_range_thisandfuture_shifts_and_restyles_later_instances() -> None:
    feed = cal(*ev("DTSTART:20260302T090000Z", "DTEND:20260302T100000Z",
                   "RRULE:FREQ=DAILY;COUNT=5"),
               *ev("RECURRENCE-ID;RANGE=THISANDFUTURE:20260304T090000Z",
                   "DTSTART:20260304T110000Z", "DTEND:20260304T113000Z"))
    assert busy(feed, *MARCH) == [
        ("2026-03-02T09:00:00Z", "2026-03-02T10:00:00Z"),
        ("2026-03-03T09:00:00Z", "2026-03-03T10:00:00Z"),
        ("2026-03-04T11:00:00Z", "2026-03-04T11:30:00Z"),
        ("2026-03-05T11:00:00Z", "2026-03-05T11:30:00Z"),
        ("2026-03-06T11:00:00Z", "2026-03-06T11:30:00Z"),
    ]


def test_override_without_master_is_an_event() -> None:
    feed = cal(*ev("RECURRENCE-ID:20260303T090000Z", "DTSTART:20260303T120000Z",
                   "DTEND:20260303T130000Z"))
    assert busy(feed, *MARCH) == [("2026-03-03T12:00:00Z", "2026-03-03T13:00:00Z")]


def test_highest_sequence_wins_ties_all_count() -> None:
    newer = cal(*ev("SEQUENCE:1", "DTSTART:20260302T090000Z", "DTEND:20260302T100000Z"),
                *ev("SEQUENCE:2", "DTSTART:20260302T110000Z", "DTEND:20260302T120000Z"))
    assert busy(newer, *MARCH) == [("2026-03-02T11:00:00Z", "2026-03-02T12:00:00Z")]
    tie = cal(*ev("SEQUENCE:3", "DTSTART:20260302T090000Z", "DTEND:20260302T100000Z"),
              *ev("SEQUENCE:3", "DTSTART:20260302T110000Z", "DTEND:20260302T120000Z"))
    assert busy(tie, *MARCH) == [("2026-03-02T09:00:00Z", "2026-03-02T10:00:00Z"),
                                 ("2026-03-02T11:00:00Z", "2026-03-02T12:00:00Z")]


def test_override_of_an_instance_the_master_excludes_is_dropped() -> None:
    feed = cal(*ev("SEQUENCE:2", *SERIES, "EXDATE:20260303T090000Z"),
               *ev("SEQUENCE:1", "RECURRENCE-ID:20260303T090000Z",
                   "DTSTART:20260303T150000Z", "DTEND:20260303T160000Z"))
    assert busy(feed, *MARCH) == [("2026-03-02T09:00:00Z", "2026-03-02T10:00:00Z"),
                                  ("2026-03-04T09:00:00Z", "2026-03-04T10:00:00Z")]


# ----------------------------------------------------------------------- DST


def test_nine_in_berlin_stays_nine_across_dst() -> None:
    feed = cal(*ev("DTSTART;TZID=Europe/Berlin:20260323T090000",
                   "DTEND;TZID=Europe/Berlin:20260323T100000", "RRULE:FREQ=WEEKLY;COUNT=2"))
    assert busy(feed, *MARCH) == [("2026-03-23T08:00:00Z", "2026-03-23T09:00:00Z"),
                                  ("2026-03-30T07:00:00Z", "2026-03-30T08:00:00Z")]


def test_gap_and_fold_follow_rfc5545() -> None:
    gap = cal(*ev("DTSTART;TZID=Europe/Berlin:20260329T023000",  # does not exist: 03:30 CEST
                  "DTEND;TZID=Europe/Berlin:20260329T043000"))
    assert busy(gap, *MARCH) == [("2026-03-29T01:30:00Z", "2026-03-29T02:30:00Z")]
    fold = cal(*ev("DTSTART;TZID=Europe/Berlin:20261025T023000",  # twice: the first, CEST
                   "DTEND;TZID=Europe/Berlin:20261025T033000"))
    assert busy(fold, "2026-10-01T00:00:00Z", "2026-11-01T00:00:00Z") == [
        ("2026-10-25T00:30:00Z", "2026-10-25T02:30:00Z")]


def test_daily_series_through_the_gap() -> None:
    feed = cal(*ev("DTSTART;TZID=Europe/Berlin:20260328T023000",
                   "DTEND;TZID=Europe/Berlin:20260328T030000", "RRULE:FREQ=DAILY;COUNT=3"))
    assert busy(feed, *MARCH) == [("2026-03-28T01:30:00Z", "2026-03-28T02:00:00Z"),
                                  ("2026-03-29T01:30:00Z", "2026-03-29T02:00:00Z"),
                                  ("2026-03-30T00:30:00Z", "2026-03-30T01:00:00Z")]


def test_dtend_length_is_wall_clock_duration_days_are_nominal() -> None:
    nightly = cal(*ev("DTSTART;TZID=Europe/Berlin:20260327T220000",
                      "DTEND;TZID=Europe/Berlin:20260328T060000", "RRULE:FREQ=DAILY;COUNT=3"))
    assert busy(nightly, *MARCH) == [  # 22:00 to 06:00 every night, 7 hours on the DST night
        ("2026-03-27T21:00:00Z", "2026-03-28T05:00:00Z"),
        ("2026-03-28T21:00:00Z", "2026-03-29T04:00:00Z"),
        ("2026-03-29T20:00:00Z", "2026-03-30T04:00:00Z")]
    flight = cal(*ev("DTSTART;TZID=Europe/Berlin:20260328T100000",  # 8:50 in the air
                     "DTEND;TZID=America/New_York:20260328T135000", "RRULE:FREQ=DAILY;COUNT=2"))
    assert busy(flight, *MARCH) == [("2026-03-28T09:00:00Z", "2026-03-28T17:50:00Z"),
                                    ("2026-03-29T08:00:00Z", "2026-03-29T16:50:00Z")]
    nominal = cal(*ev("DTSTART;TZID=Europe/Berlin:20260328T120000", "DURATION:P1D"))
    assert busy(nominal, *MARCH) == [("2026-03-28T11:00:00Z", "2026-03-29T10:00:00Z")]
    hours = cal(*ev("DTSTART;TZID=Europe/Berlin:20260328T120000", "DURATION:PT24H"))
    assert busy(hours, *MARCH) == [("2026-03-28T11:00:00Z", "2026-03-29T11:00:00Z")]


def test_old_daily_series_is_jumped_not_walked() -> None:
    feed = cal(*ev("DTSTART;TZID=America/New_York:20100104T090000", "DURATION:PT30M",
                   "RRULE:FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=9,14"))
    begin = time.perf_counter()
    got = busy(feed, "2026-03-06T00:00:00Z", "2026-03-10T00:00:00Z")
    assert time.perf_counter() - begin < 0.5
    assert got == [("2026-03-06T14:00:00Z", "2026-03-06T14:30:00Z"),  # EST
                   ("2026-03-06T19:00:00Z", "2026-03-06T19:30:00Z"),
                   ("2026-03-09T13:00:00Z", "2026-03-09T13:30:00Z"),  # EDT from the 8th
                   ("2026-03-09T18:00:00Z", "2026-03-09T18:30:00Z")]


# ----------------------------------------------------------------------- time zones

STALE_NEW_YORK = ("BEGIN:VTIMEZONE", "TZID:America/New_York", "BEGIN:STANDARD",
                  "DTSTART:19700101T000000", "TZOFFSETFROM:-0500", "TZOFFSETTO:-0500",
                  "END:STANDARD", "END:VTIMEZONE")
US_RULES = ("BEGIN:DAYLIGHT", "TZOFFSETFROM:-0500", "TZOFFSETTO:-0400",
            "DTSTART:20070311T020000", "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU", "END:DAYLIGHT",
            "BEGIN:STANDARD", "TZOFFSETFROM:-0400", "TZOFFSETTO:-0500",
            "DTSTART:20071104T020000", "RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU", "END:STANDARD")
JULY = ("2026-07-01T00:00:00Z", "2026-07-02T00:00:00Z")


def test_iana_tzid_uses_current_rules_over_a_stale_vtimezone() -> None:
    feed = cal(*STALE_NEW_YORK, *ev("DTSTART;TZID=America/New_York:20260701T090000",
                                    "DTEND;TZID=America/New_York:20260701T100000"))
    assert busy(feed, *JULY) == [("2026-07-01T13:00:00Z", "2026-07-01T14:00:00Z")]


@pytest.mark.parametrize(("name", "utc"), [
    ("W. Europe Standard Time", "07:00"), ("Pacific Standard Time", "16:00"),
    ("Eastern Standard Time", "13:00"), ("Tokyo Standard Time", "00:00"),
])
def test_windows_names_map_through_cldr(name: str, utc: str) -> None:
    feed = cal(*ev(f'DTSTART;TZID="{name}":20260701T090000', "DURATION:PT1H"))
    assert busy(feed, "2026-06-30T00:00:00Z", "2026-07-02T00:00:00Z")[0][0][11:16] == utc


def test_other_tzid_uses_the_feeds_vtimezone() -> None:
    name = "/mozilla.org/20070129_1/America/New_York"
    feed = cal("BEGIN:VTIMEZONE", f"TZID:{name}", *US_RULES, "END:VTIMEZONE",
               *ev(f"DTSTART;TZID={name}:20260701T090000", "DURATION:PT1H",
                   "RRULE:FREQ=MONTHLY;COUNT=6"))
    got = busy(feed, "2026-07-01T00:00:00Z", "2027-01-01T00:00:00Z")
    assert [a for a, _ in got] == ["2026-07-01T13:00:00Z", "2026-08-01T13:00:00Z",
                                   "2026-09-01T13:00:00Z", "2026-10-01T13:00:00Z",
                                   "2026-11-01T14:00:00Z", "2026-12-01T14:00:00Z"]


def test_vtimezone_with_rdate_onsets() -> None:
    feed = cal("BEGIN:VTIMEZONE", "TZID:Custom", "BEGIN:STANDARD", "DTSTART:20000101T000000",
               "TZOFFSETFROM:+0100", "TZOFFSETTO:+0100", "END:STANDARD",
               "BEGIN:DAYLIGHT", "DTSTART:20260601T000000", "RDATE:20270601T000000",
               "TZOFFSETFROM:+0100", "TZOFFSETTO:+0300", "END:DAYLIGHT",
               "BEGIN:STANDARD", "DTSTART:20260901T000000", "TZOFFSETFROM:+0300",
               "TZOFFSETTO:+0100", "END:STANDARD", "END:VTIMEZONE",
               *ev("DTSTART;TZID=Custom:20260515T120000", "DURATION:PT1H",
                   "RDATE;TZID=Custom:20260615T120000,20261015T120000"))
    got = busy(feed, "2026-05-01T00:00:00Z", "2026-11-01T00:00:00Z")
    assert [a for a, _ in got] == ["2026-05-15T11:00:00Z", "2026-06-15T09:00:00Z",
                                   "2026-10-15T11:00:00Z"]


def test_unknown_tzid_warns_and_uses_the_schedules_zone() -> None:
    feed = cal(*ev("DTSTART;TZID=Mars/Olympus_Mons:20260310T090000", "DURATION:PT1H"))
    assert busy(feed, *MARCH, "Europe/Berlin") == [
        ("2026-03-10T08:00:00Z", "2026-03-10T09:00:00Z")]
    (code, message), = warnings(feed, *MARCH, "Europe/Berlin")
    assert code == "calendar_unknown_tzid"
    assert "line 6" in message and "Mars/Olympus_Mons" in message


def test_windows_table_targets_load() -> None:
    for name, zone in (*WINDOWS_ZONES.items(), *LEGACY_WINDOWS_ZONES.items()):
        ZoneInfo(zone)
        assert windows_to_iana(name.upper()) == zone
    assert len(WINDOWS_ZONES) > 130
    assert windows_to_iana("Not A Zone") is None


# ----------------------------------------------------------------------- what is busy


def test_transparent_and_cancelled_are_free_tentative_is_busy() -> None:
    feed = cal(*ev("DTSTART:20260302T080000Z", "DURATION:PT1H", "TRANSP:TRANSPARENT",
                   uid="t"),
               *ev("DTSTART:20260302T090000Z", "DURATION:PT1H", "STATUS:CANCELLED", uid="c"),
               *ev("DTSTART:20260302T100000Z", "DURATION:PT1H", "STATUS:TENTATIVE", uid="m"),
               *ev("DTSTART:20260302T110000Z", "DURATION:PT1H", "STATUS:CONFIRMED",
                   "TRANSP:OPAQUE", uid="o"))
    assert busy(feed, *MARCH) == [("2026-03-02T10:00:00Z", "2026-03-02T11:00:00Z"),
                                  ("2026-03-02T11:00:00Z", "2026-03-02T12:00:00Z")]


def test_all_day_blocks_local_midnight_to_midnight() -> None:
    feed = cal(*ev("DTSTART;VALUE=DATE:20260329", "DTEND;VALUE=DATE:20260331"))
    assert busy(feed, *MARCH, "Europe/Berlin") == [  # the 29th has 23 hours
        ("2026-03-28T23:00:00Z", "2026-03-30T22:00:00Z")]


def test_missing_dtend() -> None:
    feed = cal(*ev("DTSTART:20260302T080000Z", "DURATION:PT45M", uid="d"),
               *ev("DTSTART;VALUE=DATE:20260303", uid="day"),
               *ev("DTSTART:20260304T080000Z", uid="point"))  # zero length: blocks nothing
    assert busy(feed, *MARCH) == [("2026-03-02T08:00:00Z", "2026-03-02T08:45:00Z"),
                                  ("2026-03-03T00:00:00Z", "2026-03-04T00:00:00Z")]


def test_instances_are_listed_one_by_one_and_clipped_by_overlap_only() -> None:
    feed = cal(*ev("DTSTART:20260302T080000Z", "DURATION:PT2H", uid="a"),
               *ev("DTSTART:20260302T080000Z", "DURATION:PT2H", uid="b"),
               *ev("DTSTART:20260302T090000Z", "DURATION:PT3H", uid="c"))
    got = busy(feed, "2026-03-02T09:30:00Z", "2026-03-02T09:45:00Z")
    assert got == [("2026-03-02T08:00:00Z", "2026-03-02T10:00:00Z"),
                   ("2026-03-02T08:00:00Z", "2026-03-02T10:00:00Z"),
                   ("2026-03-02T09:00:00Z", "2026-03-02T12:00:00Z")]
    assert busy(feed, "2026-03-02T12:00:00Z", "2026-03-02T13:00:00Z") == []


# ----------------------------------------------------------------------- bad input


@pytest.mark.parametrize("text", [
    cal(*ev("DTSTART:20260302T080000Z", "DURATION:PT1H"))[:-len("END:VCALENDAR\r\n")],
    cal(*ev("DTSTART:20260302T080000Z", "DURATION:PT1H"))[:60],
    "<!DOCTYPE html>\n<html><body>Sign in</body></html>\n",
    "",
    "BEGIN:VCALENDAR\r\n",
    cal("END:VEVENT"),
    "BEGIN:VCALENDAR\r\nBEGIN:VCALENDAR\r\nEND:VCALENDAR\r\nEND:VCALENDAR\r\n",
])
def test_unreadable_calendars_are_errors_not_empty(text: str) -> None:
    with pytest.raises(CalendarUnreadable) as info:
        read_calendar_text(text, start=MARCH[0], end=MARCH[1])
    assert info.value.code == "calendar_unreadable"


def test_truncated_bytes_and_file_are_errors_too(tmp_path: Path) -> None:
    data = cal(*ev("DTSTART:20260302T080000Z", "DURATION:PT1H")).encode()[:-20]
    with pytest.raises(CalendarUnreadable):
        read_calendar_bytes(data, start=MARCH[0], end=MARCH[1])
    (tmp_path / "cut.ics").write_bytes(data)
    with pytest.raises(CalendarUnreadable):
        read_calendar(tmp_path / "cut.ics", start=MARCH[0], end=MARCH[1])


@pytest.mark.parametrize(("lines", "why"), [
    (("DTSTART:2026-03-02", "DURATION:PT1H"), "DTSTART"),
    (("DTSTART:20260302T080000Z", "DTEND:20260302T070000Z"), "before DTSTART"),
    (("DTSTART:20260302T080000Z", "DTSTART:20260302T090000Z"), "twice"),
    (("DTSTART:20260302T080000Z", "RRULE:FREQ=FORTNIGHTLY"), "FORTNIGHTLY"),
    (("DTSTART:20260302T080000Z", "RRULE:FREQ=DAILY;BYMONTHDAY=40"), "out of range"),
    (("DURATION:PT1H",), "no DTSTART"),
    (("DTSTART:20260302T080000Z", "DURATION:PT1X"), "DURATION"),
    (("DTSTART:20260302T080000Z", "DURATION:PT1H", "EXDATE:2026030"), "EXDATE"),
    (("DTSTART:20260302T080000Z", "DURATION:PT1H", "BEGIN:VALARM"), "VALARM"),
])
def test_broken_component_is_skipped_with_its_line(lines: tuple[str, ...], why: str) -> None:
    feed = cal(*ev("DTSTART:20260305T080000Z", "DURATION:PT1H", uid="good"),
               *ev(*lines, "RRULE:FREQ=DAILY;COUNT=2" if "EXDATE" in why else "X-A:1",
                   uid="bad"))
    assert busy(feed, *MARCH) == [("2026-03-05T08:00:00Z", "2026-03-05T09:00:00Z")]
    (code, message), = warnings(feed, *MARCH)
    assert code == "calendar_component_skipped"
    assert message.startswith("line 9: VEVENT skipped") and why in message


def test_misspelt_end_of_an_event_ends_it_and_skips_it() -> None:
    feed = cal(*ev("DTSTART:20260302T080000Z", "DURATION:PT1H")[:-1], "END:VEVENTT",
               *ev("DTSTART:20260305T080000Z", "DURATION:PT1H", uid="next"),
               "BEGIN:VTODO", "UID:t", "END:VTOOD")
    assert busy(feed, *MARCH) == [("2026-03-05T08:00:00Z", "2026-03-05T09:00:00Z")]
    (code, message), = warnings(feed, *MARCH)
    assert code == "calendar_component_skipped"
    assert message.startswith("line 4: VEVENT skipped: END:VEVENTT at line 8")


def test_broken_vfreebusy_is_skipped() -> None:
    feed = cal("BEGIN:VFREEBUSY", "FREEBUSY:20260302T090000Z/junk", "END:VFREEBUSY",
               *ev("DTSTART:20260305T080000Z", "DURATION:PT1H"))
    assert busy(feed, *MARCH) == [("2026-03-05T08:00:00Z", "2026-03-05T09:00:00Z")]
    (code, message), = warnings(feed, *MARCH)
    assert code == "calendar_component_skipped" and message.startswith("line 4: VFREEBUSY")


def test_secondly_for_a_year_is_refused_quickly() -> None:
    feed = cal(*ev("DTSTART:20260101T000000Z", "DURATION:PT1S", "RRULE:FREQ=SECONDLY"))
    begin = time.perf_counter()
    with pytest.raises(CalendarUnreadable, match="max_instances") as info:
        read_calendar_text(feed, start="2026-01-01T00:00:00Z", end="2027-01-01T00:00:00Z")
    assert time.perf_counter() - begin < 1.0
    assert info.value.message.startswith("line 4: the VEVENT's RRULE:FREQ=SECONDLY")


def test_max_instances_per_rule_and_in_all() -> None:
    one_rule = cal(*ev("DTSTART:20260302T080000Z", "DURATION:PT1H",
                       "RRULE:FREQ=DAILY;BYHOUR=8,9,10;COUNT=30"))
    with pytest.raises(CalendarUnreadable, match="max_instances"):
        read_calendar_text(one_rule, start=MARCH[0], end=MARCH[1], max_instances=20)
    assert len(read_calendar_text(one_rule, start=MARCH[0], end=MARCH[1],
                                  max_instances=30).intervals) == 30
    many = cal(*[line for n in range(6) for line in ev(
        f"DTSTART:2026030{n + 1}T080000Z", "DURATION:PT1H", uid=f"u{n}")])
    with pytest.raises(CalendarUnreadable, match="max_instances"):
        read_calendar_text(many, start=MARCH[0], end=MARCH[1], max_instances=5)


@pytest.mark.parametrize("rule", [
    "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",
    "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=6",
    "FREQ=MONTHLY;INTERVAL=3;BYMONTH=7",
    "FREQ=DAILY;INTERVAL=7;BYDAY=TU",
    "FREQ=YEARLY;BYMONTH=4;BYMONTHDAY=31",
    "FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=30",
])
def test_rules_that_never_match_return_quickly(rule: str) -> None:
    feed = cal(*ev("DTSTART:20250804T090000Z", "DURATION:PT1H", f"RRULE:{rule}"))
    begin = time.perf_counter()
    got = busy(feed, "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z")
    assert time.perf_counter() - begin < 0.5
    assert got == []  # DTSTART itself lies before the window


def test_window_and_zone_are_checked() -> None:
    feed = cal(*ev("DTSTART:20260302T080000Z", "DURATION:PT1H"))
    with pytest.raises(InvalidInterval):
        read_calendar_text(feed, start=MARCH[1], end=MARCH[0])
    with pytest.raises(NaiveDatetime):
        read_calendar_text(feed, start="2026-03-01T00:00:00", end=MARCH[1])
    with pytest.raises(InvalidTimezone) as info:
        read_calendar_text(feed, start=MARCH[0], end=MARCH[1], timezone="Mars/Base")
    assert info.value.path == "/timezone"
    epoch = read_calendar_text(feed, start=1772323200, end=1775001600)  # March 2026 in seconds
    assert epoch.intervals == [(1772438400, 1772442000)]


def test_max_bytes_applies_to_every_source(tmp_path: Path) -> None:
    feed = cal(*ev("DTSTART:20260302T080000Z", "DURATION:PT1H"))
    path = tmp_path / "feed.ics"
    path.write_text(feed)
    for source in (feed, feed.encode(), path, io.BytesIO(feed.encode()), io.StringIO(feed)):
        with pytest.raises(CalendarUnreadable, match="max_bytes"):
            read_calendar(source, start=MARCH[0], end=MARCH[1], max_bytes=50)


# ----------------------------------------------------------------------- sources


def test_every_kind_of_source(tmp_path: Path) -> None:
    feed = cal(*ev("DTSTART:20260302T080000Z", "DURATION:PT1H"))
    path = tmp_path / "feed.ics"
    path.write_bytes(feed.encode())
    expected = [(1772438400, 1772442000)]
    sources: list[Any] = [feed, feed.encode(), bytearray(feed.encode()), path, str(path),
                          io.StringIO(feed), io.BytesIO(feed.encode())]
    for source in sources:
        found = read_calendar(source, start=MARCH[0], end=MARCH[1])
        assert isinstance(found, CalendarBusy)
        assert found.intervals == expected and found.warnings == ()
    with path.open("rb") as stream:
        assert read_calendar_file(stream, start=MARCH[0], end=MARCH[1]).intervals == expected
    assert read_calendar_path(path, start=MARCH[0], end=MARCH[1]).busy == (
        Busy("2026-03-02T08:00:00Z", "2026-03-02T09:00:00Z"),)


def test_a_string_that_is_neither_is_a_path_or_not_icalendar(tmp_path: Path) -> None:
    with pytest.raises(CalendarUnreadable, match="cannot read"):
        read_calendar(str(tmp_path / "missing.ics"), start=MARCH[0], end=MARCH[1])
    with pytest.raises(CalendarUnreadable, match="not an iCalendar"):
        read_calendar("SUMMARY:x\nDTSTART:1\n", start=MARCH[0], end=MARCH[1])
    with pytest.raises(CalendarFetchFailed, match="only http"):
        read_calendar("ftp://example.com/feed.ics", start=MARCH[0], end=MARCH[1])
    with pytest.raises(CalendarFetchFailed, match="only http"):
        read_calendar("file:///etc/passwd", start=MARCH[0], end=MARCH[1])


def test_busy_document_shape() -> None:
    feed = cal(*ev("DTSTART:20260302T090000Z", "DURATION:PT1H", uid="b"),
               *ev("DTSTART;TZID=Nowhere:20260302T080000", "DURATION:PT1H", uid="a"))
    doc = busy_document(feed, "2026-03-02T00:00:00Z", "2026-03-03T00:00:00Z")
    assert doc == {
        "busy": [{"start": "2026-03-02T08:00:00Z", "end": "2026-03-02T09:00:00Z"},
                 {"start": "2026-03-02T09:00:00Z", "end": "2026-03-02T10:00:00Z"}],
        "warnings": [{"code": "calendar_unknown_tzid", "path": "",
                      "message": doc["warnings"][0]["message"]}],
    }
    assert doc["warnings"][0]["message"].startswith("line 11: TZID 'Nowhere' is unknown")


def test_google_style_feed_window_instances(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1]))
    from benchmarks.feeds import W5_WINDOW, google_style_feed

    text = google_style_feed(300, 30, seed=7)
    start, end = W5_WINDOW
    whole = read_calendar_text(text, start=start, end=end, timezone="Europe/Berlin")
    halves = [read_calendar_text(text, start=a, end=b, timezone="Europe/Berlin")
              for a, b in ((start, start + timedelta(days=45)), (start + timedelta(days=45), end))]
    assert whole.warnings == ()
    # an instance in both halves is listed by both
    assert sorted(set(halves[0].intervals) | set(halves[1].intervals)) == \
        sorted(set(whole.intervals))


# ----------------------------------------------------------------------- properties

RULE_PARTS = st.fixed_dictionaries(
    {"FREQ": st.sampled_from(["YEARLY", "MONTHLY", "WEEKLY", "DAILY", "HOURLY"])},
    optional={
        "INTERVAL": st.integers(1, 4).map(str),
        "COUNT": st.integers(1, 80).map(str),
        "BYMONTH": st.lists(st.integers(1, 12), min_size=1, max_size=3, unique=True).map(
            lambda v: ",".join(map(str, v))),
        "BYMONTHDAY": st.lists(st.sampled_from([1, 2, 15, 28, 30, 31, -1]), min_size=1,
                               max_size=2, unique=True).map(lambda v: ",".join(map(str, v))),
        "BYDAY": st.lists(st.sampled_from(["MO", "TU", "WE", "TH", "FR", "SA", "SU"]),
                          min_size=1, max_size=3, unique=True).map(",".join),
        "BYHOUR": st.lists(st.integers(0, 23), min_size=1, max_size=2, unique=True).map(
            lambda v: ",".join(map(str, v))),
        "WKST": st.sampled_from(["MO", "SU"]),
        "BYSETPOS": st.sampled_from(["1", "-1", "2"]),
    },
)


def _feasible_for_dateutil(parts: dict[str, str]) -> bool:
    # dateutil searches to the year 9999 for rules that never match: keep the reference fast
    if "BYMONTHDAY" in parts and ("BYMONTH" in parts or "BYDAY" in parts):
        return False
    if "BYSETPOS" in parts and parts["FREQ"] in ("DAILY", "HOURLY"):
        return False
    if parts["FREQ"] == "HOURLY" and "BYHOUR" in parts:
        return False
    return not ("BYMONTH" in parts and parts.get("INTERVAL", "1") != "1")


@settings(max_examples=150)
@given(parts=RULE_PARTS.filter(_feasible_for_dateutil),
       start=st.datetimes(datetime(2018, 1, 1), datetime(2026, 6, 1)).map(
           lambda d: d.replace(second=0, microsecond=0)),
       lo_days=st.integers(0, 3000), span=st.integers(1, 120))
def test_expand_agrees_with_dateutil(parts: dict[str, str], start: datetime, lo_days: int,
                                     span: int) -> None:
    text = ";".join(f"{k}={v}" for k, v in parts.items())
    lo = start + timedelta(days=lo_days - 60)
    hi = lo + timedelta(days=span)
    expected = list(rrulestr(text, dtstart=start).between(lo, hi, inc=True))
    assert expand(parse_rrule(text), start, lo, hi, None, 10**6) == expected


def test_parse_rrule_refuses_nonsense() -> None:
    for text in ("BYDAY=MO", "FREQ=WEEKLY;BYDAY=XX", "FREQ=DAILY;INTERVAL=0",
                 "FREQ=DAILY;FREQ=DAILY", "FREQ=DAILY;COLOR=RED", "FREQ=DAILY;BYHOUR=24",
                 "FREQ=DAILY;UNTIL=tomorrow", "FREQ=MONTHLY;BYDAY=0MO"):
        with pytest.raises(RuleError):
            parse_rrule(text)


EVENT_LINES = st.sampled_from([
    ["DTSTART;TZID=Europe/Berlin:{d}T090000", "DTEND;TZID=Europe/Berlin:{d}T093000"],
    ["DTSTART:{d}T120000Z", "DTEND:{d}T130000Z", "RRULE:FREQ=WEEKLY;COUNT=4"],
    ["DTSTART;VALUE=DATE:{d}", "DTEND;VALUE=DATE:{d}"],
    ["DTSTART;VALUE=DATE:{d}"],
    ["DTSTART:{d}T080000", "DURATION:PT2H", "STATUS:TENTATIVE"],
    ["DTSTART:{d}T070000Z", "DTEND:{d}T071500Z", "TRANSP:TRANSPARENT"],
    ["DTSTART:{d}T100000Z", "DTEND:{d}T110000Z", "BEGIN:VALARM", "TRIGGER:-PT5M",
     "END:VALARM"],
    ["DTSTART:{d}T100000Z", "DTEND:{d}T110000Z", "DESCRIPTION:a very long text that goes on "
     "and on so that it has to be folded across several lines by the writer"],
    ["RECURRENCE-ID:{d}T120000Z", "DTSTART:{d}T140000Z", "DTEND:{d}T150000Z"],
])


def _fold(line: str) -> list[str]:
    return [line[i:i + 60] if i == 0 else " " + line[i:i + 60] for i in range(0, len(line), 60)]


@st.composite
def feeds(draw: st.DrawFn) -> str:
    lines: list[str] = []
    for n in range(draw(st.integers(0, 12))):
        day = datetime(2026, 3, 1) + timedelta(days=draw(st.integers(0, 40)))
        body = [line.format(d=day.strftime("%Y%m%d")) for line in draw(EVENT_LINES)]
        uid = draw(st.sampled_from([f"u{n}", "shared", "e1"]))
        for line in ev(*body, uid=uid):
            lines.extend(_fold(line))
    return cal(*lines, head=(*HEAD, "X-WR-TIMEZONE:Europe/Berlin"))


@contextmanager
def line_by_line() -> Iterator[None]:
    """Turn the scanner's fast paths off: every event is read line by line."""
    scanner = _ical_parse._Scanner
    original = scanner._fast_event
    try:
        scanner.plain_runs = False
        scanner._fast_event = lambda self, piece, line: False  # type: ignore[method-assign]
        yield
    finally:
        scanner.plain_runs = True
        scanner._fast_event = original  # type: ignore[method-assign]


@settings(max_examples=60)
@given(text=feeds(), size=st.integers(7, 500))
def test_fast_scanner_chunking_and_line_by_line_reading_agree(text: str, size: int) -> None:
    def read(chunks: Iterator[str]) -> Any:
        return read_calendar_text("".join(chunks), start=MARCH[0], end=MARCH[1],
                                  timezone="America/New_York")

    normal = read(iter_chunks(text))
    raw = scan(iter_chunks(text, size))
    assert len(raw.quick) + len(raw.events) == text.count("BEGIN:VEVENT")
    with line_by_line():
        slow = read(iter_chunks(text, size))
    assert slow.intervals == normal.intervals
    assert slow.warnings == normal.warnings


def _vtimezone(lines: tuple[str, ...]) -> VTimezone:
    raw = scan(iter_chunks(cal("BEGIN:VTIMEZONE", "TZID:X", *lines, "END:VTIMEZONE")))
    tz: RawTimezone = raw.timezones[0]
    return VTimezone.from_raw(tz)


@settings(max_examples=200)
@given(t=st.integers(1_200_000_000, 2_100_000_000), fold=st.integers(0, 1))
def test_vtimezone_agrees_with_zoneinfo(t: int, fold: int) -> None:
    us = _vtimezone(US_RULES)
    zone = ZoneInfo("America/New_York")
    moment = datetime.fromtimestamp(t, UTC)
    assert moment.astimezone(us).utcoffset() == moment.astimezone(zone).utcoffset()
    assert moment.astimezone(us).fold == moment.astimezone(zone).fold
    wall = moment.astimezone(zone).replace(tzinfo=None, fold=fold)
    assert wall.replace(tzinfo=us).utcoffset() == wall.replace(tzinfo=zone).utcoffset()
    assert us.wall_to_epoch(wall.replace(fold=0)) == naive_epoch(wall) - int(
        wall.replace(tzinfo=zone, fold=0).utcoffset().total_seconds())  # type: ignore[union-attr]


FUZZ_BASE = cal(
    *ev("DTSTART:20251120T090000Z", "DTEND:20251120T100000Z", "DTSTAMP:20260101T000000Z",
        "UID:early@google.com", "SEQUENCE:0", "BEGIN:VALARM", "TRIGGER:-PT5M", "END:VALARM",
        uid=None),
    "X-WR-TIMEZONE:Europe/Berlin", "BEGIN:VTIMEZONE", "TZID:Custom", "BEGIN:STANDARD",
    "DTSTART:19700101T000000", "TZOFFSETFROM:+0100", "TZOFFSETTO:+0100", "END:STANDARD",
    "END:VTIMEZONE",
    *ev("DTSTART;TZID=Custom:20260302T090000", "DTEND;TZID=Custom:20260302T100000",
        "RRULE:FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20260401T000000Z", "EXDATE:20260304T080000Z",
        "RDATE;VALUE=PERIOD:20260306T100000Z/PT1H", "BEGIN:VALARM", "TRIGGER:-PT5M",
        "END:VALARM"),
    *ev("RECURRENCE-ID;RANGE=THISANDFUTURE;TZID=Custom:20260309T090000",
        "DTSTART;TZID=Custom:20260309T110000", "DURATION:PT30M", "SEQUENCE:2"),
    *ev("DTSTART;VALUE=DATE:20260310", "STATUS:TENTATIVE", uid="day"),
    "BEGIN:VFREEBUSY", "FREEBUSY;FBTYPE=BUSY:20260311T090000Z/20260311T100000Z",
    "END:VFREEBUSY",
    *[line for n, day in enumerate(("20260312", "20260101", "20260320", "20251201"))
      for line in ev(f"DTSTART;TZID=Europe/Berlin:{day}T090000",
                     f"DTEND;TZID=Europe/Berlin:{day}T100000", "DTSTAMP:20260101T000000Z",
                     f"UID:g{n}@google.com", "DESCRIPTION:a long text that is folded over",
                     " two lines", "STATUS:CONFIRMED", "BEGIN:VALARM", "ACTION:DISPLAY",
                     "TRIGGER:-PT10M", "END:VALARM", uid=None)],
)


@settings(max_examples=300)
@given(edits=st.lists(st.tuples(st.integers(0, 10**6), st.sampled_from(
    ["drop", "double", "cut", "junk", "swap"]), st.text(max_size=12)), max_size=4))
def test_mangled_feeds_give_an_answer_or_calendar_unreadable(
        edits: list[tuple[int, str, str]]) -> None:
    lines = FUZZ_BASE.split("\r\n")
    for where, how, junk in edits:
        i = where % len(lines)
        if how == "drop":
            del lines[i]
        elif how == "double":
            lines.insert(i, lines[i])
        elif how == "cut":
            lines[i] = lines[i][: where % (len(lines[i]) + 1)]
        elif how == "junk":
            lines[i] = lines[i][: where % (len(lines[i]) + 1)] + junk
        else:
            j = (where // 7) % len(lines)
            lines[i], lines[j] = lines[j], lines[i]
        if not lines:
            lines = [""]
    text = "\r\n".join(lines)

    def read() -> CalendarBusy | None:
        try:
            return read_calendar_text(text, start="2026-01-01T00:00:00Z",
                                      end="2026-06-01T00:00:00Z")
        except CalendarUnreadable:
            return None

    found = read()
    with line_by_line():
        slow = read()
    # the fast path never changes the busy time; it only leaves unread (and so unreported)
    # the faults of plain events that lie outside the window
    assert (found is None) == (slow is None)
    if found is not None and slow is not None:
        assert found.intervals == slow.intervals
        assert set(found.warnings) <= set(slow.warnings)
    if found is not None:
        assert all(a < b for a, b in found.intervals)
        assert found.intervals == sorted(found.intervals)


PICKED_RULES = st.fixed_dictionaries(
    {"FREQ": st.sampled_from(["MONTHLY", "YEARLY"])},
    optional={
        "INTERVAL": st.integers(1, 5).map(str),
        "COUNT": st.integers(1, 200).map(str),
        "UNTIL": st.tuples(st.dates(date(2015, 1, 1), date(2030, 1, 1)),
                           st.sampled_from(["T000000", "T090000", "T093000", "T235959", ""])
                           ).map(lambda d: d[0].strftime("%Y%m%d") + d[1]),
        "BYMONTH": st.integers(1, 12).map(str),
        "BYMONTHDAY": st.sampled_from([1, 2, 15, 28, 29, 30, 31, -1, -2, -28, -29, -31]).map(
            str),
        "BYDAY": st.sampled_from(["1MO", "2TU", "3WE", "4TH", "5FR", "-1FR", "-2SA", "-4SU",
                                  "-5MO", "SU", "1MO,3MO"]),
        "BYHOUR": st.sampled_from(["9", "0", "9,17"]),
        "BYMINUTE": st.sampled_from(["30", "0,30"]),
    },
)


@settings(max_examples=400)
@given(parts=PICKED_RULES.filter(lambda p: not ("BYMONTHDAY" in p and "BYDAY" in p)),
       start=st.datetimes(datetime(1990, 1, 1), datetime(2027, 1, 1)).map(
           lambda d: d.replace(microsecond=0)),
       lo_days=st.one_of(st.integers(-100, 400), st.integers(-100, 12000)),
       span=st.integers(1, 400), budget=st.sampled_from([3, 20, 10**6]))
def test_rules_with_one_day_a_period_agree_with_dateutil(
        parts: dict[str, str], start: datetime, lo_days: int, span: int, budget: int) -> None:
    # MONTHLY (and YEARLY with one BYMONTH) rules that pick one day a period are computed
    # without dateutil; the answer, and when the budget runs out, must not change
    text = ";".join(f"{k}={v}" for k, v in parts.items() if k != "UNTIL" or "COUNT" not in parts)
    spec = parse_rrule(text)
    until = None
    if spec.until is not None:  # (a DATE: through its last second, as _busy reads it)
        until = spec.until[1] + (timedelta(days=1, seconds=-1) if len(parts["UNTIL"]) == 8
                                 else timedelta())
    lo = start + timedelta(days=lo_days)
    hi = lo + timedelta(days=span)

    def run() -> list[datetime] | str:
        try:
            return expand(spec, start, lo, hi, until, budget)
        except TooManyInstances:
            return "too many"

    direct = run()
    _recur.DIRECT = False
    try:
        reference = run()
    finally:
        _recur.DIRECT = True
    assert direct == reference
    if budget == 10**6 and _feasible_for_dateutil(parts) and len(parts.get("UNTIL", "")) != 8:
        assert direct == list(rrulestr(text, dtstart=start).between(lo, hi, inc=True))


def test_an_until_on_an_occurrence_keeps_it() -> None:
    spec = parse_rrule("FREQ=MONTHLY;BYDAY=2TU;UNTIL=20260310T090000")
    start = datetime(2025, 12, 9, 9)
    found = expand(spec, start, start, datetime(2027, 1, 1), datetime(2026, 3, 10, 9), 100)
    assert found == [datetime(2025, 12, 9, 9), datetime(2026, 1, 13, 9),
                     datetime(2026, 2, 10, 9), datetime(2026, 3, 10, 9)]
    # the first month's pick before DTSTART is not an occurrence, and COUNT starts after it
    spec = parse_rrule("FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=-1;COUNT=2")
    found = expand(spec, datetime(2024, 3, 1, 8), datetime(2020, 1, 1), datetime(2030, 1, 1),
                   None, 100)
    assert found == [datetime(2025, 1, 31, 8), datetime(2026, 1, 31, 8)]
