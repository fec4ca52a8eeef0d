"""Changing a task in one command: /deadline, /assign, /unassign, /renametask, /closetask,
/canceltask, /reopentask; /setstatus, a unit's status set by hand (`app.status_set`).

The use case (`app.taskedit`) reads the command, checks and makes the change and words the
answer; this adapter runs it off the loop and shows it, several matching titles as buttons
that open each task (`tk:v:<id>`).
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from app import status_set, taskedit
from app.taskedit import Edited
from core.roles import Access
from handlers.telegram.access import Request, command
from handlers.telegram.registry import CommandSpec
from scheduler.delivery import wake


async def _run(req: Request, verb: str) -> None:
    """Run one task command and show what it says."""
    edited = await req.run(
        taskedit.run, req.services, req.actor.lang, req.actor.contact_id, verb, req.text_args
    )
    wake(req.context.application)  # the units told of the change hear it now, not in a minute
    await _show(req, edited)


async def _show(req: Request, edited: Edited) -> None:
    """Reply the use case's answer, with a button per matching task if a title named several."""
    if not (edited.matches or edited.token):
        await req.reply(edited.text)
        return
    if edited.token:  # "/assign #1 Xã": many units, asked first
        yes = req.button(req.t("common.yes"), "tk", "units", edited.token)
        await req.reply(edited.text, reply_markup=InlineKeyboardMarkup([[yes]]))
        return
    if edited.confirm:  # "/closetask Kế": asked first, with the task card's confirm button
        yes = req.button(req.t("common.yes"), "tk", "endok", edited.confirm, edited.matches[0].id)
        await req.reply(edited.text, reply_markup=InlineKeyboardMarkup([[yes]]))
        return
    rows = [[req.button(f"#{m.id} {m.title[:40]}", "tk", "v", m.id)] for m in edited.matches]
    await req.reply(edited.text, reply_markup=InlineKeyboardMarkup(rows))


@command(Access.ADMIN)
async def deadline(req: Request) -> None:
    """Move a task's deadline; every current assignment (and its reminders) follows."""
    await _run(req, "deadline")


@command(Access.ADMIN)
async def assign(req: Request) -> None:
    """Assign a task to more units (named as in /newtask)."""
    await _run(req, "assign")


@command(Access.ADMIN)
async def unassign(req: Request) -> None:
    """Take units off a task; they get no more reminders, their history stays."""
    await _run(req, "unassign")


@command(Access.ADMIN)
async def rename_task(req: Request) -> None:
    """Give a task a new title; its history stays."""
    await _run(req, "renametask")


@command(Access.ADMIN)
async def close_task(req: Request) -> None:
    """Close a task: its work is over."""
    await _run(req, "closetask")


@command(Access.ADMIN)
async def cancel_task(req: Request) -> None:
    """Cancel a task: it should not have been assigned."""
    await _run(req, "canceltask")


@command(Access.ADMIN)
async def reopen_task(req: Request) -> None:
    """Open a closed or cancelled task again (one ended by mistake)."""
    await _run(req, "reopentask")


@command(Access.ADMIN)
async def set_status(req: Request) -> None:
    """Set a unit's status on a task by hand (a report made by mistake), with a reason."""
    args = req.text_args
    text = await req.run(status_set.run, req.services, req.actor.lang, req.actor.contact_id, args)
    wake(req.context.application)  # the unit told of it hears it now, not in a minute
    await req.reply(text)


async def end(req: Request, status: str, task_id: int) -> None:
    """Close or cancel an open task (audited) and say so (the card's confirmed button)."""
    text = await req.run(
        taskedit.end, req.services, req.actor.lang, req.actor.contact_id, status, task_id
    )
    wake(req.context.application)
    await req.reply(text)


async def reopen(req: Request, task_id: int) -> None:
    """Open a closed or cancelled task again (its card's button) and say so."""
    text = await req.run(
        taskedit.reopen, req.services, req.actor.lang, req.actor.contact_id, task_id
    )
    wake(req.context.application)
    await req.reply(text)


async def confirm_units(req: Request, token: str) -> None:
    """Make the change of many units the admin confirmed (the button of "/assign #1 Xã")."""
    text = await req.run(
        taskedit.confirm_units, req.services, req.actor.lang, req.actor.contact_id, token
    )
    wake(req.context.application)
    await req.reply(text)


def commands() -> tuple[CommandSpec, ...]:
    """Return the task-changing commands (registered with the tasks flow)."""
    return (
        CommandSpec("deadline", Access.ADMIN, deadline, "tasks.cmd_deadline"),
        CommandSpec("assign", Access.ADMIN, assign, "tasks.cmd_assign"),
        CommandSpec("unassign", Access.ADMIN, unassign, "tasks.cmd_unassign"),
        CommandSpec("renametask", Access.ADMIN, rename_task, "tasks.cmd_renametask"),
        CommandSpec("closetask", Access.ADMIN, close_task, "tasks.cmd_closetask"),
        CommandSpec("canceltask", Access.ADMIN, cancel_task, "tasks.cmd_canceltask"),
        CommandSpec("reopentask", Access.ADMIN, reopen_task, "tasks.cmd_reopentask"),
        CommandSpec("setstatus", Access.ADMIN, set_status, "status_set.cmd"),
    )
