"""Fleets that outgrow one machine: :mod:`slotcalc.batch` mapped over Dask partitions of hosts.

:func:`slots_dask` splits the hosts into even partitions of at most ``hosts_per_partition``
(default 1,000; never one task per host), as many as a multiple of the tasks the cluster takes
at once (:func:`run_sizes`), and runs :func:`slotcalc.batch.slots` once per partition. A Dask
DataFrame of busy rows reaches the partitions through one shuffle (``set_index`` on the
partition number, divisions known in advance); an in-memory Arrow table or pandas frame is
cut on the client and each piece travels in its one ``from_map`` task, with the hosts' schedule
ids and the library entries they use. The answer is a Dask DataFrame of slots with the columns
of the batch API, as Arrow-backed pandas dtypes (``meta`` given, so nothing is computed to
build the graph).

``dask[dataframe,distributed]`` and ``pyarrow`` are the optional extra ``slotcalc[dask]``; they
are imported here only.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

try:
    import dask.dataframe as dd
    import numpy as np
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

__all__ = ["DEFAULT_HOSTS_PER_PARTITION", "run_sizes", "slots_dask", "slots_meta"]

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


class _Inputs:
    """One partition's own inputs; Dask names its task by ``token`` (no hashing of the rest)."""

    __slots__ = ("busy", "hosts", "library", "schedules", "token")

    def __init__(self, token: str, busy: pa.Table, hosts: list[Any],
                 schedules: dict[Any, Schedule | str],
                 library: dict[str, Schedule] | None) -> None:
        self.token = token
        self.busy = busy
        self.hosts = hosts
        self.schedules = schedules
        self.library = library

    def __dask_tokenize__(self) -> str:
        return self.token

    def __reduce__(self) -> tuple[Any, ...]:
        return (_Inputs, (self.token, self.busy, self.hosts, self.schedules, self.library))


def _run_partition(
    inputs: _Inputs, event: EventPolicy, query: Query, next_available: bool, host_type: Any
) -> pd.DataFrame:
    return _partition(inputs.busy, inputs.hosts, inputs.schedules, inputs.library, event,
                      query, next_available, host_type)


def _host_type(hosts: Sequence[Any]) -> Any:
    return pa.array(list(hosts[:1]) or [""]).type


def _concurrency() -> int | None:
    """Return how many tasks the active distributed Client's cluster takes at once, or None.

    Each worker holds ``ceil(threads × worker-saturation)`` root tasks at a time (Dask's
    queuing; 2 for a one-thread worker at the default 1.1), or its threads when queuing is
    off. None without a client.
    """
    try:
        import dask
        from distributed import default_client
    except ImportError:  # pragma: no cover - dask without distributed
        return None
    try:
        got = default_client().nthreads()
    except (ValueError, OSError, RuntimeError):  # no client, or it is closing
        return None
    if not isinstance(got, Mapping):  # an asynchronous client: not known here
        return None
    saturation = float(dask.config.get("distributed.scheduler.worker-saturation", 1.1))
    total = 0
    for threads in got.values():
        n = int(threads)
        total += n if math.isinf(saturation) else max(1, math.ceil(n * saturation))
    return total or None


