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

import difflib
import re
import threading
from bisect import bisect_right
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

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


_NOT_ZONES = {"localtime", "posixrules", "Factory"}
_NOT_ZONE_PREFIXES = ("posix/", "right/")  # copies of the zones (right/: with leap seconds)


def _shown(name: str, limit: int = 60) -> str:
    """Return ``repr(name)`` cut to about ``limit`` characters (for messages)."""
    text = repr(name)
    return text if len(text) <= limit else text[:limit - 1] + "…'"


def load_zone(name: object) -> ZoneInfo:
    """Return the ``ZoneInfo`` for an IANA name (or pass a ``ZoneInfo`` through).

    ``datetime.timezone.utc`` is read as ``"UTC"``. Raises InvalidRequest for another kind of
    value, saying what to pass (a pytz zone: its name; a fixed offset: an IANA name, or the
    ``Etc/GMT±N`` zone of that offset); InvalidTimezone for a name that is not an IANA zone
    (with "did you mean" for a near miss). ``Factory``, ``localtime``, ``posixrules`` and the
    ``posix/``/``right/`` copies are not zones here.
    """
    if isinstance(name, ZoneInfo):
        if isinstance(name.key, str) and name.key.startswith((*_NOT_ZONE_PREFIXES, "Factory")):
            raise InvalidTimezone(f"{_shown(name.key)} is not an IANA time zone to use here")
        return name
    if isinstance(name, str):
        return _load(name)
    if name is UTC or name == UTC:
        return _load("UTC")
    if isinstance(name, tzinfo):
        raise InvalidRequest(_tzinfo_advice(name))
    raise InvalidRequest(f"a time zone must be an IANA name string, not {type(name).__name__}")


def _tzinfo_advice(zone: tzinfo) -> str:
    """Return what to pass instead of a tzinfo that is not a ``ZoneInfo``."""
    key = getattr(zone, "zone", None) or getattr(zone, "key", None)  # pytz, backports
    if isinstance(key, str) and key:
        return (f"a {type(zone).__module__.split('.')[0]} time zone is not accepted: pass its "
                f"IANA name {_shown(key)} (or ZoneInfo({_shown(key)}))")
    if isinstance(zone, timezone):
        off = zone.utcoffset(None)
        hours, rest = divmod(off.days * DAY + off.seconds, 3600)
        if not rest and -12 <= hours <= 14:
            fixed = "Etc/GMT" if hours == 0 else f"Etc/GMT{-hours:+d}"
            return (f"a fixed UTC offset ({zone.tzname(None)}) is not a time zone: pass an IANA "
                    f"name such as 'Europe/Paris', or {fixed!r} for this fixed offset "
                    "(note the POSIX sign)")
        return (f"a fixed UTC offset ({zone.tzname(None)}) is not a time zone: pass an IANA "
                "name such as 'Asia/Kolkata'")
    return (f"a {type(zone).__name__} tzinfo is not accepted as a time zone: pass an IANA name "
            "such as 'Europe/Paris' (or a zoneinfo.ZoneInfo)")


@lru_cache(maxsize=1)
def _zone_names() -> tuple[str, ...]:
    return tuple(sorted(n for n in available_timezones()
                        if n not in _NOT_ZONES and not n.startswith(_NOT_ZONE_PREFIXES)))


def _did_you_mean(name: str) -> str:
    """Return `` (did you mean 'X'?)`` for a near miss of a zone name, else ``""``."""
    if len(name) > 64:
        return ""
    try:
        names = _zone_names()
    except Exception:  # pragma: no cover - no tzdata at all
        return ""
    folded = {n.lower(): n for n in names}
    exact = folded.get(name.lower().replace(" ", "_"))
    if exact:
        return f" (did you mean {exact!r}?)"
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.8)
    if not close:
        tails = {n.rsplit("/", 1)[-1].lower(): n for n in names}
        close = [tails[t] for t in difflib.get_close_matches(
            name.rsplit("/", 1)[-1].lower().replace(" ", "_"), list(tails), n=1, cutoff=0.8)]
    return f" (did you mean {close[0]!r}?)" if close else ""


@lru_cache(maxsize=512)
def _load(name: str) -> ZoneInfo:
    if not _ZONE_NAME.fullmatch(name) or name in _NOT_ZONES or \
            name.startswith(_NOT_ZONE_PREFIXES):
        raise InvalidTimezone(f"{_shown(name)} is not an IANA time zone name"
                              f"{_did_you_mean(name)}")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError, UnicodeError):
        raise InvalidTimezone(f"unknown time zone {_shown(name)}{_did_you_mean(name)}"
                              ) from None


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

    Safe to share between threads (one table per zone is shared): probing a block is done under
    a lock, the new ``(times, offsets)`` pair is published as one tuple, and only then is the
    block marked known; a lookup reads the pair once. So a thread never sees a block marked
    known before its transitions are in the table, nor times and offsets of two versions.
    """

    __slots__ = ("_blocks", "_known", "_lock", "_table", "zone")

    def __init__(self, zone: ZoneInfo) -> None:
        self.zone = zone
        self._blocks: frozenset[int] = frozenset()
        # every probed entry (each block's starting offset and the changes inside it), never
        # thinned: the table is rebuilt from it, so a block's starting entry that looked
        # redundant next to an earlier block is not lost when a block between them is probed
        self._known: dict[int, int] = {}
        self._table: tuple[list[int], list[int]] = ([], [])
        self._lock = threading.Lock()

    def _utcoffset(self, t: int) -> int:
        off = datetime.fromtimestamp(t, self.zone).utcoffset()
        assert off is not None
        return off.days * DAY + off.seconds

    def cover(self, lo: int, hi: int) -> None:
        """Make sure every transition in ``[lo, hi]`` is known. Cost: O(span / 6 h), once."""
        for block in range(lo // _BLOCK, hi // _BLOCK + 1):
            if block not in self._blocks:
                with self._lock:
                    if block not in self._blocks:
                        self._probe_block(block)

    def _probe_block(self, block: int) -> None:
        """Probe ``block`` and publish the new table (the caller holds the lock)."""
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
        self._table = (times, offsets)  # first the table, then the mark: see the class doc
        self._blocks = self._blocks | {block}

    def offset(self, t: int) -> int:
        """Return the UTC offset in seconds at instant ``t``. Cost: O(log T)."""
        if t // _BLOCK not in self._blocks:
            self.cover(t, t)
        times, offsets = self._table
        return offsets[bisect_right(times, t) - 1]

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
        times, offsets = self._table
        i = bisect_right(times, lo) - 1
        out: list[tuple[int, int, int]] = []
        a = lo
        n = len(times)
        while a < hi:
            b = times[i + 1] if i + 1 < n else hi
            b = min(b, hi)
            out.append((a, b, offsets[i]))
            a = b
            i += 1
        return out


@lru_cache(maxsize=256)
def offset_table(zone: ZoneInfo) -> OffsetTable:
    """Return the shared :class:`OffsetTable` of ``zone``."""
    return OffsetTable(zone)
