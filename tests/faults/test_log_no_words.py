"""A database error logged says what failed, not the words a person typed.

The statement's parameters (an official's reason, a name) went into the log with the
error ("[parameters: (..., 'vì cầu Bắc Nhạn ngập sâu', ...)]"): the operators promise a
day's logs hold no person's words. Every engine hides them; the error is still said.
"""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import text

from tests.handlers.telegram.checkin_world import OFFICIAL, scene
from tests.harness import BotUnderTest

REASON = "vì cầu Bắc Nhạn ngập sâu"
REFUSE = """
CREATE TRIGGER refuse_requests BEFORE INSERT ON extension_request
BEGIN SELECT RAISE(ABORT, 'refused by the test'); END
"""


async def test_a_refused_write_is_logged_without_the_officials_words(
    bot: BotUnderTest, caplog: pytest.LogCaptureFixture
) -> None:
    """Lan asks for an extension and the database refuses the request's insert: she gets
    the error's reference, the log says the error and its statement, and not her reason."""
    world = await scene(bot)
    with bot.engine.begin() as connection:
        connection.execute(text(REFUSE))
    caplog.set_level(logging.INFO)
    reply = await bot.send(
        OFFICIAL,
        f"#{world.tasks[0].id} xin gia hạn đến 15/12/2026 {REASON}",
        match=lambda m: "mã lỗi" in (m.text or "") or "gia hạn" in (m.text or ""),
    )
    assert "mã lỗi" in (reply.text or "")
    logged = caplog.text
    assert "IntegrityError" in logged
    assert "refused by the test" in logged
    assert "INSERT INTO extension_request" in logged
    assert "Bắc Nhạn" not in logged
