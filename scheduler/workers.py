"""A thread pool of the scheduler's own for blocking database work.

`asyncio.to_thread` uses the event loop's default executor, which the network stack also
needs (httpx resolves addresses there when it opens a connection). A fan-out keeps many
database calls in flight; on the default pool they would make the bot's own getUpdates
wait, and people's taps with it. So delivery work runs here instead.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures import wait as wait_futures
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager, suppress
from functools import partial
from typing import Any, TypeVar

from sqlalchemy.engine import Engine

from core.logsafe import redacting_handler, secrets_redacted
from db.engine import make_engine, sqlite_file
from scheduler.spillpool import SpillPool

log = logging.getLogger(__name__)

T = TypeVar("T")
WORKERS = 4
HEAVY_WORKERS = 2
PROCESSES = 2
# Heavy jobs yield the CPU to the bot: on a busy machine the loop answers people first.
HEAVY_NICE = 10
# Updates are handled a few at a time (handlers.telegram.lanes), each one call at a time,
# plus the finishing of those that just ended: their calls queue for one thread, and one
# that waited SPILL_AFTER_S is taken by another (scheduler.spillpool).
UPDATE_WORKERS = 8
SPILL_AFTER_S = 0.02
# How often a worker process looks whether the bot that started it is still there.
PARENT_CHECK_S = 1.0
# How long the jobs left in worker processes once the bot has stopped have to end by
# themselves (told by `stop_processes`) before their processes are ended (`end_processes`).
END_GRACE_S = 5.0
# How soon the thread watching for a job's word (`told`) sees the block it serves ended.
TOLD_CHECK_S = 0.25

_pool: ThreadPoolExecutor | None = None
_heavy: ThreadPoolExecutor | None = None
_heavy_lanes: dict[str, ThreadPoolExecutor] = {}  # `in_heavy_lane`'s pools, by lane
_updates: SpillPool | None = None
_processes: ProcessPoolExecutor | None = None
# Set by the bot when it stops; a job in a worker process asks `still_wanted` between steps.
_stop: Any = None
# Set by a job in a worker process (`tell_bot`: reminders are queued), seen by `told`.
_told: Any = None
# In a worker process: the stop event and the bot's process id, given by `_start_worker`.
_wanted: tuple[Any, int] | None = None
_retired: list[tuple[ProcessPoolExecutor, Any, Any]] = []
_left: list[Any] = []  # the processes of the pools let go (`stop_processes`)
# The files being made for a person in a worker process (`made_unless_stopping`), each
# awaited by its own task: given up when the bot stops.
_abandonable: set[asyncio.Future[Any]] = set()
# A worker process started ahead of its first job (`warm_up`), while it imports.
_warming: Future[Any] | None = None
# The pool is created from the loop (a sweep) and from worker threads (a text channel's nudge).
_creating = threading.Lock()


def _executor() -> ThreadPoolExecutor:
    """Return the pool, creating it on first use (nothing runs at import time)."""
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="dondoc-db")
    return _pool


async def in_worker(function: Callable[..., T], *args: Any) -> T:
    """Run a blocking function in the scheduler's pool and await its result."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_executor(), partial(function, *args))


async def in_update_worker(function: Callable[..., T], *args: Any) -> T:
    """Run an update's database work (the inbox, a check-in) off the event loop.

    On SQLite a write waits for the file's lock (a spreadsheet import takes it in slices):
    on the loop that wait stalled every update; here it holds up its own, and the others
    for `SPILL_AFTER_S` at most (they go on in other threads). A pool of its own: the
    sender's calls in the scheduler's pool must not make people wait.
    """
    global _updates
    if _updates is None:
        _updates = SpillPool(UPDATE_WORKERS, SPILL_AFTER_S, "dondoc-update")
    return await _updates.run(function, *args)


async def in_heavy_worker(function: Callable[..., T], *args: Any) -> T:
    """Run a long blocking job (an export, an import, a nudge) off the event loop.

    Its own small pool, so that a workbook built for a minute neither holds up the
    sender's database calls nor the network stack's (the default executor).
    """
    global _heavy
    if _heavy is None:
        _heavy = ThreadPoolExecutor(max_workers=HEAVY_WORKERS, thread_name_prefix="dondoc-heavy")
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_heavy, partial(function, *args))


async def in_heavy_lane(lane: str, threads: int, function: Callable[..., T], *args: Any) -> T:
    """Run a heavy request's blocking work in a pool of threads of its lane's own.

    For a channel that bounds its heavy requests itself (Zalo's dispatch takes one of its
    heavy slots first): as many run at once as its slots let, `threads`, off the update pool
    whose threads answer the officials' taps. In the update pool, fifty Zalo coordinators'
    `/ranking year` held those taps (bench.stall); in the heavy pool's `HEAVY_WORKERS`, shared
    with Telegram's summaries and the dashboard, they ran two at once instead of three.
    The threads are named `dondoc-heavy-<lane>`; the first call with a lane sets its size.
    """
    pool = _heavy_lanes.get(lane)
    if pool is None:
        pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix=f"dondoc-heavy-{lane}")
        _heavy_lanes[lane] = pool
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(pool, partial(function, *args))


