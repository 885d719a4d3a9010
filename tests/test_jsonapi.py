"""The JSON layer: answers of SPEC §4, and every SPEC §5 error it produces, with its path."""

from __future__ import annotations

import copy
import os
import sys
from typing import Any

import pytest

from slotcalc import CalendarAccess, CalendarNotAllowed, InvalidRequest, SlotcalcError
from slotcalc.jsonapi import CalendarSource, answer_request, check_request, parse_request

Doc = dict[str, Any]

BASE: Doc = {
    "schedule": {
        "timezone": "America/New_York",
        "weekly": {"mon": [["09:00", "12:00"]], "tue": [["09:00", "12:00"]]},
        "overrides": [{"date": "2026-12-08", "intervals": [["10:00", "11:00"]]}],
    },
    "event": {"duration": 60},
    "busy": [
        {"start": "2026-12-07T15:00:00Z", "end": "2026-12-07T16:00:00Z"},
        {"start": "2026-12-07T16:00:00Z", "end": "2026-12-07T17:00:00Z", "seats": 1,
         "id": "bk_1"},
    ],
    "query": {"start": "2026-12-07", "end": "2026-12-08", "now": "2026-11-30T12:00:00Z"},
}

TEAM: Doc = {
    "hosts": [
        {"id": "ana", "schedule": {"timezone": "Europe/Madrid",
                                  "weekly": {"mon": [["09:00", "11:00"]]}}},
        {"id": "bo", "schedule": {"timezone": "Europe/London",
                                  "weekly": {"mon": [["09:00", "11:00"]]}},
         "busy": [{"start": "2026-12-07T10:00:00Z", "end": "2026-12-07T11:00:00Z"}]},
    ],
    "team": {"mode": "any"},
    "event": {"duration": 60},
    "query": {"start": "2026-12-07", "end": "2026-12-07", "timezone": "UTC",
              "now": "2026-11-30T12:00:00Z"},
}


def changed(base: Doc, path: str, value: Any = ..., *, delete: bool = False) -> Doc:
    """Return a deep copy of ``base`` with the JSON Pointer ``path`` set (or deleted)."""
    doc = copy.deepcopy(base)
    parts = [p for p in path.split("/")[1:]]
    target: Any = doc
    for p in parts[:-1]:
        target = target[int(p)] if isinstance(target, list) else target[p]
    last: Any = int(parts[-1]) if isinstance(target, list) else parts[-1]
    if delete:
        del target[last]
    elif isinstance(target, list) and last == len(target):
        target.append(value)
    else:
        target[last] = value
    return doc


def error_of(doc: Doc) -> tuple[str, str]:
    assert set(doc) == {"error"}, doc
    err = doc["error"]
    assert set(err) == {"code", "message", "path"}
    assert isinstance(err["message"], str) and err["message"]
    return err["code"], err["path"]


# ---------------------------------------------------------------------------------------------
# answers


def test_answer_has_spec_keys_in_order() -> None:
    doc = answer_request(BASE)
    assert list(doc) == ["timezone", "days", "next_available", "warnings"]
    assert doc["timezone"] == "America/New_York"
    assert doc["warnings"] == []
    assert doc["next_available"] is None
    assert [d["date"] for d in doc["days"]] == ["2026-12-07", "2026-12-08"]
    mon = doc["days"][0]["slots"]
    # 10:00 is blocked by busy time, 11:00 uses the single seat of bk_1
    assert [s["start"] for s in mon] == ["2026-12-07T09:00:00-05:00"]
    assert list(mon[0]) == ["start", "end", "remaining"]
    assert doc["days"][1]["slots"] == [{"start": "2026-12-08T10:00:00-05:00",
                                        "end": "2026-12-08T11:00:00-05:00", "remaining": 1}]


def test_exclude_frees_a_booking() -> None:
    doc = answer_request(changed(BASE, "/query/exclude", ["bk_1"]))
    assert [s["start"][11:16] for s in doc["days"][0]["slots"]] == ["09:00", "11:00"]


def test_limit_null_means_no_limit() -> None:
    assert answer_request(changed(BASE, "/query/limit", None)) == answer_request(BASE)


def test_nullable_event_fields() -> None:
    doc = changed(BASE, "/event/horizon_days", None)
    doc["event"]["max_per_day"] = None
    assert answer_request(doc) == answer_request(BASE)


def test_check_document() -> None:
    doc = check_request(BASE, "2026-12-07T14:00:00Z")
    assert doc == {"bookable": True, "reason": None, "remaining": 1, "next_available":
                   "2026-12-08T10:00:00-05:00", "end": "2026-12-07T10:00:00-05:00",
                   "warnings": []}
    busy = check_request(BASE, "2026-12-07T15:00:00Z")
    assert list(busy) == ["bookable", "reason", "remaining", "next_available", "end",
                          "warnings"]
    assert (busy["bookable"], busy["reason"]) == (False, "busy")


