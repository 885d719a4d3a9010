"""RRULE (RFC 5545 §3.3.10) parsing and expansion in local wall time, with python-dateutil.

Expansion happens on naive wall-clock datetimes (the caller resolves each occurrence to an
instant with the zone's RFC 5545 rule), so an event at 09:00 stays at 09:00 across a DST change.

Only what overlaps the window is expanded, and quickly:

* a rule without COUNT starts at the last whole period (year, month, week of WKST, day, hour,
  …, counted in steps of INTERVAL from DTSTART) before the window, with the BYxxx parts that
  dateutil would take from DTSTART written out, so a daily series from 2010 costs a few
  iterations, not thousands;
* a rule with COUNT is jumped the same way when every period holds exactly one occurrence
  (counting the skipped ones off COUNT); otherwise it is iterated from DTSTART;
* a rule whose day filters may never match (``BYMONTH=2;BYMONTHDAY=30``, a BYSETPOS beyond
  the set) is first checked day by day over the needed span, because dateutil would otherwise
  search up to the year 9999 for an occurrence that never comes;
* every occurrence dateutil yields counts against a budget (``max_instances``): a rule that
  would yield more raises :class:`TooManyInstances` instead of running on (an estimate refuses
  ``FREQ=SECONDLY`` over a year at once);
* the commonest rules skip dateutil (:data:`DIRECT`): a MONTHLY rule, or a YEARLY one with one
  BYMONTH, that picks one day a period (``BYDAY=2TU``, a BYMONTHDAY every month has) is
  stepped month by month in integers (:func:`_picked`), and a DAILY or WEEKLY rule filtered
  by weekday and time of day only repeats a tile that dateutil computes once; its
  occurrences come as integer wall seconds from C-level ranges (:func:`tiled_seconds`). Same
  occurrences and the same budget as the dateutil path (the tests compare the two).
"""

from __future__ import annotations

import math
from bisect import bisect_left
from calendar import monthrange
from collections.abc import Callable, Iterable, Iterator
from datetime import MAXYEAR, date, datetime, time, timedelta
from functools import lru_cache
from itertools import chain
from typing import Any, NamedTuple, cast

from dateutil.rrule import (
    DAILY,
    HOURLY,
    MINUTELY,
    MONTHLY,
    SECONDLY,
    WEEKLY,
    YEARLY,
    rrule,
    weekday,
)

from ._parse import parse_moment

__all__ = [
    "RuleError",
    "RuleSpec",
    "TooManyInstances",
    "build_rrule",
    "expand",
    "parse_rrule",
    "tiled_seconds",
]

_FREQS = {"YEARLY": YEARLY, "MONTHLY": MONTHLY, "WEEKLY": WEEKLY, "DAILY": DAILY,
          "HOURLY": HOURLY, "MINUTELY": MINUTELY, "SECONDLY": SECONDLY}
_DAYS = {"MO": 0, "TU": 1, "WE": 2, "TH": 3, "FR": 4, "SA": 5, "SU": 6}
# Seconds of one period of each FREQ (months and years: the shortest), for estimates.
_PERIOD = {YEARLY: 365 * 86400, MONTHLY: 28 * 86400, WEEKLY: 7 * 86400, DAILY: 86400,
           HOURLY: 3600, MINUTELY: 60, SECONDLY: 1}
# Days scanned at most when checking whether day filters can match (one Gregorian cycle).
_CYCLE_DAYS = 146_097


class RuleError(ValueError):
    """An RRULE that cannot be read."""


class TooManyInstances(Exception):
    """A rule yields more occurrences than allowed; ``count`` is how many it had reached."""

    def __init__(self, count: int) -> None:
        super().__init__(count)
        self.count = count


Ints = tuple[int, ...]


class RuleSpec(NamedTuple):
    """A parsed RRULE. ``until`` is ``(kind, naive datetime)`` as
    :func:`slotcalc.ical._parse.parse_moment` returns it; ``byday`` is ``((weekday, n), …)``
    with ``n`` 0 for "every"."""

    freq: int
    interval: int = 1
    total: int | None = None  # COUNT
    until: tuple[int, datetime] | None = None
    wkst: int = 0
    bysetpos: Ints | None = None
    bymonth: Ints | None = None
    bymonthday: Ints | None = None
    byyearday: Ints | None = None
    byweekno: Ints | None = None
    byday: tuple[tuple[int, int], ...] | None = None
    byhour: Ints | None = None
    byminute: Ints | None = None
    bysecond: Ints | None = None


