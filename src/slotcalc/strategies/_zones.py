"""Zones, their offset changes, dates near them, wall times in gaps and folds."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Literal, NamedTuple
from zoneinfo import ZoneInfo

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from .._tz import DAY, load_zone, to_epoch
from ._common import (
    DEFAULT_YEARS,
    HOUR,
    MINUTE,
    WEIGHTED_ZONES,
    check_int,
    check_years,
    check_zone,
    check_zones,
    coin,
    draw_int,
    pick,
)


def timezones(*, zones: Sequence[str] | None = None) -> st.SearchStrategy[str]:
    """Return a strategy for IANA zone names.

    By default it draws from :data:`HARD_ZONES` (30-minute DST, midnight transitions, the
    skipped day of Pacific/Apia, negative DST, odd offsets) twice as often as from
    :data:`COMMON_ZONES` (UTC, New York, London, …); failing examples shrink toward the common
    ones. ``zones`` replaces the list (each name is checked now).
    """
    chosen = check_zones(zones)
    return st.sampled_from(chosen if chosen is not None else WEIGHTED_ZONES)


class Transition(NamedTuple):
    """One change of a zone's UTC offset.

    ``at`` is the instant (aware, UTC). Wall clocks read ``wall_before`` just as it happens
    and ``wall_after`` right after (both naive). A ``"gap"`` (clocks go forward) means the wall
    times in ``[wall_before, wall_after)`` do not exist that night; a ``"fold"`` (clocks go
    back) means those in ``[wall_after, wall_before)`` occur twice.
    """

    zone: str
    at: datetime
    offset_before: timedelta
    offset_after: timedelta

    @property
    def kind(self) -> Literal["gap", "fold"]:
        """``"gap"`` when clocks jump forward, ``"fold"`` when they go back."""
        return "gap" if self.offset_after > self.offset_before else "fold"

    @property
    def size(self) -> timedelta:
        """How far the clocks jump (positive)."""
        return abs(self.offset_after - self.offset_before)

    @property
    def wall_before(self) -> datetime:
        """The wall clock reading at ``at`` under the old offset (naive)."""
        return (self.at + self.offset_before).replace(tzinfo=None)

    @property
    def wall_after(self) -> datetime:
        """The wall clock reading at ``at`` under the new offset (naive)."""
        return (self.at + self.offset_after).replace(tzinfo=None)

    @property
    def local_date(self) -> date:
        """The local date of the night: the date of the earlier of the two wall readings."""
        return min(self.wall_before, self.wall_after).date()

    @property
    def unusual(self) -> bool:
        """Whether the jump is not one hour, or happens at midnight or off the hour."""
        walls = (self.wall_before.time(), self.wall_after.time())
        return (self.size != timedelta(hours=1) or time(0) in walls
                or any(w.minute or w.second for w in walls))


def _offset(zone: ZoneInfo, t: int) -> int:
    off = datetime.fromtimestamp(t, zone).utcoffset()
    assert off is not None
    return off.days * DAY + off.seconds


@lru_cache(maxsize=256)
def transition_list(zone: str, years: tuple[int, int]) -> tuple[Transition, ...]:
    """Return every offset change of ``zone`` in the given years (inclusive), in order.

    Probed a day at a time, then to the second (two changes less than a day apart, which no
    zone has had since 1970 as far as this list goes, would be missed). Cost: about 15,000
    lookups per 40 years, once per zone and span.
    """
    tz = load_zone(zone)
    lo = to_epoch(datetime(years[0], 1, 1, tzinfo=UTC))
    hi = to_epoch(datetime(years[1] + 1, 1, 1, tzinfo=UTC))
    out: list[Transition] = []
    t, prev = lo, _offset(tz, lo)
    while t < hi:
        nxt = min(t + DAY, hi)
        off = _offset(tz, nxt)
        if off != prev:
            a, b = t, nxt  # offset(a) == prev, offset(b) == off: b becomes the first second
            while b - a > 1:
                mid = (a + b) // 2
                if _offset(tz, mid) == prev:
                    a = mid
                else:
                    b = mid
            out.append(Transition(zone, datetime.fromtimestamp(b, UTC), timedelta(seconds=prev),
                                  timedelta(seconds=off)))
            prev = off
        t = nxt
    return tuple(out)


@lru_cache(maxsize=256)
def _unusual_list(zone: str, years: tuple[int, int]) -> tuple[Transition, ...]:
    return tuple(t for t in transition_list(zone, years) if t.unusual)


@lru_cache(maxsize=256)
def month_end_sundays(zone: str, years: tuple[int, int]) -> tuple[date, ...]:
    """Return the last days of months in ``years`` that are Sundays, DST nights first.

    A month that ends on a Sunday puts a week boundary (``week_start`` ``"mon"``) right at a
    month boundary; in Europe the last Sunday of March and October is also the DST night.
    """
    nights = {t.local_date for t in transition_list(zone, years)}
    out: list[date] = []
    for y in range(years[0], years[1] + 1):
        for m in range(1, 13):
            last = date(y + (m == 12), m % 12 + 1, 1) - timedelta(days=1)
            if last.weekday() == 6:
                out.append(last)
    return tuple(sorted(out, key=lambda d: (d not in nights, d)))


def draw_transition(draw: st.DrawFn, zone: str, years: tuple[int, int]) -> Transition | None:
    """One of the zone's transitions, an unusual one about half the time; None if it has none."""
    every = transition_list(zone, years)
    if not every:
        return None
    odd = _unusual_list(zone, years)
    return pick(draw, odd if odd and coin(draw) else every)


