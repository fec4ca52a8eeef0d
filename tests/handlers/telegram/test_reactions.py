"""A reaction put on a reminder is no report: the official is told how to give one."""

from __future__ import annotations

import time

from app.choices import rows_to_json, status_choices
from db.models import Outbox
from db.queries.outbox import enqueue
from devtools.fakebotapi import ChatMessage
from scheduler.delivery import wake
from tests.factories import person
from tests.handlers.telegram.checkin_world import OFFICIAL, remind, reports, scene
from tests.harness import BotUnderTest

THUMBS_UP = [{"type": "emoji", "emoji": "👍"}]


def react(bot: BotUnderTest, message: ChatMessage, *, before: list[object] | None = None) -> int:
    """Have the official put 👍 on a message (`before`: the reactions it had); return the
    update's id."""
    chat = {"id": OFFICIAL, "type": "private", "first_name": "Lan"}
    return bot.server.inject_update(
        {
            "message_reaction": {
                "chat": chat,
                "message_id": message.message_id,
                "user": {"id": OFFICIAL, "is_bot": False, "first_name": "Lan"},
                "date": int(time.time()),
                "old_reaction": before or [],
                "new_reaction": THUMBS_UP,
            }
        }
    )


async def test_a_thumbs_up_on_a_reminder_is_answered_that_it_is_no_report(
    bot: BotUnderTest,
) -> None:
    """👍 on a reminder looked like "done" to the official, and the bot said nothing: the task
    stayed "no report". Now the reminder is quoted with how to report; nothing is recorded."""
    world = await scene(bot)
    reminder = await remind(bot, OFFICIAL, world.assignments)

    react(bot, reminder)

    hint = await bot.server.wait_for_message(OFFICIAL, after=reminder.message_id)
    assert "không đọc biểu tượng cảm xúc" in (hint.text or "")
    assert f"#{world.tasks[0].id}" in (hint.text or "")
    assert hint.reply_to_message_id == reminder.message_id
    assert reports(bot) == []


async def test_a_thumbs_up_on_the_first_part_of_a_long_reminder_is_answered_too(
    bot: BotUnderTest,
) -> None:
    """A reminder over Telegram's 4,096 characters goes in two messages, its buttons on the
    second: 👍 on the first said nothing (only the second was known as the reminder). Now it
    is answered as one on the reminder, quoting the part it was put on."""
    world = await scene(bot)
    task, aid = world.tasks[0].id, world.assignments[0]
    lines = [f"Nội dung nhắc việc #{task}, dòng {n:03d}: chưa có báo cáo" for n in range(120)]
    with bot.session() as s:
        row = enqueue(
            s,
            key="long-reminder",
            chat_id=str(OFFICIAL),
            contact_id=person(s, OFFICIAL).id,
            kind="reminder",
            text="\n".join(lines),
            now=bot.clock.now(),
            choices=rows_to_json(status_choices(bot.services.catalog, "vi", aid)),
            assignment_ids=[aid],
        )
        s.commit()
        assert row is not None
        row_id = row.id
    wake(bot.app)
    last = await bot.server.wait_for_message(OFFICIAL, lambda m: m.reply_markup is not None)
    [first] = [m for m in bot.server.messages(OFFICIAL) if "dòng 000" in (m.text or "")]
    assert first.message_id < last.message_id

    def sent() -> bool:
        with bot.session() as s:
            stored = s.get(Outbox, row_id)
            return stored is not None and stored.status == "sent"

    await bot.server.wait_until(sent, timeout=15)

    react(bot, first)

    hint = await bot.server.wait_for_message(OFFICIAL, after=last.message_id)
    assert "không đọc biểu tượng cảm xúc" in (hint.text or "")
    assert f"#{task}" in (hint.text or "")
    assert hint.reply_to_message_id == first.message_id
    assert reports(bot) == []


async def test_a_reaction_elsewhere_or_on_a_done_task_says_nothing(bot: BotUnderTest) -> None:
    """A reaction on the bot's answer, a reaction changed, and one on a reminder whose task
    was reported done since say nothing: the official's next message gets the only answer."""
    world = await scene(bot)
    reminder = await remind(bot, OFFICIAL, world.assignments)
    answer = await bot.send(OFFICIAL, "xong", reply_to=reminder.message_id)
    assert "Đã ghi nhận" in (answer.text or "")

    for update_id in (
        react(bot, answer),
        react(bot, reminder),
        react(bot, reminder, before=[{"type": "emoji", "emoji": "❤"}]),
    ):
        await bot.processed(update_id)
    last = await bot.send(OFFICIAL, "/mytasks")

    assert [m.message_id for m in bot.server.messages(OFFICIAL)][-2:] == [
        answer.message_id,
        last.message_id,
    ]
