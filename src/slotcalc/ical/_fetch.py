"""Fetching a feed over HTTP(S) with limits one can trust.

Built on the standard library's :mod:`http.client` (its status line, header and chunked
parsing, with their own bounds: 100 headers, 64 KiB a line), without :mod:`urllib.request`
and without touching sockets behind a library's back. Every limit is enforced here, in one
place:

* one **total deadline** for the whole fetch, redirects included: name resolution (in a
  helper thread that is waited for at most the time left), each connect, the TLS handshake,
  sending the request, every read of the status line, the headers and the body. Each socket
  operation gets the time left as its timeout, so a server that sends one header byte every
  few seconds is stopped at the deadline; a watchdog timer also shuts the socket down at the
  deadline, which bounds the TLS handshake (whose many reads each would get the time left);
* a **size limit** on the body as received and again after gzip, so a gzip bomb is stopped
  after ``max_bytes`` bytes of output, whatever its ratio;
* at most ``max_redirects`` **redirects**, each only to ``http``/``https`` (never ``file:``,
  ``ftp:``...), and only to an allowed host when the caller restricts hosts;
* only ``http``, ``https``, ``webcal`` and ``webcals`` URLs (both fetched as ``https``).

Every failure is :class:`~slotcalc.errors.CalendarFetchFailed` with a short message written
here: it never repeats bytes the server sent (a status line of a service that is not HTTP, a
reason phrase, a Location header) nor the credentials of a ``user:pass@`` URL.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import io
import socket
import ssl
import threading
import time
import urllib.parse
import zlib
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from ..errors import CalendarFetchFailed, InvalidRequest

__all__ = ["Fetched", "fetch", "fetch_calendar", "safe_url", "web_url"]

# webcal is a calendar app's name for "this is a feed"; servers answer it over TLS today, so
# webcal:// is fetched as https:// (and webcals:// too).
_SCHEMES = {"http": "http", "https": "https", "webcal": "https", "webcals": "https"}
_READ = 1 << 16
_REDIRECTS = (301, 302, 303, 307, 308)
_MAX_URL = 8192


@dataclass(frozen=True, slots=True)
class Fetched:
    """The result of :func:`fetch`.

    ``status`` is 200 (``body`` holds the feed, decompressed) or 304 (not modified since the
    ``etag``/``last_modified`` given: ``body`` is ``None``). ``etag`` and ``last_modified`` are
    the validators the server sent (``None`` when it sent none), to pass to the next call.
    """

    status: int
    body: bytes | None
    etag: str | None
    last_modified: str | None


def _cut(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def safe_url(url: str) -> str:
    """Return ``url`` fit for an error message: no ``user:pass@``, no query, cut to 80 chars."""
    try:
        parts = urllib.parse.urlsplit(url)
        host = parts.hostname or ""
        if parts.port is not None:
            host = f"{host}:{parts.port}"
        shown = urllib.parse.urlunsplit((parts.scheme, host, parts.path, "", ""))
    except ValueError:
        shown = "the URL"
    shown = shown.encode("ascii", "backslashreplace").decode("ascii")
    return _cut(shown)


def web_url(url: str) -> urllib.parse.SplitResult:
    """Return the parts of ``url`` with ``webcal``/``webcals`` made ``https``.

    Raises CalendarFetchFailed for another scheme, no host, a bad port or a URL with spaces
    or control characters.
    """
    if not isinstance(url, str):
        raise InvalidRequest(f"a URL is a string, not {type(url).__name__}")
    url = url.strip()
    if len(url) > _MAX_URL:
        raise CalendarFetchFailed(f"the URL is longer than {_MAX_URL} characters")
    if any(c <= " " or c == "\x7f" for c in url):
        raise CalendarFetchFailed(f"{safe_url(url)}: a URL may not contain spaces or control "
                                  "characters")
    try:
        parts = urllib.parse.urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in _SCHEMES:
            raise CalendarFetchFailed(f"{safe_url(url)}: only http, https, webcal and webcals "
                                      "URLs are fetched")
        if not parts.hostname:
            raise CalendarFetchFailed(f"{safe_url(url)}: the URL names no host")
        parts.port  # noqa: B018  # raises ValueError for a port that is not a number in range
    except ValueError:
        raise CalendarFetchFailed(f"{safe_url(url)}: not a valid URL") from None
    return parts._replace(scheme=_SCHEMES[scheme])


class _Deadline:
    """The one deadline of a fetch; :meth:`left` raises once it has passed."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self.end = time.monotonic() + timeout

    def left(self) -> float:
        left = self.end - time.monotonic()
        if left <= 0:
            raise TimeoutError
        return left


