"""Load benchmark of ``slotcalc serve`` (a benchmark, not a test; issue 14).

    python benchmarks/server_load.py [--clients 32] [--seconds 20] [--workers N] [--json FILE]

Starts ``python -m slotcalc serve`` on a free loopback port (127.0.0.1 only), then for each
workload — W1 (1 host, 90 days, 1,000 busy) and a small team (3 hosts in 3 zones, 7 days,
50 busy each, mode "all") — runs ``--clients`` concurrent keep-alive clients posting the
request to ``/v1/slots`` for ``--seconds`` seconds (at most ``--max-requests`` requests).
Prints requests per second, p50/p99 latency, errors (any status but 200, any answer that
differs from ``answer_request``'s), the server's peak memory (RSS of the front process, its
worker processes and the fork server, sampled every 0.1 s), and the overhead per request:
one client sending one request at a time, against calling ``answer_request`` in process,
the two interleaved (medians, and minima: the runs least disturbed by other work).

The clients run in this process (asyncio streams, a minimal HTTP/1.1 keep-alive client) on the
same machine as the server, so on a small machine they take some CPU from it: the figures are
a floor for the server.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: python benchmarks/server_load.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    __package__ = "benchmarks"

import httpx

from benchmarks.workloads import TEAM_EVENT, Workload, team, team_hosts, w1
from slotcalc.jsonapi import answer_request

ROOT = Path(__file__).resolve().parent.parent
Document = dict[str, Any]


def small_team() -> Workload:
    return team("team3", "3 hosts in 3 zones, 7 days, 50 busy each, mode 'all'",
                team_hosts(3, 7, 50), "all", TEAM_EVENT, 7)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _rss_tree(pid: int) -> int:
    """Bytes of RSS of ``pid`` and all its descendants (Linux /proc)."""
    total = 0
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
            for task in Path(f"/proc/{p}/task").iterdir():
                kids = (task / "children").read_text().split()
                todo.extend(int(k) for k in kids)
        except OSError:
            continue
    return total


class _Sampler(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            self.peak = max(self.peak, _rss_tree(self.pid))
            time.sleep(0.1)


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class _Connection:
    """A minimal HTTP/1.1 keep-alive client on asyncio streams: a load generator that costs
    little CPU (httpx spends several milliseconds a request, which on a small machine is taken
    from the server being measured)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: bytes) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        head = (f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n")
        self.writer.write(head.encode() + body)
        await self.writer.drain()
        status_line = await self.reader.readuntil(b"\r\n")
        status = int(status_line.split()[1])
        length = 0
        close = False
        while True:
            line = await self.reader.readuntil(b"\r\n")
            if line == b"\r\n":
                break
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value)
            elif name.lower() == "connection" and value.strip().lower() == "close":
                close = True
        data = await self.reader.readexactly(length)
        if close:
            await self.close()
        return status, data

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None


async def _load(host: str, port: int, body: bytes, want: bytes, clients: int, seconds: float,
                max_requests: int) -> Document:
    latencies: list[float] = []
    errors: dict[str, int] = {}
    sent = 0
    start = time.perf_counter()
    end = start + seconds

    async def one_client() -> None:
        nonlocal sent
        conn = _Connection(host, port)
        try:
            while time.perf_counter() < end and sent < max_requests:
                sent += 1
                t = time.perf_counter()
                try:
                    status, data = await conn.post("/v1/slots", body)
                except (OSError, asyncio.IncompleteReadError, ValueError) as e:
                    errors[type(e).__name__] = errors.get(type(e).__name__, 0) + 1
                    await conn.close()
                    continue
                latencies.append(time.perf_counter() - t)
                if status != 200:
                    errors[str(status)] = errors.get(str(status), 0) + 1
                elif data != want:
                    errors["different answer"] = errors.get("different answer", 0) + 1
        finally:
            await conn.close()

    await asyncio.gather(*(one_client() for _ in range(clients)))
    elapsed = time.perf_counter() - start
    return {"requests": len(latencies), "seconds": round(elapsed, 2),
            "rps": round(len(latencies) / elapsed, 1),
            "p50_ms": round(_percentile(latencies, 0.50) * 1000, 1),
            "p99_ms": round(_percentile(latencies, 0.99) * 1000, 1),
            "errors": sum(errors.values()), "error_kinds": errors}