def _ints(value: str, lo: int, hi: int, what: str, *, zero: bool = True) -> Ints:
    out: list[int] = []
    for item in value.split(","):
        item = item.strip()
        try:
            n = int(item)
        except ValueError:
            raise RuleError(f"{what}={value} is not a list of integers") from None
        if not (lo <= n <= hi) or (n == 0 and not zero):
            raise RuleError(f"{what}={value}: {n} is out of range")
        out.append(n)
    return tuple(out)


@lru_cache(maxsize=1024)
def parse_rrule(text: str) -> RuleSpec:
    """Return the :class:`RuleSpec` of an RRULE value (``FREQ=WEEKLY;BYDAY=MO,WE``).

    Raises :class:`RuleError` for a missing or unknown FREQ, an unknown or repeated part, or a
    value out of RFC 5545's ranges. ``BYSECOND=60`` (a leap second) is dropped.
    """
    parts: dict[str, str] = {}
    for piece in text.strip().split(";"):
        if not piece.strip():
            continue
        key, sep, value = piece.partition("=")
        key = key.strip().upper()
        if not sep or not value.strip():
            raise RuleError(f"rule part {piece!r} has no value")
        if key in parts:
            raise RuleError(f"rule part {key} occurs twice")
        parts[key] = value.strip()
    freq_text = parts.pop("FREQ", "").upper()
    if freq_text not in _FREQS:
        raise RuleError(f"FREQ={freq_text or '?'} is not a frequency")
    kw: dict[str, object] = {"freq": _FREQS[freq_text]}
    for key, value in parts.items():
        upper = value.upper()
        if key == "INTERVAL":
            kw["interval"] = _ints(value, 1, 10**6, key)[0]
        elif key == "COUNT":
            kw["total"] = _ints(value, 1, 10**9, key)[0]
        elif key == "UNTIL":
            try:
                kw["until"] = parse_moment(value)
            except ValueError:
                raise RuleError(f"UNTIL={value} is not a date or date-time") from None
        elif key == "WKST":
            if upper not in _DAYS:
                raise RuleError(f"WKST={value} is not a weekday")
            kw["wkst"] = _DAYS[upper]
        elif key == "BYSETPOS":
            kw["bysetpos"] = _ints(value, -366, 366, key, zero=False)
        elif key == "BYMONTH":
            kw["bymonth"] = _ints(value, 1, 12, key)
        elif key == "BYMONTHDAY":
            kw["bymonthday"] = _ints(value, -31, 31, key, zero=False)
        elif key == "BYYEARDAY":
            kw["byyearday"] = _ints(value, -366, 366, key, zero=False)
        elif key == "BYWEEKNO":
            kw["byweekno"] = _ints(value, -53, 53, key, zero=False)
        elif key == "BYHOUR":
            kw["byhour"] = _ints(value, 0, 23, key)
        elif key == "BYMINUTE":
            kw["byminute"] = _ints(value, 0, 59, key)
        elif key == "BYSECOND":
            seconds = tuple(s for s in _ints(value, 0, 60, key) if s != 60)
            kw["bysecond"] = seconds or (0,)
        elif key == "BYDAY":
            days: list[tuple[int, int]] = []
            for item in upper.split(","):
                item = item.strip()
                name = item[-2:]
                if name not in _DAYS:
                    raise RuleError(f"BYDAY={value}: {item!r} is not a weekday")
                n = 0
                if item[:-2]:
                    try:
                        n = int(item[:-2])
                    except ValueError:
                        raise RuleError(f"BYDAY={value}: {item!r} is not a weekday") from None
                    if n == 0 or not -53 <= n <= 53:
                        raise RuleError(f"BYDAY={value}: {item!r} is out of range")
                days.append((_DAYS[name], n))
            kw["byday"] = tuple(days)
        else:
            raise RuleError(f"unknown rule part {key}")
    return RuleSpec(**kw)  # type: ignore[arg-type]


def _defaults(spec: RuleSpec, start: datetime) -> RuleSpec:
    """Return ``spec`` with the BYxxx parts dateutil would take from ``start`` written out,
    so the rule means the same with any later period start as its dtstart."""
    return _defaults_of(spec, start.month, start.day, start.weekday(), start.hour,
                        start.minute, start.second)


