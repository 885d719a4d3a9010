"""slotcalc.dask on a LocalCluster of two worker processes, against the single-process batch."""

from __future__ import annotations

import importlib.util
import random
from datetime import UTC, date, datetime

import pytest

pa = pytest.importorskip("pyarrow")
pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

from slotcalc import EventPolicy, Query, Schedule  # noqa: E402
from slotcalc.batch import Fleet, slots_table  # noqa: E402

ZONES = ("America/New_York", "Europe/London", "Australia/Sydney", "Asia/Kolkata")
SORT = [("host", "ascending"), ("start", "ascending")]


def fleet_inputs(hosts: int) -> tuple[dict[str, str], dict[str, Schedule], pa.Table]:
    rng = random.Random(13)
    library = {
        f"{z}-{i}": Schedule(z, {d: [(f"{8 + i:02d}:00", f"{12 + 2 * i:02d}:00")]
                                 for d in ("mon", "tue", "wed", "thu", "fri")})
        for z in ZONES for i in range(3)
    }
    ids = sorted(library)
    schedules = {f"h{n:04d}": rng.choice(ids) for n in range(hosts)}
    base = int(datetime(2027, 3, 22, tzinfo=UTC).timestamp())
    cols: dict[str, list[object]] = {"host": [], "start": [], "end": [], "seats": []}
    for key in schedules:
        for _ in range(rng.randint(0, 60)):
            s = base + 300 * rng.randrange(14 * 288)
            cols["host"].append(key)
            cols["start"].append(s)
            cols["end"].append(s + 900 * rng.randint(1, 8))
            cols["seats"].append(rng.choice((None, None, 1)))
    schedules["ghost"] = "missing-id"  # a bad host: an error row, not a failed task
    return schedules, library, pa.table(cols)


@pytest.mark.dask
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.filterwarnings("ignore::UserWarning")
def test_dask_on_two_worker_processes_matches_single_process() -> None:
    import dask.dataframe as dd

    from slotcalc.dask import slots_dask

    schedules, library, busy = fleet_inputs(301)
    event = EventPolicy(30, step=15, capacity=2, buffer_after=5)
    query = Query(date(2027, 3, 22), date(2027, 4, 2), timezone="Europe/Berlin",
                  now="2027-03-01T00:00:00Z")
    want = slots_table(Fleet(schedules, busy, library=library), event, query)
    ddf = slots_dask(dd.from_pandas(busy.to_pandas(), npartitions=3), schedules, event, query,
                     library=library, hosts_per_partition=100)
    assert ddf.npartitions == 4  # 302 hosts, 100 a partition: never one task per host
    assert list(ddf.columns) == want.column_names
    # an in-memory Arrow table is cut into the partitions on the client (no shuffle)
    from_arrow = slots_dask(busy, schedules, event, query, library=library,
                            hosts_per_partition=100)
    assert from_arrow.npartitions == 4
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster):
        # built with the client active: 2 one-thread workers take 4 tasks at once (Dask's
        # queuing), so the partitions are a multiple of 4
        even = slots_dask(busy, schedules, event, query, library=library,
                          hosts_per_partition=70)
        assert even.npartitions == 8
        results = [ddf.compute(), from_arrow.compute(), even.compute()]
    for got in results:
        table = pa.Table.from_pandas(got, preserve_index=False).replace_schema_metadata(None)
        assert table.num_rows == want.num_rows > 1000
        assert table.sort_by(SORT).equals(want.cast(table.schema).sort_by(SORT))
        errors = [e for e in table["error"].to_pylist() if e]
        assert len(errors) == 1 and "missing-id" in errors[0]


@pytest.mark.parametrize("hosts", [0, 1, 7, 99, 100, 101, 302, 10_000, 12_345])
@pytest.mark.parametrize("workers", [None, 1, 2, 3, 4, 32])
def test_run_sizes_cover_every_host_in_order(hosts: int, workers: int | None) -> None:
    from slotcalc.dask import run_sizes

    size = 100
    got = run_sizes(hosts, size, workers)
    assert sum(got) == hosts and max(got) <= max(size, hosts // len(got) + 1)
    assert max(got) <= size and max(got) - min(got) <= 1  # even runs, never over the size
    full = max(1, -(-hosts // size))
    if workers is None or workers == 1:
        assert len(got) == full  # plain runs: never one task per host
    elif full >= workers:
        assert len(got) % workers == 0 and len(got) < full + workers
    else:  # few hosts: a run per thread while each keeps a tenth of the size
        assert len(got) == max(full, min(workers, hosts // (size // 10)))


@pytest.mark.skipif(importlib.util.find_spec("pyspark") is None, reason="pyspark not installed")
@pytest.mark.filterwarnings("ignore::FutureWarning")
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.filterwarnings("ignore::UserWarning")
def test_spark_map_in_arrow_recipe() -> None:  # pragma: no cover - only where pyspark is
    """The recipe of docs/batch.md: one marker row per host, so hosts without busy time count."""
    import pyarrow.compute as pc
    from pyspark.sql import SparkSession

    from slotcalc.batch import slots

    ddl = "host string, start timestamp, end timestamp, remaining int, date date, error string"
    as_spark = pa.schema([("host", pa.string()), ("start", pa.timestamp("us", tz="UTC")),
                          ("end", pa.timestamp("us", tz="UTC")), ("remaining", pa.int32()),
                          ("date", pa.date32()), ("error", pa.string())])

    schedules, library, busy = fleet_inputs(40)
    del schedules["ghost"]
    event = EventPolicy(30)
    query = Query(date(2027, 3, 22), date(2027, 3, 26), now="2027-03-01T00:00:00Z")
    markers = pa.table({"host": list(schedules), "start": pa.nulls(len(schedules), pa.int64()),
                        "end": pa.nulls(len(schedules), pa.int64()),
                        "seats": pa.nulls(len(schedules), pa.int64())})
    rows = pa.concat_tables([busy.cast(markers.schema), markers])
    spark = SparkSession.builder.master("local[2]").getOrCreate()
    try:
        frame = spark.createDataFrame(
            [tuple(r.values()) for r in rows.to_pylist()],
            "host string, start long, end long, seats long",
        ).repartition(4, "host")

        def compute(batches):  # type: ignore[no-untyped-def]
            part = pa.Table.from_batches(list(batches))
            if part.num_rows == 0:
                return
            hosts = sorted(set(part["host"].to_pylist()))
            real = part.filter(pc.is_valid(part["start"]))
            for batch in slots(Fleet(schedules, real, library=library, hosts=hosts), event,
                               query):
                yield batch.cast(as_spark)

        out = frame.mapInArrow(compute, ddl).toPandas()
    finally:
        spark.stop()
    want = slots_table(Fleet(schedules, busy, library=library), event, query)
    assert len(out) == want.num_rows
