"""The OpenAPI 3.1 description of the service, served at ``GET /v1/openapi.json``.

The schema of the request document is not written here: it is
``slotcalc.jsonapi.request_schema()``, the JSON Schema the JSON layer generates from the same
field tables its validation reads (one source). Answers are described loosely (their exact
form is SPEC §4); errors exactly (SPEC §5).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from .. import __version__

Document = dict[str, Any]


def request_schema() -> Document:
    """Return the request's JSON Schema from the JSON layer (or its generator module)."""
    source: Callable[[], Document] | None = getattr(
        importlib.import_module("slotcalc.jsonapi"), "request_schema", None)
    if source is None:
        source = importlib.import_module("slotcalc._schema").request_schema
    return source()


_DEFS = "#/$defs/"
_COMPONENTS = "#/components/schemas/"


def _relink(value: Any, old: str, new: str) -> Any:
    """Return ``value`` with every ``$ref`` that starts with ``old`` starting with ``new``."""
    if isinstance(value, dict):
        return {k: (new + v[len(old):] if k == "$ref" and isinstance(v, str)
                    and v.startswith(old) else _relink(v, old, new))
                for k, v in value.items()}
    if isinstance(value, list):
        return [_relink(v, old, new) for v in value]
    return value


def request_components() -> Document:
    """Return the request schema as OpenAPI components: ``Request`` and its ``$defs``.

    A JSON Schema's ``$defs`` and its ``#/$defs/…`` references do not resolve inside an
    OpenAPI document, so the definitions become components of their own and the references
    point there; nothing else changes (``$schema`` goes: 2020-12 is OpenAPI 3.1's dialect).
    """
    schema = dict(request_schema())
    schema.pop("$schema", None)
    defs: Document = schema.pop("$defs", {})
    out: Document = {"Request": _relink(schema, _DEFS, _COMPONENTS)}
    for name, value in defs.items():
        out[name] = _relink(value, _DEFS, _COMPONENTS)
    return out


_INSTANT = {"type": "string", "format": "date-time",
            "description": "RFC 3339 with an explicit offset"}

_ERROR: Document = {
    "type": "object",
    "required": ["error"],
    "additionalProperties": False,
    "properties": {"error": {
        "type": "object",
        "required": ["code", "message", "path"],
        "additionalProperties": False,
        "properties": {
            "code": {"type": "string", "description": "stable code to branch on (SPEC §5; "
                     "server errors: request_too_large, time_limit_exceeded, server_busy, "
                     "not_found, method_not_allowed, internal_error)"},
            "message": {"type": "string", "description": "for a person"},
            "path": {"type": "string", "description": "JSON Pointer to the field"},
        },
    }},
}

_WARNINGS: Document = {"type": "array", "items": {
    "type": "object", "properties": {"code": {"type": "string"},
                                     "message": {"type": "string"},
                                     "path": {"type": "string"}}}}

_ANSWER: Document = {
    "type": "object",
    "description": "SPEC §4: `days` (slots) or `periods` (free periods), in the query zone",
    "required": ["timezone", "next_available", "warnings"],
    "properties": {
        "timezone": {"type": "string"},
        "days": {"type": "array", "items": {"type": "object", "properties": {
            "date": {"type": "string", "format": "date"},
            "slots": {"type": "array", "items": {"type": "object", "properties": {
                "start": _INSTANT, "end": _INSTANT, "remaining": {"type": "integer"},
                "hosts": {"type": "array", "items": {"type": "string"}}}}}}}},
        "periods": {"type": "array", "items": {"type": "object", "properties": {
            "start": _INSTANT, "end": _INSTANT,
            "hosts": {"type": "array", "items": {"type": "string"}}}}},
        "next_available": {"oneOf": [_INSTANT, {"type": "null"}]},
        "warnings": _WARNINGS,
    },
}