def _defaults_of(spec: RuleSpec, month: int, day: int, weekday: int, hour: int, minute: int,
                 second: int) -> RuleSpec:
    """:func:`_defaults` for a start with those fields (all it reads of the start)."""
    bymonth = spec.bymonth
    bymonthday = spec.bymonthday
    byday = spec.byday
    if (spec.byweekno is None and spec.byyearday is None and bymonthday is None
            and byday is None):
        if spec.freq == YEARLY:
            bymonth = bymonth or (month,)
            bymonthday = (day,)
        elif spec.freq == MONTHLY:
            bymonthday = (day,)
        elif spec.freq == WEEKLY:
            byday = ((weekday, 0),)
    return spec._replace(
        bymonth=bymonth, bymonthday=bymonthday, byday=byday,
        byhour=spec.byhour if spec.byhour is not None or spec.freq >= HOURLY
        else (hour,),
        byminute=spec.byminute if spec.byminute is not None or spec.freq >= MINUTELY
        else (minute,),
        bysecond=spec.bysecond if spec.bysecond is not None or spec.freq >= SECONDLY
        else (second,),
    )


def build_rrule(spec: RuleSpec, dtstart: datetime, *, until: datetime | None = None,
                count: int | None = None) -> rrule:
    """Return the dateutil ``rrule`` of ``spec`` from naive ``dtstart`` (UNTIL and COUNT as
    given here, not from ``spec``: the caller converts UNTIL into the rule's wall time)."""
    byday = None
    if spec.byday is not None:
        byday = [weekday(d, n) if n else weekday(d) for d, n in spec.byday]
    try:
        return rrule(
            cast(Any, spec.freq), dtstart=dtstart, interval=spec.interval, wkst=spec.wkst,
            count=count, until=until if count is None else None, bysetpos=spec.bysetpos,
            bymonth=spec.bymonth, bymonthday=spec.bymonthday, byyearday=spec.byyearday,
            byweekno=spec.byweekno, byweekday=byday, byhour=spec.byhour,
            byminute=spec.byminute, bysecond=spec.bysecond,
        )
    except ValueError as exc:  # e.g. BYHOUR values an HOURLY INTERVAL never reaches
        raise RuleError(str(exc)) from None


