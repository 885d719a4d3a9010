"""The output floor: the least work any engine must do to hand the same answer over.

Whatever computes the slots, the caller gets datetimes (typed API) or SPEC §4 strings in dicts
(JSON). The floor of an answer is the time to build just that output from epoch seconds that are
already known (computed here, outside the timed region), the plain way:

* typed: ``datetime.fromtimestamp(t, zone)`` for the start and for the end of every slot;
* JSON: ``datetime.fromtimestamp(t, zone).isoformat()`` for the start and the end of every
  slot, each slot's dict (with its ``hosts`` list for a team), each day's dict (its date text
  precomputed) and the answer's dict.

``engine / floor`` then says how much the engine costs on top of merely writing its answer down.
:func:`check_same` makes sure the floor builds exactly the answer the engine gave.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from slotcalc import Availability


@dataclass(frozen=True)
class Precomputed:
    """An answer as integers: per local day, its date text and each slot's
    ``(start, end, remaining, hosts)``."""

    zone: ZoneInfo
    timezone: str
    days: tuple[tuple[str, tuple[tuple[int, int, int, tuple[str, ...] | None], ...]], ...]
    next_available: int | None

    @property
    def slot_count(self) -> int:
        """Return the number of slots in the answer."""
        return sum(len(slots) for _, slots in self.days)


def precompute(answer: Availability) -> Precomputed:
    """Return ``answer`` as epoch seconds (computed once, not timed)."""
    zone = ZoneInfo(answer.timezone)
    days = tuple(
        (
            d.date.isoformat(),
            tuple(
                (int(s.start.timestamp()), int(s.end.timestamp()), s.remaining, s.hosts)
                for s in d.slots
            ),
        )
        for d in answer.days
    )
    nxt = None if answer.next_available is None else int(answer.next_available.timestamp())
    return Precomputed(zone, answer.timezone, days, nxt)


def datetime_floor(p: Precomputed) -> Callable[[], object]:
    """Return a call that builds the answer's datetimes: two ``fromtimestamp`` per slot."""
    zone = p.zone
    flat = [(s, e) for _, slots in p.days for s, e, _r, _h in slots]

    def build() -> list[tuple[datetime, datetime]]:
        fts = datetime.fromtimestamp
        return [(fts(s, zone), fts(e, zone)) for s, e in flat]

    return build


def json_floor(p: Precomputed) -> Callable[[], dict[str, Any]]:
    """Return a call that builds the SPEC §4 document: two ISO strings and a dict per slot."""
    zone, days, name, nxt = p.zone, p.days, p.timezone, p.next_available

    def build() -> dict[str, Any]:
        fts = datetime.fromtimestamp
        out_days: list[dict[str, Any]] = []
        for day, slots in days:
            out: list[dict[str, Any]] = []
            for s, e, r, h in slots:
                slot: dict[str, Any] = {
                    "start": fts(s, zone).isoformat(),
                    "end": fts(e, zone).isoformat(),
                    "remaining": r,
                }
                if h is not None:
                    slot["hosts"] = list(h)
                out.append(slot)
            out_days.append({"date": day, "slots": out})
        return {
            "timezone": name,
            "days": out_days,
            "next_available": None if nxt is None else fts(nxt, zone).isoformat(),
            "warnings": [],
        }

    return build


def check_same(engine_doc: dict[str, Any], floor_doc: dict[str, Any]) -> None:
    """Raise AssertionError unless the floor built the engine's JSON answer exactly."""
    if engine_doc != floor_doc:
        raise AssertionError("the floor's document differs from the engine's answer")
