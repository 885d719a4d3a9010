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
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ..access import CalendarAccess
from ..cli import load_json
from ..errors import CalendarFetchFailed, InvalidRequest, SlotcalcError, pointer
from ..jsonapi import Request, answer_request, check_request, parse_request

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


def access(allow_urls: frozenset[str],
           fetch: Callable[[str], bytes] | None = None) -> CalendarAccess:
    """Return the rights of a request to this server: inline ``ics`` always, URLs from the
    allowed hosts only (through ``fetch``), files never."""
    return CalendarAccess(files=False, urls=allow_urls or False, fetch=fetch)


def might_name_url(body: bytes) -> bool:
    """Whether a body may hold a calendar URL (then a plan job runs first).

    A JSON escape could spell ``"url"`` in other bytes, so a body with one counts too.
    """
    return b'"url"' in body or b"\\u" in body


def urls_of(request: Request) -> list[str]:
    """Return the calendar URLs of a validated request, in request order, without repeats."""
    urls: list[str] = []
    for host in request.hosts:
        for src in host.calendars:
            if src.kind == "url" and src.value not in urls:
                urls.append(src.value)
    return urls


def plan(kind: Kind, body: bytes, allow_urls: frozenset[str]) -> tuple[int, bytes]:
    """Return ``(PLANNED, JSON list of URLs to fetch)``, or an error to answer at once.

    The request is validated first, with the server's rights (a bad request, or one naming a
    file or a host not allowed, fetches nothing).
    """
    try:
        request, _ = prepare(kind, load_json(body))
        parsed = parse_request(request, access=access(allow_urls))
    except SlotcalcError as e:
        return 400, dumps(e.to_dict())
    return PLANNED, json.dumps(urls_of(parsed)).encode()


# ---------------------------------------------------------------------------------------------
# The worker's side


def _fetcher(feeds: Mapping[str, bytes | str]) -> Callable[[str], bytes]:
    """Return a fetch function that serves the bodies the front process fetched."""

    def fetch(url: str) -> bytes:
        got = feeds.get(url)
        if got is None:
            raise CalendarFetchFailed(f"{url}: not fetched by the server")
        if isinstance(got, str):
            raise CalendarFetchFailed(got)
        return got

    return fetch


def run(job: Job) -> tuple[int, bytes]:
    """Return ``(HTTP status, body)`` of one job. Never raises for bad input."""
    if job.plan:
        return plan(job.kind, job.body, job.allow_urls)
    try:
        request, start = prepare(job.kind, load_json(job.body))
    except SlotcalcError as e:
        return 400, dumps(e.to_dict())
    rights = access(job.allow_urls, _fetcher(job.feeds))
    if job.kind == "check":
        doc = check_request(request, start, access=rights)
    else:
        doc = answer_request(request, access=rights)
    return status_of(doc), dumps(doc)
