"""Threads for updates' database work: one runs the jobs in turn while it keeps up.

A `ThreadPoolExecutor` hands each job to an idle thread of its own. An update's database
work is a few statements, under a millisecond; with four lanes at once, four threads then
ran four jobs together, waking one another for SQLite's write turn (`db.turn`) and taking
the GIL from the busy event loop by force: some forty thread switches an update, a third
of the bot's CPU on a morning's replies (bench/README §3). Here the jobs queue for one
thread, which takes the next without sleeping. A job that has waited `spill_after_s` (the
thread held by a slow statement, a database locked by another process, a long read) is
taken by another thread, up to `max_workers` in all: one slow job holds up the others that
long at most, as with threads of their own. Outside an event loop, where nothing can watch
the wait, a job goes to whichever thread is free first, as in a `ThreadPoolExecutor`.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from contextlib import suppress
from functools import partial
from typing import Any, TypeVar

T = TypeVar("T")
_Result = tuple["asyncio.Future[Any]", Any, BaseException | None]


class _Job:
    """A job, run once, by the first thread or by another it spilled to; its result goes to
    a `concurrent.futures.Future` (`submit`) or straight to the awaiting loop (`run`)."""

    __slots__ = ("call", "future", "loop", "pool", "queued_at", "waiter")

    def __init__(self, pool: SpillPool, call: Callable[[], Any], queued_at: float) -> None:
        self.pool = pool
        self.call = call
        self.queued_at = queued_at
        self.future: Future[Any] | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.waiter: asyncio.Future[Any] | None = None

    def run(self) -> None:
        """Run the job (unless it was cancelled) and settle its future."""
        if self.waiter is not None:
            if self.waiter.cancelled():  # read from a thread: at worst the job runs unawaited
                return
            assert self.loop is not None
            try:
                result = self.call()
            except BaseException as exc:  # handed to the awaiting coroutine, as the stdlib does
                self.pool._hand_back(self.loop, self.waiter, None, exc)
                del exc  # no cycle through the traceback
            else:
                self.pool._hand_back(self.loop, self.waiter, result, None)
            return
        assert self.future is not None
        if not self.future.set_running_or_notify_cancel():
            return
        try:
            result = self.call()
        except BaseException as exc:
            self.future.set_exception(exc)
            del exc
        else:
            self.future.set_result(result)


class SpillPool(Executor):
    """An executor whose jobs wait for one thread, and spill to others once they waited."""

    def __init__(self, max_workers: int, spill_after_s: float, name: str) -> None:
        if max_workers < 2:
            raise ValueError("a spill pool needs a thread to spill to")
        self.spill_after_s = spill_after_s
        self._first = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._spill = ThreadPoolExecutor(
            max_workers=max_workers - 1, thread_name_prefix=f"{name}-spill"
        )
        self._lock = threading.Lock()
        self._waiting: OrderedDict[int, _Job] = OrderedDict()  # by submission, not yet taken
        self._queued = 0  # calls given to the first thread that it has not ended
        # The event loop on which a look at the oldest wait is due (a loop that ended, a
        # test's, leaves its look undone: another loop's jobs arm their own).
        self._watched: asyncio.AbstractEventLoop | None = None
        self.spilled = 0  # jobs another thread took, for the figures
        # Results for each loop not handed back yet: one wake-up of a loop hands back all
        # the results its jobs gave meanwhile.
        self._results: dict[asyncio.AbstractEventLoop, list[_Result]] = {}

    def run(self, fn: Callable[..., T], /, *args: Any) -> asyncio.Future[T]:
        """Run `fn(*args)` here and return a future of the running loop for its result:
        `loop.run_in_executor` without the `concurrent.futures.Future` between the two."""
        loop = asyncio.get_running_loop()
        job = _Job(self, partial(fn, *args), time.monotonic())
        job.loop, job.waiter = loop, loop.create_future()
        self._queue(job, loop)
        return job.waiter

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        job = _Job(self, partial(fn, *args, **kwargs), time.monotonic())
        job.future = Future()
        try:
            loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        self._queue(job, loop)
        return job.future

    def _queue(self, job: _Job, loop: asyncio.AbstractEventLoop | None) -> None:
        """Give the job to the first thread, and have its wait watched from `loop`."""
        with self._lock:
            self._waiting[id(job)] = job
            self._queued += 1
            # Something ahead of it on the first thread: its wait is to be watched.
            watch = loop is not None and self._queued > 1 and self._watched is not loop
            if watch:
                self._watched = loop
        self._first.submit(self._on_first, job)
        if loop is None:
            self._spill.submit(self._take, job)  # nothing watches a wait: first free thread
        elif watch:
            loop.call_later(self.spill_after_s, self._look, loop)

    def _hand_back(
        self,
        loop: asyncio.AbstractEventLoop,
        waiter: asyncio.Future[Any],
        result: Any,
        error: BaseException | None,
    ) -> None:
        """From a thread: give a job's result to its loop, waking the loop only when no
        result is on its way there already."""
        with self._lock:
            waiting = self._results.get(loop)
            if waiting is None:
                self._results[loop] = [(waiter, result, error)]
            else:
                waiting.append((waiter, result, error))
        if waiting is None:
            try:
                loop.call_soon_threadsafe(self._settle, loop)
            except RuntimeError:  # the loop has closed: nobody awaits the result
                with self._lock:
                    self._results.pop(loop, None)

    def _settle(self, loop: asyncio.AbstractEventLoop) -> None:
        """On the loop: set the results its jobs gave."""
        with self._lock:
            results = self._results.pop(loop, [])
        for waiter, result, error in results:
            if waiter.done():  # cancelled meanwhile
                continue
            if error is not None:
                waiter.set_exception(error)
            else:
                waiter.set_result(result)

    def _take(self, job: _Job) -> None:
        """Run the job unless another thread took it."""
        with self._lock:
            mine = self._waiting.pop(id(job), None) is not None
        if mine:
            job.run()

    def _on_first(self, job: _Job) -> None:
        """The first thread's call for a job: run it if still waiting."""
        try:
            self._take(job)
        finally:
            with self._lock:
                self._queued -= 1

    def _look(self, loop: asyncio.AbstractEventLoop) -> None:
        """On the loop: hand each job that has waited too long to another thread, and look
        again while jobs wait."""
        now = time.monotonic()
        late: list[_Job] = []
        with self._lock:
            while self._waiting:
                key, job = next(iter(self._waiting.items()))
                if now - job.queued_at < self.spill_after_s:
                    break
                del self._waiting[key]
                late.append(job)
            oldest = next(iter(self._waiting.values()), None)
            self._watched = loop if oldest is not None else None
        for job in late:
            self.spilled += 1
            self._spill.submit(job.run)
        if oldest is not None:
            again = max(0.0, self.spill_after_s - (now - oldest.queued_at))
            loop.call_later(again, self._look, loop)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        if cancel_futures:
            with self._lock:
                left = list(self._waiting.values())
                self._waiting.clear()
            for job in left:
                if job.future is not None:
                    job.future.cancel()
                elif job.loop is not None and job.waiter is not None:
                    with suppress(RuntimeError):  # its loop has closed: nobody awaits it
                        job.loop.call_soon_threadsafe(job.waiter.cancel)
        self._first.shutdown(wait=wait)
        self._spill.shutdown(wait=wait)
