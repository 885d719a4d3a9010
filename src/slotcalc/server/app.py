"""The ASGI application: :func:`create_app` builds it from a :class:`ServerConfig`.

The event loop reads bodies, fetches calendar feeds through the cache and hands the work to
worker processes (:mod:`slotcalc.server._pool`); it never computes slots itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import os
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .. import __version__
from ._cache import FeedCache, FetchFunction, library_fetch
from ._openapi import openapi_document
from ._pool import Overloaded, TimeLimitExceeded, WorkerCrashed, WorkerPool
from ._work import PLANNED, Job, Kind, dumps, error_document, might_name_url

__all__ = ["ServerConfig", "create_app"]

log = logging.getLogger("slotcalc.server")


def _default_workers() -> int:
    return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class ServerConfig:
    """What the operator decides. Sizes in bytes, times in seconds.

    ``allow_urls``: host names calendars may be fetched from (none by default; files are
    never read). ``max_body``: the largest request body (413 above it). ``time_limit``: the
    most a request may take, waiting for a worker, fetching and computing (503 past it; the
    computation is stopped). ``cache_seconds``: how long a fetched feed is used before it is
    revalidated. ``workers``: worker processes computing answers (the front process only
    does I/O).
    """

    allow_urls: frozenset[str] = frozenset()
    max_body: int = 2_000_000
    time_limit: float = 10.0
    cache_seconds: float = 30.0
    cache_max_bytes: int = 64_000_000
    cache_max_entries: int = 256
    fetch_timeout: float = 10.0
    fetch_max_bytes: int = 10_000_000
    workers: int = field(default_factory=_default_workers)
    start_method: str = "forkserver"

    def __post_init__(self) -> None:
        hosts = frozenset(h.strip().lower() for h in self.allow_urls)
        if any(not h or "/" in h for h in hosts):
            raise ValueError(f"allow_urls names hosts, like 'calendar.example.com': "
                             f"{sorted(self.allow_urls)}")
        object.__setattr__(self, "allow_urls", hosts)
        for name in ("max_body", "cache_max_bytes", "cache_max_entries", "fetch_max_bytes",
                     "workers"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be an integer >= 1, not {value!r}")
        for name in ("time_limit", "fetch_timeout"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or not value > 0 or math.isinf(value):
                raise ValueError(f"{name} must be a positive number of seconds, not {value!r}")
        if not isinstance(self.cache_seconds, int | float) or not self.cache_seconds >= 0:
            raise ValueError(f"cache_seconds must be >= 0, not {self.cache_seconds!r}")


class _TooLarge(Exception):
    pass


def _json_response(doc: Mapping[str, Any], status: int,
                   headers: Mapping[str, str] | None = None) -> Response:
    return Response(dumps(doc), status, headers=headers, media_type="application/json")


def _error(status: int, code: str, message: str,
           headers: Mapping[str, str] | None = None) -> Response:
    return _json_response(error_document(code, message), status, headers)


async def _read_body(request: Request, limit: int) -> bytes:
    """Return the body; raise _TooLarge as soon as it is known to exceed ``limit`` bytes."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit:
        raise _TooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


