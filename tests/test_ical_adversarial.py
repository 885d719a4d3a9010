"""Issue 11's adversarial review, rebuilt small: each repro must hold, and fast.

1. copies of one VEVENT with the same UID share one instance budget;
5. the parameter cache of the parser is bounded in size, not only in entries;
6. a broken FREEBUSY parameter skips its component with a warning (no ValueError);
7. ``UNTIL=99991231T235959Z`` is "no end", not an overflow that drops the series;
8. a fold inside a property name (``D`` CRLF SPACE ``TEND:``) is unfolded;
10. messages cut long values;
plus paths that are not regular files (FIFO, directory, ``/dev/stdin``) and NUL bytes.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest

from slotcalc.errors import CalendarUnreadable
from slotcalc.ical import _busy, _parse, read_calendar, read_calendar_path, read_calendar_text

WINDOW = {"start": "2026-03-01T00:00:00Z", "end": "2026-03-15T00:00:00Z"}


def cal(*body: str) -> str:
    return "\r\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//t//EN", *body,
                        "END:VCALENDAR", ""])


def event(uid: str, *lines: str) -> list[str]:
    return ["BEGIN:VEVENT", f"UID:{uid}", *lines, "END:VEVENT"]


# 1 -------------------------------------------------------------------------------------------

def test_same_uid_copies_share_the_instance_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    expanded: list[int] = []
    real = _busy.expand

    def counting(*args: Any) -> Any:
        out = real(*args)
        expanded.append(len(out))
        return out

    monkeypatch.setattr(_busy, "expand", counting)
    copy = event("same", "DTSTART:20260301T000000Z", "DTEND:20260301T003000Z",
                 "RRULE:FREQ=HOURLY")
    feed = cal(*copy * 300)  # each copy: ~400 instances in the (widened) window
    begin = time.perf_counter()
    with pytest.raises(CalendarUnreadable, match="copies of its UID"):
        read_calendar_text(feed, max_instances=2000, **WINDOW)
    assert time.perf_counter() - begin < 2.0
    # the copies stopped once they had used one budget between them (300 copies: 120,000)
    assert sum(expanded) <= 2000


def test_same_uid_copies_within_the_limit_still_count() -> None:
    copy = event("same", "DTSTART:20260302T090000Z", "DTEND:20260302T100000Z",
                 "RRULE:FREQ=DAILY;COUNT=3")
    found = read_calendar_text(cal(*copy * 2), **WINDOW)
    assert len(found.intervals) == 6 and found.warnings == ()


# 5 -------------------------------------------------------------------------------------------

def test_parameter_cache_is_bounded_in_size() -> None:
    _parse._PARAM_CACHE.clear()
    big = ";X-BIG=" + "a" * 100_000
    body = [line for i in range(40) for line in event(
        str(i), f"DTSTART{big}{i}:20260302T090000Z", "DTEND:20260302T100000Z")]
    assert len(read_calendar_text(cal(*body), **WINDOW).intervals) == 40
    assert sum(len(k) for k in _parse._PARAM_CACHE) <= \
        _parse._PARAM_CACHE_ENTRIES * _parse._PARAM_CACHE_KEY
    assert all(len(k) <= _parse._PARAM_CACHE_KEY for k in _parse._PARAM_CACHE)
    # short parameters are still cached
    _parse.param_dict(";TZID=Europe/Berlin")
    assert ";TZID=Europe/Berlin" in _parse._PARAM_CACHE


# 6 -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("line", ["FREEBUSY;FBTYPE:BUSY:20260302T090000Z/PT1H",
                                  "FREEBUSY;=x:20260302T090000Z/PT1H",
                                  "FREEBUSY:20260302T090000Z/P99999999W",
                                  "FREEBUSY:99991231T235959Z/P7D"])
def test_broken_freebusy_is_a_skipped_component(line: str) -> None:
    feed = cal("BEGIN:VFREEBUSY", line, "END:VFREEBUSY",
               *event("ok", "DTSTART:20260302T090000Z", "DTEND:20260302T100000Z"))
    found = read_calendar_text(feed, **WINDOW)
    assert found.intervals == [(1772442000, 1772445600)]
    if "9999-" not in line and not line.startswith("FREEBUSY:9999"):
        assert [n.code for n in found.warnings] == ["calendar_component_skipped"]
        assert "line 4" in found.warnings[0].message


# 7 -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("start", ["DTSTART:20260105T090000Z",
                                   "DTSTART;TZID=Europe/Berlin:20260105T090000",
                                   "DTSTART;TZID=Pacific/Kiritimati:20260105T090000",
                                   "DTSTART;VALUE=DATE:20260105", "DTSTART:20260105T090000"])
@pytest.mark.parametrize("until", ["99991231T235959Z", "99991231", "99991231T235959"])
def test_until_at_the_end_of_time_is_no_end(start: str, until: str) -> None:
    feed = cal(*event("weekly", start, "DURATION:PT1H", f"RRULE:FREQ=WEEKLY;UNTIL={until}"))
    found = read_calendar_text(feed, timezone="Europe/Berlin", **WINDOW)
    assert len(found.intervals) == 2 and found.warnings == ()  # 2 and 9 March


def test_an_until_in_the_window_still_ends_the_series() -> None:
    feed = cal(*event("weekly", "DTSTART:20260105T090000Z", "DURATION:PT1H",
                      "RRULE:FREQ=WEEKLY;UNTIL=20260303T000000Z"))
    assert len(read_calendar_text(feed, **WINDOW).intervals) == 1


# 8 -------------------------------------------------------------------------------------------

BASE = ["DTSTART:20260302T090000Z", "DTEND:20260302T100000Z", "RRULE:FREQ=DAILY;COUNT=3",
        "EXDATE:20260303T090000Z", "STATUS:CONFIRMED"]
EXPECTED = [(1772442000, 1772445600), (1772614800, 1772618400)]


@pytest.mark.parametrize(("index", "cut"), [(0, 1), (0, 7), (1, 2), (1, 5), (2, 2), (2, 5),
                                            (3, 3), (4, 1)])
@pytest.mark.parametrize("newline", ["\r\n", "\n"])
def test_a_fold_inside_a_property_name(index: int, cut: int, newline: str) -> None:
    lines = list(BASE)
    lines[index] = lines[index][:cut] + newline + " " + lines[index][cut:]
    feed = cal(*event("u", *lines)).replace("\r\n", newline)
    found = read_calendar_text(feed, **WINDOW)
    assert (found.intervals, found.warnings) == (EXPECTED, ())


def test_folds_everywhere_in_names_and_components() -> None:
    text = cal(*event("u", *BASE))
    folded = (text.replace("DTSTART:", "D\r\n T\r\n\tSTART:")
              .replace("BEGIN:VEVENT", "BEG\r\n IN:VEVENT").replace("END:VEVENT", "E\r\n ND:VEVENT")
              .replace("UID:", "U\r\n ID:"))
    assert read_calendar_text(folded, **WINDOW).intervals == EXPECTED


def test_a_name_fold_keeps_line_numbers() -> None:
    feed = cal(*event("bad", "D\r\n TSTART:garbage", "DTEND:20260302T100000Z"))
    warning = read_calendar_text(feed, **WINDOW).warnings[0]
    assert "line 4" in warning.message  # BEGIN:VEVENT is line 4 of the input


# 10 and paths --------------------------------------------------------------------------------

def test_messages_cut_long_values() -> None:
    feed = cal(*event("x", "DTSTART:20260302T090000Z", "DTEND:20260302T100000Z",
                      "RRULE:FREQ=HOURLY;BYMINUTE=" + "1," * 50_000 + "1"))
    with pytest.raises(CalendarUnreadable) as info:
        read_calendar_text(feed, max_instances=10, **WINDOW)
    assert len(info.value.message) < 400
    skipped = cal(*event("x", "DTSTART:20260302T090000Z", "DTEND:20260302T100000Z",
                         "RRULE:FREQ=SECONDLY;X-NAME=" + "y" * 100_000))
    assert len(read_calendar_text(skipped, **WINDOW).warnings[0].message) < 400
    broken = cal("BEGIN:VFREEBUSY", "FREEBUSY;" + "z" * 100_000 + ":x", "END:VFREEBUSY")
    assert len(read_calendar_text(broken, **WINDOW).warnings[0].message) < 400


def test_paths_that_are_not_regular_files(tmp_path: Path) -> None:
    fifo = tmp_path / "feed.ics"
    os.mkfifo(fifo)
    begin = time.perf_counter()
    for path in (fifo, tmp_path, Path("/dev/stdin"), Path("/dev/zero")):
        with pytest.raises(CalendarUnreadable, match=r"not a regular file|cannot read"):
            read_calendar_path(path, **WINDOW)
    assert time.perf_counter() - begin < 2.0  # the FIFO is not waited on


@pytest.mark.parametrize("path", ["a\x00b.ics", "/" + "x" * 100_000])
def test_odd_paths_are_calendar_errors(path: str) -> None:
    with pytest.raises(CalendarUnreadable) as info:
        read_calendar(path, **WINDOW)
    assert len(info.value.message) < 300
    assert not isinstance(info.value, TypeError)
