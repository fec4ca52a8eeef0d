"""An SQLite database locked for a while from another connection, as an outage test makes it."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, text

Arm = Callable[..., threading.Event]
# The first statement of a status reply: what its text may be about (the question pending,
# the open items, the message answered), read in one (db.queries.checkin.about_text).
READ_ABOUT = "SELECT APP_STATE.VALUE AS ASKED"


def lock_for_a_while(db_path: Path, seconds: float, released: threading.Event) -> None:
    """Take the database's write lock from another connection now and give it back
    `seconds` later; `released` is set once it is given back."""
    blocker = sqlite3.connect(db_path, timeout=5, check_same_thread=False)
    blocker.execute("BEGIN EXCLUSIVE")

    def release() -> None:
        blocker.rollback()
        blocker.close()
        released.set()

    threading.Timer(seconds, release).start()


@contextmanager
def locking_at(engine: Engine, db_path: Path, seconds: float) -> Iterator[Arm]:
    """Yield `arm(statement, about="")`: the write lock is taken from another connection as
    the engine next runs a statement starting with `statement` (its parameters naming
    `about`), and given back `seconds` later; the event `arm` returns is set once it is.

    The statement must be the first write of its transaction: one after would wait for the
    other connection, which waits for it."""
    armed: list[tuple[str, str, threading.Event]] = []
    guard = threading.Lock()

    def take(*args: Any) -> None:
        statement, parameters = args[2].lstrip().upper(), str(args[3])
        with guard:
            hit = next(
                (a for a in armed if statement.startswith(a[0]) and a[1] in parameters), None
            )
            if hit is None:
                return
            armed.remove(hit)
        lock_for_a_while(db_path, seconds, hit[2])

    def arm(statement: str, about: str = "") -> threading.Event:
        held = threading.Event()
        with guard:
            armed.append((statement.upper(), about, held))
        return held

    event.listen(engine, "before_cursor_execute", take)
    try:
        yield arm
    finally:
        event.remove(engine, "before_cursor_execute", take)


def waiting_for_a_lock(engine: Engine, done: threading.Event) -> None:
    """Return once another transaction waits for a row lock on PostgreSQL, or `done` is set
    (10 s at most: a guard against a hang, not a measure)."""
    deadline = time.monotonic() + 10
    query = text(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE wait_event_type = 'Lock' AND datname = current_database()"
    )
    while not done.is_set() and time.monotonic() < deadline:
        with engine.connect() as conn:
            if conn.execute(query).scalar_one():
                return
        time.sleep(0.01)
