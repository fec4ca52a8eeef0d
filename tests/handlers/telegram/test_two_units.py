"""One task given to two units of the same official, on Telegram: each button names its unit.

The Zalo scenes are in tests/zalo/test_two_units.py.
"""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from sqlmodel import select

from db.models import Assignment
from devtools.fakebotapi import ChatMessage
from scheduler.delivery import dispatch_context
from scheduler.dispatcher.run import dispatch
from tests.factories import make_contact, make_task, make_unit
from tests.handlers.telegram.checkin_world import OFFICIAL, reports
from tests.harness import BotUnderTest, button_data, buttons
from tests.scheduler.support import assigned_at

DEADLINE = date(2026, 11, 20)


async def two_units(bot: BotUnderTest) -> tuple[int, dict[str, int]]:
    """Lan is the focal point of Xã Tam Xuân and Xã Tam Bình, both given one task; return the
    task's number and its assignment of each commune."""
    with bot.session() as s:
        first, second = make_unit(s, "X1", "Xã Tam Xuân"), make_unit(s, "X2", "Xã Tam Bình")
        task = make_task(s, "Kế hoạch chuyển đổi số", DEADLINE, [first, second])
        assigned_at(s, task, bot.clock.now() - timedelta(days=3))
        make_contact(s, OFFICIAL, units=[first, second], name="Lan")
        rows = s.exec(select(Assignment).where(Assignment.task_id == task.id)).all()
        names = {first.id: first.name, second.id: second.name}
        by_unit = {names[a.unit_id]: a.id or 0 for a in rows}
    bot.user(OFFICIAL, "Lan")
    await bot.send(OFFICIAL, "/start")
    return task.id or 0, by_unit


async def answer(bot: BotUnderTest, text: str) -> ChatMessage:
    """Have the official send a text; return the bot's answer (not a reminder)."""
    after = bot.server.last_message_id(OFFICIAL)
    await bot.send(OFFICIAL, text)
    return await bot.server.wait_for_message(
        OFFICIAL, lambda m: "Nhắc việc" not in (m.text or ""), after=after
    )


def recorded(bot: BotUnderTest) -> list[tuple[int, str]]:
    """Return every status report as (assignment, state), oldest first."""
    return [(r.assignment_id, r.state) for r in reports(bot)]


async def test_a_reminders_buttons_name_the_unit_of_a_task_given_to_two(
    bot: BotUnderTest,
) -> None:
    """A reminder about #12 for two of the official's communes labels each status button with
    its commune (they were "#12 Hoàn thành" twice); a press records for that commune alone."""
    _, by_unit = await two_units(bot)
    after = bot.server.last_message_id(OFFICIAL)
    await asyncio.to_thread(dispatch, dispatch_context(bot.services), bot.clock.now())
    reminder = await bot.server.wait_for_message(
        OFFICIAL, lambda m: "Nhắc việc" in (m.text or ""), after=after
    )
    labels = [label for label, _ in buttons(reminder)]
    assert len(labels) == len(set(labels)), labels
    assert any("Xã Tam Bình" in label and "Hoàn thành" in label for label in labels), labels
    done = next(lb for lb in labels if "Xã Tam Bình" in lb and "Hoàn thành" in lb)
    await bot.press(OFFICIAL, button_data(reminder, done), reminder.message_id)
    assert recorded(bot) == [(by_unit["Xã Tam Bình"], "done")]


async def test_an_unclear_answer_asks_with_buttons_naming_each_unit(bot: BotUnderTest) -> None:
    """ "✅" from an official whose two communes both have #12 asks which status for each, its
    buttons naming the commune (they were "#12 Hoàn thành" twice)."""
    _, by_unit = await two_units(bot)
    asked = await answer(bot, "✅")
    labels = [label for label, _ in buttons(asked)]
    assert len(labels) == len(set(labels)) == 8, labels
    done = next(lb for lb in labels if "Xã Tam Xuân" in lb and "Hoàn thành" in lb)
    await bot.press(OFFICIAL, button_data(asked, done), asked.message_id)
    assert recorded(bot) == [(by_unit["Xã Tam Xuân"], "done")]


async def test_a_task_typed_for_two_units_asks_which_unit(bot: BotUnderTest) -> None:
    """ "#12 xong" when #12 is open in two of the official's communes asks which commune (it
    said the unit had several tasks), a button per commune; the press records for it alone,
    and says whose it recorded (it named the task alone)."""
    task, by_unit = await two_units(bot)
    asked = await answer(bot, f"#{task} xong")
    assert "đơn vị nào" in (asked.text or "")
    [one] = [label for label, _ in buttons(asked) if "Xã Tam Bình" in label]
    await bot.press(OFFICIAL, button_data(asked, one), asked.message_id)
    assert recorded(bot) == [(by_unit["Xã Tam Bình"], "done")]
    said = f"Đã ghi nhận: Hoàn thành đúng hạn - #{task} Xã Tam Bình: Kế hoạch chuyển đổi số"
    await bot.server.wait_until(
        lambda: any(said in (m.text or "") for m in bot.server.messages(OFFICIAL))
    )
