"""Status check-ins in words: a reply to a reminder, a message to the bot, and the answers
to the bot's own questions (a blocker's reason, an extension's date, which task).

A text that answers a pending question is that answer and nothing else; only without one is
it read as a new report (core.replies.parse_reply, attributed by core.checkin.decide).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection
from telegram import InlineKeyboardMarkup, Message

from core.checkin import Decision, Item, Outcome, decide, reply_to_dict, task_numbers
from core.replies import parse_reply
from core.roles import Access
from db.queries.checkin import OpenItem, message_outbox, open_items
from db.queries.pending import clear_pending, get_pending, set_pending
from handlers.telegram import checkin_steps, explanation_answers, fallback
from handlers.telegram.access import Request, command
from handlers.telegram.keyboards import status_rows

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
    with req.connection() as connection:  # most texts are reports: read for both at once
        now = req.services.clock.now()
        pending = get_pending(connection, contact_id=req.actor.contact_id, now=now)
        about = _about(connection, req, msg) if pending is None else None
    if pending is not None and await checkin_steps.answer_pending(req, pending, msg.text):
        return
    if about is None:
        with req.connection() as connection:
            about = _about(connection, req, msg)
    await report_text(req, msg, about)


@command(Access.PUBLIC)
async def on_cancel(req: Request) -> None:
    """Forget the question the bot asked (/cancel outside any guided form)."""
    with req.db() as session:
        now = req.services.clock.now()
        pending = get_pending(session, contact_id=req.actor.contact_id, now=now)
        clear_pending(session, contact_id=req.actor.contact_id)
    await req.say("common.cancelled" if pending is not None else "common.nothing_to_cancel")


@dataclass(frozen=True)
class About:
    """What a report may be about: the sender's open items and the message it answers."""

    rows: list[OpenItem]
    items: list[Item]
    replied: list[int] | None  # the assignments of the message answered (None: none known)
    explanation_id: int | None  # or the explanation request it answers


def _about(connection: Connection, req: Request, msg: Message) -> About:
    """Read what a text from this sender may be about."""
    rows = open_items(connection, unit_ids=req.actor.unit_ids)
    items = [Item(i.assignment_id, i.task_id, i.done) for i in rows]
    replied, explanation_id = _replied(connection, msg, items)
    return About(rows, items, replied, explanation_id)


async def report_text(req: Request, msg: Message, about: About) -> None:
    """Read a free text as a status report and record it, or ask what it means."""
    text = msg.text or ""
    if about.explanation_id is not None:
        await explanation_answers.record_answer(req, about.explanation_id, text)
        return
    reply = parse_reply(text, today=req.services.today())
    mentioned = task_numbers(text)
    decision = decide(reply=reply, items=about.items, replied=about.replied, mentioned=mentioned)
    titles = {i.assignment_id: (i.task_id, i.title) for i in about.rows}
    await _act(req, decision, titles, text, checkin_steps.message_key(msg))


def _replied(
    connection: Connection, msg: Message, items: list[Item]
) -> tuple[list[int] | None, int | None]:
    """Return the assignments of the message answered (None: none known) or an explanation."""
    original = msg.reply_to_message
    if original is None or original.from_user is None or not original.from_user.is_bot:
        return None, None
    sent = message_outbox(connection, chat_id=str(msg.chat.id), message_id=original.message_id)
    if sent is not None:
        if sent.key.startswith("explain:"):
            return None, int(sent.key.split(":")[1])
        return list(sent.assignment_ids) or None, None
    # A message the bot sent directly (/mytasks, a confirmation) names its tasks as #12.
    numbers = task_numbers(original.text or original.caption or "")
    about = [i.assignment_id for i in items if i.task_id in numbers]
    return about or None, None


async def _act(
    req: Request, decision: Decision, titles: dict[int, tuple[int, str]], text: str, key: str
) -> None:
    """Record, or ask which task and which status, as decided."""
    outcome, ids = decision.outcome, decision.candidates
    if outcome == Outcome.RECORD:
        await checkin_steps.apply(req, ids[0], decision.reply, text, key)
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
