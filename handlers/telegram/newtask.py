"""/newtask: an admin assigns a task, step by step or in one line, and confirms it.

Shaped like PTB's conversationbot.py: each state's callback returns the next state, /cancel
works at every step, and the ConversationHandler is built in one function (`conversation`).
Steps: title, directive, deadline, units (handlers.newtask_units), description, confirm.
`/newtask <title> | <deadline> | <assignees> [| <directive>]` goes straight to the
confirmation, or asks for the one part it refused (handlers.newtask_line). Every button of
the form carries its draft's nonce: one of an earlier draft is refused and changes nothing.
Every state callback is wrapped by the access layer, which returns None when it refuses:
PTB then keeps the current state.
"""

from __future__ import annotations

import re
from datetime import date
from functools import partial
from typing import Any

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from app import newtask
from core.deadlines import format_date
from core.numbers import typed_number
from core.roles import Access
from core.taskdraft import TaskDraft
from db.models import Directive
from db.queries.directives import recent_directives
from handlers.telegram import newtask_line
from handlers.telegram.access import Request, button, command, prefix_pattern
from handlers.telegram.context import PersonForms
from handlers.telegram.forms import NEWTASK, dropped_note, while_open
from handlers.telegram.newtask_draft import (
    ASSIGNEES,
    CONFIRM,
    DESCRIPTION,
    LINE_FIX,
    ack,
    draft_of,
    end_draft,
    form_button,
    keep_draft,
    pressed_draft,
    stale_button,
    use_date,
)
from handlers.telegram.newtask_units import on_button as assignee_button
from handlers.telegram.newtask_units import on_text as assignee_text
from handlers.telegram.newtask_units import show_menu
from handlers.telegram.registry import NEW_MESSAGES, CommandSpec, Flow, PTBCallback
from handlers.telegram.taskcommon import moved_note

TITLE, DIRECTIVE, DEADLINE = 0, 1, 2
END = ConversationHandler.END


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
async def got_title(req: Request) -> int | None:
    """Keep the title and ask for the directive."""
    draft, text = draft_of(req), _text(req)
    if draft is None:
        return END
    refused = newtask.title_refusal(req.services, req.actor.lang, text)
    if refused is not None:
        await req.reply(refused.text)
        return TITLE
    draft.title = text
    recent = await req.transaction(lambda session: recent_directives(session))
    rows = [[form_button(req, draft, d.number, "dir", d.id)] for d in recent]
    rows.append([form_button(req, draft, req.t("newtask.btn_no_directive"), "dir", "none")])
    await req.reply(req.t("newtask.ask_directive"), reply_markup=InlineKeyboardMarkup(rows))
    return DIRECTIVE


@button(Access.ADMIN)
async def directive_button(req: Request) -> int | None:
    """Take the picked directive (or none) and ask for the deadline."""
    draft = await pressed_draft(req)
    if draft is None:
        return None
    await ack(req)
    choice = typed_number(req.args[-1])
    if choice is not None:
        found = await req.transaction(lambda session: session.get(Directive, choice))
        if found is not None:
            draft.directive_id, draft.directive_number = found.id, found.number
    return await _ask_deadline(req)


@command(Access.ADMIN)
async def directive_text(req: Request) -> int | None:
    """Read a typed directive: a known number, 'number | date | issuer | title', or none."""
    draft, text = draft_of(req), _text(req)
    if draft is None:
        return END
    read = await req.run(
        partial(newtask.read_directive, known_only=True), req.services, req.actor.lang, text
    )
    if isinstance(read, newtask.Refused):
        await req.reply(read.text)
        return DIRECTIVE
    draft.directive_id, draft.new_directive, draft.directive_number = read
    return await _ask_deadline(req)


async def _ask_deadline(req: Request) -> int:
    """Ask for the deadline (step 3)."""
    await req.say("newtask.ask_deadline")
    return DEADLINE


@command(Access.ADMIN)
async def deadline_text(req: Request) -> int | None:
    """Read the deadline; say so when it moved off a day off; go on to the units."""
    return await _take_deadline(req, _text(req))


@button(Access.ADMIN)
async def deadline_button(req: Request) -> int | None:
    """Take the proposed date (a past 'd/m' a year later)."""
    if await pressed_draft(req) is None:
        return None
    await ack(req)
    day = date.fromisoformat(req.args[-1])
    return await _take_deadline(req, format_date(day))


async def _take_deadline(req: Request, text: str) -> int:
    """Set the draft's deadline from text, or explain and ask again."""
    draft = draft_of(req)
    if draft is None:
        return END
    parsed = await req.run(newtask.read_deadline, req.services, req.actor.lang, text)
    if isinstance(parsed, newtask.Refused):
        await req.reply(parsed.text, reply_markup=use_date(req, draft, parsed.suggestion))
        return DEADLINE
    draft.deadline, draft.moved_from, draft.moved_reason = (
        parsed.date,
        parsed.moved_from,
        parsed.reason,
    )
    note = moved_note(req, parsed)
    await req.reply(
        req.t("newtask.deadline_set", date=parsed.date) + (f"\n{note}" if note else "")
    )
    await show_menu(req, draft)
    return ASSIGNEES


@command(Access.ADMIN)
async def cancel(req: Request) -> int:
    """Leave /newtask at any step; nothing is created."""
    await end_draft(req)
    await req.say("common.cancelled")
    return END


def _text(req: Request) -> str:
    """Return the message text, trimmed."""
    return (req.message.text or "").strip() if req.message is not None else ""


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
