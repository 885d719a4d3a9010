"""``slotcalc serve``: run the HTTP service under uvicorn.

    slotcalc serve [--host 127.0.0.1] [--port 8080] [--workers N] [--allow-urls HOST …]
                   [--max-body BYTES] [--time-limit SECONDS] [--cache-seconds SECONDS]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import uvicorn

from .app import ServerConfig, create_app

__all__ = ["main", "parser"]


def parser() -> argparse.ArgumentParser:
    """Return the argument parser of ``slotcalc serve``."""
    defaults = ServerConfig()
    p = argparse.ArgumentParser(
        prog="slotcalc serve",
        description="Answer slotcalc requests over HTTP: POST /v1/slots, /v1/periods, "
        "/v1/check; GET /v1/health, /v1/openapi.json. Calendars: inline 'ics' always, "
        "'url' only from --allow-urls hosts, files never.")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=8080, help="port (default 8080)")
    p.add_argument("--workers", type=int, default=defaults.workers, metavar="N",
                   help="worker processes computing answers (default: one per core, "
                   f"{defaults.workers} here)")
    p.add_argument("--allow-urls", nargs="+", action="extend", default=[], metavar="HOST",
                   help="host names calendar URLs may be fetched from (default: none)")
    p.add_argument("--max-body", type=int, default=defaults.max_body, metavar="BYTES",
                   help=f"largest request body (default {defaults.max_body})")
    p.add_argument("--time-limit", type=float, default=defaults.time_limit,
                   metavar="SECONDS", help="most time one request may take, fetching and "
                   f"computing; past it the work is stopped (default {defaults.time_limit})")
    p.add_argument("--cache-seconds", type=float, default=defaults.cache_seconds,
                   metavar="SECONDS", help="how long a fetched feed is used before it is "
                   f"revalidated (default {defaults.cache_seconds})")
    p.add_argument("--log-level", default="info",
                   choices=("critical", "error", "warning", "info", "debug"),
                   help="uvicorn's log level (default info)")
    p.add_argument("--no-access-log", action="store_true", help="do not log every request")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``slotcalc serve`` with ``argv`` (without the word ``serve``); return the status."""
    p = parser()
    try:
        args = p.parse_args(argv)
    except SystemExit as e:
        return e.code if isinstance(e.code, int) else 2
    try:
        config = ServerConfig(allow_urls=frozenset(args.allow_urls), max_body=args.max_body,
                              time_limit=args.time_limit, cache_seconds=args.cache_seconds,
                              workers=args.workers)
    except ValueError as e:
        p.print_usage()
        print(f"slotcalc serve: error: {e}", file=sys.stderr)
        return 2
    uvicorn.run(create_app(config), host=args.host, port=args.port, log_level=args.log_level,
                access_log=not args.no_access_log)
    return 0
