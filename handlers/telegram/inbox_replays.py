"""An update id the inbox holds already: Telegram's copy, an unfinished one to run again,
or a new update a restarted server numbered again (a new epoch, epochs.py)."""

from __future__ import annotations

import logging
from datetime import datetime

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from app.actor import Actor
from app.services import Services
from db.queries import inbox as rows
from db.queries.inbox import InboxKey
from db.retry import retry_db_async
from handlers.telegram import epochs
from handlers.telegram.access import services_of
from handlers.telegram.context import TelegramContext
from handlers.telegram.senders import CHANNEL, seen_sender
from scheduler.workers import in_update_worker

log = logging.getLogger(__name__)


async def stored_before(services: Services, key: InboxKey, content: str) -> bool:
    """Tell whether the inbox holds this update already (Telegram delivered it again)."""

    def read() -> str | None:
        with services.engine.connect() as connection:
            return rows.digest_of(connection, channel=CHANNEL, key=key)

    recorded = await retry_db_async(lambda: in_update_worker(read), "reading the inbox")
    return recorded is not None and epochs.same_content(recorded, content)


async def rerun_or_drop(
    update: Update,
    context: TelegramContext,
    private: bool,
    key: InboxKey,
    content: str | None,
    started: datetime | None,
) -> tuple[bool, Actor | None]:
    """Claim a known update left unfinished by an earlier process, or stop a duplicate.

    `started`: an update received before it may be claimed (this process's start; for one
    taken over from a dead worker, when it was taken). Return False when the id is known
    with other content than `content` (None: not compared): the update is new, in a new
    epoch.
    """
    services = services_of(context)

    def claim() -> tuple[str, Actor | None]:
        with services.engine.begin() as connection:
            if content is not None and not epochs.same_content(
                rows.digest_of(connection, channel=CHANNEL, key=key), content
            ):
                return "new", None
            if started is None or not rows.reclaim(
                connection, channel=CHANNEL, key=key, started=started
            ):
                return "duplicate", None
            return "rerun", seen_sender(connection, update, services) if private else None

    outcome, actor = await retry_db_async(lambda: in_update_worker(claim), "reclaiming")
    if outcome == "new":
        log.warning("update id %s was seen with other content: a new epoch of ids", key.update_id)
        return False, None
    if outcome == "duplicate":
        log.info("dropped duplicate update %s", update.update_id)
        raise ApplicationHandlerStop
    log.warning("running update %s again: an earlier process did not finish it", update.update_id)
    return True, actor
