"""W7: many hosts at once (issue 13) — ``python -m benchmarks --only W7`` or
``python -m benchmarks.batch_bench [--hosts N] [--repeats N] [--no-dask]``.

The fleet: ``hosts`` hosts (10,000) in 20 zones, each with a schedule id from a library of 100
schedules (5 hour patterns per zone), 50–300 blocking busy entries spread over the 30 days
(fixed seed), one event (30 minutes every 15, 10-minute buffers) and one 30-day query shown in
Europe/London. Figures, each the median of ``repeats`` runs, same run for every ratio:

* batch slots (``slotcalc.batch.slots``) over every host vs ``slotcalc.find_slots`` per host
  on the same sample of hosts (the typed API needs a ``Busy`` object per entry: built outside
  the timing), hosts per second and the ratio; also the batch with one ``Schedule`` object per
  host (nothing shared); peak memory of the stream (tracemalloc: Python objects; Arrow's own
  pool peak) and of materialising the whole table;
* the fleet check (``slotcalc.batch.check``) vs ``check_slot`` per host (on a sample);
* ``first_free`` k = 5 vs computing every host's slots;
* Dask (2 worker processes, 1 thread each) vs the single-process batch, each timed from the
  same inputs (the busy table, the host -> schedule id map, the library): ``slots_dask`` and
  its compute against ``Fleet`` and ``slots``, interleaved; and the per-task overhead of an
  empty task. ``--dask-only`` runs just that part.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

W7_SEED = 20270113
W7_ZONES = (
    "America/Los_Angeles", "America/Denver", "America/Chicago", "America/New_York",
    "America/Sao_Paulo", "America/Santiago", "Europe/London", "Europe/Berlin", "Europe/Helsinki",
    "Europe/Istanbul", "Africa/Lagos", "Asia/Dubai", "Asia/Kolkata", "Asia/Kathmandu",
    "Asia/Shanghai", "Asia/Tokyo", "Australia/Sydney", "Australia/Lord_Howe",
    "Pacific/Auckland", "Pacific/Chatham",
)
W7_PATTERNS = (
    {d: [("09:00", "17:00")] for d in ("mon", "tue", "wed", "thu", "fri")},
    {d: [("08:00", "12:00"), ("13:00", "17:00")] for d in ("mon", "tue", "wed", "thu", "fri")},
    {d: [("10:00", "18:00")] for d in ("mon", "tue", "wed", "thu")},
    {d: [("07:00", "11:00"), ("15:00", "19:00")] for d in ("mon", "wed", "fri", "sat")},
    {d: [("12:00", "20:00")] for d in ("tue", "wed", "thu", "fri", "sat")},
)
FIRST = date(2027, 3, 15)  # 30 days across the March DST changes of both hemispheres' zones
DAYS = 30


def _median(fn: Callable[[], object], repeats: int) -> float:
    runs = []
    for _ in range(repeats):
        gc.collect()
        t0 = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs)


class W7:
    """The generated fleet, as Arrow columns and (for a sample) as value objects."""

    def __init__(self, hosts: int = 10_000, seed: int = W7_SEED) -> None:
        import pyarrow as pa

        from slotcalc import EventPolicy, Query, Schedule
        from slotcalc.batch import Fleet

        rng = random.Random(seed)
        self.library = {
            f"{zi}-{pi}": Schedule(zone, pattern)
            for zi, zone in enumerate(W7_ZONES)
            for pi, pattern in enumerate(W7_PATTERNS)
        }
        ids = list(self.library)
        self.keys = [f"host-{i:06d}" for i in range(hosts)]
        self.schedule_of = {k: rng.choice(ids) for k in self.keys}
        base = int(datetime(FIRST.year, FIRST.month, FIRST.day, tzinfo=UTC).timestamp())
        marks = DAYS * 288
        host_col: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        for k in self.keys:
            n = rng.randint(50, 300)
            host_col.extend([k] * n)
            for _ in range(n):
                s = base + 300 * rng.randrange(marks)
                starts.append(s)
                ends.append(s + 900 * rng.randint(1, 8))
        self.busy = pa.table({"host": host_col, "start": starts, "end": ends})
        self.rows = len(starts)
        self.fleet = Fleet(self.schedule_of, self.busy, library=self.library)
        self.event = EventPolicy(30, step=15, buffer_before=10, buffer_after=10)
        last = date.fromordinal(FIRST.toordinal() + DAYS - 1)
        self.query = Query(FIRST, last, timezone="Europe/London", now="2027-03-01T00:00:00Z")
        self.check_at = "2027-03-24T15:00:00Z"  # a Wednesday afternoon

    def sample(self, n: int) -> list[str]:
        step = max(1, len(self.keys) // n)
        return self.keys[::step][:n]

    def typed_inputs(self, keys: list[str]) -> list[tuple[Any, list[Any]]]:
        """Return ``(schedule, [Busy])`` per host of ``keys`` (built outside any timing)."""
        import pyarrow.compute as pc

        from slotcalc import Busy

        rows = self.busy.filter(pc.is_in(self.busy["host"], value_set=_arr(keys)))
        per: dict[str, list[Any]] = {k: [] for k in keys}
        for h, s, e in zip(rows["host"].to_pylist(), rows["start"].to_pylist(),
                           rows["end"].to_pylist(), strict=True):
            per[h].append(Busy(datetime.fromtimestamp(s, UTC), datetime.fromtimestamp(e, UTC)))
        return [(self.library[self.schedule_of[k]], per[k]) for k in keys]


def _arr(keys: list[str]) -> Any:
    import pyarrow as pa

    return pa.array(keys)


def _drain(it: Any) -> int:
    n = 0
    for b in it:
        n += b.num_rows
    return n


def run_w7(hosts: int = 10_000, repeats: int = 3, sample: int = 1000,
           dask: bool = True) -> dict[str, Any]:
    """Run W7 and return its figures (seconds, hosts/s, ratios, bytes)."""
    import pyarrow as pa

    from slotcalc import check_slot, find_slots
    from slotcalc.batch import Fleet, check, first_free, slots

    t0 = time.perf_counter()
    w = W7(hosts)
    out: dict[str, Any] = {"hosts": hosts, "busy_rows": w.rows, "repeats": repeats,
                           "loadavg_before": os.getloadavg(),
                           "generate_s": round(time.perf_counter() - t0, 2)}
    keys = w.sample(min(sample, hosts))
    typed = w.typed_inputs(keys)
    sub = w.fleet.subset(keys)
    ev, q = w.event, w.query

    _drain(slots(w.fleet, ev, q))  # warm the zone tables
    t_all = _median(lambda: _drain(slots(w.fleet, ev, q)), repeats)
    t_sub = _median(lambda: _drain(slots(sub, ev, q)), repeats)
    t_typed = _median(lambda: [find_slots(s, ev, q, b) for s, b in typed], repeats)
    slot_rows = _drain(slots(w.fleet, ev, q))
    out["slots"] = {
        "rows": slot_rows,
        "batch_all_s": t_all,
        "batch_hosts_per_s": hosts / t_all,
        "sample": len(keys),
        "batch_sample_s": t_sub,
        "typed_sample_s": t_typed,
        "typed_hosts_per_s": len(keys) / t_typed,
        "ratio_same_hosts": t_typed / t_sub,
        "ratio_throughput": (hosts / t_all) / (len(keys) / t_typed),
    }
    # nothing shared: one Schedule object per host (copies), so no per-schedule grid cache hits
    own = {k: _copy_schedule(w.library[w.schedule_of[k]], i) for i, k in enumerate(keys)}
    unshared = Fleet(own, sub.busy)
    t_unshared = _median(lambda: _drain(slots(unshared, ev, q)), repeats)
    out["slots"]["batch_unshared_sample_s"] = t_unshared
    out["slots"]["ratio_unshared_same_hosts"] = t_typed / t_unshared

    # memory: streaming (each batch dropped) and the whole table
    pool = pa.default_memory_pool()
    gc.collect()
    tracemalloc.start()
    _drain(slots(w.fleet, ev, q))
    _cur, peak_stream = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    gc.collect()
    before = pool.bytes_allocated()
    tracemalloc.start()
    table = pa.Table.from_batches(list(slots(w.fleet, ev, q)))
    _cur, peak_table = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    out["memory"] = {
        "stream_python_peak_mb": peak_stream / 2**20,
        "table_python_peak_mb": peak_table / 2**20,
        "table_arrow_mb": (pool.bytes_allocated() - before) / 2**20,
        "table_nbytes_mb": table.nbytes / 2**20,
        "busy_table_mb": w.busy.nbytes / 2**20,
        "arrow_pool_max_mb": pool.max_memory() / 2**20 if pool.max_memory() else None,
        "process_maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    del table

    # the fleet check
    at = w.check_at
    check(w.fleet, ev, q, at)
    t_check = _median(lambda: check(w.fleet, ev, q, at), repeats)
    t_check_typed = _median(lambda: [check_slot(s, ev, q, at, b) for s, b in typed], repeats)
    per_typed = t_check_typed / len(keys)
    out["check"] = {
        "batch_all_s": t_check,
        "batch_per_host_us": t_check / hosts * 1e6,
        "typed_per_host_us": per_typed * 1e6,
        "ratio": per_typed * hosts / t_check,
        "free": sum(1 for x in check(w.fleet, ev, q, at)["bookable"].to_pylist() if x),
    }

    # first_free k=5 vs all slots
    first_free(w.fleet, ev, q, 5)
    t_ff = _median(lambda: first_free(w.fleet, ev, q, 5), repeats)
    unshared_all = Fleet({k: _copy_schedule(w.library[w.schedule_of[k]], i)
                          for i, k in enumerate(w.keys)},
                         w.busy)
    t_ff_un = _median(lambda: first_free(unshared_all, ev, q, 5), repeats)
    t_all_un = _median(lambda: _drain(slots(unshared_all, ev, q)), max(1, repeats // 2))
    out["first_free"] = {
        "k": 5,
        "s": t_ff,
        "all_slots_s": t_all,
        "ratio": t_all / t_ff,
        "unshared_s": t_ff_un,
        "unshared_all_slots_s": t_all_un,
        "unshared_ratio": t_all_un / t_ff_un,
        "answer": [(f.host, f.start.isoformat()) for f in first_free(w.fleet, ev, q, 5)],
    }
    if dask:
        out["dask"] = run_dask(w, repeats)
    return out


_DAYS7 = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _copy_schedule(s: Any, n: int) -> Any:
    """Return a Schedule with the same hours as ``s`` but a different value (and object).

    A closed day years after the range (its own for each ``n``) makes every copy distinct, so
    no cache — by object or by value — is shared between hosts; the slots do not change.
    """
    from datetime import timedelta

    from slotcalc import Override, Schedule

    weekly = {d: s.hours(d) for i, d in enumerate(_DAYS7) if s.weekly[i]}
    closed = Override(date(2031, 1, 1) + timedelta(days=n % 3000), [])
    return Schedule(s.timezone, weekly, [closed])


def run_dask(w: W7, repeats: int) -> dict[str, Any]:
    """Time the Dask mapping on a 2-process LocalCluster against the single-process batch."""
    try:
        import dask.dataframe as dd
        from distributed import Client, LocalCluster
    except ImportError as e:
        return {"skipped": f"dask not installed: {e}"}
    import dask

    from slotcalc.batch import Fleet, slots
    from slotcalc.dask import slots_dask

    # the workers' statistical profiler samples the (pure-Python) task thread every 10 ms and
    # costs ~25% more worker CPU here: off, as docs/batch.md recommends for slotcalc tasks
    with dask.config.set({"distributed.worker.profile.enabled": False}), \
            LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                         dashboard_address=None) as cluster, Client(cluster) as client:

        def build() -> Any:
            # the whole computation from the same inputs as the single process: the busy table
            # in memory, cut into the partitions in Arrow on the client (no Dask shuffle)
            return slots_dask(w.busy, w.schedule_of, w.event, w.query, library=w.library)

        def single() -> int:
            return _drain(slots(Fleet(w.schedule_of, w.busy, library=w.library), w.event,
                                w.query))

        n = int(build().map_partitions(len).compute().sum())  # warm the workers
        single()
        # slots left on the workers (as when writing Parquet there), interleaved with the
        # single-process batch so both see the same load on a shared machine; each side
        # starts from the busy table, the host -> schedule id map and the library
        pairs = []
        cpu_single = 0.0
        cpu_workers = 0.0
        cpu_client = 0.0
        for _ in range(repeats):
            gc.collect()
            s0 = _machine_cpu()
            c0 = time.process_time()
            t0 = time.perf_counter()
            rows = single()
            t1 = time.perf_counter()
            s1 = _machine_cpu()
            mine = time.process_time() - c0
            cpu_single += mine
            # other jobs' CPU during the single process, in cores
            alone = None if s0 is None or s1 is None else max(0.0, (s1 - s0 - mine) / (t1 - t0))
            before = sum(client.run(_cpu_seconds).values())
            m0 = _machine_cpu()
            c1 = time.process_time()
            t2 = time.perf_counter()
            got = int(build().map_partitions(len).compute().sum())
            t3 = time.perf_counter()
            m1 = _machine_cpu()
            ours = time.process_time() - c1
            cpu_client += ours
            spent = sum(client.run(_cpu_seconds).values()) - before
            cpu_workers += spent
            assert got == rows == n  # the same slots counted on both sides
            # other jobs' CPU during the Dask side, in cores (what the 2 workers competed with)
            others = None if m0 is None or m1 is None else max(
                0.0, (m1 - m0 - ours - spent) / (t3 - t2))
            pairs.append((t1 - t0, t3 - t2, alone, others))
        t_single = statistics.median(p[0] for p in pairs)
        t_workers = statistics.median(p[1] for p in pairs)
        pair_ratio = statistics.median(p[0] / p[1] for p in pairs)
        quiet = [a / b for a, b, x, y in pairs
                 if x is not None and y is not None and max(x, y) < QUIET_CORES]
        partitions = build().npartitions
        # and brought to the client
        t_client = _median(lambda: build().compute(), repeats)
        # the busy rows as a Dask DataFrame: one shuffle moves each host's rows to its task
        frame = dd.from_pandas(w.busy.to_pandas(), npartitions=4)

        def shuffled() -> Any:
            return slots_dask(frame, w.schedule_of, w.event, w.query,
                              library=w.library).map_partitions(len).compute()

        shuffled()
        t_shuffled = _median(shuffled, repeats)
        # per-task overhead: many empty tasks
        empty = [dask.delayed(_noop)(i) for i in range(400)]
        dask.compute(*empty)
        t_empty = _median(lambda: dask.compute(*empty), repeats)
        workers = len(client.scheduler_info()["workers"])
    return {
        "workers": workers,
        "partitions": partitions,
        "rows": n,
        "s": t_workers,
        "to_client_s": t_client,
        "shuffled_s": t_shuffled,
        "single_s": t_single,
        "speedup": pair_ratio,
        "pairs": [(round(a, 3), round(b, 3), None if x is None else round(x, 2),
                   None if y is None else round(y, 2)) for a, b, x, y in pairs],
        "speedup_quiet": statistics.median(quiet) if quiet else None,
        "quiet_pairs": len(quiet),
        "cpu_single_s": cpu_single / repeats,
        "cpu_workers_s": cpu_workers / repeats,
        "cpu_client_s": cpu_client / repeats,
        "loadavg_after": os.getloadavg(),
        "speedup_to_client": t_single / t_client,
        "speedup_shuffled": t_single / t_shuffled,
        "hosts_per_s": len(w.keys) / t_workers,
        "per_task_overhead_ms": t_empty / 400 * 1000,
    }


def _noop(i: int) -> int:
    return i


#: A pair counts as quiet when other jobs used less than this many cores during both sides.
QUIET_CORES = 0.15


def _machine_cpu() -> float | None:
    """Return the CPU seconds every process of the machine has used (Linux), or None."""
    try:
        with open("/proc/stat") as f:
            fields = f.readline().split()[1:8]
    except OSError:
        return None
    user, nice, system, _idle, _iowait, irq, softirq = (int(x) for x in fields)
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def _cpu_seconds() -> float:
    """Return this process's CPU time (user + system), for ``client.run`` on every worker."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def w7_text(r: dict[str, Any]) -> str:
    """Return W7 as text."""
    s, c, f, m = r["slots"], r["check"], r["first_free"], r["memory"]
    lines = [
        f"W7: {r['hosts']:,} hosts, {r['busy_rows']:,} busy rows, 30 days, 20 zones "
        f"(median of {r['repeats']}; generated in {r['generate_s']} s; load average "
        f"{r['loadavg_before'][0]:.1f} on {os.cpu_count()} cores)",
        f"  batch slots, all hosts:   {s['batch_all_s']:.3f} s  "
        f"{s['batch_hosts_per_s']:,.0f} hosts/s  ({s['rows']:,} slots)",
        f"  same {s['sample']:,} hosts: batch {s['batch_sample_s']:.3f} s, find_slots per host "
        f"{s['typed_sample_s']:.3f} s ({s['typed_hosts_per_s']:,.0f} hosts/s) -> "
        f"{s['ratio_same_hosts']:.1f}x (throughput ratio {s['ratio_throughput']:.1f}x; target 4x)",
        f"  same hosts, one Schedule object per host (no sharing): batch "
        f"{s['batch_unshared_sample_s']:.3f} s -> {s['ratio_unshared_same_hosts']:.1f}x",
        f"  memory: stream peak {m['stream_python_peak_mb']:.1f} MB Python; whole table "
        f"{m['table_nbytes_mb']:.1f} MB Arrow + {m['table_python_peak_mb']:.1f} MB Python peak;"
        f" busy input {m['busy_table_mb']:.1f} MB; process max RSS {m['process_maxrss_mb']:.0f} MB",
        f"  check at one start: {c['batch_all_s'] * 1000:.1f} ms for all "
        f"({c['batch_per_host_us']:.1f} us/host) vs check_slot {c['typed_per_host_us']:.0f} "
        f"us/host -> {c['ratio']:.0f}x (target 20x); {c['free']:,} hosts free",
        f"  first_free k=5: {f['s'] * 1000:.1f} ms vs all slots {f['all_slots_s']:.3f} s -> "
        f"{f['ratio']:.0f}x (target 10x); unshared schedules {f['unshared_s'] * 1000:.0f} ms "
        f"vs {f['unshared_all_slots_s']:.3f} s -> {f['unshared_ratio']:.0f}x",
    ]
    d = r.get("dask")
    if d is not None:
        lines.append(dask_text(d, r["hosts"]))
    return "\n".join(lines)