@st.composite
def _transitions(draw: st.DrawFn, zone: str, years: tuple[int, int]) -> Transition:
    tr = draw_transition(draw, zone, years)
    if tr is None:
        raise InvalidArgument(f"zone {zone!r} has no offset change in the years {years}")
    return tr


def transitions(zone: str, *,
                years: tuple[int, int] = DEFAULT_YEARS) -> st.SearchStrategy[Transition]:
    """Return a strategy for the offset changes of ``zone`` in ``years`` (inclusive).

    Unusual transitions (a jump other than one hour, at midnight, or off the hour, such as
    Apia's skipped day or Lord Howe's half hour) are drawn about half the time when the zone
    has any. Raises ``InvalidArgument`` when drawing if the zone has no transition in those
    years (Asia/Kolkata, UTC).
    """
    return _transitions(check_zone(zone), check_years(years))


class Setting(NamedTuple):
    zone: str
    day: date
    transition: Transition | None


def draw_setting(draw: st.DrawFn, zones: tuple[str, ...] | None, years: tuple[int, int],
                 near: bool, within_days: int, require: bool) -> Setting:
    """A zone, a local date, and the transition the date is near (None if not near one).

    ``near``: most dates are near a transition of the zone (when it has any); ``require``: the
    zone must have one (zones without are skipped).
    """
    pool = zones or WEIGHTED_ZONES
    zone = pick(draw, pool)
    if require and not transition_list(zone, years):
        with_some = [z for z in pool if transition_list(z, years)]
        if not with_some:
            raise InvalidArgument(f"none of the zones {zones!r} changes offset in the years "
                                  f"{years}")
        zone = pick(draw, with_some)
    if near and (require or draw_int(draw, 0, 4)):
        tr = draw_transition(draw, zone, years)
        if tr is not None:
            shift = draw_int(draw, -within_days, within_days) if coin(draw) else 0
            return Setting(zone, tr.local_date + timedelta(days=shift), tr)
    first = date(years[0], 1, 1)
    span = (date(years[1], 12, 31) - first).days
    return Setting(zone, first + timedelta(days=draw_int(draw, 0, span)), None)


def draw_month_end(draw: st.DrawFn, setting: Setting, years: tuple[int, int]) -> Setting:
    """``setting`` moved to a month end on a Sunday (a DST night of the zone when one is).

    For limits: the day, week (``week_start`` ``"mon"``) and month periods then end together,
    and in Europe the last Sunday of March or October also changes the clocks. Unchanged when
    no month in ``years`` ends on a Sunday.
    """
    ends = month_end_sundays(setting.zone, years)
    if not ends:
        return setting
    day = ends[draw_int(draw, 0, min(len(ends), 4) - 1)] if coin(draw) else pick(draw, ends)
    near = [t for t in transition_list(setting.zone, years)
            if abs((t.local_date - day).days) <= 1]
    return Setting(setting.zone, day, near[0] if near else None)


@st.composite
def _settings(draw: st.DrawFn, zones: tuple[str, ...] | None, years: tuple[int, int], near: bool,
              within_days: int, require: bool) -> Setting:
    return draw_setting(draw, zones, years, near, within_days, require)


