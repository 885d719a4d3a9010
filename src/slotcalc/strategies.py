"""Hypothesis strategies that generate valid, DST-hard slotcalc inputs.

For services that test their own booking flows with `Hypothesis <https://hypothesis.works>`_
(install ``slotcalc[hypothesis]``). Every strategy here generates inputs that slotcalc accepts
(valid by construction), and leans toward the cases a hand-written test forgets: zones with
30-minute DST, transitions at midnight, a skipped calendar day (Pacific/Apia, 2011-12-30),
negative DST, odd offsets; wall times inside a spring-forward gap or a fall-back fold; windows
that run past midnight; busy time and seat bookings placed right on the schedule's windows so
they collide with slots; queries whose ``now`` makes the answer empty.

* Zones and time: :func:`timezones`, :func:`transitions`, :func:`dates_near_transitions`,
  :func:`local_dates`, :func:`wall_times` (and :func:`wall_kind` to tell gap, fold and normal
  wall times apart).
* Hours: :func:`wall_intervals`, :func:`weekly_hours`, :func:`overrides`, :func:`schedules`.
* Rules, busy time, queries: :func:`event_policies`, :func:`busy_lists`, :func:`seat_bookings`,
  :func:`queries`.
* Teams: :func:`hosts`, :func:`teams`.
* Whole inputs: :func:`scenarios` (a coherent schedule, event, busy list and query around one
  DST transition), :func:`team_scenarios` (the same for teams), :func:`requests` and
  :func:`team_requests` (JSON request documents of SPEC §2).

Importing Hypothesis registers these strategies for ``st.from_type`` through the package's
``hypothesis`` entry point (:func:`_hypothesis_setup_hook`), so ``st.from_type(Schedule)``
works without setup. Instants and dates stay in the years 2000–2040 unless ``years`` says
otherwise; query ranges span at most a few days unless ``max_days`` says otherwise; every
query has an explicit ``now`` so tests are deterministic. The core of slotcalc never imports
this module.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache
from itertools import pairwise
from typing import Any, Literal, NamedTuple, TypeVar
from zoneinfo import ZoneInfo

from ._tz import DAY, load_zone, offset_table, to_epoch, wall_to_epoch
from .errors import SlotcalcError
from .model import (
    MAX_RANGE_DAYS,
    WEEKDAYS,
    Busy,
    EventPolicy,
    Host,
    Override,
    Query,
    Schedule,
    Team,
)

_FROM_TYPE: tuple[type, ...] = (Schedule, Override, EventPolicy, Busy, Query, Host, Team)


def _hypothesis_setup_hook() -> None:
    """Register the strategies for slotcalc's input types with ``st.from_type``.

    Hypothesis calls this through the ``hypothesis`` entry point declared in slotcalc's
    ``pyproject.toml`` while it is being imported, so ``st.from_type(slotcalc.Schedule)`` works
    without setup. It is defined before this module imports Hypothesis: when this module is
    imported first, that import runs the hook while the module is only half built, so the hook
    registers a function that looks the strategy up when ``from_type`` first asks.
    """
    from hypothesis import strategies as hst

    for cls in _FROM_TYPE:
        hst.register_type_strategy(cls, lambda t: _strategy_for(t))


from hypothesis import strategies as st  # noqa: E402  (after the hook: see its docstring)
from hypothesis.errors import InvalidArgument  # noqa: E402

__all__ = [
    "ALIGNS",
    "COMMON_ZONES",
    "DEFAULT_YEARS",
    "HARD_ZONES",
    "Scenario",
    "TeamScenario",
    "Transition",
    "busy_lists",
    "dates_near_transitions",
    "event_policies",
    "hosts",
    "local_dates",
    "overrides",
    "queries",
    "requests",
    "scenarios",
    "schedules",
    "seat_bookings",
    "team_requests",
    "team_scenarios",
    "teams",
    "timezones",
    "transitions",
    "wall_intervals",
    "wall_kind",
    "wall_times",
    "weekly_hours",
]

#: Zones whose rules break naive date arithmetic, each for a reason noted beside it.
HARD_ZONES: tuple[str, ...] = (
    "Australia/Lord_Howe",  # DST of 30 minutes (+10:30 / +11:00)
    "America/Santiago",  # transitions at midnight: 24:00 → 01:00, 24:00 → 23:00
    "America/Havana",  # midnight transitions: 00:00 → 01:00, 01:00 → 00:00
    "Asia/Beirut",  # midnight transitions
    "America/Asuncion",  # midnight transitions
    "Asia/Gaza",  # midnight transitions on irregular dates
    "America/Scoresbysund",  # falls back from 00:00 to 23:00 the day before
    "Pacific/Apia",  # skipped all of 2011-12-30 (-10:00 → +14:00), southern DST until 2021
    "Europe/Dublin",  # negative DST in tzdata (IST is standard, GMT the "saving")
    "Africa/Casablanca",  # negative DST: clocks go back for Ramadan and forward after
    "Antarctica/Troll",  # DST of two hours (+00:00 / +02:00)
    "Asia/Kathmandu",  # +05:45
    "Pacific/Chatham",  # +12:45 / +13:45
    "Asia/Kolkata",  # +05:30, no DST
    "America/St_Johns",  # -03:30 / -02:30, transitions at 00:01 until 2011
    "Australia/Adelaide",  # +09:30 / +10:30, southern hemisphere
    "Asia/Tehran",  # +03:30 / +04:30 until 2022, transitions at midnight
    "Pacific/Kiritimati",  # +14:00, the earliest clock on Earth
)
#: Ordinary zones, listed first so that failing examples shrink toward them.
COMMON_ZONES: tuple[str, ...] = (
    "UTC",
    "America/New_York",
    "Europe/London",
    "Europe/Madrid",
    "America/Los_Angeles",
    "Australia/Sydney",
    "Asia/Tokyo",
)
#: The default span of years (inclusive) for instants and dates.
DEFAULT_YEARS: tuple[int, int] = (2000, 2040)
#: Every value of ``EventPolicy.align``.
ALIGNS: tuple[Literal["window", "clock", "free"], ...] = ("window", "clock", "free")

_WEIGHTED_ZONES = COMMON_ZONES + HARD_ZONES + HARD_ZONES  # hard zones twice as likely
_MINUTE = 60
_HOUR = 3600
#: Fixed UTC offsets (seconds) that instants are sometimes written in.
_ODD_OFFSETS = (0, 3600, -18000, 19800, 20700, 45900, -9000, 50400, -43200, 34200)
_NAMES = ("ana", "bo", "chen", "dev", "eli", "fatima")


# ---------------------------------------------------------------------------------------------
# Drawing helpers. Inner generators are plain functions of ``draw`` that only draw from cached
# primitive strategies (``st.integers(lo, hi)`` is built once per bounds): building a fresh
# ``one_of``/``map`` strategy per draw costs more than the draw itself. Choices are listed
# simplest first, since Hypothesis shrinks an index toward 0.

T = TypeVar("T")


def _int(draw: st.DrawFn, lo: int, hi: int) -> int:
    value: int = draw(st.integers(lo, hi))
    return value


def _pick(draw: st.DrawFn, options: Sequence[T]) -> T:
    return options[_int(draw, 0, len(options) - 1)]


def _coin(draw: st.DrawFn) -> bool:
    flip: bool = draw(st.booleans())
    return flip


def _shuffled(draw: st.DrawFn, items: Sequence[T]) -> list[T]:
    """``items`` in an order drawn by Fisher–Yates (shrinks toward the given order)."""
    out = list(items)
    for i in range(len(out) - 1):
        j = _int(draw, i, len(out) - 1)
        out[i], out[j] = out[j], out[i]
    return out


# ---------------------------------------------------------------------------------------------
# Argument checks: errors name the argument and the value, as Hypothesis' own do.


def _check_int(name: str, value: object, lo: int, hi: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidArgument(f"{name}={value!r} must be an integer")
    if value < lo or (hi is not None and value > hi):
        top = "" if hi is None else f" and at most {hi}"
        raise InvalidArgument(f"{name}={value!r} must be at least {lo}{top}")
    return value


def _check_sizes(min_name: str, min_size: int, max_name: str, max_size: int) -> None:
    _check_int(min_name, min_size, 0)
    _check_int(max_name, max_size, 0)
    if min_size > max_size:
        raise InvalidArgument(f"{min_name}={min_size!r} is larger than {max_name}={max_size!r}")


def _check_zones(zones: Sequence[str] | None, name: str = "zones") -> tuple[str, ...] | None:
    if zones is None:
        return None
    if isinstance(zones, str):
        raise InvalidArgument(f"{name}={zones!r} must be a sequence of zone names, not one string")
    out = tuple(zones)
    if not out:
        raise InvalidArgument(f"{name}={zones!r} must name at least one zone")
    for z in out:
        _check_zone(z, name)
    return out


def _check_zone(zone: object, name: str = "zone") -> str:
    try:
        return load_zone(zone).key
    except SlotcalcError:
        raise InvalidArgument(f"{name}: {zone!r} is not an IANA time zone") from None


def _check_years(years: tuple[int, int]) -> tuple[int, int]:
    if not isinstance(years, tuple) or len(years) != 2:
        raise InvalidArgument(f"years={years!r} must be a pair (first, last)")
    lo, hi = years
    _check_int("years[0]", lo, 1900, 2400)
    _check_int("years[1]", hi, lo, 2400)
    return lo, hi


# ---------------------------------------------------------------------------------------------
# Zones and transitions


def timezones(*, zones: Sequence[str] | None = None) -> st.SearchStrategy[str]:
    """Return a strategy for IANA zone names.

    By default it draws from :data:`HARD_ZONES` (30-minute DST, midnight transitions, the
    skipped day of Pacific/Apia, negative DST, odd offsets) twice as often as from
    :data:`COMMON_ZONES` (UTC, New York, London, …); failing examples shrink toward the common
    ones. ``zones`` replaces the list (each name is checked now).
    """
    chosen = _check_zones(zones)
    return st.sampled_from(chosen if chosen is not None else _WEIGHTED_ZONES)


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


@lru_cache(maxsize=256)
def _transition_list(zone: str, years: tuple[int, int]) -> tuple[Transition, ...]:
    """Return every offset change of ``zone`` in the given years (inclusive), in order."""
    lo = to_epoch(datetime(years[0], 1, 1, tzinfo=UTC))
    hi = to_epoch(datetime(years[1] + 1, 1, 1, tzinfo=UTC))
    segments = offset_table(load_zone(zone)).segments(lo, hi)
    return tuple(
        Transition(zone, datetime.fromtimestamp(cur[0], UTC), timedelta(seconds=prev[2]),
                   timedelta(seconds=cur[2]))
        for prev, cur in pairwise(segments)
    )



@lru_cache(maxsize=256)
def _unusual_list(zone: str, years: tuple[int, int]) -> tuple[Transition, ...]:
    return tuple(t for t in _transition_list(zone, years) if t.unusual)


def _draw_transition(draw: st.DrawFn, zone: str, years: tuple[int, int]) -> Transition | None:
    """One of the zone's transitions, an unusual one about half the time; None if it has none."""
    every = _transition_list(zone, years)
    if not every:
        return None
    odd = _unusual_list(zone, years)
    return _pick(draw, odd if odd and _coin(draw) else every)


