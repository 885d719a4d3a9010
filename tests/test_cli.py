"""The command line: ``python -m slotcalc`` as a subprocess, and ``cli.main`` in-process."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from slotcalc import cli
from slotcalc.jsonapi import answer_request, check_request

SRC = Path(__file__).resolve().parents[1] / "src"

REQUEST: dict[str, Any] = {
    "schedule": {"timezone": "America/New_York", "weekly": {"mon": [["09:00", "12:00"]]}},
    "event": {"duration": 60},
    "busy": [{"start": "2026-12-07T15:00:00Z", "end": "2026-12-07T16:00:00Z"}],
    "query": {"start": "2026-12-07", "end": "2026-12-08", "now": "2026-11-30T12:00:00Z"},
}
TEAM: dict[str, Any] = {
    "hosts": [
        {"id": "ana", "schedule": {"timezone": "Europe/Madrid",
                                  "weekly": {"mon": [["09:00", "11:00"]]}}},
        {"id": "bo", "schedule": {"timezone": "Europe/London",
                                  "weekly": {"mon": [["09:00", "11:00"]]}}},
    ],
    "team": {"mode": "any"},
    "event": {"duration": 60},
    "query": {"start": "2026-12-07", "end": "2026-12-07", "timezone": "UTC",
              "now": "2026-11-30T12:00:00Z"},
}


def run(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")]))
    env.pop("SLOTCALC_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "slotcalc", *args], input=stdin,
                          capture_output=True, timeout=120, env=env)


def call(*args: str, stdin: bytes = b"") -> tuple[int, str, str]:
    out, err = io.BytesIO(), io.StringIO()
    code = cli.main(list(args), stdin=io.BytesIO(stdin), stdout=out, stderr=err)
    return code, out.getvalue().decode("utf-8"), err.getvalue()


@pytest.fixture
def request_file(tmp_path: Path) -> Path:
    path = tmp_path / "request.json"
    path.write_text(json.dumps(REQUEST), encoding="utf-8")
    return path


# ---------------------------------------------------------------------------------------------
# subprocess: what a user sees


def test_slots_json_from_a_file(request_file: Path) -> None:
    p = run("slots", str(request_file), "--format", "json")
    assert p.returncode == 0, p.stderr
    assert p.stderr == b""
    assert json.loads(p.stdout) == answer_request(REQUEST)


def test_slots_table_from_stdin() -> None:
    p = run("slots", "-", stdin=json.dumps(REQUEST).encode())
    assert p.returncode == 0, p.stderr
    text = p.stdout.decode()
    assert "Mon 2026-12-07" in text
    assert "09:00" in text and "11:00" in text and "10:00" not in text.split("Mon 2026-12-07")[1]


def test_example_grid_is_plain_text_when_piped() -> None:
    p = run("slots", "--example", "--format", "grid")
    assert p.returncode == 0, p.stderr
    text = p.stdout.decode()
    assert "\x1b[" not in text
    assert "Legend:" in text and "#####" in text
    assert "Mon 07" in text and "America/New_York" in text


def test_check_json(request_file: Path) -> None:
    p = run("check", str(request_file), "--start", "2026-12-07T15:00:00Z", "--format", "json")
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout) == check_request(REQUEST, "2026-12-07T15:00:00Z")


def test_error_json_goes_to_stdout_with_status_1() -> None:
    bad = {**REQUEST, "event": {"duration": 0}}
    p = run("slots", "-", "--format", "json", stdin=json.dumps(bad).encode())
    assert p.returncode == 1
    assert json.loads(p.stdout)["error"]["path"] == "/event/duration"
    assert b"Traceback" not in p.stderr


def test_error_for_people_is_one_line_on_stderr() -> None:
    p = run("slots", "-", stdin=b'{"schedule": {"timezone": "Mars/Base"}}')
    assert p.returncode == 1
    assert p.stdout == b""
    assert p.stderr.decode().count("\n") == 1
    assert p.stderr.startswith(b"slotcalc: invalid_request")


def test_arbitrary_bytes_on_stdin() -> None:
    p = run("slots", "-", "--format", "json", stdin=bytes(range(256)))
    assert p.returncode == 1
    assert json.loads(p.stdout)["error"]["code"] == "invalid_json"
    assert b"Traceback" not in p.stderr


def test_usage_error_is_status_2() -> None:
    p = run("slots")
    assert p.returncode == 2
    assert b"Traceback" not in p.stderr and p.stdout == b""


def test_closed_pipe_is_quiet() -> None:
    big = {**REQUEST, "schedule": {"timezone": "UTC", "weekly": {
        d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}},
        "event": {"duration": 15}, "busy": [],
        "query": {"start": "2026-12-01", "end": "2027-03-01", "now": "2026-11-30T12:00:00Z"}}
    env = dict(os.environ, PYTHONPATH=str(SRC))
    with subprocess.Popen([sys.executable, "-m", "slotcalc", "slots", "-", "--format", "json"],
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, env=env) as proc:
        assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
        proc.stdin.write(json.dumps(big).encode())
        proc.stdin.close()
        assert proc.stdout.read(10)
        proc.stdout.close()
        err = proc.stderr.read()
        proc.wait(timeout=120)
    assert b"Traceback" not in err and b"Exception" not in err
    assert proc.returncode in (0, 1)


# ---------------------------------------------------------------------------------------------
# in-process: the details


def test_help_and_version() -> None:
    with pytest.raises(SystemExit) as info:  # argparse prints and exits; main turns it into 0
        raise SystemExit(cli.main(["--version"]))
    assert info.value.code == 0


@pytest.mark.parametrize(("data", "needle"), [
    (b"", "not valid JSON"),
    (b"\xff\xfe{}", "not UTF-8"),
    (b'{"a": NaN}', "NaN"),
    (b'{"event": 1, "event": 2}', "twice"),
    (b"[" * 100_000, "nested"),
    (b"1" * 5000, "JSON"),
])
def test_invalid_json(data: bytes, needle: str) -> None:
    code, out, err = call("slots", "-", "--format", "json", stdin=data)
    assert code == 1 and err == ""
    got = json.loads(out)["error"]
    assert got["code"] == "invalid_json" and got["path"] == ""
    assert needle in got["message"]


def test_byte_order_mark_is_allowed() -> None:
    code, out, _ = call("slots", "-", "--format", "json",
                        stdin=b"\xef\xbb\xbf" + json.dumps(REQUEST).encode())
    assert code == 0 and json.loads(out) == answer_request(REQUEST)


def test_unreadable_request_file(tmp_path: Path) -> None:
    code, out, err = call("slots", str(tmp_path / "missing.json"))
    assert code == 1 and out == "" and "cannot read" in err
    code, out, _ = call("slots", str(tmp_path), "--format", "json")
    assert code == 1 and json.loads(out)["error"]["code"] == "invalid_request"


def test_lone_surrogates_still_give_valid_json() -> None:
    team = json.loads(json.dumps(TEAM))
    team["hosts"][0]["id"] = "\ud800"
    code, out, _ = call("slots", "-", "--format", "json", stdin=json.dumps(team).encode())
    assert code == 0
    assert json.loads(out)["days"][0]["slots"][0]["hosts"] == ["\ud800"]


def test_team_table_and_grid() -> None:
    code, out, _ = call("slots", "-", stdin=json.dumps(TEAM).encode())
    assert code == 0
    assert "08:00 - 09:00" in out and "ana, bo" in out
    code, out, _ = call("slots", "-", "--format", "grid", stdin=json.dumps(TEAM).encode())
    assert code == 0 and "Mon 07" in out and "08:00" in out


def test_check_table() -> None:
    code, out, _ = call("check", "-", "--start", "2026-12-07T15:00:00Z",
                        stdin=json.dumps(REQUEST).encode())
    assert code == 0
    assert "not bookable (busy" in out and "Next available after it" in out


def test_check_bad_start() -> None:
    code, out, _ = call("check", "-", "--start", "2026-12-07T15:00:00", "--format", "json",
                        stdin=json.dumps(REQUEST).encode())
    assert code == 1 and json.loads(out)["error"] == {
        "code": "naive_datetime", "message": json.loads(out)["error"]["message"],
        "path": "--start"}


def test_busy_option_with_a_team_is_refused(tmp_path: Path) -> None:
    code, _, err = call("slots", "-", "--busy", str(tmp_path / "x.ics"),
                        stdin=json.dumps(TEAM).encode())
    assert code == 1 and "per host" in err


def test_example_and_request_together_is_a_usage_error(request_file: Path) -> None:
    code, out, err = call("slots", str(request_file), "--example")
    assert code == 2 and out == "" and "--example" in err


def test_example_json_is_a_stable_answer() -> None:
    code, out, _ = call("slots", "--example", "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["timezone"] == "America/New_York"
    assert len(doc["days"]) >= 3
    assert any(s["remaining"] == 1 for d in doc["days"] for s in d["slots"])
    assert call("slots", "--example", "--format", "json")[1] == out


def test_grid_marks_busy_open_and_closed() -> None:
    req = {**REQUEST, "event": {"duration": 60, "min_notice": 0},
           "query": {**REQUEST["query"], "now": "2026-12-07T14:30:00Z"}}
    code, out, _ = call("slots", "-", "--format", "grid", stdin=json.dumps(req).encode())
    assert code == 0
    rows = {line[:5]: line for line in out.splitlines() if line[:2].isdigit()}
    # Monday: 09:00 is past (open, no slot), 10:00 busy, 11:00 a slot; Tuesday closed
    assert rows["09:00"].split()[1] == "."
    assert rows["10:00"].split()[1] == "#####"
    assert rows["11:00"].split()[1] == "11:00"
    assert len(rows["11:00"].split()) == 2


def test_grid_on_a_dst_night() -> None:
    req = {"schedule": {"timezone": "America/New_York", "weekly": {"sun": [["00:00", "04:00"]]}},
           "event": {"duration": 60},
           "query": {"start": "2026-11-01", "end": "2026-11-01", "now": "2026-10-01T00:00:00Z"}}
    code, out, _ = call("slots", "-", "--format", "grid", stdin=json.dumps(req).encode())
    assert code == 0
    assert "01:00+" in out  # 01:00 comes twice: two slots start in that row
    code, out, _ = call("slots", "-", stdin=json.dumps(req).encode())
    assert "01:00 EDT" in out and "01:00 EST" in out


def test_internal_errors_are_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*_: object, **__: object) -> object:
        raise RuntimeError("boom")

    monkeypatch.setattr(cli, "parse_request", boom)
    monkeypatch.delenv("SLOTCALC_DEBUG", raising=False)
    code, out, err = call("slots", "--example")
    assert code == 3 and out == "" and err.count("\n") == 1 and "internal error" in err


FEED = "\r\n".join([
    "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//slotcalc tests//EN",
    "BEGIN:VEVENT", "UID:standup@test", "DTSTART;TZID=America/New_York:20261207T090000",
    "DTEND;TZID=America/New_York:20261207T093000", "RRULE:FREQ=DAILY;COUNT=3", "END:VEVENT",
    "BEGIN:VEVENT", "UID:bad@test", "DTSTART:garbage", "END:VEVENT",
    "END:VCALENDAR", ""])


@pytest.fixture
def feed(tmp_path: Path) -> Path:
    pytest.importorskip("slotcalc.ical")
    path = tmp_path / "busy.ics"
    path.write_text(FEED, encoding="utf-8")
    return path


def test_busy_option_adds_a_calendar(feed: Path, request_file: Path) -> None:
    code, out, _ = call("slots", str(request_file), "--busy", str(feed), "--format", "json")
    assert code == 0
    doc = json.loads(out)
    # the 09:00 stand-up blocks Monday's 09:00; only 11:00 is left that day
    assert [s["start"][11:16] for s in doc["days"][0]["slots"]] == ["11:00"]
    assert [(w["code"], w["path"]) for w in doc["warnings"]] == [
        ("calendar_component_skipped", "/calendars/0")]
    code, out, _ = call("slots", str(request_file), "--busy", str(feed), "--format", "grid")
    assert code == 0 and "warning: calendar_component_skipped at /calendars/0" in out


def test_calendar_paths_are_relative_to_the_request_file(feed: Path, tmp_path: Path) -> None:
    req = {**REQUEST, "calendars": [{"path": feed.name}]}
    (tmp_path / "with-calendar.json").write_text(json.dumps(req), encoding="utf-8")
    p = run("slots", str(tmp_path / "with-calendar.json"), "--format", "json")
    assert p.returncode == 0, p.stderr
    assert [s["start"][11:16] for s in json.loads(p.stdout)["days"][0]["slots"]] == ["11:00"]


def test_busy_command(feed: Path) -> None:
    args = ("busy", str(feed), "--start", "2026-12-08T00:00:00Z", "--end", "2026-12-10T00:00:00Z")
    code, out, _ = call(*args, "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["busy"] == [{"start": "2026-12-08T14:00:00Z", "end": "2026-12-08T14:30:00Z"},
                           {"start": "2026-12-09T14:00:00Z", "end": "2026-12-09T14:30:00Z"}]
    assert doc["warnings"][0]["code"] == "calendar_component_skipped"
    code, out, _ = call(*args, "--timezone", "America/New_York")
    assert code == 0 and "Tue 2026-12-08  09:00 - 09:30" in out
    code, out, _ = call("busy", "-", "--start", "2026-12-08T00:00:00Z", "--end",
                        "2026-12-10T00:00:00Z", "--format", "json", stdin=FEED.encode())
    assert code == 0 and len(json.loads(out)["busy"]) == 2


@pytest.mark.parametrize(("args", "code"), [
    (("--start", "2026-12-08T00:00:00", "--end", "2026-12-10T00:00:00Z"), "naive_datetime"),
    (("--start", "2026-12-08T00:00:00Z", "--end", "2026-12-10T00:00:00Z", "--timezone", "X/Y"),
     "invalid_timezone"),
])
def test_busy_command_errors(feed: Path, args: tuple[str, ...], code: str) -> None:
    status, out, _ = call("busy", str(feed), *args, "--format", "json")
    assert status == 1 and json.loads(out)["error"]["code"] == code


def test_busy_command_unreadable_feed(tmp_path: Path) -> None:
    pytest.importorskip("slotcalc.ical")
    status, out, err = call("busy", str(tmp_path / "missing.ics"), "--start",
                            "2026-12-08T00:00:00Z", "--end", "2026-12-10T00:00:00Z")
    assert status == 1 and out == "" and err.startswith("slotcalc: calendar_unreadable")


def test_standard_input_is_read_once() -> None:
    code, _, err = call("slots", "-", "--busy", "-", stdin=json.dumps(REQUEST).encode())
    assert code == 2 and "only once" in err


# ---------------------------------------------------------------------------------------------
# issue 11: periods, check like slots, flags named in errors, no internal error


def test_periods_command_asks_for_periods(request_file: Path) -> None:
    asked = {**REQUEST, "query": {**REQUEST["query"], "output": "periods"}}
    code, out, _ = call("periods", str(request_file), "--format", "json")
    assert json.loads(out) == answer_request(asked)
    assert code == (1 if "error" in json.loads(out) else 0)
    code2, out2, _ = call("periods", "-", "--format", "json",
                          stdin=json.dumps(REQUEST).encode())
    assert (code2, out2) == (code, out)


def test_periods_table() -> None:
    doc = {"timezone": "UTC", "periods": [
        {"start": "2026-12-07T09:00:00Z", "end": "2026-12-07T10:00:00Z", "hosts": ["ana"]}],
        "next_available": None, "warnings": []}
    text = cli._periods_table(doc)
    assert "2026-12-07T09:00:00Z  –  2026-12-07T10:00:00Z  ana" in text
    assert "none" in cli._periods_table({**doc, "periods": []})


def test_check_takes_example_and_busy(feed: Path, request_file: Path) -> None:
    code, out, _ = call("check", "--example", "--start", "2026-12-07T15:00:00Z",
                        "--format", "json")
    assert code == 0 and "bookable" in json.loads(out)
    args = ("check", str(request_file), "--start", "2026-12-07T14:00:00Z", "--format", "json")
    free = json.loads(call(*args)[1])
    busy = json.loads(call(*args, "--busy", str(feed))[1])
    assert free["reason"] != "busy" and busy["reason"] == "busy"


@pytest.mark.parametrize(("args", "path"), [
    (("check", "-", "--start", "2026-1-1"), "--start"),
    (("check", "-", "--start", "x" * 10_000), "--start"),
    (("slots", "-", "--busy", "/nonexistent/feed.ics"), "--busy"),
    (("slots", "-", "--busy", "http://127.0.0.1:9/feed.ics"), "--busy"),
    (("check", "-", "--start", "2026-12-07T15:00:00Z", "--busy", "/nonexistent.ics"), "--busy"),
    (("busy", "/nonexistent.ics", "--start", "2026-12-08", "--end", "2026-12-09T00:00:00Z"),
     "--start"),
    (("busy", "-", "--start", "2026-12-08T00:00:00Z", "--end", "2026-12-07T00:00:00Z"),
     "--end"),
    (("busy", "-", "--start", "2026-12-08T00:00:00Z", "--end", "2026-12-09T00:00:00Z",
      "--timezone", "Mars/Base"), "--timezone"),
])
def test_flag_errors_name_the_flag(args: tuple[str, ...], path: str) -> None:
    pytest.importorskip("slotcalc.ical")
    stdin = FEED.encode() if args[1] == "-" and args[0] == "busy" else \
        json.dumps(REQUEST).encode()
    code, out, _ = call(*args, "--format", "json", stdin=stdin)
    error = json.loads(out)["error"]
    assert code == 1 and error["path"] == path, error
    assert len(error["message"]) < 300


@pytest.mark.parametrize("name", ["a\x00b.json", "/dev/null/x", ".", "/" + "x" * 5000])
def test_odd_request_names_are_input_errors(name: str) -> None:
    code, out, err = call("slots", name)
    assert code == 1 and out == "" and "internal error" not in err and len(err) < 400


def test_request_calendars_are_granted_on_the_command_line(feed: Path, tmp_path: Path) -> None:
    req = {**REQUEST, "calendars": [{"path": str(feed)}]}
    code, out, _ = call("slots", "-", "--format", "json", stdin=json.dumps(req).encode())
    assert code == 0 and [s["start"][11:16] for s in json.loads(out)["days"][0]["slots"]] == \
        ["11:00"]
    # the same request through the library, which grants nothing by default
    assert answer_request(req)["error"]["code"] == "calendar_not_allowed"


def test_a_failed_fetch_is_not_an_internal_error() -> None:
    pytest.importorskip("slotcalc.ical")
    code, _, err = call("busy", "https://127.0.0.1:9/x.ics", "--start", "2026-12-08T00:00:00Z",
                        "--end", "2026-12-09T00:00:00Z")
    assert code == 1 and err.startswith("slotcalc: calendar_fetch_failed")


def test_week_grid_shows_days_closed_by_a_limit_or_a_horizon(tmp_path: Path) -> None:
    request = {
        "schedule": {"timezone": "UTC", "weekly": {d: [["09:00", "12:00"]]
                                                   for d in ("mon", "tue", "wed", "thu")}},
        "busy": [{"start": "2026-12-07T09:00:00Z", "end": "2026-12-07T10:00:00Z", "seats": 1}],
        "event": {"duration": 60, "booking_limits": {"day": 1}, "bookable_until": "2026-12-09"},
        "query": {"start": "2026-12-07", "end": "2026-12-11", "now": "2026-12-01T00:00:00Z"}}
    path = tmp_path / "limit.json"
    path.write_text(json.dumps(request))
    code, out, _ = call("slots", str(path), "--format", "grid")
    assert code == 0
    rows = {line[:5]: line for line in out.splitlines() if line[:2].isdigit()}
    assert rows["10:00"].split()[1:] == ["xxxxx", "10:00", "10:00", "-----"]