def test_team_answer_and_check() -> None:
    doc = answer_request(TEAM)
    slots = doc["days"][0]["slots"]
    assert [(s["start"][11:16], s["hosts"], s["remaining"]) for s in slots] == [
        ("08:00", ["ana"], 1), ("09:00", ["ana", "bo"], 2)]
    assert list(slots[0]) == ["start", "end", "remaining", "hosts"]
    check = check_request(TEAM, "2026-12-07T09:00:00Z")
    assert list(check) == ["bookable", "reason", "remaining", "next_available", "end", "hosts",
                           "warnings"]
    assert check["hosts"] == ["ana", "bo"] and check["bookable"]


def test_team_defaults_to_all() -> None:
    doc = changed(TEAM, "/team", None, delete=True)
    slots = answer_request(doc)["days"][0]["slots"]
    assert [(s["start"][11:16], s["hosts"]) for s in slots] == [("09:00", ["ana", "bo"])]


def test_team_min() -> None:
    doc = changed(TEAM, "/team/min", 2)
    slots = answer_request(doc)["days"][0]["slots"]
    assert [s["hosts"] for s in slots] == [["ana", "bo"]]


def test_answers_are_plain_json() -> None:
    import json

    for doc in (answer_request(BASE), answer_request(TEAM),
                check_request(TEAM, "2026-12-07T09:00:00Z")):
        assert json.loads(json.dumps(doc)) == doc


def test_parse_request_raises_and_answer_request_does_not() -> None:
    bad = changed(BASE, "/event/duration", "long")
    with pytest.raises(InvalidRequest) as info:
        parse_request(bad)
    assert info.value.path == "/event/duration"
    assert isinstance(info.value, TypeError)
    assert error_of(answer_request(bad)) == ("invalid_request", "/event/duration")


# ---------------------------------------------------------------------------------------------
# errors: every code of this layer, with its path

