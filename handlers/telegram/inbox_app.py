"""The Telegram application that finishes what the inbox recorded.

An update is finished (`processed_at`) when PTB has run its handlers, also when they ended
in the error handler: the person was told, and running it again could repeat what it did.
An admin's guided forms are loaded before the flows see the update and kept before it is
finished, so their next update, after a restart or on another worker, goes on from them.
A text sent again before the answer to the first went out is stopped (`stop_a_repeat`);
a text is remembered as answered once its handlers ran.
"""

from __future__ import annotations

import logging
import time
from typing import Any, NoReturn

from telegram import Update
from telegram.ext import Application, ApplicationHandlerStop

from app.actor import Actor
from core.roles import Access
from handlers.telegram.context import TelegramContext, TelegramData
from handlers.telegram.form_store import FormStore
from handlers.telegram.groups import is_private
from handlers.telegram.inbox_marks import FinishMarks
from handlers.telegram.lanes import PersonLanes, person_of
from handlers.telegram.senders import CHANNEL
from scheduler.roles import wait_turn
from scheduler.workers import stop_processes

log = logging.getLogger(__name__)


class InboxApplication(Application[Any, TelegramContext, Any, Any, TelegramData, Any]):
    """The application, marking each update it recorded as finished once handled."""

    # The marks `processed_at` waiting for the next update's row, or committed by
    # themselves (inbox_marks.py; created on first use, with the engine).
    marks: FinishMarks | None = None

    @staticmethod
    def _raise_system_exit() -> NoReturn:
        """On SIGTERM or Ctrl+C (python-telegram-bot's handler of the signals): tell the jobs
        in worker processes at once, before stopping waits for the poll to end."""
        stop_processes()
        raise SystemExit

    async def stop(self) -> None:
        """Stop as python-telegram-bot does, first telling jobs in worker processes (an
        import being applied ends at its next slice, so the updates PTB waits for end
        soon), then commit the marks of the updates that ended meanwhile."""
        stop_processes()
        await super().stop()
        if self.marks is not None:
            await self.marks.close()

    async def initialize(self) -> None:
        """Initialize as python-telegram-bot does; when that fails (a rejected token, Telegram
        out of reach), close the Bot API connections it opened, which PTB leaves open (the
        aiohttp transport's session would be reported unclosed on the way out)."""
        try:
            await super().initialize()
        except BaseException:
            await self.bot.request.shutdown()
            if self.bot_data.raw_updates is not None:
                await self.bot_data.raw_updates.shutdown()
            raise

    async def process_update(self, update: object) -> None:
        """Run the handlers (and the error handler), then mark the update processed."""
        started = time.perf_counter()
        key = self.bot_data.inbox_ours.get(id(update))
        services = self.bot_data.services
        if key is not None and services.worker is not None:
            # Another worker may hold this person's earlier update: wait for it to finish.
            await wait_turn(services, CHANNEL, key, person_of(update))
        await super().process_update(update)
        said = self.bot_data.inbox_texts.pop(id(update), None)
        if said is not None:  # answered: the same text sent before now repeats it
            self.bot_data.answered_texts.answered(*said)
        if self.bot_data.forms is not None:
            await _keep_forms(self, self.bot_data.forms, update)
        self.bot_data.services.metrics.handled(CHANNEL, time.perf_counter() - started)
        self.bot_data.inbox_reruns.discard(id(update))
        key = self.bot_data.inbox_ours.pop(id(update), None)
        if key is not None:
            # Not written now: the update's turn ends with its handlers, and the next
            # update's row takes the mark in its own transaction (inbox_marks.py).
            self.finish_marks().add(key)

    def finish_marks(self) -> FinishMarks:
        """Return the marks waiting (created on first use, with the engine)."""
        if self.marks is None:
            services = self.bot_data.services
            self.marks = FinishMarks(services.engine, services.clock.now)
        return self.marks


def stop_a_repeat(update: Update, context: TelegramContext) -> None:
    """Stop a private text that repeats the person's last one answered and came before that
    answer went (`core.repeats`, Zalo's rule too): fifteen "xong" a slow network sent again
    got fifteen "which task?". It is recorded, and finished unanswered (not run again at the
    next start). Another is noted, to be remembered once answered (`process_update`)."""
    msg = update.message
    if msg is None or not msg.text or not is_private(update):
        return
    person, data = person_of(update), context.bot_data
    lanes = context.application.update_processor
    came = lanes.came(update) if isinstance(lanes, PersonLanes) else None
    if data.answered_texts.repeats(person, msg.text, came):
        log.info("update %s repeats the last text before its answer: not read", update.update_id)
        raise ApplicationHandlerStop
    data.inbox_texts[id(update)] = (person, msg.text)
    data.answered_texts.begin(person)


async def load_forms(context: TelegramContext, update: Update, actor: Actor | None) -> None:
    """Load an admin's guided forms (only admins have any) before the flows see the update;
    anyone else's, left in memory from when they were an admin, are dropped."""
    store = context.bot_data.forms
    if store is not None and actor is not None and actor.access >= Access.ADMIN:
        await store.load(context.application, update)
    elif store is not None:
        store.leave(context.application, update)


async def _keep_forms(application: InboxApplication, store: FormStore, update: object) -> None:
    """Write back the forms an update changed; a failure is logged, the answer stands."""
    try:
        await store.save(application, update)
    except Exception:
        log.exception("could not keep a guided form")
