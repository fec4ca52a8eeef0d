"""Status check-ins in words: a reply to a reminder, a message to the bot, and the answers
to the bot's own questions (a blocker's reason, an extension's date, which task).

A text that answers a pending question is that answer and nothing else; only without one is
it read as a new report (core.replies.parse_reply, attributed by core.checkin.decide).
"""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardMarkup, Message

from core.checkin import (
    STATE_OF_KIND,
    Decision,
    Item,
    Outcome,
    decide,
    extension_target,
    is_cancel,
    only_number,
    read_extension_answer,
    reply_from_dict,
    reply_to_dict,
    task_numbers,
)
from core.replies import ParsedReply, ReplyKind, parse_reply
from core.roles import Access
from db.models import Assignment, Task
from db.queries.calendar import working_calendar
from db.queries.checkin import (
    clear_pending,
    get_pending,
    message_outbox,
    outbox_assignments,
    reportable,
    set_pending,
)
from handlers import evidence, explanations, extensions, fallback
from handlers.access import Request, command
from handlers.keyboards import status_rows
from handlers.reporting import Report, record, settle

MAX_TEXT = 4000
ASK_KEYS = {"question": "ask_status_question", "negation": "ask_status_negation"}


@command(Access.PUBLIC)
async def on_text(req: Request) -> None:
    """Read a text as the answer to the pending question, or as a status report."""
    msg = req.message
    if not req.actor.unit_ids or msg is None or msg.text is None:
        await fallback.anything_else(req.update, req.context)
        return
    if len(msg.text) > MAX_TEXT:
        await req.say("common.too_long", length=len(msg.text), limit=MAX_TEXT)
        return
    with req.db() as session:
        pending = get_pending(
            session, contact_id=req.actor.contact_id, now=req.services.clock.now()
        )
    if pending is not None and await _answer_pending(req, pending, msg.text):
        return
    await report_text(req, msg)


async def _answer_pending(req: Request, pending: dict[str, Any], text: str) -> bool:
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
        await explanations.record_answer(req, int(pending["explanation_id"]), text)
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


def _key(msg: Message) -> str:
    """Return the dedup key of a report sent as this message."""
    return f"tg:msg:{msg.chat.id}:{msg.message_id}"


async def report_text(req: Request, msg: Message) -> None:
    """Read a free text as a status report and record it, or ask what it means."""
    text = msg.text or ""
    reply = parse_reply(text, today=req.services.today())
    with req.db() as session:
        rows = reportable(session, unit_ids=req.actor.unit_ids)
        items = [Item(a.id or 0, t.id or 0, a.state == "done") for a, t in rows]
        replied, explanation_id = _replied(session, msg, items)
    if explanation_id is not None:
        await explanations.record_answer(req, explanation_id, text)
        return
    decision = decide(reply=reply, items=items, replied=replied, mentioned=task_numbers(text))
    titles = {a.id: (t.id, t.title) for a, t in rows}
    await _act(req, decision, titles, text, _key(msg))


def _replied(session: Any, msg: Message, items: list[Item]) -> tuple[list[int] | None, int | None]:
    """Return the assignments of the message answered (None: none known) or an explanation."""
    original = msg.reply_to_message
    if original is None or original.from_user is None or not original.from_user.is_bot:
        return None, None
    sent = message_outbox(session, chat_id=str(msg.chat.id), message_id=original.message_id)
    if sent is not None and sent.id is not None:
        if sent.key.startswith("explain:"):
            return None, int(sent.key.split(":")[1])
        return outbox_assignments(session, outbox_id=sent.id) or None, None
    # A message the bot sent directly (/mytasks, a confirmation) names its tasks as #12.
    numbers = task_numbers(original.text or original.caption or "")
    about = [i.assignment_id for i in items if i.task_id in numbers]
    return about or None, None


async def _act(
    req: Request, decision: Decision, titles: dict[Any, tuple[Any, str]], text: str, key: str
) -> None:
    """Record, or ask which task and which status, as decided."""
    outcome, ids = decision.outcome, decision.candidates
    if outcome == Outcome.RECORD:
        await apply(req, ids[0], decision.reply, text, key)
    elif outcome == Outcome.ASK_STATUS:
        task, title = titles[ids[0]]
        rows = _status_rows(req, ids[0])
        name = ASK_KEYS.get(str(decision.reply.hint), "ask_status")
        await req.reply(
            req.t(f"checkin.{name}", task=str(task), title=title),
            reply_markup=InlineKeyboardMarkup(rows),
        )
    elif outcome == Outcome.ASK_TASK:
        tasks = [(i, titles[i][0]) for i in ids]
        data: dict[str, Any] = {"step": "pick", "reply": reply_to_dict(decision.reply)}
        data |= {"text": text, "key": key, "candidates": list(ids), "tasks": tasks}
        with req.db() as session:
            now = req.services.clock.now()
            set_pending(session, contact_id=req.actor.contact_id, data=data, now=now)
        rows = [[req.button(f"#{titles[i][0]} {titles[i][1]}"[:60], "ck", i)] for i in ids]
        await req.reply(req.t("checkin.ask_task"), reply_markup=InlineKeyboardMarkup(rows))
    elif outcome == Outcome.ASK_BOTH:
        lines = [req.t("checkin.ask_both")]
        rows = []
        for i in ids:
            lines.append(req.t("checkin.item_line", task=str(titles[i][0]), title=titles[i][1]))
            rows += _status_rows(req, i, f"#{titles[i][0]}")
        await req.reply("\n".join(lines), reply_markup=InlineKeyboardMarkup(rows))
    else:
        await req.say(f"checkin.{outcome}")


def _status_rows(req: Request, assignment_id: int, label: str = "") -> list[list[Any]]:
    """Return the status buttons of one assignment, signed for the sender."""
    s = req.services
    return status_rows(
        s.button_key, req.actor.external_id, assignment_id, req.actor.lang, s.catalog, label
    )


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
        assignment_id, "blocked", "text", _key(req.message), text=text, reason=text.strip()
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
    line = extensions.submit(req, assignment_id, target, reason, _key(req.message))
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