CASES: list[tuple[str, Doc, str, str]] = [
    # invalid_request: not an object, unknown fields at every level
    ("top not an object", [], "invalid_request", ""),  # type: ignore[list-item]
    ("unknown top field", changed(BASE, "/when", 1), "invalid_request", "/when"),
    ("unknown schedule field", changed(BASE, "/schedule/zone", "UTC"), "invalid_request",
     "/schedule/zone"),
    ("unknown weekday", changed(BASE, "/schedule/weekly/monday", []), "invalid_request",
     "/schedule/weekly/monday"),
    ("unknown override field", changed(BASE, "/schedule/overrides/0/note", "x"),
     "invalid_request", "/schedule/overrides/0/note"),
    ("unknown event field", changed(BASE, "/event/duraton", 30), "invalid_request",
     "/event/duraton"),
    ("unknown query field", changed(BASE, "/query/tz", "UTC"), "invalid_request", "/query/tz"),
    ("unknown busy field", changed(BASE, "/busy/1/title", "x"), "invalid_request",
     "/busy/1/title"),
    ("unknown calendar kind", changed(BASE, "/calendars", [{"file": "a.ics"}]),
     "invalid_request", "/calendars/0/file"),
    ("two calendar kinds", changed(BASE, "/calendars", [{"path": "a.ics", "url": "http://x"}]),
     "invalid_request", "/calendars/0"),
    ("unknown host field", changed(TEAM, "/hosts/1/name", "Bo"), "invalid_request",
     "/hosts/1/name"),
    ("unknown team field", changed(TEAM, "/team/size", 2), "invalid_request", "/team/size"),
    # missing required fields
    ("no schedule", changed(BASE, "/schedule", delete=True), "invalid_request", "/schedule"),
    ("no event", changed(BASE, "/event", delete=True), "invalid_request", "/event"),
    ("no query", changed(BASE, "/query", delete=True), "invalid_request", "/query"),
    ("no duration", changed(BASE, "/event/duration", delete=True), "invalid_request",
     "/event/duration"),
    ("no query start", changed(BASE, "/query/start", delete=True), "invalid_request",
     "/query/start"),
    ("no query end", changed(BASE, "/query/end", delete=True), "invalid_request",
     "/query/end"),
    ("no timezone", changed(BASE, "/schedule/timezone", delete=True), "invalid_request",
     "/schedule/timezone"),
    ("no override intervals", changed(BASE, "/schedule/overrides/0/intervals", delete=True),
     "invalid_request", "/schedule/overrides/0/intervals"),
    ("no busy end", changed(BASE, "/busy/0/end", delete=True), "invalid_request", "/busy/0/end"),
    ("no host id", changed(TEAM, "/hosts/1/id", delete=True), "invalid_request", "/hosts/1/id"),
    ("no host schedule", changed(TEAM, "/hosts/0/schedule", delete=True), "invalid_request",
     "/hosts/0/schedule"),
    # wrong types
    ("schedule not an object", changed(BASE, "/schedule", []), "invalid_request", "/schedule"),
    ("weekly not an object", changed(BASE, "/schedule/weekly", [["09:00", "10:00"]]),
     "invalid_request", "/schedule/weekly"),
    ("day not a list", changed(BASE, "/schedule/weekly/mon", "09:00-12:00"), "invalid_request",
     "/schedule/weekly/mon"),
    ("interval not a pair", changed(BASE, "/schedule/weekly/mon/0", ["09:00"]),
     "invalid_request", "/schedule/weekly/mon/0"),
    ("wall time a number", changed(BASE, "/schedule/weekly/mon/0/1", 12), "invalid_request",
     "/schedule/weekly/mon/0/1"),
    ("timezone a number", changed(BASE, "/schedule/timezone", 5), "invalid_request",
     "/schedule/timezone"),
    ("overrides an object", changed(BASE, "/schedule/overrides", {}), "invalid_request",
     "/schedule/overrides"),
    ("duration a string", changed(BASE, "/event/duration", "60"), "invalid_request",
     "/event/duration"),
    ("duration with a fraction", changed(BASE, "/event/duration", 60.5), "invalid_duration",
     "/event/duration"),
    ("capacity with a fraction", changed(BASE, "/event/capacity", 2.5), "invalid_value",
     "/event/capacity"),
    ("bool is not an int", changed(BASE, "/event/capacity", True), "invalid_request",
     "/event/capacity"),
    ("seats a bool", changed(BASE, "/busy/1/seats", False), "invalid_request", "/busy/1/seats"),
    ("align a number", changed(BASE, "/event/align", 1), "invalid_request", "/event/align"),
    ("busy an object", changed(BASE, "/busy", {}), "invalid_request", "/busy"),
    ("busy entry a list", changed(BASE, "/busy/0", ["a", "b"]), "invalid_request", "/busy/0"),
    ("busy id a number", changed(BASE, "/busy/1/id", 7), "invalid_request", "/busy/1/id"),
    ("busy start a number", changed(BASE, "/busy/0/start", 1700000000), "invalid_request",
     "/busy/0/start"),
    ("exclude a string", changed(BASE, "/query/exclude", "bk_1"), "invalid_request",
     "/query/exclude"),
    ("exclude holds a number", changed(BASE, "/query/exclude", ["bk_1", 2]), "invalid_request",
     "/query/exclude/1"),
    ("limit a string", changed(BASE, "/query/limit", "5"), "invalid_request", "/query/limit"),
    ("query start a number", changed(BASE, "/query/start", 20261207), "invalid_request",
     "/query/start"),
    ("date and instant mixed", changed(BASE, "/query/end", "2026-12-08T00:00:00Z"),
     "invalid_request", "/query/end"),
    ("calendars an object", changed(BASE, "/calendars", {"path": "a.ics"}), "invalid_request",
     "/calendars"),
    ("calendar path a number", changed(BASE, "/calendars", [{"path": 1}]), "invalid_request",
     "/calendars/0/path"),
    ("hosts an object", changed(TEAM, "/hosts", {}), "invalid_request", "/hosts"),
    ("host id a number", changed(TEAM, "/hosts/0/id", 1), "invalid_request", "/hosts/0/id"),
    ("team mode a number", changed(TEAM, "/team/mode", 1), "invalid_request", "/team/mode"),
    ("team min a bool", changed(TEAM, "/team/min", True), "invalid_request", "/team/min"),
    # null where not allowed
    ("null weekly", changed(BASE, "/schedule/weekly", None), "invalid_request",
     "/schedule/weekly"),
    ("null step", changed(BASE, "/event/step", None), "invalid_request", "/event/step"),
    ("null now", changed(BASE, "/query/now", None), "invalid_request", "/query/now"),
    ("null timezone", changed(BASE, "/query/timezone", None), "invalid_request",
     "/query/timezone"),
    ("null seats", changed(BASE, "/busy/0/seats", None), "invalid_request", "/busy/0/seats"),
    ("null until", changed(BASE, "/schedule/overrides/0/until", None), "invalid_request",
     "/schedule/overrides/0/until"),
    ("null team mode", changed(TEAM, "/team/mode", None), "invalid_request", "/team/mode"),
    # one host or a team, not both
    ("schedule with hosts", {**TEAM, "schedule": BASE["schedule"]}, "invalid_request",
     "/schedule"),
    ("busy with hosts", {**TEAM, "busy": []}, "invalid_request", "/busy"),
    ("calendars with hosts", {**TEAM, "calendars": []}, "invalid_request", "/calendars"),
    ("team without hosts", {**BASE, "team": {"mode": "all"}}, "invalid_request", "/team"),
    # invalid_timezone
    ("bad zone", changed(BASE, "/schedule/timezone", "Mars/Olympus_Mons"), "invalid_timezone",
     "/schedule/timezone"),
    ("bad query zone", changed(BASE, "/query/timezone", "Europe/Atlantis"), "invalid_timezone",
     "/query/timezone"),
    ("bad host zone", changed(TEAM, "/hosts/1/schedule/timezone", "../etc/passwd"),
     "invalid_timezone", "/hosts/1/schedule/timezone"),
    # invalid_time
    ("hour 25", changed(BASE, "/schedule/weekly/mon/0/1", "25:00"), "invalid_time",
     "/schedule/weekly/mon/0/1"),
    ("24:00 as a start", changed(BASE, "/schedule/weekly/mon/0/0", "24:00"), "invalid_time",
     "/schedule/weekly/mon/0/0"),
    ("not an instant", changed(BASE, "/busy/1/start", "tomorrow"), "invalid_time",
     "/busy/1/start"),
    ("bad now", changed(BASE, "/query/now", "2026-11-30T25:00:00Z"), "invalid_time",
     "/query/now"),
    ("override interval time", changed(BASE, "/schedule/overrides/0/intervals/0/0", "9am"),
     "invalid_time", "/schedule/overrides/0/intervals/0/0"),
    # invalid_date
    ("30 February", changed(BASE, "/schedule/overrides/0/date", "2026-02-30"), "invalid_date",
     "/schedule/overrides/0/date"),
    ("month 13", changed(BASE, "/query/start", "2026-13-01"), "invalid_date", "/query/start"),
    ("date shape", changed(BASE, "/query/end", "7 Dec 2026"), "invalid_time", "/query/end"),
    # naive_datetime
    ("naive busy", changed(BASE, "/busy/1/start", "2026-12-07T16:00:00"), "naive_datetime",
     "/busy/1/start"),
    ("naive now", changed(BASE, "/query/now", "2026-11-30T12:00:00"), "naive_datetime",
     "/query/now"),
    ("naive host busy", changed(TEAM, "/hosts/1/busy/0/end", "2026-12-07T11:00:00"),
     "naive_datetime", "/hosts/1/busy/0/end"),
    # invalid_interval
    ("reversed hours", changed(BASE, "/schedule/weekly/tue/0", ["12:00", "09:00"]),
     "invalid_interval", "/schedule/weekly/tue/0"),
    ("empty hours", changed(BASE, "/schedule/weekly/tue/0", ["09:00", "09:00"]),
     "invalid_interval", "/schedule/weekly/tue/0"),
    ("busy ends first", changed(BASE, "/busy/0/end", "2026-12-07T14:00:00Z"),
     "invalid_interval", "/busy/0/end"),
    ("query ends first", changed(BASE, "/query/end", "2026-12-01"), "invalid_interval",
     "/query/end"),
    ("until before date", changed(BASE, "/schedule/overrides/0/until", "2026-12-01"),
     "invalid_interval", "/schedule/overrides/0/until"),
    # duplicate_override
    ("duplicate override", changed(BASE, "/schedule/overrides/1",
                                   {"date": "2026-12-06", "until": "2026-12-09", "intervals": []}),
     "duplicate_override", "/schedule/overrides/1"),
    # invalid_duration
    ("zero duration", changed(BASE, "/event/duration", 0), "invalid_duration",
     "/event/duration"),
    ("huge duration", changed(BASE, "/event/duration", 10**12), "invalid_duration",
     "/event/duration"),
    # invalid_value
    ("zero step", changed(BASE, "/event/step", 0), "invalid_duration", "/event/step"),  # SPEC §5
    ("negative buffer", changed(BASE, "/event/buffer_before", -5), "invalid_value",
     "/event/buffer_before"),
    ("zero capacity", changed(BASE, "/event/capacity", 0), "invalid_value", "/event/capacity"),
    ("zero horizon", changed(BASE, "/event/horizon_days", 0), "invalid_value",
     "/event/horizon_days"),
    ("zero max_per_day", changed(BASE, "/event/max_per_day", 0), "invalid_value",
     "/event/max_per_day"),
    ("sideways align", changed(BASE, "/event/align", "sideways"), "invalid_value",
     "/event/align"),
    ("zero seats", changed(BASE, "/busy/1/seats", 0), "invalid_value", "/busy/1/seats"),
    ("zero limit", changed(BASE, "/query/limit", 0), "invalid_value", "/query/limit"),
    ("year 3000", changed(BASE, "/busy/0/end", "3000-01-01T00:00:00Z"), "invalid_value",
     "/busy/0/end"),
    ("empty calendar path", changed(BASE, "/calendars", [{"path": ""}]), "invalid_value",
     "/calendars/0/path"),
    ("empty hosts", changed(TEAM, "/hosts", []), "invalid_value", "/hosts"),
    ("duplicate host ids", changed(TEAM, "/hosts/1/id", "ana"), "invalid_value", "/hosts/1/id"),
    ("empty host id", changed(TEAM, "/hosts/0/id", ""), "invalid_value", "/hosts/0/id"),
    ("min above team", changed(TEAM, "/team/min", 3), "invalid_value", "/team/min"),
    ("min zero", changed(TEAM, "/team/min", 0), "invalid_value", "/team/min"),
    ("min with all", changed(changed(TEAM, "/team/mode", "all"), "/team/min", 1),
     "invalid_value", "/team/min"),
    ("mode some", changed(TEAM, "/team/mode", "some"), "invalid_value", "/team/mode"),
    # range_too_large
    ("two years", changed(BASE, "/query/end", "2028-12-31"), "range_too_large", "/query/end"),
    ("instant range too long",
     changed(changed(BASE, "/query/start", "2026-01-01T00:00:00Z"), "/query/end",
             "2027-01-03T00:00:00Z"), "range_too_large", "/query/end"),
]


