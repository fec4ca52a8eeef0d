"""What the task flows share: reading a deadline or assignees in chat, naming a task.

Not a flow: /newtask, /tasks and /recurring use these to turn what an admin typed into a
date, units or one task, and to word what went wrong from the catalogs (in the sender's
language, by the rules of `app.newtask`, which Zalo's forms use too).
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from app import newtask
from core.assignees import Matched, Resolution
from core.deadlines import DeadlineError, DeadlineParsed
from core.markup import Markup, escape
from core.states import TaskStatus
from db.models import Task
from db.queries.tasks import find_tasks
from handlers.telegram.access import Request

TASK_CHOICES = 10


async def read_deadline(req: Request, text: str) -> DeadlineParsed | DeadlineError:
    """Read a typed deadline against today and the province's working calendar."""
    return await req.run(newtask.parse_deadline, req.services, text)


def deadline_error_text(req: Request, error: DeadlineError) -> str:
    """Say why a deadline was refused, proposing next year's day for a past 'd/m'."""
    return newtask.deadline_error(req.services, req.actor.lang, error)


def moved_note(req: Request, parsed: DeadlineParsed) -> str:
    """Say that a deadline moved off a day off (Civil Code 2015, art. 148), or nothing."""
    return newtask.moved_note(req.services, req.actor.lang, parsed)


def unmatched_lines(req: Request, resolution: Resolution) -> list[str]:
    """Say, item by item, what in an assignee spec matched no unit or several."""
    return newtask.unmatched_lines(req.services, req.actor.lang, resolution)


def matched_text(req: Request, matched: list[Matched], picked: int = 0) -> Markup:
    """Say how the units were named: 'các xã (95); nhóm Xã thí điểm (5); Sở Y tế'."""
    return newtask.matched_text(req.services, req.actor.lang, matched, picked)


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
