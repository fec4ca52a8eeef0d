"""A Telegram command while every pooled PostgreSQL connection of the bot is taken."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy.engine import Connection, Engine

from db.engine import PG_MAX_OVERFLOW, PG_POOL_SIZE, PG_POOL_TIMEOUT_S
from tests.faults.test_read_outage import listed_without_an_error, member_with_a_task
from tests.harness import BotUnderTest

MEMBER = 3601
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
    after = member_with_a_task(bot, MEMBER)
    held: list[Connection] = [
        await asyncio.to_thread(bot.engine.connect) for _ in range(PG_POOL_SIZE + PG_MAX_OVERFLOW)
    ]
    try:
        bot.server.send_text(MEMBER, "/mytasks")
        await asyncio.sleep(max(HOLD_S, PG_POOL_TIMEOUT_S + 2))
    finally:
        for connection in held:
            connection.close()
    said = await listed_without_an_error(bot, MEMBER, after, caplog)
    assert bot.services.catalog.plain("vi", "common.database_unavailable") in said
