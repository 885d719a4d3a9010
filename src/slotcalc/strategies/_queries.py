"""Queries: a range near a DST night (or none, for a check), a viewer zone, ``now``, output."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any, NamedTuple

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from .._tz import DAY
from ..model import MAX_RANGE_DAYS, Query
from ._common import (
    DEFAULT_YEARS,
    HOUR,
    MINUTE,
    OUTPUTS,
    WEIGHTED_ZONES,
    Moment,
    as_datetime,
    as_text,
    check_choices,
    check_int,
    check_years,
    check_zone,
    check_zones,
    coin,
    draw_int,
    draw_moment,
    local_midnight,
    pick,
)
from ._zones import draw_setting


class QueryPlan(NamedTuple):
    start: date | Moment | None
    end: date | Moment | None
    timezone: str | None
    now: Moment
    exclude: tuple[str, ...]
    limit: int | None
    output: str
    lo: int  # the range as epoch seconds (for a check: the day the start is asked on)
    hi: int


def draw_query_plan(draw: st.DrawFn, zone: str, day: date, max_days: int,
                    by_dates: bool | None, viewer_zones: tuple[str, ...] | None,
                    ids: tuple[str, ...], lower: bool, limit: bool,
                    outputs: tuple[str, ...] = ("slots",), ranged: bool | None = True
                    ) -> QueryPlan:
    """A query near local ``day``; ``zone`` is the zone a missing ``timezone`` falls back to.

    ``ranged`` None: a range about nine times in ten, else none (a check's query).
    """
    tz_field = pick(draw, viewer_zones or WEIGHTED_ZONES) if coin(draw) else None
    qzone = tz_field or zone
    first = day - timedelta(days=draw_int(draw, 0, 1))
    dated = coin(draw) if by_dates is None else by_dates
    start: date | Moment | None
    end: date | Moment | None
    if dated:
        last = first + timedelta(days=draw_int(draw, 0, max_days - 1))
        start, end = first, last
        lo = local_midnight(qzone, first)
        hi = local_midnight(qzone, last + timedelta(days=1))
    else:
        offset = (pick(draw, (0, 9 * HOUR, 12 * HOUR)) if coin(draw)
                  else draw_int(draw, -12 * 60, 36 * 60) * MINUTE)
        lo = local_midnight(qzone, first) + offset
        round_spans = [s for s in (DAY, max_days * DAY, 2 * DAY, 6 * HOUR)
                       if s <= max_days * DAY]
        span = (pick(draw, round_spans) if draw_int(draw, 0, 2)
                else draw_int(draw, 1, max_days * 1440) * MINUTE)
        hi = lo + span
        start = draw_moment(draw, lo, qzone, lower)
        end = draw_moment(draw, hi, qzone, lower)
    when = draw_int(draw, 0, 5)
    if when <= 2:  # shortly before the range
        now_t = lo - pick(draw, (0, HOUR, DAY, 7 * DAY, 30 * MINUTE))
    elif when == 3:  # inside the range
        now_t = lo + draw_int(draw, 0, (hi - lo) // MINUTE) * MINUTE
    elif when == 4:  # after the range: an empty answer (and a next_available, if any)
        now_t = hi + draw_int(draw, 0, 2 * 1440) * MINUTE
    else:  # up to 20 days before
        now_t = lo - draw_int(draw, 0, 20 * 1440) * MINUTE
    now = draw_moment(draw, now_t, qzone, lower)
    exclude: tuple[str, ...] = ()
    if ids or draw_int(draw, 0, 9) == 9:
        pool = (*ids, "missing-id")
        exclude = tuple(dict.fromkeys(pick(draw, pool) for _ in range(draw_int(draw, 0, 3))))
    lim = draw_int(draw, 1, 6) if limit and draw_int(draw, 0, 2) == 2 else None
    output = pick(draw, outputs)
    if ranged is False or (ranged is None and draw_int(draw, 0, 9) == 9):
        start = end = None
    return QueryPlan(start, end, tz_field, now, exclude, lim, output, lo, hi)


def query_from(p: QueryPlan) -> Query:
    start = p.start if p.start is None or isinstance(p.start, date) else as_datetime(p.start)
    end = p.end if p.end is None or isinstance(p.end, date) else as_datetime(p.end)
    return Query(start, end, timezone=p.timezone, now=as_datetime(p.now), exclude=p.exclude,
                 limit=p.limit, output=p.output)  # type: ignore[arg-type]


def _moment_text(m: date | Moment) -> str:
    return m.isoformat() if isinstance(m, date) else as_text(m)


def query_dict(p: QueryPlan, draw: st.DrawFn, v2: bool = True) -> dict[str, Any]:
    """The JSON form of ``p``; ``v2=False`` never spells out ``output`` (a version-2 field)."""
    out: dict[str, Any] = {}
    if p.start is not None and p.end is not None:
        out["start"] = _moment_text(p.start)
        out["end"] = _moment_text(p.end)
    out["now"] = as_text(p.now)
    if p.timezone is not None:
        out["timezone"] = p.timezone
    if p.exclude or draw_int(draw, 0, 4) == 4:
        out["exclude"] = list(p.exclude)
    if p.limit is not None:
        out["limit"] = p.limit
    if p.output != "slots" or (v2 and draw_int(draw, 0, 4) == 4):
        out["output"] = p.output
    return out


@st.composite
def _queries(draw: st.DrawFn, zone: str | None, zones: tuple[str, ...] | None,
             dates: st.SearchStrategy[date] | None, max_days: int, by_dates: bool | None,
             ids: tuple[str, ...], limit: bool, years: tuple[int, int],
             outputs: tuple[str, ...], ranged: bool | None) -> Query:
    setting = draw_setting(draw, (zone,) if zone is not None else zones, years, True, 1, False)
    day = draw(dates) if dates is not None else setting.day
    return query_from(draw_query_plan(draw, setting.zone, day, max_days, by_dates, zones, ids,
                                      False, limit, outputs, ranged))


def queries(*, zone: str | None = None, zones: Sequence[str] | None = None,
            dates: st.SearchStrategy[date] | None = None, max_days: int = 3,
            by_dates: bool | None = None, exclude: Sequence[str] = (),
            limit: bool = True, years: tuple[int, int] = DEFAULT_YEARS,
            outputs: Sequence[str] = OUTPUTS,
            ranged: bool | None = True) -> st.SearchStrategy[Query]:
    """Return a strategy for :class:`~slotcalc.Query` objects, always with an explicit ``now``.

    ``zone`` is the schedule's zone (what ``timezone=None`` falls back to; drawn from
    ``zones`` / :func:`timezones` when not given). The query's own ``timezone`` is None about
    half the time, else drawn from ``zones`` / :func:`timezones`. The range starts on or the
    day before a date from ``dates`` (default: DST nights of that zone) and spans up to
    ``max_days`` days: two local dates (``by_dates=True``), two instants (``False``) or either
    (``None``). ``ranged=False`` leaves the range out (a query for ``check``, which needs
    none), ``None`` does so about one time in ten. ``now`` lies before the range (mostly),
    inside it, or after it (an empty answer). ``exclude`` lists busy ids the query may leave
    out (plus an unknown id, rarely); with ``limit`` about a third of the queries cap the
    number of slots; ``output`` is drawn from ``outputs`` (``"slots"``, ``"periods"``).
    """
    chosen = check_zones(zones)
    fixed = check_zone(zone) if zone is not None else None
    span = check_years(years)
    check_int("max_days", max_days, 1, MAX_RANGE_DAYS - 1)
    ids = tuple(exclude)
    if any(not isinstance(i, str) for i in ids):
        raise InvalidArgument(f"exclude={exclude!r} must hold strings")
    kinds = check_choices("outputs", outputs, OUTPUTS)
    if ranged not in (True, False, None):
        raise InvalidArgument(f"ranged={ranged!r} must be True, False or None")
    return _queries(fixed, chosen, dates, max_days, by_dates, ids, limit, span, kinds, ranged)
