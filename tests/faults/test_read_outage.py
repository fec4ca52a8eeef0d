"""A Telegram command that only reads, while PostgreSQL keeps it waiting past its lock timeout."""

from __future__ import annotations

import asyncio
import logging
from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from db.engine import make_engine
from tests.factories import make_contact, make_task, make_unit
from tests.harness import BotUnderTest

MEMBER = 3501
TITLE = "Báo cáo chuyển đổi số quý IV"
# Longer than db.engine's PG_LOCK_TIMEOUT_MS: the read gives up on its lock once.
LOCK_SECONDS = 7.0


@pytest.fixture
def engine(pg_engine: Engine) -> Engine:
    """Run this module's bot on a fresh PostgreSQL database."""
    return pg_engine


@pytest.mark.slow
@pytest.mark.postgres
async def test_mytasks_while_a_table_it_reads_is_locked_waits_and_is_answered(
    bot: BotUnderTest, caplog: pytest.LogCaptureFixture
) -> None:
    """`/mytasks` while its query cannot have the tasks' table (a migration or a backup holds
    it; a connection cut is the same error): the person is told once that it waits, then
    gets their list. It was answered "something went wrong", with a traceback logged."""
    after = member_with_a_task(bot, MEMBER)
    other = make_engine(bot.engine.url.render_as_string(hide_password=False))
    with other.connect() as holder:
        holder.execute(text("LOCK TABLE task IN ACCESS EXCLUSIVE MODE"))
        bot.server.send_text(MEMBER, "/mytasks")
        await asyncio.sleep(LOCK_SECONDS)
        holder.rollback()
    other.dispose()
    await listed_without_an_error(bot, MEMBER, after, caplog)


def member_with_a_task(bot: BotUnderTest, member: int) -> int:
    """Make `member` the contact of a unit with one open task (TITLE); return the id of the
    last message they had, after which their `/mytasks` is answered."""
    bot.user(member)
    with bot.session() as session:
        unit = make_unit(session, "X01", "Xã Một")
        make_contact(session, member, units=[unit])
        make_task(session, TITLE, date(2026, 12, 31), [unit])
    return bot.server.last_message_id(member)


async def listed_without_an_error(
    bot: BotUnderTest, member: int, after: int, caplog: pytest.LogCaptureFixture
) -> list[str]:
    """Wait for `member`'s task list (TITLE) after message `after`; check that no error was
    said to them or logged; return what they were told since `after`."""
    listed = await bot.server.wait_for_message(
        member, lambda m: TITLE in (m.text or ""), after=after, timeout=30
    )
    said = [m.text or "" for m in bot.server.messages(member) if m.message_id > after]
    assert not [t for t in said if "mã lỗi" in t]
    assert listed.text is not None
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    return said
