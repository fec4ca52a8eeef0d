"""The /newtask draft every step shares: the sender's draft in their forms, its buttons
(signed, tied to the draft by a nonce), and what a stale press of one is told.

Steps: title, directive, deadline (`newtask.py`), units (`newtask_units.py`), description,
confirm; a one-line /newtask (`newtask_line.py`).
"""

from __future__ import annotations

import contextlib
from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest
from telegram.ext import ConversationHandler

from core.markup import to_plain
from core.roles import Access
from core.taskdraft import TaskDraft
from handlers.telegram.access import Request, button

# The conversation states of /newtask (handlers.newtask); LINE_FIX: a one-line /newtask
# waits for the one part it refused, typed alone.
TITLE, DIRECTIVE, DEADLINE, ASSIGNEES, DESCRIPTION, CONFIRM, LINE_FIX = range(7)
END = ConversationHandler.END


def draft_of(req: Request) -> TaskDraft | None:
    """Return the sender's draft task, if a /newtask is under way."""
    forms = req.context.user_data
    return forms.newtask if forms is not None else None


def keep_draft(req: Request, draft: TaskDraft | None) -> None:
    """Store (or drop) the sender's draft task; a new one ends an /addunit form under way."""
    forms = req.context.user_data
    if forms is None:
        return
    forms.newtask = draft
    if draft is not None:
        forms.unit_form = None


def form_button(
    req: Request, draft: TaskDraft, label: str, step: str, *parts: object
) -> InlineKeyboardButton:
    """Return a button of the draft's form, `nt:<step>:<nonce>:…`, signed for the sender.

    The nonce ties the button to this draft: pressed once another draft has replaced it (or
    none is under way), it is refused instead of acting on whatever draft is current.
    """
    return req.button(label, "nt", step, draft.nonce, *parts)


def use_date(req: Request, draft: TaskDraft, day: date | None) -> InlineKeyboardMarkup | None:
    """Return a button that takes the proposed date (a past 'd/m' a year later), if any."""
    if day is None:
        return None
    label = req.t("newtask.btn_use_date", date=day)
    return InlineKeyboardMarkup([[form_button(req, draft, label, "dl", day.isoformat())]])


async def pressed_draft(req: Request) -> TaskDraft | None:
    """Return the draft a pressed form button belongs to; else refuse it and return None."""
    draft = draft_of(req)
    if draft is not None and len(req.args) > 2 and req.args[2] == draft.nonce:
        return draft
    await refuse_stale(req)
    return None


@button(Access.ADMIN)
async def stale_button(req: Request) -> None:
    """Refuse a form button that no step of a /newtask under way takes (an old message)."""
    await refuse_stale(req)


async def refuse_stale(req: Request) -> None:
    """Say that a form button is no longer valid, change nothing, and remove its buttons."""
    query = req.update.callback_query
    if query is None:
        return
    step = req.args[1] if len(req.args) > 1 else ""
    key = "newtask.confirm_stale" if step in ("ok", "no") else "common.button_stale"
    await query.answer(to_plain(req.t(key)), show_alert=True)
    if req.message is not None:
        await drop_buttons(req, req.message.message_id)


async def drop_buttons(req: Request, message_id: int | None) -> None:
    """Remove the buttons of one of the bot's messages in this chat (best effort)."""
    chat = req.update.effective_chat
    if message_id is None or chat is None:
        return
    # Already without buttons, or too old to edit: its buttons are refused anyway.
    with contextlib.suppress(BadRequest):
        await req.context.bot.edit_message_reply_markup(chat_id=chat.id, message_id=message_id)


async def end_draft(req: Request) -> TaskDraft | None:
    """Drop the sender's draft, remove its confirmation's buttons, and return it."""
    draft = draft_of(req)
    keep_draft(req, None)
    if draft is not None:
        await drop_buttons(req, draft.confirm_message_id)
    return draft


async def ack(req: Request, text: str | None = None) -> None:
    """Answer a button press (Telegram shows a spinner until then)."""
    if req.update.callback_query is not None:
        await req.update.callback_query.answer(to_plain(text) if text else None)
