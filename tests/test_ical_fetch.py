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

from slotcalc.errors import CalendarFetchFailed, CalendarUnreadable, InvalidRequest
from slotcalc.ical import (
    Fetched,
    busy_document,
    fetch,
    fetch_calendar,
    read_calendar,
    read_calendar_url,
)

FEED = (
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n"
    b"BEGIN:VEVENT\r\nUID:1\r\nDTSTART:20260302T090000Z\r\nDTEND:20260302T100000Z\r\n"
    b"END:VEVENT\r\nEND:VCALENDAR\r\n"
)
BOMB = gzip.compress(b"BEGIN:VCALENDAR\r\n" + b"X" * 20_000_000, 9)  # 20 MB in ~20 kB
LAST_MODIFIED = "Mon, 30 Nov 2026 10:00:00 GMT"
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
            elif path == "/slow-headers":
                self.send_response(200)
                for i in range(50):  # one header every 0.2 s: 10 s in all
                    self.send_header(f"X-Wait-{i}", "x")
                    self.flush_headers()
                    time.sleep(0.2)
                self.send_header("Content-Length", str(len(FEED)))
                self.end_headers()
                self.wfile.write(FEED)
            elif path == "/bomb":
                self._send(200, BOMB, Content_Encoding="gzip")
            elif path == "/bad-gzip":
                self._send(200, b"\x1f\x8bnot gzip at all", Content_Encoding="gzip")
            elif path == "/brotli":
                self._send(200, FEED, Content_Encoding="br")
            elif path == "/endless":
                self.send_response(200)
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                piece = b"X" * 65536
                while True:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            elif path == "/short":
                self.send_response(200)
                self.send_header("Content-Length", str(len(FEED) + 100))
                self.end_headers()
                self.wfile.write(FEED)
            elif path == "/etag":
                if self.headers.get("If-None-Match") == '"v1"' or \
                        self.headers.get("If-Modified-Since") == LAST_MODIFIED:
                    self.send_response(304)
                    self.send_header("ETag", '"v1"')
                    self.end_headers()
                else:
                    self._send(200, FEED, ETag='"v1"', Last_Modified=LAST_MODIFIED)
            elif path == "/auth":
                if self.headers.get("Authorization") == "Basic dXNlcjpwQHNz":  # user:p@ss
                    self._send(200, FEED)
                else:
                    self._send(401, b"who are you", Content_Type="text/plain")
            elif path == "/to-other-host":
                self._redirect(f"http://localhost:{self.server.server_address[1]}/ok")
            elif path == "/to-auth-elsewhere":
                self._redirect(f"http://localhost:{self.server.server_address[1]}/auth")
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


# ---------------------------------------------------------------------------------------------
# issue 11: one total deadline, bombs, safe messages, conditional GET, hosts


def test_slow_headers_are_stopped_by_the_total_deadline(server: str) -> None:
    begin = time.monotonic()
    with pytest.raises(CalendarFetchFailed, match="timeout"):
        fetch(f"http://{server}/slow-headers", timeout=1.0)
    assert time.monotonic() - begin < 1.6


def test_a_gzip_bomb_is_stopped_at_max_bytes(server: str) -> None:
    assert len(BOMB) < 100_000
    begin = time.monotonic()
    with pytest.raises(CalendarFetchFailed, match="max_bytes"):
        fetch(f"http://{server}/bomb", max_bytes=1_000_000)
    assert time.monotonic() - begin < 1.0
    assert len(fetch(f"http://{server}/bomb").body or b"") == 20_000_017  # within the limit


@pytest.mark.parametrize(("path", "needle"), [("/bad-gzip", "gzip"), ("/brotli", "encoding"),
                                              ("/short", "closed before the end")])
def test_broken_bodies(server: str, path: str, needle: str) -> None:
    with pytest.raises(CalendarFetchFailed, match=needle):
        fetch(f"http://{server}{path}")


def test_an_endless_stream_is_stopped(server: str) -> None:
    begin = time.monotonic()
    with pytest.raises(CalendarFetchFailed, match="max_bytes"):
        fetch(f"http://{server}/endless", max_bytes=2_000_000)
    with pytest.raises(CalendarFetchFailed, match="timeout"):
        fetch(f"http://{server}/endless", max_bytes=10**12, timeout=0.5)
    assert time.monotonic() - begin < 3.0


def test_conditional_get(server: str) -> None:
    first = fetch(f"http://{server}/etag")
    assert first == Fetched(200, FEED, '"v1"', LAST_MODIFIED)
    again = fetch(f"http://{server}/etag", etag=first.etag)
    assert again == Fetched(304, None, '"v1"', None)  # the validators it sent, else those given
    assert fetch(f"http://{server}/etag", last_modified=LAST_MODIFIED).status == 304
    with pytest.raises(CalendarFetchFailed):
        fetch(f"http://{server}/etag", etag='"v1"\r\nX-Evil: 1')


