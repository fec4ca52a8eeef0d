"""Housekeeping purges the outbox's old messages; a reply quoting a purged one still counts."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from db.models import Outbox
from handlers.telegram.context import TelegramContext
from scheduler.delivery import housekeeping_job
from tests.handlers.telegram.checkin_world import OFFICIAL, remind, reports, scene
from tests.harness import BotUnderTest


def age(bot: BotUnderTest, message_id: int, days: int) -> None:
    """Make the outbox row delivered as this message `days` days old."""
    with bot.session() as s:
        row = s.exec(select(Outbox).where(Outbox.channel_message_id == str(message_id))).one()
        row.created_at = row.not_before = bot.clock.now() - timedelta(days=days)
        s.add(row)
        s.commit()


def outbox_holds(bot: BotUnderTest, message_id: int) -> bool:
    """Tell whether the outbox still has the row delivered as this message."""
    with bot.session() as s:
        query = select(Outbox.id).where(Outbox.channel_message_id == str(message_id))
        return s.exec(query).first() is not None


async def test_housekeeping_purges_sent_messages_older_than_outbox_keep_days(
    bot: BotUnderTest,
) -> None:
    """With OUTBOX_KEEP_DAYS=30, the leader's housekeeping deletes a reminder sent 31 days
    ago and keeps one of 29 days ago."""
    world = await scene(bot, tasks=2)
    bot.configure(outbox_keep_days=30)
    old = await remind(bot, OFFICIAL, [world.assignments[0]])
    kept = await remind(bot, OFFICIAL, [world.assignments[1]])
    age(bot, old.message_id, 31)
    age(bot, kept.message_id, 29)
    await housekeeping_job(TelegramContext(bot.app))
    assert not outbox_holds(bot, old.message_id)
    assert outbox_holds(bot, kept.message_id)


async def test_reply_quoting_a_purged_reminder_is_read_by_the_task_it_names(
    bot: BotUnderTest,
) -> None:
    """A reminder purged after 400 days no longer names its assignments; a reply quoting it
    is read as free text, for the task the quoted text names (#N), not refused or lost."""
    world = await scene(bot, tasks=2)
    _first, second = world.assignments
    reminder = await remind(bot, OFFICIAL, [second])
    age(bot, reminder.message_id, 401)
    await housekeeping_job(TelegramContext(bot.app))
    assert not outbox_holds(bot, reminder.message_id)
    reply = await bot.send(
        OFFICIAL, "Đã ban hành KH số 15/KH-UBND ngày 10/11/2026", reply_to=reminder.message_id
    )
    assert "Hoàn thành đúng hạn" in (reply.text or "")
    assert [r.assignment_id for r in reports(bot)] == [second]
