"""Time zones for iCalendar values: wall time ↔ epoch seconds, and which zone a TZID means.

Every zone here answers two questions with integers and naive datetimes, never aware
arithmetic: :meth:`WallZone.wall_to_epoch` (a local wall reading → the instant, RFC 5545
§3.3.5: a repeated wall time means its first occurrence, a skipped one is read with the offset
in force before the gap, exactly ``zoneinfo`` with ``fold=0``) and :meth:`WallZone.epoch_to_wall`.

* :class:`IanaZone` wraps ``zoneinfo`` (current IANA rules);
* :class:`VTimezone` is a feed's own ``VTIMEZONE`` definition (STANDARD/DAYLIGHT observances
  with DTSTART, TZOFFSETFROM, TZOFFSETTO, RRULE, RDATE), usable as a ``tzinfo`` as well;
* :func:`resolve_tzid` applies SPEC §2's order: IANA name → Windows name (CLDR) → the feed's
  VTIMEZONE → unknown.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from datetime import datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

from .._tz import load_zone, offset_table
from .._windows_zones import windows_to_iana
from ..errors import InvalidTimezone
from ._parse import DATE, RawTimezone, parse_moment
from ._parse import UTC as UTC_KIND
from ._recur import RuleError, RuleSpec, TooManyInstances, expand, parse_rrule

__all__ = [
    "IanaZone",
    "VTimezone",
    "WallZone",
    "naive_epoch",
    "naive_from_epoch",
    "resolve_tzid",
]

_EPOCH = datetime(1970, 1, 1)
DAY = 86400
# Transitions of a VTIMEZONE are computed up to this many years past the latest one asked for.
_HORIZON_YEARS = 5
_MAX_TRANSITIONS = 20_000
# A VTIMEZONE's rules are followed from 1900 to 2500; before, the offset of the first onset
# after 1900 applies (its TZOFFSETFROM), after, the last offset.
_FIRST_ONSET = datetime(1900, 1, 1)
_LAST_YEAR = 2500
# IanaZone keeps the offset changes it was asked for (and a year around) between these.
_CACHED_FROM = -70 * 365 * DAY  # (about 1900)
_CACHED_TO = 430 * 365 * DAY  # (about 2400)


def naive_epoch(moment: datetime) -> int:
    """Return the seconds from 1970-01-01 00:00 to the naive ``moment`` (read as UTC)."""
    d = moment - _EPOCH
    return d.days * DAY + d.seconds


def naive_from_epoch(t: int) -> datetime:
    """Return the naive UTC datetime of epoch second ``t``."""
    return _EPOCH + timedelta(seconds=t)


class WallZone:
    """A zone as two conversions between naive local wall time and epoch seconds."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def wall_to_epoch(self, wall: datetime) -> int:
        """Return the instant of naive local ``wall`` (RFC 5545 §3.3.5 for gaps and folds)."""
        raise NotImplementedError  # pragma: no cover - every zone class overrides it

    def epoch_to_wall(self, t: int) -> datetime:
        """Return the naive local wall time at instant ``t``."""
        raise NotImplementedError  # pragma: no cover - every zone class overrides it

    def walls_to_epochs(self, walls: list[datetime]) -> list[int]:
        """Return :meth:`wall_to_epoch` of each of ``walls``."""
        convert = self.wall_to_epoch
        return [convert(w) for w in walls]

    def wall_seconds_to_epochs(self, walls: list[int]) -> list[int]:
        """Return :meth:`wall_to_epoch` of each of ``walls``, given as naive wall seconds
        (:func:`naive_epoch`) in increasing order."""
        convert = self.wall_to_epoch
        return [convert(naive_from_epoch(w)) for w in walls]

    def transitions(self, lo: int, hi: int) -> list[int]:
        """Return the instants in ``[lo, hi]`` at which the UTC offset changes, in order."""
        raise NotImplementedError  # pragma: no cover - every zone class overrides it

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"


class UtcZone(WallZone):
    """UTC: wall time is the instant."""

    __slots__ = ()

    def wall_to_epoch(self, wall: datetime) -> int:
        return naive_epoch(wall)

    def epoch_to_wall(self, t: int) -> datetime:
        return naive_from_epoch(t)

    def wall_seconds_to_epochs(self, walls: list[int]) -> list[int]:
        return list(walls)

    def transitions(self, lo: int, hi: int) -> list[int]:
        return []


UTC_ZONE = UtcZone("UTC")


