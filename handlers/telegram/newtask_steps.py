"""Steps 1 to 3 of /newtask: the title, the directive (a recent one's button, typed, or
none) and the deadline (typed, or a proposed date's button); then the units step
(`newtask_units.py`). The conversation that runs them is `newtask.py`."""

from __future__ import annotations

from datetime import date
from functools import partial

from telegram import InlineKeyboardMarkup

from app import newtask, unit_picker
from core.deadlines import format_date
from core.numbers import typed_number
from core.roles import Access
from handlers.telegram.access import Request, button, command
from handlers.telegram.newtask_draft import (
    ASSIGNEES,
    DEADLINE,
    DIRECTIVE,
    END,
    TITLE,
    ack,
    draft_of,
    form_button,
    pressed_draft,
    use_date,
)
from handlers.telegram.newtask_units import show_menu
from handlers.telegram.taskcommon import moved_note


@command(Access.ADMIN)
async def got_title(req: Request) -> int | None:
    """Keep the title and ask for the directive."""
    draft, text = draft_of(req), text_of(req)
    if draft is None:
        return END
    refused = newtask.title_refusal(req.services, req.actor.lang, text)
    if refused is not None:
        await req.reply(refused.text)
        return TITLE
    draft.title = text
    recent = await req.atomic(unit_picker.recent, req.services)
    rows = [[form_button(req, draft, number, "dir", did)] for did, number in recent]
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
        found = await req.atomic(unit_picker.directive, req.services, choice)
        if found is not None:
            draft.directive_id, draft.directive_number = found
    return await _ask_deadline(req)


@command(Access.ADMIN)
async def directive_text(req: Request) -> int | None:
    """Read a typed directive: a known number, 'number | date | issuer | title', or none."""
    draft, text = draft_of(req), text_of(req)
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
    return await _take_deadline(req, text_of(req))


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


def text_of(req: Request) -> str:
    """Return the message text, trimmed."""
    return (req.message.text or "").strip() if req.message is not None else ""
