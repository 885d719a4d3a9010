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
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from ..errors import CalendarFetchFailed

if TYPE_CHECKING:
    from ..ical import Fetched

__all__ = ["FeedCache", "FetchFunction", "library_fetch"]


class FetchFunction(Protocol):
    """The signature of :func:`slotcalc.ical.fetch` (a conditional GET)."""

    def __call__(self, url: str, *, etag: str | None = ..., last_modified: str | None = ...,
                 timeout: float = ..., max_bytes: int = ...) -> Fetched: ...


def library_fetch(hosts: frozenset[str]) -> FetchFunction:
    """Return :func:`slotcalc.ical.fetch` limited to ``hosts``, redirects included."""
    from ..ical import fetch

    def get(url: str, *, etag: str | None = None, last_modified: str | None = None,
            timeout: float = 10.0, max_bytes: int = 10_000_000) -> Fetched:
        return fetch(url, etag=etag, last_modified=last_modified, timeout=timeout,
                     max_bytes=max_bytes, hosts=hosts)

    return get


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
                 fetch: FetchFunction, fetch_max_bytes: int = 10_000_000,
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
        if got.status != 200 or got.body is None:
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
