"""Replacing an item's buttons by its recorded status, so a second tap records nothing."""

from __future__ import annotations

import contextlib
from typing import Any

from telegram import Bot, InlineKeyboardMarkup, Message
from telegram.error import BadRequest

from core.markup import to_html

MAX_MESSAGE = 4096

ITEM_PREFIXES = ("st", "pc")


def readable(msg: Message | None) -> Message | None:
    """Return a pressed message whose text and buttons Telegram gave; None for one it gave
    only the chat and id of (an old or deleted message: date 0, `is_accessible` false).

    Settled from nothing, a reminder became its status line alone, every other task's
    buttons gone: such a message is left as it is (the press is recorded, its toast says so).
    """
    return msg if msg is not None and msg.is_accessible else None


def without_item(markup: dict[str, Any] | None, assignment_id: int) -> list[list[dict[str, Any]]]:
    """Return the keyboard rows without the buttons about one assignment."""
    rows: list[list[dict[str, Any]]] = []
    for row in (markup or {}).get("inline_keyboard", []):
        kept = [b for b in row if not _about(b.get("callback_data", ""), assignment_id)]
        if kept:
            rows.append(kept)
    return rows


def _about(data: str, assignment_id: int) -> bool:
    """Tell whether a button's data is a status or percent button of the assignment."""
    parts = data.rpartition("~")[0].split(":")
    return parts[0] in ITEM_PREFIXES and parts[-1] == str(assignment_id)


async def settle(
    bot: Bot,
    *,
    chat_id: int | str,
    message_id: int,
    html: str,
    markup: dict[str, Any] | None,
    assignment_id: int,
    line: str,
    extra_rows: list[list[dict[str, Any]]] | None = None,
) -> None:
    """Replace an item's buttons in a message by its status line (and optional new rows)."""
    rows = (extra_rows or []) + without_item(markup, assignment_id)
    keyboard = InlineKeyboardMarkup.de_json({"inline_keyboard": rows}, bot) if rows else None
    text = f"{html}\n\n{to_html(line)}" if line else html  # html: the message as it is
    try:
        if line and len(text) <= MAX_MESSAGE:
            await bot.edit_message_text(
                text, chat_id=chat_id, message_id=message_id, reply_markup=keyboard
            )
        else:
            await bot.edit_message_reply_markup(
                chat_id=chat_id, message_id=message_id, reply_markup=keyboard
            )
    except BadRequest:
        pass  # the message is too old to edit, or unchanged: the report is kept anyway


async def spent(bot: Bot, *, chat_id: int | str, message_id: int) -> None:
    """Take every button off a question once it is answered (which task, "confirm all",
    which status of a long report): a second press would only be told it expired."""
    # Too old to edit, or already without buttons: the answer is kept anyway.
    with contextlib.suppress(BadRequest):
        await bot.edit_message_reply_markup(chat_id=chat_id, message_id=message_id)
