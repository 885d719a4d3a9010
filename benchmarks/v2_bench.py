"""Version-2 benchmarks: the team tree (W6), periods, booking rules. ``python -m benchmarks
--only W6,V2`` (or ``python -m benchmarks.v2_bench``).

Every figure is the median of the timed runs of the typed API (``Request``), after a warm-up;
each comparison is a ratio of two figures of the same run, on the same inputs:

* W6: 5 hosts in 3 zones with the tree ``all(a, b, any(r1, r2, r3))``, 30 days, 300 busy
  each — against the sum of its hosts' single-host times;
* periods of W1 against slots of W1;
* W4 with week, month and year limits and a duration limit (1,000 of its 10,000 busy entries
  are seat bookings, in both runs) against W4 without the limits;
* ``horizon_bookable_days: 30`` on a sparse schedule (Monday 09:00–10:00) against
  ``horizon_days`` reaching the same date;
* a weekly repeat of 12 occurrences on W1 against W1.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

from slotcalc import (
    All,
    AnyOf,
    EventPolicy,
    Host,
    Query,
    Request,
    Schedule,
    Team,
)

from .timing import measure
from .workloads import (
    FIRST_DAY,
    W1_EVENT,
    W4_EVENT,
    W4_SCHEDULE,
    _busy_objects,
    _event_object,
    _query,
    _query_object,
    _rng,
    _schedule_object,
    busy_entries,
    team_hosts,
    w1,
)

#: The zones of W6's hosts: a, b, then the three rooms.
W6_ZONES = ("Europe/Berlin", "Europe/London", "Europe/Helsinki", "Europe/Helsinki",
            "Europe/Helsinki")


def w6_request() -> tuple[Request, list[Request]]:
    """Return W6 and its hosts one by one (the same inputs)."""
    docs = team_hosts(5, 30, 300)
    hosts = []
    for name, zone, doc in zip(("a", "b", "r1", "r2", "r3"), W6_ZONES, docs, strict=True):
        schedule = Schedule(zone, {d: [("08:00", "18:00")] for d in ("mon", "tue", "wed", "thu",
                                                                     "fri")})
        hosts.append(Host(name, schedule, _busy_objects(doc["busy"])))
    event = EventPolicy(30, step=15)
    query = _query_object(_query(30, "UTC"))
    tree = Team(require=All(["a", "b", AnyOf(["r1", "r2", "r3"])]))
    return (Request(hosts, event, query, team=tree),
            [Request(h, event, query) for h in hosts])


def _w1_request(**event: Any) -> Request:
    wl = w1()
    doc = wl.request
    return Request(_schedule_object(doc["schedule"]), _event_object({**W1_EVENT, **event}),
                   _query_object(doc["query"]), busy=_busy_objects(doc["busy"]))


def _w4_request(limits: bool) -> Request:
    rng = _rng("v2-w4")
    entries = busy_entries(rng, 9000, FIRST_DAY, 366) + busy_entries(
        _rng("v2-w4-seats"), 1000, FIRST_DAY, 366, seats=(1,))
    event: dict[str, Any] = dict(W4_EVENT)
    if limits:
        event.update(booking_limits={"week": 6, "month": 20, "year": 150},
                     duration_limits={"day": 180})
    ev = _event_object(event)
    return Request(_schedule_object(W4_SCHEDULE), ev, _query_object(_query(366)),
                   busy=_busy_objects(entries))


def _sparse(horizon: dict[str, int]) -> Request:
    schedule = Schedule("America/New_York", {"mon": [("09:00", "10:00")]})
    event = EventPolicy(30, **horizon)
    now = f"{FIRST_DAY.isoformat()}T00:00:00Z"
    query = Query(FIRST_DAY, FIRST_DAY + timedelta(days=365), now=now)
    return Request(schedule, event, query)


def cases() -> list[tuple[str, str, Callable[[], object], Callable[[], object], float]]:
    """Return ``(name, what, measured, baseline, limit)``: limit is the ratio to hold."""
    w6, singles = w6_request()
    w1_slots = _w1_request()
    w1_periods = Request(w1_slots.hosts[0].schedule, w1_slots.event,
                         replace(w1_slots.query, output="periods"), busy=w1_slots.hosts[0].busy)
    bookable = _sparse({"horizon_bookable_days": 30})
    last = bookable.plan().engine.hosts[0].horizon
    assert last is not None
    days = -(-(last - bookable.plan().engine.hosts[0].today * 86400) // 86400)
    by_days = _sparse({"horizon_days": int(days)})
    w4_plain, w4_limits = _w4_request(False), _w4_request(True)
    repeat = _w1_request(repeat={"interval_days": 7, "count": 12})
    return [
        ("W6 tree, typed", "vs the sum of its 5 hosts alone", w6.slots,
         lambda: [r.slots() for r in singles], 3.0),
        ("W1 periods", "vs W1 slots", w1_periods.periods, w1_slots.slots, 1.0),
        ("W4 + limits", "vs W4 without limits", w4_limits.slots, w4_plain.slots, 1.3),
        ("bookable days 30", "vs horizon_days to the same date", bookable.slots,
         by_days.slots, 2.0),
        ("W1 weekly repeat x12", "vs W1", repeat.slots, w1_slots.slots, 3.0),
    ]


def run(repeats: int = 7, warmup: int = 1) -> list[dict[str, Any]]:
    """Time every case and its baseline, interleaved in one run; return the figures."""
    out = []
    for name, what, fn, base, limit in cases():
        a = measure(fn, repeats, warmup)
        b = measure(base, repeats, warmup)
        ratio = a.median / b.median
        out.append({"name": name, "what": what, "ms": round(a.median * 1000, 2),
                    "baseline_ms": round(b.median * 1000, 2), "ratio": round(ratio, 2),
                    "limit": limit, "holds": ratio <= limit})
    return out


def table(rows: list[dict[str, Any]]) -> str:
    """Return the figures as a text table."""
    lines = ["Version 2 (typed API, ms, medians; ratio of the same run)",
             f"{'case':22} {'ms':>9} {'baseline':>9} {'ratio':>6} {'limit':>6}  holds  baseline is",
             "-" * 90]
    for r in rows:
        lines.append(f"{r['name']:22} {r['ms']:9.2f} {r['baseline_ms']:9.2f} {r['ratio']:6.2f} "
                     f"{r['limit']:6.1f}  {'yes' if r['holds'] else 'NO':5}  {r['what']}")
    return "\n".join(lines)


if __name__ == "__main__":
    print(table(run(int(sys.argv[1]) if len(sys.argv) > 1 else 7)))
