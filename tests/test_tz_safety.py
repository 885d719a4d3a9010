"""Issue 11: the shared offset tables under threads, and what the zone and date readers accept."""

from __future__ import annotations

import random
import sys
import threading
import time
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

import pytest

from slotcalc import InvalidDate, InvalidRequest, InvalidTimezone, Query, Schedule
from slotcalc._tz import _BLOCK, _PROBE, OffsetTable, load_zone
from slotcalc.jsonapi import answer_request

YEAR = 366 * 86400


def _expected(zone: ZoneInfo, times: list[int]) -> list[int]:
    out = []
    for t in times:
        off = datetime.fromtimestamp(t, zone).utcoffset()
        assert off is not None
        out.append(int(off.total_seconds()))
    return out


@pytest.mark.parametrize("name", ["Europe/Berlin", "America/Santiago", "Australia/Lord_Howe"])
def test_offset_table_is_thread_safe(name: str) -> None:
    """8 threads look up far years of one fresh table at once (each lookup may probe a new
    block): every answer equals zoneinfo's, as single-threaded."""
    zone = ZoneInfo(name)
    base = int(datetime(2030, 1, 1, tzinfo=UTC).timestamp())
    # for each thread: instants spread over 60 years, in an order of its own, around the
    # DST changes (every 2 weeks, at odd hours)
    plans = [[base + ((k * 7919 + i * 104729) % 60) * YEAR + (k * 1_209_600 + 3_600 * i) % YEAR
              for k in range(240)] for i in range(8)]
    wanted = [_expected(zone, plan) for plan in plans]
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    try:
        for _ in range(3):
            table = OffsetTable(zone)
            got: list[list[int]] = [[] for _ in plans]
            barrier = threading.Barrier(len(plans))

            def run(i: int, table: OffsetTable = table, got: list[list[int]] = got,
                    barrier: threading.Barrier = barrier) -> None:
                barrier.wait()
                got[i] = [table.offset(t) for t in plans[i]]

            threads = [threading.Thread(target=run, args=(i,)) for i in range(len(plans))]
            for th in threads:
                th.start()
            for th in threads:
                th.join()
            assert got == wanted
            whole = [a for plan in plans for a in plan]
            assert [s[2] for t in whole for s in table.segments(t, t + 1)] == \
                [o for w in wanted for o in w]
    finally:
        sys.setswitchinterval(old)


# zones -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["Factory", "right/UTC", "right/Europe/Berlin", "posix/UTC",
                                  "posix/America/New_York", "localtime", "posixrules"])
def test_copies_and_placeholders_are_not_zones(name: str) -> None:
    with pytest.raises(InvalidTimezone):
        load_zone(name)
    with pytest.raises(InvalidTimezone):
        Schedule(name)


def test_timezone_utc_is_utc() -> None:
    assert load_zone(UTC).key == "UTC"
    assert load_zone(UTC).key == "UTC"
    assert Schedule(UTC).timezone == "UTC"  # type: ignore[arg-type]
    q = Query("2026-12-07", "2026-12-08", timezone=UTC)  # type: ignore[arg-type]
    assert q.zone is not None and q.zone.key == "UTC"


@pytest.mark.parametrize(("zone", "advice"), [
    (timezone(timedelta(hours=2)), "'Etc/GMT-2'"),
    (timezone(timedelta(hours=-5), "EST"), "'Etc/GMT+5'"),
    (timezone(timedelta(hours=5, minutes=30)), "IANA name"),
])
def test_fixed_offsets_get_advice(zone: tzinfo, advice: str) -> None:
    with pytest.raises(InvalidRequest) as info:
        load_zone(zone)
    assert advice in info.value.message and "not a time zone" in info.value.message
    assert ZoneInfo(advice.strip("'")) if advice.startswith("'") else True


def test_pytz_like_zones_are_told_their_name() -> None:
    class FakePytz(tzinfo):  # what pytz zones look like: a tzinfo with .zone
        zone = "Europe/Berlin"

        def utcoffset(self, dt: datetime | None) -> timedelta:
            return timedelta(hours=1)

    with pytest.raises(InvalidRequest, match="'Europe/Berlin'"):
        load_zone(FakePytz())
    with pytest.raises(InvalidRequest) as info:
        Schedule(FakePytz())  # type: ignore[arg-type]
    assert info.value.path == "/timezone"


