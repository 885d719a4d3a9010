"""The direct recurrence paths give exactly the answers of the general ones.

:mod:`slotcalc.ical._recur` computes some rules without dateutil (``DIRECT``): rules that
pick one day a period (MONTHLY, YEARLY with one BYMONTH) and rules that tile (DAILY and
WEEKLY filtered by weekday and time of day), the latter as integer wall seconds that
:mod:`slotcalc.ical._busy` turns into instants a stretch at a time and ends by addition. Here
whole feeds of recurring events (zones with and without DST changes in the window, a feed's
own VTIMEZONE, floating and UTC times, all-day series, starts in DST gaps and folds, COUNT,
UNTIL in UTC, local and DATE form, EXDATEs, overrides, tight ``max_instances``) are read with
``DIRECT`` on and off: same busy time, same warnings, same errors.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slotcalc.errors import CalendarUnreadable
from slotcalc.ical import _busy, _recur, read_calendar_text
from slotcalc.ical._recur import TooManyInstances, expand, parse_rrule, tiled_seconds
from slotcalc.ical._tz import IanaZone, naive_epoch, naive_from_epoch

CUSTOM = ["BEGIN:VTIMEZONE", "TZID:Custom/Zone", "BEGIN:STANDARD", "DTSTART:19701025T030000",
          "TZOFFSETFROM:+0200", "TZOFFSETTO:+0100", "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
          "END:STANDARD", "BEGIN:DAYLIGHT", "DTSTART:19700329T020000", "TZOFFSETFROM:+0100",
          "TZOFFSETTO:+0200", "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", "END:DAYLIGHT",
          "END:VTIMEZONE"]
ZONES = ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Tokyo", "UTC",
         "Custom/Zone", "Nowhere/Unknown", None, "Z"]  # None: floating; Z: UTC values
WINDOWS = [  # each holds at least one change of offset somewhere
    ("2026-03-20T00:00:00Z", "2026-04-10T00:00:00Z"),
    ("2026-10-20T00:00:00Z", "2026-11-10T00:00:00Z"),
    ("2026-02-01T00:00:00Z", "2026-05-02T00:00:00Z"),
    ("2025-12-30T00:00:00Z", "2026-01-02T00:00:00Z"),
]
TILED_PARTS = st.sampled_from(["", ";BYDAY=MO", ";BYDAY=MO,WE,FR", ";BYDAY=SA,SU",
                               ";BYDAY=MO,TU,WE,TH,FR", ";BYHOUR=9,17", ";BYDAY=SU;BYHOUR=2"])
OTHER_PARTS = st.sampled_from(["", ";BYDAY=2TU", ";BYDAY=-1SU", ";BYMONTHDAY=15",
                               ";BYMONTHDAY=-1", ";BYMONTH=3;BYDAY=-1SU",
                               ";BYMONTH=10;BYMONTHDAY=25", ";BYDAY=MO,-1FR"])
RULES = st.tuples(
    st.sampled_from([True, True, True, False]).flatmap(
        lambda tiled: st.tuples(st.sampled_from(["DAILY", "WEEKLY"]), TILED_PARTS) if tiled
        else st.tuples(st.sampled_from(["DAILY", "WEEKLY", "MONTHLY", "YEARLY"]), OTHER_PARTS)
    ).map("".join),
    st.sampled_from(["", "", ";INTERVAL=2", ";INTERVAL=3;WKST=SU"]),
    st.sampled_from(["", "", ";COUNT=3", ";COUNT=40", ";COUNT=400", ";UNTIL={utc}Z",
                     ";UNTIL={date}", ";UNTIL={local}"]),
).map("".join)


def _stamp(moment: datetime, zone: str | None) -> str:
    if zone == "Z":
        return f":{moment:%Y%m%dT%H%M%S}Z"
    if zone is None:
        return f":{moment:%Y%m%dT%H%M%S}"
    return f";TZID={zone}:{moment:%Y%m%dT%H%M%S}"


@st.composite
def series(draw: st.DrawFn) -> tuple[str, str, tuple[str, str]]:
    window = draw(st.sampled_from(WINDOWS))
    zone = draw(st.sampled_from(ZONES))
    first = datetime.fromisoformat(window[0][:10])
    day = first - timedelta(days=draw(st.one_of(st.integers(-10, 60), st.integers(0, 900))))
    # times around the DST changes (02:00-03:00 in Europe, New York; 01:30-02:30 Lord Howe)
    clock = draw(st.sampled_from([(9, 0), (2, 30), (2, 0), (1, 45), (0, 0), (23, 30),
                                  (3, 0)]))
    start = datetime(day.year, day.month, day.day, *clock)
    lines = ["BEGIN:VEVENT", "UID:s@x", "DTSTAMP:20260101T000000Z"]
    all_day = draw(st.booleans()) and zone is None
    if all_day:
        lines.append(f"DTSTART;VALUE=DATE:{start:%Y%m%d}")
        length = draw(st.sampled_from([None, 1, 3]))
        if length is not None:
            lines.append(f"DTEND;VALUE=DATE:{start + timedelta(days=length):%Y%m%d}")
    else:
        lines.append("DTSTART" + _stamp(start, zone))
        how = draw(st.sampled_from(["same", "other", "duration", "days", "overnight", "none"]))
        if how == "same":
            lines.append("DTEND" + _stamp(start + timedelta(minutes=45), zone))
        elif how == "overnight":
            lines.append("DTEND" + _stamp(start + timedelta(hours=8), zone))
        elif how == "other":
            lines.append("DTEND" + _stamp(start + timedelta(hours=1), "Z"))
        elif how == "duration":
            lines.append("DURATION:PT1H30M")
        elif how == "days":
            lines.append("DURATION:P1DT2H")
    until = first + timedelta(days=draw(st.integers(-5, 40)), hours=draw(st.integers(0, 23)),
                              minutes=draw(st.sampled_from([0, 30])))
    lines.append("RRULE:FREQ=" + draw(RULES).format(
        utc=f"{until:%Y%m%dT%H%M%S}", date=f"{until:%Y%m%d}", local=f"{until:%Y%m%dT%H%M%S}"))
    for _ in range(draw(st.integers(0, 3))):
        near = (first - start).days
        ex = start + timedelta(days=draw(st.one_of(st.integers(0, 900),
                                                   st.integers(near, near + 60))))
        if draw(st.booleans()):
            lines.append(f"EXDATE;VALUE=DATE:{ex:%Y%m%d}")
        else:
            lines.append("EXDATE" + _stamp(ex, zone))
    lines.append("END:VEVENT")
    if draw(st.booleans()):
        moved = start + timedelta(days=draw(st.integers(0, 900)))
        rid = ";RANGE=THISANDFUTURE" if draw(st.booleans()) else ""
        lines += ["BEGIN:VEVENT", "UID:s@x", "DTSTAMP:20260101T000000Z",
                  f"RECURRENCE-ID{rid}" + _stamp(moved, zone),
                  "DTSTART" + _stamp(moved + timedelta(hours=2), zone), "SEQUENCE:1",
                  "END:VEVENT"]
    head = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//t//EN"]
    if draw(st.booleans()):
        head.append("X-WR-TIMEZONE:Europe/Berlin")
    text = "\r\n".join([*head, *CUSTOM, *lines, "END:VCALENDAR", ""])
    return text, draw(st.sampled_from(["Europe/Berlin", "America/New_York", "UTC"])), window


def _read(text: str, window: tuple[str, str], schedule: str, limit: int) -> Any:
    try:
        found = read_calendar_text(text, start=window[0], end=window[1], timezone=schedule,
                                   max_instances=limit)
        return found.intervals, found.warnings
    except CalendarUnreadable as exc:
        return str(exc)


def read_both_ways(text: str, window: tuple[str, str], schedule: str, limit: int
                   ) -> tuple[Any, Any]:
    """Return the reading of ``text`` by the direct paths and by the general one."""
    direct = _read(text, window, schedule, limit)
    _recur.DIRECT = False
    try:
        general = _read(text, window, schedule, limit)
    finally:
        _recur.DIRECT = True
    return direct, general


@settings(max_examples=400)
@given(feed=series(), limit=st.sampled_from([5, 30, 100_000]))
def test_direct_paths_read_series_alike(feed: tuple[str, str, tuple[str, str]],
                                        limit: int) -> None:
    text, schedule, window = feed
    direct, general = read_both_ways(text, window, schedule, limit)
    assert direct == general


TILING = st.tuples(
    st.sampled_from(["DAILY", "WEEKLY"]),
    st.sampled_from(["", ";BYDAY=MO", ";BYDAY=TU,TH", ";BYDAY=MO,TU,WE,TH,FR", ";BYHOUR=0,12",
                     ";BYDAY=SU;BYHOUR=9;BYMINUTE=0,30"]),
    st.sampled_from(["", ";INTERVAL=2", ";INTERVAL=3;WKST=SU", ";WKST=TH"]),
    st.sampled_from(["", ";COUNT=1", ";COUNT=7", ";COUNT=500"]),
).map("".join)


@settings(max_examples=300)
@given(rule=TILING, start=st.datetimes(datetime(1960, 1, 1), datetime(2030, 1, 1)).map(
           lambda d: d.replace(microsecond=0)),
       lo_days=st.integers(-30, 5000), span=st.integers(0, 200),
       until_days=st.one_of(st.none(), st.integers(-30, 5000)),
       budget=st.sampled_from([0, 2, 40, 10**6]))
def test_tiled_seconds_is_expand_in_seconds(rule: str, start: datetime, lo_days: int, span: int,
                                            until_days: int | None, budget: int) -> None:
    spec = parse_rrule("FREQ=" + rule)
    lo = start + timedelta(days=lo_days, hours=lo_days % 24)
    hi = lo + timedelta(days=span)
    until = None if until_days is None else start + timedelta(days=until_days, minutes=7)

    def run(how: Any) -> Any:
        try:
            return how()
        except TooManyInstances:
            return "too many"

    ints = run(lambda: tiled_seconds(spec, start, lo, hi, until, budget))
    walls = run(lambda: [naive_epoch(w) for w in expand(spec, start, lo, hi, until, budget)])
    assert ints == walls


@pytest.mark.parametrize("name", ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe",
                                  "America/Sao_Paulo", "Asia/Tehran", "Pacific/Apia",
                                  "Europe/Moscow", "Africa/Casablanca", "America/St_Johns"])
def test_wall_seconds_convert_like_wall_to_epoch(name: str) -> None:
    zone = IanaZone(ZoneInfo(name))
    # every 17 minutes over two years of changes (and a few decades back), in stretches
    for first in (naive_epoch(datetime(2010, 1, 1)), naive_epoch(datetime(1975, 3, 1)),
                  naive_epoch(datetime(2025, 9, 1))):
        walls = list(range(first, first + 2 * 366 * 86400, 17 * 60))
        for piece in (walls, walls[::97], walls[:5000:3]):
            assert zone.wall_seconds_to_epochs(piece) == \
                [zone.wall_to_epoch(naive_from_epoch(w)) for w in piece]


def test_tiled_seconds_where_count_and_weeks_meet() -> None:
    # COUNT ending inside the window, DTSTART on every weekday (so the first tile is partly
    # before it), week starts other than Monday
    for rule in ("WEEKLY;BYDAY=MO,WE,FR;COUNT=40", "WEEKLY;INTERVAL=2;WKST=SU;BYDAY=MO,SA;COUNT=9",
                 "WEEKLY;WKST=TH;BYDAY=TU,FR;COUNT=13", "DAILY;BYDAY=TU,SU;COUNT=11",
                 "DAILY;INTERVAL=3;BYHOUR=1,13;COUNT=20", "WEEKLY;INTERVAL=3;WKST=SU;BYDAY=SU"):
        spec = parse_rrule("FREQ=" + rule)
        for weekday in range(7):
            start = datetime(2026, 1, 5 + weekday, 13)
            for shift in range(0, 140, 6):
                lo = start + timedelta(days=shift, hours=5)
                hi = lo + timedelta(days=9)
                for budget in (3, 10**6):
                    try:
                        want: Any = [naive_epoch(w) for w in expand(spec, start, lo, hi, None,
                                                                    budget)]
                    except TooManyInstances:
                        want = "too many"
                    try:
                        got: Any = tiled_seconds(spec, start, lo, hi, None, budget)
                    except TooManyInstances:
                        got = "too many"
                    assert got == want, (rule, start, lo)


def _feed(*events: list[str], head: tuple[str, ...] = ()) -> str:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//t//EN", *head, *CUSTOM]
    for n, body in enumerate(events):
        lines += ["BEGIN:VEVENT", f"UID:u{n}", *body, "END:VEVENT"]
    return "\r\n".join([*lines, "END:VCALENDAR", ""])


SPRING = ("2026-03-27T00:00:00Z", "2026-04-07T00:00:00Z")
AUTUMN = ("2026-10-23T00:00:00Z", "2026-11-03T00:00:00Z")
# Each case goes through the integer path of a tiled rule in a way the window can see.
CASES: dict[str, tuple[str, tuple[str, str]]] = {
    "until in UTC just before an instance": (_feed(
        ["DTSTART;TZID=Europe/Berlin:20260320T090000", "DTEND;TZID=Europe/Berlin:20260320T0945"
         "00", "RRULE:FREQ=DAILY;UNTIL=20260401T065959Z"]), SPRING),
    "overnight across the autumn change": (_feed(*[
        [f"DTSTART;TZID={zone}:20261020T233000", f"DTEND;TZID={zone}:20261021T073000",
         "RRULE:FREQ=DAILY"] for zone in ("Europe/Berlin", "America/New_York", "Custom/Zone")
    ]), AUTUMN),
    "overnight across the spring change": (_feed(*[
        [f"DTSTART;TZID={zone}:20260320T233000", f"DTEND;TZID={zone}:20260321T073000",
         "RRULE:FREQ=DAILY;BYDAY=SA,SU,MO"] for zone in ("Europe/Berlin", "Custom/Zone",
                                                         "Australia/Lord_Howe")
    ]), SPRING),
    "start in the gap, two walls one instant, days long": (_feed(
        ["DTSTART;TZID=Europe/Berlin:20260320T023000", "DURATION:P1DT1H",
         "RRULE:FREQ=DAILY;BYHOUR=2,3;BYMINUTE=30"],
        ["DTSTART;TZID=Europe/Berlin:20260320T023000", "DTEND;TZID=Europe/Berlin:20260321T0"
         "33000", "RRULE:FREQ=DAILY;BYHOUR=2,3;BYMINUTE=30"]), SPRING),
    "start in the gap, end after it": (_feed(
        ["DTSTART;TZID=Europe/Berlin:20260320T023000", "DTEND;TZID=Europe/Berlin:20260320T031"
         "500", "RRULE:FREQ=DAILY"]), SPRING),
    "in the fold": (_feed(
        ["DTSTART;TZID=Europe/Berlin:20261020T023000", "DTEND;TZID=Europe/Berlin:20261020T031"
         "500", "RRULE:FREQ=DAILY"],
        ["DTSTART;TZID=America/New_York:20261020T013000", "DURATION:PT1H",
         "RRULE:FREQ=DAILY"]), AUTUMN),
    "DTSTART that the rule does not give": (_feed(
        ["DTSTART;TZID=Europe/Berlin:20260401T100000", "DTEND;TZID=Europe/Berlin:20260401T1100"
         "00", "RRULE:FREQ=WEEKLY;BYDAY=MO"]), SPRING),
    "EXDATEs as dates and times": (_feed(
        ["DTSTART;TZID=Europe/Berlin:20260301T100000", "DTEND;TZID=Europe/Berlin:20260301T1100"
         "00", "RRULE:FREQ=DAILY", "EXDATE;VALUE=DATE:20260330,20260402",
         "EXDATE;TZID=Europe/Berlin:20260331T100000", "EXDATE:20260401T080000Z"]), SPRING),
    "COUNT from mid-week": (_feed(
        ["DTSTART;TZID=America/New_York:20260204T080000", "DTEND;TZID=America/New_York:202602"
         "04T090000", "RRULE:FREQ=WEEKLY;BYDAY=MO,WE,FR;COUNT=23"]), SPRING),
    "all-day, three days long": (_feed(
        ["DTSTART;VALUE=DATE:20260301", "DTEND;VALUE=DATE:20260304",
         "RRULE:FREQ=WEEKLY;INTERVAL=2;WKST=SU;BYDAY=SU,WE"]), SPRING),
    "UTC start with X-WR-TIMEZONE, and floating": (_feed(
        ["DTSTART:20260301T080000Z", "DTEND:20260301T090000Z", "RRULE:FREQ=DAILY"],
        ["DTSTART:20260301T020000", "DTEND:20260301T030000", "RRULE:FREQ=DAILY"],
        head=("X-WR-TIMEZONE:Europe/Berlin",)), SPRING),
    "length in another zone": (_feed(
        ["DTSTART;TZID=Europe/Berlin:20260320T013000", "DTEND:20260320T013000Z",
         "RRULE:FREQ=DAILY"]), SPRING),
    "moved instances, this and future": (_feed(
        ["DTSTART;TZID=Europe/Berlin:20260301T100000", "DTEND;TZID=Europe/Berlin:20260301T1100"
         "00", "RRULE:FREQ=DAILY"],
        ["RECURRENCE-ID;RANGE=THISANDFUTURE;TZID=Europe/Berlin:20260330T100000",
         "DTSTART;TZID=Europe/Berlin:20260330T140000", "DTEND;TZID=Europe/Berlin:20260330T1600"
         "00", "SEQUENCE:1"]), SPRING),
    "copies of one UID": (_feed(*[
        ["UID:same", "DTSTART;TZID=Europe/Berlin:20260301T100000", "DURATION:PT1H",
         "RRULE:FREQ=DAILY;BYHOUR=10,11,12"]] * 3), SPRING),
}


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("limit", [7, 100, 100_000])
def test_direct_paths_read_the_edge_cases_alike(name: str, limit: int) -> None:
    text, window = CASES[name]
    text = text.replace("UID:u0\r\nUID:same", "UID:same").replace("UID:u1\r\nUID:same",
                                                                 "UID:same")
    text = text.replace("UID:u2\r\nUID:same", "UID:same")
    for schedule in ("Europe/Berlin", "UTC"):
        direct, general = read_both_ways(text, window, schedule, limit)
        assert direct == general
        if limit == 100_000:
            assert isinstance(direct, tuple) and direct[0]


@given(day=st.dates())
def test_ymd_is_strftime(day: date) -> None:
    assert _busy._ymd(day) == day.strftime("%Y%m%d")
