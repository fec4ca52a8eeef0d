"""One guided form at a time per person: /newtask's or /addunit's, as on Zalo.

Starting a form drops the one under way, and says so. A conversation whose form was
dropped (or lost) takes none of the person's text: it ends and hands the message on, so
"xong" typed after an abandoned form is read as what it says.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from telegram import Update
from telegram.ext import Application, ConversationHandler

from handlers.telegram.access import Request
from handlers.telegram.context import PersonForms, TelegramContext
from handlers.telegram.registry import PTBCallback, hand_on

NEWTASK, ADDUNIT = "newtask", "addunit"


def open_form(forms: PersonForms | None) -> str | None:
    """Return the command of the form under way ("newtask", "addunit"), if any."""
    if forms is None:
        return None
    if forms.newtask is not None:
        return NEWTASK
    return ADDUNIT if forms.unit_form is not None else None


def dropped_note(req: Request) -> str:
    """Say that the form under way is dropped for a new one ("" when there is none)."""
    form = open_form(req.context.user_data)
    if form is None:
        return ""
    return req.t("common.form_dropped", form=f"/{form}") + "\n\n"


def while_open(
    name: str, is_open: Callable[[PersonForms], bool], callback: PTBCallback
) -> PTBCallback:
    """Run a conversation's text step only while its form is under way; else hand it on."""

    async def step(update: Update, context: TelegramContext) -> Any:
        forms = context.user_data
        if forms is not None and is_open(forms):
            return await callback(update, context)
        await hand_on(update, context, after=lambda h: _is_conversation(h, name))
        return ConversationHandler.END

    return step


def form_conversations(
    application: Application[Any, Any, Any, Any, Any, Any],
) -> list[ConversationHandler[Any]]:
    """Return the registered conversations of the guided forms."""
    return [
        handler
        for handlers in application.handlers.values()
        for handler in handlers
        if isinstance(handler, ConversationHandler) and handler.name in (NEWTASK, ADDUNIT)
    ]


def _is_conversation(handler: object, name: str) -> bool:
    """Tell whether a handler is the named conversation."""
    return isinstance(handler, ConversationHandler) and handler.name == name
