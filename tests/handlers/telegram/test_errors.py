"""The error handler: a failing flow is logged with its traceback; the user gets a way out."""

from __future__ import annotations

import logging

import pytest
from telegram import Update
from telegram.ext import CommandHandler, ContextTypes

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
