"""/newtask in one line, and the last steps both forms share: description, confirmation.

`/newtask <title> | <deadline> | <assignees> [| <directive>]`: a directive is a known
number, or a new one ('number | date | issuer | title', or just its number). Nothing is
created until the admin confirms. A refused deadline or unit list keeps the draft: that
part alone is taken for FIX_WINDOW, as a step of the guided form would take it; after that,
a message goes on to the other flows as if no /newtask were under way.
"""

from __future__ import annotations

from datetime import date, timedelta

from telegram import InlineKeyboardMarkup
from telegram.ext import ConversationHandler

from core.deadlines import DeadlineError, format_date
from core.directives import parse_directive_line
from core.markup import Markup
from core.roles import Access
from core.taskdraft import MAX_DESCRIPTION, MAX_TITLE, TaskDraft
from core.textnorm import vi_sort_key
from db.queries.assignees import resolve_assignees
from db.queries.directives import find_directive
from db.queries.taskadmin import create_from_draft
from db.queries.units import unit_names
from handlers.telegram.access import Request, button, command
from handlers.telegram.newtask_units import (
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
)
from handlers.telegram.registry import hand_on
from handlers.telegram.taskcommon import (
    deadline_error_text,
    matched_text,
    moved_text,
    read_deadline,
    unmatched_lines,
)

END = ConversationHandler.END
NO_WORDS = frozenset({"-", "0", "khong", "không", "none", "no", "huy", "hủy", "cancel"})
YES_WORDS = frozenset({"ok", "yes", "co", "có", "dong y", "đồng ý", "tao", "tạo"})
MAX_LISTED_CHARS = 2500  # unit names listed in full below this; else how they were named
FIX_WINDOW = timedelta(minutes=10)  # a refused deadline or unit list may be typed alone


async def start(req: Request, text: str) -> int:
    """Read the one-line form into a draft and confirm it, or ask for the part refused.

    A wrong title or directive, or a line without its three parts, is answered and ends
    the command; a wrong deadline or unit list keeps the draft and asks for that part alone.
    """
    parts = [" ".join(p.split()) for p in text.split("|")]
    if len(parts) < 3 or not all(parts[:3]):
        await req.say("newtask.usage_one_line")
        return END
    title, deadline_text, spec = parts[:3]
    if len(title) > MAX_TITLE:
        await req.say("newtask.title_too_long", limit=MAX_TITLE)
        return END
    draft = TaskDraft(title=title, line_units=spec)
    if len(parts) > 3 and not await _directive(req, draft, " | ".join(parts[3:])):
        return END
    keep_draft(req, draft)
    return await _go_on(req, draft, deadline_text)


async def _go_on(req: Request, draft: TaskDraft, deadline_text: str) -> int:
    """Take the deadline, then the units; ask for the first one refused, or confirm."""
    if draft.deadline is None:
        parsed = await read_deadline(req, deadline_text)
        if isinstance(parsed, DeadlineError):
            markup = None
            if parsed.suggestion is not None:
                label = req.t("newtask.btn_use_date", date=parsed.suggestion)
                use = form_button(req, draft, label, "dl", parsed.suggestion.isoformat())
                markup = InlineKeyboardMarkup([[use]])
            return await _ask_part(
                req, draft, "deadline", deadline_error_text(req, parsed), markup
            )
        draft.deadline, draft.moved_from = parsed.date, parsed.moved_from
        draft.moved_reason = parsed.reason
    if not draft.unit_ids:
        resolution = await req.transaction(
            lambda session: resolve_assignees(session, draft.line_units, lang=req.actor.lang)
        )
        if not resolution.ok:
            problems = unmatched_lines(req, resolution) or [req.t("newtask.none_chosen")]
            return await _ask_part(req, draft, "units", "\n".join(problems))
        draft.add_units(resolution.unit_ids)
        draft.matched = list(resolution.matched)
    draft.line_missing, draft.fix_until = "", None
    await confirm(req, draft)
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


async def _directive(req: Request, draft: TaskDraft, text: str) -> bool:
    """Set the draft's directive: a known number, else a new one; False after an error."""
    parsed = parse_directive_line(text)
    if isinstance(parsed, str):
        await req.say(f"newtask.directive_{parsed}")
        return False
    existing = await req.transaction(lambda session: find_directive(session, number=parsed.number))
    if existing is not None:
        draft.directive_id = existing.id
    else:
        draft.new_directive = parsed
    draft.directive_number = parsed.number
    return True


async def confirm(req: Request, draft: TaskDraft) -> None:
    """Show everything about the task before it is created, with Create and Cancel."""
    assert draft.deadline is not None
    names = await req.transaction(
        lambda session: ", ".join(
            sorted(unit_names(session, unit_ids=draft.unit_ids).values(), key=vi_sort_key)
        )
    )
    if len(names) + len(draft.description) > MAX_LISTED_CHARS:
        names = matched_text(req, draft.matched, draft.picked)
    if draft.new_directive is not None:
        directive = req.t("newtask.directive_new_mark", number=draft.directive_number)
    else:
        directive = req.t("newtask.no_directive") if not draft.directive_number else ""
    moved = moved_text(req, draft.moved_from, draft.deadline, draft.moved_reason)
    text = req.t(
        "newtask.confirm",
        title=draft.title,
        directive=Markup(directive) if directive else draft.directive_number,
        deadline=draft.deadline,
        moved=Markup(f"\n{moved}" if moved else ""),
        count=len(draft.unit_ids),
        units=names,
        description=draft.description or "-",
    )
    rows = [
        [
            form_button(req, draft, req.t("newtask.btn_create"), "ok"),
            form_button(req, draft, req.t("newtask.btn_cancel"), "no"),
        ]
    ]
    sent = await req.reply(text, reply_markup=InlineKeyboardMarkup(rows))
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
    tz, actor_id = req.services.settings.tz, req.actor.contact_id
    task_id = await req.transaction(
        lambda session: create_from_draft(session, draft=draft, tz=tz, actor_id=actor_id).id or 0
    )
    await req.say(
        "newtask.created",
        id=task_id,
        title=draft.title,
        count=len(draft.unit_ids),
        deadline=draft.deadline,
    )
    return END