@st.composite
def _transitions(draw: st.DrawFn, zone: str, years: tuple[int, int]) -> Transition:
    tr = _draw_transition(draw, zone, years)
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
    return _transitions(_check_zone(zone), _check_years(years))


class _Setting(NamedTuple):
    zone: str
    day: date
    transition: Transition | None


def _draw_setting(draw: st.DrawFn, zones: tuple[str, ...] | None, years: tuple[int, int],
                  near: bool, within_days: int, require: bool) -> _Setting:
    """A zone, a local date, and the transition the date is near (None if not near one).

    ``near``: most dates are near a transition of the zone (when it has any); ``require``: the
    zone must have one (zones without are skipped).
    """
    pool = zones or _WEIGHTED_ZONES
    zone = _pick(draw, pool)
    if require and not _transition_list(zone, years):
        with_some = [z for z in pool if _transition_list(z, years)]
        if not with_some:
            raise InvalidArgument(f"none of the zones {zones!r} changes offset in the years "
                                  f"{years}")
        zone = _pick(draw, with_some)
    if near and (require or _int(draw, 0, 4)):
        tr = _draw_transition(draw, zone, years)
        if tr is not None:
            shift = _int(draw, -within_days, within_days) if _coin(draw) else 0
            return _Setting(zone, tr.local_date + timedelta(days=shift), tr)
    first = date(years[0], 1, 1)
    span = (date(years[1], 12, 31) - first).days
    return _Setting(zone, first + timedelta(days=_int(draw, 0, span)), None)


@st.composite
def _settings(draw: st.DrawFn, zones: tuple[str, ...] | None, years: tuple[int, int], near: bool,
              within_days: int, require: bool) -> _Setting:
    return _draw_setting(draw, zones, years, near, within_days, require)


def dates_near_transitions(*, zones: Sequence[str] | None = None,
                           years: tuple[int, int] = DEFAULT_YEARS,
                           within_days: int = 1) -> st.SearchStrategy[tuple[str, date]]:
    """Return a strategy for ``(zone, local date)`` pairs on or near a DST night.

    The date is the local date of one of the zone's transitions (see
    :attr:`Transition.local_date`: for Apia 2011 the skipped 2011-12-30) or up to
    ``within_days`` days away, mostly the night itself. Zones without any transition in
    ``years`` are left out; ``zones`` defaults to :func:`timezones`' list.
    """
    chosen = _check_zones(zones)
    span = _check_years(years)
    _check_int("within_days", within_days, 0, 366)
    return _settings(chosen, span, True, within_days, True).map(lambda s: (s.zone, s.day))