def _jump(spec: RuleSpec, start: datetime, lo: datetime) -> tuple[datetime, int]:
    """Return ``(period_start, skipped)``: the start of the last period of the rule (counted
    from ``start`` in steps of INTERVAL) that begins at or before ``lo``, and how many periods
    lie before it. ``(start, 0)`` when ``start`` is not before ``lo``."""
    if start >= lo:
        return start, 0
    n = spec.interval
    f = spec.freq
    if f == YEARLY:
        k = (lo.year - start.year) // n * n
        return (datetime(start.year + k, 1, 1), k // n) if k > 0 else (start, 0)
    if f == MONTHLY:
        k = ((lo.year - start.year) * 12 + lo.month - start.month) // n * n
        if k <= 0:
            return start, 0
        y, m = divmod(start.year * 12 + start.month - 1 + k, 12)
        return datetime(y, m + 1, 1), k // n
    if f == WEEKLY:
        w0 = start.date() - timedelta(days=(start.weekday() - spec.wkst) % 7)
        w1 = lo.date() - timedelta(days=(lo.weekday() - spec.wkst) % 7)
        k = (w1 - w0).days // 7 // n * n
        return (datetime.combine(w0 + timedelta(weeks=k), time()), k // n) if k > 0 \
            else (start, 0)
    if f == DAILY:
        k = (lo.date() - start.date()).days // n * n
        return (datetime.combine(start.date() + timedelta(days=k), time()), k // n) if k > 0 \
            else (start, 0)
    unit = {HOURLY: 3600, MINUTELY: 60, SECONDLY: 1}[f]
    base = start.replace(minute=0 if f == HOURLY else start.minute, second=0) \
        if f != SECONDLY else start
    k = int((lo - base).total_seconds()) // unit // n * n
    return (base + timedelta(seconds=k * unit), k // n) if k > 0 else (start, 0)


def _one_per_period(spec: RuleSpec, start: datetime) -> bool:
    """Return whether every period of the rule holds exactly one occurrence, DTSTART's (so
    skipped periods can be counted off COUNT)."""
    if spec.bysetpos or spec.byyearday or spec.byweekno:
        return False
    f = spec.freq

    def same(values: Ints | None, value: int) -> bool:
        return values is None or values == (value,)

    times = (spec.byhour, spec.byminute, spec.bysecond)
    values = (start.hour, start.minute, start.second)
    for level, (given, value) in enumerate(zip(times, values, strict=True)):
        finer = f >= HOURLY + level  # HOURLY: the hour is the period itself, and so on
        if (given is not None) if finer else not same(given, value):
            return False
    nth = spec.byday is not None and len(spec.byday) == 1 and 1 <= abs(spec.byday[0][1]) <= 4
    if f == YEARLY:
        if nth:  # the 2nd Tuesday of one month: one a year, if DTSTART is one
            return (spec.bymonth is not None and len(spec.bymonth) == 1
                    and spec.bymonthday is None and _nth_weekdays(spec, start.date()))
        return (same(spec.bymonth, start.month) and same(spec.bymonthday, start.day)
                and spec.byday is None and not (start.month == 2 and start.day == 29))
    if spec.bymonth is not None:
        return False
    if f == MONTHLY:
        if nth:  # the 2nd Tuesday (or the last Friday): one a month, if DTSTART is one
            return spec.bymonthday is None and _nth_weekdays(spec, start.date())
        return same(spec.bymonthday, start.day) and spec.byday is None and start.day <= 28
    if spec.bymonthday is not None:
        return False
    if f == WEEKLY:
        return spec.byday is None or spec.byday == ((start.weekday(), 0),)
    return spec.byday is None


def _at_risk(spec: RuleSpec) -> bool:
    """Return whether the rule's filters might match no day at all for a very long time
    (then dateutil would search until the year 9999)."""
    if spec.bysetpos or spec.byweekno or spec.byyearday:
        return True
    if spec.bymonthday is not None and (spec.bymonth is not None or spec.byday is not None):
        return True
    if spec.bymonth is not None and spec.interval > 1 and spec.freq != YEARLY:
        return True  # MONTHLY;INTERVAL=3 from August never visits July
    if spec.byday is not None:
        if any(n and (abs(n) > 4 or spec.freq not in (MONTHLY, YEARLY)) for _, n in spec.byday):
            return True
        if spec.freq >= DAILY and (spec.interval * _PERIOD[spec.freq]) % (7 * 86400) == 0:
            return True
    return False


def _nth_weekdays(spec: RuleSpec, day: date) -> bool:
    """Return whether ``day`` is one of the BYDAY ordinal weekdays (``2TU``, ``-1FR``) of its
    month (MONTHLY, or YEARLY with BYMONTH) or of its year (YEARLY), as dateutil reads them."""
    assert spec.byday is not None
    wd = day.weekday()
    if spec.freq == MONTHLY or (spec.freq == YEARLY and spec.bymonth):
        first = day.replace(day=1)
        nxt = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    else:
        first = date(day.year, 1, 1)
        nxt = date(day.year + 1, 1, 1)
    for d, n in spec.byday:
        if not n or d != wd:
            continue
        if n > 0 and (day - first).days // 7 + 1 == n:
            return True
        if n < 0 and (nxt - day).days // 7 + 1 == -n:
            return True
    return False


def _week_number(day: date, wkst: int) -> tuple[int, int]:
    """Return ``(week, weeks_in_year)`` of ``day`` with weeks starting on ``wkst`` and week 1
    the first with at least four days in the year (RFC 5545, as dateutil counts)."""

    def week1(year: int) -> date:
        jan1 = date(year, 1, 1)
        to_wkst = (wkst - jan1.weekday()) % 7
        return jan1 + timedelta(days=to_wkst) if to_wkst < 4 else \
            jan1 + timedelta(days=to_wkst - 7)

    year = day.year
    start = week1(year)
    if day < start:
        year -= 1
        start = week1(year)
    elif day >= week1(year + 1):
        year += 1
        start = week1(year)
    weeks = (week1(year + 1) - start).days // 7
    return (day - start).days // 7 + 1, weeks


def _day_filter(spec: RuleSpec) -> Callable[[date], bool]:
    """Return ``matches(day) -> bool`` for the rule's day-level parts (dateutil's reading)."""
    bymonth = set(spec.bymonth) if spec.bymonth else None
    monthdays = set(spec.bymonthday) if spec.bymonthday else None
    yeardays = set(spec.byyearday) if spec.byyearday else None
    weeknos = set(spec.byweekno) if spec.byweekno else None
    byday = spec.byday or ()
    plain = {d for d, n in byday if not n or spec.freq > MONTHLY}
    ordinal = any(n and spec.freq <= MONTHLY for _, n in byday)

    def matches(day: date) -> bool:
        if bymonth is not None and day.month not in bymonth:
            return False
        if monthdays is not None:
            nxt = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
            length = (nxt - day.replace(day=1)).days
            if day.day not in monthdays and day.day - length - 1 not in monthdays:
                return False
        if yeardays is not None:
            yday = day.timetuple().tm_yday
            ylen = 366 if (date(day.year, 12, 31).timetuple().tm_yday == 366) else 365
            if yday not in yeardays and yday - ylen - 1 not in yeardays:
                return False
        if weeknos is not None:
            week, weeks = _week_number(day, spec.wkst)
            if week not in weeknos and week - weeks - 1 not in weeknos:
                return False
        if spec.byday:
            if day.weekday() in plain:
                return True
            return ordinal and _nth_weekdays(spec, day)
        return True

    return matches


def _period_key(spec: RuleSpec, start: datetime, day: date) -> int | None:
    """Return the index of the rule period holding ``day`` if that period is one the rule
    visits (counted from ``start`` in steps of INTERVAL), else None. Sub-daily rules visit
    every day (a conservative answer unless the step is a whole number of days)."""
    n = spec.interval
    f = spec.freq
    if f == YEARLY:
        k = day.year - start.year
    elif f == MONTHLY:
        k = (day.year - start.year) * 12 + day.month - start.month
    elif f == WEEKLY:
        w0 = start.date() - timedelta(days=(start.weekday() - spec.wkst) % 7)
        k = (day - w0).days // 7
    elif f == DAILY:
        k = (day - start.date()).days
    else:
        step = n * _PERIOD[f]
        days = (day - start.date()).days
        if step % 86400 == 0:
            return days if days % (step // 86400) == 0 else None
        return days
    return k if k % n == 0 else None


def _can_match(spec: RuleSpec, start: datetime, first: date, last: date) -> bool:
    """Return whether the rule can yield an occurrence on some day from ``first`` to ``last``
    (day filters, the periods the rule visits, and BYSETPOS against each period's set size).
    Cost: O(days), at most one Gregorian cycle (146,097 days) plus a period."""
    if (last - first).days > _CYCLE_DAYS:
        last = first + timedelta(days=_CYCLE_DAYS)
    matches = _day_filter(spec)
    setpos = spec.bysetpos
    f = spec.freq
    times = 1
    if f <= DAILY:
        times = len(spec.byhour or (0,)) * len(spec.byminute or (0,)) * len(spec.bysecond or (0,))
    elif f == HOURLY:
        times = len(spec.byminute or (0,)) * len(spec.bysecond or (0,))
    elif f == MINUTELY:
        times = len(spec.bysecond or (0,))
    if setpos and f == YEARLY:
        first, last = date(first.year, 1, 1), date(last.year, 12, 31)
    elif setpos and f == MONTHLY:
        first = first.replace(day=1)
        last = date(last.year + (last.month == 12), last.month % 12 + 1, 1) - timedelta(days=1)
    elif setpos and f == WEEKLY:
        first = first - timedelta(days=(first.weekday() - spec.wkst) % 7)
        last = last + timedelta(days=6 - (last.weekday() - spec.wkst) % 7)
    counts: dict[int, int] = {}
    day = first
    one = timedelta(days=1)
    while day <= last:
        key = _period_key(spec, start, day)
        if key is not None and matches(day):
            if not setpos:
                return True
            counts[key] = counts.get(key, 0) + times
        day += one
    if not setpos:
        return False
    return any(any(0 < p <= c or 0 < -p <= c for p in setpos) for c in counts.values())


_EVERY_DAY = tuple((d, 0) for d in range(7))


def _coarsest(full: RuleSpec) -> RuleSpec:
    """Return a rule with the same occurrences that dateutil iterates in fewer steps: with
    INTERVAL=1 and only plain BYDAY (and BYMONTH, time) parts, DAILY and WEEKLY rules equal
    MONTHLY ones on those weekdays (one dateutil step per month instead of per day or week).
    ``full`` has its defaults written out (:func:`_defaults`)."""
    if (full.interval != 1 or full.freq not in (DAILY, WEEKLY) or full.bysetpos
            or full.byweekno or full.byyearday or full.bymonthday):
        return full
    byday = full.byday or _EVERY_DAY
    if any(n for _, n in byday):
        return full
    return full._replace(freq=MONTHLY, byday=byday)


def _tile_days(full: RuleSpec) -> int | None:
    """Return P when the rule's occurrences repeat exactly every P days (DAILY and WEEKLY rules
    filtered by weekday and time of day only), else None. ``full`` has its defaults written."""
    if (full.freq not in (DAILY, WEEKLY) or full.bysetpos or full.byweekno or full.byyearday
            or full.bymonthday or full.bymonth):
        return None
    if full.byday and any(n for _, n in full.byday):
        return None
    if full.freq == WEEKLY:
        return 7 * full.interval
    return math.lcm(full.interval, 7) if full.byday else full.interval


@lru_cache(maxsize=512)
def _tile(full: RuleSpec, weekday: int, days: int) -> tuple[timedelta, ...]:
    """Return the occurrences of one tile of a tiling rule (:func:`_tile_days`) as offsets
    from the tile's first midnight, for a tile starting on ``weekday`` (from dateutil, on a
    sample week: such a rule does not depend on the month or year)."""
    if full.freq == DAILY and full.byday:
        weekdays = {(weekday + k * full.interval) % 7 for k in range(days // full.interval)}
        if not weekdays & {d for d, _ in full.byday}:
            return ()  # the days the rule visits never fall on its weekdays
    tile0 = datetime(2001, 1, 1 + weekday)  # 2001-01-01 was a Monday
    rule = build_rrule(full, tile0, until=tile0 + timedelta(days=days, seconds=-1))
    return tuple(t - tile0 for t in rule)


def _tiled(full: RuleSpec, start: datetime, lo: datetime, hi: datetime,
           until: datetime | None, count: int | None, budget: int, days: int) -> list[datetime]:
    """Expand a rule that repeats every ``days`` days: dateutil gives the occurrences of one
    repetition (a "tile"), the rest are those shifted by whole tiles, so a series costs
    O(occurrences in the window) however old it is, COUNT included."""
    if full.freq == WEEKLY:
        tile0 = datetime.combine(start.date() - timedelta(days=(start.weekday() - full.wkst) % 7),
                                 time())
    else:
        tile0 = datetime.combine(start.date(), time())
    step = timedelta(days=days)
    pattern = _tile(full, tile0.weekday(), days)
    walk = _tiles_to_walk(pattern, tile0, start, lo, min(hi, until or hi), step, count, budget)
    if walk is None:
        return []
    skip, count = walk
    out: list[datetime] = []
    seen = 0
    base = tile0 + skip * step
    while True:
        for offset in pattern:
            t = base + offset
            if t < start:
                continue
            if t > hi or (until is not None and t > until):
                return out
            seen += 1
            if seen > budget:
                raise TooManyInstances(seen)
            if t >= lo:
                out.append(t)
            if count is not None:
                count -= 1
                if count == 0:
                    return out
        base += step


# The fewest days each month has (February: 28), for rules that must hit every month.
_SHORTEST = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
# Whether :func:`expand` computes the rules :func:`_day_picker` knows itself (tests compare
# both ways).
DIRECT = True


def _one(values: Ints | None) -> int | None:
    return values[0] if values is not None and len(values) == 1 else None


def _day_picker(full: RuleSpec) -> Callable[[int, int], int] | None:
    """Return ``day(year, month)``, the one day the rule picks in each month it visits, for a
    MONTHLY rule (or a YEARLY one with one BYMONTH) whose day filter is one BYMONTHDAY that
    every such month has, or one ordinal weekday from the 4th-last to the 4th (``2TU``,
    ``-1FR``), at one time of day; else None. ``full`` has its defaults written out
    (:func:`_defaults`)."""
    if (full.freq not in (MONTHLY, YEARLY) or full.bysetpos or full.byweekno or full.byyearday
            or _one(full.byhour) is None or _one(full.byminute) is None
            or _one(full.bysecond) is None):
        return None
    if full.freq == YEARLY:
        month = _one(full.bymonth)
        if month is None:
            return None
        shortest = _SHORTEST[month - 1]
    elif full.bymonth is not None:
        return None
    else:
        shortest = 28
    day = _one(full.bymonthday)
    if full.byday is None and day is not None:
        if 1 <= day <= shortest:
            return lambda y, m: day
        if -shortest <= day <= -1:
            return lambda y, m: monthrange(y, m)[1] + day + 1
        return None
    if full.bymonthday is None and full.byday is not None and len(full.byday) == 1:
        wd, n = full.byday[0]
        if 1 <= n <= 4:
            return lambda y, m: 1 + (wd - date(y, m, 1).weekday()) % 7 + 7 * (n - 1)
        if -4 <= n <= -1:
            def last(y: int, m: int) -> int:
                end = monthrange(y, m)[1]
                return end - (date(y, m, end).weekday() - wd) % 7 + 7 * (n + 1)
            return last
    return None


def _picked(full: RuleSpec, pick: Callable[[int, int], int], begin: datetime,
            until: datetime | None, count: int | None) -> Iterator[datetime]:
    """Yield what dateutil's ``rrule`` of ``full`` from dtstart ``begin`` (with ``until`` or
    ``count``) yields, for a rule :func:`_day_picker` knows: one occurrence in every month
    (YEARLY: every BYMONTH) visited, each a few integer steps instead of dateutil's sets."""
    assert full.byhour is not None and full.byminute is not None and full.bysecond is not None
    at = time(full.byhour[0], full.byminute[0], full.bysecond[0])
    if full.freq == MONTHLY:
        index = begin.year * 12 + begin.month - 1
        step = full.interval
    else:
        assert full.bymonth is not None
        index = begin.year * 12 + full.bymonth[0] - 1
        step = 12 * full.interval
    combine = datetime.combine
    while True:
        year, month = divmod(index, 12)
        if year > MAXYEAR:
            return
        month += 1
        occurrence = combine(date(year, month, pick(year, month)), at)
        if until is not None and occurrence > until:
            return
        if occurrence >= begin:
            if count is not None:
                count -= 1
                if count < 0:
                    return
            yield occurrence
        index += step


_DAY = 86400
_EPOCH = datetime(1970, 1, 1)


def _seconds(moment: datetime) -> int:
    """Naive wall seconds since 1970-01-01 00:00 (as :func:`slotcalc.ical._tz.naive_epoch`)."""
    d = moment - _EPOCH
    return d.days * _DAY + d.seconds


@lru_cache(maxsize=512)
def _tile_seconds(full: RuleSpec, weekday: int, days: int) -> tuple[int, ...]:
    """:func:`_tile` in seconds."""
    return tuple(o.days * _DAY + o.seconds for o in _tile(full, weekday, days))


@lru_cache(maxsize=1024)
def _tiling(spec: RuleSpec, month: int, day: int, weekday: int, hour: int, minute: int,
            second: int) -> tuple[RuleSpec, int | None]:
    """``(_defaults(spec, start), _tile_days(…))`` for a DTSTART with those fields,
    remembered: a feed's series share a few rules and clock times."""
    full = _defaults_of(spec, month, day, weekday, hour, minute, second)
    return full, _tile_days(full)


def tiled_seconds(spec: RuleSpec, start: datetime, lo: datetime, hi: datetime,
                  until: datetime | None, budget: int) -> list[int] | None:
    """Return :func:`expand` of a rule that tiles (:func:`_tile_days`: DAILY and WEEKLY rules
    filtered by weekday and time of day only) as naive wall seconds, or None for any other
    rule (or with :data:`DIRECT` off). Same occurrences, same :class:`TooManyInstances`.
    Cost: O(occurrences in the window), in C-level ranges and a sort."""
    if spec.freq not in (DAILY, WEEKLY) or not DIRECT:
        return None
    full, days = _tiling(spec, start.month, start.day, start.weekday(), start.hour,
                         start.minute, start.second)
    if days is None:
        return None
    if hi < lo or hi < start or (until is not None and until < lo):
        return []
    return _tiled_ints(full, _seconds(start), _seconds(lo), _seconds(hi),
                       None if until is None else _seconds(until), spec.total, budget, days)


def _tiled_ints(full: RuleSpec, start: int, lo: int, hi: int, until: int | None,
                count: int | None, budget: int, days: int) -> list[int]:
    """:func:`_tiled` on naive wall seconds: the occurrences at or after ``start`` and at or
    before ``hi`` and ``until`` (the first ``count`` of them), each tile's pattern repeated by
    ``range``; those from ``lo`` on are returned."""
    step = days * _DAY
    first_day = start // _DAY
    if full.freq == WEEKLY:
        first_day -= ((first_day + 3) % 7 - full.wkst) % 7  # (1970-01-01 was a Thursday)
    tile0 = first_day * _DAY
    pattern = _tile_seconds(full, (first_day + 3) % 7, days)
    end = hi if until is None else min(hi, until)
    walk = _tiles_to_walk(pattern, tile0, start, lo, end, step, count, budget)
    if walk is None:
        return []
    skip, count = walk
    base = tile0 + skip * step
    found = sorted(chain.from_iterable(range(base + offset, end + 1, step)
                                       for offset in pattern))
    found = found[bisect_left(found, start):]
    if count is not None:
        del found[count:]
    if len(found) > budget:
        raise TooManyInstances(budget + 1)
    return found[bisect_left(found, lo):]


def _tiles_to_walk(pattern: Any, tile0: Any, start: Any, lo: Any, end: Any, step: Any,
                   count: int | None, budget: int) -> tuple[int, int | None] | None:
    """Return :func:`_skip_tiles` of a tiled rule, or None when it has no occurrence left;
    raise :class:`TooManyInstances` when ``[max(lo, start), end]`` would hold more than
    ``budget`` of them. Wall datetimes with timedelta steps, or integer seconds alike."""
    if not pattern:
        return None
    skipped = _skip_tiles(pattern, tile0, start, lo, step, count)
    if skipped is None:
        return None
    count = skipped[1]
    estimate = (end - max(lo, start)) / step * len(pattern)
    if min(estimate, count if count is not None else estimate) > budget * 1.05 + 2:
        raise TooManyInstances(budget + 1)
    return skipped


def _skip_tiles(pattern: Any, tile0: Any, start: Any, lo: Any, step: Any, count: int | None
                ) -> tuple[int, int | None] | None:
    """Return how many whole tiles lie before ``lo`` and the COUNT left after them (None when
    COUNT runs out there). Wall datetimes with timedelta steps, or integer seconds alike."""
    first_tile = sum(1 for offset in pattern if tile0 + offset >= start)
    skip = max(0, (lo - tile0) // step) if lo > tile0 else 0
    if count is not None and skip:
        count -= first_tile + (skip - 1) * len(pattern)
        if count <= 0:
            return None
    return skip, count


def expand(spec: RuleSpec, start: datetime, lo: datetime, hi: datetime,
           until: datetime | None, budget: int) -> list[datetime]:
    """Return the occurrences (naive wall times) of the rule from DTSTART ``start`` that lie
    in ``[lo, hi]``, in order; ``until`` is UNTIL already in the rule's wall time (or None).

    DTSTART itself is returned only if the rule yields it (RFC 5545 also counts DTSTART as an
    occurrence; the caller adds it). Raises :class:`TooManyInstances` when more than
    ``budget`` occurrences would be generated (for a COUNT rule iterated from DTSTART, the
    ones before the window count too). Cost: O(occurrences in the window + periods skipped
    by dateutil's filters), plus O(days of the span) for rules whose filters may never match.
    """
    if hi < lo or hi < start or (until is not None and until < lo):
        return []
    byday = spec.byday or ()
    if spec.freq in (MONTHLY, YEARLY) and any(n for _, n in byday) and any(not n for _, n in byday):
        # BYDAY=MO,-1FR means Mondays and the last Friday; dateutil would intersect the two
        plain = spec._replace(byday=tuple(d for d in byday if not d[1]), total=None)
        nth = spec._replace(byday=tuple(d for d in byday if d[1]), total=None)
        if spec.total is None:
            return sorted(set(expand(plain, start, lo, hi, until, budget))
                          | set(expand(nth, start, lo, hi, until, budget)))
        both = sorted(set(expand(plain, start, start, hi, until, budget))
                      | set(expand(nth, start, start, hi, until, budget)))
        return [t for t in both[:spec.total] if t >= lo]
    full = _defaults(spec, start)
    count = spec.total
    days = _tile_days(full)
    if days is not None:
        return _tiled(full, start, lo, hi, until, count, budget, days)
    begin = start
    if count is None:
        begin, _ = _jump(full, start, lo)
    elif _one_per_period(spec, start):
        begin, skipped = _jump(full, start, lo)
        count -= skipped
        if count <= 0:
            return []
    if until is not None and count is not None:
        # RFC 5545 forbids both; honour both: COUNT through dateutil, UNTIL here
        hi = min(hi, until)
        if hi < lo:
            return []
    filtered = any(getattr(spec, part) is not None for part in (
        "bysetpos", "bymonth", "bymonthday", "byyearday", "byweekno", "byday", "byhour",
        "byminute", "bysecond"))
    if not filtered and count is None:
        span = (hi - max(lo, begin)).total_seconds()
        if span / (spec.interval * _PERIOD[spec.freq]) > budget * 1.05 + 2:
            raise TooManyInstances(budget + 1)
    if _at_risk(spec) and not _can_match(full, start, begin.date(), hi.date()):
        return []
    pick = _day_picker(full) if DIRECT else None
    rule: Iterable[datetime] = (
        _picked(full, pick, begin, until if count is None else None, count) if pick is not None
        else build_rrule(_coarsest(full), begin, until=until if count is None else None,
                         count=count))
    out: list[datetime] = []
    for seen, occurrence in enumerate(rule, 1):
        if occurrence > hi:
            break
        if seen > budget:
            raise TooManyInstances(seen)
        if occurrence >= lo:
            out.append(occurrence)
    return out
