"""A running bot copies SQLite's write-ahead log into the database in a thread of its own.

SQLite checkpoints on its own when a commit leaves the log past 1,000 pages, and it does so
inside that commit: the writer whose commit crossed the line copies every page of the log
into the database file and syncs it before its commit returns. In a bot that writer is as
often an official's tap as anything, and it holds this process's writers' turn (db.turn)
meanwhile, so every tap behind it waited too: on a country's 425 MB file, while a 5,000-row
import committed every few milliseconds from the worker process, taps waited up to a
second (bench/README.md, "The apply's checkpoints").

While the bot runs, its connections checkpoint only past `BACKSTOP_PAGES` (a log this long
means the thread below has fallen far behind), and a thread runs a passive checkpoint every
`EVERY_S`: it copies what no reader still needs, takes no writer's lock, and no commit
waits for it. Other processes (the CLI, the worker processes of heavy jobs) keep SQLite's
own checkpoints: their writes are their own to pay for.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

from db.engine import sqlite_file

EVERY_S = 0.5
BACKSTOP_PAGES = 16_384  # 64 MB of log at SQLite's 4 KiB pages
SLOW_S = 1.0  # a checkpoint that took longer is logged

log = logging.getLogger(__name__)


@contextmanager
def checkpoints_in_background(engine: Engine, every_s: float = EVERY_S) -> Iterator[None]:
    """While inside, checkpoint the engine's SQLite file from a thread, not from commits.

    Nothing for another database. The engine's idle connections are closed first, so that
    every connection used inside has the backstop.
    """
    if engine.dialect.name != "sqlite" or sqlite_file(engine.url.render_as_string()) is None:
        yield
        return
    event.listen(engine, "connect", _backstop)
    engine.dispose(close=True)  # those opened before (the migrations) checkpoint as SQLite does
    stop = threading.Event()
    thread = threading.Thread(
        target=_run, args=(engine, every_s, stop), name="dondoc-checkpoint", daemon=True
    )
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        event.remove(engine, "connect", _backstop)
        engine.dispose(close=True)  # none keeps the backstop without the thread


def checkpoint(engine: Engine) -> tuple[int, int]:
    """Copy into the database what of the log no reader needs; return (log pages, copied)."""
    with engine.connect() as connection:
        row = connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").one()
    return int(row[1]), int(row[2])


def _backstop(dbapi_connection: Any, _record: Any) -> None:
    """Leave checkpoints to the thread, unless the log grows past the backstop."""
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA wal_autocheckpoint={BACKSTOP_PAGES}")
    cursor.close()


def _run(engine: Engine, every_s: float, stop: threading.Event) -> None:
    """Checkpoint every `every_s` until stopped; a failure is logged and tried again."""
    while not stop.wait(every_s):
        started = time.monotonic()
        try:
            pages, copied = checkpoint(engine)
        except Exception:  # a locked or vanished file: the next turn tries again
            log.warning("could not checkpoint the database's log", exc_info=True)
            continue
        took = time.monotonic() - started
        if took > SLOW_S:
            log.info("checkpoint of %d log pages (%d copied) took %.1f s", pages, copied, took)