@pytest.mark.parametrize(("request_doc", "code", "path"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_error(request_doc: Doc, code: str, path: str) -> None:
    assert error_of(answer_request(request_doc)) == (code, path)
    # the same error, raised, for Python callers; and check_request agrees
    with pytest.raises(SlotcalcError) as info:
        parse_request(request_doc)
    assert (info.value.code, info.value.path) == (code, path)
    assert error_of(check_request(request_doc, "2026-12-07T14:00:00Z")) == (code, path)


def test_every_code_of_the_layer_is_covered() -> None:
    codes = {c[2] for c in CASES}
    assert codes >= {"invalid_request", "invalid_timezone", "invalid_time", "invalid_date",
                     "naive_datetime", "invalid_interval", "duplicate_override",
                     "invalid_duration", "invalid_value", "range_too_large"}


def test_unknown_field_message_suggests_the_name() -> None:
    err = answer_request(changed(BASE, "/event/duraton", 30))["error"]
    assert "duration" in err["message"]


@pytest.mark.parametrize(("start", "code"), [
    ("2026-12-07T14:00:00", "naive_datetime"),
    ("2026-12-07", "invalid_time"),
    ("soon", "invalid_time"),
    (None, "invalid_request"),
    (1700000000, "invalid_request"),
])
def test_check_start_errors(start: object, code: str) -> None:
    assert error_of(check_request(BASE, start)) == (code, "/start")


def test_python_values_that_are_not_json() -> None:
    assert error_of(answer_request({1: "x"})) == ("invalid_request", "")
    assert error_of(answer_request(changed(BASE, "/busy", {("a", "b")})))[0] == "invalid_request"
    assert error_of(answer_request(None)) == ("invalid_request", "")
    assert error_of(answer_request("{}")) == ("invalid_request", "")


def test_first_error_is_reported_deterministically() -> None:
    doc = changed(changed(BASE, "/event/duration", 0), "/schedule/timezone", "Nowhere/Here")
    assert error_of(answer_request(doc)) == ("invalid_timezone", "/schedule/timezone")


def test_request_does_not_change_its_input() -> None:
    doc = copy.deepcopy(BASE)
    answer_request(doc)
    check_request(doc, "2026-12-07T14:00:00Z")
    assert doc == BASE


# ---------------------------------------------------------------------------------------------
# calendars: what this layer decides (reading itself is slotcalc.ical's)


def test_calendars_need_the_ical_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "slotcalc.ical", None)  # import fails as if not installed
    doc = changed(BASE, "/calendars", [{"ics": "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"}])
    code, _ = error_of(answer_request(doc))
    assert code == "invalid_request"
    assert "slotcalc[ical]" in answer_request(doc)["error"]["message"]


def test_requests_without_calendars_do_not_import_ical(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "slotcalc.ical", None)
    assert "days" in answer_request(BASE)


@pytest.mark.parametrize(("kind", "value"), [
    ("path", "/etc/passwd"), ("path", "busy.ics"), ("url", "http://127.0.0.1:9/busy.ics"),
    ("url", "https://calendar.example/busy.ics")])
def test_files_and_urls_are_refused_unless_granted(kind: str, value: str) -> None:
    doc = changed(BASE, "/calendars", [{"ics": "BEGIN:VCALENDAR"}, {kind: value}])
    for got in (answer_request(doc), check_request(doc, "2026-12-07T15:00:00Z"),
                answer_request(doc, access=CalendarAccess()),
                answer_request(doc, access=CalendarAccess(files=kind == "url",
                                                          urls=kind == "path"))):
        assert error_of(got) == ("calendar_not_allowed", "/calendars/1")
    with pytest.raises(CalendarNotAllowed) as info:
        parse_request(doc)
    assert isinstance(info.value, PermissionError)
    team = changed(TEAM, "/hosts/1/calendars", [{kind: value}])
    assert error_of(answer_request(team)) == ("calendar_not_allowed", "/hosts/1/calendars/0")


def test_url_hosts_can_be_listed() -> None:
    pytest.importorskip("slotcalc.ical")
    fetched: list[str] = []

    def fetch(url: str) -> bytes:
        fetched.append(url)
        return _feed(("20261207T140000Z", "20261207T150000Z")).encode()

    access = CalendarAccess(urls=frozenset({"Calendar.Example"}), fetch=fetch)
    ok = changed(BASE, "/calendars", [{"url": "https://calendar.example/a.ics"}])
    assert [d["date"] for d in answer_request(ok, access=access)["days"]] == ["2026-12-08"]
    assert fetched == ["https://calendar.example/a.ics"]
    other = changed(BASE, "/calendars", [{"url": "https://127.0.0.1/a.ics"}])
    assert error_of(answer_request(other, access=access)) == ("calendar_not_allowed",
                                                              "/calendars/0")


def test_a_fetcher_that_fails_is_calendar_fetch_failed() -> None:
    pytest.importorskip("slotcalc.ical")

    def fetch(url: str) -> bytes:
        raise ConnectionRefusedError(111, "refused by 10.0.0.7:8080")

    doc = changed(BASE, "/calendars", [{"url": "https://calendar.example/a.ics"}])
    got = answer_request(doc, access=CalendarAccess(urls=True, fetch=fetch))
    assert got["error"] == {"code": "calendar_fetch_failed", "path": "/calendars/0",
                            "message": "could not fetch calendar 0"}


def test_calendars_per_request_are_bounded() -> None:
    doc = changed(BASE, "/calendars", [{"ics": "x"}] * 101)
    assert error_of(answer_request(doc)) == ("invalid_value", "/calendars/100")
    assert "days" not in answer_request(changed(BASE, "/calendars", [{"ics": "x"}] * 100))
    hosts = [{"id": f"h{i}", "schedule": TEAM["hosts"][0]["schedule"],
              "calendars": [{"ics": "x"}] * 30} for i in range(4)]
    got = answer_request({**TEAM, "hosts": hosts, "team": {"mode": "all"}})
    assert error_of(got) == ("invalid_value", "/hosts/3/calendars/10")


@pytest.fixture
def calendar_dir(tmp_path: Any) -> Any:
    """A folder with a calendar, a subfolder, and things a request must not reach."""
    base = tmp_path / "cals"
    (base / "team").mkdir(parents=True)
    feed = _feed(("20261207T140000Z", "20261207T150000Z"))
    (base / "busy.ics").write_text(feed)
    (base / "team" / "ana.ics").write_text(feed)
    (tmp_path / "secret.ics").write_text(feed)
    (base / "out.ics").symlink_to(tmp_path / "secret.ics")
    (base / "in.ics").symlink_to(base / "busy.ics")
    return base


@pytest.mark.parametrize("name", ["busy.ics", "team/ana.ics", "./team/../busy.ics", "in.ics"])
def test_base_dir_reads_inside(calendar_dir: Any, name: str) -> None:
    pytest.importorskip("slotcalc.ical")
    access = CalendarAccess(files=True, base_dir=calendar_dir)
    doc = changed(BASE, "/calendars", [{"path": name}])
    assert [d["date"] for d in answer_request(doc, access=access)["days"]] == ["2026-12-08"]
    absolute = changed(BASE, "/calendars", [{"path": str(calendar_dir / name)}])
    assert answer_request(absolute, access=access) == answer_request(doc, access=access)


@pytest.mark.parametrize("name", ["../secret.ics", "team/../../secret.ics", "out.ics",
                                  "/etc/passwd", "{tmp}/secret.ics", "/"])
def test_base_dir_confines_reads(calendar_dir: Any, name: str) -> None:
    pytest.importorskip("slotcalc.ical")
    name = name.replace("{tmp}", str(calendar_dir.parent))
    access = CalendarAccess(files=True, base_dir=calendar_dir)
    doc = changed(BASE, "/calendars", [{"path": name}])
    assert error_of(answer_request(doc, access=access)) == ("calendar_not_allowed",
                                                            "/calendars/0")


def test_a_nul_in_a_path_is_a_calendar_error(calendar_dir: Any) -> None:
    for access in (CalendarAccess(files=True), CalendarAccess(files=True, base_dir=calendar_dir)):
        got = answer_request(changed(BASE, "/calendars", [{"path": "busy\x00.ics"}]),
                             access=access)
        assert error_of(got) == ("calendar_unreadable", "/calendars/0")


def test_granted_reads_do_not_tell_files_apart(calendar_dir: Any) -> None:
    """A missing file, a folder, an unreadable file, a FIFO, a non-calendar: one message."""
    pytest.importorskip("slotcalc.ical")
    (calendar_dir / "locked.ics").write_text("BEGIN:VCALENDAR")
    (calendar_dir / "locked.ics").chmod(0)
    (calendar_dir / "notes.txt").write_text("root:x:0:0:root:/root:/bin/bash\n")
    os.mkfifo(calendar_dir / "fifo.ics")
    access = CalendarAccess(files=True, base_dir=calendar_dir)
    messages = set()
    for name in ("missing.ics", "team", "locked.ics", "fifo.ics", "notes.txt"):
        doc = changed(BASE, "/calendars", [{"ics": _feed()}, {"path": name}])
        got = answer_request(doc, access=access)
        assert got["error"]["code"] == "calendar_unreadable" and \
            got["error"]["path"] == "/calendars/1", (name, got)
        messages.add(got["error"]["message"])
    assert messages == {"could not read calendar 1"}
    detailed = CalendarAccess(files=True, base_dir=calendar_dir, detailed_errors=True)
    got = answer_request(changed(BASE, "/calendars", [{"path": "fifo.ics"}]), access=detailed)
    assert "not a regular file" in got["error"]["message"]


def test_files_without_base_dir(calendar_dir: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("slotcalc.ical")
    monkeypatch.chdir(calendar_dir)
    access = CalendarAccess(files=True)
    for name in ("busy.ics", "../secret.ics", str(calendar_dir / "out.ics")):
        doc = changed(BASE, "/calendars", [{"path": name}])
        assert [d["date"] for d in answer_request(doc, access=access)["days"]] == ["2026-12-08"]


def test_access_is_checked_when_built() -> None:
    with pytest.raises(InvalidRequest):
        CalendarAccess(urls="yes")  # type: ignore[arg-type]
    with pytest.raises(InvalidRequest):
        CalendarAccess(files=1)  # type: ignore[arg-type]
    with pytest.raises(InvalidRequest):
        parse_request(BASE, access=True)  # type: ignore[arg-type]
    assert CalendarAccess(urls={"A.example."}).hosts == frozenset({"a.example"})  # type: ignore[arg-type]


def test_extra_calendars_continue_the_numbering() -> None:
    req = parse_request(changed(BASE, "/calendars", [{"ics": "x"}]),
                        access=CalendarAccess(files=True))
    with pytest.raises(CalendarNotAllowed):
        parse_request(changed(BASE, "/calendars", [{"ics": "x"}])).with_calendars(
            [CalendarSource("path", "/tmp/a.ics", "")])
    more = req.with_calendars([CalendarSource("path", "/tmp/a.ics", "")])
    assert [c.path for c in more.hosts[0].calendars] == ["/calendars/0", "/calendars/1"]
    with pytest.raises(InvalidRequest):
        parse_request(TEAM).with_calendars([CalendarSource("path", "/tmp/a.ics", "")])




def _feed(*events: tuple[str, str], broken: bool = False) -> str:
    """Return an iCalendar feed with one event per UTC ``(start, end)`` pair (``…T…Z``)."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//slotcalc tests//EN"]
    for n, (a, b) in enumerate(events):
        lines += ["BEGIN:VEVENT", f"UID:e{n}@test", f"DTSTART:{a}", f"DTEND:{b}", "END:VEVENT"]
    if broken:
        lines += ["BEGIN:VEVENT", "UID:bad@test", "DTSTART:garbage", "END:VEVENT"]
    return "\r\n".join([*lines, "END:VCALENDAR", ""])


def _epoch(text: str) -> int:
    from datetime import datetime

    return int(datetime.fromisoformat(text).timestamp())


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """Record the windows slotcalc.ical is asked to read (text, path and bytes alike)."""
    ical = pytest.importorskip("slotcalc.ical")
    seen: list[tuple[int, int]] = []
    for name in ("read_calendar_text", "read_calendar_path", "read_calendar_bytes"):
        real = getattr(ical, name)

        def spy(source: Any, *, start: int, end: int, _real: Any = real, **kw: Any) -> Any:
            seen.append((start, end))
            return _real(source, start=start, end=end, **kw)

        monkeypatch.setattr(ical, name, spy)
    return seen


def test_calendar_busy_blocks_and_warns(reads: list[tuple[int, int]]) -> None:
    feed = _feed(("20261207T140000Z", "20261207T150000Z"), broken=True)
    doc = answer_request(changed(BASE, "/calendars", [{"ics": feed}]))
    assert [d["date"] for d in doc["days"]] == ["2026-12-08"]  # Monday 09:00 is busy now too
    assert [(w["code"], w["path"]) for w in doc["warnings"]] == [
        ("calendar_component_skipped", "/calendars/0")]
    # read once, over the query's dates (New York) widened by the 60-minute duration
    assert reads == [(_epoch("2026-12-07T05:00:00Z") - 3600, _epoch("2026-12-09T05:00:00Z") + 3600)]


def test_calendars_are_read_again_for_next_available(reads: list[tuple[int, int]]) -> None:
    doc = changed(BASE, "/calendars", [{"ics": _feed(("20261214T140000Z", "20261214T150000Z"))}])
    doc["query"] = {"start": "2026-12-09", "end": "2026-12-13", "now": "2026-11-30T12:00:00Z"}
    got = answer_request(doc)
    assert got["days"] == []
    # Monday 14 December 09:00 is busy in the calendar, seen on the second, longer read only
    assert got["next_available"] == "2026-12-14T10:00:00-05:00"
    assert len(reads) == 2 and reads[1][1] - reads[0][1] == 366 * 86400


def test_calendar_errors_carry_their_path(reads: list[tuple[int, int]]) -> None:
    doc = changed(TEAM, "/hosts/1/calendars", [{"ics": _feed()}, {"ics": "not a calendar"}])
    assert error_of(answer_request(doc)) == ("calendar_unreadable", "/hosts/1/calendars/1")


def test_team_calendars_are_per_host(reads: list[tuple[int, int]]) -> None:
    doc = changed(TEAM, "/hosts/0/calendars", [{"ics": _feed(("20261207T080000Z",
                                                              "20261207T090000Z"))}])
    slots = answer_request(doc)["days"][0]["slots"]
    assert [(s["start"][11:16], s["hosts"]) for s in slots] == [("09:00", ["ana", "bo"])]


def test_check_reads_calendars_around_the_start(reads: list[tuple[int, int]]) -> None:
    doc = changed(BASE, "/calendars", [{"ics": _feed(("20261207T140000Z", "20261207T150000Z"),
                                                     broken=True)}])
    got = check_request(doc, "2026-12-07T14:00:00Z")
    assert (got["bookable"], got["reason"]) == (False, "busy")
    assert got["next_available"] == "2026-12-08T10:00:00-05:00"
    assert got["warnings"][0]["path"] == "/calendars/0"
    assert len(reads) == 1 and reads[0][0] <= _epoch("2026-12-07T14:00:00Z") - 3600


def test_relative_calendar_paths_use_base_dir(reads: list[tuple[int, int]], tmp_path: Any,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "busy.ics").write_text(_feed(("20261207T140000Z", "20261207T150000Z")))
    doc = changed(BASE, "/calendars", [{"path": "busy.ics"}])
    access = CalendarAccess(files=True, base_dir=tmp_path)
    assert [d["date"] for d in answer_request(doc, access=access)["days"]] == ["2026-12-08"]
    monkeypatch.chdir(tmp_path)
    assert answer_request(doc, access=CalendarAccess(files=True)) == \
        answer_request(doc, access=access)
    monkeypatch.chdir("/")
    assert error_of(answer_request(doc, access=CalendarAccess(files=True))) == (
        "calendar_unreadable", "/calendars/0")


def test_a_url_is_fetched_once_per_answer(reads: list[tuple[int, int]],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import slotcalc.ical as ical

    fetched: list[str] = []

    def fetch(url: str, **_: Any) -> bytes:
        fetched.append(url)
        return _feed(("20261214T140000Z", "20261214T150000Z")).encode()

    monkeypatch.setattr(ical, "fetch_calendar", fetch)
    doc = changed(BASE, "/calendars", [{"url": "https://calendar.example/busy.ics"}])
    doc["query"] = {"start": "2026-12-09", "end": "2026-12-13", "now": "2026-11-30T12:00:00Z"}
    got = answer_request(doc, access=CalendarAccess(urls=True))
    assert got["next_available"] == "2026-12-14T10:00:00-05:00"
    assert fetched == ["https://calendar.example/busy.ics"] and len(reads) == 2


def test_whole_floats_are_integers() -> None:
    """JSON has only numbers: 60.0 is the whole number 60 (documented in docs/choices.md)."""
    as_float = answer_request(changed(BASE, "/event/duration", 60.0))
    assert "error" not in as_float
    assert as_float == answer_request(changed(BASE, "/event/duration", 60))
