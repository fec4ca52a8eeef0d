"""Showing a check-in's answer on Telegram: its messages with buttons, and the edits it implies.

A question asked from a pressed reminder keeps where that message is (`origin`); once the
question is answered, the item's buttons there are replaced by its status line.
"""

from __future__ import annotations

from typing import Any

from telegram import Message

from app.checkin import Answer
from handlers.telegram import evidence, fallback
from handlers.telegram.access import Request
from handlers.telegram.itembuttons import readable, settle
from render.telegram import buttons


def message_key(msg: Message) -> str:
    """Return the dedup key of a report sent as this message."""
    return f"tg:msg:{msg.chat.id}:{msg.message_id}"


def origin_of(msg: Message | None) -> dict[str, Any]:
    """Return where a pressed message is, to settle its buttons once the answer comes (none
    for a message Telegram gave only the chat and id of: `itembuttons.readable`)."""
    msg = readable(msg)
    if msg is None:
        return {}
    markup = msg.reply_markup.to_dict() if msg.reply_markup else None
    return {"chat": msg.chat.id, "msg": msg.message_id, "html": msg.text_html, "kb": markup}


async def show(req: Request, answer: Answer) -> None:
    """Send what the answer says, with its choices as buttons, then settle its origin."""
    if answer.unhandled:
        await fallback.anything_else(req.update, req.context)
        return
    if answer.evidence is not None:
        await evidence.keep_pending(req, *answer.evidence)
    key, person = req.services.button_key, req.actor.external_id
    for said in answer.said:
        markup = buttons(key, person, said.choices) if said.choices else None
        await req.tell(said.text, reply_markup=markup)  # never edited: left unread
    origin = answer.origin or {}
    if answer.settled is not None and "msg" in origin and answer.said:
        await settle(
            req.context.bot,
            chat_id=origin["chat"],
            message_id=int(origin["msg"]),
            html=str(origin.get("html") or ""),
            markup=origin.get("kb"),
            assignment_id=answer.settled,
            line=answer.said[-1].text,
        )