def test_credentials_are_sent_but_never_shown(server: str) -> None:
    assert fetch(f"http://user:p%40ss@{server}/auth").body == FEED
    with pytest.raises(CalendarFetchFailed) as info:
        fetch(f"http://user:wrong@{server}/auth")
    assert "HTTP 401" in str(info.value) and "wrong" not in str(info.value)
    assert "user" not in str(info.value)
    # a redirect to another host does not take the credentials along
    with pytest.raises(CalendarFetchFailed, match="HTTP 401"):
        fetch(f"http://user:p%40ss@{server}/to-auth-elsewhere")


def test_hosts_limit_redirects_too(server: str) -> None:
    assert fetch(f"http://{server}/ok", hosts={"127.0.0.1"}).body == FEED
    with pytest.raises(CalendarFetchFailed, match="not allowed"):
        fetch(f"http://{server}/to-other-host", hosts={"127.0.0.1"})
    with pytest.raises(CalendarFetchFailed, match="not allowed"):
        fetch(f"http://{server}/ok", hosts={"calendar.example"})
    assert fetch(f"http://{server}/to-other-host").body == FEED


def _one_shot(reply: bytes) -> tuple[str, threading.Thread]:
    """A TCP service on 127.0.0.1 that sends ``reply`` to its first client and closes."""
    listener = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        with listener:
            conn, _ = listener.accept()
            with conn:
                conn.recv(65536)
                conn.sendall(reply)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return f"127.0.0.1:{listener.getsockname()[1]}", thread


@pytest.mark.parametrize("reply", [b"SSH-2.0-OpenSSH_9.6 secret-banner\r\n",
                                   b"+OK secret-banner POP3 ready\r\n",
                                   b"HTTP/1.1 200 secret-banner\r\n" + b"X: y\r\n" * 200 + b"\r\n",
                                   b"HTTP/1.1 999 secret-banner\r\n\r\n"])
def test_a_service_that_is_not_http_is_not_echoed(reply: bytes) -> None:
    where, thread = _one_shot(reply)
    with pytest.raises(CalendarFetchFailed) as info:
        fetch(f"http://{where}/x.ics", timeout=2.0)
    thread.join(2)
    assert "secret" not in str(info.value) and "OpenSSH" not in str(info.value)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/x", "gopher://x/",
                                 "http://", "http://exa mple.com/", "http://example.com:99999/",
                                 "http://[::1/", "javascript:alert(1)", "x" * 20_000])
def test_bad_urls_are_fetch_failures(url: str) -> None:
    with pytest.raises(CalendarFetchFailed) as info:
        fetch(url)
    assert len(str(info.value)) < 300


def test_bad_limits_are_request_errors() -> None:
    for kwargs in ({"timeout": 0}, {"timeout": float("nan")}, {"max_bytes": 0},
                   {"max_redirects": -1}, {"timeout": True}):
        with pytest.raises(InvalidRequest):
            fetch("http://127.0.0.1/", **kwargs)  # type: ignore[arg-type]


def test_unresolvable_host_is_a_fetch_failure() -> None:
    with pytest.raises(CalendarFetchFailed):
        fetch("http://no-such-host.invalid/x.ics", timeout=3.0)


def test_every_failure_is_calendar_fetch_failed_never_a_bare_oserror(server: str) -> None:
    for path in ("/missing", "/to-file", "/loop/0", "/slow", "/big"):
        try:
            fetch(f"http://{server}{path}", timeout=0.3, max_bytes=1000)
        except CalendarFetchFailed as exc:
            assert exc.code == "calendar_fetch_failed"


def test_a_silent_tls_server_is_stopped_by_the_deadline() -> None:
    listener = socket.create_server(("127.0.0.1", 0))  # accepts (the kernel does), never speaks
    with listener:
        begin = time.monotonic()
        with pytest.raises(CalendarFetchFailed, match="timeout"):
            fetch(f"https://127.0.0.1:{listener.getsockname()[1]}/x.ics", timeout=0.5)
        assert time.monotonic() - begin < 1.5


def test_urls_and_validators_outside_ascii(server: str) -> None:
    with pytest.raises(CalendarFetchFailed, match="HTTP 404"):  # sent percent-encoded
        fetch(f"http://{server}/kalender-ä.ics?wer=jürgen")
    with pytest.raises(CalendarFetchFailed, match="cannot be sent"):
        fetch(f"http://{server}/ok", etag="\u20ac")
    with pytest.raises(CalendarFetchFailed):
        fetch("http://bücher.invalid/x.ics", timeout=3.0)
