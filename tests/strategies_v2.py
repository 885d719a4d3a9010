"""Hypothesis strategies for valid SPEC version 2 request documents (JSON, as loaded).

Every document is drawn around a DST (or other offset) change of one of the hard zones, so
nights whose clocks change, overnight hours, and wall times that fall in gaps and folds are
common. ``requests(v2=True)`` uses every field of version 2 (busy entries' own buffers,
booking and duration limits, ``week_start``, the business-day and bookable-day horizons,
``bookable_from``/``bookable_until``, ``repeat``, travel ``zones``, requirement trees and both
team grids, ``output: "periods"``); ``requests(v2=False)`` only the fields of version 1 (and,
for teams of two or more, only ``align: "clock"``, the one alignment whose team grid version 2
did not change), so its answers must agree with an engine of version 1.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

ZONES: tuple[str, ...] = (
    "America/New_York", "Europe/London", "Australia/Lord_Howe", "Pacific/Apia",
    "Pacific/Chatham", "America/Santiago", "Asia/Kolkata", "Africa/Casablanca", "UTC",
)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
IDS = ("ana", "bo", "chen", "dev")


@cache
def change_dates(zone: str, year: int) -> tuple[date, ...]:
    """Return the local dates of ``year`` on which ``zone``'s UTC offset changes."""
    z = ZoneInfo(zone)
    out = []
    d = date(year, 1, 1)
    prev = datetime(d.year, d.month, d.day, tzinfo=z).utcoffset()
    while d.year == year:
        nxt = d + timedelta(days=1)
        cur = datetime(nxt.year, nxt.month, nxt.day, tzinfo=z).utcoffset()
        if cur != prev:
            out.append(d)
        prev = cur
        d = nxt
    return tuple(out)


@st.composite
def anchors(draw: st.DrawFn) -> tuple[str, date]:
    """A zone and a date within a few days of one of its offset changes (any date without)."""
    zone = draw(st.sampled_from(ZONES))
    if zone == "Pacific/Apia" and draw(st.booleans()):
        return zone, date(2011, 12, 29) + timedelta(days=draw(st.integers(-2, 2)))
    changes = change_dates(zone, 2026)
    if changes:
        base = draw(st.sampled_from(changes))
    else:
        base = date(2026, 1, 1) + timedelta(days=draw(st.integers(0, 364)))
    return zone, base + timedelta(days=draw(st.integers(-3, 2)))


def wall(minutes: int) -> str:
    h, m = divmod(minutes, 60)
    return f"{h:02d}:{m:02d}"