class IanaZone(WallZone):
    """An IANA zone through ``zoneinfo`` (``fold=0`` is RFC 5545's rule)."""

    __slots__ = ("_known", "zone")

    def __init__(self, zone: ZoneInfo) -> None:
        super().__init__(str(zone.key))
        self.zone = zone
        # the changes in (a, b] as (a, b, changes): a feed's series all ask about the same
        # few months (a zone object lives for one reading)
        self._known: tuple[int, int, list[int]] | None = None

    def wall_to_epoch(self, wall: datetime) -> int:
        off = self.zone.utcoffset(wall)
        assert off is not None
        return naive_epoch(wall) - (off.days * DAY + off.seconds)

    def epoch_to_wall(self, t: int) -> datetime:
        return datetime.fromtimestamp(t, self.zone).replace(tzinfo=None)

    def transitions(self, lo: int, hi: int) -> list[int]:
        known = self._known
        if known is None or lo < known[0] or hi > known[1]:
            if not _CACHED_FROM <= lo <= hi <= _CACHED_TO:
                return [a for a, _, _ in offset_table(self.zone).segments(lo, hi + 1)[1:]]
            a = max(lo - 366 * DAY, _CACHED_FROM)
            b = min(hi + 366 * DAY, _CACHED_TO)
            known = self._known = (a, b, [t for t, _, _ in
                                          offset_table(self.zone).segments(a, b + 1)[1:]])
        changes = known[2]
        return changes[bisect_right(changes, lo):bisect_right(changes, hi)]

    def walls_to_epochs(self, walls: list[datetime]) -> list[int]:
        utcoffset = self.zone.utcoffset
        out: list[int] = []
        for w in walls:
            d = w - _EPOCH
            off = utcoffset(w)
            out.append(d.days * DAY + d.seconds - off.days * DAY - off.seconds)  # type: ignore[union-attr]
        return out

    def _offset(self, wall: int) -> int:
        """The UTC offset ``zoneinfo`` reads naive wall second ``wall`` with (``fold=0``)."""
        off = self.zone.utcoffset(naive_from_epoch(wall))
        assert off is not None
        return off.days * DAY + off.seconds

    def wall_seconds_to_epochs(self, walls: list[int]) -> list[int]:
        """:meth:`wall_to_epoch` of many walls (increasing) at once: a wall within two days
        of an offset change (:meth:`transitions`, the zone's whole table) is read by
        ``zoneinfo`` itself; between changes the offset is the same for every wall (no
        offset exceeds a day), so it is read once per stretch. Cost: O(walls) integer steps
        plus one ``zoneinfo`` lookup per stretch and per wall near a change."""
        if not walls:
            return []
        changes = self.transitions(walls[0] - 2 * DAY, walls[-1] + 2 * DAY)
        offset = self._offset
        out: list[int] = []
        done = 0  # walls converted so far
        for change in (*changes, None):
            # the walls up to two days before the change (all of them after the last one)
            near = len(walls) if change is None else bisect_left(walls, change - 2 * DAY, done)
            if near > done:
                off = offset(walls[done])
                out += [w - off for w in walls[done:near]]
            if change is None:
                return out
            # the walls within two days of the change, one by one
            done = bisect_left(walls, change + 2 * DAY, near)
            out += [w - offset(w) for w in walls[near:done]]
        return out  # pragma: no cover - the loop ends at None


_OFFSET = re.compile(r"([+-])(\d\d)(\d\d)(\d\d)?")


def _parse_offset(value: str) -> int:
    m = _OFFSET.fullmatch(value.strip())
    if m is None:
        raise ValueError(f"{value!r} is not a UTC offset (+HHMM)")
    seconds = int(m.group(2)) * 3600 + int(m.group(3)) * 60 + int(m.group(4) or 0)
    if seconds == 0 and m.group(1) == "-":
        return 0
    return -seconds if m.group(1) == "-" else seconds


class _Observance:
    __slots__ = ("name", "offset_from", "offset_to", "rdates", "rule", "start", "until")

    def __init__(self, start: datetime, offset_from: int, offset_to: int,
                 rule: RuleSpec | None, until: datetime | None, rdates: list[int],
                 name: str) -> None:
        self.start = start  # local wall time of the first onset (in offset_from)
        self.offset_from = offset_from
        self.offset_to = offset_to
        self.rule = rule
        self.until = until  # the rule's UNTIL in local wall time
        self.rdates = rdates  # onsets as epoch seconds
        self.name = name