class _DeadlineReader(io.RawIOBase):
    """The raw byte stream of a socket; every read waits at most the time left."""

    def __init__(self, sock: socket.socket, deadline: _Deadline) -> None:
        super().__init__()
        self._sock = sock
        self._deadline = deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        self._sock.settimeout(self._deadline.left())
        return self._sock.recv_into(buffer)


class _DeadlineSocket:
    """What :class:`http.client.HTTPConnection` and its response need of a socket."""

    def __init__(self, sock: socket.socket, deadline: _Deadline) -> None:
        self._sock = sock
        self._deadline = deadline

    def sendall(self, data: bytes) -> None:
        self._sock.settimeout(self._deadline.left())
        self._sock.sendall(data)

    def makefile(self, mode: str, *args: Any, **kwargs: Any) -> io.BufferedReader:
        return io.BufferedReader(_DeadlineReader(self._sock, self._deadline))

    def close(self) -> None:
        """Do nothing: http.client "closes" the connection as soon as it has the headers of a
        ``Connection: close`` answer, and the body is still to be read. :func:`_one` closes the
        real socket when it is done."""


class _Watchdog:
    """Shut the socket down when the deadline passes, whatever read or handshake waits on it.

    A Python socket object that is closed forgets its descriptor, so a late shot can never hit
    a descriptor that was reused meanwhile.
    """

    def __init__(self, deadline: _Deadline) -> None:
        self._sock: socket.socket | None = None
        self._timer = threading.Timer(max(0.0, deadline.end - time.monotonic()), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def watch(self, sock: socket.socket) -> None:
        self._sock = sock

    def _fire(self) -> None:
        sock = self._sock
        if sock is not None:
            with contextlib.suppress(OSError):
                socket.socket.shutdown(sock, socket.SHUT_RDWR)

    def cancel(self) -> None:
        self._timer.cancel()


def _resolve(host: str, port: int, deadline: _Deadline) -> list[Any]:
    """Return ``getaddrinfo`` for ``host``, waiting at most the time left (the lookup itself
    cannot be interrupted: it goes on in a daemon thread and its answer is dropped)."""
    box: list[Any] = []

    def run() -> None:
        try:
            box.append(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
        except (OSError, UnicodeError) as exc:
            box.append(exc)

    thread = threading.Thread(target=run, daemon=True, name="slotcalc-resolve")
    thread.start()
    thread.join(deadline.left())
    if not box:
        raise TimeoutError
    if isinstance(box[0], BaseException):
        raise _Failure("the host name could not be resolved")
    return list(box[0])


class _Failure(Exception):
    """A fetch failure with a message written here (never the server's bytes)."""


def _connect(parts: urllib.parse.SplitResult, deadline: _Deadline,
             watchdog: _Watchdog) -> socket.socket:
    host = _ascii_host(parts.hostname or "")
    tls = parts.scheme == "https"
    port = parts.port or (443 if tls else 80)
    last: OSError | None = None
    sock: socket.socket | None = None
    for family, kind, proto, _, address in _resolve(host, port, deadline):
        candidate = socket.socket(family, kind, proto)
        watchdog.watch(candidate)
        try:
            candidate.settimeout(deadline.left())
            candidate.connect(address)
        except TimeoutError:
            candidate.close()
            raise
        except OSError as exc:
            candidate.close()
            last = exc
            continue
        sock = candidate
        break
    if sock is None:
        raise _Failure("the connection was refused" if isinstance(last, ConnectionRefusedError)
                       else "the server could not be reached")
    if tls:
        context = ssl.create_default_context()
        try:
            sock.settimeout(deadline.left())
            wrapped = context.wrap_socket(sock, server_hostname=host)
        except ssl.SSLCertVerificationError:
            sock.close()
            raise _Failure("the server's TLS certificate could not be verified") from None
        except (ssl.SSLError, OSError):
            sock.close()
            deadline.left()  # a timeout (or the watchdog) says so
            raise _Failure("the TLS handshake failed") from None
        watchdog.watch(wrapped)
        sock = wrapped
    return sock


def _request_line_target(parts: urllib.parse.SplitResult) -> str:
    """Return the path and query to request, characters outside ASCII percent-encoded."""
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    if not target.isascii():
        target = urllib.parse.quote(target, safe="!#$%&'()*+,-./:;=?@[]~_", errors="strict")
    return target


def _ascii_host(host: str) -> str:
    """Return ``host`` as ASCII (IDNA for a name in other scripts)."""
    if host.isascii():
        return host
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        raise _Failure("the host name is not valid") from None


def _headers(parts: urllib.parse.SplitResult, etag: str | None,
             last_modified: str | None) -> dict[str, str]:
    headers = {"Accept": "text/calendar, */*;q=0.5", "Accept-Encoding": "gzip",
               "User-Agent": "slotcalc-ical", "Connection": "close"}
    if parts.username is not None:
        user = urllib.parse.unquote(parts.username)
        password = urllib.parse.unquote(parts.password or "")
        token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        headers["Authorization"] = f"Basic {token}"
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    for value in headers.values():
        if any(c in value for c in "\r\n\x00"):
            raise _Failure("a validator (etag or last_modified) holds a line break")
    return headers


def _body(response: http.client.HTTPResponse, max_bytes: int, gzipped: bool) -> bytes:
    inflate = zlib.decompressobj(16 + zlib.MAX_WBITS) if gzipped else None
    out: list[bytes] = []
    received = total = 0
    while True:
        try:
            data = response.read1(_READ)
        except http.client.IncompleteRead:
            raise _Failure("the connection closed before the end of the body") from None
        if not data:
            break
        received += len(data)
        if received > max_bytes:
            raise _Failure(f"the feed is larger than max_bytes ({max_bytes} bytes)")
        if inflate is not None:
            if inflate.eof:
                continue  # bytes after the gzip stream: ignored
            try:
                data = inflate.decompress(data, max_bytes + 1 - total)
            except zlib.error:
                raise _Failure("the gzip body is corrupt") from None
        total += len(data)
        if total > max_bytes:
            raise _Failure(f"the feed is larger than max_bytes ({max_bytes} bytes, after gzip)")
        out.append(data)
    if response.length:  # read1 returns b"" when the server closes early, whatever it promised
        raise _Failure("the connection closed before the end of the body")
    if inflate is not None and not inflate.eof:
        raise _Failure("the gzip body is truncated")
    return b"".join(out)


def _one(parts: urllib.parse.SplitResult, deadline: _Deadline, max_bytes: int,
         etag: str | None, last_modified: str | None
         ) -> tuple[int, bytes | None, str | None, str | None, str | None, str]:
    """GET one URL: ``(status, body, location, etag, last_modified, charset)``."""
    watchdog = _Watchdog(deadline)
    sock: socket.socket | None = None
    try:
        sock = _connect(parts, deadline, watchdog)
        # the socket is ours (connected, TLS done): the connection only speaks HTTP over it
        conn = http.client.HTTPConnection(_ascii_host(parts.hostname or ""), parts.port)
        conn.sock = _DeadlineSocket(sock, deadline)
        try:
            conn.request("GET", _request_line_target(parts),
                         headers=_headers(parts, etag, last_modified))
            response = conn.getresponse()
        except (UnicodeError, ValueError):  # http.client refuses what it cannot send
            raise _Failure("the URL or a validator cannot be sent in an HTTP request") from None
        except http.client.RemoteDisconnected:
            deadline.left()
            raise _Failure("the server closed the connection without answering") from None
        except (http.client.BadStatusLine, http.client.LineTooLong,
                http.client.HTTPException):
            deadline.left()
            raise _Failure("the answer is not HTTP, or its headers are malformed") from None
        status = response.status
        new_etag = response.getheader("ETag")
        new_modified = response.getheader("Last-Modified")
        charset = response.headers.get_content_charset() or "utf-8"
        if status in _REDIRECTS:
            return status, None, response.getheader("Location"), None, None, charset
        if status == 304 and (etag or last_modified):
            return 304, None, None, new_etag or etag, new_modified or last_modified, charset
        if not 200 <= status < 300 or status in (204, 206):
            raise _Failure(f"HTTP {status}")
        encoding = (response.getheader("Content-Encoding") or "identity").strip().lower()
        if encoding not in ("identity", "gzip", "x-gzip"):
            raise _Failure("the body has a content encoding other than gzip")
        gzipped = encoding != "identity"
        length = response.length  # http.client's reading of Content-Length (None: unknown)
        if length is not None and length > max_bytes:
            raise _Failure(f"the feed is {length} bytes, more than max_bytes ({max_bytes})")
        try:
            body = _body(response, max_bytes, gzipped)
            deadline.left()  # an end of the body forced by the watchdog is no end
        except (http.client.HTTPException, ValueError):
            deadline.left()
            raise _Failure("the body is malformed (chunked encoding)") from None
        return 200, body, None, new_etag, new_modified, charset
    except ConnectionError:
        deadline.left()
        raise _Failure("the connection was closed") from None
    except TimeoutError:
        raise
    except OSError:
        deadline.left()
        raise _Failure("a network error") from None
    finally:
        watchdog.cancel()
        if sock is not None:
            sock.close()


def _check_limits(timeout: float, max_bytes: int, max_redirects: int) -> None:
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not timeout > 0 \
            or timeout != timeout:
        raise InvalidRequest("timeout must be a positive number of seconds", "/timeout")
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 1:
        raise InvalidRequest("max_bytes must be a positive integer", "/max_bytes")
    if isinstance(max_redirects, bool) or not isinstance(max_redirects, int) or \
            max_redirects < 0:
        raise InvalidRequest("max_redirects must be an integer >= 0", "/max_redirects")


def _host_allowed(parts: urllib.parse.SplitResult, hosts: Collection[str] | None) -> bool:
    return hosts is None or (parts.hostname or "").lower().rstrip(".") in hosts


def fetch_with_charset(url: str, *, etag: str | None = None, last_modified: str | None = None,
                       timeout: float = 10.0, max_bytes: int = 50_000_000,
                       max_redirects: int = 3, hosts: Collection[str] | None = None
                       ) -> tuple[Fetched, str]:
    """:func:`fetch`, plus the charset of the body's Content-Type (default ``utf-8``)."""
    _check_limits(timeout, max_bytes, max_redirects)
    shown = safe_url(url)
    parts = web_url(url)
    allowed = None if hosts is None else {h.lower().rstrip(".") for h in hosts}
    if not _host_allowed(parts, allowed):
        raise CalendarFetchFailed(f"{shown}: fetching from this host is not allowed")
    deadline = _Deadline(timeout)
    redirects = 0
    try:
        while True:
            status, body, location, new_etag, new_modified, charset = _one(
                parts, deadline, max_bytes, etag, last_modified)
            if location is None:
                if status not in (200, 304):  # pragma: no cover - _one raises for the rest
                    raise _Failure(f"HTTP {status}")
                return Fetched(status, body, new_etag, new_modified), charset
            if not location.strip():
                raise _Failure(f"HTTP status {status} without a Location")
            redirects += 1
            if redirects > max_redirects:
                raise _Failure(f"it redirects more than {max_redirects} times (the "
                               "max_redirects limit)")
            here = urllib.parse.urlunsplit(parts)
            try:
                target = urllib.parse.urljoin(here, location.strip())
                scheme = urllib.parse.urlsplit(target).scheme.lower()
            except ValueError:
                raise _Failure("it redirects to a URL that is not valid") from None
            if scheme not in ("http", "https"):
                raise _Failure("it redirects to a URL that is not http or https (only http "
                               "and https redirects are followed)")
            try:
                following = web_url(target)
            except CalendarFetchFailed:
                raise _Failure("it redirects to a URL that is not valid") from None
            if not _host_allowed(following, allowed):
                raise _Failure("it redirects to a host that is not allowed")
            if following.hostname != parts.hostname or following.port != parts.port:
                # credentials go to the host they were written for, not to where it sends us
                following = following._replace(
                    netloc=following.netloc.rpartition("@")[2])
            parts = following
    except TimeoutError:
        raise CalendarFetchFailed(f"{shown}: not complete within {timeout} s (the timeout "
                                  "limit)") from None
    except _Failure as exc:
        if time.monotonic() >= deadline.end:  # the watchdog closed it: the deadline is why
            raise CalendarFetchFailed(f"{shown}: not complete within {timeout} s (the timeout "
                                      "limit)") from None
        raise CalendarFetchFailed(f"{shown}: {exc}") from None
    except (OSError, ValueError, http.client.HTTPException) as exc:  # pragma: no cover
        # a failure the code above did not foresee is still a fetch failure, never a bare
        # OSError, and still says nothing the server sent
        raise CalendarFetchFailed(f"{shown}: the fetch failed ({type(exc).__name__})"
                                  ) from None


def fetch(url: str, *, etag: str | None = None, last_modified: str | None = None,
          timeout: float = 10.0, max_bytes: int = 50_000_000, max_redirects: int = 3,
          hosts: Collection[str] | None = None) -> Fetched:
    """GET the feed at ``url``, conditionally when ``etag``/``last_modified`` are given.

    ``url``: ``http``, ``https``, or ``webcal``/``webcals`` (fetched as ``https``); a
    ``user:pass@`` part is sent as HTTP Basic authentication to that host only. Limits:
    ``timeout`` seconds for the whole fetch (resolving, connecting, TLS, headers, body, every
    redirect), ``max_bytes`` of body (as received and after gzip), ``max_redirects``
    redirects, each only to http(s); ``hosts``: when given, the only host names fetched from,
    redirects included.

    Returns :class:`Fetched`: ``status`` 200 with the ``body``, or 304 when the server says
    the feed has not changed since those validators. Raises
    :class:`~slotcalc.errors.CalendarFetchFailed` for every failure (network, status, a limit),
    :class:`~slotcalc.errors.InvalidRequest` for a bad limit.
    """
    return fetch_with_charset(url, etag=etag, last_modified=last_modified, timeout=timeout,
                              max_bytes=max_bytes, max_redirects=max_redirects, hosts=hosts)[0]


def fetch_calendar(url: str, *, timeout: float = 10.0, max_bytes: int = 50_000_000,
                   max_redirects: int = 3, hosts: Collection[str] | None = None) -> bytes:
    """Return the body of the feed at ``url`` (:func:`fetch` without validators)."""
    got = fetch(url, timeout=timeout, max_bytes=max_bytes, max_redirects=max_redirects,
                hosts=hosts)
    assert got.body is not None  # no validators, so never a 304
    return got.body
