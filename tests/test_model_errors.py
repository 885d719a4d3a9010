"""Every SPEC §5 error the typed layer raises: its code, its JSON Pointer path, its builtin base.

Paths are relative to the object that raised (SPEC §5 puts ``/schedule`` etc. in front in the
JSON layer). Each error subclasses ``SlotcalcError`` and the builtin it specialises:
``TypeError`` for ``invalid_request`` (a wrong shape), ``ValueError`` for everything else.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from slotcalc import (
    Busy,
    EventPolicy,
    Host,
    Override,
    Query,
    Schedule,
    SlotcalcError,
    Team,
    errors,
    find_team_slots,
)

NY = "America/New_York"
OK_HOURS = {"mon": [("09:00", "17:00")]}
UTC = UTC


def schedule() -> Schedule:
    return Schedule(NY, OK_HOURS)


# (code, builder, path)
CASES: list[tuple[str, Callable[[], object], str]] = [
    # invalid_request: a missing, unknown or wrongly typed field
    ("invalid_request", lambda: Schedule(NY, {"monday": [("09:00", "10:00")]}), "/weekly/monday"),
    ("invalid_request", lambda: Schedule(NY, "mon 9-5"), "/weekly"),  # type: ignore[arg-type]
    ("invalid_request", lambda: Schedule(NY, {"mon": "09:00-10:00"}), "/weekly/mon"),
    ("invalid_request", lambda: Schedule(NY, {"mon": [("09:00",)]}), "/weekly/mon/0"),
    ("invalid_request", lambda: Schedule(NY, {"tue": [("09:00", "10:00"), (9, "10:00")]}),
     "/weekly/tue/1/0"),
    ("invalid_request", lambda: Schedule(123), "/timezone"),  # type: ignore[arg-type]
    ("invalid_request", lambda: Schedule(NY, OK_HOURS, [{"date": "2026-12-07"}]),  # type: ignore[list-item]
     "/overrides/0"),
    ("invalid_request", lambda: Schedule(NY, OK_HOURS, "2026-12-07"), "/overrides"),  # type: ignore[arg-type]
    ("invalid_request", lambda: Override(20261207), "/date"),  # type: ignore[arg-type]
    ("invalid_request", lambda: Override("2026-12-07", "09:00-10:00"), "/intervals"),
    ("invalid_request", lambda: Override(datetime(2026, 12, 7, tzinfo=UTC)), "/date"),
    ("invalid_request", lambda: EventPolicy("30"), "/duration"),  # type: ignore[arg-type]
    ("invalid_request", lambda: EventPolicy(30, step=True), "/step"),
    ("invalid_value", lambda: EventPolicy(30, capacity=1.5), "/capacity"),  # type: ignore[arg-type]
    ("invalid_duration", lambda: EventPolicy(30.5), "/duration"),  # type: ignore[arg-type]
    ("invalid_request", lambda: EventPolicy("30"), "/duration"),  # type: ignore[arg-type]
    ("invalid_request", lambda: Busy(1700000000.5, "2026-12-07T10:00:00Z"), "/start"),  # type: ignore[arg-type]
    ("invalid_request", lambda: Busy("2026-12-07T09:00:00Z", "2026-12-07T10:00:00Z", id=7),  # type: ignore[arg-type]
     "/id"),
    ("invalid_request", lambda: Busy("2026-12-07T09:00:00Z", "2026-12-07T10:00:00Z", seats="2"),  # type: ignore[arg-type]
     "/seats"),
    ("invalid_request", lambda: Query("2026-12-07", "2026-12-08T00:00:00Z"), "/end"),
    ("invalid_request", lambda: Query("2026-12-07", "2026-12-08", exclude="bk_1"), "/exclude"),
    ("invalid_request", lambda: Query("2026-12-07", "2026-12-08", exclude=["a", 1]), "/exclude/1"),  # type: ignore[list-item]
    ("invalid_request", lambda: Query("2026-12-07", "2026-12-08", limit="3"), "/limit"),  # type: ignore[arg-type]
    ("invalid_request", lambda: Query("2026-12-07", "2026-12-08", timezone=5), "/timezone"),  # type: ignore[arg-type]
    ("invalid_request", lambda: Host(5, schedule()), "/id"),  # type: ignore[arg-type]
    ("invalid_request", lambda: Host("ana", {"timezone": NY}), "/schedule"),  # type: ignore[arg-type]
    ("invalid_request", lambda: Host("ana", schedule(), busy=[("a", "b")]), "/busy/0"),  # type: ignore[list-item]
    # invalid_timezone
    ("invalid_timezone", lambda: Schedule("Mars/Olympus_Mons", OK_HOURS), "/timezone"),
    ("invalid_timezone", lambda: Schedule("../etc/passwd"), "/timezone"),
    ("invalid_timezone", lambda: Schedule("localtime"), "/timezone"),
    ("invalid_timezone", lambda: Query("2026-12-07", "2026-12-08", timezone="Europe/Atlantis"),
     "/timezone"),
    # invalid_time
    ("invalid_time", lambda: Schedule(NY, {"mon": [("25:00", "26:00")]}), "/weekly/mon/0/0"),
    ("invalid_time", lambda: Schedule(NY, {"mon": [("09:00", "10:60")]}), "/weekly/mon/0/1"),
    ("invalid_time", lambda: Schedule(NY, {"wed": [("24:00", "24:00")]}), "/weekly/wed/0/0"),
    ("invalid_time", lambda: Schedule(NY, {"mon": [("9:00", "10:00")]}), "/weekly/mon/0/0"),
    ("invalid_time", lambda: Schedule(NY, {"mon": [(time(9, tzinfo=UTC), "10:00")]}),
     "/weekly/mon/0/0"),
    ("invalid_time", lambda: Override("2026-12-07", [("09:00", "24:01")]), "/intervals/0/1"),
    ("invalid_time", lambda: Busy("2026-12-07", "2026-12-08T00:00:00Z"), "/start"),
    ("invalid_time", lambda: Busy("2026-12-07T09:00:00Z", "tomorrow"), "/end"),
    ("invalid_time", lambda: Busy("2026-12-07T09:00:00+24:00", "2026-12-08T09:00:00Z"), "/start"),
    ("invalid_time", lambda: Query("2026-12-07", "2026-12-08", now="2026-12-07 noon"), "/now"),
    # invalid_date
    ("invalid_date", lambda: Override("2026-02-30"), "/date"),
    ("invalid_date", lambda: Override("2026-12-07", [], until="2026/12/09"), "/until"),
    ("invalid_date", lambda: Query("2026-13-01", "2026-13-02"), "/start"),
    ("invalid_date", lambda: Query("2026-12-01", "2026-12-32"), "/end"),
    # naive_datetime
    ("naive_datetime", lambda: Busy("2026-12-07T10:00:00", "2026-12-07T11:00:00Z"), "/start"),
    ("naive_datetime",
     lambda: Busy(datetime(2026, 12, 7, 10), datetime(2026, 12, 7, 11, tzinfo=UTC)), "/start"),
    ("naive_datetime", lambda: Busy("2026-12-07T10:00:00Z", datetime(2026, 12, 7, 11)), "/end"),
    ("naive_datetime", lambda: Query("2026-12-07", "2026-12-08", now="2026-12-01T10:00:00"),
     "/now"),
    ("naive_datetime", lambda: Query(datetime(2026, 12, 7), datetime(2026, 12, 8, tzinfo=UTC)),
     "/start"),
    # invalid_interval
    ("invalid_interval", lambda: Schedule(NY, {"mon": [("10:00", "09:00")]}), "/weekly/mon/0"),
    ("invalid_interval", lambda: Schedule(NY, {"fri": [("08:00", "09:00"), ("10:00", "10:00")]}),
     "/weekly/fri/1"),
    ("invalid_interval", lambda: Override("2026-12-07", [("18:00", "17:00")]), "/intervals/0"),
    ("invalid_interval", lambda: Override("2026-12-07", [], until="2026-12-06"), "/until"),
    ("invalid_interval", lambda: Busy("2026-12-07T10:00:00Z", "2026-12-07T10:00:00Z"), "/end"),
    ("invalid_interval", lambda: Busy("2026-12-07T10:00:00Z", "2026-12-07T10:30:00+01:00"), "/end"),
    ("invalid_interval", lambda: Query("2026-12-08", "2026-12-07"), "/end"),
    ("invalid_interval", lambda: Query("2026-12-07T10:00:00Z", "2026-12-07T10:00:00Z"), "/end"),
    # duplicate_override
    ("duplicate_override",
     lambda: Schedule(NY, OK_HOURS,
                      [Override("2026-12-07"), Override("2026-12-07", [("09:00", "10:00")])]),
     "/overrides/1"),
    ("duplicate_override",
     lambda: Schedule(NY, OK_HOURS,
                      [Override("2026-12-07"), Override("2026-12-05", until="2026-12-08")]),
     "/overrides/1"),
    ("duplicate_override",
     lambda: Schedule(NY, OK_HOURS, [Override("2026-12-01", until="2026-12-10"),
                                     Override("2026-12-20"),
                                     Override("2026-12-10", [("09:00", "10:00")])]),
     "/overrides/2"),
    # invalid_duration
    ("invalid_duration", lambda: EventPolicy(0), "/duration"),
    ("invalid_duration", lambda: EventPolicy(-30), "/duration"),
    ("invalid_duration", lambda: EventPolicy(10**9), "/duration"),
    # invalid_value
    ("invalid_duration", lambda: EventPolicy(30, step=0), "/step"),  # SPEC §5
    ("invalid_value", lambda: EventPolicy(30, align="grid"), "/align"),  # type: ignore[arg-type]
    ("invalid_value", lambda: EventPolicy(30, buffer_before=-1), "/buffer_before"),
    ("invalid_value", lambda: EventPolicy(30, buffer_after=-5), "/buffer_after"),
    ("invalid_value", lambda: EventPolicy(30, min_notice=-1), "/min_notice"),
    ("invalid_value", lambda: EventPolicy(30, horizon_days=0), "/horizon_days"),
    ("invalid_value", lambda: EventPolicy(30, capacity=0), "/capacity"),
    ("invalid_value", lambda: EventPolicy(30, max_per_day=0), "/max_per_day"),
    ("invalid_value", lambda: Busy("2026-12-07T09:00:00Z", "2026-12-07T10:00:00Z", seats=0),
     "/seats"),
    ("invalid_value", lambda: Query("2026-12-07", "2026-12-08", limit=0), "/limit"),
    ("invalid_value", lambda: Query("0999-12-07", "0999-12-08"), "/start"),
    ("invalid_value", lambda: Team("some"), "/mode"),  # type: ignore[arg-type]
    ("invalid_value", lambda: Team("all", min=2), "/min"),
    ("invalid_value", lambda: Team("any", min=0), "/min"),
    ("invalid_value", lambda: Host("", schedule()), "/id"),
    # range_too_large
    ("range_too_large", lambda: Query("2026-01-01", "2027-12-31"), "/end"),
    ("range_too_large", lambda: Query("2024-01-01", "2025-01-01"), "/end"),  # 367 dates
    ("range_too_large", lambda: Query("2026-01-01T00:00:00Z", "2027-01-02T00:00:01Z"), "/end"),
]


@pytest.mark.parametrize(("code", "build", "path"), CASES,
                         ids=[f"{c}-{i}" for i, (c, _, _) in enumerate(CASES)])
def test_error_code_and_path(code: str, build: Callable[[], object], path: str) -> None:
    with pytest.raises(SlotcalcError) as info:
        build()
    err = info.value
    assert err.code == code
    assert err.path == path
    assert err.message
    assert err.to_dict() == {"error": {"code": code, "message": err.message, "path": path}}
    builtin = TypeError if code == "invalid_request" else ValueError
    assert isinstance(err, builtin)
    assert isinstance(err, errors.error_for_code(code))


def test_every_typed_layer_code_is_exercised() -> None:
    typed_codes = {"invalid_request", "invalid_timezone", "invalid_time", "invalid_date",
                   "naive_datetime", "invalid_interval", "duplicate_override", "invalid_duration",
                   "invalid_value", "range_too_large"}
    assert {c for c, _, _ in CASES} == typed_codes


@pytest.mark.parametrize("days", [366])
def test_range_limits_are_inclusive(days: int) -> None:
    start = date(2026, 1, 1)
    q = Query(start, start + timedelta(days=days - 1))
    assert q.by_dates
    a = datetime(2026, 1, 1, tzinfo=UTC)
    assert Query(a, a + timedelta(days=days)).end == a + timedelta(days=days)


def test_builtin_catch_keeps_working() -> None:
    with pytest.raises(ValueError):
        EventPolicy(0)
    with pytest.raises(TypeError):
        EventPolicy("30")  # type: ignore[arg-type]


def test_under_prefixes_the_path() -> None:
    with pytest.raises(SlotcalcError) as info:
        Schedule(NY, {"mon": [("10:00", "09:00")]})
    assert info.value.under("hosts", 2, "schedule").path == "/hosts/2/schedule/weekly/mon/0"


def test_accepts_python_values_and_strings_alike() -> None:
    s1 = Schedule(NY, {"mon": [("09:00", "24:00")]}, [Override("2026-12-24", [("09:00", "12:00")])])
    s2 = Schedule(ZoneInfo(NY), {"mon": [(time(9), "24:00")]},
                  [Override(date(2026, 12, 24), [(time(9), time(12))])])
    assert s1 == s2 and hash(s1) == hash(s2)
    assert s1.weekly[0] == ((9 * 3600, 86400),)
    b1 = Busy("2026-12-07T15:00:00Z", "2026-12-07T17:00:00+01:00")
    b2 = Busy(datetime(2026, 12, 7, 10, tzinfo=ZoneInfo(NY)), datetime(2026, 12, 7, 16, tzinfo=UTC))
    assert b1 == b1 and b1.start_s == b2.start_s and b1.end_s == b2.end_s
    q = Query("2026-12-07T10:00:00.5Z", "2026-12-07T11:00:00Z", now="2026-12-01T00:00:00Z")
    assert isinstance(q.start, datetime) and q.start.microsecond == 500000


def test_values_are_frozen() -> None:
    e = EventPolicy(30)
    with pytest.raises(AttributeError):
        e.duration = 60  # type: ignore[misc]


def test_team_request_errors() -> None:
    """Team-level validation at the API: empty host lists, duplicate ids, ``min`` too large."""
    event = EventPolicy(30)
    query = Query("2026-12-07", "2026-12-07", now="2026-12-01T00:00:00Z")
    with pytest.raises(SlotcalcError) as info:
        find_team_slots([], event, query)
    assert isinstance(info.value, ValueError | TypeError)
    assert info.value.code in {"invalid_request", "invalid_value"}
    ana, bo = Host("ana", schedule()), Host("ana", schedule())
    with pytest.raises(SlotcalcError) as info:
        find_team_slots([ana, bo], event, query)
    assert info.value.code in {"invalid_request", "invalid_value"}
    assert info.value.path.startswith("/hosts/1")
    with pytest.raises(SlotcalcError) as info:
        find_team_slots([ana, Host("bo", schedule())], event, query, Team("any", min=3))
    assert info.value.code == "invalid_value"
    assert info.value.path.endswith("/min")


def test_intervals_compare_instants_not_wall_readings() -> None:
    """Two datetimes in the same ZoneInfo across a fold: Python's ``<`` compares wall readings.

    01:30 EDT (05:30Z) to 01:15 EST (06:15Z) on 1 November 2026 is 45 real minutes: valid.
    The reverse pair ends before it starts: ``invalid_interval``.
    """
    ny = ZoneInfo(NY)
    first = datetime(2026, 11, 1, 1, 30, tzinfo=ny)
    later = datetime(2026, 11, 1, 1, 15, fold=1, tzinfo=ny)
    assert later.timestamp() - first.timestamp() == 45 * 60
    b = Busy(first, later)
    assert b.end_s - b.start_s == 45 * 60
    assert Query(first, later).end == later
    with pytest.raises(SlotcalcError) as info:
        Busy(later, first)
    assert info.value.code == "invalid_interval" and info.value.path == "/end"
    with pytest.raises(SlotcalcError) as info:
        Query(later, first)
    assert info.value.code == "invalid_interval" and info.value.path == "/end"