async def in_process(engine: Engine, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a heavy job in a worker process: `function(database, *args, **kwargs)`.

    Minutes of Python in a thread would starve the event loop of the GIL; a process uses
    another core. The job gets the database's URL and opens its own engine (`opened`); for
    an in-memory SQLite database, which another process cannot see, it runs in a thread
    with the engine itself.
    """
    url = _shared_url(engine)
    if url is None:
        return await in_heavy_worker(partial(function, engine, *args, **kwargs))
    pool = _process_pool()
    if _warming is not None and not _warming.done():
        # Wait for the process being started rather than spawn a second one beside it.
        await asyncio.wait([asyncio.wrap_future(_warming)])
    loop = asyncio.get_running_loop()
    try:
        return await loop.run_in_executor(pool, partial(function, url, *args, **kwargs))
    except BrokenProcessPool:
        _forget(pool)
        raise


class AbandonedError(Exception):
    """A file being made for a person was given up because the bot is stopping: ask again."""


async def made_unless_stopping(
    engine: Engine, function: Callable[..., T], *args: Any, **kwargs: Any
) -> T:
    """As `in_process`, for a file made for a person that stores nothing (an export, a
    report): given up once the bot stops (`stop_processes`), raising `AbandonedError`.

    The bot's stop waited for the update that asked for it, a minute of a country's
    workbook, past systemd's 30 s; the process is ended afterwards (`end_processes`).
    """
    job = asyncio.ensure_future(in_process(engine, function, *args, **kwargs))
    _abandonable.add(job)
    try:
        return await job
    except asyncio.CancelledError:
        current = asyncio.current_task()
        if job.cancelled() and (current is None or not current.cancelling()):
            raise AbandonedError from None
        raise
    finally:
        _abandonable.discard(job)
        job.cancel()  # the caller cancelled: the job's result is no one's


def in_process_blocking(
    engine: Engine, function: Callable[..., T], *args: Any, **kwargs: Any
) -> T:
    """Run `function(database, *args, **kwargs)` in a worker process and wait, in this thread.

    For work that is itself blocking already (a text channel answers in a worker thread):
    the thread waits without holding the GIL while the process composes. Never on the loop.
    An in-memory SQLite database's job runs right here, with the engine.
    """
    url = _shared_url(engine)
    if url is None:
        return function(engine, *args, **kwargs)
    pool = _process_pool()
    warming = _warming
    if warming is not None:
        wait_futures([warming])
    try:
        return pool.submit(function, url, *args, **kwargs).result()
    except BrokenProcessPool:
        _forget(pool)
        raise


@contextmanager
def opened(database: str | Engine) -> Iterator[Engine]:
    """Yield a job's engine: its own, opened on a URL (in a process), or the one given."""
    if not isinstance(database, str):
        yield database
        return
    engine = make_engine(database)
    try:
        yield engine
    finally:
        engine.dispose()


def _shared_url(engine: Engine) -> str | None:
    """Return the URL another process opens the database by; None for in-memory SQLite."""
    url = engine.url.render_as_string(hide_password=False)
    if url.startswith("sqlite") and sqlite_file(url) is None:
        return None
    return url


def _forget(pool: ProcessPoolExecutor) -> None:
    """Drop a broken pool (a worker died: killed, out of memory); the next job gets a new one."""
    global _processes
    with _creating:
        if _processes is pool:
            _processes = None


def _process_pool() -> ProcessPoolExecutor:
    """Return the pool of worker processes, creating it on first use."""
    global _processes, _stop, _told
    with _creating:
        if _processes is None:
            spawn = multiprocessing.get_context("spawn")  # no copy of the bot's threads or sockets
            _stop, _told = spawn.Event(), spawn.Event()
            level, secrets = logging.getLogger().level, secrets_redacted()
            _processes = ProcessPoolExecutor(
                max_workers=PROCESSES,
                mp_context=spawn,
                initializer=_start_worker,
                initargs=(_stop, _told, os.getpid(), level, secrets),
            )
        return _processes


async def warm_up(engine: Engine, module: str) -> None:
    """Start a worker process now and import `module` in it, ready for its first job.

    A new process takes a second to import what a job needs; a country's first sweep must
    not wait for it after the bot has started. Returns once the process is ready.
    """
    warming = start_warm_up(engine, module)
    if warming is not None:
        await asyncio.wait([asyncio.wrap_future(warming)])


def start_warm_up(engine: Engine, module: str) -> Future[Any] | None:
    """Start a worker process importing `module` (unless one is started already) and return
    at once: `dondoc run` starts it before importing the bot, on the other core. The first
    job waits for it (`in_process`). None for an in-memory SQLite database (no process)."""
    global _warming
    if _shared_url(engine) is None:
        return None
    if _warming is None:
        _warming = _process_pool().submit(_import, module)
    return _warming


def _import(module: str) -> None:
    """In a worker process: import the module (the module itself cannot be sent back)."""
    importlib.import_module(module)


def _start_worker(stop: Any, told: Any, parent: int, level: int, secrets: list[str]) -> None:
    """Set up a worker process: low priority, how to know it stops, how to tell the bot
    (`tell_bot`), and the bot's logging: its level, and its secrets redacted (a job's error
    may name the database's password, a log line a URL with the bot's token)."""
    global _wanted, _told
    os.nice(HEAVY_NICE)
    _wanted, _told = (stop, parent), told
    root = logging.getLogger()
    root.handlers[:] = [redacting_handler(secrets)]
    root.setLevel(level)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its URLs hold the token
    threading.Thread(target=_end_with, args=(parent,), name="dondoc-parent", daemon=True).start()


def _end_with(parent: int) -> None:
    """In a worker process: end it once the bot is gone. Killed (SIGKILL, out of memory), the
    bot never says so, and an idle worker waited for its next job for ever, an orphan
    holding the database file open; a job in it already stops at `still_wanted`."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_S)
    os._exit(0)


def tell_bot() -> None:
    """In a worker process: tell the bot that something is ready (a sweep's first reminders
    queued), for `told`'s callback. In the bot itself, nothing."""
    if _wanted is not None and _told is not None:
        _told.set()


@contextmanager
def told(callback: Callable[[], None]) -> Iterator[None]:
    """Within the block, call `callback` (in a thread of its own) each time a job in a worker
    process calls `tell_bot`: a sweep's reminders are sent as they are queued, not at the
    sender's next tick, a second later (bench/README.md, issue 20)."""
    _process_pool()
    event, ended = _told, threading.Event()

    def watch() -> None:
        while not ended.is_set():
            if event.wait(TOLD_CHECK_S):
                event.clear()
                callback()

    threading.Thread(target=watch, name="dondoc-told", daemon=True).start()
    try:
        yield
    finally:
        ended.set()


def still_wanted() -> bool:
    """Tell a job whether to go on: in a worker process, not once the bot stops or dies."""
    if _wanted is None:
        return True
    stop, parent = _wanted
    return not stop.is_set() and os.getppid() == parent


def stop_processes() -> None:
    """Ask the jobs in worker processes to stop, and let the processes go.

    A reminder sweep gives up at its next step (the next run completes it), an import
    being applied at its next slice (saying how far it got); a file being made for a person
    is given up (`made_unless_stopping`: they are told to ask again). The other jobs running
    still hand their results back. Called first thing when the bot stops
    (its signal), before it waits for the updates being handled: stopping never waits for a
    country's sweep, nor for an import of 3,000 tasks (it ran 30 s more, past systemd's and
    compose's 30 s, and was killed unsaid).
    """
    global _processes, _stop, _told, _warming
    if _stop is not None:
        _stop.set()
    for job in list(_abandonable):  # from the loop or a thread: each in its loop
        with suppress(RuntimeError):  # its loop closed: nobody waits for it
            job.get_loop().call_soon_threadsafe(job.cancel)
    if _processes is not None:
        # Its processes, which `shutdown` forgets: `end_processes` ends those left running.
        _left.extend((getattr(_processes, "_processes", None) or {}).values())
        _processes.shutdown(wait=False, cancel_futures=True)
        # Kept: a worker still being spawned unpickles the events, which must exist.
        _retired.append((_processes, _stop, _told))
    _processes = _stop = _told = _warming = None


def end_processes(grace: float = END_GRACE_S) -> None:
    """End the worker processes still running once the bot has stopped.

    Called last, after the bot's stop, which waited for the jobs whose results it needed
    (an import says how far it got). What is left was abandoned: a download's file being
    built for a request the server answered already (`web.files.signed.unless_stopping`).
    Left alone, the interpreter's exit waited for it, a minute of a country's workbook,
    and systemd killed the server. A job's writes are transactions: ended, it stores nothing
    half-done. Given `grace` to end by itself first (a sweep at its next step).
    """
    processes = list(_left)
    _left.clear()
    deadline = time.monotonic() + grace
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
    for process in processes:
        if process.is_alive():
            log.info(
                "ended worker process %s: its job was abandoned as the bot stopped", process.pid
            )
            process.kill()
            process.join()