def local_dates(*, zone: str | None = None, zones: Sequence[str] | None = None,
                near_transitions: bool = True, years: tuple[int, int] = DEFAULT_YEARS,
                within_days: int = 1) -> st.SearchStrategy[date]:
    """Return a strategy for local dates in ``years``.

    With ``near_transitions`` (the default) most dates lie on or within ``within_days`` of a
    transition of ``zone`` (or of a zone drawn from ``zones`` / :func:`timezones`); the rest,
    and all of them otherwise, are uniform over ``years``.
    """
    chosen = (_check_zone(zone),) if zone is not None else _check_zones(zones)
    span = _check_years(years)
    _check_int("within_days", within_days, 0, 366)
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
    where = _int(draw, 0, 3)
    if where <= 1:  # in the gap (nonexistent) or the fold (ambiguous)
        return lo + timedelta(seconds=_int(draw, 0, width // unit - 1) * unit)
    if where == 2:  # on an edge, or a unit either side of it
        return _pick(draw, (lo, hi)) + timedelta(seconds=_pick(draw, (0, -unit, unit)))
    return lo + timedelta(seconds=_int(draw, -6 * _HOUR // unit, (width + 6 * _HOUR) // unit)
                          * unit)


@st.composite
def _wall_times(draw: st.DrawFn, zones: tuple[str, ...] | None, near: bool,
                years: tuple[int, int], whole_minutes: bool) -> datetime:
    setting = _draw_setting(draw, zones, years, near, 0, False)
    unit = _MINUTE if whole_minutes else 1
    if setting.transition is not None:
        wall = _draw_wall_near(draw, setting.transition, unit)
    else:
        second = _int(draw, 0, DAY // unit - 1) * unit
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
    chosen = (_check_zone(zone),) if zone is not None else _check_zones(zones)
    return _wall_times(chosen, near_transitions, _check_years(years), whole_minutes)


# ---------------------------------------------------------------------------------------------
# Working hours (seconds after local midnight inside; "HH:MM" strings outside)


def _fmt_wall(seconds: int) -> str:
    if seconds == DAY:
        return "24:00"
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h:02d}:{m:02d}" + (f":{s:02d}" if s else "")


def _hint_seconds(trs: Sequence[Transition]) -> tuple[int, ...]:
    """Seconds of the day worth clustering wall-time bounds around: a night's two readings."""
    out: set[int] = set()
    for tr in trs:
        for w in (tr.wall_before, tr.wall_after):
            s = w.hour * 3600 + w.minute * 60 + w.second
            out.update(x for x in (s, s - 1800, s + 1800, s - 3600, s + 3600) if 0 <= x < DAY)
            if s == 0:
                out.add(DAY)
    return tuple(sorted(out))


def _time_hints(near: Sequence[time]) -> tuple[int, ...]:
    out: set[int] = set()
    for t in near:
        if not isinstance(t, time):
            raise InvalidArgument(f"near={near!r} must hold datetime.time values")
        s = t.hour * 3600 + t.minute * 60 + t.second
        out.update(x for x in (s, s - 1800, s + 1800) if 0 <= x < DAY)
        if s == 0:
            out.add(DAY)
    return tuple(sorted(out))


_LENGTHS = tuple(m * _MINUTE for m in (60, 120, 240, 480, 600, 30, 90, 15, 45))


def _draw_interval(draw: st.DrawFn, hints: tuple[int, ...], seconds: bool) -> tuple[int, int]:
    """One wall interval ``(start_s, end_s)`` with ``0 <= start < end <= 86400``."""
    starts = [h for h in hints if h < DAY]
    how = _int(draw, 0, 3 if seconds else 2)
    if how == 0 and starts:
        a = _pick(draw, starts)
    elif how <= 1:
        a = _int(draw, 0, 47) * 1800  # a whole or half hour
    elif how == 2:
        a = _int(draw, 0, DAY // _MINUTE - 1) * _MINUTE
    else:
        a = _int(draw, 0, DAY - 1)
    ends = [h for h in hints if h > a]
    how = _int(draw, 0, 4 if seconds else 3)
    if how == 0:
        b = min(DAY, a + _pick(draw, _LENGTHS))
    elif how == 1 and ends:
        b = _pick(draw, ends)
    elif how <= 2:
        b = DAY
    elif how == 3:
        b = _int(draw, a // _MINUTE + 1, DAY // _MINUTE) * _MINUTE
    else:
        b = _int(draw, a + 1, DAY)
    return a, b


def _draw_day(draw: st.DrawFn, hints: tuple[int, ...], min_size: int, max_size: int,
              seconds: bool) -> list[tuple[int, int]]:
    """A day's intervals, sometimes with touching or overlapping pairs, in any order."""
    out = [_draw_interval(draw, hints, seconds) for _ in range(_int(draw, min_size, max_size))]
    if out and len(out) < max_size:
        a, b = out[-1]
        shape = _int(draw, 0, 2)
        if shape == 1 and b < DAY:  # touching: 09:00–12:00 + 12:00–14:00
            out.append((b, _int(draw, b // _MINUTE + 1, DAY // _MINUTE) * _MINUTE))
        elif shape == 2 and b - a >= 2 * _MINUTE:  # overlapping: 09:00–12:00 + 11:00–13:00
            mid = a + _int(draw, 1, (b - a) // _MINUTE - 1) * _MINUTE
            out.append((mid, b + _int(draw, 0, (DAY - b) // _MINUTE) * _MINUTE))
    return _shuffled(draw, out)


def _pairs(intervals: Sequence[tuple[int, int]]) -> list[tuple[str, str]]:
    return [(_fmt_wall(a), _fmt_wall(b)) for a, b in intervals]


@st.composite
def _wall_intervals(draw: st.DrawFn, hints: tuple[int, ...], min_size: int, max_size: int,
                    seconds: bool) -> list[tuple[str, str]]:
    return _pairs(_draw_day(draw, hints, min_size, max_size, seconds))


def wall_intervals(*, min_size: int = 0, max_size: int = 3, near: Sequence[time] = (),
                   seconds: bool = False) -> st.SearchStrategy[list[tuple[str, str]]]:
    """Return a strategy for one day's hours: ``[("HH:MM", "HH:MM"), …]`` pairs, start < end.

    ``min_size`` to ``max_size`` pairs (one touching or overlapping pair may be added when
    fewer than ``max_size`` were drawn). Ends may be ``"24:00"``. Bounds cluster on whole and
    half hours, on midnight, and around the wall times in ``near`` (for example a zone's
    transition times); some lists hold touching (``09:00–12:00``, ``12:00–14:00``) or
    overlapping pairs, in any order. ``seconds=True`` also draws ``"HH:MM:SS"`` bounds.
    """
    _check_sizes("min_size", min_size, "max_size", max_size)
    return _wall_intervals(_time_hints(near), min_size, max_size, seconds)


_DAY_KINDS = ("hours", "hours", "hours", "hours", "missing", "empty")


def _draw_weekly(draw: st.DrawFn, hints: tuple[int, ...], max_intervals: int, overnight: bool,
                 seconds: bool) -> dict[str, list[tuple[int, int]]]:
    if max_intervals and _int(draw, 0, 19) == 0:  # open around the clock
        return {d: [(0, DAY)] for d in WEEKDAYS}
    weekly: dict[str, list[tuple[int, int]]] = {}
    for day in WEEKDAYS:
        kind = _pick(draw, _DAY_KINDS)
        if kind == "hours" and max_intervals:
            weekly[day] = _draw_day(draw, hints, 1, max_intervals, seconds)
        elif kind == "empty":
            weekly[day] = []
    if overnight and max_intervals and _coin(draw):
        # a window across midnight, as two pairs: fri 22:00–24:00 + sat 00:00–02:00
        i = _int(draw, 0, 6)
        late = DAY - _pick(draw, (2 * _HOUR, _HOUR, 30 * _MINUTE, 4 * _HOUR))
        early = _pick(draw, (2 * _HOUR, _HOUR, 30 * _MINUTE, 3 * _HOUR))
        weekly.setdefault(WEEKDAYS[i], []).append((late, DAY))
        weekly.setdefault(WEEKDAYS[(i + 1) % 7], []).insert(0, (0, early))
    return weekly


@st.composite
def _weekly_hours(draw: st.DrawFn, hints: tuple[int, ...], max_intervals: int, overnight: bool,
                  seconds: bool) -> dict[str, list[tuple[str, str]]]:
    weekly = _draw_weekly(draw, hints, max_intervals, overnight, seconds)
    return {d: _pairs(v) for d, v in weekly.items()}


def weekly_hours(*, max_intervals: int = 3, near: Sequence[time] = (), overnight: bool = True,
                 seconds: bool = False) -> st.SearchStrategy[dict[str, list[tuple[str, str]]]]:
    """Return a strategy for weekly hours: ``{"mon": [("09:00", "17:00")], …}``.

    Each day is missing, ``[]`` or one to ``max_intervals`` pairs drawn like
    :func:`wall_intervals` (touching and overlapping pairs included). With ``overnight`` about
    half the schedules also hold a window across midnight written as two pairs
    (``fri 22:00–24:00`` and ``sat 00:00–02:00``, ``sun`` wrapping to ``mon``); about one in
    twenty is open around the clock.
    """
    _check_int("max_intervals", max_intervals, 0)
    return _weekly_hours(_time_hints(near), max_intervals, overnight, seconds)


def _draw_override_dicts(draw: st.DrawFn, around: date, hints: tuple[int, ...], min_size: int,
                         max_size: int, max_days: int, max_intervals: int,
                         seconds: bool) -> list[dict[str, Any]]:
    """Overrides as JSON dicts covering disjoint date ranges near ``around``, in any order."""
    n = _int(draw, min_size, max_size)
    cursor = around - timedelta(days=_int(draw, 0, 2))
    out: list[dict[str, Any]] = []
    for _ in range(n):
        first = cursor + timedelta(days=_int(draw, 0, 2))
        last = first + timedelta(days=_int(draw, 1, max_days) - 1)
        cursor = last + timedelta(days=1)
        o: dict[str, Any] = {"date": first.isoformat()}
        if last != first or _coin(draw):
            o["until"] = last.isoformat()
        closed = max_intervals == 0 or _int(draw, 0, 3) == 3
        ivs = [] if closed else _draw_day(draw, hints, 1, max_intervals, seconds)
        o["intervals"] = [list(p) for p in _pairs(ivs)]
        out.append(o)
    return _shuffled(draw, out)


def _override_from(o: dict[str, Any]) -> Override:
    return Override(o["date"], [tuple(p) for p in o["intervals"]], o.get("until"))


@st.composite
def _overrides(draw: st.DrawFn, dates: st.SearchStrategy[date] | None, hints: tuple[int, ...],
               min_size: int, max_size: int, max_days: int, max_intervals: int,
               seconds: bool) -> list[Override]:
    around = draw(dates) if dates is not None else _draw_setting(
        draw, None, DEFAULT_YEARS, True, 1, False).day
    found = _draw_override_dicts(draw, around, hints, min_size, max_size, max_days,
                                 max_intervals, seconds)
    return [_override_from(o) for o in found]


def overrides(*, dates: st.SearchStrategy[date] | None = None, min_size: int = 0,
              max_size: int = 3, max_days: int = 3, max_intervals: int = 2,
              near: Sequence[time] = (),
              seconds: bool = False) -> st.SearchStrategy[list[Override]]:
    """Return a strategy for a list of overrides that never cover one date twice.

    The overrides cover disjoint runs of one to ``max_days`` dates (``until`` given when the
    run is longer than a day, and sometimes when it is not) near a date drawn from ``dates``
    (default: like :func:`local_dates`, so mostly DST nights), in any order. About one in four
    is closed (``[]``); the others hold up to ``max_intervals`` pairs like
    :func:`wall_intervals`.
    """
    _check_sizes("min_size", min_size, "max_size", max_size)
    _check_int("max_days", max_days, 1, 3660)
    _check_int("max_intervals", max_intervals, 0)
    return _overrides(dates, _time_hints(near), min_size, max_size, max_days, max_intervals,
                      seconds)


def _schedule_from(s: dict[str, Any]) -> Schedule:
    weekly = {d: [tuple(p) for p in v] for d, v in s["weekly"].items()}
    return Schedule(s["timezone"], weekly, [_override_from(o) for o in s.get("overrides", ())])


@lru_cache(maxsize=4096)
def _hints_near(zone: str, day: date, years: tuple[int, int]) -> tuple[int, ...]:
    lo, hi = day - timedelta(days=2), day + timedelta(days=2)
    span = (max(years[0], lo.year), min(years[1], hi.year))
    found = _transition_list(zone, span) if span[0] <= span[1] else ()
    return _hint_seconds([t for t in found if lo <= t.local_date <= hi])


def _draw_schedule_dict(draw: st.DrawFn, zone: str, day: date, years: tuple[int, int],
                        max_intervals: int, max_overrides: int, seconds: bool) -> dict[str, Any]:
    """A schedule as a JSON dict whose bounds cluster around the DST nights near ``day``."""
    hints = _hints_near(zone, day, years)
    weekly = _draw_weekly(draw, hints, max_intervals, True, seconds)
    for shift in (0, 1, -1):  # mostly open on the night itself and the days either side
        d = day + timedelta(days=shift)
        name = WEEKDAYS[d.weekday()]
        if max_intervals and not weekly.get(name) and _int(draw, 0, 3):
            weekly[name] = _draw_day(draw, hints, 1, max_intervals, seconds)
    out: dict[str, Any] = {"timezone": zone,
                           "weekly": {d: [list(p) for p in _pairs(v)] for d, v in weekly.items()}}
    ovs = _draw_override_dicts(draw, day, hints, 0, max_overrides, 3, max_intervals, seconds)
    if ovs or _coin(draw):
        out["overrides"] = ovs
    return out


@st.composite
def _schedules(draw: st.DrawFn, zones: tuple[str, ...] | None, years: tuple[int, int],
               max_intervals: int, max_overrides: int, seconds: bool) -> Schedule:
    setting = _draw_setting(draw, zones, years, True, 1, False)
    return _schedule_from(_draw_schedule_dict(draw, setting.zone, setting.day, years,
                                              max_intervals, max_overrides, seconds))


def schedules(*, zones: Sequence[str] | None = None, years: tuple[int, int] = DEFAULT_YEARS,
              max_intervals: int = 3, max_overrides: int = 3,
              seconds: bool = False) -> st.SearchStrategy[Schedule]:
    """Return a strategy for :class:`~slotcalc.Schedule` objects.

    The zone comes from ``zones`` / :func:`timezones`; weekly hours as :func:`weekly_hours`
    (mostly open on the DST night and the days either side) and up to ``max_overrides``
    non-overlapping overrides (:func:`overrides`) near one of the zone's DST nights, with
    bounds clustered on that night's wall times, so that windows start or end inside gaps and
    folds. ``seconds=True`` also draws ``"HH:MM:SS"`` bounds.
    """
    chosen = _check_zones(zones)
    span = _check_years(years)
    _check_int("max_intervals", max_intervals, 0)
    _check_int("max_overrides", max_overrides, 0)
    return _schedules(chosen, span, max_intervals, max_overrides, seconds)


# ---------------------------------------------------------------------------------------------
# Event policies


class _EventBounds(NamedTuple):
    aligns: tuple[str, ...]
    max_duration: int
    min_step: int
    max_buffer: int
    max_capacity: int
    max_notice: int
    max_horizon: int
    max_per_day: int


_DEFAULT_EVENT = _EventBounds(ALIGNS, 180, 5, 60, 4, 3 * 1440, 14, 5)


def _draw_small(draw: st.DrawFn, round_values: tuple[int, ...], top: int) -> int:
    """0, one of ``round_values`` up to ``top``, or anything from 0 to ``top``."""
    how = _int(draw, 0, 2)
    fits = [v for v in round_values if v <= top]
    if how == 0:
        return 0
    if how == 1 and fits:
        return _pick(draw, fits)
    return _int(draw, 0, top)


def _draw_event_dict(draw: st.DrawFn, b: _EventBounds, explicit: bool) -> dict[str, Any]:
    """An event policy as a JSON dict; each option is left at its default about half the time
    (and, with ``explicit``, sometimes spelled out with it)."""
    lengths = [m for m in (30, 60, 15, 45, 90, 120, 20, 25, 50)
               if b.min_step <= m <= b.max_duration]
    duration = _pick(draw, lengths) if lengths and _coin(draw) else _int(draw, b.min_step,
                                                                         b.max_duration)
    out: dict[str, Any] = {"duration": duration}

    def put(key: str, value: object, default: object) -> None:
        if value != default or (explicit and _coin(draw)):
            out[key] = value

    def maybe(key: str, value: int | None, default: int | None) -> None:
        put(key, value if _coin(draw) else default, default)

    steps = [s for s in (5, 10, 15, 30, 60) if s >= b.min_step]
    step = (_pick(draw, steps) if steps and _coin(draw)
            else _int(draw, b.min_step, max(b.min_step, 2 * b.max_duration)))
    maybe("step", step, duration)
    put("align", _pick(draw, b.aligns), "window")  # "window" first: shrinks to the default
    maybe("buffer_before", _draw_small(draw, (5, 10, 15, 30), b.max_buffer), 0)
    maybe("buffer_after", _draw_small(draw, (5, 10, 15, 30), b.max_buffer), 0)
    maybe("min_notice", _draw_small(draw, (30, 60, 120, 1440), b.max_notice), 0)
    if b.max_horizon:
        maybe("horizon_days", _int(draw, 1, b.max_horizon), None)
    maybe("capacity", _int(draw, 1, b.max_capacity), 1)
    if b.max_per_day:
        maybe("max_per_day", _int(draw, 1, b.max_per_day), None)
    return out


def _event_from(e: dict[str, Any]) -> EventPolicy:
    return EventPolicy(**e)


@st.composite
def _event_policies(draw: st.DrawFn, bounds: _EventBounds) -> EventPolicy:
    return _event_from(_draw_event_dict(draw, bounds, False))


def event_policies(*, aligns: Sequence[Literal["window", "clock", "free"]] = ALIGNS,
                   max_duration: int = 180, min_step: int = 5, max_buffer: int = 60,
                   max_capacity: int = 4, max_notice: int = 3 * 1440, max_horizon: int = 14,
                   max_per_day: int = 5) -> st.SearchStrategy[EventPolicy]:
    """Return a strategy for :class:`~slotcalc.EventPolicy` objects covering every option.

    ``duration`` (``min_step``..``max_duration`` minutes, often a round length), ``step``
    (the duration, a round step, or anything from ``min_step`` to twice ``max_duration``),
    each of ``aligns``, buffers up to ``max_buffer``, ``min_notice`` up to ``max_notice``,
    ``horizon_days`` None or up to ``max_horizon`` (0: always None), ``capacity`` up to
    ``max_capacity`` and ``max_per_day`` None or up to ``max_per_day`` (0: always None).
    Each option keeps its default in about half the examples, so failures shrink to the
    defaults.
    """
    chosen = tuple(aligns)
    if not chosen or any(a not in ALIGNS for a in chosen):
        raise InvalidArgument(f"aligns={aligns!r} must be a non-empty subset of {ALIGNS}")
    _check_int("min_step", min_step, 1, 1440)
    _check_int("max_duration", max_duration, min_step, 1440)
    _check_int("max_buffer", max_buffer, 0, 1440)
    _check_int("max_capacity", max_capacity, 1, 1000)
    _check_int("max_notice", max_notice, 0, 366 * 1440)
    _check_int("max_horizon", max_horizon, 0, 3660)
    _check_int("max_per_day", max_per_day, 0, 1000)
    return _event_policies(_EventBounds(chosen, max_duration, min_step, max_buffer, max_capacity,
                                        max_notice, max_horizon, max_per_day))


# ---------------------------------------------------------------------------------------------
# Instants: drawn as epoch seconds, written with a zone's offset, UTC or an odd fixed offset.


class _Moment(NamedTuple):
    t: int  # epoch seconds
    us: int  # microseconds
    tz: str | int  # "Z", "z", a zone name, or a fixed offset in seconds


def _tzinfo(tz: str | int) -> tzinfo:
    if isinstance(tz, int):
        return timezone(timedelta(seconds=tz))
    if tz in ("Z", "z"):
        return UTC
    return ZoneInfo(tz)


def _as_datetime(m: _Moment) -> datetime:
    return datetime.fromtimestamp(m.t, _tzinfo(m.tz)).replace(microsecond=m.us)


def _as_text(m: _Moment) -> str:
    moment = _as_datetime(m)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S") + (f".{m.us:06d}".rstrip("0") if m.us else "")
    if m.tz in ("Z", "z"):
        return text + str(m.tz)
    off = moment.utcoffset()
    assert off is not None
    secs = int(off.total_seconds())
    sign = "-" if secs < 0 else "+"
    h, rest = divmod(abs(secs) // 60, 60)
    return f"{text}{sign}{h:02d}:{rest:02d}"


def _draw_moment(draw: st.DrawFn, t: int, zone: str, lower: bool, us: int = 0) -> _Moment:
    """The instant ``t`` written in UTC, in ``zone`` or with an odd fixed offset."""
    how = _int(draw, 0, 4 if lower else 3)
    tz: str | int
    if how == 0:
        tz = "Z"
    elif how == 1:
        tz = zone
    elif how == 2:
        tz = _pick(draw, _ODD_OFFSETS)
    elif how == 3:
        tz = _pick(draw, _WEIGHTED_ZONES)
    else:
        tz = "z"
    return _Moment(t, us, tz)


def _local_midnight(zone: str, day: date) -> int:
    return wall_to_epoch(load_zone(zone), day, 0)


# ---------------------------------------------------------------------------------------------
# Queries


class _QueryPlan(NamedTuple):
    start: date | _Moment
    end: date | _Moment
    timezone: str | None
    now: _Moment
    exclude: tuple[str, ...]
    limit: int | None
    lo: int  # the range as epoch seconds
    hi: int


def _draw_query_plan(draw: st.DrawFn, zone: str, day: date, max_days: int,
                     by_dates: bool | None, viewer_zones: tuple[str, ...] | None,
                     ids: tuple[str, ...], lower: bool, limit: bool) -> _QueryPlan:
    """A query near local ``day``; ``zone`` is the zone a missing ``timezone`` falls back to."""
    tz_field = _pick(draw, viewer_zones or _WEIGHTED_ZONES) if _coin(draw) else None
    qzone = tz_field or zone
    first = day - timedelta(days=_int(draw, 0, 1))
    dated = _coin(draw) if by_dates is None else by_dates
    start: date | _Moment
    end: date | _Moment
    if dated:
        last = first + timedelta(days=_int(draw, 0, max_days - 1))
        start, end = first, last
        lo = _local_midnight(qzone, first)
        hi = _local_midnight(qzone, last + timedelta(days=1))
    else:
        offset = (_pick(draw, (0, 9 * _HOUR, 12 * _HOUR)) if _coin(draw)
                  else _int(draw, -12 * 60, 36 * 60) * _MINUTE)
        lo = _local_midnight(qzone, first) + offset
        round_spans = [s for s in (DAY, max_days * DAY, 2 * DAY, 6 * _HOUR)
                       if s <= max_days * DAY]
        span = (_pick(draw, round_spans) if _int(draw, 0, 2)
                else _int(draw, 1, max_days * 1440) * _MINUTE)
        hi = lo + span
        start = _draw_moment(draw, lo, qzone, lower)
        end = _draw_moment(draw, hi, qzone, lower)
    when = _int(draw, 0, 5)
    if when <= 2:  # shortly before the range
        now_t = lo - _pick(draw, (0, _HOUR, DAY, 7 * DAY, 30 * _MINUTE))
    elif when == 3:  # inside the range
        now_t = lo + _int(draw, 0, (hi - lo) // _MINUTE) * _MINUTE
    elif when == 4:  # after the range: an empty answer (and a next_available, if any)
        now_t = hi + _int(draw, 0, 2 * 1440) * _MINUTE
    else:  # up to 20 days before
        now_t = lo - _int(draw, 0, 20 * 1440) * _MINUTE
    now = _draw_moment(draw, now_t, qzone, lower)
    exclude: tuple[str, ...] = ()
    if ids or _int(draw, 0, 9) == 9:
        pool = (*ids, "missing-id")
        exclude = tuple(dict.fromkeys(_pick(draw, pool) for _ in range(_int(draw, 0, 3))))
    lim = _int(draw, 1, 6) if limit and _int(draw, 0, 2) == 2 else None
    return _QueryPlan(start, end, tz_field, now, exclude, lim, lo, hi)


def _query_from(p: _QueryPlan) -> Query:
    start = p.start if isinstance(p.start, date) else _as_datetime(p.start)
    end = p.end if isinstance(p.end, date) else _as_datetime(p.end)
    return Query(start, end, timezone=p.timezone, now=_as_datetime(p.now), exclude=p.exclude,
                 limit=p.limit)


def _query_dict(p: _QueryPlan, draw: st.DrawFn) -> dict[str, Any]:
    out: dict[str, Any] = {
        "start": p.start.isoformat() if isinstance(p.start, date) else _as_text(p.start),
        "end": p.end.isoformat() if isinstance(p.end, date) else _as_text(p.end),
        "now": _as_text(p.now),
    }
    if p.timezone is not None:
        out["timezone"] = p.timezone
    if p.exclude or _int(draw, 0, 4) == 4:
        out["exclude"] = list(p.exclude)
    if p.limit is not None:
        out["limit"] = p.limit
    return out


@st.composite
def _queries(draw: st.DrawFn, zone: str | None, zones: tuple[str, ...] | None,
             dates: st.SearchStrategy[date] | None, max_days: int, by_dates: bool | None,
             ids: tuple[str, ...], limit: bool, years: tuple[int, int]) -> Query:
    setting = _draw_setting(draw, (zone,) if zone is not None else zones, years, True, 1, False)
    day = draw(dates) if dates is not None else setting.day
    return _query_from(_draw_query_plan(draw, setting.zone, day, max_days, by_dates, zones, ids,
                                        False, limit))


def queries(*, zone: str | None = None, zones: Sequence[str] | None = None,
            dates: st.SearchStrategy[date] | None = None, max_days: int = 3,
            by_dates: bool | None = None, exclude: Sequence[str] = (),
            limit: bool = True, years: tuple[int, int] = DEFAULT_YEARS) -> st.SearchStrategy[Query]:
    """Return a strategy for :class:`~slotcalc.Query` objects, always with an explicit ``now``.

    ``zone`` is the schedule's zone (what ``timezone=None`` falls back to; drawn from
    ``zones`` / :func:`timezones` when not given). The query's own ``timezone`` is None about
    half the time, else drawn from ``zones`` / :func:`timezones`. The range starts on or the
    day before a date from ``dates`` (default: DST nights of that zone) and spans up to
    ``max_days`` days: two local dates (``by_dates=True``), two instants (``False``) or either
    (``None``). ``now`` lies before the range (mostly), inside it, or after it (an empty
    answer). ``exclude`` lists busy ids the query may leave out (plus an unknown id, rarely);
    with ``limit`` about a third of the queries cap the number of slots.
    """
    chosen = _check_zones(zones)
    fixed = _check_zone(zone) if zone is not None else None
    span = _check_years(years)
    _check_int("max_days", max_days, 1, MAX_RANGE_DAYS - 1)
    ids = tuple(exclude)
    if any(not isinstance(i, str) for i in ids):
        raise InvalidArgument(f"exclude={exclude!r} must hold strings")
    return _queries(fixed, chosen, dates, max_days, by_dates, ids, limit, span)


# ---------------------------------------------------------------------------------------------
# Busy time and seat bookings, placed on the schedule's windows


def _window_edges(schedule: Schedule, lo: int, hi: int) -> list[int]:
    """Instants where the schedule's wall intervals start or end, near ``[lo, hi)``.

    Cost: O(days × intervals) zone lookups, for the days of ``[lo − 1 day, hi + 1 day]``
    (at most 400 of them).
    """
    zone = schedule.zone
    first = datetime.fromtimestamp(lo, zone).date() - timedelta(days=1)
    last = datetime.fromtimestamp(hi, zone).date() + timedelta(days=1)
    out: set[int] = set()
    day = first
    while day <= last and (day - first).days <= 400:
        for a, b in schedule.intervals_on(day):
            out.add(wall_to_epoch(zone, day, a))
            out.add(wall_to_epoch(zone, day, b))
        day += timedelta(days=1)
    return sorted(t for t in out if lo - 2 * DAY <= t <= hi + 2 * DAY)


def _anchors(schedule: Schedule | None, lo: int, hi: int) -> tuple[int, ...]:
    edges = _window_edges(schedule, lo, hi) if schedule is not None else []
    return tuple(sorted({lo, hi, *edges}))


class _BusyPlan(NamedTuple):
    start: _Moment
    end: _Moment
    seats: int | None
    id: str | None


_OFFSETS = tuple(m * _MINUTE for m in (0, -15, 15, -30, 30, -60, 60, -5, 5, -120, 120))
_BUSY_LENGTHS = tuple(m * _MINUTE for m in (60, 30, 15, 90, 120, 45, 240, 1440, 5))


def _draw_busy_entry(draw: st.DrawFn, anchors: tuple[int, ...], zone: str, seats: int | None,
                     ident: str | None, lower: bool, grid: int) -> _BusyPlan:
    a = _pick(draw, anchors)
    if grid and _coin(draw):
        a += _int(draw, 0, 8) * grid
    start = a + (_pick(draw, _OFFSETS) if _coin(draw) else _int(draw, -600, 600) * _MINUTE)
    length = _pick(draw, _BUSY_LENGTHS) if _coin(draw) else _int(draw, 1, 720) * _MINUTE
    jitter = _int(draw, -59, 59) if _int(draw, 0, 2) == 2 else 0  # off-minute seconds
    us = _int(draw, 1, 999_999) if _int(draw, 0, 3) == 3 else 0
    return _BusyPlan(_draw_moment(draw, start + jitter, zone, lower, us),
                     _draw_moment(draw, start + length, zone, lower), seats, ident)


def _draw_busy_plans(draw: st.DrawFn, anchors: tuple[int, ...], zone: str, min_size: int,
                     max_size: int, id_prefix: str, lower: bool, grid: int) -> list[_BusyPlan]:
    return [_draw_busy_entry(draw, anchors, zone, None,
                             f"{id_prefix}{i}" if _coin(draw) else None, lower, grid)
            for i in range(_int(draw, min_size, max_size))]


def _draw_seat_plans(draw: st.DrawFn, anchors: tuple[int, ...], zone: str, capacity: int,
                     min_size: int, max_size: int, id_prefix: str, lower: bool,
                     grid: int) -> list[_BusyPlan]:
    """Bookings with seats; often a stack that together fills (or nearly fills) capacity."""
    out: list[_BusyPlan] = []
    if max_size and _coin(draw):
        # a stack of bookings that all hold one instant: seats sum to capacity (or one less)
        a = _pick(draw, anchors)
        if grid and _coin(draw):
            a += _int(draw, 0, 4) * grid
        total = capacity - _pick(draw, (0, 0, 1))
        while total > 0 and len(out) < max_size:
            k = total if len(out) == max_size - 1 else _int(draw, 1, total)
            total -= k
            before = _pick(draw, (0, 0, 15, 30, 60)) * _MINUTE
            after = _pick(draw, (15, 30, 60, 120, 240)) * _MINUTE
            out.append(_BusyPlan(_draw_moment(draw, a - before, zone, lower),
                                 _draw_moment(draw, a + after, zone, lower), k, None))
    while len(out) < min_size or (len(out) < max_size and _coin(draw)):
        k = _int(draw, 1, capacity) if _int(draw, 0, 5) else capacity + 1
        out.append(_draw_busy_entry(draw, anchors, zone, k, None, lower, grid))
    out = _shuffled(draw, out)
    return [p._replace(id=f"{id_prefix}{i}" if _coin(draw) else None) for i, p in enumerate(out)]


def _busy_from(p: _BusyPlan) -> Busy:
    return Busy(_as_datetime(p.start), _as_datetime(p.end), seats=p.seats, id=p.id)


def _busy_dict(p: _BusyPlan) -> dict[str, Any]:
    out: dict[str, Any] = {"start": _as_text(p.start), "end": _as_text(p.end)}
    if p.seats is not None:
        out["seats"] = p.seats
    if p.id is not None:
        out["id"] = p.id
    return out


def _query_range(query: Query, zone: str) -> tuple[int, int]:
    if isinstance(query.start, datetime) and isinstance(query.end, datetime):
        return to_epoch(query.start), to_epoch(query.end)
    qzone = query.timezone or zone
    assert isinstance(query.start, date) and isinstance(query.end, date)
    return (_local_midnight(qzone, query.start),
            _local_midnight(qzone, query.end + timedelta(days=1)))


def _draw_around(draw: st.DrawFn, schedule: Schedule | None, query: Query | None,
                 between: tuple[datetime, datetime] | None) -> tuple[tuple[int, ...], str]:
    """Anchor instants to place busy time on, and a zone to write instants in."""
    zone = schedule.timezone if schedule is not None else None
    if query is not None:
        lo, hi = _query_range(query, zone or "UTC")
    elif between is not None:
        lo, hi = to_epoch(between[0]), to_epoch(between[1])
    else:  # a day near one of the DST nights of the schedule's zone (or of any zone)
        setting = _draw_setting(draw, None if zone is None else (zone,), DEFAULT_YEARS, True, 1,
                                False)
        zone = zone or setting.zone
        lo = _local_midnight(setting.zone, setting.day)
        hi = lo + DAY
    return _anchors(schedule, lo, hi), zone or "UTC"


def _check_between(between: tuple[datetime, datetime] | None) -> None:
    if between is None:
        return
    if (len(between) != 2
            or any(not isinstance(x, datetime) or x.utcoffset() is None for x in between)
            or to_epoch(between[1]) <= to_epoch(between[0])):  # instants, not wall clocks
        raise InvalidArgument(f"between={between!r} must be two aware datetimes, start < end")


@st.composite
def _busy_lists(draw: st.DrawFn, schedule: Schedule | None, query: Query | None,
                between: tuple[datetime, datetime] | None, min_size: int, max_size: int,
                grid: int) -> list[Busy]:
    anchors, zone = _draw_around(draw, schedule, query, between)
    plans = _draw_busy_plans(draw, anchors, zone, min_size, max_size, "b", False, grid)
    return [_busy_from(p) for p in plans]


def busy_lists(*, schedule: Schedule | None = None, query: Query | None = None,
               between: tuple[datetime, datetime] | None = None, min_size: int = 0,
               max_size: int = 4, step: int = 0) -> st.SearchStrategy[list[Busy]]:
    """Return a strategy for lists of blocking :class:`~slotcalc.Busy` entries (no ``seats``).

    Entries start on, or a few minutes to hours from, the instants where ``schedule``'s
    windows open and close within ``query``'s range (or ``between``, or one day near a DST
    night when neither is given), so they really overlap slots. ``step`` (minutes) also puts
    them on grid points after those edges. Lengths run from 1 minute to a day; some instants
    have odd seconds or microseconds (slotcalc floors starts and ceils ends), and they are
    written in UTC, the schedule's zone, another zone or an odd fixed offset. About half carry
    an ``id`` (``"b0"``, ``"b1"``, …).
    """
    _check_sizes("min_size", min_size, "max_size", max_size)
    _check_between(between)
    _check_int("step", step, 0)
    return _busy_lists(schedule, query, between, min_size, max_size, step * _MINUTE)


@st.composite
def _seat_bookings(draw: st.DrawFn, capacity: int, schedule: Schedule | None,
                   query: Query | None, between: tuple[datetime, datetime] | None,
                   min_size: int, max_size: int, grid: int) -> list[Busy]:
    anchors, zone = _draw_around(draw, schedule, query, between)
    plans = _draw_seat_plans(draw, anchors, zone, capacity, min_size, max_size, "s", False, grid)
    return [_busy_from(p) for p in plans]


def seat_bookings(*, capacity: int, schedule: Schedule | None = None,
                  query: Query | None = None, between: tuple[datetime, datetime] | None = None,
                  min_size: int = 0, max_size: int = 4,
                  step: int = 0) -> st.SearchStrategy[list[Busy]]:
    """Return a strategy for existing bookings (:class:`~slotcalc.Busy` with ``seats``).

    Placed like :func:`busy_lists`. About half the lists hold a stack of bookings that all
    overlap one instant (a window edge or grid point) with seats adding up to ``capacity``
    (so slots there are full) or ``capacity − 1`` (one seat left); other bookings take 1 to
    ``capacity`` seats, rarely ``capacity + 1``. About half carry an ``id`` (``"s0"``, …).
    """
    _check_int("capacity", capacity, 1, 1000)
    _check_sizes("min_size", min_size, "max_size", max_size)
    _check_between(between)
    _check_int("step", step, 0)
    return _seat_bookings(capacity, schedule, query, between, min_size, max_size, step * _MINUTE)


# ---------------------------------------------------------------------------------------------
# Scenarios: one coherent input around one DST night


class Scenario(NamedTuple):
    """A schedule, an event policy, busy time and a query drawn around one DST transition.

    Pass it on as ``find_slots(s.schedule, s.event, s.query, s.busy)``. ``transition`` is the
    night the scenario is built around (None when the zone has none in the years asked).
    """

    schedule: Schedule
    event: EventPolicy
    busy: tuple[Busy, ...]
    query: Query
    transition: Transition | None


def _draw_exclude(draw: st.DrawFn, plan: _QueryPlan, busy: Sequence[_BusyPlan]) -> _QueryPlan:
    """Sometimes let the query leave out some of the busy entries that have ids."""
    ids = [p.id for p in busy if p.id is not None]
    if not ids or not _coin(draw):
        return plan
    picked = dict.fromkeys(_pick(draw, ids) for _ in range(_int(draw, 1, 3)))
    return plan._replace(exclude=tuple(picked))


@st.composite
def _scenario(draw: st.DrawFn, zones: tuple[str, ...] | None, years: tuple[int, int],
              max_days: int, max_busy: int, max_intervals: int, max_overrides: int,
              event: st.SearchStrategy[EventPolicy] | None) -> Scenario:
    zone, day, tr = _draw_setting(draw, zones, years, True, 0, False)
    schedule = _schedule_from(_draw_schedule_dict(draw, zone, day, years, max_intervals,
                                                  max_overrides, False))
    policy = draw(event) if event is not None else _event_from(
        _draw_event_dict(draw, _DEFAULT_EVENT, False))
    plan = _draw_query_plan(draw, zone, day, max_days, None, zones, (), False, True)
    anchors = _anchors(schedule, plan.lo, plan.hi)
    grid = policy.step * _MINUTE
    busy = _draw_busy_plans(draw, anchors, zone, 0, max_busy, "b", False, grid)
    if max_busy and _coin(draw):
        busy += _draw_seat_plans(draw, anchors, zone, policy.capacity, 0, max_busy, "s", False,
                                 grid)
    plan = _draw_exclude(draw, plan, busy)
    return Scenario(schedule, policy, tuple(_busy_from(p) for p in busy), _query_from(plan), tr)


def scenarios(*, zones: Sequence[str] | None = None, years: tuple[int, int] = DEFAULT_YEARS,
              max_days: int = 3, max_busy: int = 4, max_intervals: int = 3,
              max_overrides: int = 2,
              event: st.SearchStrategy[EventPolicy] | None = None) -> st.SearchStrategy[Scenario]:
    """Return a strategy for :class:`Scenario` bundles built around one DST night.

    The zone comes from ``zones`` / :func:`timezones`; when it changes offset in ``years`` the
    scenario centres on one such night (an unusual one about half the time): the schedule's
    bounds and overrides cluster on the night's wall times, the query range (up to
    ``max_days`` days, dates or instants, any viewer zone, explicit ``now``) covers it, and up
    to ``max_busy`` blocking entries and seat bookings sit on the windows' edges and the
    event's grid. ``event`` replaces :func:`event_policies`.
    """
    chosen = _check_zones(zones)
    span = _check_years(years)
    _check_int("max_days", max_days, 1, MAX_RANGE_DAYS - 1)
    _check_int("max_busy", max_busy, 0)
    _check_int("max_intervals", max_intervals, 0)
    _check_int("max_overrides", max_overrides, 0)
    return _scenario(chosen, span, max_days, max_busy, max_intervals, max_overrides, event)


# ---------------------------------------------------------------------------------------------
# Teams


def _draw_team(draw: st.DrawFn, max_min: int) -> Team:
    how = _int(draw, 0, 3)
    if how == 0:
        return Team("all")
    if how == 1:
        return Team("any")
    return Team("any", _int(draw, 1, max_min))  # half the teams have a min


@st.composite
def _teams(draw: st.DrawFn, max_min: int) -> Team:
    return _draw_team(draw, max_min)


def teams(*, max_min: int = 3) -> st.SearchStrategy[Team]:
    """Return a strategy for :class:`~slotcalc.Team`: ``"all"``, or ``"any"`` with ``min``
    None or 1..``max_min``.

    slotcalc refuses a ``min`` above the number of hosts, so pass the size of the host list
    as ``max_min`` (or use :func:`team_scenarios`, which does).
    """
    _check_int("max_min", max_min, 1)
    return _teams(max_min)


def _team_dict(draw: st.DrawFn, n_hosts: int) -> dict[str, Any]:
    team = _draw_team(draw, n_hosts)
    out: dict[str, Any] = {"mode": team.mode}
    if team.mode == "any" and (team.min > 1 or _coin(draw)):
        out["min"] = team.min
    return out


_ID_CHARS = st.characters(exclude_categories=["Cs"])


def _draw_host_ids(draw: st.DrawFn, n: int) -> list[str]:
    """``n`` distinct, non-empty host ids: mostly names, sometimes any Unicode text."""
    if n <= len(_NAMES) and _int(draw, 0, 3) < 3:
        return _shuffled(draw, _NAMES)[:n]
    out: list[str] = []
    while len(out) < n:
        ident: str = draw(st.text(_ID_CHARS, min_size=1, max_size=6))
        if ident not in out:
            out.append(ident)
    return out


def _draw_host_plans(draw: st.DrawFn, zone: str, day: date, years: tuple[int, int], n: int,
                     zones: tuple[str, ...] | None, plan: _QueryPlan, max_busy: int,
                     max_intervals: int, max_overrides: int, capacity: int, grid: int,
                     variety: bool) -> list[tuple[dict[str, Any], Schedule, list[_BusyPlan]]]:
    """``n`` hosts' schedules (first in ``zone``) and busy time, around ``day`` and ``plan``.

    ``variety`` (for JSON requests) adds wall times with seconds and lowercase ``z``.
    """
    out: list[tuple[dict[str, Any], Schedule, list[_BusyPlan]]] = []
    for i in range(n):
        how = _int(draw, 0, 2) if i else 1
        if how == 0:  # a colleague with the first host's hours (only the busy time differs)
            z, sched = zone, out[0][0]
        else:  # hours of their own, in the first host's zone or another
            z = zone if how == 1 else _pick(draw, zones or _WEIGHTED_ZONES)
            sched = _draw_schedule_dict(draw, z, day, years, max_intervals, max_overrides,
                                        variety)
        schedule = _schedule_from(sched)
        anchors = _anchors(schedule, plan.lo, plan.hi)
        busy = _draw_busy_plans(draw, anchors, z, 0, max_busy, f"b{i}_", variety, grid)
        if max_busy and _coin(draw):
            busy += _draw_seat_plans(draw, anchors, z, capacity, 0, max_busy, f"s{i}_", variety,
                                     grid)
        out.append((sched, schedule, busy))
    return out


@st.composite
def _host(draw: st.DrawFn, zones: tuple[str, ...] | None, years: tuple[int, int],
          max_busy: int, ident: str | None) -> Host:
    zone, day, _ = _draw_setting(draw, zones, years, True, 1, False)
    lo = _local_midnight(zone, day)
    plan = _QueryPlan(day, day, None, _Moment(lo, 0, "Z"), (), None, lo, lo + DAY)
    [(_, schedule, busy)] = _draw_host_plans(draw, zone, day, years, 1, zones, plan, max_busy,
                                             3, 2, 1, 0, False)
    name = ident if ident is not None else _draw_host_ids(draw, 1)[0]
    return Host(name, schedule, [_busy_from(p) for p in busy if p.seats is None])


def hosts(*, zones: Sequence[str] | None = None, years: tuple[int, int] = DEFAULT_YEARS,
          max_busy: int = 3, id: str | None = None) -> st.SearchStrategy[Host]:
    """Return a strategy for :class:`~slotcalc.Host`: an id (``id`` or a drawn non-empty name),
    a schedule like :func:`schedules`, and up to ``max_busy`` blocking entries on the
    schedule's windows around the DST night it was built for.

    slotcalc refuses two hosts with one id in a team: draw lists with
    ``st.lists(hosts(), unique_by=lambda h: h.id)``, or use :func:`team_scenarios`.
    """
    chosen = _check_zones(zones)
    span = _check_years(years)
    _check_int("max_busy", max_busy, 0)
    if id is not None and (not isinstance(id, str) or not id):
        raise InvalidArgument(f"id={id!r} must be a non-empty string")
    return _host(chosen, span, max_busy, id)


class TeamScenario(NamedTuple):
    """Hosts, an event policy, a team rule and a query drawn around one DST transition.

    Pass it on as ``find_team_slots(s.hosts, s.event, s.query, s.team)``. Host ids are
    unique and ``team.min`` never exceeds the number of hosts. ``transition`` is the night of
    the first host's zone the scenario is built around (None when it has none).
    """

    hosts: tuple[Host, ...]
    event: EventPolicy
    team: Team
    query: Query
    transition: Transition | None


@st.composite
def _team_scenario(draw: st.DrawFn, zones: tuple[str, ...] | None, years: tuple[int, int],
                   max_hosts: int, max_days: int, max_busy: int,
                   event: st.SearchStrategy[EventPolicy] | None) -> TeamScenario:
    zone, day, tr = _draw_setting(draw, zones, years, True, 0, False)
    n = _int(draw, 1, max_hosts)
    policy = draw(event) if event is not None else _event_from(
        _draw_event_dict(draw, _DEFAULT_EVENT, False))
    plan = _draw_query_plan(draw, zone, day, max_days, None, zones, (), False, True)
    found = _draw_host_plans(draw, zone, day, years, n, zones, plan, max_busy, 3, 2,
                             policy.capacity, policy.step * _MINUTE, False)
    names = _draw_host_ids(draw, n)
    plan = _draw_exclude(draw, plan, [p for _, _, busy in found for p in busy])
    people = tuple(Host(names[i], schedule, [_busy_from(p) for p in busy])
                   for i, (_, schedule, busy) in enumerate(found))
    return TeamScenario(people, policy, _draw_team(draw, n), _query_from(plan), tr)


def team_scenarios(*, zones: Sequence[str] | None = None, years: tuple[int, int] = DEFAULT_YEARS,
                   max_hosts: int = 3, max_days: int = 3, max_busy: int = 3,
                   event: st.SearchStrategy[EventPolicy] | None = None
                   ) -> st.SearchStrategy[TeamScenario]:
    """Return a strategy for :class:`TeamScenario` bundles: 1 to ``max_hosts`` hosts.

    Like :func:`scenarios` for teams: the first host's zone and one of its DST nights set the
    scene; other hosts share the first host's hours, or have their own in that zone or
    another; each host's busy time and seat
    bookings sit on its own windows; the team is ``all`` or ``any`` with a ``min`` of at most
    the number of hosts.
    """
    chosen = _check_zones(zones)
    span = _check_years(years)
    _check_int("max_hosts", max_hosts, 1, 50)
    _check_int("max_days", max_days, 1, MAX_RANGE_DAYS - 1)
    _check_int("max_busy", max_busy, 0)
    return _team_scenario(chosen, span, max_hosts, max_days, max_busy, event)


# ---------------------------------------------------------------------------------------------
# JSON requests


@st.composite
def _request(draw: st.DrawFn, zones: tuple[str, ...] | None, years: tuple[int, int],
             team: bool | None, max_hosts: int, max_days: int, max_busy: int,
             max_intervals: int, max_overrides: int) -> dict[str, Any]:
    zone, day, _ = _draw_setting(draw, zones, years, True, 1, False)
    is_team = _coin(draw) if team is None else team
    event = _draw_event_dict(draw, _DEFAULT_EVENT, True)
    grid = int(event.get("step", event["duration"])) * _MINUTE
    n = _int(draw, 1, max_hosts) if is_team else 1
    plan = _draw_query_plan(draw, zone, day, max_days, None, zones, (), True, True)
    found = _draw_host_plans(draw, zone, day, years, n, zones, plan, max_busy, max_intervals,
                             max_overrides, int(event.get("capacity", 1)), grid, True)
    plan = _draw_exclude(draw, plan, [p for _, _, busy in found for p in busy])
    names = _draw_host_ids(draw, n) if is_team else []
    people: list[dict[str, Any]] = []
    for i, (sched, _, busy) in enumerate(found):
        entry: dict[str, Any] = {"id": names[i]} if is_team else {}
        entry["schedule"] = sched
        if busy or _coin(draw):
            entry["busy"] = [_busy_dict(p) for p in busy]
        people.append(entry)
    request: dict[str, Any] = (
        {"hosts": people, "team": _team_dict(draw, n)} if is_team else dict(people[0]))
    request["event"] = event
    request["query"] = _query_dict(plan, draw)
    return request


def requests(*, zones: Sequence[str] | None = None, years: tuple[int, int] = DEFAULT_YEARS,
             team: bool | None = None, max_hosts: int = 3, max_days: int = 3, max_busy: int = 3,
             max_intervals: int = 3,
             max_overrides: int = 2) -> st.SearchStrategy[dict[str, Any]]:
    """Return a strategy for whole JSON requests (SPEC §2), valid by construction.

    Each is a ``dict`` ready for ``json.dumps`` or :func:`slotcalc.answer_request`: a
    ``schedule``, ``event``, ``query`` and ``busy`` (``team=False``), or ``hosts`` (1 to
    ``max_hosts``, unique ids, each with its own zone, schedule and busy time) and ``team``
    (``team=True``), or either (``None``, the default). Everything is built around one DST
    night of the first zone as in :func:`scenarios`; optional fields are sometimes left out
    and sometimes spelled out with their defaults; instants use ``Z``, ``z``, zone offsets or
    odd fixed offsets, some with fractions of a second; wall times sometimes have seconds.
    """
    chosen = _check_zones(zones)
    span = _check_years(years)
    _check_int("max_hosts", max_hosts, 1, 50)
    _check_int("max_days", max_days, 1, MAX_RANGE_DAYS - 1)
    _check_int("max_busy", max_busy, 0)
    _check_int("max_intervals", max_intervals, 0)
    _check_int("max_overrides", max_overrides, 0)
    return _request(chosen, span, team, max_hosts, max_days, max_busy, max_intervals,
                    max_overrides)


def team_requests(*, zones: Sequence[str] | None = None, years: tuple[int, int] = DEFAULT_YEARS,
                  max_hosts: int = 3, max_days: int = 3, max_busy: int = 3,
                  max_intervals: int = 3,
                  max_overrides: int = 2) -> st.SearchStrategy[dict[str, Any]]:
    """Return a strategy for JSON team requests: :func:`requests` with ``team=True``.

    ``team`` is ``{"mode": "all"}`` or ``{"mode": "any"}``, sometimes with a ``min`` from 1
    to the number of hosts (a larger ``min`` is refused as ``invalid_value``).
    """
    return requests(zones=zones, years=years, team=True, max_hosts=max_hosts, max_days=max_days,
                    max_busy=max_busy, max_intervals=max_intervals, max_overrides=max_overrides)


# ---------------------------------------------------------------------------------------------
# st.from_type registration


def _strategy_for(cls: type) -> st.SearchStrategy[Any]:
    """Return the strategy ``st.from_type(cls)`` uses for one of slotcalc's input types."""
    if cls is Schedule:
        return schedules()
    if cls is Override:
        return overrides(min_size=1, max_size=1).map(lambda os: os[0])
    if cls is EventPolicy:
        return event_policies()
    if cls is Busy:
        return st.one_of(busy_lists(min_size=1, max_size=1),
                         seat_bookings(capacity=2, min_size=1, max_size=1)).map(lambda bs: bs[0])
    if cls is Query:
        return queries()
    if cls is Host:
        return hosts()
    if cls is Team:
        return teams()
    raise InvalidArgument(f"slotcalc has no strategy for {cls!r}")
