"""``slotcalc serve`` over real HTTP: the server runs as ``python -m slotcalc serve`` on a
loopback port, calendars come from a local ``http.server``; nothing leaves 127.0.0.1.

Skipped when the server extra (Starlette, uvicorn) or httpx is not installed.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")
httpx = pytest.importorskip("httpx")

from slotcalc.jsonapi import answer_request, check_request  # noqa: E402
from slotcalc.server._cache import FeedCache  # noqa: E402
from slotcalc.server._openapi import request_schema  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
ACCEPTANCE = ROOT.parent / "shared" / "acceptance"
TIME_LIMIT = 2.0
CACHE_SECONDS = 1.5
MAX_BODY = 300_000

Document = dict[str, Any]

ICS = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//test//EN\r
BEGIN:VEVENT\r
UID:busy-1\r
DTSTAMP:20261101T000000Z\r
DTSTART:20261207T150000Z\r
DTEND:20261207T160000Z\r
SUMMARY:busy\r
END:VEVENT\r
END:VCALENDAR\r
"""
ETAG = '"v1"'


def _request(calendars: list[Document] | None = None) -> Document:
    doc: Document = {
        "schedule": {"timezone": "America/New_York", "weekly": {"mon": [["09:00", "12:00"]]}},
        "event": {"duration": 60},
        "query": {"start": "2026-12-07", "end": "2026-12-07", "now": "2026-11-30T12:00:00Z"},
    }
    if calendars is not None:
        doc["calendars"] = calendars
    return doc


def _bytes(doc: Document) -> bytes:
    return json.dumps(doc).encode()


# ---------------------------------------------------------------------------------------------
# Fixtures: a feed origin and the server


