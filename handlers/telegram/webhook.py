"""Telegram updates by webhook: recorded in the inbox before Telegram is answered.

A webhook call records the update first (`admission.admit`, as a polled batch is before the
next getUpdates), so that a 200 means it is stored, then queues it; the inbox handler then
only hands the sender on to the flows.
"""

from __future__ import annotations

from typing import Any

from telegram import Update

from core.textnorm import without_nul
from handlers.telegram.admission import InboxApp, admit
from handlers.telegram.lanes import PersonLanes
from handlers.telegram.raw_updates import read


async def accept(application: InboxApp, payload: dict[str, Any]) -> None:
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
    lanes = application.update_processor
    if isinstance(lanes, PersonLanes):
        lanes.arrived([update])
    admitted = False
    try:
        admitted = await admit(application, update)
    finally:
        if raw is not None:
            raw.updates.pop(update.update_id, None)
        if not admitted and isinstance(lanes, PersonLanes):
            lanes.not_coming([update])
    if admitted:
        await application.update_queue.put(update)


def sink_of(application: InboxApp) -> Any:
    """Return the webhook sink of this application (what web.deps.Webhook calls)."""

    async def sink(payload: dict[str, Any]) -> None:
        await accept(application, payload)

    return sink