class _Service:
    """The state behind the endpoints: config, worker pool, feed cache."""

    def __init__(self, config: ServerConfig, fetch: FetchFunction | None) -> None:
        self.config = config
        self.pool = WorkerPool(config.workers, config.start_method)
        self.cache = FeedCache(config.cache_seconds, max_bytes=config.cache_max_bytes,
                               max_entries=config.cache_max_entries,
                               fetch=fetch or library_fetch(config.allow_urls),
                               fetch_max_bytes=config.fetch_max_bytes)

    async def answer(self, request: Request, kind: Kind) -> Response:
        cfg = self.config
        try:
            body = await _read_body(request, cfg.max_body)
        except _TooLarge:
            return _error(413, "request_too_large", f"the request body is larger than this "
                          f"server's limit of {cfg.max_body} bytes")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + cfg.time_limit  # from the moment the body is in
        try:
            feeds: dict[str, bytes | str] = {}
            if might_name_url(body):
                status, out = await self.pool.run(Job(kind, body, {}, cfg.allow_urls, True),
                                                  deadline - loop.time())
                if status != PLANNED:
                    return Response(out, status, media_type="application/json")
                urls: list[str] = json.loads(out)
                if urls:
                    try:
                        feeds = await self._fetch(urls, deadline)
                    except TimeoutError:
                        return self._time_limit()
            status, out = await self.pool.run(Job(kind, body, feeds, cfg.allow_urls),
                                              deadline - loop.time())
        except TimeLimitExceeded:
            return self._time_limit()
        except Overloaded:
            return _error(503, "server_busy", "no worker came free within the time limit "
                          f"({cfg.time_limit} s); try again", {"Retry-After": "1"})
        except WorkerCrashed as e:
            return _error(500, "internal_error", f"{e}; please report it")
        return Response(out, status, media_type="application/json")

    def _time_limit(self) -> Response:
        return _error(503, "time_limit_exceeded", f"the request needs more than this server's "
                      f"time limit of {self.config.time_limit} s and was stopped; ask for a "
                      "shorter range or fewer hosts", {"Retry-After": "1"})

    async def _fetch(self, urls: list[str], deadline: float) -> dict[str, bytes | str]:
        """Fetch every URL through the cache; a failure becomes its message."""
        loop = asyncio.get_running_loop()
        left = deadline - loop.time()
        timeout = min(self.config.fetch_timeout, left)

        async def one(url: str) -> bytes | str:
            try:
                return await self.cache.get(url, timeout)
            except Exception as e:  # CalendarFetchFailed, and anything the fetcher raised
                # the client is told only "could not fetch calendar N" (no probing through
                # messages); the operator's log has the reason
                reason = getattr(e, "message", None) or f"{type(e).__name__}: {e}"
                log.warning("calendar fetch failed: %s", reason)
                return str(reason)

        async with asyncio.timeout(left):
            got = await asyncio.gather(*(one(u) for u in urls))
        return dict(zip(urls, got, strict=True))

    async def health(self, request: Request) -> Response:
        c = self.cache.stats
        return _json_response({
            "status": "ok",
            "version": __version__,
            "workers": self.pool.size,
            "busy_workers": self.pool.busy,
            "worker_restarts": self.pool.restarts,
            "cache": {"feeds": len(self.cache), "bytes": self.cache.size, "hits": c.hits,
                      "fetches": c.fetches, "revalidated": c.revalidated,
                      "replaced": c.replaced, "failures": c.failures},
        }, 200)


def create_app(config: ServerConfig | None = None, *,
               fetch: FetchFunction | None = None) -> Starlette:
    """Return the ASGI application (Starlette) serving ``/v1/…`` with ``config``.

    The worker processes start with the application's lifespan (uvicorn runs it) and stop
    with it. ``fetch`` performs the conditional GETs of the feed cache (default:
    :func:`slotcalc.ical.fetch` limited to the allowed hosts).
    """
    cfg = config or ServerConfig()
    service = _Service(cfg, fetch)
    openapi: list[bytes] = []  # built on first use

    async def slots(request: Request) -> Response:
        return await service.answer(request, "slots")

    async def periods(request: Request) -> Response:
        return await service.answer(request, "periods")

    async def check(request: Request) -> Response:
        return await service.answer(request, "check")

    async def spec(request: Request) -> Response:
        if not openapi:
            openapi.append(json.dumps(openapi_document()).encode("ascii"))
        return Response(openapi[0], 200, media_type="application/json")

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if exc.status_code == 404:
            return _error(404, "not_found", f"no such endpoint: {request.url.path} (see "
                          "/v1/openapi.json)")
        if exc.status_code == 405:
            return _error(405, "method_not_allowed", f"{request.method} is not allowed on "
                          f"{request.url.path}", exc.headers)
        return _error(exc.status_code, "http_error", str(exc.detail), exc.headers)

    async def internal_error(request: Request, exc: Exception) -> Response:
        return _error(500, "internal_error", f"internal error ({type(exc).__name__}); please "
                      "report it")

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await service.pool.start()
        try:
            yield
        finally:
            service.pool.close()
            service.cache.close()

    app = Starlette(
        routes=[
            Route("/v1/slots", slots, methods=["POST"]),
            Route("/v1/periods", periods, methods=["POST"]),
            Route("/v1/check", check, methods=["POST"]),
            Route("/v1/health", service.health, methods=["GET"]),
            Route("/v1/openapi.json", spec, methods=["GET"]),
        ],
        exception_handlers={HTTPException: http_error, Exception: internal_error},
        lifespan=lifespan,
    )
    app.state.service = service
    return app
