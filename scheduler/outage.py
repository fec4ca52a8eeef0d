"""A periodic job's work through a database that does not answer for a while.

A job runs at its moment (the digest on DIGEST_CRON, the recurring rules at 05:30,
housekeeping every ten minutes): a database away then (a backup holding SQLite's lock,
PostgreSQL restarted) made it a traceback, and its work waited for the next run. It waits
the outage out, up to OUTAGE_S (a stop waits for a job in flight, so not the five minutes
an update waits); past that, one line says so, and the next run does it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.exc import OperationalError

from db.retry import is_outage, retry_db_async

log = logging.getLogger(__name__)
T = TypeVar("T")

OUTAGE_S = 60.0


async def waited_out(work: Callable[[], Awaitable[T]], what: str) -> T | None:
    """Return what `work` returns, run again while the database is away; None when it
    stayed away past OUTAGE_S (logged in one line)."""
    try:
        return await retry_db_async(work, what, OUTAGE_S)
    except OperationalError as exc:
        if not is_outage(exc):  # a fault of the work itself: its traceback
            raise
        log.warning("%s waits for the database (%s); the next run does it", what, exc.orig)
        return None
