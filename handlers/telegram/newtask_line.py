"""/newtask in one line, and the last steps both forms share: description, confirmation.

`/newtask <title> | <deadline> | <assignees> [| <directive>]`: a directive is a known
number, or a new one ('number | date | issuer | title', or just its number). Nothing is
created until the admin confirms. A refused deadline or unit list keeps the draft: that
part alone is taken for FIX_WINDOW, as a step of the guided form would take it; after that,
a message goes on to the other flows as if no /newtask were under way.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial

from telegram import InlineKeyboardMarkup
from telegram.ext import ConversationHandler

from app import newtask
from core.deadlines import format_date
from core.roles import Access
from core.taskdraft import MAX_DESCRIPTION, TaskDraft
from handlers.telegram.access import Request, button, command
from handlers.telegram.forms import dropped_note
from handlers.telegram.newtask_draft import (
    CONFIRM,
    DESCRIPTION,
    LINE_FIX,
    ack,
    draft_of,
    end_draft,
    form_button,
    keep_draft,
    pressed_draft,
    refuse_stale,
    use_date,
)
from handlers.telegram.registry import hand_on

END = ConversationHandler.END
NO_WORDS = frozenset({"-", "0", "khong", "không", "none", "no", "huy", "hủy", "cancel"})
YES_WORDS = frozenset({"ok", "yes", "co", "có", "dong y", "đồng ý", "tao", "tạo"})
MAX_LISTED_CHARS = 2500  # unit names listed in full below this; else how they were named
FIX_WINDOW = timedelta(minutes=10)  # a refused deadline or unit list may be typed alone


async def start(req: Request, text: str) -> int:
    """Read the one-line form into a draft and confirm it, or ask for the part refused.

    A wrong title or directive, or a line without its three parts, is answered and ends
    the command; a wrong deadline or unit list keeps the draft and asks for that part alone.
    The rules of each part are `app.newtask`'s, as on Zalo.
    """
    parts = newtask.split_line(text)
    if parts is None:
        await req.say("newtask.usage_one_line")
        return END
    draft = await req.run(newtask.begin_draft, req.services, req.actor.lang, parts)
    if isinstance(draft, newtask.Refused):
        await req.reply(draft.text)
        return END
    note = dropped_note(req)  # said with the first answer: the form under way is dropped
    keep_draft(req, draft)
    return await _go_on(req, draft, parts.deadline, note)


async def _go_on(req: Request, draft: TaskDraft, deadline_text: str, note: str = "") -> int:
    """Take the deadline, then the units; ask for the first one refused, or confirm."""
    lang = req.actor.lang
    refused = await req.run(newtask.complete_draft, req.services, lang, draft, deadline_text)
    if refused is not None:
        markup = use_date(req, draft, refused.suggestion)
        return await _ask_part(req, draft, refused.part, note + refused.text, markup)
    draft.line_missing, draft.fix_until = "", None
    await confirm(req, draft, note)
    return CONFIRM


async def _ask_part(
    req: Request,
    draft: TaskDraft,
    part: str,
    problem: str,
    markup: InlineKeyboardMarkup | None = None,
) -> int:
    """Say what is wrong with one part and wait FIX_WINDOW for it alone; the rest is kept."""
    draft.line_missing = part
    draft.fix_until = req.services.clock.now() + FIX_WINDOW
    minutes = int(FIX_WINDOW.total_seconds()) // 60
    hint = req.t(f"newtask.line_fix_{part}", minutes=minutes)
    await req.reply(f"{problem}\n{hint}", reply_markup=markup)
    return LINE_FIX


def _fix_open(req: Request, draft: TaskDraft | None) -> TaskDraft | None:
    """Return the draft when its one-line form still waits for a part, else None."""
    if draft is None or draft.fix_until is None or not draft.line_missing:
        return None
    return draft if req.services.clock.now() <= draft.fix_until else None


@command(Access.ADMIN)
async def fix_text(req: Request) -> int | None:
    """Take the refused part typed alone; after FIX_WINDOW, pass the message on untouched."""
    draft = _fix_open(req, draft_of(req))
    if draft is None:
        await end_draft(req)
        await _pass_on(req)
        return END
    text = (req.message.text or "").strip() if req.message is not None else ""
    if draft.line_missing == "units":
        draft.line_units = text
        return await _go_on(req, draft, "")
    return await _go_on(req, draft, text)


@button(Access.ADMIN)
async def fix_deadline_button(req: Request) -> int | None:
    """Take the proposed date (a past 'd/m' a year later) for a one-line form."""
    draft = await pressed_draft(req)
    if draft is None:
        return None
    if _fix_open(req, draft) is None:
        await refuse_stale(req)
        await end_draft(req)
        return END
    await ack(req)
    return await _go_on(req, draft, format_date(date.fromisoformat(req.args[-1])))


async def _pass_on(req: Request) -> None:
    """Give a message the closed one-line form did not take to the handlers after /newtask."""

    def is_newtask(handler: object) -> bool:
        return isinstance(handler, ConversationHandler) and handler.name == "newtask"

    await hand_on(req.update, req.context, after=is_newtask)


async def confirm(req: Request, draft: TaskDraft, note: str = "") -> None:
    """Show everything about the task before it is created, with Create and Cancel."""
    lang = req.actor.lang
    text = await req.run(
        partial(newtask.confirm_text, listed_limit=MAX_LISTED_CHARS), req.services, lang, draft
    )
    rows = [
        [
            form_button(req, draft, req.t("newtask.btn_create"), "ok"),
            form_button(req, draft, req.t("newtask.btn_cancel"), "no"),
        ]
    ]
    sent = await req.reply(note + text, reply_markup=InlineKeyboardMarkup(rows))
    draft.confirm_message_id = sent.message_id if sent is not None else None


@command(Access.ADMIN)
async def description_text(req: Request) -> int | None:
    """Keep the description and show the confirmation."""
    draft = draft_of(req)
    text = (req.message.text or "").strip() if req.message is not None else ""
    if draft is None:
        return END
    if len(text) > MAX_DESCRIPTION:
        await req.say("newtask.description_too_long", limit=MAX_DESCRIPTION)
        return DESCRIPTION
    draft.description = text
    await confirm(req, draft)
    return CONFIRM


@button(Access.ADMIN)
async def description_skip(req: Request) -> int | None:
    """Go to the confirmation without a description."""
    draft = await pressed_draft(req)
    if draft is None:
        return None
    await ack(req)
    await confirm(req, draft)
    return CONFIRM


@button(Access.ADMIN)
async def confirm_button(req: Request) -> int | None:
    """Create the task ('ok') or drop it ('no'): only the draft this confirmation shows."""
    if await pressed_draft(req) is None:
        return None
    await ack(req)
    return await _decide(req, req.args[1] == "ok")


@command(Access.ADMIN)
async def confirm_text(req: Request) -> int | None:
    """Accept a typed yes or no at the confirmation (for chats without buttons)."""
    word = (req.message.text or "").strip().casefold() if req.message is not None else ""
    if word in YES_WORDS or word in NO_WORDS:
        return await _decide(req, word in YES_WORDS)
    await req.say("newtask.confirm_hint")
    return CONFIRM


async def _decide(req: Request, create: bool) -> int:
    """Create the draft's task and say so, or cancel it; its confirmation loses its buttons."""
    draft = await end_draft(req)
    if draft is None or not create or draft.deadline is None:
        await req.say("common.cancelled")
        return END
    actor = req.actor
    said = await req.run(newtask.create, req.services, actor.lang, actor.contact_id, draft)
    await req.reply(said)
    return END
