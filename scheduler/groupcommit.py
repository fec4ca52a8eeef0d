"""Small writes from many tasks in one transaction: those that arrive while one runs join the next.

The sender marks each message `sending` before its call and `sent` after it. At 29 messages
a second that was 58 SQLite write transactions a second from its worker threads, each
taking the file's write lock; a person's tap, whose write runs on the event loop, then
waited in SQLite's busy handler, whose sleeps grow to 100 ms, and tap latency during a
fan-out went from tens to hundreds of milliseconds. Grouped, the same writes take the lock
a few times a second, and nothing waits longer than one transaction plus `GATHER_S`.

Each write is a function of a session; `run` returns its result, or raises its error.
Writes in one group commit together or not at all: when a group fails on anything but the
database being unavailable, each write is run again alone, so one faulty write fails only
its own caller. Callers keep their own guarantees: a write's caller resumes only once it
is committed.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any, TypeVar, cast

from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from db.engine import session_scope
from scheduler.workers import in_worker

T = TypeVar("T")
Write = Callable[[Session], Any]

# While writes keep coming, wait this long for more to join a group; an isolated write
# (nothing written for BUSY_S) goes at once.
GATHER_S = 0.04
BUSY_S = 0.2
MOST = 64


class GroupCommit:
    """Run writes in shared transactions, one transaction at a time, in a worker thread."""

    def __init__(self, engine: Engine, *, gather_s: float = GATHER_S) -> None:
        self.engine = engine
        self.gather_s = gather_s
        self.transactions = 0
        self._queue: list[tuple[Write, asyncio.Future[Any]]] = []
        self._task: asyncio.Task[None] | None = None
        self._last = 0.0

    async def run(self, write: Callable[[Session], T]) -> T:
        """Run `write` in the next transaction; return its result once committed."""
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._queue.append((write, future))
        if self._task is None:
            self._task = asyncio.create_task(self._drain(), name="dondoc-group-commit")
        return cast(T, await future)

    async def _drain(self) -> None:
        """Commit the queued writes, group after group, until none is left."""
        group: list[tuple[Write, asyncio.Future[Any]]] = []
        try:
            while self._queue:
                if time.monotonic() - self._last < BUSY_S:
                    await asyncio.sleep(self.gather_s)
                group, self._queue = self._queue[:MOST], self._queue[MOST:]
                await self._commit(group)
                self._last = time.monotonic()
        finally:
            self._task = None
            for _, future in group + self._queue:  # stopped (shut down): nobody waits forever
                future.cancel()
            self._queue = []

    async def _commit(self, group: list[tuple[Write, asyncio.Future[Any]]]) -> None:
        """Commit a group; after a failure not of the database itself, each write alone."""
        try:
            results = await in_worker(self._transaction, [write for write, _ in group])
        except Exception as exc:
            if len(group) == 1 or isinstance(exc, OperationalError):
                for _, future in group:
                    _settle(future, exc=exc)
                return
            for one in group:
                await self._commit([one])
            return
        for (_, future), result in zip(group, results, strict=True):
            _settle(future, result=result)

    def _transaction(self, writes: list[Write]) -> list[Any]:
        """Run the writes in one transaction (blocking)."""
        self.transactions += 1
        with session_scope(self.engine) as session:
            return [write(session) for write in writes]


def _settle(
    future: asyncio.Future[Any], *, result: Any = None, exc: Exception | None = None
) -> None:
    """Give a waiting caller its result or error (unless it stopped waiting)."""
    if future.done():
        return
    if exc is not None:
        future.set_exception(exc)
    else:
        future.set_result(result)
