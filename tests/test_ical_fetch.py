"""Fetching feeds over HTTP: a local server on 127.0.0.1 plays the calendar host.

Checks the limits of issue 5: a time limit for the whole fetch, a size limit (announced or
streamed), at most ``max_redirects`` redirects and only to http(s), HTTP errors, and that
``webcal://`` is fetched as ``http://``. Every failure is ``calendar_fetch_failed``; a body that
is not iCalendar is ``calendar_unreadable``.
"""

from __future__ import annotations

import gzip
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from slotcalc.errors import CalendarFetchFailed, CalendarUnreadable
from slotcalc.ical import busy_document, fetch_calendar, read_calendar, read_calendar_url

FEED = (
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n"
    b"BEGIN:VEVENT\r\nUID:1\r\nDTSTART:20260302T090000Z\r\nDTEND:20260302T100000Z\r\n"
    b"END:VEVENT\r\nEND:VCALENDAR\r\n"
)
WINDOW = {"start": "2026-03-01T00:00:00Z", "end": "2026-04-01T00:00:00Z"}
EXPECTED = [(1772442000, 1772445600)]


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass

    def _send(self, status: int, body: bytes, **headers: str) -> None:
        self.send_response(status)
        headers.setdefault("Content-Type", "text/calendar; charset=utf-8")
        for key, value in headers.items():
            self.send_header(key.replace("_", "-"), value)
        if "Content-Length" not in headers and "Transfer-Encoding" not in headers:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, where: str) -> None:
        self.send_response(302)
        self.send_header("Location", where)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:
        path = self.path
        try:
            if path == "/ok":
                self._send(200, FEED)
            elif path == "/gzip":
                self._send(200, gzip.compress(FEED), Content_Encoding="gzip")
            elif path == "/slow":
                time.sleep(3)
                self._send(200, FEED)
            elif path == "/drip":
                self.send_response(200)
                self.send_header("Content-Length", str(len(FEED)))
                self.end_headers()
                for i in range(len(FEED)):
                    self.wfile.write(FEED[i:i + 1])
                    self.wfile.flush()
                    time.sleep(0.1)
            elif path == "/big":
                self._send(200, FEED, Content_Length=str(10_000_000))
            elif path == "/big-stream":
                self.send_response(200)
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                piece = b"X-FILLER:" + b"x" * 500 + b"\r\n"
                head = b"BEGIN:VCALENDAR\r\n"
                self.wfile.write(b"%x\r\n%s\r\n" % (len(head), head))
                for _ in range(20):
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                self.wfile.write(b"0\r\n\r\n")
            elif path == "/to-ftp":
                self._redirect("ftp://example.com/feed.ics")
            elif path == "/to-file":
                self._redirect("file:///etc/passwd")
            elif path.startswith("/hop/"):
                left = int(path.rsplit("/", 1)[1])
                self._redirect(f"/hop/{left - 1}" if left > 0 else "/ok")
            elif path.startswith("/slowhop/"):
                time.sleep(0.4)
                left = int(path.rsplit("/", 1)[1])
                self._redirect(f"/slowhop/{left - 1}" if left > 0 else "/ok")
            elif path.startswith("/loop/"):
                self._redirect(f"/loop/{int(path.rsplit('/', 1)[1]) + 1}")
            elif path == "/html":
                self._send(200, b"<!DOCTYPE html><html><body>Sign in</body></html>",
                           Content_Type="text/html")
            elif path == "/truncated":
                self._send(200, FEED[:-15])
            elif path == "/error":
                self._send(500, b"oops", Content_Type="text/plain")
            else:
                self._send(404, b"not here", Content_Type="text/plain")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up, as the test wanted


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy",
                 "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)


def test_success(server: str) -> None:
    assert read_calendar(f"http://{server}/ok", **WINDOW).intervals == EXPECTED
    assert fetch_calendar(f"http://{server}/ok") == FEED


