"""Wait out a brief database outage instead of failing the work in hand."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError

log = logging.getLogger(__name__)
T = TypeVar("T")

MAX_WAIT_S = 300.0
FIRST_DELAY_S = 0.2
MAX_DELAY_S = 5.0


async def retry_db(operation: Callable[[], T], what: str, max_wait: float = MAX_WAIT_S) -> T:
    """Run a database operation, retrying with backoff while the database is unreachable.

    A locked SQLite file or a dropped PostgreSQL connection raises OperationalError; the
    session has rolled back, so running the operation again is safe. Sleeping between tries
    lets the bot go on answering from memory; updates wait their turn, none is dropped.
    """
    deadline = time.monotonic() + max_wait
    delay = FIRST_DELAY_S
    while True:
        try:
            return operation()
        except OperationalError as exc:
            if time.monotonic() + delay > deadline:
                raise
            log.warning("database unavailable while %s (%s); retrying", what, exc.orig)
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_DELAY_S)


async def retry_db_async(
    operation: Callable[[], Awaitable[T]],
    what: str,
    max_wait: float = MAX_WAIT_S,
    on_wait: Callable[[], Awaitable[None]] | None = None,
) -> T:
    """As retry_db, for an operation that is awaited (such as one run in a worker thread).

    `on_wait` runs once, at the first failure (to tell someone waiting); its errors are
    logged and the retries go on.
    """
    deadline = time.monotonic() + max_wait
    delay = FIRST_DELAY_S
    while True:
        try:
            return await operation()
        except OperationalError as exc:
            if time.monotonic() + delay > deadline:
                raise
            log.warning("database unavailable while %s (%s); retrying", what, exc.orig)
            if on_wait is not None:
                told, on_wait = on_wait, None
                try:
                    await told()
                except Exception:
                    log.warning("could not tell of the wait while %s", what, exc_info=True)
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_DELAY_S)


class PartlyDoneError(RuntimeError):
    """The database failed after part of the work was committed: not run again."""


class UnkeptError(RuntimeError):
    """The work is done and its answer ready; what is left (`keep`, bookkeeping such as the
    choices the answer offers) failed for the database: keep it once the database is back,
    then send `answer` (the work is not run again)."""

    def __init__(self, answer: Sequence[Any], keep: Callable[[], None]) -> None:
        super().__init__("database unavailable while keeping what an answer offers")
        self.answer, self.keep = list(answer), keep


# Statements that write nothing: a transaction of these alone is not counted as kept.
_READS = ("SELECT", "PRAGMA", "SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "SHOW", "SET")
_WROTE = "dondoc.wrote"
_kept = threading.local()  # per thread: how many transactions that wrote were committed


def count_commits(engine: Engine) -> None:
    """Count, per thread, the transactions on `engine` that wrote and were committed (what
    `not_repeated` reads: an outage before any was is safe to run again whole)."""
    event.listen(engine, "after_cursor_execute", _wrote)
    event.listen(engine, "commit", _committed)
    event.listen(engine, "rollback", _rolled_back)


def kept_writes() -> int:
    """Return how many transactions that wrote this thread has committed."""
    return int(getattr(_kept, "count", 0))


def _wrote(connection: Connection, _cursor: Any, statement: str, *_args: Any) -> None:
    """Note that the connection's transaction wrote (or may have: any other statement)."""
    if not statement.lstrip()[:9].upper().startswith(_READS):
        connection.info[_WROTE] = True


def _committed(connection: Connection) -> None:
    """Count a committed transaction that wrote."""
    if connection.info.pop(_WROTE, False):
        _kept.count = kept_writes() + 1


def _rolled_back(connection: Connection) -> None:
    """Forget the writes of a transaction rolled back."""
    if connection.invalidated:  # cut: its notes went with the DBAPI connection, and reading
        return  # them raised PendingRollbackError from close(), ending the bot in a traceback
    connection.info.pop(_WROTE, None)


class RefusedError(RuntimeError):
    """The database refused the work itself (a missing table: not an outage): not run again."""


def is_outage(exc: OperationalError) -> bool:
    """Tell whether an OperationalError is the database out of reach for a while (SQLite's
    lock held elsewhere, PostgreSQL's connection or lock wait), not a fault of the work
    (SQLite raises "no such table" as an OperationalError too)."""
    if not isinstance(exc.orig, sqlite3.OperationalError):
        return True
    said = str(exc.orig).lower()
    return "locked" in said or "busy" in said or "unable to open" in said


@contextmanager
def not_repeated(what: str) -> Iterator[None]:
    """Mark work of several transactions (a Zalo command's, a form's step), not all made to
    run again: an outage before any of them kept a write is raised as it is (nothing of the
    work is kept, so `retry_db_async` waits it out and runs it again whole); one after is
    raised as PartlyDoneError, which it does not wait out, and any other OperationalError as
    RefusedError.
    """
    before = kept_writes()
    try:
        yield
    except OperationalError as exc:
        if not is_outage(exc):
            raise RefusedError(f"database refused the work while {what}") from exc
        if kept_writes() == before:
            raise
        raise PartlyDoneError(f"database unavailable while {what}") from exc
