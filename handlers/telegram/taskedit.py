"""Changing a task in one command: /deadline, /assign, /unassign, /closetask, /canceltask.

The task is named by '#12', '12' or its title; with a title, a '|' separates it from the
rest (`/deadline Báo cáo quý | 20/12/2026`). Several matching titles are offered as buttons.
"""

from __future__ import annotations

from sqlmodel import Session

from core.assignees import Resolution
from core.deadlines import DeadlineError
from core.roles import Access
from core.states import TaskStatus
from db.models import Task
from db.queries.assignees import resolve_assignees
from db.queries.taskadmin import (
    add_assignees,
    change_deadline,
    deadline_counts,
    end_task,
    remove_assignees,
)
from db.queries.tasks import TASK_NUMBER, active_unit_ids
from handlers.telegram.access import Request, command
from handlers.telegram.registry import CommandSpec
from handlers.telegram.taskcommon import (
    deadline_error_text,
    moved_note,
    one_task,
    read_deadline,
    task_label,
    unmatched_lines,
)

ENDINGS = {"closed": "tasks.closed", "cancelled": "tasks.cancelled"}


def split_ref(text: str) -> tuple[str, str] | None:
    """Split '<task> <rest>': at the first '|', else after a leading task number."""
    if "|" in text:
        ref, rest = (p.strip() for p in text.split("|", 1))
    else:
        words = text.split(None, 1)
        if len(words) < 2 or not TASK_NUMBER.match(words[0]):
            return None
        ref, rest = words[0], words[1].strip()
    return (ref, rest) if ref and rest else None


async def _task_and_rest(req: Request, usage: str) -> tuple[Task, str] | None:
    """Return the named open task and the rest of the command, or answer and None."""
    parts = split_ref(req.text_args)
    if parts is None:
        await req.say(usage)
        return None
    task = await one_task(req, parts[0])
    return (task, parts[1]) if task is not None else None


@command(Access.ADMIN)
async def deadline(req: Request) -> None:
    """Move a task's deadline; every current assignment (and its reminders) follows."""
    found = await _task_and_rest(req, "tasks.usage_deadline")
    if found is None:
        return
    task, text = found
    parsed = await read_deadline(req, text)
    if isinstance(parsed, DeadlineError):
        await req.reply(deadline_error_text(req, parsed))
        return
    old = task.deadline
    tz, actor_id = req.services.settings.tz, req.actor.contact_id

    def change(session: Session) -> tuple[Task, tuple[int, int]]:
        merged = session.merge(task)
        change_deadline(session, task=merged, deadline=parsed.date, tz=tz, actor_id=actor_id)
        return merged, deadline_counts(session, task_id=merged.id or 0, deadline=parsed.date)

    task, (current, kept) = await req.transaction(change)
    lines = [
        req.t("tasks.deadline_changed", id=task.id or 0, old=old, new=parsed.date, count=current)
    ]
    lines += [moved_note(req, parsed)] if parsed.moved_from else []
    lines += [req.t("tasks.deadline_kept", count=kept)] if kept else []
    await req.reply("\n".join(lines))


@command(Access.ADMIN)
async def assign(req: Request) -> None:
    """Assign a task to more units (named as in /newtask)."""
    await _change_units(req, adding=True)


@command(Access.ADMIN)
async def unassign(req: Request) -> None:
    """Take units off a task; they get no more reminders, their history stays."""
    await _change_units(req, adding=False)


async def _change_units(req: Request, *, adding: bool) -> None:
    """Add or remove the units a spec names."""
    found = await _task_and_rest(req, "tasks.usage_assign" if adding else "tasks.usage_unassign")
    if found is None:
        return
    task, spec = found
    lang, tz, actor_id = req.actor.lang, req.services.settings.tz, req.actor.contact_id

    def change(session: Session) -> tuple[Resolution, int, int]:
        resolution = resolve_assignees(session, spec, lang=lang)
        if resolution.unmatched:
            changed = 0
        elif adding:
            merged = session.merge(task)
            changed = add_assignees(
                session, task=merged, unit_ids=resolution.unit_ids, tz=tz, actor_id=actor_id
            )
        else:
            merged = session.merge(task)
            changed = remove_assignees(
                session, task=merged, unit_ids=resolution.unit_ids, actor_id=actor_id
            )
        return resolution, changed, len(active_unit_ids(session, task_id=task.id or 0))

    resolution, changed, total = await req.transaction(change)
    if resolution.unmatched:
        await req.reply("\n".join(unmatched_lines(req, resolution)))
    elif not changed:
        await req.say("tasks.none_changed", id=task.id or 0)
    else:
        key = "tasks.assigned" if adding else "tasks.unassigned"
        await req.say(key, id=task.id or 0, count=changed, total=total)


@command(Access.ADMIN)
async def close_task(req: Request) -> None:
    """Close a task: its work is over."""
    await _end(req, "closed")


@command(Access.ADMIN)
async def cancel_task(req: Request) -> None:
    """Cancel a task: it should not have been assigned."""
    await _end(req, "cancelled")


async def _end(req: Request, status: str) -> None:
    """Close or cancel the named task."""
    if not req.text_args:
        await req.say("tasks.usage_end")
        return
    task = await one_task(req, req.text_args)
    if task is not None and task.id is not None:
        await end(req, status, task.id)


async def end(req: Request, status: str, task_id: int) -> None:
    """Close or cancel an open task (audited) and say so."""
    now, actor_id = req.services.clock.now(), req.actor.contact_id

    def change(session: Session) -> tuple[Task | None, bool]:
        task = session.get(Task, task_id)
        if task is None or task.status != TaskStatus.OPEN:
            return task, False
        end_task(session, task=task, status=status, now=now, actor_id=actor_id)
        return task, True

    task, ended = await req.transaction(change)
    if task is not None and not ended:
        await req.say("tasks.not_open", id=task_id, status=req.t(f"tasks.status_{task.status}"))
        return
    if task is None:
        await req.say("common.button_stale")
        return
    await req.reply(task_label(task) + " " + req.t(ENDINGS[status], id=task_id))


def commands() -> tuple[CommandSpec, ...]:
    """Return the task-changing commands (registered with the tasks flow)."""
    return (
        CommandSpec("deadline", Access.ADMIN, deadline, "tasks.cmd_deadline"),
        CommandSpec("assign", Access.ADMIN, assign, "tasks.cmd_assign"),
        CommandSpec("unassign", Access.ADMIN, unassign, "tasks.cmd_unassign"),
        CommandSpec("closetask", Access.ADMIN, close_task, "tasks.cmd_closetask"),
        CommandSpec("canceltask", Access.ADMIN, cancel_task, "tasks.cmd_canceltask"),
    )
