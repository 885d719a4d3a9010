"""The ``slotcalc`` command line (SPEC §6), also run as ``python -m slotcalc``.

    slotcalc slots REQUEST.json|- [--format table|grid|json] [--busy FEED.ics|URL ...]
    slotcalc slots --example [--format table|grid|json]
    slotcalc periods REQUEST.json|- [--format table|json] [--busy FEED.ics|URL ...]
    slotcalc check REQUEST.json|- --start INSTANT [--format table|json] [--busy FEED.ics|URL ...]
    slotcalc busy FEED.ics|URL --start INSTANT --end INSTANT [--timezone ZONE] [--format table|json]

Standard output carries the answer only. Invalid input gives exit status 1 and, with
``--format json``, the SPEC §5 error object on standard output, else a one-line message on
standard error; never a traceback. A mistake in the command itself (an unknown option, a
missing argument) is a usage error: argparse's message and exit status 2. An error in an
option's value names the option (``--start``) where a request's error has its JSON Pointer.

The command line grants the requests it reads every calendar read (files and URLs, with
detailed errors): the person running it owns the machine. A relative calendar path in a request
file is read from that file's folder.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import IO, Any, NoReturn
from zoneinfo import ZoneInfo

from . import __version__, render
from ._tz import load_zone
from .access import CalendarAccess
from .errors import InvalidJSON, InvalidRequest, SlotcalcError
from .jsonapi import CalendarSource, Request, load_ical, parse_request
from .model import read_instant

__all__ = ["load_json", "main"]

Document = dict[str, Any]
EXAMPLE = "consultation.json"
_URL_SCHEMES = ("http://", "https://", "webcal://", "webcals://")
ACCESS = CalendarAccess.everything()
"""What the command line grants: any calendar file or URL, with detailed errors."""


class _UsageError(Exception):
    """A mistake in the command line itself (exit status 2)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise _UsageError(f"{self.prog}: error: {message}")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="slotcalc", description="When can this be booked? Time-zone-correct "
                "booking slots from working hours, overrides, buffers, notice, capacity and "
                "busy time.")
    p.add_argument("--version", action="version", version=f"slotcalc {__version__}")
    def _request_arguments(cmd: argparse.ArgumentParser) -> None:
        """The arguments of every command that reads a request: the file, --example, --busy."""
        cmd.add_argument("request", nargs="?", metavar="REQUEST.json|-",
                         help="the request file, or - for standard input")
        cmd.add_argument("--example", action="store_true",
                         help="use the bundled example request (a consultation service)")
        cmd.add_argument("--busy", action="append", default=[], metavar="FEED.ics|URL",
                         help="also read busy time from this iCalendar feed (repeatable)")

    sub = p.add_subparsers(dest="command", required=True,
                           metavar="{slots,periods,check,busy,serve}", parser_class=_Parser)
    slots = sub.add_parser("slots", help="list the bookable slots of a request",
                           description="Print the slots of a JSON request (the request "
                           "and answer formats: docs/request-format.md).")
    _request_arguments(slots)
    slots.add_argument("--format", choices=("table", "grid", "json"), default="table",
                       help="table: slots by day (default); grid: a week view; json: the "
                       "answer document")
    periods = sub.add_parser("periods", help="list the free periods a booking fits in",
                             description="Print the periods answer of a JSON request: the "
                             "free time in which a booking of the duration fits, off the grid.")
    _request_arguments(periods)
    periods.add_argument("--format", choices=("table", "json"), default="table")
    check = sub.add_parser("check", help="check whether one start is bookable",
                           description="Say whether a start is bookable, why not, and the next "
                           "free start.")
    _request_arguments(check)
    check.add_argument("--start", required=True, metavar="INSTANT",
                       help="the start to check, RFC 3339 with an offset")
    check.add_argument("--format", choices=("table", "json"), default="table")
    busy = sub.add_parser("busy", help="list the busy time an iCalendar feed implies",
                          description="Print every busy instance of a feed that overlaps a "
                          "window, in UTC.")
    busy.add_argument("feed", metavar="FEED.ics|URL", help="a file, - for standard input, or a URL")
    busy.add_argument("--start", required=True, metavar="INSTANT")
    busy.add_argument("--end", required=True, metavar="INSTANT")
    busy.add_argument("--timezone", default="UTC", metavar="ZONE",
                      help="zone of floating and all-day values (default UTC)")
    busy.add_argument("--format", choices=("table", "json"), default="table")
    sub.add_parser("serve", add_help=False, help="answer requests over HTTP (needs "
                           "slotcalc[server]; slotcalc serve --help)")
    return p


