"""A button press answered after the seconds Telegram gives (it waited its turn behind heavy
requests, or for the database): Telegram refuses the answer ("query is too old"), and the
press's work is done all the same."""

from __future__ import annotations

import logging
from datetime import date

import pytest

from tests.factories import make_task, make_unit
from tests.handlers.telegram.checkin_world import OFFICIAL, message, remind, reports, scene
from tests.handlers.telegram.summary_data import COORDINATOR
from tests.handlers.telegram.test_checkin import data, no_buttons_left
from tests.handlers.telegram.test_summary import _edited, arrange
from tests.harness import BotUnderTest, button_data


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