class VTimezone(tzinfo, WallZone):
    """A feed's VTIMEZONE as a zone: UTC offsets from its observances' onsets.

    Each observance (STANDARD or DAYLIGHT) starts at its DTSTART (local time in TZOFFSETFROM)
    and again at every RRULE and RDATE onset; from an onset on, the offset is its TZOFFSETTO.
    Before the first onset the first observance's TZOFFSETFROM applies. Onsets are computed
    lazily up to a few years past the latest instant asked for (at most 20,000), between the
    years 1900 and 2500 (outside them the nearest known offset applies).

    Raises ValueError (from :meth:`from_raw`) for a definition that cannot be read.
    """

    __slots__ = ("_horizon", "_names", "_observances", "_offsets", "_utc", "_wall0", "_wall1")

    def __init__(self, name: str, observances: list[_Observance]) -> None:
        WallZone.__init__(self, name)
        if not observances:
            raise ValueError("a VTIMEZONE needs a STANDARD or DAYLIGHT observance")
        self._observances = observances
        self._horizon = -1  # year up to which onsets are known
        self._utc: list[int] = []
        self._offsets: list[int] = []  # offsets[i] is in force from utc[i-1]; offsets[0] first
        self._names: list[str] = []
        self._wall0: list[int] = []  # wall time of each onset, as fold=0 reads it
        self._wall1: list[int] = []  # and as fold=1 reads it
        self._extend(2040)

    @classmethod
    def from_raw(cls, raw: RawTimezone) -> VTimezone:
        """Build the zone of a scanned VTIMEZONE (ValueError if it cannot be read)."""
        if raw.problem:
            raise ValueError(raw.problem)
        observances: list[_Observance] = []
        for obs in raw.observances:
            if obs.dtstart is None or obs.offset_from is None or obs.offset_to is None:
                raise ValueError(f"the {obs.kind} at line {obs.line} lacks DTSTART, "
                                 "TZOFFSETFROM or TZOFFSETTO")
            # local time by RFC 5545; a DATE is read as its midnight, a stray "Z" ignored
            _, start = parse_moment(obs.dtstart.value)
            off_from = _parse_offset(obs.offset_from.value)
            off_to = _parse_offset(obs.offset_to.value)
            spec = until = None
            if obs.rrules:
                spec = parse_rrule(obs.rrules[0].value)
                if spec.until is not None:
                    u_kind, u_value = spec.until
                    # a UTC UNTIL is an instant; the rule runs in local time before the onset
                    until = u_value + timedelta(seconds=off_from) if u_kind == UTC_KIND else u_value
                    if u_kind == DATE:
                        until = u_value + timedelta(days=1, seconds=-1)
            rdates: list[int] = []
            for prop in obs.rdates:
                for item in prop.value.split(","):
                    if not item.strip():
                        continue
                    r_kind, r_value = parse_moment(item.split("/")[0])
                    shift = 0 if r_kind == UTC_KIND else off_from
                    rdates.append(naive_epoch(r_value) - shift)
            observances.append(_Observance(start, off_from, off_to, spec, until, rdates,
                                           obs.kind))
        return cls(raw.tzid or "", observances)

    def _extend(self, year: int) -> None:
        """Know every onset up to the end of ``year`` (plus a few years)."""
        if year <= self._horizon:
            return
        horizon = min(max(year + _HORIZON_YEARS, self._horizon), _LAST_YEAR)
        limit = naive_epoch(datetime(horizon + 1, 1, 1))
        onsets: list[tuple[int, int, str, int]] = []
        for obs in self._observances:
            first = naive_epoch(obs.start) - obs.offset_from
            onsets.append((first, obs.offset_to, obs.name, obs.offset_from))
            onsets.extend((t, obs.offset_to, obs.name, obs.offset_from) for t in obs.rdates
                          if t < limit)
            if obs.rule is not None:
                try:
                    walls = expand(obs.rule, obs.start, max(obs.start, _FIRST_ONSET),
                                   datetime(horizon + 1, 1, 1), obs.until, _MAX_TRANSITIONS)
                except TooManyInstances:
                    raise ValueError("the VTIMEZONE has too many transitions") from None
                onsets.extend((naive_epoch(wall) - obs.offset_from, obs.offset_to, obs.name,
                               obs.offset_from) for wall in walls)
        onsets.sort()
        first_offset = onsets[0][3] if onsets else 0
        utc: list[int] = []
        offsets = [first_offset]
        names = [onsets[0][2] if onsets else ""]
        for t, off, name, _ in onsets:
            if utc and utc[-1] == t:
                offsets[-1] = off
                names[-1] = name
                continue
            utc.append(t)
            offsets.append(off)
            names.append(name)
        self._utc = utc
        self._offsets = offsets
        self._names = names
        self._wall0 = [t + max(offsets[i], offsets[i + 1]) for i, t in enumerate(utc)]
        self._wall1 = [t + min(offsets[i], offsets[i + 1]) for i, t in enumerate(utc)]
        self._horizon = horizon

    def _ensure(self, t: int) -> None:
        year = 1970 + t // (365 * DAY)  # not before instant t's year
        if year >= self._horizon and self._horizon < _LAST_YEAR:
            self._extend(year + 1)

    # -- WallZone ------------------------------------------------------------------------

    def offset_at(self, t: int) -> int:
        """Return the UTC offset in seconds at instant ``t``. Cost: O(log transitions)."""
        self._ensure(t)
        return self._offsets[bisect_right(self._utc, t)]

    def wall_offset(self, wall_seconds: int, fold: int = 0) -> int:
        """Return the offset that reads local wall time ``wall_seconds`` (as naive epoch
        seconds); ``fold=0`` is RFC 5545's rule (first occurrence, offset before a gap)."""
        self._ensure(wall_seconds)
        walls = self._wall1 if fold else self._wall0
        return self._offsets[bisect_right(walls, wall_seconds)]

    def wall_to_epoch(self, wall: datetime) -> int:
        w = naive_epoch(wall)
        return w - self.wall_offset(w)

    def wall_seconds_to_epochs(self, walls: list[int]) -> list[int]:
        offset = self.wall_offset
        return [w - offset(w) for w in walls]

    def epoch_to_wall(self, t: int) -> datetime:
        return naive_from_epoch(t + self.offset_at(t))

    def transitions(self, lo: int, hi: int) -> list[int]:
        self._ensure(hi)
        return self._utc[bisect_right(self._utc, lo - 1):bisect_right(self._utc, hi)]

    # -- tzinfo --------------------------------------------------------------------------

    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        if dt is None:
            return None
        return timedelta(seconds=self.wall_offset(naive_epoch(dt.replace(tzinfo=None)), dt.fold))

    def dst(self, dt: datetime | None) -> timedelta | None:
        return None

    def tzname(self, dt: datetime | None) -> str | None:
        if dt is None:
            return self.name
        w = naive_epoch(dt.replace(tzinfo=None))
        self._ensure(w)
        walls = self._wall1 if dt.fold else self._wall0
        return self._names[bisect_right(walls, w)] or self.name

    def fromutc(self, dt: datetime) -> datetime:
        if dt.tzinfo is not self:
            raise ValueError("fromutc: dt.tzinfo is not self")
        t = naive_epoch(dt.replace(tzinfo=None))
        off = self.offset_at(t)
        wall = t + off
        fold = 0 if wall - self.wall_offset(wall, 0) == t else 1
        return (dt + timedelta(seconds=off)).replace(fold=fold)

    def __repr__(self) -> str:
        return f"VTimezone({self.name!r})"

    def __reduce__(self) -> str | tuple[object, ...]:
        raise TypeError("a VTimezone is not picklable")


