"""Updates from different people run concurrently; one person's keep their order.

PTB's default runs one update at a time: an admin's minute-long export, or a stranger's
flood, would make everyone wait. With this processor each person (the update's user, else
its chat) has a lane: their updates run one after another, in the order Telegram sent them
(conversations, the check-in's "next file is evidence", the inbox's rerun logic rely on it),
while other people's lanes go on. The processor also tells the loop probe which updates
are being handled, and when each came (`came`: a text sent again before the answer to the
same text went out is finished unanswered, `core.repeats`).

Heavy updates (a command or button `app.heavy` lists: summaries, files, reports, charts,
lists over many units; a document its flow marks: an admin's spreadsheet to import) take
one of HEAVY_AT_ONCE slots before a common one: fifty coordinators' /summary at once held all
four slots in turn, and officials' taps waited behind them (p95 1.4 s against 16 ms idle).
The slot left is everyone else's. A heavy update that finds every heavy slot taken tells
its person at once that it is queued (`on_queued`): fifty coordinators' /export at once ran
three at a time, and after 240 s most had had no word at all.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from contextlib import AbstractAsyncContextManager, nullcontext
from dataclasses import dataclass
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor
from telegram.ext.filters import BaseFilter

from app.heavy import HEAVY_CHOICES, is_heavy_choice, is_heavy_command
from core.repeats import AnsweredTexts
from handlers.telegram.registry import Flow

# A few updates at a time is enough for one slow command not to hold up others; hundreds
# made replies five times slower (bench.overhead ratio 0.11 against 0.54 with four), as
# they contend for the same database and sending budget.
MAX_CONCURRENT = 4
HEAVY_AT_ONCE = MAX_CONCURRENT - 1  # the heavy updates leave one slot to the quick ones
WAITING_AT_MOST = 10_000  # updates taken from Telegram and waiting for their lane or a slot


def sent_to_chat(answered: AnsweredTexts, chat: str) -> None:
    """Note a message sent to a chat: a private chat's id is its person's (`person_of`)."""
    answered.went(f"u{chat}")


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


@dataclass(frozen=True)
class HeavyUpdates:
    """Tell a heavy update from its text or button alone (no database, no parsing by PTB)."""

    commands: frozenset[str] = frozenset()
    buttons: frozenset[str] = frozenset()  # the first part (or two) of their callback data
    # Documents by their message: whether a spreadsheet is an import or evidence depends on
    # who sent it (the database), so an official's spreadsheet counts as heavy too: it only
    # waits, when three heavy updates run, for one of them to end.
    documents: tuple[BaseFilter, ...] = ()

    @classmethod
    def of(cls, flows: Sequence[Flow]) -> HeavyUpdates:
        """Return the flows' heavy commands (with their aliases) and buttons, as `app.heavy`
        lists them, and the documents the flows mark heavy."""
        commands = {
            name.lower()
            for flow in flows
            for spec in flow.commands
            if is_heavy_command(spec.name)
            for name in (spec.name, *spec.aliases)
        }
        documents = tuple(f for flow in flows for f in flow.heavy_documents)
        return cls(frozenset(commands), HEAVY_CHOICES, documents)

    def __call__(self, update: object) -> bool:
        """Tell whether the update is a heavy command, a heavy button's press or a heavy
        document."""
        if not isinstance(update, Update):
            return False
        if update.callback_query is not None:
            return is_heavy_choice(update.callback_query.data or "", self.buttons)
        msg = update.message  # an edited command is not run again (registry.NEW_MESSAGES)
        if msg is not None and msg.document is not None:
            return any(f.check_update(update) for f in self.documents)
        if msg is None or not msg.text or not msg.text.startswith("/"):
            return False
        word = msg.text.split(maxsplit=1)[0][1:]  # "/summary@dondoc_bot #12": "summary@dondoc_bot"
        return word.split("@")[0].lower() in self.commands


class PersonLanes(BaseUpdateProcessor):
    """Run updates concurrently, one lane per person, in order within a lane."""

    def __init__(
        self,
        max_concurrent_updates: int = MAX_CONCURRENT,
        *,
        heavy: Callable[[object], bool] = HeavyUpdates(),
        heavy_at_once: int = HEAVY_AT_ONCE,
    ) -> None:
        # PTB's own slot is taken before the update waits for its lane: an update waiting
        # behind the same person's slow one (an admin's second file during an import, a
        # coordinator's /report typed again) held a slot doing nothing, and four such froze
        # every other person until the first ended. PTB's bound is only what may wait here
        # (PTB makes a task of every update anyway); the slots are taken in the lane's turn.
        super().__init__(max(WAITING_AT_MOST, max_concurrent_updates))
        self._tails: dict[str, asyncio.Future[None]] = {}
        self._running: dict[int, tuple[str, float]] = {}
        self._came: dict[int, float] = {}  # when each update waiting or running came (monotonic)
        self._slots = asyncio.Semaphore(max_concurrent_updates)
        # Taken before a common slot, so at most this many heavy updates hold one.
        self._heavy_slots = asyncio.Semaphore(max(1, min(heavy_at_once, max_concurrent_updates)))
        self.heavy = heavy
        # Told of a heavy update that waits for a heavy slot, once, in its person's turn
        # (`inbox_notices.tell_queued`; set once the application is built).
        self.on_queued: Callable[[object], Awaitable[None]] | None = None

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Wait for the person's previous update to finish, then for one of the few slots (a
        heavy update: for a heavy slot first), and run this one."""
        lane = person_of(update)
        self._came.setdefault(id(update), time.monotonic())
        is_heavy = self.heavy(update)
        heavy: AbstractAsyncContextManager[Any] = self._heavy_slots if is_heavy else nullcontext()
        before = self._tails.get(lane)
        mine: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._tails[lane] = mine
        try:
            if before is not None:
                await asyncio.shield(before)
            if is_heavy and self._heavy_slots.locked() and self.on_queued is not None:
                await self.on_queued(update)
            async with heavy, self._slots:
                self._running[id(mine)] = (describe(update), time.monotonic())
                await coroutine
        finally:
            self._came.pop(id(update), None)
            self._running.pop(id(mine), None)
            mine.set_result(None)
            if self._tails.get(lane) is mine:
                del self._tails[lane]

    def came(self, update: object) -> float | None:
        """Return when an update waiting or running came to the bot (monotonic seconds)."""
        return self._came.get(id(update))

    def arrived(self, updates: Iterable[object]) -> None:
        """Note that updates came to the bot now, recorded before they reach their lanes
        (handlers.telegram.admission): a text sent again before its twin's answer went is
        known by when it came, not by when its recording was done."""
        now = time.monotonic()
        for update in updates:
            self._came.setdefault(id(update), now)

    def not_coming(self, updates: Iterable[object]) -> None:
        """Forget when updates came that will not reach their lanes after all."""
        for update in updates:
            self._came.pop(id(update), None)

    def handling(self) -> str:
        """Return the updates being handled now, with how long each has run (for the probe)."""
        now = time.monotonic()
        return ", ".join(f"{what} ({now - t:.1f} s)" for what, t in self._running.values())

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release: PTB waits for the running updates itself."""
