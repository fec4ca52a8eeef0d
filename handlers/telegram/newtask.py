"""/newtask: an admin assigns a task, step by step or in one line, and confirms it.

Shaped like PTB's conversationbot.py: each state's callback returns the next state, /cancel
works at every step, and the ConversationHandler is built in one function (`conversation`).
Steps: title, directive, deadline (handlers.newtask_steps), units (handlers.newtask_units),
description, confirm (handlers.newtask_line); the draft they share, handlers.newtask_draft.
`/newtask <title> | <deadline> | <assignees> [| <directive>]` goes straight to the
confirmation, or asks for the one part it refused (handlers.newtask_line). Every button of
the form carries its draft's nonce: one of an earlier draft is refused and changes nothing.
Every state callback is wrapped by the access layer, which returns None when it refuses:
PTB then keeps the current state.
"""

from __future__ import annotations

import re
from typing import Any

from telegram import Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from core.roles import Access
from core.taskdraft import TaskDraft
from handlers.telegram import newtask_line
from handlers.telegram.access import Request, command, prefix_pattern
from handlers.telegram.context import PersonForms
from handlers.telegram.forms import NEWTASK, dropped_note, while_open
from handlers.telegram.newtask_draft import (
    ASSIGNEES,
    CONFIRM,
    DEADLINE,
    DESCRIPTION,
    DIRECTIVE,
    END,
    LINE_FIX,
    TITLE,
    end_draft,
    keep_draft,
    stale_button,
)
from handlers.telegram.newtask_steps import (
    deadline_button,
    deadline_text,
    directive_button,
    directive_text,
    got_title,
)
from handlers.telegram.newtask_units import on_button as assignee_button
from handlers.telegram.newtask_units import on_text as assignee_text
from handlers.telegram.registry import NEW_MESSAGES, CommandSpec, Flow, PTBCallback


@command(Access.ADMIN)
async def start(req: Request) -> int:
    """Start a new task, or read the one-line form and go to its confirmation."""
    if req.text_args:
        return await newtask_line.start(req, req.text_args)
    note = dropped_note(req)
    keep_draft(req, TaskDraft())
    await req.reply(note + req.t("newtask.ask_title"))
    return TITLE


@command(Access.ADMIN)
async def cancel(req: Request) -> int:
    """Leave /newtask at any step; nothing is created."""
    await end_draft(req)
    await req.say("common.cancelled")
    return END


class FormButton(BaseHandler[Update, Any, Any]):
    """A button of the guided form whose callback data matches `pattern`.

    It does what CallbackQueryHandler(callback, pattern) does. The form is one conversation
    per chat and user, typed answers and buttons alike (per_message=False, on purpose), and
    PTB warns about every CallbackQueryHandler in such a conversation that it is not tracked
    per message; these buttons are not meant to be.
    """

    def __init__(self, callback: PTBCallback, pattern: re.Pattern[str]) -> None:
        super().__init__(callback)
        self.pattern = pattern

    def check_update(self, update: object) -> bool:
        """Take a button press whose data matches the pattern."""
        if not isinstance(update, Update) or update.callback_query is None:
            return False
        data = update.callback_query.data
        return isinstance(data, str) and self.pattern.match(data) is not None


def conversation() -> ConversationHandler[Any]:
    """Build the /newtask conversation."""
    # An edited message is no answer to the step asked now (the fallback says so).
    text = filters.TEXT & ~filters.COMMAND & filters.UpdateType.MESSAGE

    def on(prefix: str, callback: PTBCallback) -> FormButton:
        return FormButton(callback, re.compile(f"^nt:{prefix}[:~]"))

    def typed(callback: PTBCallback) -> MessageHandler[Any, Any]:
        # Text is the form's only while its draft is under way (see handlers.telegram.forms).
        return MessageHandler(text, while_open(NEWTASK, _has_draft, callback))

    return ConversationHandler(
        entry_points=[CommandHandler("newtask", start, NEW_MESSAGES)],
        states={
            TITLE: [typed(got_title)],
            DIRECTIVE: [on("dir", directive_button), typed(directive_text)],
            DEADLINE: [on("dl", deadline_button), typed(deadline_text)],
            ASSIGNEES: [on("as", assignee_button), typed(assignee_text)],
            DESCRIPTION: [
                on("desc", newtask_line.description_skip),
                typed(newtask_line.description_text),
            ],
            CONFIRM: [
                on("(ok|no)", newtask_line.confirm_button),
                typed(newtask_line.confirm_text),
            ],
            LINE_FIX: [
                on("dl", newtask_line.fix_deadline_button),
                typed(newtask_line.fix_text),
            ],
        },
        fallbacks=[
            CommandHandler("cancel", while_open(NEWTASK, _has_draft, cancel), NEW_MESSAGES)
        ],
        allow_reentry=True,
        name=NEWTASK,
    )


def _has_draft(forms: PersonForms) -> bool:
    """Tell whether a /newtask draft is under way."""
    return forms.newtask is not None


def flow() -> Flow:
    """Return this flow's commands and handlers."""
    return Flow(
        name="newtask",
        commands=(CommandSpec("newtask", Access.ADMIN, start, "newtask.cmd_newtask"),),
        early=(conversation(),),
        # A form button no step took: of an earlier draft, or of a step already passed.
        late=(CallbackQueryHandler(stale_button, pattern=prefix_pattern("nt")),),
    )
