"""A pool of worker processes, each killed and replaced when its job runs past its deadline.

Why processes, and why kill: slotcalc's work is pure-Python CPU. A thread cannot be stopped
and holds the GIL against the event loop; a ``concurrent.futures`` process pool can time out
*waiting* for a result but leaves the worker computing. Here every worker is one process with
one pipe, running one job at a time; the front process waits for its answer until the
request's deadline and, past it, kills the process (SIGKILL) and starts a fresh one. So a
request can cost at most ``time_limit`` seconds of one core, and a slow request never holds a
worker after its deadline.

Workers start with the ``forkserver`` method: a clean server process (no event loop, no
threads) that has imported slotcalc once forks each worker, so a replacement is ready in
milliseconds and shares the imported code's memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import pickle
import threading
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext
from typing import Any

from ._work import Job, dumps, error_document, run

__all__ = ["Overloaded", "TimeLimitExceeded", "WorkerPool"]


class TimeLimitExceeded(Exception):
    """The job ran past its deadline; its worker was killed."""


class Overloaded(Exception):
    """No worker came free before the deadline."""


class WorkerCrashed(Exception):
    """The worker died during the job (and was replaced)."""


def _worker_main(conn: Connection) -> None:  # pragma: no cover - runs in the worker process
    """Answer jobs from ``conn`` until the pipe closes."""
    while True:
        try:
            data = conn.recv_bytes()
        except (EOFError, OSError):
            return
        job: Job = pickle.loads(data)
        try:
            result = run(job)
        except Exception as e:  # a bug: answer 500, keep serving
            result = (500, dumps(error_document(
                "internal_error", f"internal error ({type(e).__name__}: {e}); please report "
                "it")))
        conn.send_bytes(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))


class _Worker:
    """One worker process and the front process's end of its pipe."""

    def __init__(self, ctx: BaseContext) -> None:
        here, there = ctx.Pipe(duplex=True)
        self.proc: Any = ctx.Process(  # type: ignore[attr-defined]
            target=_worker_main, args=(there,), daemon=True, name="slotcalc-worker")
        self.proc.start()
        there.close()
        self.conn: Connection = here

    def call(self, data: bytes, timeout: float) -> bytes | None:
        """Send a job and return the answer, or None when none came within ``timeout``.

        Raises EOFError/OSError when the worker died.
        """
        self.conn.send_bytes(data)
        if timeout <= 0 or not self.conn.poll(timeout):
            return None
        return self.conn.recv_bytes()

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self.proc.kill()
        with contextlib.suppress(Exception):
            self.proc.join(5)
        with contextlib.suppress(Exception):
            self.conn.close()


class WorkerPool:
    """``size`` worker processes behind an asyncio queue of idle ones."""

    def __init__(self, size: int, method: str = "forkserver") -> None:
        if size < 1:
            raise ValueError("a worker pool needs at least one worker")
        self.size = size
        self.method = method
        self.restarts = 0  # workers killed at a deadline or found dead, and replaced
        self._ctx: BaseContext | None = None
        self._idle: asyncio.Queue[_Worker] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._threads = ThreadPoolExecutor(max_workers=2 * size + 1,
                                           thread_name_prefix="slotcalc-pool")
        self._closed = False

    @property
    def busy(self) -> int:
        """Workers running a job now."""
        return self.size - (self._idle.qsize() if self._idle is not None else 0)

    async def start(self) -> None:
        """Start the workers (in a thread: starting processes blocks)."""
        self._loop = asyncio.get_running_loop()
        self._idle = asyncio.Queue()
        if self.method not in multiprocessing.get_all_start_methods():  # Windows: spawn
            self.method = "spawn"
        ctx = multiprocessing.get_context(self.method)
        if self.method == "forkserver":
            ctx.set_forkserver_preload(["slotcalc.server._pool"])
        self._ctx = ctx
        workers = await self._loop.run_in_executor(
            self._threads, lambda: [self._spawn() for _ in range(self.size)])
        for w in workers:
            self._idle.put_nowait(w)

    def _spawn(self) -> _Worker:
        assert self._ctx is not None
        w = _Worker(self._ctx)
        with self._lock:
            self._all.add(w)
        return w

    def _retire(self, w: _Worker) -> None:
        with self._lock:
            self._all.discard(w)
            self.restarts += 1
        w.stop()

    def _give_back(self, w: _Worker) -> None:
        assert self._loop is not None and self._idle is not None
        idle = self._idle
        with contextlib.suppress(RuntimeError):  # the loop is closed: shutting down
            self._loop.call_soon_threadsafe(idle.put_nowait, w)

    def _replace(self, w: _Worker) -> None:
        self._retire(w)
        if not self._closed:
            self._give_back(self._spawn())

    def _call(self, w: _Worker, data: bytes, timeout: float) -> bytes | Exception | None:
        """Run one job on ``w`` (in a pool thread); put ``w`` or its replacement back."""
        try:
            out: bytes | Exception | None = w.call(data, timeout)
        except (EOFError, OSError) as e:
            out = WorkerCrashed(f"the worker process died ({type(e).__name__})")
        if isinstance(out, bytes):
            self._give_back(w)
        else:  # past the deadline or dead: kill it, answer now, replace it after
            self._threads.submit(self._replace, w)
        return out

    async def _acquire(self, timeout: float) -> _Worker:
        assert self._idle is not None
        idle = self._idle
        getter = asyncio.ensure_future(idle.get())
        try:
            await asyncio.wait({getter}, timeout=max(timeout, 0))
        except BaseException:  # this request was cancelled: a worker it got goes back
            if getter.done() and not getter.cancelled():
                idle.put_nowait(getter.result())
            getter.cancel()
            raise
        if not getter.done():
            getter.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await getter  # it may have got a worker before the cancel took effect
        if getter.cancelled():
            raise Overloaded
        return getter.result()

    async def run(self, job: Job, timeout: float) -> tuple[int, bytes]:
        """Return ``(status, body)`` of ``job``, within ``timeout`` seconds from now.

        Raises Overloaded (no worker free in time), TimeLimitExceeded (the worker was
        killed at the deadline) or WorkerCrashed.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        w = await self._acquire(timeout)
        data = pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL)
        # The pool thread, not this coroutine, gives the worker back: a cancelled request
        # (client gone) cannot lose it.
        out = await loop.run_in_executor(self._threads, self._call, w, data,
                                         deadline - loop.time())
        if out is None:
            raise TimeLimitExceeded
        if isinstance(out, Exception):
            raise out
        status, body = pickle.loads(out)
        return int(status), bytes(body)

    def close(self) -> None:
        """Kill every worker."""
        self._closed = True
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for w in workers:
            w.stop()
        self._threads.shutdown(wait=False, cancel_futures=True)
