"""/newtask in one line, and the last steps both forms share: description, confirmation.

`/newtask <title> | <deadline> | <assignees> [| <directive>]`: a directive is a known
number, or a new one ('number | date | issuer | title', or just its number). Nothing is
created until the admin confirms.
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup
from telegram.ext import ConversationHandler

from core.deadlines import DeadlineError
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
from handlers.telegram.newtask_units import CONFIRM, DESCRIPTION, ack, draft_of, keep_draft
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


async def read(req: Request, text: str) -> TaskDraft | None:
    """Read the one-line form into a draft, or answer what is wrong and return None."""
    parts = [" ".join(p.split()) for p in text.split("|")]
    if len(parts) < 3 or not all(parts[:3]):
        await req.say("newtask.usage_one_line")
        return None
    title, deadline_text, spec = parts[:3]
    if len(title) > MAX_TITLE:
        await req.say("newtask.title_too_long", limit=MAX_TITLE)
        return None
    parsed = read_deadline(req, deadline_text)
    if isinstance(parsed, DeadlineError):
        await req.reply(deadline_error_text(req, parsed))
        return None
    with req.db() as session:
        resolution = resolve_assignees(session, spec, lang=req.actor.lang)
    if not resolution.ok:
        problems = unmatched_lines(req, resolution) or [req.t("newtask.none_chosen")]
        await req.reply("\n".join([*problems, req.t("newtask.fix_and_resend")]))
        return None
    draft = TaskDraft(title=title, deadline=parsed.date, moved_from=parsed.moved_from)
    draft.moved_reason = parsed.reason
    draft.add_units(resolution.unit_ids)
    draft.matched = list(resolution.matched)
    if len(parts) > 3 and not await _directive(req, draft, " | ".join(parts[3:])):
        return None
    return draft


async def _directive(req: Request, draft: TaskDraft, text: str) -> bool:
    """Set the draft's directive: a known number, else a new one; False after an error."""
    parsed = parse_directive_line(text)
    if isinstance(parsed, str):
        await req.say(f"newtask.directive_{parsed}")
        return False
    with req.db() as session:
        existing = find_directive(session, number=parsed.number)
    if existing is not None:
        draft.directive_id = existing.id
    else:
        draft.new_directive = parsed
    draft.directive_number = parsed.number
    return True


async def confirm(req: Request, draft: TaskDraft) -> None:
    """Show everything about the task before it is created, with Create and Cancel."""
    assert draft.deadline is not None
    with req.db() as session:
        names = ", ".join(
            sorted(unit_names(session, unit_ids=draft.unit_ids).values(), key=vi_sort_key)
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
            req.button(req.t("newtask.btn_create"), "nt", "ok"),
            req.button(req.t("newtask.btn_cancel"), "nt", "no"),
        ]
    ]
    await req.reply(text, reply_markup=InlineKeyboardMarkup(rows))


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
    draft = draft_of(req)
    await ack(req)
    if draft is None:
        return END
    await confirm(req, draft)
    return CONFIRM


@button(Access.ADMIN)
async def confirm_button(req: Request) -> int | None:
    """Create the task ('ok') or drop it ('no')."""
    await ack(req)
    return await _decide(req, req.args[-1] == "ok")


@command(Access.ADMIN)
async def confirm_text(req: Request) -> int | None:
    """Accept a typed yes or no at the confirmation (for chats without buttons)."""
    word = (req.message.text or "").strip().casefold() if req.message is not None else ""
    if word in YES_WORDS or word in NO_WORDS:
        return await _decide(req, word in YES_WORDS)
    await req.say("newtask.confirm_hint")
    return CONFIRM


async def _decide(req: Request, create: bool) -> int:
    """Create the draft's task and say so, or cancel it."""
    draft = draft_of(req)
    keep_draft(req, None)
    if draft is None or not create or draft.deadline is None:
        await req.say("common.cancelled")
        return END
    with req.db() as session:
        task = create_from_draft(
            session, draft=draft, tz=req.services.settings.tz, actor_id=req.actor.contact_id
        )
        task_id = task.id or 0
    await req.say(
        "newtask.created",
        id=task_id,
        title=draft.title,
        count=len(draft.unit_ids),
        deadline=draft.deadline,
    )
    return END