@st.composite
def wall_intervals(draw: st.DrawFn, max_size: int = 2) -> list[list[str]]:
    """Wall intervals: whole minutes, often on quarter hours, around the small hours too."""
    if draw(st.integers(0, 3)) == 0:
        return draw(st.sampled_from(([["09:00", "17:00"]], [["09:00", "12:00"], ["13:00", "17:30"]],
                                     [["00:00", "03:00"]], [["22:00", "24:00"]],
                                     [["01:00", "04:00"]], [["00:00", "24:00"]])))
    out = []
    for _ in range(draw(st.integers(0 if max_size == 0 else 1, max_size))):
        grain = draw(st.sampled_from((60, 30, 15, 5, 1)))
        start = draw(st.one_of(st.integers(0, 6 * 60 // grain), st.integers(0, 1439 // grain)))
        start *= grain
        length = draw(st.integers(1, 10 * 60 // grain)) * grain
        end = min(1440, start + length)
        if end <= start:
            continue
        out.append([wall(start), wall(end)])
    return out


@st.composite
def schedules(draw: st.DrawFn, zone: str, anchor: date, v2: bool) -> dict[str, Any]:
    weekly = {}
    for day in WEEKDAYS:
        if draw(st.integers(0, 4)) > 0:
            weekly[day] = draw(wall_intervals())
    # never open around the clock every day (the 24/7 grid is a documented special case)
    if all(weekly.get(d) == [["00:00", "24:00"]] for d in WEEKDAYS):
        weekly["sun"] = []
    doc: dict[str, Any] = {"timezone": zone, "weekly": weekly}
    overrides = []
    cursor = anchor - timedelta(days=draw(st.integers(0, 3)))
    for _ in range(draw(st.integers(0, 2))):
        cursor += timedelta(days=draw(st.integers(0, 3)))
        o: dict[str, Any] = {"date": cursor.isoformat(),
                             "intervals": draw(st.one_of(st.just([]), wall_intervals()))}
        if draw(st.booleans()):
            cursor += timedelta(days=draw(st.integers(0, 2)))
            o["until"] = cursor.isoformat()
        overrides.append(o)
        cursor += timedelta(days=1)
    if overrides:
        doc["overrides"] = overrides
    if v2 and draw(st.integers(0, 3)) == 0:
        start = anchor + timedelta(days=draw(st.integers(-3, 3)))
        z: dict[str, Any] = {"from": start.isoformat(), "timezone": draw(st.sampled_from(ZONES))}
        if draw(st.booleans()):
            z["until"] = (start + timedelta(days=draw(st.integers(0, 3)))).isoformat()
        doc["zones"] = [z]
    return doc


def instant(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + (
        "Z" if moment.utcoffset() == timedelta(0) else moment.strftime("%z")[:3] + ":"
        + moment.strftime("%z")[3:5])


@st.composite
def busy_lists(draw: st.DrawFn, zone: str, anchor: date, v2: bool, capacity: int,
               ids: list[str]) -> list[dict[str, Any]]:
    z = ZoneInfo(zone)
    base = datetime(anchor.year, anchor.month, anchor.day, tzinfo=z).astimezone(UTC)
    out = []
    for _ in range(draw(st.integers(0, 4))):
        grain = draw(st.sampled_from((60, 30, 15, 5)))
        if draw(st.booleans()):  # in working hours of a date near the anchor
            day = anchor + timedelta(days=draw(st.integers(-1, 4)))
            minute = grain * draw(st.integers(8 * 60 // grain, 17 * 60 // grain))
            start = datetime(day.year, day.month, day.day, minute // 60, minute % 60,
                             tzinfo=z).astimezone(UTC)
        else:
            start = base + timedelta(minutes=grain * draw(st.integers(-24 * 60 // grain,
                                                                      5 * 24 * 60 // grain)))
        length = timedelta(minutes=grain * draw(st.integers(1, 240 // grain)))
        b: dict[str, Any] = {"start": instant(start.astimezone(ZoneInfo("UTC"))),
                             "end": instant((start + length).astimezone(ZoneInfo("UTC")))}
        if draw(st.integers(0, 2)) == 0:
            b["seats"] = draw(st.integers(1, capacity))
        if draw(st.integers(0, 4)) == 0:
            ident = f"b{len(ids)}"
            ids.append(ident)
            b["id"] = ident
        if v2:
            for key in ("buffer_before", "buffer_after"):
                if draw(st.integers(0, 3)) == 0:
                    b[key] = draw(st.sampled_from((0, 5, 10, 15, 30)))
        out.append(b)
    return out


@st.composite
def events(draw: st.DrawFn, anchor: date, v2: bool, team: bool) -> dict[str, Any]:
    duration = draw(st.sampled_from((15, 30, 45, 60, 90)))
    ev: dict[str, Any] = {"duration": duration}
    if draw(st.booleans()):
        ev["step"] = draw(st.sampled_from((5, 10, 15, 20, 30, 60)))
    ev["align"] = draw(st.sampled_from(("window", "clock", "free")))
    for key in ("buffer_before", "buffer_after"):
        if draw(st.integers(0, 2)) == 0:
            ev[key] = draw(st.sampled_from((5, 10, 15, 30)))
    if draw(st.integers(0, 3)) == 0:
        ev["min_notice"] = draw(st.sampled_from((30, 60, 240, 1440)))
    if draw(st.integers(0, 3)) == 0:
        ev["horizon_days"] = draw(st.integers(1, 12))
    if draw(st.integers(0, 2)) == 0:
        ev["capacity"] = draw(st.integers(1, 3))
    day_limit = draw(st.integers(0, 4)) == 0
    if day_limit:
        ev["max_per_day"] = draw(st.integers(1, 3))
    if not v2:
        return ev
    if draw(st.integers(0, 3)) == 0:
        limits = {}
        for kind in ("day", "week", "month", "year"):
            if kind == "day" and day_limit:
                continue
            if draw(st.integers(0, 2)) == 0:
                limits[kind] = draw(st.integers(1, 4))
        if limits:
            ev["booking_limits"] = limits
    if draw(st.integers(0, 3)) == 0:
        limits = {}
        for kind in ("day", "week", "month", "year"):
            if draw(st.integers(0, 2)) == 0:
                limits[kind] = draw(st.sampled_from((30, 60, 90, 120, 240)))
        if limits:
            ev["duration_limits"] = limits
    if draw(st.integers(0, 2)) == 0:
        ev["week_start"] = draw(st.sampled_from(WEEKDAYS))
    if draw(st.integers(0, 4)) == 0:
        ev["horizon_business_days"] = draw(st.integers(1, 8))
        if draw(st.booleans()):
            ev["business_days"] = draw(st.lists(st.sampled_from(WEEKDAYS), min_size=1,
                                                max_size=7, unique=True))
    if draw(st.integers(0, 4)) == 0:
        ev["horizon_bookable_days"] = draw(st.integers(1, 4))
    if draw(st.integers(0, 4)) == 0:
        first = anchor + timedelta(days=draw(st.integers(-3, 2)))
        if draw(st.booleans()):
            ev["bookable_from"] = first.isoformat()
        if draw(st.booleans()):
            ev["bookable_until"] = (first + timedelta(days=draw(st.integers(0, 3)))).isoformat()
    if draw(st.integers(0, 3)) == 0:
        ev["repeat"] = {"interval_days": draw(st.sampled_from((1, 2, 7))),
                        "count": draw(st.integers(2, 4))}
    return ev


@st.composite
def trees(draw: st.DrawFn, ids: list[str]) -> Any:
    """A requirement tree over ``ids`` (each exactly once), nested now and then."""
    if len(ids) == 1 and draw(st.booleans()):
        return ids[0]
    items: list[Any] = list(ids)
    if len(items) >= 3 and draw(st.booleans()):
        cut = draw(st.integers(2, len(items) - 1))
        inner = items[cut - 2:]
        items = items[:cut - 2]
        items.append(draw(trees(inner)))
    order = draw(st.permutations(items))
    if draw(st.booleans()):
        return {"all": list(order)}
    node: dict[str, Any] = {"any": list(order)}
    if draw(st.booleans()):
        node["min"] = draw(st.integers(1, len(order)))
    return node


@st.composite
def queries(draw: st.DrawFn, zone: str, anchor: date, v2: bool,
            ids: list[str]) -> dict[str, Any]:
    q: dict[str, Any] = {}
    qzone = zone
    if draw(st.integers(0, 2)) == 0:
        qzone = draw(st.sampled_from(ZONES))
        q["timezone"] = qzone
    first = anchor - timedelta(days=draw(st.integers(0, 2)))
    if draw(st.integers(0, 3)) == 0:
        z = ZoneInfo(qzone)
        a = datetime(first.year, first.month, first.day, tzinfo=z).astimezone(UTC) + timedelta(
            minutes=15 * draw(st.integers(0, 95)))
        b = a + timedelta(minutes=15 * draw(st.integers(1, 4 * 24 * 3)))
        q["start"] = instant(a.astimezone(ZoneInfo("UTC")))
        q["end"] = instant(b.astimezone(ZoneInfo("UTC")))
    else:
        q["start"] = first.isoformat()
        q["end"] = (first + timedelta(days=draw(st.integers(0, 4)))).isoformat()
    midnight = datetime(first.year, first.month, first.day, tzinfo=ZoneInfo(zone))
    late = draw(st.integers(0, 4)) == 0
    now = midnight.astimezone(UTC) + timedelta(
        minutes=30 * draw(st.integers(-48, 48 * 2) if late else st.integers(-48 * 8, 0)))
    q["now"] = instant(now.astimezone(ZoneInfo("UTC")))
    if ids and draw(st.booleans()):
        q["exclude"] = draw(st.lists(st.sampled_from(ids), max_size=2, unique=True))
    if draw(st.integers(0, 4)) == 0:
        q["limit"] = draw(st.integers(1, 5))
    if v2 and draw(st.integers(0, 2)) == 0:
        q["output"] = "periods"
    return q


@st.composite
def requests(draw: st.DrawFn, v2: bool = True, team: bool | None = None) -> dict[str, Any]:
    """A valid request document (version 2 fields with ``v2``; a team with ``team``, a single
    schedule without, either with None)."""
    zone, anchor = draw(anchors())
    if team is None:
        team = draw(st.integers(0, 2)) == 0
    ev = draw(events(anchor, v2, team))
    capacity = ev.get("capacity", 1)
    busy_ids: list[str] = []
    doc: dict[str, Any] = {"event": ev}
    if not team:
        doc["schedule"] = draw(schedules(zone, anchor, v2))
        busy = draw(busy_lists(zone, anchor, v2, capacity, busy_ids))
        if busy:
            doc["busy"] = busy
    else:
        n = draw(st.integers(1, 4 if v2 else 3))
        ids = list(draw(st.permutations(IDS)))[:n]
        hosts = []
        for i, ident in enumerate(ids):
            hzone = zone if i == 0 or draw(st.booleans()) else draw(st.sampled_from(ZONES))
            host: dict[str, Any] = {"id": ident, "schedule": draw(schedules(hzone, anchor, v2))}
            busy = draw(busy_lists(hzone, anchor, v2, capacity, busy_ids))
            if busy:
                host["busy"] = busy
            hosts.append(host)
        doc["hosts"] = hosts
        if not v2 and n >= 2:
            ev["align"] = "clock"  # version 1's team grid is the hosts' own: only clock agrees
        t: dict[str, Any] = {}
        shape = draw(st.integers(0, 3 if v2 else 2))
        if shape == 1:
            t["mode"] = "all"
        elif shape == 2:
            t["mode"] = "any"
            if draw(st.booleans()):
                t["min"] = draw(st.integers(1, n))
        elif shape == 3:
            t["require"] = draw(trees(ids))
        if v2 and draw(st.integers(0, 2)) == 0:
            t["grid"] = draw(st.sampled_from(("team", "host")))
        if t or draw(st.booleans()):
            doc["team"] = t
    doc["query"] = draw(queries(zone, anchor, v2, busy_ids))
    return doc


def range_bounds(doc: dict[str, Any]) -> tuple[datetime, datetime]:
    """Return the query's range as two aware datetimes (dates: midnights of the query zone)."""
    q = doc["query"]
    zone = ZoneInfo(q.get("timezone") or (doc["hosts"][0]["schedule"]["timezone"]
                                          if "hosts" in doc else doc["schedule"]["timezone"]))
    if len(q["start"]) == 10:
        a = date.fromisoformat(q["start"])
        b = date.fromisoformat(q["end"]) + timedelta(days=1)
        return (datetime(a.year, a.month, a.day, tzinfo=zone),
                datetime(b.year, b.month, b.day, tzinfo=zone))
    return (datetime.fromisoformat(q["start"].replace("Z", "+00:00")),
            datetime.fromisoformat(q["end"].replace("Z", "+00:00")))


@st.composite
def check_starts(draw: st.DrawFn, doc: dict[str, Any], answer: dict[str, Any]) -> str:
    """A start worth checking: a slot of the reference's answer (on the grid), one nudged off
    it, a busy entry's start or end, or any whole minute near the range."""
    slots = [s["start"] for d in answer.get("days", []) for s in d["slots"]]
    slots += [p[k] for p in answer.get("periods", []) for k in ("start", "end")]
    busy = [b[k] for b in doc.get("busy", []) for k in ("start", "end")]
    busy += [b[k] for h in doc.get("hosts", []) for b in h.get("busy", []) for k in ("start",
                                                                                    "end")]
    lo, hi = range_bounds(doc)
    choice = draw(st.integers(0, 4))
    if choice <= 1 and slots:
        base = datetime.fromisoformat(draw(st.sampled_from(slots)))
    elif choice == 2 and busy:
        base = datetime.fromisoformat(draw(st.sampled_from(busy)).replace("Z", "+00:00"))
    else:
        span = max(1, int((hi - lo).total_seconds() // 60))
        base = lo + timedelta(minutes=draw(st.integers(-600, span)))
    nudge = draw(st.sampled_from((0,) * 6 + (1, -1, 5, -15, 30)))
    moment = (base + timedelta(minutes=nudge)).astimezone(ZoneInfo("UTC"))
    return instant(moment)
