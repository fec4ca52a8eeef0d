"""A button press answered after the seconds Telegram gives (it waited its turn behind heavy
requests, or for the database): Telegram refuses the answer ("query is too old"), and the
press's work is done all the same. And a button of a message so old that Telegram gives the
press nothing of it but its chat and id (an inaccessible message): the press is done, the
message left as it was."""

from __future__ import annotations

import logging
from datetime import date

import pytest

from tests.factories import make_task, make_unit
from tests.handlers.telegram.checkin_world import (
    COORDINATOR as DECIDER,
)
from tests.handlers.telegram.checkin_world import (
    OFFICIAL,
    deliver,
    message,
    notices,
    remind,
    reports,
    scene,
)
from tests.handlers.telegram.summary_data import COORDINATOR
from tests.handlers.telegram.test_checkin import data, no_buttons_left
from tests.handlers.telegram.test_summary import _edited, arrange
from tests.harness import BotUnderTest, button_data, buttons


async def test_a_summary_page_pressed_too_long_ago_is_still_shown(
    bot: BotUnderTest, caplog: pytest.LogCaptureFixture
) -> None:
    """ "Next" on a long summary, handled past the press's time: the message is edited to
    page 2 (the refused answer stopped it before the edit), and no error is logged."""
    await arrange(bot)
    with bot.session() as s:
        units = [make_unit(s, f"L{i:03d}", f"Xã Dài {i:03d}") for i in range(150)]
        make_task(s, "Nhiệm vụ nhiều xã", date(2026, 11, 2), units)
    reply = await bot.send(COORDINATOR, "/summary #3")

    with caplog.at_level(logging.ERROR):
        bot.server.press_button(COORDINATOR, button_data(reply, "Sau"), reply.message_id)
        bot.server.expire_presses()
        edited = await bot.server.wait_for(lambda: _edited(bot, reply.message_id), what="edit")

    assert "Trang 2/" in (edited.text or "")
    assert [c.status for c in bot.server.calls("answerCallbackQuery")] == [400]
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


async def test_a_done_pressed_too_long_ago_is_recorded_and_its_buttons_settled(
    bot: BotUnderTest,
) -> None:
    """Done on a reminder, handled past the press's time: recorded, and the reminder's
    buttons give way to its status line, which says it instead of the pop-up."""
    world = await scene(bot)
    aid = world.assignments[0]
    reminder = await remind(bot, OFFICIAL, [aid])

    bot.server.press_button(OFFICIAL, data(bot, OFFICIAL, "st", "done", aid), reminder.message_id)
    bot.server.expire_presses()

    await no_buttons_left(bot, OFFICIAL, reminder.message_id)
    assert [r.state for r in reports(bot)] == ["done"]
    assert "Hoàn thành đúng hạn" in (message(bot, OFFICIAL, reminder.message_id).text or "")


async def test_done_on_a_reminder_telegram_no_longer_shows_keeps_the_reminder(
    bot: BotUnderTest,
) -> None:
    """Done pressed on an old reminder of two tasks, which Telegram gives as chat and id
    alone: recorded, and said in the pop-up. Its status line was written over the whole
    reminder, and the second task's buttons were taken off with the first's."""
    world = await scene(bot, tasks=2)
    first, second = world.assignments
    reminder = await remind(bot, OFFICIAL, [first, second])
    update_id = bot.server.press_button(
        OFFICIAL, data(bot, OFFICIAL, "st", "done", first), reminder.message_id, inaccessible=True
    )

    answer = await bot.server.wait_for_answer(bot.server.callback_id(update_id))
    assert "Hoàn thành đúng hạn" in (answer.text or "")
    assert [r.state for r in reports(bot)] == ["done"]
    await bot.send(OFFICIAL, "/mytasks")  # the press was handled before it: the same lane
    kept = message(bot, OFFICIAL, reminder.message_id)
    assert (kept.text, buttons(kept)) == (reminder.text, buttons(reminder))


async def test_an_extension_decided_on_a_notice_telegram_no_longer_shows_keeps_the_notice(
    bot: BotUnderTest,
) -> None:
    """A coordinator approves from an old request notice Telegram gives as chat and id
    alone: "None" and the decision were written over the request. Now its buttons go, its
    text stays, and the decision is said."""
    await scene(bot)
    await bot.send(OFFICIAL, "xin gia hạn đến 15/12 vì chờ ý kiến của sở")
    [notice] = notices(bot, DECIDER, "extension:")
    sent = await deliver(bot, notice)
    bot.server.press_button(
        DECIDER, button_data(sent, "Đồng ý"), sent.message_id, inaccessible=True
    )

    said = await bot.server.wait_for_message(DECIDER, after=sent.message_id)
    assert "hạn mới 15/12/2026" in (said.text or "")
    await bot.server.wait_until(lambda: buttons(message(bot, DECIDER, sent.message_id)) == [])
    assert message(bot, DECIDER, sent.message_id).text == sent.text
