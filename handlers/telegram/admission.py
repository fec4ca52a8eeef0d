"""An update is stored before Telegram is told it was received.

Telegram counts an update received once its webhook call is answered 2xx, or, by polling,
once the next getUpdates asks past its id. Either way the update is recorded in the inbox
first (`inbox.record_update`, outside the person's lane), so that a bot killed or restarted
meanwhile loses nothing: Telegram delivers again what it was not told of, and the inbox
runs again what it holds unfinished. The inbox's own handler (group -1) then only hands
the sender on to the flows, or stops an update the recording stopped.

By polling the confirmation used to come first: python-telegram-bot asks for the next batch
as soon as it has queued the last one, while the updates wait in their people's lanes to be
recorded. A bot restarted while the database was locked lost every message it had told its
sender was held.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from sqlalchemy.exc import OperationalError
from telegram import Update
from telegram.ext import Application, ApplicationHandlerStop, ExtBot

from handlers.telegram import inbox
from handlers.telegram.context import TelegramContext, TelegramData
from handlers.telegram.groups import is_private
from handlers.telegram.lanes import PersonLanes, person_of

log = logging.getLogger(__name__)

InboxApp = Application[Any, TelegramContext, Any, Any, TelegramData, Any]


async def admit(application: InboxApp, update: Update) -> bool:
    """Record one update in the inbox; tell whether the flows are to see it (not a copy,
    over its sender's budget, or a group's, which the recording stops)."""
    context = TelegramContext.from_update(update, application)
    try:
        await inbox.record_update(update, context, in_lane=False)
    except ApplicationHandlerStop:
        return False
    application.bot_data.inbox_admitted[update.update_id] = context.kept_actor
    return True


async def admit_fetched(application: InboxApp, updates: Sequence[Update]) -> Sequence[Update]:
    """Record a batch getUpdates fetched, each person's updates in order and different
    people's at once; return the updates to hand to python-telegram-bot, whose next
    getUpdates confirms them.

    A database that stays away (past `db.retry`'s wait) leaves the updates from the first
    not recorded on with Telegram, fetched again later; those of them recorded meanwhile are
    not recorded twice. Any other error leaves its update to the inbox's handler, in its
    lane, as before this admission (its error answered there).
    """
    data = application.bot_data
    failed: set[int] = set()

    async def one_person(mine: list[Update]) -> None:
        for update in mine:
            if update.update_id in data.inbox_held_back:  # recorded when fetched before
                data.inbox_admitted[update.update_id] = data.inbox_held_back.pop(update.update_id)
                continue
            try:
                if not await admit(application, update):
                    data.inbox_stopped.add(update.update_id)
            except OperationalError:
                failed.add(update.update_id)
                return  # this person's later updates wait behind it, with Telegram
            except Exception:
                log.exception("update %s not recorded on arrival", update.update_id)

    lanes = application.update_processor
    if isinstance(lanes, PersonLanes):
        lanes.arrived(updates)
    people: dict[str, list[Update]] = {}
    for update in updates:
        people.setdefault(person_of(update), []).append(update)
    together = await _admit_together(application, [mine[0] for mine in people.values()])
    await asyncio.gather(
        *(
            one_person(mine[1:] if mine[0].update_id in together else mine)
            for mine in people.values()
        )
    )
    if not failed:
        return updates
    cut = next(i for i, update in enumerate(updates) if update.update_id in failed)
    if isinstance(lanes, PersonLanes):
        lanes.not_coming(updates[cut:])
    for update in updates[cut:]:
        if update.update_id in data.inbox_admitted:
            data.inbox_held_back[update.update_id] = data.inbox_admitted.pop(update.update_id)
        data.inbox_stopped.discard(update.update_id)
    log.warning(
        "database unavailable: %d updates left with Telegram, to be fetched again",
        len(updates) - cut,
    )
    return updates[:cut]


async def _admit_together(application: InboxApp, firsts: Sequence[Update]) -> set[int]:
    """Record in one transaction each person's first update of a batch, when they are plain
    private ones (`inbox.record_together`); return those recorded. A person's later updates
    are recorded after (the flood guard judges each knowing the earlier one's sender)."""
    data = application.bot_data
    plain = [u for u in firsts if u.update_id not in data.inbox_held_back and is_private(u)]
    if len(plain) < 2:
        return set()
    contexts = [TelegramContext.from_update(update, application) for update in plain]
    if not await inbox.record_together(plain, contexts):
        return set()
    for update, context in zip(plain, contexts, strict=True):
        data.inbox_admitted[update.update_id] = context.kept_actor
    return {update.update_id for update in plain}


class StoringBot(ExtBot[Any]):
    """The bot whose getUpdates returns once what it fetched is recorded (`admit_fetched`,
    given by the composition root to `store_with`)."""

    _on_fetched: Callable[[Sequence[Update]], Awaitable[Sequence[Update]]] | None = None
    # When getUpdates began to fail (monotonic), while it fails: said once, not per try.
    _polling_failed_since: float | None = None

    def store_with(
        self, on_fetched: Callable[[Sequence[Update]], Awaitable[Sequence[Update]]]
    ) -> None:
        """Record each fetched batch with `on_fetched`, which returns the updates to hand on."""
        self._on_fetched = on_fetched

    def polling_failed(self, error: Exception) -> None:
        """Say in one line that getUpdates failed on the way (Telegram unreachable, blocked,
        a connection cut), once until it answers again. python-telegram-bot tries again
        every few seconds, up to every 30 s, and each try was an ERROR with a 60-line
        traceback: 170,000 lines for a day Telegram was blocked, the rest drowned."""
        if self._polling_failed_since is not None:
            log.debug("getUpdates failed again: %s", error)
            return
        self._polling_failed_since = time.monotonic()
        log.warning("Telegram does not answer getUpdates (%s); asking again until it does", error)

    async def get_updates(self, *args: Any, **kwargs: Any) -> tuple[Update, ...]:
        updates = await super().get_updates(*args, **kwargs)
        if self._polling_failed_since is not None:
            down = time.monotonic() - self._polling_failed_since
            self._polling_failed_since = None
            log.warning("Telegram answers getUpdates again, after %.0f s", down)
        if not updates or self._on_fetched is None:
            return updates
        return tuple(await self._on_fetched(updates))
