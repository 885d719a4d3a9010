"""Fleets that outgrow one machine: :mod:`slotcalc.batch` mapped over Dask partitions of hosts.

:func:`slots_dask` splits the hosts into partitions of about ``hosts_per_partition`` (default
1,000; never one task per host), moves each host's busy rows to its partition with one Dask
shuffle (``set_index`` on the partition number, divisions known in advance), and runs
:func:`slotcalc.batch.slots` once per partition. The answer is a Dask DataFrame of slots with
the columns of the batch API, as Arrow-backed pandas dtypes (``meta`` given, so nothing is
computed to build the graph).

``dask[dataframe,distributed]`` and ``pyarrow`` are the optional extra ``slotcalc[dask]``; they
are imported here only.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

try:
    import dask.dataframe as dd
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc
    from dask.delayed import delayed
except ImportError as _e:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "slotcalc.dask needs dask and pyarrow: pip install 'slotcalc[dask]'"
    ) from _e

from .batch import Fleet, slot_schema, slots_table
from .errors import InvalidRequest, InvalidValue
from .model import EventPolicy, Query, Schedule

__all__ = ["DEFAULT_HOSTS_PER_PARTITION", "slots_dask", "slots_meta"]

#: Hosts per Dask partition (one task each) unless told otherwise.
DEFAULT_HOSTS_PER_PARTITION = 1000
_PART = "_slotcalc_part"


def slots_meta(host_type: Any = None, next_available: bool = False) -> pd.DataFrame:
    """Return the empty pandas frame (Arrow dtypes) that the slot partitions look like."""
    schema = slot_schema(next_available, host_type)
    return schema.empty_table().to_pandas(types_mapper=pd.ArrowDtype)


def _partition(
    busy: pd.DataFrame | pa.Table,
    hosts: Sequence[Any],
    schedules: Mapping[Any, Schedule | str],
    library: Mapping[str, Schedule] | None,
    event: EventPolicy,
    query: Query,
    next_available: bool,
    host_type: Any,
) -> pd.DataFrame:
    """One task: the batch API over one partition's hosts and busy rows (pandas in, out)."""
    if isinstance(busy, pa.Table):
        table = busy
    else:
        cols = [c for c in ("host", "start", "end", "seats", "id") if c in busy.columns]
        table = pa.Table.from_pandas(busy[cols], preserve_index=False)
    fleet = Fleet(schedules, table, library=library, hosts=hosts)
    out = slots_table(fleet, event, query, next_available=next_available)
    out = out.cast(slot_schema(next_available, host_type))
    return out.to_pandas(types_mapper=pd.ArrowDtype)


def _host_type(hosts: Sequence[Any]) -> Any:
    return pa.array(list(hosts[:1]) or [""]).type


def slots_dask(
    busy: Any,
    schedules: Mapping[Any, Schedule | str],
    event: EventPolicy,
    query: Query,
    *,
    library: Mapping[str, Schedule] | None = None,
    hosts: Sequence[Any] | None = None,
    hosts_per_partition: int = DEFAULT_HOSTS_PER_PARTITION,
    next_available: bool = False,
) -> dd.DataFrame:
    """Return a Dask DataFrame of every host's slots: :func:`slotcalc.batch.slots`, in parallel.

    ``busy`` is a Dask DataFrame (or a pandas DataFrame / Arrow table, turned into one) with the
    batch API's columns ``host``, ``start``, ``end`` and optional ``seats``, ``id``;
    ``schedules``/``library``/``hosts`` are those of :class:`slotcalc.batch.Fleet`. Hosts are cut
    into consecutive runs of ``hosts_per_partition``: one task per run. Each run's schedules go
    with its task only. Nothing is computed until you ask (``.compute()``, ``.to_parquet()``).
    Run workers with one thread each and without the statistical profiler
    (``distributed.worker.profile.enabled: false``): the tasks are pure Python.
    """
    if not isinstance(schedules, Mapping):
        raise InvalidRequest("schedules must map host keys to schedules", "/schedules")
    if hosts_per_partition < 1:
        raise InvalidValue("hosts_per_partition must be at least 1", "/hosts_per_partition")
    keys = list(schedules if hosts is None else hosts)
    if isinstance(busy, pd.DataFrame):
        busy = pa.Table.from_pandas(busy, preserve_index=False)
    if not isinstance(busy, (dd.DataFrame, pa.Table)):
        raise InvalidRequest("busy must be a Dask or pandas DataFrame or an Arrow table", "/busy")
    parts = max(1, math.ceil(len(keys) / hosts_per_partition))
    runs = [keys[i * hosts_per_partition : (i + 1) * hosts_per_partition] for i in range(parts)]
    grouped: list[Any]
    if isinstance(busy, pa.Table):
        grouped = _split_table(busy, keys, hosts_per_partition, parts)
    else:
        grouped = _split_dask(busy, keys, runs)
    host_type = _host_type(keys)
    meta = slots_meta(host_type, next_available)
    library_d = None if library is None else delayed(library, pure=True)
    tasks = [
        delayed(_partition, pure=False)(
            piece,
            run,
            {h: schedules[h] for h in run if h in schedules},
            library_d,
            event,
            query,
            next_available,
            host_type,
        )
        for piece, run in zip(grouped, runs, strict=True)
    ]
    frame: dd.DataFrame = dd.from_delayed(tasks, meta=meta, verify_meta=False)
    return frame


def _split_table(busy: pa.Table, keys: list[Any], size: int, parts: int) -> list[pa.Table]:
    """Cut an in-memory busy table into the partitions' rows, in Arrow (no Dask shuffle)."""
    idx = pc.index_in(busy["host"], value_set=pa.array(keys))
    part = pc.divide(idx, size)
    tagged = busy.append_column(_PART, part).filter(pc.is_valid(part)).sort_by(_PART)
    counts = dict(
        zip(*(c.to_pylist() for c in pc.value_counts(tagged[_PART]).flatten()), strict=True)
    )
    out: list[pa.Table] = []
    start = 0
    for i in range(parts):
        n = counts.get(i, 0)
        out.append(tagged.slice(start, n).drop_columns([_PART]))
        start += n
    return out


def _split_dask(busy: dd.DataFrame, keys: list[Any], runs: list[list[Any]]) -> list[Any]:
    """Move each host's rows to its run's partition: one shuffle with known divisions."""
    parts = len(runs)
    part_of = pd.Series(
        [i for i, run in enumerate(runs) for _ in run],
        index=pd.Index(keys, dtype=object if not keys else None),
        dtype="int64",
    )
    if parts == 1:
        pieces = busy.to_delayed()
        return [delayed(pd.concat)(pieces) if len(pieces) > 1 else pieces[0]]
    tagged = busy.assign(
        **{_PART: busy["host"].map(part_of, meta=("host", "float64")).fillna(-1)}
    )
    tagged = tagged[tagged[_PART] >= 0].astype({_PART: "int64"})
    # divisions 0, 1, …, parts: partition i holds exactly the rows of run i
    grouped: list[Any] = tagged.set_index(_PART, divisions=list(range(parts + 1))).to_delayed()
    return grouped
