"""Epoch seconds → answer: datetimes for the typed API, SPEC §4 strings for the JSON layer.

Both walk the engine's sorted starts once, with the query zone's :class:`OffsetTable`, and
group them by local date. Strings are built from cached pieces (date, clock time, offset), so
the JSON path never builds a datetime.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable
from datetime import datetime, timedelta
from itertools import accumulate, repeat
from operator import add, sub
from zoneinfo import ZoneInfo

from ._tz import DAY, OffsetTable, ordinal_date


def offset_text(off: int) -> str:
    """Return ``±HH:MM`` (``±HH:MM:SS`` for an offset with seconds); ``+00:00`` for zero."""
    sign = "-" if off < 0 else "+"
    h, rest = divmod(abs(off), 3600)
    m, s = divmod(rest, 60)
    return f"{sign}{h:02d}:{m:02d}" + (f":{s:02d}" if s else "")


def clock_text(sod: int) -> str:
    """Return ``THH:MM:SS`` for ``sod`` seconds after local midnight."""
    h, rest = divmod(sod, 3600)
    m, s = divmod(rest, 60)
    return f"T{h:02d}:{m:02d}:{s:02d}"


class _Texts(dict[int, str]):
    """A cache of texts made by ``make`` on first use (a C-level ``__getitem__`` on a hit).

    Shared by every answer: at most :data:`_TEXTS_KEPT` texts are kept (then it starts
    afresh), and a text is a pure function of its key, so two threads making the same
    one at once store the same string.
    """

    def __init__(self, make: Callable[[int], str]) -> None:
        super().__init__()
        self.make = make

    def __missing__(self, key: int) -> str:
        if len(self) >= _TEXTS_KEPT:
            self.clear()
        got = self[key] = self.make(key)
        return got


_TEXTS_KEPT = 8192


def _date_text(day: int) -> str:
    return ordinal_date(day).isoformat()


def _tails(off: int) -> _Texts:
    """Return the cache of ``THH:MM:SS±HH:MM`` texts (clock and offset) of offset ``off``."""
    got = _TAILS.get(off)
    if got is None:
        if len(_TAILS) >= 64:
            _TAILS.clear()
        off_text = offset_text(off)
        got = _TAILS[off] = _Texts(lambda sod: clock_text(sod) + off_text)
    return got


_DATES = _Texts(_date_text)
_TAILS: dict[int, _Texts] = {}


class InstantFormatter:
    """Formats epoch seconds as ``YYYY-MM-DDTHH:MM:SS±HH:MM`` in one zone.

    The date texts and the clock-and-offset texts are each made once and kept in caches
    shared by all answers. ``text(t)`` costs O(log T) for the offset lookup plus a join.
    """

    __slots__ = ("table",)

    def __init__(self, table: OffsetTable) -> None:
        self.table = table

    def date_text(self, day: int) -> str:
        """Return ``YYYY-MM-DD`` for ``day`` days since 1970-01-01."""
        return _DATES[day]

    def text(self, t: int) -> str:
        """Return instant ``t`` as SPEC §4 text in this zone."""
        off = self.table.offset(t)
        day, sod = divmod(t + off, DAY)
        return _DATES[day] + _tails(off)[sod]

    def texts(self, times: list[int]) -> list[str]:
        """Return the texts of the sorted instants ``times``.

        Per run of one local date and offset (:func:`runs`), C-level passes: the date text
        is the run's, each instant's clock-and-offset text is looked up by its seconds after
        the local midnight, and the two are joined.
        Cost: O(n + T + G log n) for T offset changes in the span and G runs.
        """
        out: list[str] = []
        for lo, hi, day, off in runs(self.table, times):
            tails = _tails(off)
            midnight = day * DAY - off
            out.extend(map(add, repeat(_DATES[day], hi - lo),
                           map(tails.__getitem__, map(sub, times[lo:hi], repeat(midnight)))))
        return out


def runs(table: OffsetTable, times: list[int]) -> list[tuple[int, int, int, int]]:
    """Return ``[(lo, hi, local_day, offset)]``: ``times[lo:hi]`` share a local date and offset.

    ``times`` is sorted; the runs come in time order and cover it. Each constant-offset segment
    of the zone is cut at its local midnights with ``bisect``, so the cost does not grow with
    the number of times on a date: O(T + G log n) for T offset changes in the span, G runs.
    """
    if not times:
        return []
    out: list[tuple[int, int, int, int]] = []
    n = len(times)
    i = 0
    for _a, b, off in table.segments(times[0], times[-1] + 1):
        end = bisect_left(times, b, i, n)  # the times of this segment: times[i:end]
        while i < end:
            day = (times[i] + off) // DAY
            k = bisect_left(times, (day + 1) * DAY - off, i, end)  # the next local midnight
            out.append((i, k, day, off))
            i = k
    return out


def day_runs(table: OffsetTable, times: list[int]) -> list[tuple[int, list[tuple[int, int]]]]:
    """Return ``[(local_day, [(lo, hi), …])]`` ordered by day: ``times[lo:hi]`` fall on that day.

    ``times`` is sorted. A day has several runs only when a transition moves the clock back
    over midnight; its runs are listed in time order. Cost: that of :func:`runs`.
    """
    groups: dict[int, list[tuple[int, int]]] = {}
    for lo, hi, day, _off in runs(table, times):
        got = groups.get(day)
        if got is None:
            groups[day] = [(lo, hi)]
        elif got[-1][1] == lo:  # the same date with another offset, straight after
            got[-1] = (got[-1][0], hi)
        else:
            got.append((lo, hi))
    return sorted(groups.items())


#: How long after the start of a constant-offset segment :func:`datetimes_of` keeps calling
#: ``fromtimestamp``: a repeated wall time (``fold=1``) lies within the offset change of the
#: transition before it, and two offsets of a zone differ by less than two days.
_FOLD_MARGIN = 2 * DAY


class _Steps(dict[int, timedelta]):
    """``timedelta(seconds=gap)`` of each gap, made once (a C-level ``map`` reads it); at
    most 4,096 kept."""

    def __missing__(self, gap: int) -> timedelta:
        if len(self) >= 4096:
            self.clear()
        got = self[gap] = timedelta(seconds=gap)
        return got


_STEPS = _Steps()


def datetimes_of(table: OffsetTable, times: list[int]) -> list[datetime]:
    """Return ``datetime.fromtimestamp(t, zone)`` for each of the sorted instants ``times``.

    Inside one constant-offset segment of the zone, more than :data:`_FOLD_MARGIN` after its
    start, an instant's datetime is the previous one's plus the time between them: aware
    datetime arithmetic keeps the zone and moves the wall clock, the offset is the same, and
    no wall time there occurs twice, so ``fold`` is 0 as ``fromtimestamp`` would set it. That
    costs a fraction of a ``fromtimestamp``. Cost: O(n + T + k log n) for T offset changes in
    the span and k segments.
    """
    if not times:
        return []
    zone = table.zone
    fts = datetime.fromtimestamp
    steps = _STEPS
    out: list[datetime] = []
    n = len(times)
    i = 0
    for a, b, _off in table.segments(times[0], times[-1] + 1):
        end = bisect_left(times, b, i, n)  # the times of this segment: times[i:end]
        if end == i:
            continue
        safe = max(i + 1, bisect_left(times, a + _FOLD_MARGIN, i, end))
        out.extend([fts(t, zone) for t in times[i:safe]])
        if safe < end:
            run = times[safe - 1:end]
            later = accumulate(map(steps.__getitem__, map(sub, run[1:], run)), add,
                               initial=out[-1])
            next(later)  # the initial datetime, already in out
            out.extend(later)
        i = end
    return out


def shifted_datetimes(table: OffsetTable, times: list[int], dts: list[datetime],
                      gap: int) -> list[datetime]:
    """Return ``datetimes_of(table, [t + gap for t in times])``, given ``dts`` of ``times``.

    Where ``t`` lies more than :data:`_FOLD_MARGIN` into a constant-offset segment and
    ``t + gap`` still inside it, the datetime is ``t``'s plus ``gap`` (one C-level addition:
    the same offset, no repeated wall time, as for :func:`datetimes_of`); near the segment's
    ends ``fromtimestamp`` is called. Cost: O(n + T + k log n) for T offset changes.
    """
    if not times:
        return []
    zone = table.zone
    fts = datetime.fromtimestamp
    step = _STEPS[gap]
    out: list[datetime] = []
    n = len(times)
    i = 0
    for a, b, _off in table.segments(times[0], times[-1] + gap + 1):
        end = bisect_left(times, b, i, n)  # the times of this segment: times[i:end]
        if end == i:
            continue
        lo = max(i, bisect_left(times, a + _FOLD_MARGIN, i, end))
        hi = max(lo, bisect_left(times, b - gap, lo, end))  # t + gap < b before hi
        out.extend([fts(t + gap, zone) for t in times[i:lo]])
        out.extend(map(add, dts[lo:hi], repeat(step, hi - lo)))
        out.extend([fts(t + gap, zone) for t in times[hi:end]])
        i = end
    return out


def to_datetime(cache: dict[int, datetime], zone: ZoneInfo, t: int) -> datetime:
    """Return instant ``t`` as an aware datetime in ``zone``, reusing ``cache``."""
    got = cache.get(t)
    if got is None:
        got = cache[t] = datetime.fromtimestamp(t, zone)
    return got
