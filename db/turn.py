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
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections import deque
from typing import Any

WRITES = ("insert", "update", "delete", "replace", "create", "drop", "alter", "begin immediate")


class Turn:
    """A first-come-first-served lock that any thread may give back."""

    def __init__(self) -> None:
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

    def take_turn(self, statement: str) -> None:
        """Take the turn before a transaction's first write statement."""
        if self._holding or not statement.lstrip()[:15].lower().startswith(WRITES):
            return
        # The event loop's own writes do not queue behind the threads': there a wait stalls
        # every chat (with them queued, heavy_web's loop stalled 0.5 s). One free is taken.
        on_loop = asyncio._get_running_loop() is not None
        self._holding = self.turn.take(0 if on_loop else self.turn_timeout)

    def give_turn(self) -> None:
        """Give the turn back (the transaction ended)."""
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


def turn_factory(turn: Turn, timeout: float) -> type[TurnConnection]:
    """Return a connection class writing in `turn`, waiting for it at most `timeout` s."""
    return type("EngineTurnConnection", (TurnConnection,), {"turn": turn, "turn_timeout": timeout})


def take_turn(
    _conn: Any, cursor: Any, statement: str, _params: Any, _context: Any, _many: bool
) -> None:
    """SQLAlchemy's before_cursor_execute: a write statement waits for the turn."""
    connection = cursor.connection
    if isinstance(connection, TurnConnection):
        connection.take_turn(statement)