def _iana(name: str) -> ZoneInfo | None:
    try:
        return load_zone(name)
    except InvalidTimezone:
        return None


def resolve_tzid(tzid: str, timezones: dict[str, RawTimezone],
                 built: dict[str, WallZone | str]) -> WallZone | str:
    """Return the zone a TZID means, or a string saying why there is none.

    SPEC §2's order: a name ``zoneinfo`` knows (current IANA rules, even when the feed has a
    VTIMEZONE of that name); a Windows name (CLDR table); the feed's VTIMEZONE of that TZID;
    else the reason (the caller warns and uses the schedule's zone). ``built`` caches answers.
    """
    found = built.get(tzid)
    if found is not None:
        return found
    name = tzid.strip()
    answer: WallZone | str
    zone = _iana(name)
    if zone is None:
        windows = windows_to_iana(name)
        zone = _iana(windows) if windows else None
    if zone is not None:
        answer = UTC_ZONE if zone.key in ("UTC", "Etc/UTC") else IanaZone(zone)
    elif tzid in timezones:
        try:
            answer = VTimezone.from_raw(timezones[tzid])
        except (ValueError, RuleError) as exc:
            answer = f"its VTIMEZONE (line {timezones[tzid].line}) cannot be read: {exc}"
    else:
        answer = "it is not an IANA or Windows zone name and the feed has no VTIMEZONE for it"
    built[tzid] = answer
    return answer