# ---------------------------------------------------------------------------------------------
# Input


def _reject_constant(name: str) -> object:
    raise InvalidJSON(f"{name} is not a JSON number")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise InvalidJSON(f"the key {key!r} appears twice in one object")
        out[key] = value
    return out


def load_json(data: bytes) -> object:
    """Return the JSON value of ``data`` (UTF-8, a leading byte-order mark allowed).

    Raises InvalidJSON for bytes that are not UTF-8, text that is not JSON, ``NaN`` or
    ``Infinity``, an object with a key twice, or nesting too deep to read.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise InvalidJSON(f"the request is not UTF-8 text (byte {e.start}: "
                          f"{data[e.start:e.start + 1]!r})") from None
    text = text.removeprefix("\ufeff")
    try:
        return json.loads(text, parse_constant=_reject_constant,
                          object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as e:
        raise InvalidJSON(f"not valid JSON: {e.msg} at line {e.lineno} column {e.colno}"
                          ) from None
    except RecursionError:
        raise InvalidJSON("the JSON is nested too deeply") from None
    except ValueError as e:  # e.g. an integer with too many digits
        raise InvalidJSON(f"not valid JSON: {e}") from None


def _cut(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _read_source(name: str, stdin: IO[bytes]) -> bytes:
    if name == "-":
        return stdin.read()
    try:
        return Path(name).read_bytes()
    except OSError as e:
        raise InvalidRequest(f"cannot read {_cut(name)!r}: {e.strerror or e}") from None
    except ValueError:  # a NUL character in the name
        raise InvalidRequest(f"cannot read {_cut(name)!r}: not a valid file name") from None


def _document(args: argparse.Namespace, stdin: IO[bytes]) -> tuple[object, Path]:
    """Return the request document the arguments name, and the folder of its file."""
    if args.example == (args.request is not None):
        raise _UsageError(f"slotcalc {args.command}: error: give a REQUEST file (or -) or "
                          "--example")
    if args.busy.count("-") + (args.request == "-") > 1:
        raise _UsageError(f"slotcalc {args.command}: error: standard input (-) can be read "
                          "only once")
    if args.example:
        data = resources.files("slotcalc").joinpath("examples", EXAMPLE).read_bytes()
        return load_json(data), Path.cwd()
    data = _read_source(args.request, stdin)
    try:
        base = Path.cwd() if args.request == "-" else Path(args.request).resolve().parent
    except (OSError, ValueError, RuntimeError):  # pragma: no cover - the file was just read
        base = Path.cwd()
    return load_json(data), base


def _rebase(req: Request, base: Path) -> Request:
    """Return ``req`` with its relative calendar paths read from ``base`` (the request file's
    folder)."""
    hosts = tuple(h._replace(calendars=tuple(
        c._replace(value=str(base / c.value)) if c.kind == "path" else c
        for c in h.calendars)) for h in req.hosts)
    return req._replace(hosts=hosts)


def _request(args: argparse.Namespace, stdin: IO[bytes]) -> tuple[Request, int]:
    """Return the request of the arguments with its ``--busy`` feeds, and how many calendars
    the request itself has (the ``--busy`` ones come after them)."""
    doc, base = _document(args, stdin)
    if args.command == "periods" and isinstance(doc, dict) and isinstance(doc.get("query"),
                                                                          dict):
        doc = {**doc, "query": {**doc["query"], "output": "periods"}}
    req = _rebase(parse_request(doc, access=ACCESS), base)
    own = len(req.hosts[0].calendars) if req.team is None else 0
    try:
        req = req.with_calendars([_calendar(b, stdin) for b in args.busy])
    except SlotcalcError as e:
        raise _flag(e, own) from None
    return req, own


def _flag(e: SlotcalcError, own: int) -> SlotcalcError:
    """Return ``e`` with the path ``--busy`` when it is about a ``--busy`` calendar."""
    parts = e.path.split("/")
    if (len(parts) >= 3 and parts[1] == "calendars" and parts[2].isdigit() and \
            int(parts[2]) >= own) or (e.path == "/hosts" and "extra calendars" in e.message):
        e.path = "--busy"
    return e


def _calendar(arg: str, stdin: IO[bytes]) -> CalendarSource:
    """Return a ``--busy`` argument as a calendar source (a URL, ``-``, or a local path)."""
    if arg.lower().startswith(_URL_SCHEMES):
        return CalendarSource("url", arg, "")
    if arg == "-":
        raw = stdin.read()
        try:
            return CalendarSource("ics", raw.decode("utf-8"), "")
        except UnicodeDecodeError:
            raise InvalidRequest("the feed on standard input is not UTF-8 text") from None
    try:
        where = Path(arg).resolve()
    except (OSError, ValueError, RuntimeError):  # a NUL character, a symlink loop
        where = Path(os.path.abspath(arg)) if "\x00" not in arg else Path(arg)
    return CalendarSource("path", str(where), "")


# ---------------------------------------------------------------------------------------------
# Commands


def _use_color(out: IO[str] | IO[bytes]) -> bool:
    isatty = getattr(out, "isatty", None)
    return bool(isatty and isatty()) and "NO_COLOR" not in os.environ \
        and os.environ.get("TERM") != "dumb"


def _slots(args: argparse.Namespace, stdin: IO[bytes], color: bool) -> tuple[Document, str]:
    req, own = _request(args, stdin)
    try:
        doc, busy = req.solve()
    except SlotcalcError as e:
        raise _flag(e, own) from None
    if "periods" in doc:  # the request asked for periods (query.output)
        return doc, _periods_table(doc)
    if args.format == "grid":
        return doc, render.slots_grid(req, doc, busy, color=color)
    return doc, render.slots_table(doc, color=color)


def _periods(args: argparse.Namespace, stdin: IO[bytes]) -> tuple[Document, str]:
    req, own = _request(args, stdin)
    try:
        doc = req.answer()
    except SlotcalcError as e:
        raise _flag(e, own) from None
    return doc, _periods_table(doc)


def _periods_table(doc: Document) -> str:
    """Return the periods of an answer as a table for people: one line per period."""
    periods = doc.get("periods") or []
    lines = [f"Periods in {doc.get('timezone', '')}:"]
    for p in periods:
        hosts = f"  {', '.join(p['hosts'])}" if p.get("hosts") else ""
        lines.append(f"  {p['start']}  –  {p['end']}{hosts}")
    if not periods:
        lines.append("  none")
        if doc.get("next_available"):
            lines.append(f"Next free start: {doc['next_available']}")
    return "\n".join(lines) + "\n"


def _check(args: argparse.Namespace, stdin: IO[bytes]) -> tuple[Document, str]:
    start = read_instant(args.start, "--start")
    req, own = _request(args, stdin)
    try:
        doc = req.check(start)
    except SlotcalcError as e:
        raise _flag(e, own) from None
    zone = req.query.zone or req.hosts[0].schedule.zone
    return doc, render.check_table(doc, start, zone)


def _busy(args: argparse.Namespace, stdin: IO[bytes]) -> tuple[Document, str]:
    ical = load_ical()  # the iCalendar adapter, with a clear error when it is not installed
    start = read_instant(args.start, "--start")
    end = read_instant(args.end, "--end")
    try:
        zone: ZoneInfo = load_zone(args.timezone)
    except SlotcalcError as e:
        e.path = "--timezone"
        raise e from None
    src = _calendar(args.feed, stdin)
    source: object = Path(src.value) if src.kind == "path" else src.value
    try:
        doc: Document = ical.busy_document(source, start, end, zone.key)
    except SlotcalcError as e:
        if e.path in ("/start", "/end"):
            e.path = "-" + e.path.replace("/", "-")
        raise e from None
    return doc, render.busy_table(doc, zone)


def _serve(argv: list[str], err: IO[str]) -> int:
    try:
        from .server import main as serve
    except ImportError as e:
        print(_one_line(f"slotcalc serve: {e}"), file=err)
        return 1
    return serve(argv)


def _write(out: IO[bytes], text: str) -> None:
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates from \\ud800 escapes in the request
        data = text.encode("utf-8", "backslashreplace")
    out.write(data)
    out.flush()


def _json_text(doc: Document) -> str:
    try:
        text = json.dumps(doc, ensure_ascii=False, indent=1)
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(doc, ensure_ascii=True, indent=1)
    return text + "\n"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def main(argv: Sequence[str] | None = None, *, stdin: IO[bytes] | None = None,
         stdout: IO[bytes] | None = None, stderr: IO[str] | None = None) -> int:
    """Run the command line; return the exit status (0 answer, 1 invalid input, 2 usage).

    ``stdin``/``stdout`` are binary streams and ``stderr`` a text stream (default: the
    process's), so tests can run it in-process. Nothing escapes as a traceback: an error that
    is not about the input (a bug) prints one line and gives status 3 (``SLOTCALC_DEBUG=1``
    re-raises it).
    """
    inp = stdin if stdin is not None else sys.stdin.buffer
    out = stdout if stdout is not None else sys.stdout.buffer
    err = stderr if stderr is not None else sys.stderr
    fmt = "table"
    try:
        words = list(sys.argv[1:] if argv is None else argv)
        if words[:1] == ["serve"]:  # its own options: slotcalc.server.main parses them
            return _serve(words[1:], err)
        try:
            args = _parser().parse_args(words)
        except SystemExit as e:  # --help, --version
            return int(e.code or 0) if not isinstance(e.code, str) else 2
        fmt = args.format
        color = stdout is None and fmt != "json" and _use_color(sys.stdout)
        if args.command == "slots":
            doc, text = _slots(args, inp, color)
        elif args.command == "periods":
            doc, text = _periods(args, inp)
        elif args.command == "check":
            doc, text = _check(args, inp)
        else:
            doc, text = _busy(args, inp)
        _write(out, _json_text(doc) if fmt == "json" else text)
        return 0
    except _UsageError as e:
        print(_one_line(str(e)), file=err)
        return 2
    except SlotcalcError as e:
        if fmt == "json":
            _write(out, _json_text(e.to_dict()))
        else:
            print(_one_line(f"slotcalc: {e}"), file=err)
        return 1
    except BrokenPipeError:
        # the reader went away (slotcalc ... | head): stop quietly, and keep Python from
        # complaining again when it flushes stdout at exit
        devnull = os.open(os.devnull, os.O_WRONLY)
        with contextlib.suppress(OSError, ValueError):
            os.dup2(devnull, sys.stdout.fileno())
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as e:
        if os.environ.get("SLOTCALC_DEBUG"):
            raise
        print(_one_line(f"slotcalc: internal error ({type(e).__name__}: {e}); please report "
                        f"it (SLOTCALC_DEBUG=1 shows the traceback)"), file=err)
        return 3


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
