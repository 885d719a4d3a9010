"""The benchmark workloads: fixed-seed request documents and the same inputs as value objects.

Every workload is built twice from one seeded description: as a SPEC §2 request document (plain
dicts, lists and strings, as loaded from JSON) for :func:`slotcalc.jsonapi.answer_request`, and
as prebuilt value objects (``Schedule``, ``EventPolicy``, ``Busy``, ``Query``, ``Host``,
``Team``) for the typed API. Building happens outside the timed region; only the call is timed.

Busy time is "spread over the range": each entry starts at a uniformly random 5-minute mark of
the whole range (day and night, weekends included) and lasts 15 to 120 minutes, so roughly a
quarter of it falls inside working hours, as real calendars do.

The request documents really are loaded from JSON (:func:`as_loaded`): built in place, the busy
entries are made in random order and then sorted, so neighbouring entries of the list lie far
apart in memory, which no parsed request does (``json.loads`` allocates them in order) and which
made answer_request on W4 1.2–1.4x slower than on the same request parsed (same run).
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from slotcalc import (
    Availability,
    Busy,
    EventPolicy,
    Host,
    Override,
    Query,
    Schedule,
    Team,
    answer_document,
    find_slots,
    find_team_slots,
    team_answer_document,
)

#: The seed of every workload (each workload derives its own stream from it and its name).
SEED = 20270104
#: The first local date of every range: a Monday. 90 days from here cross the March DST change
#: of North America and Europe; 366 days cross both changes.
FIRST_DAY = date(2027, 1, 4)
#: ``now`` of every query: before the range, so notice and horizon never cut it.
NOW = "2027-01-01T00:00:00Z"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
#: The zones of the team workloads (hosts cycle through them): four offsets, two DST rules.
TEAM_ZONES = ("America/New_York", "Europe/London", "Europe/Berlin", "Europe/Helsinki")

Document = dict[str, Any]


@dataclass(frozen=True)
class Workload:
    """One benchmark case: the request document and zero-argument calls on prebuilt inputs.

    ``typed`` calls :func:`slotcalc.find_slots` or :func:`slotcalc.find_team_slots` with value
    objects built in advance; ``document`` calls :func:`slotcalc.answer_document` (or
    :func:`slotcalc.team_answer_document`) with the same objects, returning the SPEC §4
    document; ``request`` is the same input as a SPEC §2 document (strings, as from JSON).
    """

    name: str
    description: str
    request: Document
    typed: Callable[[], Availability] = field(repr=False)
    document: Callable[[], Document] = field(repr=False)
    size: int = 0  # the swept quantity, for sweeps (busy entries, days or hosts)
    busy: int = 0  # busy entries in the request, over all hosts


def _rng(*parts: object) -> random.Random:
    return random.Random(f"{SEED}:" + ":".join(str(p) for p in parts))


def _utc_text(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def busy_entries(
    rng: random.Random,
    count: int,
    first: date,
    days: int,
    *,
    seats: Sequence[int] = (),
    id_prefix: str | None = None,
) -> list[Document]:
    """Return ``count`` busy entries (JSON shape, UTC strings) spread over ``days`` from ``first``.

    Starts are uniform over the 5-minute marks of the span (UTC midnight to UTC midnight),
    lengths 15–120 minutes in 15-minute steps. With ``seats`` each entry is a seat booking
    using a random choice of them; with ``id_prefix`` each entry gets an id. Sorted by start.
    """
    base = datetime(first.year, first.month, first.day, tzinfo=UTC)
    marks = days * 24 * 12
    out: list[tuple[datetime, Document]] = []
    for i in range(count):
        start = base + timedelta(minutes=5 * rng.randrange(marks))
        end = start + timedelta(minutes=15 * rng.randint(1, 8))
        entry: Document = {"start": _utc_text(start), "end": _utc_text(end)}
        if seats:
            entry["seats"] = rng.choice(seats)
        if id_prefix is not None:
            entry["id"] = f"{id_prefix}{i}"
        out.append((start, entry))
    out.sort(key=lambda pair: pair[0])
    return [entry for _, entry in out]


def _busy_objects(entries: Sequence[Document]) -> list[Busy]:
    return [Busy(e["start"], e["end"], seats=e.get("seats"), id=e.get("id")) for e in entries]


def _schedule_object(doc: Document) -> Schedule:
    weekly = {k: [tuple(pair) for pair in v] for k, v in doc.get("weekly", {}).items()}
    overrides = [
        (o["date"], [tuple(pair) for pair in o["intervals"]], o.get("until"))
        for o in doc.get("overrides", [])
    ]
    return Schedule(
        doc["timezone"],
        weekly,
        [Override(d, iv, until) for d, iv, until in overrides],
    )


def _event_object(doc: Document) -> EventPolicy:
    args = dict(doc)
    return EventPolicy(args.pop("duration"), **args)


def _query_object(doc: Document) -> Query:
    args = dict(doc)
    return Query(args.pop("start"), args.pop("end"), **args)


def _query(days: int, timezone: str | None = None) -> Document:
    q: Document = {
        "start": FIRST_DAY.isoformat(),
        "end": (FIRST_DAY + timedelta(days=days - 1)).isoformat(),
        "now": NOW,
    }
    if timezone is not None:
        q["timezone"] = timezone
    return q


def as_loaded(doc: Document) -> Document:
    """Return ``doc`` as ``json.loads`` gives it back from its JSON text (what a service has)."""
    loaded: Document = json.loads(json.dumps(doc))
    return loaded


def single(
    name: str,
    description: str,
    schedule: Document,
    event: Document,
    days: int,
    busy: list[Document],
    size: int = 0,
) -> Workload:
    """Return a one-host workload over ``days`` local dates from :data:`FIRST_DAY`."""
    request: Document = {"schedule": schedule, "busy": busy, "event": event, "query": _query(days)}
    s, e, q, b = (
        _schedule_object(schedule),
        _event_object(event),
        _query_object(request["query"]),
        _busy_objects(busy),
    )
    return Workload(
        name,
        description,
        as_loaded(request),
        lambda: find_slots(s, e, q, b),
        lambda: answer_document(s, e, q, b),
        size,
        len(b),
    )


def team(
    name: str,
    description: str,
    hosts: list[Document],
    mode: str,
    event: Document,
    days: int,
    size: int = 0,
) -> Workload:
    """Return a team workload (hosts as SPEC §7 documents) over ``days`` local dates."""
    request: Document = {
        "hosts": hosts,
        "team": {"mode": mode},
        "event": event,
        "query": _query(days),
    }
    objs = [Host(h["id"], _schedule_object(h["schedule"]), _busy_objects(h["busy"])) for h in hosts]
    e, q, t = _event_object(event), _query_object(request["query"]), Team(mode)  # type: ignore[arg-type]
    return Workload(
        name,
        description,
        as_loaded(request),
        lambda: find_team_slots(objs, e, q, t),
        lambda: team_answer_document(objs, e, q, t),
        size,
        sum(len(h.busy) for h in objs),
    )


# ---------------------------------------------------------------------------------------------
# The workloads of issue 6

NINE_TO_FIVE: Document = {
    "timezone": "America/New_York",
    "weekly": {d: [["09:00", "17:00"]] for d in WEEKDAYS},
}
W1_EVENT: Document = {"duration": 30, "step": 15, "buffer_before": 10, "buffer_after": 10}


def w1(busy: int = 1000, days: int = 90) -> Workload:
    """W1: one host, Mon–Fri 09:00–17:00 New York, 30-minute events every 15 minutes,
    buffers 10/10, ``busy`` blocking entries spread over ``days`` days (default 1,000 over 90)."""
    entries = busy_entries(_rng("w1", busy, days), busy, FIRST_DAY, days)
    return single(
        "W1",
        f"1 host, {days} days, Mon-Fri 9-17 New York, 30 min every 15, buffers 10/10, "
        f"{busy:,} busy",
        NINE_TO_FIVE,
        W1_EVENT,
        days,
        entries,
    )


def w2() -> Workload:
    """W2: W1 with capacity 3 and 2,000 seat bookings (1 or 2 seats) besides the 1,000 blocks."""
    base = busy_entries(_rng("w1", 1000, 90), 1000, FIRST_DAY, 90)
    seats = busy_entries(_rng("w2"), 2000, FIRST_DAY, 90, seats=(1, 1, 2), id_prefix="b")
    return single(
        "W2",
        "W1 with capacity 3 and 2,000 seat bookings",
        NINE_TO_FIVE,
        {**W1_EVENT, "capacity": 3},
        90,
        sorted(base + seats, key=lambda e: str(e["start"])),
    )


TEAM_EVENT: Document = {"duration": 30, "step": 15}


def team_hosts(count: int, days: int, busy_each: int) -> list[Document]:
    """Return ``count`` host documents: Mon–Fri 08:00–18:00 in :data:`TEAM_ZONES` (cycling),
    each with ``busy_each`` blocking entries spread over ``days`` days (seeded per host)."""
    out: list[Document] = []
    for i in range(count):
        zone = TEAM_ZONES[i % len(TEAM_ZONES)]
        out.append(
            {
                "id": f"host{i}",
                "schedule": {
                    "timezone": zone,
                    "weekly": {d: [["08:00", "18:00"]] for d in WEEKDAYS},
                },
                "busy": busy_entries(_rng("team", i, days, busy_each), busy_each, FIRST_DAY, days),
            }
        )
    return out


def w3(mode: str, hosts: int = 10) -> Workload:
    """W3: ``hosts`` hosts in 4 zones, Mon–Fri 08:00–18:00 local, 30 days, 300 busy each."""
    return team(
        "W3",
        f"{hosts} host{'s' if hosts != 1 else ''} in {min(hosts, 4)} zone"
        f"{'s' if hosts > 1 else ''}, team {mode!r}, 30 days, 300 busy each",
        team_hosts(hosts, 30, 300),
        mode,
        TEAM_EVENT,
        30,
        size=hosts,
    )


W4_SCHEDULE: Document = {
    "timezone": "Europe/Berlin",
    "weekly": {
        **{d: [["07:30", "12:00"], ["13:00", "17:30"], ["19:00", "21:00"]] for d in WEEKDAYS},
        "sat": [["09:00", "13:00"]],
    },
    "overrides": [
        {"date": "2027-04-02", "until": "2027-04-05", "intervals": []},
        {"date": "2027-05-01", "intervals": []},
        {"date": "2027-07-19", "until": "2027-08-06", "intervals": [["09:00", "12:00"]]},
        {"date": "2027-12-24", "until": "2027-12-31", "intervals": []},
    ],
}
W4_EVENT: Document = {"duration": 45, "step": 15, "buffer_after": 15}


def w4(busy: int = 10_000) -> Workload:
    """W4: 366 days, three intervals a weekday plus Saturday mornings and holidays (overrides),
    45-minute events every 15 minutes, ``busy`` blocking entries (default 10,000)."""
    entries = busy_entries(_rng("w4", busy), busy, FIRST_DAY, 366)
    return single(
        "W4",
        f"1 host, 366 days, 3 intervals a weekday + Sat, overrides, {busy:,} busy",
        W4_SCHEDULE,
        W4_EVENT,
        366,
        entries,
    )


# ---------------------------------------------------------------------------------------------
# Sweeps: one quantity grows, the rest stays as in W1 / W3


def sweep_busy(sizes: Sequence[int] = (10, 100, 1000, 10_000)) -> list[Workload]:
    """W1 (90 days) with ``sizes`` blocking busy entries."""
    return [_sized(w1(busy=n), n) for n in sizes]


def sweep_days(sizes: Sequence[int] = (7, 30, 90, 366)) -> list[Workload]:
    """W1 over ``sizes`` days, busy time at W1's density (1,000 per 90 days)."""
    return [_sized(w1(busy=round(1000 * n / 90), days=n), n) for n in sizes]


def sweep_hosts(sizes: Sequence[int] = (1, 5, 10, 50)) -> list[Workload]:
    """W3 (``any``, 30 days, 300 busy each) with ``sizes`` hosts."""
    return [w3("any", n) for n in sizes]


def _sized(w: Workload, n: int) -> Workload:
    return replace(w, size=n)


def typed_inputs(request: Document) -> tuple[Schedule, EventPolicy, Query, list[Busy]]:
    """Return a one-host request's schedule, event, query and busy time as value objects."""
    return (
        _schedule_object(request["schedule"]),
        _event_object(request["event"]),
        _query_object(request["query"]),
        _busy_objects(request.get("busy", [])),
    )