def run_sizes(hosts: int, hosts_per_partition: int, concurrency: int | None) -> list[int]:
    """Return how many hosts each partition gets, in order (they add up to ``hosts``).

    Even runs (they differ by one host at most) of at most ``hosts_per_partition``. When
    ``concurrency`` — the tasks the cluster takes at once — is known, the number of runs is a
    multiple of it, or, for a small fleet, as many as it while each run keeps a tenth of the
    size: Dask hands each worker its root tasks a few at a time, so with 10 runs on two
    one-thread workers (4 tasks at once) one worker ran 6 and the other 4 and waited, while
    8 or 12 runs split evenly. Making some runs smaller would not help: Dask runs independent
    tasks in an order of its own, not the partitions' order.
    """
    size = hosts_per_partition
    if hosts <= 0:
        return [0]
    parts = math.ceil(hosts / size)
    if concurrency is not None and concurrency > 1:
        if parts < concurrency:  # one run per task slot, while each keeps a tenth of the size
            parts = max(parts, min(concurrency, hosts // max(1, size // 10)))
        else:
            parts = math.ceil(parts / concurrency) * concurrency
    return [hosts // parts + (i < hosts % parts) for i in range(parts)]


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
    concurrency: int | None = None,
) -> dd.DataFrame:
    """Return a Dask DataFrame of every host's slots: :func:`slotcalc.batch.slots`, in parallel.

    ``busy`` is a Dask DataFrame, a pandas DataFrame or an Arrow table with the batch API's
    columns ``host``, ``start``, ``end`` and optional ``seats``, ``id``;
    ``schedules``/``library``/``hosts`` are those of :class:`slotcalc.batch.Fleet`. Hosts are cut
    into consecutive runs of ``hosts_per_partition`` or fewer, one task per run
    (:func:`run_sizes`: as many runs as a multiple of ``concurrency``, the tasks the cluster
    takes at once — default: worked out from the active distributed ``Client``, if any).
    Each task carries its own hosts, their schedule ids and
    the library entries they use, and, for an in-memory table, its busy rows; a Dask
    DataFrame's rows reach their task through one shuffle. Nothing is computed until you ask
    (``.compute()``, ``.to_parquet()``). Run workers with one thread each and without the
    statistical profiler (``distributed.worker.profile.enabled: false``): the tasks are pure
    Python.
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
    if concurrency is None:
        concurrency = _concurrency()
    sizes = run_sizes(len(keys), hosts_per_partition, concurrency)
    runs: list[list[Any]] = []
    at = 0
    for n in sizes:
        runs.append(keys[at : at + n])
        at += n
    # each task carries its own hosts' schedules: their ids and the library entries they use
    scheds = [{h: schedules[h] for h in run if h in schedules} for run in runs]
    libs = [_library_of(library, s) for s in scheds]
    host_type = _host_type(keys)
    meta = slots_meta(host_type, next_available)
    if isinstance(busy, pa.Table):
        # one task per partition and nothing else: its rows, hosts and schedules in its spec
        pieces = _split_table(busy, keys, runs)
        call = uuid.uuid4().hex  # task names without hashing every busy row and schedule
        inputs = [_Inputs(f"{call}-{i}", *got)
                  for i, got in enumerate(zip(pieces, runs, scheds, libs, strict=True))]
        frame: dd.DataFrame = dd.from_map(
            _run_partition, inputs, args=[event, query, next_available, host_type],
            meta=meta, label="slotcalc-slots", enforce_metadata=False,
        )
        return frame
    grouped = _split_dask(busy, keys, runs)
    tasks = [
        delayed(_partition, pure=False)(
            piece, run, sched, lib, event, query, next_available, host_type
        )
        for piece, run, sched, lib in zip(grouped, runs, scheds, libs, strict=True)
    ]
    frame = dd.from_delayed(tasks, meta=meta, verify_meta=False)
    return frame


def _library_of(
    library: Mapping[str, Schedule] | None, schedules: Mapping[Any, Schedule | str]
) -> dict[str, Schedule] | None:
    """Return the entries of ``library`` that ``schedules`` name (what one task needs)."""
    if library is None:
        return None
    out: dict[str, Schedule] = {}
    for value in schedules.values():
        if isinstance(value, str) and value not in out and value in library:
            out[value] = library[value]
    return out


def _split_table(busy: pa.Table, keys: list[Any], runs: list[list[Any]]) -> list[pa.Table]:
    """Cut an in-memory busy table into the runs' rows, in Arrow (no Dask shuffle).

    Rows of hosts in no run are dropped. Each piece is its own compact copy (``take``), never
    a slice: a pickled Arrow slice carries its parent's whole buffers, so ten slices of one
    table would ship it ten times. The ``host`` column travels dictionary-encoded — int32
    positions into the run's own keys — instead of one string per row.
    """
    column = busy["host"]
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    if pa.types.is_dictionary(column.type):
        column = column.dictionary_decode()
    where = pc.index_in(column, value_set=_values(keys, column.type))
    pos = where.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    firsts = np.cumsum([0] + [len(r) for r in runs])
    part = np.searchsorted(firsts[1:], pos, side="right")  # run of each row
    part[pos < 0] = -1
    order = np.argsort(part, kind="stable")
    counts = np.bincount(part[part >= 0], minlength=len(runs))
    rest = busy.drop_columns(["host"])
    out: list[pa.Table] = []
    at = int(np.count_nonzero(part < 0))  # the dropped rows sort first
    for i, (run, n) in enumerate(zip(runs, counts, strict=True)):
        rows = order[at : at + n]
        at += int(n)
        local = pa.array(pos[rows] - firsts[i], pa.int32())
        host = pa.DictionaryArray.from_arrays(local, _values(run, column.type))
        out.append(rest.take(pa.array(rows)).add_column(0, "host", host))
    return out


def _values(keys: list[Any], like: pa.DataType) -> pa.Array:
    """Return ``keys`` as an Arrow array (of the busy host type when there are none)."""
    return pa.array(keys) if keys else pa.array([], like)


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
