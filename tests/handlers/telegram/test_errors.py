"""The error handler: a failing flow is logged with its traceback; the user gets a way out."""

from __future__ import annotations

import logging

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes

from db.models import ContactIdentity
from db.queries.contacts import find_identity
from devtools.fakebotapi import Fault, FaultRule
from tests.factories import make_contact, make_unit
from tests.harness import BotUnderTest


async def explode(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Fail the way a bug in a flow would."""
    raise RuntimeError("boom in a flow")


async def test_failing_flow_tells_the_user_and_logs_the_traceback(
    bot: BotUnderTest, caplog: pytest.LogCaptureFixture
) -> None:
    """The user gets an apology with an error code and no internals; the log has the cause."""
    bot.app.add_handler(CommandHandler("boom", explode), group=1)
    bot.user(3001)
    with caplog.at_level(logging.ERROR, logger="handlers.telegram.errors"):
        reply = await bot.send(3001, "/boom", match=lambda m: "mã lỗi" in (m.text or ""))
    text = reply.text or ""
    assert "RuntimeError" not in text
    assert "boom in a flow" not in text
    code = text.rsplit("mã lỗi ", 1)[1].split(")")[0]
    assert any(code in r.getMessage() and r.exc_info for r in caplog.records)


async def test_bot_keeps_serving_after_an_error(bot: BotUnderTest) -> None:
    """After a failure the next update is handled normally."""
    bot.app.add_handler(CommandHandler("boom", explode), group=1)
    bot.user(3002)
    await bot.send(3002, "/boom", match=lambda m: "mã lỗi" in (m.text or ""))
    assert "/lang" in ((await bot.send(3002, "/help")).text or "")


async def test_a_failing_button_in_english_gives_the_whole_apology_with_its_code(
    bot: BotUnderTest, caplog: pytest.LogCaptureFixture
) -> None:
    """The English apology is longer than a press's pop-up: it comes as a message, whole,
    with the error code the log has (a pop-up cut it off before the code)."""
    bot.app.add_handler(CallbackQueryHandler(explode, pattern="^boom$"), group=-2)
    bot.user(3003, language="en")
    await bot.send(3003, "/start")
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Boom", callback_data="boom")]])
    shown = await bot.app.bot.send_message(3003, "A button", reply_markup=markup)
    after = shown.message_id
    with caplog.at_level(logging.ERROR, logger="handlers.telegram.errors"):
        bot.server.press_button(3003, "boom", shown.message_id)
        told = await bot.server.wait_for_message(
            3003, lambda m: "error code" in (m.text or ""), after=after
        )
    code = (told.text or "").rsplit("error code ", 1)[1].split(")")[0]
    assert any(code in r.getMessage() and r.exc_info for r in caplog.records)


async def test_an_answer_refused_as_blocked_marks_the_person_unreachable(
    bot: BotUnderTest, caplog: pytest.LogCaptureFixture
) -> None:
    """An official who blocked the bot right after writing: the answer's 403 marks their
    chat unreachable, as a refused reminder does (Zalo's answers too), so the coordinators
    see it; one line in the log, not an error's traceback."""
    with bot.session() as s:
        make_contact(s, 3004, units=[make_unit(s, "TX", "Xã Tam Xuân")], name="Lan")
    bot.user(3004)
    blocked = Fault.server_error(403, "Forbidden: bot was blocked by the user")
    bot.server.faults.add(FaultRule(blocked, methods=["sendMessage"], chat_ids=[3004], times=1))

    with caplog.at_level(logging.INFO, logger="handlers.telegram.errors"):
        bot.server.send_text(3004, "/help")
        await bot.server.wait_until(lambda: not identity_of(bot, 3004).reachable)

    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def identity_of(bot: BotUnderTest, user_id: int) -> ContactIdentity:
    """Return a person's Telegram identity as stored now."""
    with bot.session() as s:
        found = find_identity(s, channel="telegram", external_id=str(user_id))
    assert found is not None
    return found
