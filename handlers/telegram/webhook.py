"""Telegram updates by webhook: recorded in the inbox before Telegram is answered.

The inbox's own handler (group -1) does the recording when updates come by polling; a
webhook call records the update first, through the same function, so that a 200 means it
is stored, then queues it; the inbox handler then only hands the sender on to the flows.
"""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import Application, ApplicationHandlerStop

from core.textnorm import without_nul
from handlers.telegram import inbox
from handlers.telegram.context import TelegramContext, TelegramData
from handlers.telegram.raw_updates import read

WebhookApp = Application[Any, TelegramContext, Any, Any, TelegramData, Any]


async def accept(application: WebhookApp, payload: dict[str, Any]) -> None:
    """Store one update from a webhook call, then queue it to be handled after the answer.

    A duplicate, an update over its sender's budget or a group's update stops at the inbox
    as it would when polling; a database error propagates (Telegram then retries). One the
    library cannot read is stored and skipped, as when polling: Telegram sends again
    whatever is not answered 2xx, so a 4xx would only bring it back. Raise ValueError for
    what is no update at all (no whole-number update_id: nothing to store it by).
    """
    payload = without_nul(payload)  # PostgreSQL refuses NUL in text and jsonb
    update_id = payload.get("update_id")
    if not isinstance(update_id, int) or isinstance(update_id, bool):
        raise ValueError("not a Telegram update: no update_id")
    update = read(payload, application.bot) or Update.de_json(
        {"update_id": update_id}, application.bot
    )
    raw = application.bot_data.raw_updates
    if raw is not None:
        raw.updates[update.update_id] = payload
    context = TelegramContext.from_update(update, application)
    try:
        await inbox.record_update(update, context)
    except ApplicationHandlerStop:
        return
    finally:
        if raw is not None:
            raw.updates.pop(update.update_id, None)
    application.bot_data.inbox_admitted[update.update_id] = context.kept_actor
    await application.update_queue.put(update)


def sink_of(application: WebhookApp) -> Any:
    """Return the webhook sink of this application (what web.deps.Webhook calls)."""

    async def sink(payload: dict[str, Any]) -> None:
        await accept(application, payload)

    return sink
