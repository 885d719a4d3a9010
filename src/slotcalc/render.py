"""Answers for people: the command line's ``table`` and ``grid`` formats.

:func:`slots_table` lists slots grouped by local date; :func:`slots_grid` draws a week view —
rows are times of day, columns are dates, and each cell says whether a slot starts there, the
time is busy, open without a slot, or closed. :func:`check_table` and :func:`busy_table` are
the one-screen forms of the other commands. Output is plain ASCII apart from names the request
gives (zones, host ids); ANSI colour only when asked for (the CLI asks when stdout is a tty).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

from ._engine.sets import Interval, holds, merge
from ._tz import DAY, wall_to_epoch
from .jsonapi import Request
from .model import Busy, BusyTable, Schedule

__all__ = ["busy_table", "check_table", "slots_grid", "slots_table"]

Document = dict[str, Any]

#: Weeks drawn by :func:`slots_grid` at most (the table lists every day).
MAX_WEEKS = 4
#: Closed rows drawn one by one at most; a longer closed stretch is one line.
MAX_BLANK_ROWS = 4

REASONS = {
    "too_soon": "it starts before now plus the minimum notice",
    "too_far": "it starts past the booking horizon",
    "outside_hours": "it is not inside the working hours",
    "off_grid": "it is not on the grid of slot starts (step and align)",
    "busy": "busy time overlaps it (buffers included)",
    "full": "every seat is taken",
    "day_full": "that day already has its max_per_day bookings",
}

_GREEN, _RED, _DIM, _BOLD, _RESET = "\x1b[32m", "\x1b[31m", "\x1b[2m", "\x1b[1m", "\x1b[0m"


def _paint(text: str, code: str, color: bool) -> str:
    return f"{code}{text}{_RESET}" if color else text


def _day_label(d: date) -> str:
    return f"{d.strftime('%a')} {d.isoformat()}"


def _clock(dt: datetime) -> str:
    return f"{dt.hour:02d}:{dt.minute:02d}" + (f":{dt.second:02d}" if dt.second else "")


def _in_zone(text: str, zone: ZoneInfo) -> datetime:
    """Return an answer's instant text as an aware datetime in ``zone`` (for its zone name)."""
    return datetime.fromisoformat(text).astimezone(zone)


def _warnings(doc: Document) -> list[str]:
    return [f"warning: {w['code']}" + (f" at {w['path']}" if w["path"] else "")
            + f": {w['message']}" for w in doc.get("warnings", [])]


