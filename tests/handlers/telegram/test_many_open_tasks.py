"""A unit with many open tasks asked which one a reply is about: a keyboard Telegram takes.

Telegram refuses a message of more than 100 inline buttons; "✅" from a unit with 26 open
tasks was asked with four buttons a task (104), "xong" with 101 tasks with a button each.
The nearest deadlines get buttons; the others are named by typing their number.
"""

from __future__ import annotations

from tests.handlers.telegram.checkin_world import OFFICIAL, assignment, reports, scene
from tests.harness import BotUnderTest, buttons

TELEGRAM_MAX_BUTTONS = 100


async def test_which_task_and_status_of_many_tasks_offers_a_keyboard_telegram_takes(
    bot: BotUnderTest,
) -> None:
    """ "✅" with 30 open tasks: eight tasks with their four statuses, the other 22 said to be
    named by typing; "#30 xong" typed then records task #30."""
    world = await scene(bot, tasks=30)
    asked = await bot.send(OFFICIAL, "✅")
    assert len(buttons(asked)) <= TELEGRAM_MAX_BUTTONS
    assert len(buttons(asked)) == 32
    last = world.tasks[8].id
    assert "… và 22 nhiệm vụ khác không có trong danh sách trên" in (asked.text or "")
    assert f"«#{last} xong»" in (asked.text or "")
    await bot.send(OFFICIAL, f"#{world.tasks[-1].id} xong")
    assert assignment(bot, world.assignments[-1]).state == "done"


async def test_which_task_of_many_tasks_offers_twenty_and_takes_a_number_typed(
    bot: BotUnderTest,
) -> None:
    """ "xong" with 30 open tasks: twenty task buttons, the rest said; "#30" typed answers."""
    world = await scene(bot, tasks=30)
    asked = await bot.send(OFFICIAL, "xong")
    assert len(buttons(asked)) == 20
    assert len(buttons(asked)) <= TELEGRAM_MAX_BUTTONS
    assert "… và 10 nhiệm vụ khác không có trong danh sách trên" in (asked.text or "")
    answer = await bot.send(OFFICIAL, f"#{world.tasks[-1].id}")
    assert "Đã ghi nhận" in (answer.text or "")
    assert [r.assignment_id for r in reports(bot)] == [world.assignments[-1]]
