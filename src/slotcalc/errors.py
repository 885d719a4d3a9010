"""The errors slotcalc raises: one family, each with SPEC §5's stable ``code`` and a JSON Pointer.

Every concrete error subclasses :class:`SlotcalcError` and also the builtin it specialises
(``ValueError`` for bad values, ``TypeError`` for wrong shapes, ``OSError`` for calendar
fetches, ``PermissionError`` for a calendar read not granted), so ``except ValueError`` keeps
working for callers that do not know slotcalc.

``path`` is a JSON Pointer (RFC 6901) to the offending field. Value objects raise with a path
relative to themselves (``/weekly/mon/0``); the layer that nests them prefixes its own part
(``/schedule/weekly/mon/0``) with :meth:`SlotcalcError.under`.
"""

from __future__ import annotations

from typing import Any, ClassVar

__all__ = [
    "CalendarFetchFailed",
    "CalendarNotAllowed",
    "CalendarUnreadable",
    "DuplicateOverride",
    "InvalidDate",
    "InvalidDuration",
    "InvalidInterval",
    "InvalidJSON",
    "InvalidRequest",
    "InvalidTime",
    "InvalidTimezone",
    "InvalidValue",
    "NaiveDatetime",
    "RangeTooLarge",
    "SlotcalcError",
    "error_for_code",
    "pointer",
]


def _escape(part: str | int) -> str:
    return str(part).replace("~", "~0").replace("/", "~1")


def pointer(*parts: str | int) -> str:
    """Return the JSON Pointer for ``parts``: ``pointer("weekly", "mon", 0) == "/weekly/mon/0"``."""
    return "".join("/" + _escape(p) for p in parts)


class SlotcalcError(Exception):
    """Base of every error slotcalc raises on bad input.

    Attributes: ``code`` (stable, SPEC §5), ``message`` (for a person) and ``path``
    (JSON Pointer to the field, ``""`` for the whole request).
    """

    code: ClassVar[str] = "invalid_request"

    def __init__(self, message: str, path: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.path = path

    def __str__(self) -> str:
        where = f" (at {self.path})" if self.path else ""
        return f"{self.code}: {self.message}{where}"

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.message, self.path))

    def under(self, *parts: str | int) -> SlotcalcError:
        """Return this error with ``parts`` put in front of its path (self, changed in place)."""
        self.path = pointer(*parts) + self.path
        return self

    def to_dict(self) -> dict[str, dict[str, str]]:
        """Return the error object of SPEC §5: ``{"error": {"code", "message", "path"}}``."""
        return {"error": {"code": self.code, "message": self.message, "path": self.path}}


class InvalidJSON(SlotcalcError, ValueError):
    """The input is not JSON at all."""

    code = "invalid_json"


class InvalidRequest(SlotcalcError, TypeError):
    """A field is missing, unknown, or of the wrong type."""

    code = "invalid_request"


class InvalidTimezone(SlotcalcError, ValueError):
    """A name that is not an IANA time zone."""

    code = "invalid_timezone"


class InvalidTime(SlotcalcError, ValueError):
    """A wall time or an instant that cannot be read."""

    code = "invalid_time"


class InvalidDate(SlotcalcError, ValueError):
    """A local date that cannot be read."""

    code = "invalid_date"


class NaiveDatetime(SlotcalcError, ValueError):
    """A datetime without a UTC offset where an instant is needed."""

    code = "naive_datetime"


class InvalidInterval(SlotcalcError, ValueError):
    """An interval whose end is not after its start."""

    code = "invalid_interval"


class DuplicateOverride(SlotcalcError, ValueError):
    """Two overrides that cover the same local date."""

    code = "duplicate_override"


class InvalidDuration(SlotcalcError, ValueError):
    """An event duration that is not a whole number of minutes in range."""

    code = "invalid_duration"


class InvalidValue(SlotcalcError, ValueError):
    """A value of the right type but out of range or not allowed."""

    code = "invalid_value"


class RangeTooLarge(SlotcalcError, ValueError):
    """A query range longer than 366 days."""

    code = "range_too_large"


class CalendarUnreadable(SlotcalcError, ValueError):
    """An iCalendar feed that cannot be read as a whole (truncated, not iCalendar, too big)."""

    code = "calendar_unreadable"


class CalendarFetchFailed(SlotcalcError, OSError):
    """A calendar URL that could not be fetched (network error, status, time or size limit)."""

    code = "calendar_fetch_failed"


class CalendarNotAllowed(SlotcalcError, PermissionError):
    """A calendar file or URL that the caller did not grant the request to read (SPEC §2)."""

    code = "calendar_not_allowed"


_BY_CODE: dict[str, type[SlotcalcError]] = {
    cls.code: cls
    for cls in (
        InvalidJSON,
        InvalidRequest,
        InvalidTimezone,
        InvalidTime,
        InvalidDate,
        NaiveDatetime,
        InvalidInterval,
        DuplicateOverride,
        InvalidDuration,
        InvalidValue,
        RangeTooLarge,
        CalendarUnreadable,
        CalendarFetchFailed,
        CalendarNotAllowed,
    )
}


def error_for_code(code: str) -> type[SlotcalcError]:
    """Return the error class for a SPEC §5 code (``KeyError`` for an unknown code)."""
    return _BY_CODE[code]
