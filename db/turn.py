"""SQLite writers of this process take the file's write lock in turn, in the order they came.

SQLite lets one writer at a time; the others wait in its busy handler, which sleeps 1 to
100 ms between tries, so a writer that arrives while the lock changes hands often takes it
before one that has waited for long: under a burst (a Zalo webhook's 1,000 events, their
answers) a Telegram tap's inbox write waited for seconds. Here each connection takes the
process's turn before the first write statement of its transaction and gives it back at
commit, rollback or close, and the next writer wakes at once, first come first served.
A turn not had within the busy timeout is not waited for any longer: the writer goes on to
SQLite's own lock (as before), so a thread writing on two connections at once, or a
transaction left open, slows others without stopping them. A write on the event loop does not
queue (it goes to SQLite's lock at once, as before): it would stall every chat meanwhile.

Between processes (the bot and the worker process of a heavy job, a spreadsheet applied in
5 ms slices), the writer whose turn it is also takes an advisory lock on a file beside the
database (`<file>-writers`) before SQLite's, and drops it before handing the turn on. The
busy handler's sleeps grow to 100 ms, so a bot's writer waiting on another process's
slices slept through nearly every pause between them (each tap's writes took tens of ms,
every tap queued behind them: taps waited 43 s at the median while a 5,000-row file was
applied); the lock is tried every millisecond instead. Not had within the timeout, the
writer goes on to SQLite's lock, as with the turn.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import sqlite3
import threading
import time
from collections import deque
from pathlib import Path
from typing import Any

from sqlalchemy.exc import OperationalError

TRY_EVERY_S = 0.001  # how often a writer tries another process's lock
WRITES = ("insert", "update", "delete", "replace", "create", "drop", "alter", "begin immediate")


class Turn:
    """A first-come-first-served lock that any thread may give back.

    `path`: the file whose advisory lock the writers of every process take in turn.
    """

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._guard = threading.Lock()
        self._held = False
        self._waiting: deque[threading.Event] = deque()

    @property
    def waiting(self) -> int:
        """How many writers wait for their turn."""
        return len(self._waiting)

    def take(self, timeout: float) -> bool:
        """Wait for the turn (at most `timeout` seconds); tell whether it was had."""
        with self._guard:
            if not self._held and not self._waiting:
                self._held = True
                return True
            if timeout <= 0:
                return False
            mine = threading.Event()
            self._waiting.append(mine)
        if mine.wait(timeout):
            return True  # handed over by `give`
        with self._guard:
            if mine.is_set():
                return True  # handed over as the wait ended
            self._waiting.remove(mine)
            return False

    def give(self) -> None:
        """Hand the turn to the writer that has waited longest, or free it."""
        with self._guard:
            if self._waiting:
                self._waiting.popleft().set()  # stays held, by the next one
            else:
                self._held = False


class TurnConnection(sqlite3.Connection):
    """An SQLite connection that writes in the process's turn (`Turn`)."""

    turn: Turn
    turn_timeout: float
    _holding = False
    _locked = False  # the other processes' lock (`Turn.path`)
    _lock_fd: int | None = None

    def take_turn(self, statement: str) -> None:
        """Take the turn before a transaction's first write statement.

        A savepoint outside a transaction (a session's `begin_nested` before any write: a
        report's insert, a duplicate's key in mind) would begin one, deferred, in SQLite:
        the reads after it pin a snapshot, and a commit by another writer meanwhile makes
        SQLite refuse the write at once ("database is locked", no busy wait), the work run
        again after a notice that the database is away. Python's sqlite3 begins none there,
        so the transaction is begun here, IMMEDIATE, in the turn: it writes, as it meant to.
        """
        if self._holding:  # every statement of a writing transaction: nothing to take
            return
        head = statement.lstrip()[:15].lower()
        if head.startswith("savepoint") and not self.in_transaction:
            self.take_turn("begin immediate")
            self.execute("BEGIN IMMEDIATE")
            return
        if not head.startswith(WRITES):
            return
        # The event loop's own writes do not queue behind the threads': there a wait stalls
        # every chat (with them queued, heavy_web's loop stalled 0.5 s). One free is taken.
        on_loop = asyncio._get_running_loop() is not None
        timeout = 0 if on_loop else self.turn_timeout
        started = time.monotonic()
        self._holding = self.turn.take(timeout)
        if self._holding and self.turn.path is not None:
            self._locked = self._lock(max(0.0, timeout - (time.monotonic() - started)))

    def _lock(self, timeout: float) -> bool:
        """Take the processes' lock, trying every millisecond; tell whether it was had."""
        if self._lock_fd is None:
            assert self.turn.path is not None
            try:
                self._lock_fd = os.open(self.turn.path, os.O_RDWR | os.O_CREAT, 0o600)
            except OSError:
                return False  # a folder not writable: SQLite's own lock alone, as before
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    return False
                time.sleep(TRY_EVERY_S)
            except OSError:  # a file system without advisory locks: SQLite's lock alone
                return False

    def give_turn(self) -> None:
        """Give the turn back (the transaction ended)."""
        if self._locked:
            self._locked = False
            assert self._lock_fd is not None
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
        if self._holding:
            self._holding = False
            self.turn.give()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            if not self.in_transaction:
                self.give_turn()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.give_turn()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.give_turn()
            if self._lock_fd is not None:
                os.close(self._lock_fd)
                self._lock_fd = None


def turn_factory(turn: Turn, timeout: float) -> type[TurnConnection]:
    """Return a connection class writing in `turn`, waiting for it at most `timeout` s."""
    return type("EngineTurnConnection", (TurnConnection,), {"turn": turn, "turn_timeout": timeout})


def take_turn(
    _conn: Any, cursor: Any, statement: str, _params: Any, _context: Any, _many: bool
) -> None:
    """SQLAlchemy's before_cursor_execute: a write statement waits for the turn."""
    connection = cursor.connection
    if isinstance(connection, TurnConnection):
        try:
            connection.take_turn(statement)
        except sqlite3.OperationalError as exc:  # the BEGIN IMMEDIATE of a savepoint: busy
            # SQLAlchemy wraps no error of a listener: as its own, so db.retry waits it out.
            raise OperationalError(statement, _params, exc) from exc
