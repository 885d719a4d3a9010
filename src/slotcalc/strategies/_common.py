"""Shared pieces of the strategies: drawing helpers, argument checks, zone lists, instants.

Inner generators are plain functions of ``draw`` that only draw from cached primitive
strategies (``st.integers(lo, hi)`` is built once per bounds): building a fresh
``one_of``/``map`` strategy per draw costs more than the draw itself. Choices are listed
simplest first, since Hypothesis shrinks an index toward 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from typing import Literal, NamedTuple, TypeVar
from zoneinfo import ZoneInfo

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from .._tz import load_zone, wall_to_epoch
from ..errors import SlotcalcError

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
    "Pacific/Auckland",
)
#: The default span of years (inclusive) for instants and dates.
DEFAULT_YEARS: tuple[int, int] = (2000, 2040)
#: Every value of ``EventPolicy.align``.
ALIGNS: tuple[Literal["window", "clock", "free"], ...] = ("window", "clock", "free")
#: Every value of ``Team.grid``.
GRIDS: tuple[Literal["team", "host"], ...] = ("team", "host")
#: Every value of ``Query.output``.
OUTPUTS: tuple[Literal["slots", "periods"], ...] = ("slots", "periods")

WEIGHTED_ZONES = COMMON_ZONES + HARD_ZONES + HARD_ZONES  # hard zones twice as likely
MINUTE = 60
HOUR = 3600
#: Fixed UTC offsets (seconds) that instants are sometimes written in.
ODD_OFFSETS = (0, 3600, -18000, 19800, 20700, 45900, -9000, 50400, -43200, 34200)
NAMES = ("ana", "bo", "chen", "dev", "eli", "fatima")

T = TypeVar("T")


def draw_int(draw: st.DrawFn, lo: int, hi: int) -> int:
    value: int = draw(st.integers(lo, hi))
    return value


def pick(draw: st.DrawFn, options: Sequence[T]) -> T:
    return options[draw_int(draw, 0, len(options) - 1)]


def coin(draw: st.DrawFn) -> bool:
    flip: bool = draw(st.booleans())
    return flip


def rarely(draw: st.DrawFn, one_in: int) -> bool:
    """True about once in ``one_in`` draws (shrinks to False)."""
    return draw_int(draw, 0, one_in - 1) == one_in - 1


def shuffled(draw: st.DrawFn, items: Sequence[T]) -> list[T]:
    """``items`` in an order drawn by Fisher–Yates (shrinks toward the given order)."""
    out = list(items)
    for i in range(len(out) - 1):
        j = draw_int(draw, i, len(out) - 1)
        out[i], out[j] = out[j], out[i]
    return out


# ---------------------------------------------------------------------------------------------
# Argument checks: errors name the argument and the value, as Hypothesis' own do.


def check_int(name: str, value: object, lo: int, hi: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidArgument(f"{name}={value!r} must be an integer")
    if value < lo or (hi is not None and value > hi):
        top = "" if hi is None else f" and at most {hi}"
        raise InvalidArgument(f"{name}={value!r} must be at least {lo}{top}")
    return value


def check_bool(name: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise InvalidArgument(f"{name}={value!r} must be True or False")
    return value


def check_sizes(min_name: str, min_size: int, max_name: str, max_size: int) -> None:
    check_int(min_name, min_size, 0)
    check_int(max_name, max_size, 0)
    if min_size > max_size:
        raise InvalidArgument(f"{min_name}={min_size!r} is larger than {max_name}={max_size!r}")


def check_choices(name: str, value: object, allowed: Sequence[str]) -> tuple[str, ...]:
    """Return ``value`` as a tuple if it is a non-empty sequence of values from ``allowed``."""
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise InvalidArgument(f"{name}={value!r} must be a non-empty sequence of {allowed}")
    out = tuple(value)
    if not out or any(v not in allowed for v in out):
        raise InvalidArgument(f"{name}={value!r} must be a non-empty subset of {allowed}")
    return out


def check_zones(zones: Sequence[str] | None, name: str = "zones") -> tuple[str, ...] | None:
    if zones is None:
        return None
    if isinstance(zones, str):
        raise InvalidArgument(f"{name}={zones!r} must be a sequence of zone names, not one string")
    out = tuple(zones)
    if not out:
        raise InvalidArgument(f"{name}={zones!r} must name at least one zone")
    for z in out:
        check_zone(z, name)
    return out


def check_zone(zone: object, name: str = "zone") -> str:
    try:
        return load_zone(zone).key
    except SlotcalcError:
        raise InvalidArgument(f"{name}: {zone!r} is not an IANA time zone") from None


def check_years(years: tuple[int, int]) -> tuple[int, int]:
    if not isinstance(years, tuple) or len(years) != 2:
        raise InvalidArgument(f"years={years!r} must be a pair (first, last)")
    lo, hi = years
    check_int("years[0]", lo, 1900, 2400)
    check_int("years[1]", hi, lo, 2400)
    return lo, hi


def check_ids(name: str, ids: object) -> tuple[str, ...]:
    if isinstance(ids, str) or not isinstance(ids, Sequence):
        raise InvalidArgument(f"{name}={ids!r} must be a sequence of host ids")
    out = tuple(ids)
    if not out or any(not isinstance(i, str) or not i for i in out) or len(set(out)) != len(out):
        raise InvalidArgument(f"{name}={ids!r} must hold distinct, non-empty strings")
    return out


# ---------------------------------------------------------------------------------------------
# Instants: drawn as epoch seconds, written with a zone's offset, UTC or an odd fixed offset.


class Moment(NamedTuple):
    t: int  # epoch seconds
    us: int  # microseconds
    tz: str | int  # "Z", "z", a zone name, or a fixed offset in seconds


def _tzinfo(tz: str | int) -> tzinfo:
    if isinstance(tz, int):
        return timezone(timedelta(seconds=tz))
    if tz in ("Z", "z"):
        return UTC
    return ZoneInfo(tz)


def as_datetime(m: Moment) -> datetime:
    return datetime.fromtimestamp(m.t, _tzinfo(m.tz)).replace(microsecond=m.us)


def as_text(m: Moment) -> str:
    moment = as_datetime(m)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S") + (f".{m.us:06d}".rstrip("0") if m.us else "")
    if m.tz in ("Z", "z"):
        return text + str(m.tz)
    off = moment.utcoffset()
    assert off is not None
    secs = int(off.total_seconds())
    sign = "-" if secs < 0 else "+"
    h, rest = divmod(abs(secs) // 60, 60)
    return f"{text}{sign}{h:02d}:{rest:02d}"


def draw_moment(draw: st.DrawFn, t: int, zone: str, lower: bool, us: int = 0) -> Moment:
    """The instant ``t`` written in UTC, in ``zone`` or with an odd fixed offset."""
    how = draw_int(draw, 0, 4 if lower else 3)
    tz: str | int
    if how == 0:
        tz = "Z"
    elif how == 1:
        tz = zone
    elif how == 2:
        tz = pick(draw, ODD_OFFSETS)
    elif how == 3:
        tz = pick(draw, WEIGHTED_ZONES)
    else:
        tz = "z"
    return Moment(t, us, tz)


def local_midnight(zone: str, day: date) -> int:
    return wall_to_epoch(load_zone(zone), day, 0)
