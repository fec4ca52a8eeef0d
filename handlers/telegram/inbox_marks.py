"""The marks `processed_at` of handled updates, carried by the next update's own write.

An update is finished once handled (`inbox_app.py`). Each mark was a write of its own,
committed in groups from the scheduler's pool: a transaction, a thread hop and a task for
every update. While updates keep coming, the next one's row is written anyway (the inbox
stores each update before any flow sees it, `inbox.py`): the marks waiting then go in that
transaction (`carried`), and are given back if it fails. Marks no row takes
within `GATHER_S` (the last updates of a burst, a lone one) are committed by themselves,
as they were before. A mark lost to a crash meanwhile costs what it always did: the
update runs again at the next start, and its flows know a rerun.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from db.queries import inbox as rows
from db.queries.inbox import InboxKey
from db.retry import retry_db_async
from handlers.telegram.senders import CHANNEL
from scheduler.groupcommit import GATHER_S, GroupCommit

log = logging.getLogger(__name__)


def finish(connection: Connection, keys: list[InboxKey], now: datetime) -> None:
    """Mark the updates processed, in the caller's transaction."""
    rows.finish_all(connection, channel=CHANNEL, keys=keys, now=now)


class FinishMarks:
    """Updates handled whose mark is not committed yet (all on the event loop)."""

    def __init__(
        self, engine: Engine, now: Callable[[], datetime], *, wait_s: float = GATHER_S
    ) -> None:
        self.now = now
        self.wait_s = wait_s
        self._keys: list[InboxKey] = []
        self._since = 0.0  # when the oldest mark waiting came (monotonic)
        self._writes = GroupCommit(engine)
        self._timer: asyncio.Task[None] | None = None
        self._committing = False  # the timer is writing (not to be cancelled)

    def add(self, key: InboxKey) -> None:
        """Keep a handled update's mark, for the next row or, after `wait_s`, by itself."""
        self._keep([key])

    def take(self) -> list[InboxKey]:
        """Take the marks waiting, for a transaction about to be written."""
        keys, self._keys = self._keys, []
        return keys

    def give_back(self, keys: list[InboxKey]) -> None:
        """Keep marks whose transaction failed (rolled back) for the next one."""
        self._keep(keys)

    @contextmanager
    def carried(self) -> Iterator[list[InboxKey]]:
        """Take the marks waiting for the transaction written within, and give them back
        when it does not commit (rolled back with the row: for the next one)."""
        keys = self.take()
        try:
            yield keys
        except BaseException:
            self.give_back(keys)
            raise

    async def close(self) -> None:
        """Commit what is waiting now (the bot stopping)."""
        self.wait_s = 0.0  # nothing waits for a row any more
        timer = self._timer
        if timer is not None:
            if not self._committing:
                timer.cancel()  # waiting only: what it waited for is written below
            await asyncio.gather(timer, return_exceptions=True)
        await self._commit()

    def _keep(self, keys: list[InboxKey]) -> None:
        if not keys:
            return
        if not self._keys:
            self._since = time.monotonic()
        self._keys.extend(keys)
        if self._timer is None:
            self._timer = asyncio.get_running_loop().create_task(
                self._commit_unclaimed(), name="inbox-finish"
            )

    async def _commit_unclaimed(self) -> None:
        """Commit the marks by themselves once the oldest has waited `wait_s` unclaimed.

        In a burst each row takes the marks come since the one before, so this seldom
        writes; after the burst's last update it writes what is left."""
        try:
            while self._keys:
                wait = self._since + self.wait_s - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                else:
                    self._committing = True
                    await self._commit()
                    self._committing = False
        finally:
            self._timer = None
            self._committing = False

    async def _commit(self) -> None:
        keys = self.take()
        if not keys:
            return

        def write(session: Session) -> None:
            finish(session.connection(), keys, self.now())

        try:
            await retry_db_async(lambda: self._writes.run(write), "finishing updates")
        except Exception:
            # Not marked: each runs again after a restart, as any unfinished update.
            log.exception("could not mark %d updates processed", len(keys))
