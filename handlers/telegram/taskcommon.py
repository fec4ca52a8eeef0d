"""What the task flows share: reading a deadline or assignees in chat, naming a task.

Not a flow: /newtask, /tasks and /recurring use these to turn what an admin typed into a
date, units or one task, and to word what went wrong from the catalogs.
"""

from __future__ import annotations

from datetime import date

from telegram import InlineKeyboardMarkup

from core.assignees import Matched, Resolution
from core.deadlines import (
    WEEKEND,
    DeadlineError,
    DeadlineErrorCode,
    DeadlineParsed,
    parse_deadline,
)
from core.markup import Markup, escape
from core.states import TaskStatus
from db.models import Task
from db.queries.calendar import working_calendar
from db.queries.tasks import find_tasks
from handlers.telegram.access import Request

TASK_CHOICES = 10
SOURCE_KEYS = {
    "all": "tasks.src_all",
    "kind": "tasks.src_kind",
    "group": "tasks.src_group",
    "parent": "tasks.src_parent",
    "unit": "tasks.src_unit",
}


async def read_deadline(req: Request, text: str) -> DeadlineParsed | DeadlineError:
    """Read a typed deadline against today and the province's working calendar."""
    calendar = await req.transaction(lambda session: working_calendar(session))
    return parse_deadline(text, today=req.services.today(), calendar=calendar)


def deadline_error_text(req: Request, error: DeadlineError) -> str:
    """Say why a deadline was refused, proposing next year's day for a past 'd/m'."""
    if error.code == DeadlineErrorCode.IN_PAST and error.suggestion is not None:
        return req.t(
            "tasks.deadline_in_past_suggest", date=error.date, suggestion=error.suggestion
        )
    if error.code == DeadlineErrorCode.IN_PAST and error.date is not None:
        return req.t("tasks.deadline_in_past", date=error.date)
    return req.t(f"tasks.deadline_{error.code.value}", text=error.original)


def moved_note(req: Request, parsed: DeadlineParsed) -> str:
    """Say that a deadline moved off a day off (Civil Code 2015, art. 148), or nothing."""
    if parsed.moved_from is None:
        return ""
    reason = req.t("tasks.weekend") if parsed.reason in (None, WEEKEND) else parsed.reason
    return req.t(
        "tasks.deadline_moved", moved_from=parsed.moved_from, to=parsed.date, reason=reason
    )


def moved_text(req: Request, moved_from: date | None, to: date, reason: str | None) -> str:
    """Word a stored move (a draft keeps the date and reason, not the parse result)."""
    if moved_from is None:
        return ""
    return moved_note(req, DeadlineParsed(to, "", moved_from, reason))


def unmatched_lines(req: Request, resolution: Resolution) -> list[str]:
    """Say, item by item, what in an assignee spec matched no unit or several."""
    lines = []
    for item in resolution.unmatched:
        candidates = ", ".join(item.candidates)
        lines.append(
            req.t(f"tasks.unmatched_{item.reason}", text=item.text, candidates=candidates)
        )
    return lines


def matched_text(req: Request, matched: list[Matched], picked: int = 0) -> Markup:
    """Say how the units were named: 'các xã (95); nhóm Xã thí điểm (5); Sở Y tế' (HTML)."""
    parts = [
        req.t(SOURCE_KEYS[m.source], label=m.label, count=m.count)
        for m in matched
        if m.source in SOURCE_KEYS
    ]
    if picked:
        parts.append(req.t("tasks.src_picked", count=picked))
    return Markup("; ".join(parts))


async def one_task(req: Request, text: str, *, open_only: bool = True) -> Task | None:
    """Return the task named by '#12', '12' or a unique title; otherwise answer and None.

    Several matches are offered as buttons that open each task (`tk:v:<id>`).
    """
    tasks = await req.transaction(lambda session: find_tasks(session, text=text))
    if not tasks:
        await req.say("tasks.not_found", text=text)
        return None
    if len(tasks) > 1:
        rows = [
            [req.button(f"#{t.id} {t.title[:40]}", "tk", "v", t.id)] for t in tasks[:TASK_CHOICES]
        ]
        await req.reply(
            req.t("tasks.which_one", text=text, count=len(tasks)),
            reply_markup=InlineKeyboardMarkup(rows),
        )
        return None
    task = tasks[0]
    if open_only and task.status != TaskStatus.OPEN:
        await req.say(
            "tasks.not_open", id=task.id or 0, status=req.t(f"tasks.status_{task.status}")
        )
        return None
    return task


def task_label(task: Task) -> Markup:
    """Return '#12 **title**' for a message."""
    return Markup(f"#{task.id} **{escape(task.title)}**")