def _minutes(delta: timedelta) -> str:
    m = int(delta.total_seconds() // 60)
    return f"{m // 60} h {m % 60:02d} min" if m >= 120 and m % 60 else (
        f"{m // 60} h" if m >= 60 and m % 60 == 0 else f"{m} min")


# ---------------------------------------------------------------------------------------------
# table


def periods_table(doc: Document) -> str:
    """Return a SPEC §4 periods answer as text: one free period a line (with hosts for a team)."""
    zone = ZoneInfo(doc["timezone"])
    periods = doc["periods"]
    lines = [f"{len(periods)} free period{'s' * (len(periods) != 1)}, times in {doc['timezone']}"
             if periods else f"No free periods in the range (times in {doc['timezone']})."]
    for p in periods:
        a, b = _in_zone(p["start"], zone), _in_zone(p["end"], zone)
        end = _clock(b) if b.date() == a.date() else f"{b.date().isoformat()} {_clock(b)}"
        who = f"  {', '.join(p['hosts'])}" if "hosts" in p else ""
        lines.append(f"  {a.date().isoformat()} {_clock(a)} - {end}{who}")
    if doc.get("next_available"):
        lines.append(f"Next free start: {doc['next_available']}")
    return "\n".join(lines)


def slots_table(doc: Document, *, color: bool = False) -> str:
    """Return a SPEC §4 answer as text: one block per local date, slot starts in columns.

    Single schedules show start times side by side (with seats left when more than one);
    teams show one slot a line with the free hosts. On a date whose slots have more than one
    UTC offset (the clocks change) each time carries its zone abbreviation.
    """
    if "periods" in doc:
        return periods_table(doc)
    zone = ZoneInfo(doc["timezone"])
    days = doc["days"]
    lines: list[str] = []
    count = sum(len(d["slots"]) for d in days)
    if days:
        first = days[0]["slots"][0]
        length = datetime.fromisoformat(first["end"]) - datetime.fromisoformat(first["start"])
        lines.append(f"{count} slot{'s' * (count != 1)} of {_minutes(length)} on {len(days)} "
                     f"day{'s' * (len(days) != 1)}, times in {doc['timezone']}")
    else:
        lines.append(f"No slots in the range (times in {doc['timezone']}).")
    team = any("hosts" in s for d in days for s in d["slots"])
    top = max((s["remaining"] for d in days for s in d["slots"]), default=1)
    if top > 1 and not team:
        lines.append(f"{top} seats free at each start unless marked (n left)")
    for d in days:
        lines.append("")
        lines.append(_paint(_day_label(date.fromisoformat(d["date"])), _BOLD, color))
        starts = [_in_zone(s["start"], zone) for s in d["slots"]]
        ends = [_in_zone(s["end"], zone) for s in d["slots"]]
        several = len({s.utcoffset() for s in starts}) > 1
        cells = []
        for s, e, slot in zip(starts, ends, d["slots"], strict=True):
            text = _clock(s) + (f" {s.tzname()}" if several else "")
            if team:
                end = _clock(e) + (f" {e.tzname()}" if several else "")
                if e.date() != s.date():
                    end += " (+1 day)"
                left = f"  {slot['remaining']} left" if top > 1 else ""
                cells.append(f"{text} - {end}{left}  {', '.join(slot['hosts'])}")
            else:
                cells.append(text + (f" ({slot['remaining']} left)" if slot["remaining"] < top
                                     else ""))
        if team:
            lines.extend("  " + c for c in cells)
            continue
        width = max(len(c) for c in cells)
        per_line = max(1, 72 // (width + 2))
        for i in range(0, len(cells), per_line):
            row = cells[i:i + per_line]
            lines.append("  " + "  ".join(_paint(c.ljust(width), _GREEN, color) for c in row)
                         .rstrip())
    if doc.get("next_available"):
        nxt = _in_zone(doc["next_available"], zone)
        lines.append(f"Next available: {_day_label(nxt.date())} {_clock(nxt)} {nxt.tzname()}")
    elif not days:
        lines.append("Nothing free within 366 days after the range (or before the horizon).")
    lines.extend(_warnings(doc))
    return "\n".join(lines) + "\n"


def check_table(doc: Document, start: datetime, zone: ZoneInfo) -> str:
    """Return a SPEC §4 check document as text: the asked start, the verdict, the next start."""
    asked = start.astimezone(zone)
    when = f"{_day_label(asked.date())} {_clock(asked)} {asked.tzname()} ({zone.key})"
    if doc["bookable"]:
        left = doc["remaining"]
        verdict = f"bookable, {left} seat{'s' * (left != 1)} left"
    else:
        verdict = f"not bookable ({doc['reason']}: {REASONS.get(doc['reason'], '')})"
    lines = [f"{when}: {verdict}"]
    if doc.get("hosts") is not None:
        lines.append(f"Free hosts: {', '.join(doc['hosts']) or 'none'}")
    if doc["next_available"]:
        nxt = _in_zone(doc["next_available"], zone)
        lines.append(f"Next available after it: {_day_label(nxt.date())} {_clock(nxt)} "
                     f"{nxt.tzname()}")
    else:
        lines.append("No slot starts within 366 days after it.")
    lines.extend(_warnings(doc))
    return "\n".join(lines) + "\n"


def busy_table(doc: Document, zone: ZoneInfo) -> str:
    """Return a ``slotcalc busy`` document as text: one busy interval a line, in ``zone``."""
    lines = [f"{len(doc['busy'])} busy interval{'s' * (len(doc['busy']) != 1)}, "
             f"times in {zone.key}"]
    for b in doc["busy"]:
        s, e = _in_zone(b["start"], zone), _in_zone(b["end"], zone)
        end = _clock(e) if e.date() == s.date() else f"{e.date().isoformat()} {_clock(e)}"
        lines.append(f"  {_day_label(s.date())}  {_clock(s)} - {end}")
    lines.extend(_warnings(doc))
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------
# grid


def _open_hours(schedule: Schedule, lo: int, hi: int) -> list[Interval]:
    """Return the schedule's working hours that meet ``[lo, hi)``, merged, as epoch seconds."""
    zone = schedule.zone
    first = datetime.fromtimestamp(lo, zone).date() - timedelta(days=1)
    last = datetime.fromtimestamp(hi, zone).date() + timedelta(days=1)
    out: list[Interval] = []
    d = first
    while d <= last:
        for a, b in schedule.intervals_on(d):
            out.append((wall_to_epoch(zone, d, a), wall_to_epoch(zone, d, b)))
        d += timedelta(days=1)
    return merge(out)


def _busy_time(busy: Iterable[Busy], exclude: frozenset[str], capacity: int) -> list[Interval]:
    """Return the time that blocks bookings: blocking entries, and seats used up to capacity."""
    blocking: list[Interval] = []
    change: dict[int, int] = {}
    for b in busy:
        if b.id is not None and b.id in exclude:
            continue
        if b.seats is None:
            blocking.append((b.start_s, b.end_s))
        else:
            change[b.start_s] = change.get(b.start_s, 0) + b.seats
            change[b.end_s] = change.get(b.end_s, 0) - b.seats
    level = 0
    times = sorted(change)
    for t, nxt in pairwise(times):
        level += change[t]
        if level >= capacity:
            blocking.append((t, nxt))
    return merge(blocking)


def _meets(intervals: list[Interval], starts: list[int], a: int, b: int) -> bool:
    """Return whether merged ``intervals`` meet ``[a, b)``. Cost: O(log n)."""
    i = bisect_right(starts, a) - 1
    if i >= 0 and intervals[i][1] > a:
        return True
    return i + 1 < len(intervals) and intervals[i + 1][0] < b


def _label(second_of_day: int) -> str:
    return f"{second_of_day // 3600:02d}:{second_of_day % 3600 // 60:02d}"


def _row_minutes(step: int) -> int:
    """Return the grid's row height in minutes for a slot step of ``step`` minutes."""
    fits = [c for c in (60, 30, 20, 15) if step % c == 0]
    return fits[0] if fits else 15


def _dates(request: Request, zone: ZoneInfo) -> list[date]:
    q = request.query
    if isinstance(q.start, datetime) and isinstance(q.end, datetime):
        first = q.start.astimezone(zone).date()
        last = (q.end - timedelta(microseconds=1)).astimezone(zone).date()
    else:
        assert isinstance(q.start, date) and isinstance(q.end, date)
        first, last = q.start, q.end
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def slots_grid(request: Request, doc: Document, busy: Sequence[Iterable[Busy]], *,
               color: bool = False) -> str:
    """Return a week view of an answer: rows are times of day, columns are the range's dates.

    Each cell (row height from the event's step: 60, 30, 20 or 15 minutes) shows the first
    slot start in it (``+`` when more start there), else ``#####`` when busy time blocks it,
    ``.`` when it is inside working hours without a slot (notice, buffers, too short, full),
    and nothing when closed (more than :data:`MAX_BLANK_ROWS` closed rows in a row become one
    line). For a team, hours are those of every host (``all``) or of any
    host (``any``), and busy time is where the hosts that have hours are busy (some of them
    for ``all``, all of them for ``any``). ``busy`` is each host's busy time, calendar entries
    included. At most :data:`MAX_WEEKS` weeks are drawn, Monday first.
    """
    zone = ZoneInfo(doc["timezone"])
    dates = _dates(request, zone)
    res = _row_minutes(request.event.step) * 60
    team_all = request.team is None or request.team.mode == "all"
    lo = wall_to_epoch(zone, dates[0], 0) - DAY
    hi = wall_to_epoch(zone, dates[-1], DAY) + DAY
    hours = [_open_hours(h.schedule, lo, hi) for h in request.hosts]
    blocked = [_busy_time(b, request.query.exclude, request.event.capacity) for b in busy]
    hour_starts = [[a for a, _ in x] for x in hours]
    block_starts = [[a for a, _ in x] for x in blocked]
    # the hosts' date rules: a day a limit closes, dates before bookable_from or past a horizon
    plans = request.typed(tuple(b if isinstance(b, BusyTable) else BusyTable.from_busy(b)
                                for b in busy)).plan().engine.hosts

    def dated(k: int, a: int) -> str | None:
        h = plans[k]
        if holds(h.closed_starts, 2 * a):
            return "limit"
        if (h.horizon is not None and a >= h.horizon) or h.notice <= a < h.earliest:
            return "horizon"
        return None

    starts: dict[tuple[date, int], list[str]] = {}
    for d in doc["days"]:
        for s in d["slots"]:
            t = datetime.fromisoformat(s["start"])
            key = (t.date(), (t.hour * 3600 + t.minute * 60 + t.second) // res)
            starts.setdefault(key, []).append(_clock(t))

    def cell(day: date, row: int) -> tuple[str, str]:
        got = starts.get((day, row))
        if got:
            return got[0] + ("+" if len(got) > 1 else ""), "slot"
        a = wall_to_epoch(zone, day, row * res)
        b = wall_to_epoch(zone, day, (row + 1) * res)
        back = datetime.fromtimestamp(a, zone)
        if b <= a or back.date() != day or back.hour * 3600 + back.minute * 60 != row * res:
            return "", "closed"  # wall times the clocks skip
        opened = [_meets(hours[k], hour_starts[k], a, b) for k in range(len(hours))]
        if not (all(opened) if team_all else any(opened)):
            return "", "closed"
        busy_now = [_meets(blocked[k], block_starts[k], a, b)
                    for k in range(len(hours)) if opened[k]]
        if (any(busy_now) if team_all else all(busy_now)):
            return "#####", "busy"
        rules = [dated(k, a) for k in range(len(hours)) if opened[k]]
        if rules and (any(rules) if team_all else all(rules)):
            why = next(r for r in rules if r)
            return ("xxxxx", "limit") if why == "limit" else ("-----", "horizon")
        return ".", "open"

    paint = {"slot": _GREEN, "busy": _RED, "open": _DIM, "limit": _RED, "horizon": _DIM}
    weeks: list[list[date]] = []
    for d in dates:
        if not weeks or d.weekday() == 0:
            weeks.append([])
        weeks[-1].append(d)
    homes = sorted({h.schedule.timezone for h in request.hosts} - {zone.key})
    lines = [f"Week view, times in {zone.key}"
             + (f" (hours set in {', '.join(homes)})" if homes else "")]
    legend = (f"Legend: {_paint('09:00', _GREEN, color)} a slot starts (+ more in the row)   "
              f"{_paint('#####', _RED, color)} busy   {_paint('xxxxx', _RED, color)} day "
              f"closed by a limit   {_paint('-----', _DIM, color)} before bookable_from or past "
              f"a horizon   {_paint('.', _DIM, color)} open, no slot   blank: closed")
    rows_per_day = DAY // res
    for week in weeks[:MAX_WEEKS]:
        grid = {(d, r): cell(d, r) for d in week for r in range(rows_per_day)}
        used = [r for r in range(rows_per_day) if any(grid[d, r][1] != "closed" for d in week)]
        lines.append("")
        lines.append("       " + " ".join(f"{d.strftime('%a')} {d.day:02d}".center(7)
                                            for d in week).rstrip())
        if not used:
            lines.append("       (closed all these days)")
            continue
        r = used[0]
        while r <= used[-1]:
            closed = r
            while closed <= used[-1] and all(grid[d, closed][1] == "closed" for d in week):
                closed += 1
            if closed - r > MAX_BLANK_ROWS:  # a long closed stretch: one line says so
                lines.append(f"{_label(r * res)}  {'~' * 7} closed until {_label(closed * res)}")
                r = closed
                continue
            cells = []
            for d in week:
                text, kind = grid[d, r]
                cells.append(_paint(text.center(7), paint[kind], color) if text else " " * 7)
            lines.append(f"{_label(r * res)}  {' '.join(cells)}".rstrip())
            r += 1
    if len(weeks) > MAX_WEEKS:
        lines.append("")
        lines.append(f"(the first {MAX_WEEKS} of {len(weeks)} weeks; --format table lists "
                     f"every day)")
    lines.append("")
    if doc.get("next_available"):
        nxt = _in_zone(doc["next_available"], zone)
        lines.append(f"No slots in the range. Next available: {_day_label(nxt.date())} "
                     f"{_clock(nxt)} {nxt.tzname()}")
    elif not doc["days"]:
        lines.append("No slots in the range, nor within 366 days after it.")
    lines.append(legend)
    lines.extend(_warnings(doc))
    return "\n".join(lines) + "\n"
