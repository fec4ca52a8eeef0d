"""Wait out a brief database outage instead of failing the work in hand."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

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


@contextmanager
def not_repeated(what: str) -> Iterator[None]:
    """Mark work that running again might repeat (work of several transactions, such as a
    Zalo command's, not made to run again): an outage in it is raised as PartlyDoneError,
    which `retry_db_async` does not wait out, instead of OperationalError, which it does.
    """
    try:
        yield
    except OperationalError as exc:
        raise PartlyDoneError(f"database unavailable while {what}") from exc