@pytest.mark.parametrize(("name", "suggestion"), [
    ("Europe/Berln", "Europe/Berlin"), ("europe/berlin", "Europe/Berlin"),
    ("America/New York", "America/New_York"), ("America/NewYork", "America/New_York"),
    ("Asia/Calcuta", "Asia/Calcutta"), ("Berlin", "Europe/Berlin")])
def test_did_you_mean(name: str, suggestion: str) -> None:
    with pytest.raises(InvalidTimezone, match=f"did you mean '{suggestion}'"):
        load_zone(name)


def test_long_zone_names_are_cut_in_messages() -> None:
    with pytest.raises(InvalidTimezone) as info:
        load_zone("Europe/" + "x" * 1_000_000)
    assert len(info.value.message) < 200


# dates -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["2026-1-1", "2026-12-1", "26-12-07", "2026-13-01",
                                   "2026-02-30"])
def test_a_query_date_written_wrong_is_invalid_date(value: str) -> None:
    with pytest.raises(InvalidDate):
        Query(value, "2026-12-08")
    doc = answer_request({"schedule": {"timezone": "UTC"}, "event": {"duration": 30},
                          "query": {"start": value, "end": "2026-12-08"}})
    assert (doc["error"]["code"], doc["error"]["path"]) == ("invalid_date", "/query/start")


def test_long_values_are_cut_in_messages() -> None:
    doc = answer_request({"schedule": {"timezone": "UTC"}, "event": {"duration": 30},
                          "query": {"start": "2026-12-07T" + "9" * 100_000, "end": "2026-12-08"}})
    assert doc["error"]["code"] == "invalid_time" and len(doc["error"]["message"]) < 200
    assert Query(date(2026, 12, 7), "2026-12-08").start == date(2026, 12, 7)


class _SlowUpdate(OffsetTable):
    """A table that sleeps inside its update (when it asks the offset just before a block for
    the second time), so other threads run right then: a table that marks a block known
    before its transitions are in place answers them wrong."""

    __slots__ = ()
    local = threading.local()

    def _utcoffset(self, t: int) -> int:
        if t % _BLOCK == _BLOCK - _PROBE:
            seen: set[int] = getattr(self.local, "seen", set())
            self.local.seen = seen
            if t in seen:
                time.sleep(0.005)
            seen.add(t)
        return super()._utcoffset(t)


def test_offset_table_update_is_atomic_for_readers() -> None:
    zone = ZoneInfo("Europe/Berlin")
    base = int(datetime(2040, 7, 1, tzinfo=UTC).timestamp())
    plans = []
    for i in range(8):
        rng = random.Random(i)
        plans.append([base + rng.randrange(10) * YEAR + rng.randrange(40) * 3600
                      for _ in range(300)])
    wanted = [_expected(zone, plan) for plan in plans]
    table = _SlowUpdate(zone)
    got: list[list[int | str]] = [[] for _ in plans]
    barrier = threading.Barrier(len(plans))

    def run(i: int) -> None:
        barrier.wait()
        for t in plans[i]:
            try:
                got[i].append(table.offset(t))
            except Exception as exc:  # a torn table can also fail outright
                got[i].append(repr(exc))

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(plans))]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert got == wanted


class _Raising(tzinfo):
    def utcoffset(self, dt: datetime | None) -> timedelta:
        raise KeyError("no offset here")


class _ThirtyHours(tzinfo):
    def utcoffset(self, dt: datetime | None) -> timedelta:
        return timedelta(hours=30)


@pytest.mark.parametrize("zone", [_Raising(), _ThirtyHours()])
def test_a_broken_tzinfo_is_invalid_time(zone: tzinfo) -> None:
    from slotcalc import InvalidTime
    from slotcalc.model import read_instant

    with pytest.raises(InvalidTime) as info:
        read_instant(datetime(2026, 12, 7, 9, tzinfo=zone), "/start")
    assert info.value.path == "/start"
