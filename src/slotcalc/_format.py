"""Epoch seconds → answer: datetimes for the typed API, SPEC §4 strings for the JSON layer.

Both walk the engine's sorted starts once, with the query zone's :class:`OffsetTable`, and
group them by local date. Strings are built from cached pieces (date, clock time, offset), so
the JSON path never builds a datetime.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from ._tz import DAY, OffsetTable, ordinal_date


def offset_text(off: int) -> str:
    """Return ``±HH:MM`` (``±HH:MM:SS`` for an offset with seconds); ``+00:00`` for zero."""
    sign = "-" if off < 0 else "+"
    h, rest = divmod(abs(off), 3600)
    m, s = divmod(rest, 60)
    return f"{sign}{h:02d}:{m:02d}" + (f":{s:02d}" if s else "")


class InstantFormatter:
    """Formats epoch seconds as ``YYYY-MM-DDTHH:MM:SS±HH:MM`` in one zone, with caches.

    ``text(t)`` costs O(log T) for the offset lookup plus a string join; the day, clock and
    offset parts are computed once each.
    """

    __slots__ = ("_clock", "_dates", "_offs", "table")

    def __init__(self, table: OffsetTable) -> None:
        self.table = table
        self._dates: dict[int, str] = {}
        self._clock: dict[int, str] = {}
        self._offs: dict[int, str] = {}

    def date_text(self, day: int) -> str:
        """Return ``YYYY-MM-DD`` for ``day`` days since 1970-01-01."""
        got = self._dates.get(day)
        if got is None:
            got = self._dates[day] = ordinal_date(day).isoformat()
        return got

    def text(self, t: int) -> str:
        """Return instant ``t`` as SPEC §4 text in this zone."""
        off = self.table.offset(t)
        local = t + off
        day, sod = divmod(local, DAY)
        clock = self._clock.get(sod)
        if clock is None:
            h, rest = divmod(sod, 3600)
            m, s = divmod(rest, 60)
            clock = self._clock[sod] = f"T{h:02d}:{m:02d}:{s:02d}"
        offs = self._offs.get(off)
        if offs is None:
            offs = self._offs[off] = offset_text(off)
        return self.date_text(day) + clock + offs


    def texts(self, times: list[int]) -> tuple[list[str], list[int]]:
        """Return the texts of sorted instants ``times`` and their local days.

        One walk over the zone's offset segments instead of a bisect per instant.
        Cost: O(n + T) for T offset changes in the span.
        """
        if not times:
            return [], []
        segs = self.table.segments(times[0], times[-1] + 1)
        clock_cache = self._clock
        offs_cache = self._offs
        date_text = self.date_text
        out: list[str] = []
        days: list[int] = []
        j = 0
        seg_end, off = segs[0][1], segs[0][2]
        offs = offs_cache.get(off) or offs_cache.setdefault(off, offset_text(off))
        for t in times:
            if t >= seg_end:
                while segs[j][1] <= t:
                    j += 1
                seg_end, off = segs[j][1], segs[j][2]
                offs = offs_cache.get(off) or offs_cache.setdefault(off, offset_text(off))
            day, sod = divmod(t + off, DAY)
            clock = clock_cache.get(sod)
            if clock is None:
                h, rest = divmod(sod, 3600)
                m, sec = divmod(rest, 60)
                clock = clock_cache[sod] = f"T{h:02d}:{m:02d}:{sec:02d}"
            out.append(date_text(day) + clock + offs)
            days.append(day)
        return out, days


def group_days(days: list[int]) -> list[tuple[int, list[int]]]:
    """Return ``[(local_day, [indices])]`` ordered by day, for the local days of sorted slots.

    Local days are monotone in time except across a transition that moves the clock back over
    midnight; a dict keeps such a day's slots together. Cost: O(S + G log G) for G days.
    """
    groups: dict[int, list[int]] = {}
    last = None
    current: list[int] = []
    for i, day in enumerate(days):
        if day != last:
            got = groups.get(day)
            if got is None:
                got = groups[day] = []
            current = got
            last = day
        current.append(i)
    return sorted(groups.items())


def local_days(table: OffsetTable, times: list[int]) -> list[int]:
    """Return the local day (days since 1970-01-01) of each of the sorted ``times``.

    Cost: O(n + T).
    """
    if not times:
        return []
    segs = table.segments(times[0], times[-1] + 1)
    out: list[int] = []
    j = 0
    for t in times:
        while segs[j][1] <= t:
            j += 1
        out.append((t + segs[j][2]) // DAY)
    return out


def datetimes(zone: ZoneInfo) -> dict[int, datetime]:
    """Return an empty cache for :func:`to_datetime`."""
    return {}


def to_datetime(cache: dict[int, datetime], zone: ZoneInfo, t: int) -> datetime:
    """Return instant ``t`` as an aware datetime in ``zone``, reusing ``cache``."""
    got = cache.get(t)
    if got is None:
        got = cache[t] = datetime.fromtimestamp(t, zone)
    return got