def dask_text(d: dict[str, Any], hosts: int) -> str:
    """Return the Dask figures of W7 as text."""
    if "skipped" in d:
        return f"  dask: {d['skipped']}"
    quiet = (f"pairs with other jobs under {QUIET_CORES} cores on both sides: "
             f"{d['quiet_pairs']}"
             + (f", median {d['speedup_quiet']:.2f}x" if d["quiet_pairs"] else ""))
    return (
        f"  dask, {d['workers']} workers x 1 thread, {d['partitions']} partitions: "
        f"{d['s']:.3f} s (from the busy table: cut, shipped, slots computed and kept "
        f"on the workers) vs single process (Fleet and slots) {d['single_s']:.3f} s, "
        f"interleaved -> {d['speedup']:.2f}x (target 1.5x); to the client "
        f"{d['to_client_s']:.3f} s ({d['speedup_to_client']:.2f}x); from a Dask "
        f"DataFrame with a shuffle {d['shuffled_s']:.3f} s "
        f"({d['speedup_shuffled']:.2f}x); per-task overhead "
        f"{d['per_task_overhead_ms']:.2f} ms; CPU seconds: workers "
        f"{d['cpu_workers_s']:.2f} s + client and scheduler {d['cpu_client_s']:.2f} s "
        f"vs single process {d['cpu_single_s']:.2f} s for the same hosts (single "
        f"process: {hosts / d['cpu_single_s']:,.0f} hosts per CPU second); "
        f"pairs (single s, dask s, other jobs' cores during each) {d['pairs']}; "
        f"{quiet}; load average after "
        f"{d['loadavg_after'][0]:.1f} on {os.cpu_count()} cores"
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.batch_bench", description=__doc__)
    p.add_argument("--hosts", type=int, default=10_000)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--sample", type=int, default=1000)
    p.add_argument("--no-dask", action="store_true")
    p.add_argument("--dask-only", action="store_true")
    a = p.parse_args(argv)
    if a.dask_only:
        w = W7(a.hosts)
        print(dask_text(run_dask(w, a.repeats), a.hosts))
        return 0
    print(w7_text(run_w7(a.hosts, a.repeats, a.sample, not a.no_dask)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
