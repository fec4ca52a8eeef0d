"""A Telegram command while every pooled PostgreSQL connection of the bot is taken."""

from __future__ import annotations

import asyncio
import logging
from datetime import date

import pytest
from sqlalchemy.engine import Connection, Engine

from db.engine import PG_MAX_OVERFLOW, PG_POOL_SIZE, PG_POOL_TIMEOUT_S
from tests.factories import make_contact, make_task, make_unit
from tests.harness import BotUnderTest

MEMBER = 3601
TITLE = "Rà soát hồ sơ đất đai quý IV"
# Past SQLAlchemy's default wait for a connection (30 s), which the bot's pool had, and past
# the bot's own (db.engine.PG_POOL_TIMEOUT_S).
HOLD_S = 32.0


@pytest.fixture
def engine(pg_engine: Engine) -> Engine:
    """Run this module's bot on a fresh PostgreSQL database."""
    return pg_engine


@pytest.mark.slow
@pytest.mark.postgres
async def test_mytasks_while_every_pooled_connection_is_taken_waits_and_is_answered(
    bot: BotUnderTest, caplog: pytest.LogCaptureFixture
) -> None:
    """`/mytasks` while more work than the pool's connections holds them all (five admins'
    heavy commands, a burst of replies, a table locked): the person is told once that it
    waits, then gets their list. SQLAlchemy's pool gave up after 30 s with its own
    TimeoutError, which nothing waited out: the person got the generic error."""
    bot.user(MEMBER)
    with bot.session() as session:
        unit = make_unit(session, "X01", "Xã Một")
        make_contact(session, MEMBER, units=[unit])
        make_task(session, TITLE, date(2026, 12, 31), [unit])
    after = bot.server.last_message_id(MEMBER)
    held: list[Connection] = [
        await asyncio.to_thread(bot.engine.connect) for _ in range(PG_POOL_SIZE + PG_MAX_OVERFLOW)
    ]
    try:
        bot.server.send_text(MEMBER, "/mytasks")
        await asyncio.sleep(max(HOLD_S, PG_POOL_TIMEOUT_S + 2))
    finally:
        for connection in held:
            connection.close()
    listed = await bot.server.wait_for_message(
        MEMBER, lambda m: TITLE in (m.text or ""), after=after, timeout=30
    )
    said = [m.text or "" for m in bot.server.messages(MEMBER) if m.message_id > after]
    held_note = bot.services.catalog.plain("vi", "common.database_unavailable")
    assert held_note in said
    assert not [t for t in said if "mã lỗi" in t]
    assert listed.text is not None
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