class _Origin:
    """A local HTTP server with one feed (``/busy.ics``, ETag ``"v1"``); logs every GET."""

    def __init__(self) -> None:
        self.log: list[tuple[str, str | None]] = []  # (path, If-None-Match)
        origin = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                origin.log.append((self.path, self.headers.get("If-None-Match")))
                if self.path != "/busy.ics":
                    self.send_error(404)
                    return
                if self.headers.get("If-None-Match") == ETAG:
                    self.send_response(304)
                    self.send_header("ETag", ETAG)
                    self.end_headers()
                    return
                body = ICS.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/calendar")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("ETag", ETAG)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def origin() -> Iterator[_Origin]:
    o = _Origin()
    yield o
    o.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    port = _free_port()
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"),
                                                      env.get("PYTHONPATH")]))
    for key in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy",
                "ALL_PROXY"):
        env.pop(key, None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "slotcalc", "serve", "--host", "127.0.0.1", "--port", str(port),
         "--workers", "2", "--allow-urls", "127.0.0.1", "--max-body", str(MAX_BODY),
         "--time-limit", str(TIME_LIMIT), "--cache-seconds", str(CACHE_SECONDS),
         "--log-level", "warning", "--no-access-log"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                out = proc.stdout.read().decode() if proc.stdout else ""
                pytest.fail(f"the server did not start: {out[-2000:]}")
            time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout:
            proc.stdout.close()


@pytest.fixture(scope="module")
def client(base_url: str) -> Iterator[Any]:
    with httpx.Client(base_url=base_url, timeout=30, trust_env=False) as c:
        yield c


def _health(client: Any) -> Document:
    r = client.get("/v1/health")
    assert r.status_code == 200
    doc: Document = r.json()
    return doc


# ---------------------------------------------------------------------------------------------
# Endpoints


def test_health(client: Any) -> None:
    doc = _health(client)
    assert doc["status"] == "ok" and doc["workers"] == 2
    assert set(doc["cache"]) >= {"feeds", "hits", "fetches", "revalidated"}


def test_openapi_request_schema_is_the_json_layers(client: Any) -> None:
    r = client.get("/v1/openapi.json")
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    doc = r.json()
    assert doc["openapi"].startswith("3.1")
    assert set(doc["paths"]) == {"/v1/slots", "/v1/periods", "/v1/check", "/v1/health",
                                 "/v1/openapi.json"}
    # the request schema is the JSON layer's, its $defs moved to components: put them back
    schemas = doc["components"]["schemas"]
    own = request_schema()
    rebuilt = json.loads(json.dumps(schemas["Request"]).replace('"#/components/schemas/',
                                                                 '"#/$defs/'))
    defs = {name: json.loads(json.dumps(schemas[name]).replace('"#/components/schemas/',
                                                              '"#/$defs/'))
            for name in own.get("$defs", {})}
    if defs:
        rebuilt["$defs"] = defs
    if "$schema" in own:
        rebuilt = {"$schema": own["$schema"], **rebuilt}
    assert rebuilt == own
    refs = {m for m in _refs(doc)}
    assert refs and all(r.startswith("#/components/schemas/") for r in refs)
    assert {r.rsplit("/", 1)[1] for r in refs} <= set(schemas)  # every reference resolves


def _refs(value: object) -> Iterator[str]:
    if isinstance(value, dict):
        for k, v in value.items():
            if k == "$ref" and isinstance(v, str):
                yield v
            else:
                yield from _refs(v)
    elif isinstance(value, list):
        for v in value:
            yield from _refs(v)


def _cases() -> list[Path]:
    if not ACCEPTANCE.is_dir():
        return []
    return sorted(ACCEPTANCE.glob("cases/*.json")) + sorted(ACCEPTANCE.glob("v2/*.json"))


@pytest.mark.skipif(not ACCEPTANCE.is_dir(), reason="no ../shared/acceptance beside the checkout")
def test_acceptance_cases_byte_identical(client: Any) -> None:
    cases = _cases()
    assert cases
    for path in cases:
        case = json.loads(path.read_text())
        request = case["request"]
        if "check" in case:
            r = client.post("/v1/check", json={"request": request, "start": case["check"]})
            want = check_request(request, case["check"])
        else:
            r = client.post("/v1/slots", content=_bytes(request))
            want = answer_request(request)
        assert r.content == json.dumps(want).encode(), path.name
        assert r.status_code == (400 if "error" in want else 200), path.name
        assert r.headers["content-type"] == "application/json"
        if "check" not in case and isinstance(request.get("query"), dict):
            forced = {**request, "query": {**request["query"], "output": "periods"}}
            r = client.post("/v1/periods", content=_bytes(request))
            assert r.content == json.dumps(answer_request(forced)).encode(), path.name


def test_check_and_periods(client: Any) -> None:
    request = _request()
    r = client.post("/v1/check", json={"request": request, "start": "2026-12-07T15:00:00Z"})
    assert r.status_code == 200
    assert r.content == json.dumps(check_request(request, "2026-12-07T15:00:00Z")).encode()
    assert r.json()["bookable"] is True
    r = client.post("/v1/periods", content=_bytes(request))
    forced = {**request, "query": {**request["query"], "output": "periods"}}
    assert r.content == json.dumps(answer_request(forced)).encode()


# ---------------------------------------------------------------------------------------------
# Errors


def _error(r: Any, status: int, code: str, path: str | None = None) -> None:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/json"
    err = r.json()["error"]
    assert set(err) == {"code", "message", "path"} and err["code"] == code, err
    if path is not None:
        assert err["path"] == path


def test_bad_input_is_400_with_the_spec_body(client: Any) -> None:
    bad = _request()
    bad["schedule"]["timezone"] = "Mars/Base"
    r = client.post("/v1/slots", content=_bytes(bad))
    _error(r, 400, "invalid_timezone", "/schedule/timezone")
    assert r.content == json.dumps(answer_request(bad)).encode()
    _error(client.post("/v1/slots", content=b"{not json"), 400, "invalid_json")
    _error(client.post("/v1/slots", content=b'{"a": 1, "a": 2}'), 400, "invalid_json")
    _error(client.post("/v1/slots", content=b"\xff\xfe"), 400, "invalid_json")
    _error(client.post("/v1/check", json=[]), 400, "invalid_request", "")
    _error(client.post("/v1/check", json={"request": _request()}), 400, "invalid_request",
           "/start")
    _error(client.post("/v1/check", json={"request": _request(), "start": "x", "at": 1}), 400,
           "invalid_request", "/at")
    _error(client.post("/v1/check", json={"request": _request(), "start": "2026-12-07T15:00:00"}),
           400, "naive_datetime", "/start")


def test_unknown_path_and_method(client: Any) -> None:
    _error(client.get("/v1/nope"), 404, "not_found")
    _error(client.post("/slots", content=b"{}"), 404, "not_found")
    r = client.get("/v1/slots")
    _error(r, 405, "method_not_allowed")
    assert r.headers["allow"] == "POST"


def test_body_over_the_limit_is_413(client: Any) -> None:
    big = _request()
    big["busy"] = [{"start": "2026-12-07T15:00:00Z", "end": "2026-12-07T15:30:00Z",
                    "id": "x" * 100}] * 3000
    data = _bytes(big)
    assert len(data) > MAX_BODY
    _error(client.post("/v1/slots", content=data), 413, "request_too_large")

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        for i in range(0, len(data), 65536):
            yield data[i:i + 65536]

    _error(client.post("/v1/slots", content=chunks()), 413, "request_too_large")
    assert client.post("/v1/slots", content=_bytes(_request())).status_code == 200


def _heavy() -> Document:
    """A request that takes several seconds of CPU (a year of 1-minute steps, six hosts)."""
    always = {"timezone": "Europe/Madrid",
              "weekly": {d: [["00:00", "24:00"]]
                         for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}}
    return {"hosts": [{"id": f"h{i}", "schedule": always} for i in range(6)],
            "team": {"mode": "any"}, "event": {"duration": 5, "step": 1},
            "query": {"start": "2027-01-01", "end": "2027-12-31",
                      "now": "2026-01-01T00:00:00Z"}}


def test_time_limit_stops_the_work(client: Any, base_url: str) -> None:
    before = _health(client)["worker_restarts"]
    data = _bytes(_heavy())

    def post(_: int) -> tuple[float, Any]:
        t = time.monotonic()
        with httpx.Client(base_url=base_url, timeout=30, trust_env=False) as c:
            r = c.post("/v1/slots", content=data)
        return time.monotonic() - t, r

    # three at once on two workers: each is refused at the limit, none waits longer
    with ThreadPoolExecutor(3) as pool:
        running = pool.map(post, range(3))
        time.sleep(TIME_LIMIT / 3)
        t = time.monotonic()
        health = _health(client)  # the event loop computes nothing: it answers meanwhile
        assert time.monotonic() - t < 1.0
        assert health["busy_workers"] == 2
        results = list(running)
    for took, r in results:
        assert r.status_code == 503, r.text[:200]
        assert r.json()["error"]["code"] in ("time_limit_exceeded", "server_busy")
        assert took < TIME_LIMIT + 1.5
    assert "time_limit_exceeded" in {r.json()["error"]["code"] for _, r in results}
    # the killed workers were replaced: the server answers at once
    r = client.post("/v1/slots", content=_bytes(_request()))
    assert r.status_code == 200
    assert _health(client)["worker_restarts"] >= before + 2


# ---------------------------------------------------------------------------------------------
# Calendars


def test_inline_ics_always_allowed(client: Any) -> None:
    doc = _request([{"ics": ICS}])
    r = client.post("/v1/slots", content=_bytes(doc))
    assert r.status_code == 200
    assert r.content == json.dumps(answer_request(doc)).encode()
    starts = [s["start"] for d in r.json()["days"] for s in d["slots"]]
    assert "2026-12-07T10:00:00-05:00" not in starts  # 15:00Z is busy


def test_files_and_other_hosts_are_not_allowed(client: Any, origin: _Origin) -> None:
    _error(client.post("/v1/slots", content=_bytes(_request([{"path": "/etc/hostname"}]))),
           400, "calendar_not_allowed", "/calendars/0")
    port = origin.url.rsplit(":", 1)[1]
    before = len(origin.log)
    other = _request([{"ics": ICS}, {"url": f"http://localhost:{port}/busy.ics"}])
    _error(client.post("/v1/slots", content=_bytes(other)), 400, "calendar_not_allowed",
           "/calendars/1")
    team = {"hosts": [{"id": "a", "schedule": _request()["schedule"],
                       "calendars": [{"url": f"http://localhost:{port}/busy.ics"}]}],
            "event": {"duration": 60}, "query": _request()["query"]}
    _error(client.post("/v1/check", json={"request": team, "start": "2026-12-07T15:00:00Z"}),
           400, "calendar_not_allowed", "/hosts/0/calendars/0")
    assert len(origin.log) == before  # nothing was fetched
    # an invalid request is reported as such, and fetches nothing either
    bad = _request([{"url": f"{origin.url}/busy.ics"}])
    bad["event"]["duration"] = 0
    _error(client.post("/v1/slots", content=_bytes(bad)), 400, "invalid_duration")
    assert len(origin.log) == before


def test_allowed_url_is_cached_then_revalidated(client: Any, origin: _Origin) -> None:
    doc = _request([{"url": f"{origin.url}/busy.ics"}])
    want = json.dumps(answer_request(_request([{"ics": ICS}]))).encode()
    origin.log.clear()
    r = client.post("/v1/slots", content=_bytes(doc))
    assert r.status_code == 200 and r.content == want
    assert origin.log == [("/busy.ics", None)]
    # within the TTL: served from the cache, the origin sees nothing
    r = client.post("/v1/check", json={"request": doc, "start": "2026-12-07T15:00:00Z"})
    assert r.json()["bookable"] is False and r.json()["reason"] == "busy"
    assert r.content == json.dumps(check_request(_request([{"ics": ICS}]),
                                                 "2026-12-07T15:00:00Z")).encode()
    assert len(origin.log) == 1
    time.sleep(CACHE_SECONDS + 0.2)
    # after it: one conditional GET, answered 304, the cached body is used
    r = client.post("/v1/slots", content=_bytes(doc))
    assert r.status_code == 200 and r.content == want
    assert origin.log == [("/busy.ics", None), ("/busy.ics", ETAG)]
    cache = _health(client)["cache"]
    assert cache["revalidated"] >= 1 and cache["hits"] >= 1 and cache["feeds"] >= 1


def test_failed_fetch_is_502(client: Any, origin: _Origin) -> None:
    doc = _request([{"url": f"{origin.url}/missing.ics"}])
    _error(client.post("/v1/slots", content=_bytes(doc)), 502, "calendar_fetch_failed",
           "/calendars/0")


# ---------------------------------------------------------------------------------------------
# The feed cache alone


def test_feed_cache_is_bounded_and_shares_fetches() -> None:
    from slotcalc.ical import Fetched

    calls: list[str] = []
    now = [0.0]

    def fetch(url: str, *, etag: str | None = None, last_modified: str | None = None,
              timeout: float = 10.0, max_bytes: int = 10_000_000) -> Fetched:
        calls.append(url)
        time.sleep(0.05)
        return Fetched(200, url.encode() * 10, None, None)

    cache = FeedCache(10, max_bytes=400, max_entries=3, fetch=fetch, clock=lambda: now[0])

    async def scenario() -> None:
        bodies = await asyncio.gather(*(cache.get("http://a/x", 1) for _ in range(5)))
        assert calls == ["http://a/x"] and len(set(bodies)) == 1  # one fetch for five
        for u in ("http://b/x", "http://c/x", "http://d/x"):
            await cache.get(u, 1)
        assert len(cache) == 3 and cache.size <= 400  # the oldest went
        await cache.get("http://a/x", 1)
        assert calls.count("http://a/x") == 2
        await cache.get("http://" + "e" * 20 + "/x", 1)  # a body over a quarter: not kept
        assert len(cache) == 3
        now[0] = 11
        await cache.get("http://d/x", 1)  # stale: fetched again
        assert calls.count("http://d/x") == 2

    try:
        asyncio.run(scenario())
    finally:
        cache.close()


# ---------------------------------------------------------------------------------------------
# Configuration and the command line


def test_config_is_checked() -> None:
    from slotcalc.server import ServerConfig

    assert ServerConfig(allow_urls=frozenset({" Calendar.Example.com "})).allow_urls == {
        "calendar.example.com"}
    for bad in ({"max_body": 0}, {"time_limit": 0}, {"workers": 0}, {"cache_seconds": -1},
                {"allow_urls": frozenset({"https://x.example/feed"})}):
        with pytest.raises(ValueError):
            ServerConfig(**bad)


def test_serve_without_the_extra_says_what_to_install() -> None:
    code = ("import sys; sys.modules['starlette'] = None; from slotcalc.cli import main; "
            "sys.exit(main(['serve', '--port', '1']))")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                       env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    assert p.returncode == 1
    assert "pip install 'slotcalc[server]'" in p.stderr