_CHECK_ANSWER: Document = {
    "type": "object",
    "description": "SPEC §4 'Checking one start'",
    "required": ["bookable", "reason", "remaining", "next_available"],
    "properties": {
        "bookable": {"type": "boolean"},
        "reason": {"oneOf": [{"type": "null"}, {"type": "string", "enum": [
            "too_soon", "too_far", "outside_hours", "off_grid", "busy", "full", "day_full",
            "repeat_conflict"]}]},
        "remaining": {"type": "integer"},
        "next_available": {"oneOf": [_INSTANT, {"type": "null"}]},
        "hosts": {"type": "array", "items": {"type": "string"}},
        "conflicts": {"type": "array", "items": _INSTANT},
        "warnings": _WARNINGS,
    },
}


def _json(ref: str) -> Document:
    return {"content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}}


def _errors(*, body: bool) -> Document:
    out: Document = {
        "404": {"description": "unknown path", **_json("Error")},
        "500": {"description": "a bug in slotcalc", **_json("Error")},
    }
    if body:
        out.update({
            "400": {"description": "bad input: invalid_json or a SPEC §5 code (the request, or "
                    "calendar_not_allowed for a file or a host not allowed)", **_json("Error")},
            "413": {"description": "body over the size limit (request_too_large)",
                    **_json("Error")},
            "502": {"description": "a calendar feed could not be fetched "
                    "(calendar_fetch_failed)", **_json("Error")},
            "503": {"description": "time_limit_exceeded (the work ran past the per-request "
                    "time limit and was stopped) or server_busy (no worker came free in "
                    "time); Retry-After says when to try again", **_json("Error")},
        })
    return out


def _post(summary: str, description: str, body: str, answer: str) -> Document:
    return {"post": {
        "summary": summary,
        "description": description,
        "requestBody": {"required": True, **_json(body)},
        "responses": {"200": {"description": "the answer", **_json(answer)},
                      **_errors(body=True)},
    }}


_OWN = ("CheckRequest", "Answer", "CheckAnswer", "Error")


def _request_components_checked() -> Document:
    parts = request_components()
    clash = set(parts) & set(_OWN)
    if clash:
        raise RuntimeError(f"request schema definitions clash with the service's: {clash}")
    return parts


def openapi_document() -> Document:
    """Return the OpenAPI 3.1 document of the service."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "slotcalc",
            "version": __version__,
            "description": "Bookable time slots over HTTP. Stateless: every request carries "
                           "its schedule, event, busy time and query (SPEC v2).",
        },
        "paths": {
            "/v1/slots": _post(
                "Bookable slots of a request",
                "The SPEC §4 answer; `query.output` chooses slots or periods.",
                "Request", "Answer"),
            "/v1/periods": _post(
                "Free periods of a request",
                "The SPEC §4 periods answer (`query.output` is taken as `\"periods\"`).",
                "Request", "Answer"),
            "/v1/check": _post(
                "Whether one start is bookable",
                "Error paths inside the request are relative to `request`; `/start` is the "
                "start's.",
                "CheckRequest", "CheckAnswer"),
            "/v1/health": {"get": {
                "summary": "Liveness and load",
                "responses": {"200": {"description": "the server is up", "content": {
                    "application/json": {"schema": {"type": "object"}}}},
                    **_errors(body=False)},
            }},
            "/v1/openapi.json": {"get": {
                "summary": "This document",
                "responses": {"200": {"description": "OpenAPI 3.1", "content": {
                    "application/json": {"schema": {"type": "object"}}}}},
            }},
        },
        "components": {"schemas": {
            **_request_components_checked(),
            "CheckRequest": {
                "type": "object",
                "required": ["request", "start"],
                "additionalProperties": False,
                "properties": {"request": {"$ref": "#/components/schemas/Request"},
                               "start": _INSTANT},
            },
            "Answer": _ANSWER,
            "CheckAnswer": _CHECK_ANSWER,
            "Error": _ERROR,
        }},
    }
