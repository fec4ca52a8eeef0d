"""A 429 on what a handler does besides sending: the answer to a button press and the edit
that settles its buttons are waited out and made again, not turned into an error that says
the press may not have counted."""

from __future__ import annotations

import pytest

from devtools.fakebotapi import FakeBotApi, Fault, FaultRule
from tests.handlers.telegram.checkin_world import OFFICIAL, message, remind, reports, scene
from tests.handlers.telegram.test_checkin import data, no_buttons_left
from tests.handlers.telegram.test_evidence import PDF, kept, send_document_reply
from tests.harness import ADMIN_ID, BotUnderTest

DONE = "Đã ghi nhận: Hoàn thành đúng hạn"


async def test_a_429_on_a_press_answer_is_waited_out_and_answered(bot: BotUnderTest) -> None:
    """Telegram's 429 on answerCallbackQuery: the official still sees "recorded", once, and
    the reminder's buttons go; no error tells them to press again."""
    world = await scene(bot)
    aid = world.assignments[0]
    reminder = await remind(bot, OFFICIAL, [aid])
    rule = FaultRule(Fault.flood(retry_after=1), methods=["answerCallbackQuery"], times=1)
    bot.server.faults.add(rule)

    answer = await bot.press(OFFICIAL, data(bot, OFFICIAL, "st", "done", aid))

    assert answer.startswith(DONE)
    assert [c.status for c in bot.server.calls("answerCallbackQuery")] == [429, 200]
    assert [r.state for r in reports(bot)] == ["done"]
    await no_buttons_left(bot, OFFICIAL, reminder.message_id)


async def test_a_429_on_the_edit_settling_a_reminder_is_waited_out(bot: BotUnderTest) -> None:
    """Telegram's 429 on the edit that replaces a reminder's buttons by its status line: made
    again after retry_after, so no button is left to press twice."""
    world = await scene(bot)
    aid = world.assignments[0]
    reminder = await remind(bot, OFFICIAL, [aid])
    edits = ["editMessageText", "editMessageReplyMarkup"]
    bot.server.faults.add(FaultRule(Fault.flood(retry_after=1), methods=edits, times=1))

    answer = await bot.press(OFFICIAL, data(bot, OFFICIAL, "st", "done", aid))

    assert answer.startswith(DONE)
    await no_buttons_left(bot, OFFICIAL, reminder.message_id)
    assert "Hoàn thành đúng hạn" in (message(bot, OFFICIAL, reminder.message_id).text or "")


async def test_a_long_429_on_a_press_answer_says_it_may_be_recorded(bot: BotUnderTest) -> None:
    """A 429 too long to wait out in a press's answer: the official is told their press may
    already be recorded and to check /mytasks, not that it may not have been."""
    world = await scene(bot)
    aid = world.assignments[0]
    reminder = await remind(bot, OFFICIAL, [aid])
    rule = FaultRule(Fault.flood(retry_after=60), methods=["answerCallbackQuery"], times=1)
    bot.server.faults.add(rule)

    answer = await bot.press(OFFICIAL, data(bot, OFFICIAL, "st", "done", aid))
    if not answer:  # too long for a pop-up: the press answered without words, then a message
        said = await bot.server.wait_for_message(OFFICIAL, after=reminder.message_id)
        answer = said.text or ""

    assert [r.state for r in reports(bot)] == ["done"]
    assert "có thể đã được ghi nhận" in answer
    assert "/mytasks" in answer


async def test_a_429_on_fetching_an_evidence_file_is_waited_out_and_it_is_kept(
    bot: BotUnderTest,
) -> None:
    """Telegram's 429 on getFile for a PDF sent as evidence: asked again after retry_after,
    the file is kept; the official was told it could not be downloaded, to send it again."""
    world = await scene(bot)
    aid = world.assignments[0]
    reminder = await remind(bot, OFFICIAL, [aid])
    bot.server.faults.add(FaultRule(Fault.flood(retry_after=1), methods=["getFile"], times=1))
    after = bot.server.last_message_id(OFFICIAL)

    send_document_reply(bot, OFFICIAL, PDF, reminder.message_id)

    reply = await bot.server.wait_for_message(OFFICIAL, after=after)
    assert "Đã lưu minh chứng «ke-hoach.pdf»" in (reply.text or "")
    assert [e.assignment_id for e in kept(bot)] == [aid]


@pytest.fixture
def delete_webhook_flooded(fake_api: FakeBotApi) -> None:
    """Have Telegram answer the first deleteWebhook 429, as it does to a bot restarted in a
    loop ("Too Many Requests: retry after 1")."""
    fake_api.faults.add(FaultRule(Fault.flood(retry_after=1), methods=["deleteWebhook"], times=1))


async def test_polling_starts_after_a_429_on_delete_webhook(
    delete_webhook_flooded: None, bot: BotUnderTest
) -> None:
    """A 429 on the deleteWebhook that starts polling is waited out, and the bot answers: it
    did not start, the RetryAfter raised out of its start."""
    assert [c.status for c in bot.server.calls("deleteWebhook")] == [429, 200]
    assert "/help" in ((await bot.send(ADMIN_ID, "/start")).text or "")
