"""Answers to the bot's check-in questions, and applying a reply to one assignment.

The questions: a blocker's reason, an extension's date and reason, which task a reply or a
file is about, an explanation's text. A text that answers one is that answer only.
"""

from __future__ import annotations

from typing import Any

from telegram import Message

from app.reporting import Report, record
from core.checkin import (
    STATE_OF_KIND,
    extension_target,
    is_cancel,
    only_number,
    read_extension_answer,
    reply_from_dict,
)
from core.replies import ParsedReply, ReplyKind
from db.models import Assignment, Task
from db.queries.calendar import working_calendar
from db.queries.pending import clear_pending, set_pending
from handlers.telegram import evidence, explanation_answers, extensions
from handlers.telegram.access import Request
from handlers.telegram.itembuttons import settle


async def answer_pending(req: Request, pending: dict[str, Any], text: str) -> bool:
    """Take the text as the answer to the bot's question; False when it is not one."""
    step = pending.get("step")
    if is_cancel(text):
        with req.db() as session:
            clear_pending(session, contact_id=req.actor.contact_id)
        await req.say("common.cancelled")
        return True
    if step == "blocked":
        await _blocked_reason(req, pending, text)
    elif step == "extension":
        await _extension_answer(req, pending, text)
    elif step == "explain":
        await explanation_answers.record_answer(req, int(pending["explanation_id"]), text)
        with req.db() as session:
            clear_pending(session, contact_id=req.actor.contact_id)
    elif step in ("pick", "evidence") and (number := only_number(text)) is not None:
        chosen = [a for a, t in pending.get("tasks", []) if t == number]
        if not chosen:
            await req.say("checkin.pick_unknown", task=str(number))
        elif step == "evidence":
            await evidence.keep_pending(req, pending, chosen[0])
        else:
            with req.db() as session:
                clear_pending(session, contact_id=req.actor.contact_id)
            await apply_kept(req, pending, chosen[0])
    else:
        with req.db() as session:  # something new: forget the question, read the text
            clear_pending(session, contact_id=req.actor.contact_id)
        return False
    return True


def message_key(msg: Message) -> str:
    """Return the dedup key of a report sent as this message."""
    return f"tg:msg:{msg.chat.id}:{msg.message_id}"


async def apply(req: Request, assignment_id: int, reply: ParsedReply, text: str, key: str) -> None:
    """Record what a clear reply says for one assignment, or ask what it lacks."""
    if reply.kind in (ReplyKind.DONE, ReplyKind.IN_PROGRESS) or (
        reply.kind == ReplyKind.BLOCKED and reply.reason
    ):
        report = Report(
            assignment_id,
            STATE_OF_KIND[reply.kind],
            "text",
            key,
            percent=reply.percent,
            text=text,
            reason=reply.reason,
            evidence_number=reply.evidence_number,
            evidence_date=reply.evidence_date,
        )
        await req.reply(record(req.services, req.actor, report).text)
        return
    if reply.kind == ReplyKind.EXTENSION:
        with req.db() as session:
            assignment = session.get(Assignment, assignment_id)
            cal = working_calendar(session)
        if assignment is not None:
            today = req.services.today()
            deadline = assignment.deadline
            target = extension_target(reply, deadline=deadline, today=today, calendar=cal)
            if target is not None:
                await req.reply(
                    extensions.submit(req, assignment_id, target, reply.reason or "", key)
                )
                return
    step = "extension" if reply.kind == ReplyKind.EXTENSION else "blocked"
    with req.db() as session:
        now = req.services.clock.now()
        data = {"step": step, "assignment_id": assignment_id}
        set_pending(session, contact_id=req.actor.contact_id, data=data, now=now)
        task = _task_of(session, assignment_id)
    await req.say(f"checkin.ask_{step}", task=str(task.id), title=task.title)


def _task_of(session: Any, assignment_id: int) -> Task:
    """Return the task of an assignment."""
    assignment = session.get(Assignment, assignment_id)
    task: Task = session.get(Task, assignment.task_id)
    return task


async def apply_kept(req: Request, pending: dict[str, Any], assignment_id: int) -> None:
    """Apply a reply kept while the bot asked which task it is about."""
    reply = reply_from_dict(pending["reply"])
    await apply(req, assignment_id, reply, str(pending.get("text", "")), str(pending["key"]))


async def _blocked_reason(req: Request, pending: dict[str, Any], text: str) -> None:
    """Record a blocker with the reason just typed, and settle the message it came from."""
    assert req.message is not None
    assignment_id = int(pending["assignment_id"])
    report = Report(
        assignment_id, "blocked", "text", message_key(req.message), text=text, reason=text.strip()
    )
    result = record(req.services, req.actor, report)
    with req.db() as session:
        clear_pending(session, contact_id=req.actor.contact_id)
    await req.reply(result.text)
    if result.ok:
        await _settle_origin(req, pending, assignment_id, result.text)


async def _extension_answer(req: Request, pending: dict[str, Any], text: str) -> None:
    """Read the new date and reason of an extension request, and send it to coordinators."""
    assert req.message is not None
    assignment_id = int(pending["assignment_id"])
    with req.db() as session:
        task = _task_of(session, assignment_id)
        assignment = session.get(Assignment, assignment_id)
        cal = working_calendar(session)
    assert assignment is not None
    today = req.services.today()
    target, reason = read_extension_answer(
        text, deadline=assignment.deadline, today=today, calendar=cal
    )
    if target is None or target < today:
        await req.say("checkin.ext_date_unclear", task=str(task.id), title=task.title)
        return
    line = extensions.submit(req, assignment_id, target, reason, message_key(req.message))
    with req.db() as session:
        clear_pending(session, contact_id=req.actor.contact_id)
    await req.reply(line)
    await _settle_origin(req, pending, assignment_id, line)


async def _settle_origin(
    req: Request, pending: dict[str, Any], assignment_id: int, line: str
) -> None:
    """Replace the item's buttons in the message the question started from."""
    if "msg" not in pending:
        return
    await settle(
        req.context.bot,
        chat_id=pending["chat"],
        message_id=int(pending["msg"]),
        html=str(pending.get("html") or ""),
        markup=pending.get("kb"),
        assignment_id=assignment_id,
        line=line,
    )
