"""Answers: what comes out of a request, each able to write its SPEC §4 document.

:class:`Slot`, :class:`Day`, :class:`Period` and :class:`Notice` are typed named tuples
(immutable and cheap to build in bulk); :class:`Availability`, :class:`Periods` and
:class:`CheckResult` hold them and serialise themselves with ``to_dict()`` without computing
again. The documents' shapes are the TypedDicts below.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal, NamedTuple, NotRequired, TypedDict

__all__ = [
    "Availability",
    "AvailabilityDoc",
    "CheckDoc",
    "CheckResult",
    "Day",
    "Notice",
    "Period",
    "Periods",
    "PeriodsDoc",
    "Reason",
    "Slot",
]

Reason = Literal["too_soon", "too_far", "outside_hours", "off_grid", "busy", "full", "day_full",
                 "repeat_conflict"]


def text(moment: datetime) -> str:
    """Return an aware datetime as SPEC §4 text: ``YYYY-MM-DDTHH:MM:SS±HH:MM``."""
    return moment.replace(microsecond=0).isoformat()


class NoticeDoc(TypedDict):
    """A warning in a document."""

    code: str
    message: str
    path: str


class SlotDoc(TypedDict):
    """One slot in a document."""

    start: str
    end: str
    remaining: int
    hosts: NotRequired[list[str]]


class DayDoc(TypedDict):
    """One local date's slots in a document."""

    date: str
    slots: list[SlotDoc]


class AvailabilityDoc(TypedDict):
    """The SPEC §4 answer with slots."""

    timezone: str
    days: list[DayDoc]
    next_available: str | None
    warnings: list[NoticeDoc]


class PeriodDoc(TypedDict):
    """One free period in a document."""

    start: str
    end: str
    hosts: NotRequired[list[str]]


class PeriodsDoc(TypedDict):
    """The SPEC §4 answer with periods."""

    timezone: str
    periods: list[PeriodDoc]
    next_available: str | None
    warnings: list[NoticeDoc]


class CheckDoc(TypedDict):
    """The SPEC §4 answer of a check."""

    bookable: bool
    reason: str | None
    remaining: int
    next_available: str | None
    end: NotRequired[str]
    hosts: NotRequired[list[str]]
    conflicts: NotRequired[list[str]]
    warnings: list[NoticeDoc]


class Notice(NamedTuple):
    """A warning in an answer: something that was skipped, with a code and where it was."""

    code: str
    message: str
    path: str = ""

    def to_dict(self) -> NoticeDoc:
        """Return the warning as a document."""
        return {"code": self.code, "message": self.message, "path": self.path}


class Slot(NamedTuple):
    """A bookable start: ``[start, end)`` in the query zone, seats ``remaining``, ``hosts``.

    ``hosts`` is ``None`` for a single schedule, the listed host ids in request order for a
    team (SPEC §7).
    """

    start: datetime
    end: datetime
    remaining: int
    hosts: tuple[str, ...] | None = None

    def to_dict(self) -> SlotDoc:
        """Return the slot as a document."""
        out: SlotDoc = {"start": text(self.start), "end": text(self.end),
                        "remaining": self.remaining}
        if self.hosts is not None:
            out["hosts"] = list(self.hosts)
        return out


class Day(NamedTuple):
    """The slots that start on one local date of the query zone."""

    date: date
    slots: tuple[Slot, ...]


class Availability(NamedTuple):
    """The answer of SPEC §4: days with slots, ``next_available`` when there are none."""

    timezone: str
    days: tuple[Day, ...]
    next_available: datetime | None
    warnings: tuple[Notice, ...] = ()

    @property
    def slots(self) -> list[Slot]:
        """Every slot of every day, in order."""
        return [s for d in self.days for s in d.slots]

    def to_dict(self) -> AvailabilityDoc:
        """Return the SPEC §4 document (the same as the JSON layer's)."""
        return {
            "timezone": self.timezone,
            "days": [{"date": d.date.isoformat(), "slots": [s.to_dict() for s in d.slots]}
                     for d in self.days],
            "next_available": None if self.next_available is None else text(self.next_available),
            "warnings": [w.to_dict() for w in self.warnings],
        }


class Period(NamedTuple):
    """A free period: a booking of the event's duration fits anywhere in ``[start, end)``."""

    start: datetime
    end: datetime
    hosts: tuple[str, ...] | None = None

    def to_dict(self) -> PeriodDoc:
        """Return the period as a document."""
        out: PeriodDoc = {"start": text(self.start), "end": text(self.end)}
        if self.hosts is not None:
            out["hosts"] = list(self.hosts)
        return out


class Periods(NamedTuple):
    """The SPEC §4 answer with ``output: "periods"``."""

    timezone: str
    periods: tuple[Period, ...]
    next_available: datetime | None
    warnings: tuple[Notice, ...] = ()

    def to_dict(self) -> PeriodsDoc:
        """Return the SPEC §4 document."""
        return {
            "timezone": self.timezone,
            "periods": [p.to_dict() for p in self.periods],
            "next_available": None if self.next_available is None else text(self.next_available),
            "warnings": [w.to_dict() for w in self.warnings],
        }


class CheckResult(NamedTuple):
    """Whether one start is bookable, why not, the next slot start after it, the slot's end.

    ``conflicts`` (with a repeating event) are the occurrences that fail; ``hosts`` for a
    team.
    """

    bookable: bool
    reason: Reason | None
    remaining: int
    next_available: datetime | None
    hosts: tuple[str, ...] | None = None
    warnings: tuple[Notice, ...] = ()
    end: datetime | None = None
    conflicts: tuple[datetime, ...] | None = None

    def to_dict(self) -> CheckDoc:
        """Return the SPEC §4 check document."""
        out: CheckDoc = {
            "bookable": self.bookable,
            "reason": self.reason,
            "remaining": self.remaining,
            "next_available": None if self.next_available is None else text(self.next_available),
            "warnings": [w.to_dict() for w in self.warnings],
        }
        if self.end is not None:
            out["end"] = text(self.end)
        if self.hosts is not None:
            out["hosts"] = list(self.hosts)
        if self.conflicts is not None:
            out["conflicts"] = [text(c) for c in self.conflicts]
        return out
