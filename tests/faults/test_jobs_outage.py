"""The digest's job fired while another process holds the SQLite file locked."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import pytest
from sqlmodel import select

from db.models import Outbox
from scheduler.digest import JOB_NAME
from tests.handlers.telegram.summary_data import COORDINATOR, make_province
from tests.harness import ADMIN_ID, BotUnderTest
from tests.locks import lock_for_a_while
from tests.scheduler.test_digest import MONDAY_8

LOCK_SECONDS = 6.0  # longer than a write waits for SQLite (the turn, then its busy timeout)


async def test_the_digest_fired_while_the_database_is_locked_is_queued_once_it_is_back(
    bot: BotUnderTest, db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Monday 08:00 finds SQLite locked (a backup, an import's slice): the digest waits for
    it and is queued, with no error logged. It failed with a traceback, caught up only by
    the catch-up ten minutes on."""
    with bot.session() as session:
        make_province(session)
    await bot.send(ADMIN_ID, "/start")
    bot.clock.set(MONDAY_8)
    job = bot.app.job_queue.get_jobs_by_name(JOB_NAME)[0]  # type: ignore[union-attr]
    released = threading.Event()
    lock_for_a_while(db_path, LOCK_SECONDS, released)
    await job.run(bot.app)
    assert released.is_set()  # the job ran through the lock, not before it
    with bot.session() as session:
        rows = session.exec(select(Outbox).where(Outbox.kind == "digest")).all()
    assert str(COORDINATOR) in {r.chat_id for r in rows}
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