def test_webcal_is_fetched_as_https(server: str) -> None:
    # the local server speaks plain HTTP: a TLS client fails its handshake, as it should
    for url in (f"webcal://{server}/ok", f"webcals://{server}/ok", f"https://{server}/ok"):
        with pytest.raises(CalendarFetchFailed, match="TLS handshake"):
            read_calendar(url, timeout=2.0, **WINDOW)
    doc = busy_document(f"http://{server}/ok", WINDOW["start"], WINDOW["end"])
    assert doc["busy"] == [{"start": "2026-03-02T09:00:00Z", "end": "2026-03-02T10:00:00Z"}]


def test_gzip_body(server: str) -> None:
    assert read_calendar_url(f"http://{server}/gzip", **WINDOW).intervals == EXPECTED


def test_timeout_before_the_answer(server: str) -> None:
    begin = time.monotonic()
    with pytest.raises(CalendarFetchFailed, match="timeout") as info:
        read_calendar(f"http://{server}/slow", timeout=0.5, **WINDOW)
    assert time.monotonic() - begin < 2.5
    assert info.value.code == "calendar_fetch_failed"


def test_timeout_is_for_the_whole_fetch(server: str) -> None:
    begin = time.monotonic()
    with pytest.raises(CalendarFetchFailed, match="timeout"):
        read_calendar(f"http://{server}/drip", timeout=1.0, **WINDOW)
    assert time.monotonic() - begin < 2.5


def test_timeout_covers_every_redirect_hop(server: str) -> None:
    begin = time.monotonic()
    with pytest.raises(CalendarFetchFailed, match="timeout"):
        read_calendar(f"http://{server}/slowhop/4", timeout=1.0, max_redirects=5, **WINDOW)
    assert time.monotonic() - begin < 1.8


def test_oversize_announced(server: str) -> None:
    with pytest.raises(CalendarFetchFailed, match="max_bytes"):
        read_calendar(f"http://{server}/big", max_bytes=1000, **WINDOW)


def test_oversize_streamed(server: str) -> None:
    with pytest.raises(CalendarFetchFailed, match="max_bytes"):
        read_calendar(f"http://{server}/big-stream", max_bytes=5000, **WINDOW)


@pytest.mark.parametrize("path", ["/to-ftp", "/to-file"])
def test_redirect_to_a_forbidden_scheme(server: str, path: str) -> None:
    with pytest.raises(CalendarFetchFailed, match="only http"):
        read_calendar(f"http://{server}{path}", **WINDOW)


def test_redirects_within_the_limit_are_followed(server: str) -> None:
    assert read_calendar(f"http://{server}/hop/2", max_redirects=3, **WINDOW).intervals == \
        EXPECTED


@pytest.mark.parametrize(("path", "limit"), [("/hop/3", 3), ("/loop/0", 3), ("/hop/0", 0)])
def test_redirect_chain_too_long(server: str, path: str, limit: int) -> None:
    with pytest.raises(CalendarFetchFailed, match=f"more than {limit}"):
        read_calendar(f"http://{server}{path}", max_redirects=limit, **WINDOW)


@pytest.mark.parametrize(("path", "status"), [("/missing", "404"), ("/error", "500")])
def test_http_errors(server: str, path: str, status: str) -> None:
    with pytest.raises(CalendarFetchFailed, match=f"HTTP {status}"):
        read_calendar(f"http://{server}{path}", **WINDOW)


def test_connection_refused() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(CalendarFetchFailed):
        read_calendar(f"http://127.0.0.1:{port}/ok", timeout=2.0, **WINDOW)


@pytest.mark.parametrize("path", ["/html", "/truncated"])
def test_a_body_that_is_not_a_whole_calendar_is_unreadable(server: str, path: str) -> None:
    with pytest.raises(CalendarUnreadable):
        read_calendar(f"http://{server}{path}", **WINDOW)