def dates_near_transitions(*, zones: Sequence[str] | None = None,
                           years: tuple[int, int] = DEFAULT_YEARS,
                           within_days: int = 1) -> st.SearchStrategy[tuple[str, date]]:
    """Return a strategy for ``(zone, local date)`` pairs on or near a DST night.

    The date is the local date of one of the zone's transitions (see
    :attr:`Transition.local_date`: for Apia 2011 the skipped 2011-12-30) or up to
    ``within_days`` days away, mostly the night itself. Zones without any transition in
    ``years`` are left out; ``zones`` defaults to :func:`timezones`' list.
    """
    chosen = check_zones(zones)
    span = check_years(years)
    check_int("within_days", within_days, 0, 366)
    return _settings(chosen, span, True, within_days, True).map(lambda s: (s.zone, s.day))


def local_dates(*, zone: str | None = None, zones: Sequence[str] | None = None,
                near_transitions: bool = True, years: tuple[int, int] = DEFAULT_YEARS,
                within_days: int = 1) -> st.SearchStrategy[date]:
    """Return a strategy for local dates in ``years``.

    With ``near_transitions`` (the default) most dates lie on or within ``within_days`` of a
    transition of ``zone`` (or of a zone drawn from ``zones`` / :func:`timezones`); the rest,
    and all of them otherwise, are uniform over ``years``.
    """
    chosen = (check_zone(zone),) if zone is not None else check_zones(zones)
    span = check_years(years)
    check_int("within_days", within_days, 0, 366)
    return _settings(chosen, span, near_transitions, within_days, False).map(lambda s: s.day)


def wall_kind(moment: datetime) -> Literal["normal", "gap", "fold"]:
    """Return whether an aware datetime's wall reading is skipped, repeated or ordinary.

    ``"gap"``: the wall time does not exist in its zone (clocks jumped over it); ``"fold"``: it
    occurs twice (``fold=0`` is the first, which is the one slotcalc uses per SPEC §1);
    ``"normal"`` otherwise, and for fixed-offset zones.
    """
    zone = moment.tzinfo
    if zone is None:
        raise ValueError("wall_kind needs an aware datetime")
    first = moment.replace(fold=0)
    back = first.astimezone(UTC).astimezone(zone)
    if back.replace(tzinfo=None) != first.replace(tzinfo=None):
        return "gap"
    if first.utcoffset() != moment.replace(fold=1).utcoffset():
        return "fold"
    return "normal"


def _draw_wall_near(draw: st.DrawFn, tr: Transition, unit: int) -> datetime:
    """A naive wall reading in the gap or fold of ``tr``, on its edges, or a few hours away."""
    lo, hi = sorted((tr.wall_before, tr.wall_after))
    width = int((hi - lo).total_seconds())
    where = draw_int(draw, 0, 3)
    if where <= 1:  # in the gap (nonexistent) or the fold (ambiguous)
        return lo + timedelta(seconds=draw_int(draw, 0, width // unit - 1) * unit)
    if where == 2:  # on an edge, or a unit either side of it
        return pick(draw, (lo, hi)) + timedelta(seconds=pick(draw, (0, -unit, unit)))
    return lo + timedelta(seconds=draw_int(draw, -6 * HOUR // unit, (width + 6 * HOUR) // unit)
                          * unit)


@st.composite
def _wall_times(draw: st.DrawFn, zones: tuple[str, ...] | None, near: bool,
                years: tuple[int, int], whole_minutes: bool) -> datetime:
    setting = draw_setting(draw, zones, years, near, 0, False)
    unit = MINUTE if whole_minutes else 1
    if setting.transition is not None:
        wall = _draw_wall_near(draw, setting.transition, unit)
    else:
        second = draw_int(draw, 0, DAY // unit - 1) * unit
        wall = datetime.combine(setting.day, time(0)) + timedelta(seconds=second)
    return wall.replace(tzinfo=ZoneInfo(setting.zone))


def wall_times(*, zone: str | None = None, zones: Sequence[str] | None = None,
               near_transitions: bool = True, years: tuple[int, int] = DEFAULT_YEARS,
               whole_minutes: bool = True) -> st.SearchStrategy[datetime]:
    """Return a strategy for wall times: aware datetimes with a ``ZoneInfo`` and ``fold=0``.

    With ``near_transitions`` most of them fall inside a transition's gap (a wall time that
    does not exist) or fold (one that occurs twice), on its edges, or within six hours of it;
    :func:`wall_kind` tells which. ``zone`` fixes the zone, else it comes from ``zones`` /
    :func:`timezones`. ``whole_minutes=False`` allows any second.
    """
    chosen = (check_zone(zone),) if zone is not None else check_zones(zones)
    return _wall_times(chosen, near_transitions, check_years(years), whole_minutes)
