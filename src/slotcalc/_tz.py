"""Wall time ↔ epoch seconds, per RFC 5545 §3.3.5, and integer offset tables for hot loops.

* :func:`wall_to_epoch` resolves a local date and a second of the day to an instant: a wall
  time that occurs twice means its first occurrence, one that does not exist is read with the
  offset in force before the gap. This is exactly ``zoneinfo`` with ``fold=0``, which is what it
  calls, so the rule is the standard library's, not ours.
* :class:`OffsetTable` answers "what is the UTC offset at instant t" with ``bisect`` over the
  zone's transitions, so the engine's loops never build datetimes. Transitions are found by
  sampling ``zoneinfo`` every :data:`_PROBE` seconds and bisecting to the second wherever the
  offset changed; tests check the table against ``zoneinfo`` at every probed second around every
  transition of the zones we care about, and that no zone has two transitions closer together
  than the probe step.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import InvalidRequest, InvalidTimezone

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
DAY = 86400
_ZONE_NAME = re.compile(r"[A-Za-z0-9_+\-]+(/[A-Za-z0-9_+\-]+)*")
# No two offset changes of any IANA zone since 1900 lie closer than a few days (tested), so
# sampling every 6 hours and bisecting finds every transition.
_PROBE = 6 * 3600
# Tables are built a year block at a time (block = floor(t / _BLOCK)).
_BLOCK = 366 * DAY


def load_zone(name: object) -> ZoneInfo:
    """Return the ``ZoneInfo`` for an IANA name (or pass a ``ZoneInfo`` through).

    Raises InvalidRequest for a non-string, InvalidTimezone for an unknown name.
    """
    if isinstance(name, ZoneInfo):
        return name
    if not isinstance(name, str):
        raise InvalidRequest(f"a time zone must be an IANA name string, not {type(name).__name__}")
    return _load(name)


@lru_cache(maxsize=512)
def _load(name: str) -> ZoneInfo:
    if not _ZONE_NAME.fullmatch(name) or name in {"localtime", "posixrules"}:
        raise InvalidTimezone(f"{name!r} is not an IANA time zone name")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError, UnicodeError):
        raise InvalidTimezone(f"unknown time zone {name!r}") from None


def zone_name(zone: ZoneInfo) -> str:
    """Return the IANA key of ``zone``."""
    return str(zone.key)


def to_epoch(moment: datetime) -> int:
    """Return the whole epoch second at or before an aware ``moment`` (floor)."""
    d = moment - EPOCH
    return d.days * DAY + d.seconds


def to_epoch_ceil(moment: datetime) -> int:
    """Return the whole epoch second at or after an aware ``moment`` (ceiling)."""
    d = moment - EPOCH
    return d.days * DAY + d.seconds + (1 if d.microseconds else 0)


def wall_to_epoch(zone: ZoneInfo, day: date, second_of_day: int) -> int:
    """Return the instant of wall time ``second_of_day`` (0..86400) on local ``day`` in ``zone``.

    86400 means the next day's 00:00. Gaps and folds follow RFC 5545 §3.3.5 (``fold=0``).
    Cost: O(1) (one zoneinfo lookup).
    """
    if second_of_day >= DAY:
        day = day + timedelta(days=second_of_day // DAY)
        second_of_day %= DAY
    h, rest = divmod(second_of_day, 3600)
    m, s = divmod(rest, 60)
    local = datetime(day.year, day.month, day.day, h, m, s, tzinfo=zone)
    return to_epoch(local)


def ordinal_date(n: int) -> date:
    """Return the date ``n`` days after 1970-01-01."""
    return date.fromordinal(n + EPOCH_ORDINAL)


class OffsetTable:
    """UTC offsets of one zone as sorted integer transitions, looked up with ``bisect``.

    ``offset(t)`` returns the offset in seconds at instant ``t``; ``local_day(t)`` the local
    date of ``t`` as days since 1970-01-01. Transitions are probed from ``zoneinfo`` one block
    (about a year) at a time, when first needed, and kept.
    """

    __slots__ = ("_blocks", "_known", "_offsets", "_times", "zone")

    def __init__(self, zone: ZoneInfo) -> None:
        self.zone = zone
        self._blocks: set[int] = set()
        # every probed entry (each block's starting offset and the changes inside it), never
        # thinned: _times/_offsets are rebuilt from it, so a block's starting entry that looked
        # redundant next to an earlier block is not lost when a block between them is probed
        self._known: dict[int, int] = {}
        self._times: list[int] = []
        self._offsets: list[int] = []

    def _utcoffset(self, t: int) -> int:
        off = datetime.fromtimestamp(t, self.zone).utcoffset()
        assert off is not None
        return off.days * DAY + off.seconds

    def cover(self, lo: int, hi: int) -> None:
        """Make sure every transition in ``[lo, hi]`` is known. Cost: O(span / 6 h), once."""
        for block in range(lo // _BLOCK, hi // _BLOCK + 1):
            if block not in self._blocks:
                self._probe_block(block)

    def _probe_block(self, block: int) -> None:
        start = block * _BLOCK
        end = start + _BLOCK
        found: list[tuple[int, int]] = []
        t = start - _PROBE  # overlap the previous block so a change right at its edge is seen
        prev = self._utcoffset(t)
        while t < end:
            nxt = min(t + _PROBE, end)
            off = self._utcoffset(nxt)
            if off != prev:
                lo, hi = t, nxt  # offset(lo) == prev, offset(hi) == off: first second with off
                while hi - lo > 1:
                    mid = (lo + hi) // 2
                    if self._utcoffset(mid) == prev:
                        lo = mid
                    else:
                        hi = mid
                found.append((hi, off))
                prev = off
            t = nxt
        self._blocks.add(block)
        merged = self._known
        merged.update(found)
        if start - _PROBE not in merged:
            merged.setdefault(start - _PROBE, self._utcoffset(start - _PROBE))
        items = sorted(merged.items())
        # drop entries that do not change the offset
        times: list[int] = []
        offsets: list[int] = []
        for tt, oo in items:
            if offsets and offsets[-1] == oo:
                continue
            times.append(tt)
            offsets.append(oo)
        self._times = times
        self._offsets = offsets

    def offset(self, t: int) -> int:
        """Return the UTC offset in seconds at instant ``t``. Cost: O(log T)."""
        if t // _BLOCK not in self._blocks:
            self.cover(t, t)
        i = bisect_right(self._times, t) - 1
        return self._offsets[i]

    def local_day(self, t: int) -> int:
        """Return the local date of instant ``t`` as days since 1970-01-01. Cost: O(log T)."""
        return (t + self.offset(t)) // DAY

    def segments(self, lo: int, hi: int) -> list[tuple[int, int, int]]:
        """Return ``[(a, b, offset)]``: ``[lo, hi)`` cut where the offset changes, in order.

        Cost: O(log T + k) for k transitions inside.
        """
        if hi <= lo:
            return []
        self.cover(lo, hi)
        times = self._times
        i = bisect_right(times, lo) - 1
        out: list[tuple[int, int, int]] = []
        a = lo
        n = len(times)
        while a < hi:
            b = times[i + 1] if i + 1 < n else hi
            b = min(b, hi)
            out.append((a, b, self._offsets[i]))
            a = b
            i += 1
        return out


@lru_cache(maxsize=256)
def offset_table(zone: ZoneInfo) -> OffsetTable:
    """Return the shared :class:`OffsetTable` of ``zone``."""
    return OffsetTable(zone)
