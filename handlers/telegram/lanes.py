"""Updates from different people run concurrently; one person's keep their order.

PTB's default runs one update at a time: an admin's minute-long export, or a stranger's
flood, would make everyone wait. With this processor each person (the update's user, else
its chat) has a lane: their updates run one after another, in the order Telegram sent them
(conversations, the check-in's "next file is evidence", the inbox's rerun logic rely on it),
while other people's lanes go on. The processor also tells the loop probe which updates
are being handled.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

# A few updates at a time is enough for one slow command not to hold up others; hundreds
# made replies five times slower (bench.overhead ratio 0.11 against 0.54 with four), as
# they contend for the same database and sending budget.
MAX_CONCURRENT = 4
WAITING_AT_MOST = 10_000  # updates taken from Telegram and waiting for their lane or a slot


def person_of(update: object) -> str:
    """Return the lane of an update: its user, else its chat, else one shared lane."""
    if isinstance(update, Update):
        if update.effective_user is not None:
            return f"u{update.effective_user.id}"
        if update.effective_chat is not None:
            return f"c{update.effective_chat.id}"
    return "-"


def describe(update: object) -> str:
    """Name an update for logs: its id, what it carries and, for a message, its command."""
    if not isinstance(update, Update):
        return type(update).__name__
    if update.callback_query is not None:
        return f"{update.update_id} button"
    msg = update.effective_message
    if msg is not None and msg.text and msg.text.startswith("/"):
        return f"{update.update_id} {msg.text.split(maxsplit=1)[0][:32]}"
    if msg is not None and msg.document is not None:
        return f"{update.update_id} file"
    return f"{update.update_id} message"


class PersonLanes(BaseUpdateProcessor):
    """Run updates concurrently, one lane per person, in order within a lane."""

    def __init__(self, max_concurrent_updates: int = MAX_CONCURRENT) -> None:
        # PTB's own slot is taken before the update waits for its lane: an update waiting
        # behind the same person's slow one (an admin's second file during an import, a
        # coordinator's /report typed again) held a slot doing nothing, and four such froze
        # every other person until the first ended. PTB's bound is only what may wait here
        # (PTB makes a task of every update anyway); the slots are taken in the lane's turn.
        super().__init__(max(WAITING_AT_MOST, max_concurrent_updates))
        self._tails: dict[str, asyncio.Future[None]] = {}
        self._running: dict[int, tuple[str, float]] = {}
        self._slots = asyncio.Semaphore(max_concurrent_updates)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Wait for the person's previous update to finish, then for one of the few slots, and
        run this one."""
        lane = person_of(update)
        before = self._tails.get(lane)
        mine: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._tails[lane] = mine
        try:
            if before is not None:
                await asyncio.shield(before)
            async with self._slots:
                self._running[id(mine)] = (describe(update), time.monotonic())
                await coroutine
        finally:
            self._running.pop(id(mine), None)
            mine.set_result(None)
            if self._tails.get(lane) is mine:
                del self._tails[lane]

    def handling(self) -> str:
        """Return the updates being handled now, with how long each has run (for the probe)."""
        now = time.monotonic()
        return ", ".join(f"{what} ({now - t:.1f} s)" for what, t in self._running.values())

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release: PTB waits for the running updates itself."""