def _overhead(host: str, port: int, request: Document, n: int) -> Document:
    """One request at a time, in turn in process and over HTTP (one keep-alive connection).

    The two are interleaved so that noise from other work on the machine hits both alike;
    the medians and the minima (the least disturbed runs) of each are returned, in seconds.
    """
    body = json.dumps(request).encode()
    text = body.decode()
    alone: list[float] = []
    with_json: list[float] = []
    served: list[float] = []

    async def run() -> None:
        conn = _Connection(host, port)
        try:
            for i in range(n + 5):
                t = time.perf_counter()
                answer_request(request)
                t1 = time.perf_counter()
                json.dumps(answer_request(json.loads(text)))
                t2 = time.perf_counter()
                status, _ = await conn.post("/v1/slots", body)
                t3 = time.perf_counter()
                assert status == 200
                if i >= 5:  # warm-up
                    alone.append(t1 - t)
                    with_json.append(t2 - t1)
                    served.append(t3 - t2)
        finally:
            await conn.close()

    asyncio.run(run())
    return {"in_process_ms": statistics.median(alone) * 1000,
            "in_process_min_ms": min(alone) * 1000,
            "in_process_with_json_ms": statistics.median(with_json) * 1000,
            "one_client_ms": statistics.median(served) * 1000,
            "one_client_min_ms": min(served) * 1000}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--clients", type=int, default=32)
    p.add_argument("--seconds", type=float, default=20.0)
    p.add_argument("--max-requests", type=int, default=200_000)
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    p.add_argument("--sequential", type=int, default=100,
                   help="requests, one at a time, for the overhead")
    p.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = p.parse_args(argv)

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
    server = subprocess.Popen(
        [sys.executable, "-m", "slotcalc", "serve", "--host", "127.0.0.1", "--port", str(port),
         "--workers", str(args.workers), "--log-level", "warning", "--no-access-log"],
        env=env)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/v1/health", timeout=1, trust_env=False).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                print("the server did not start", file=sys.stderr)
                return 1
            time.sleep(0.1)
        sampler = _Sampler(server.pid)
        idle_rss = _rss_tree(server.pid)
        sampler.start()
        results: list[Document] = []
        for w in (w1(), small_team()):
            body = json.dumps(w.request).encode()
            want = json.dumps(answer_request(w.request)).encode()
            load_before = os.getloadavg()[0]
            load = asyncio.run(_load("127.0.0.1", port, body, want, args.clients, args.seconds,
                                     args.max_requests))
            over = _overhead("127.0.0.1", port, w.request, args.sequential)
            row = {"workload": w.name, "description": w.description,
                   "request_bytes": len(body), "answer_bytes": len(want), **load,
                   **{k: round(v, 2) for k, v in over.items()},
                   "overhead_ms": round(over["one_client_ms"] - over["in_process_ms"], 2),
                   "overhead_min_ms": round(over["one_client_min_ms"]
                                            - over["in_process_min_ms"], 2),
                   "in_process_rps_one_core": round(1000 / over["in_process_ms"], 1),
                   "loadavg_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)]}
            results.append(row)
            print(json.dumps(row), flush=True)
        sampler.stop.set()
        sampler.join()
        summary = {"clients": args.clients, "seconds": args.seconds, "workers": args.workers,
                   "cpus": os.cpu_count(), "python": sys.version.split()[0],
                   "idle_rss_mb": round(idle_rss / 2**20, 1),
                   "peak_rss_mb": round(sampler.peak / 2**20, 1), "results": results}
        print()
        print(f"{args.clients} clients x {args.seconds:g} s, {args.workers} workers, "
              f"{os.cpu_count()} CPUs, Python {summary['python']}; server RSS idle "
              f"{summary['idle_rss_mb']} MB, peak {summary['peak_rss_mb']} MB "
              "(front + workers + fork server)")
        print("| workload | req/s | p50 ms | p99 ms | errors | one client ms (min) | in process "
              "ms (min) | overhead ms (min) | load avg |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
        for r in results:
            print(f"| {r['workload']} | {r['rps']} | {r['p50_ms']} | {r['p99_ms']} | "
                  f"{r['errors']} | {r['one_client_ms']} ({r['one_client_min_ms']}) | "
                  f"{r['in_process_ms']} ({r['in_process_min_ms']}) | {r['overhead_ms']} "
                  f"({r['overhead_min_ms']}) | {r['loadavg_1min'][0]}–{r['loadavg_1min'][1]} |")
        if args.json:
            args.json.write_text(json.dumps(summary, indent=1) + "\n")
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
