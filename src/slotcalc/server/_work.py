"""One request's work, as the worker processes do it: JSON in, status and JSON bytes out.

The front process (the event loop) parses nothing: it hands the body to a worker process and
sends back what comes out. For a body that may name a calendar URL it first sends a *plan*
job: the worker validates the request, checks its calendars against the rights and returns
the URLs to fetch; the front process fetches them through its cache and sends the answer job
with their bodies. A worker never fetches anything itself.

The answer is ``json.dumps`` of what :func:`slotcalc.jsonapi.answer_request` or
:func:`slotcalc.jsonapi.check_request` return, byte for byte.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from ..cli import load_json
from ..errors import CalendarFetchFailed, InvalidRequest, SlotcalcError, pointer
from ..jsonapi import answer_request, check_request, parse_request

Document = dict[str, Any]
Kind = Literal["slots", "periods", "check"]

#: The fields of the body of ``POST /v1/check``.
CHECK_FIELDS = ("request", "start")
#: The status of a plan job that went through: its body is the JSON list of URLs to fetch.
PLANNED = 0
#: Error codes that are not the client's fault: the feed's server failed (HTTP 502).
UPSTREAM_CODES = frozenset({"calendar_fetch_failed"})


@dataclass(frozen=True)
class Job:
    """What a worker gets: the endpoint, the raw body, the feeds fetched for it, the rights.

    ``feeds`` maps each calendar URL of the request to its body, or to the message of the
    :class:`~slotcalc.errors.CalendarFetchFailed` its fetch raised. ``allow_urls`` is the
    operator's host allow-list.
    """

    kind: Kind
    body: bytes
    feeds: Mapping[str, bytes | str] = field(default_factory=dict)
    allow_urls: frozenset[str] = frozenset()
    plan: bool = False  # return the URLs to fetch (status PLANNED), not the answer


def status_of(doc: Mapping[str, Any]) -> int:
    """Return the HTTP status of an answer or SPEC §5 error document."""
    err = doc.get("error")
    if isinstance(err, dict):
        return 502 if err.get("code") in UPSTREAM_CODES else 400
    return 200


def error_document(code: str, message: str, path: str = "") -> Document:
    """Return a SPEC §5 error document."""
    return {"error": {"code": code, "message": message, "path": path}}


def dumps(doc: Mapping[str, Any]) -> bytes:
    """Return the body of an answer: ``json.dumps`` of the document (ASCII, as the library)."""
    return json.dumps(doc).encode("ascii")


def prepare(kind: Kind, doc: object) -> tuple[object, object]:
    """Return ``(request document, start)`` for the parsed body of endpoint ``kind``.

    ``/v1/periods`` forces ``query.output`` to ``"periods"``; ``/v1/check`` takes
    ``{"request": …, "start": …}`` (``start`` is ``None`` for the others). Raises
    InvalidRequest for a check body of another shape.
    """
    if kind == "check":
        if not isinstance(doc, dict):
            raise InvalidRequest('the body of /v1/check is an object {"request": …, '
                                 f'"start": …}}, not {_json_type(doc)}', "")
        for key in doc:
            if key not in CHECK_FIELDS:
                raise InvalidRequest(f"unknown field {key!r} in the body of /v1/check; it has "
                                     "'request' and 'start'", pointer(key))
        for key in CHECK_FIELDS:
            if key not in doc:
                raise InvalidRequest(f"the body of /v1/check needs the field {key!r}",
                                     pointer(key))
        return doc["request"], doc["start"]
    if kind == "periods" and isinstance(doc, dict) and isinstance(doc.get("query"), dict):
        doc = {**doc, "query": {**doc["query"], "output": "periods"}}
    return doc, None


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


# ---------------------------------------------------------------------------------------------
# Calendar rights


def url_host(url: str) -> str:
    """Return the lower-case host name of ``url`` (``""`` when it has none)."""
    try:
        return (urllib.parse.urlsplit(url.strip()).hostname or "").lower()
    except ValueError:
        return ""


def _calendar_entries(request: object) -> list[tuple[str, Mapping[str, object]]]:
    """Return ``(JSON Pointer, entry)`` for every calendar object of a request document."""
    out: list[tuple[str, Mapping[str, object]]] = []

    def scan(cals: object, base: str) -> None:
        if isinstance(cals, list):
            out.extend((f"{base}/calendars/{i}", c) for i, c in enumerate(cals)
                       if isinstance(c, dict))

    if isinstance(request, dict):
        scan(request.get("calendars"), "")
        hosts = request.get("hosts")
        if isinstance(hosts, list):
            for i, host in enumerate(hosts):
                if isinstance(host, dict):
                    scan(host.get("calendars"), f"/hosts/{i}")
    return out


def _refused(request: object, allow_urls: frozenset[str]) -> Document | None:
    """Return the ``calendar_not_allowed`` error of the first refused calendar, or None.

    Files are never read; URLs are fetched only from the allowed hosts. (The server's own
    check, run after the request validated.)
    """
    for path, entry in _calendar_entries(request):
        if "path" in entry:
            return error_document("calendar_not_allowed", "this server does not read "
                                  "calendars from files; send the feed inline as 'ics'", path)
        url = entry.get("url")
        if isinstance(url, str) and url_host(url) not in allow_urls:
            return error_document("calendar_not_allowed", f"this server fetches calendars "
                                  f"only from the hosts its operator allowed, not from "
                                  f"{url_host(url) or url!r}", path)
    return None


def might_name_url(body: bytes) -> bool:
    """Whether a body may hold a calendar URL (then the front process plans it first).

    A JSON escape could spell ``"url"`` in other bytes, so a body with one counts too.
    """
    return b'"url"' in body or b"\\u" in body


def plan(kind: Kind, body: bytes, allow_urls: frozenset[str]) -> tuple[int, bytes]:
    """Return ``(PLANNED, JSON list of URLs to fetch)``, or an error to answer at once.

    The request is validated first (a bad request fetches nothing) and its calendars checked
    against the rights; the URLs are the allowed ones, in request order, without repeats.
    """
    try:
        request, _ = prepare(kind, load_json(body))
        parse_request(request, allow_paths=True, allow_urls=True)
    except SlotcalcError as e:
        return 400, dumps(e.to_dict())
    refused = _refused(request, allow_urls)
    if refused is not None:
        return 400, dumps(refused)
    urls: list[str] = []
    for url in urls_of(request):
        if url not in urls:
            urls.append(url)
    return PLANNED, json.dumps(urls).encode()


# ---------------------------------------------------------------------------------------------
# The worker's side


def _fetcher(feeds: Mapping[str, bytes | str]) -> Callable[..., bytes]:
    """Return a fetch function that serves the bodies the front process fetched."""

    def fetch(url: str, *args: object, **kwargs: object) -> bytes:
        got = feeds.get(url)
        if got is None:
            raise CalendarFetchFailed(f"{url}: not fetched by the server")
        if isinstance(got, str):
            raise CalendarFetchFailed(got)
        return got

    return fetch


def _answer(kind: Kind, request: object, start: object, feeds: Mapping[str, bytes | str]
            ) -> Document:
    if _calendar_entries(request):
        # The library fetches through slotcalc.ical.fetch_calendar; in this worker process
        # it serves the bodies the front process fetched through its cache, and nothing else.
        from .. import ical

        saved: Any = ical.fetch_calendar
        ical.fetch_calendar = _fetcher(feeds)
        try:
            return _call(kind, request, start)
        finally:
            ical.fetch_calendar = saved
    return _call(kind, request, start)


def _call(kind: Kind, request: object, start: object) -> Document:
    if kind == "check":
        return check_request(request, start, allow_paths=False, allow_urls=True)
    return answer_request(request, allow_paths=False, allow_urls=True)


def run(job: Job) -> tuple[int, bytes]:
    """Return ``(HTTP status, body)`` of one job. Never raises for bad input."""
    if job.plan:
        return plan(job.kind, job.body, job.allow_urls)
    try:
        request, start = prepare(job.kind, load_json(job.body))
        if _calendar_entries(request):  # rights are checked on a valid request only
            parse_request(request, allow_paths=True, allow_urls=True)
    except SlotcalcError as e:
        return 400, dumps(e.to_dict())
    refused = _refused(request, job.allow_urls)
    if refused is not None:
        return 400, dumps(refused)
    doc = _answer(job.kind, request, start, job.feeds)
    return status_of(doc), dumps(doc)


def urls_of(request: object) -> Sequence[str]:
    """Return the calendar URLs a request document names (for tests and tools)."""
    return [u for _, e in _calendar_entries(request) if isinstance(u := e.get("url"), str)]
