"""Arranging check-in scenes: units, officials, tasks, and reminders the bot really sent."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import col, select

from app.choices import rows_from_json, rows_to_json, status_choices
from db.models import Assignment, Outbox, OutboxItem, StatusReport, Task, Unit
from db.queries.outbox import enqueue
from devtools.fakebotapi import ChatMessage
from render.telegram import buttons
from tests.factories import make_contact, make_task, make_unit
from tests.harness import BotUnderTest

OFFICIAL = 3001
OTHER_OFFICIAL = 3002
COORDINATOR = 3101
DEADLINE = date(2026, 11, 30)


@dataclass
class Scene:
    """Two communes, an official of each, a coordinator, and tasks for the first commune."""

    unit: Unit
    other_unit: Unit
    tasks: list[Task]
    assignments: list[int]  # the first commune's, in task order
    other_assignment: int  # the second commune's, on the first task


async def scene(bot: BotUnderTest, *, tasks: int = 1, deadline: date = DEADLINE) -> Scene:
    """Arrange the scene and have every person start the bot.

    The bot's own morning dispatch is stopped first: the tests send the reminders they mean
    (`remind`), and one of the dispatch's, sent a second after start on a loaded machine,
    would be a message no step of the test made (taken for an answer, or sharing a message
    id with one of the test's in the other person's chat).
    """
    bot.no_morning_dispatch()
    with bot.session() as s:
        unit = make_unit(s, "TX", "Xã Tam Xuân")
        other = make_unit(s, "TB", "Xã Tam Bình")
        make_contact(s, OFFICIAL, units=[unit], name="Lan")
        make_contact(s, OTHER_OFFICIAL, units=[other], name="Minh")
        make_contact(s, COORDINATOR, role="coordinator", name="Điều phối")
        made = [
            make_task(s, f"Kế hoạch CĐS {n + 1}", deadline, [unit, other]) for n in range(tasks)
        ]
        ids = [assignment_of(s, t.id, unit.id) for t in made]
        other_id = assignment_of(s, made[0].id, other.id) if made else 0
    for user, name in ((OFFICIAL, "Lan"), (OTHER_OFFICIAL, "Minh"), (COORDINATOR, "Điều phối")):
        bot.user(user, name)
        await bot.send(user, "/start")
    return Scene(unit, other, made, ids, other_id)


def assignment_of(session: Any, task_id: int | None, unit_id: int | None) -> int:
    """Return the id of a task's assignment to a unit."""
    query = select(Assignment.id).where(
        Assignment.task_id == task_id, Assignment.unit_id == unit_id
    )
    found = session.exec(query).one()
    assert found is not None
    return int(found)


async def remind(bot: BotUnderTest, user_id: int, assignment_ids: list[int]) -> ChatMessage:
    """Send a reminder as the delivery does: one message, status buttons per item, outbox row."""
    services = bot.services
    rows = []
    for aid in assignment_ids:
        rows += status_choices(services.catalog, "vi", aid)
    text = "Nhắc việc: " + ", ".join(f"#{task_of(bot, a)}" for a in assignment_ids)
    with bot.session() as s:
        row = enqueue(
            s,
            key=f"test-reminder:{time.monotonic_ns()}",
            chat_id=str(user_id),
            kind="reminder",
            text=text,
            now=bot.clock.now(),
            choices=rows_to_json(rows),
            assignment_ids=assignment_ids,
        )
        assert row is not None
        row.status = "sent"  # sent here below, never also by the bot's own sender
        s.add(row)
        s.commit()
        return await deliver(bot, row)


async def deliver(bot: BotUnderTest, row: Outbox) -> ChatMessage:
    """Send one outbox row's message the way the sender does, and record its message id."""
    choices = rows_from_json(row.payload.get("choices", []))
    sent = await bot.app.bot.send_message(
        int(row.chat_id),
        row.payload["text"],
        reply_markup=buttons(bot.services.button_key, row.chat_id, choices) if choices else None,
    )
    with bot.session() as s:
        stored = s.get(Outbox, row.id)
        assert stored is not None
        stored.channel_message_id = str(sent.message_id)
        stored.status = "sent"
        s.add(stored)
        s.commit()
    return next(
        m for m in bot.server.messages(int(row.chat_id)) if m.message_id == sent.message_id
    )


def task_of(bot: BotUnderTest, assignment_id: int) -> int:
    """Return the task number of an assignment."""
    with bot.session() as s:
        assignment = s.get(Assignment, assignment_id)
        assert assignment is not None
        return assignment.task_id


def reports(bot: BotUnderTest, assignment_id: int | None = None) -> list[StatusReport]:
    """Return the status reports recorded, oldest first."""
    with bot.session() as s:
        query = select(StatusReport).order_by(col(StatusReport.id))
        if assignment_id is not None:
            query = query.where(StatusReport.assignment_id == assignment_id)
        return list(s.exec(query))


def assignment(bot: BotUnderTest, assignment_id: int) -> Assignment:
    """Return an assignment as stored now."""
    with bot.session() as s:
        found = s.get(Assignment, assignment_id)
        assert found is not None
        return found


def notices(bot: BotUnderTest, chat_id: int, prefix: str = "") -> list[Outbox]:
    """Return the outbox rows queued for a chat (optionally whose key starts with prefix)."""
    with bot.session() as s:
        query = select(Outbox).where(Outbox.chat_id == str(chat_id)).order_by(col(Outbox.id))
        return [o for o in s.exec(query) if o.key.startswith(prefix)]


def items_of(bot: BotUnderTest, outbox_id: int | None) -> list[int]:
    """Return the assignments an outbox row is about."""
    with bot.session() as s:
        query = select(OutboxItem.assignment_id).where(OutboxItem.outbox_id == outbox_id)
        return list(s.exec(query))


def message(bot: BotUnderTest, chat_id: int, message_id: int) -> ChatMessage:
    """Return a bot message as it stands now (after edits)."""
    return next(m for m in bot.server.messages(chat_id) if m.message_id == message_id)
