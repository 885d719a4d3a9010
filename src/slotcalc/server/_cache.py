"""The feed cache: fetched calendars kept for a short time, then revalidated, bounded in size.

A feed fetched for one request is served from memory to every request in the next
``ttl`` seconds. After that the next request revalidates it with a conditional GET
(``If-None-Match`` with its ``ETag``, ``If-Modified-Since`` with its ``Last-Modified``): a
``304 Not Modified`` keeps the body for another ``ttl``, a ``200`` replaces it. Concurrent
requests for one feed share one fetch. Entries are evicted least recently used first when the
cache holds more than ``max_entries`` feeds or ``max_bytes`` bytes; a feed larger than a
quarter of ``max_bytes`` is used but not kept. A failed fetch is not cached.
"""

from __future__ import annotations

import asyncio
import time
import urllib.error
import urllib.request
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

from ..errors import CalendarFetchFailed

__all__ = ["FeedCache", "Fetched", "conditional_get"]


class Fetched(NamedTuple):
    """The outcome of a (conditional) GET: 200 with a body, or 304 without one."""

    status: int
    body: bytes
    etag: str | None
    last_modified: str | None


class FetchFunction(Protocol):
    def __call__(self, url: str, *, etag: str | None = None, last_modified: str | None = None,
                 timeout: float = ..., max_bytes: int = ...) -> Fetched: ...


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req: urllib.request.Request, fp: Any, code: int, msg: str,
                         headers: Any, newurl: str) -> urllib.request.Request | None:
        raise CalendarFetchFailed(f"{req.full_url} redirects to {newurl}; this server does "
                                  "not follow redirects (the allow-list names hosts)")


def conditional_get(url: str, *, etag: str | None = None, last_modified: str | None = None,
                    timeout: float = 10.0, max_bytes: int = 10_000_000) -> Fetched:
    """GET ``url`` (http, https; webcal as http, webcals as https) with validators.

    Follows no redirects (a redirect could leave the allowed hosts); no proxies. Raises
    CalendarFetchFailed for a failure, a status other than 200/304, a body over ``max_bytes``
    or no complete answer within ``timeout`` seconds per read.
    """
    target = url.strip()
    scheme, sep, rest = target.partition("://")
    scheme = scheme.lower()
    mapped = {"http": "http", "https": "https", "webcal": "http", "webcals": "https"}
    if not sep or scheme not in mapped:
        raise CalendarFetchFailed(f"{url!r}: only http, https, webcal and webcals URLs are "
                                  "fetched")
    headers = {"Accept": "text/calendar, */*;q=0.5", "User-Agent": "slotcalc-server"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects())
    request = urllib.request.Request(f"{mapped[scheme]}://{rest}", headers=headers)
    try:
        with opener.open(request, timeout=timeout) as response:
            body = response.read(max_bytes + 1)
            got = response.headers
    except CalendarFetchFailed:
        raise
    except urllib.error.HTTPError as e:
        e.close()
        if e.code == 304:
            return Fetched(304, b"", e.headers.get("ETag") or etag,
                           e.headers.get("Last-Modified") or last_modified)
        raise CalendarFetchFailed(f"{url}: HTTP {e.code} {e.reason}") from None
    except (OSError, ValueError) as e:
        reason = getattr(e, "reason", e)
        raise CalendarFetchFailed(f"{url}: {reason}") from None
    if len(body) > max_bytes:
        raise CalendarFetchFailed(f"{url}: the feed is larger than {max_bytes} bytes")
    return Fetched(200, body, got.get("ETag"), got.get("Last-Modified"))


@dataclass
class _Entry:
    body: bytes
    etag: str | None
    last_modified: str | None
    checked: float  # clock reading of the last fetch or revalidation


@dataclass
class CacheStats:
    hits: int = 0  # served from memory, no request
    fetches: int = 0  # unconditional GETs
    revalidated: int = 0  # conditional GETs answered 304
    replaced: int = 0  # conditional GETs answered 200
    failures: int = 0


class FeedCache:
    """Bodies of fetched feeds by URL; see the module docstring."""

    def __init__(self, ttl: float, *, max_bytes: int = 64_000_000, max_entries: int = 256,
                 fetch: FetchFunction = conditional_get, fetch_max_bytes: int = 10_000_000,
                 threads: int = 8, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.max_bytes = max_bytes
        self.max_entries = max_entries
        self.fetch_max_bytes = fetch_max_bytes
        self.stats = CacheStats()
        self._fetch = fetch
        self._clock = clock
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._size = 0
        self._inflight: dict[str, asyncio.Future[bytes]] = {}
        self._threads = ThreadPoolExecutor(max_workers=threads,
                                           thread_name_prefix="slotcalc-fetch")

    @property
    def size(self) -> int:
        """Bytes of feed bodies held."""
        return self._size

    def __len__(self) -> int:
        return len(self._entries)

    async def get(self, url: str, timeout: float) -> bytes:
        """Return the body of the feed at ``url``; raises CalendarFetchFailed."""
        entry = self._entries.get(url)
        if entry is not None and self._clock() - entry.checked < self.ttl:
            self._entries.move_to_end(url)
            self.stats.hits += 1
            return entry.body
        pending = self._inflight.get(url)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self._inflight[url] = future
        try:
            body = await self._refresh(url, entry, timeout)
        except BaseException as e:
            future.set_exception(e)
            future.exception()  # retrieved: no "never retrieved" warning without waiters
            raise
        else:
            future.set_result(body)
            return body
        finally:
            del self._inflight[url]

    async def _refresh(self, url: str, entry: _Entry | None, timeout: float) -> bytes:
        loop = asyncio.get_running_loop()
        etag = entry.etag if entry else None
        modified = entry.last_modified if entry else None

        def call() -> Fetched:
            return self._fetch(url, etag=etag, last_modified=modified, timeout=timeout,
                               max_bytes=self.fetch_max_bytes)

        try:
            got = await loop.run_in_executor(self._threads, call)
        except CalendarFetchFailed:
            self.stats.failures += 1
            raise
        if got.status == 304 and entry is not None:
            self.stats.revalidated += 1
            entry.checked = self._clock()
            entry.etag = got.etag or entry.etag
            entry.last_modified = got.last_modified or entry.last_modified
            if url in self._entries:
                self._entries.move_to_end(url)
            return entry.body
        if got.status != 200:
            self.stats.failures += 1
            raise CalendarFetchFailed(f"{url}: HTTP {got.status}")
        if entry is None:
            self.stats.fetches += 1
        else:
            self.stats.replaced += 1
        self._store(url, _Entry(got.body, got.etag, got.last_modified, self._clock()))
        return got.body

    def _store(self, url: str, entry: _Entry) -> None:
        old = self._entries.pop(url, None)
        if old is not None:
            self._size -= len(old.body)
        if len(entry.body) * 4 > self.max_bytes or self.max_entries < 1:
            return
        self._entries[url] = entry
        self._size += len(entry.body)
        while len(self._entries) > self.max_entries or self._size > self.max_bytes:
            _, dropped = self._entries.popitem(last=False)
            self._size -= len(dropped.body)

    def close(self) -> None:
        self._threads.shutdown(wait=False, cancel_futures=True)
