"""Record every update once, before any flow sees it; a repeated update stops here.

Only updates from private chats go on to the flows (and tell who the sender is): one from a
group, supergroup or channel is handed to handlers.groups and stops here.
"""

from __future__ import annotations

import logging

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from telegram import Update
from telegram.ext import ApplicationHandlerStop, ContextTypes, TypeHandler

from db.models import Inbox
from db.retry import retry_db
from handlers import groups
from handlers.access import CHANNEL, Actor, keep_actor, seen_sender, services_of

log = logging.getLogger(__name__)
_INSERT = insert(Inbox.__table__)  # type: ignore[attr-defined]  # built once, run per update


def update_kind(update: Update) -> str:
    """Name what an update carries (message, callback_query, ...), for the inbox."""
    for name in ("message", "edited_message", "callback_query", "channel_post", "my_chat_member"):
        if getattr(update, name, None) is not None:
            return name
    return "other"


async def record_update(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Store the update id; if it was stored before, Telegram sent it twice: drop it."""
    if not isinstance(update, Update):
        return
    services = services_of(context)
    private = groups.is_private(update)

    def store() -> Actor | None:
        # Core, not the ORM: this runs for every update and the ORM's session costs ~10x.
        # The sender is read (and marked seen) in the same transaction; only a private chat
        # tells who a person is and where to write to them.
        with services.engine.begin() as connection:
            connection.execute(
                _INSERT,
                {
                    "channel": CHANNEL,
                    "update_id": str(update.update_id),
                    "kind": update_kind(update),
                    "received_at": services.clock.now(),
                },
            )
            return seen_sender(connection, update, services) if private else None

    try:
        keep_actor(context, await retry_db(store, "recording an update"))
    except IntegrityError:
        log.info("dropped duplicate update %s", update.update_id)
        raise ApplicationHandlerStop from None
    if not private:
        await groups.on_update(update, context)
        raise ApplicationHandlerStop


def handler() -> TypeHandler[Update, ContextTypes.DEFAULT_TYPE, None]:
    """Return the handler that records updates (registered in the earliest group)."""
    return TypeHandler(Update, record_update)
