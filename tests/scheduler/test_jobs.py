"""The delivery jobs: added once by name, and the dispatcher job feeding the sender."""

from __future__ import annotations

import logging
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import select

from db.models import Outbox
from handlers.telegram.context import TelegramContext
from scheduler.delivery import (
    DISPATCH_JOB,
    HOUSEKEEPING_JOB,
    SENDER_JOB,
    dispatch_job,
    housekeeping_job,
    register,
)
from tests.harness import BotUnderTest
from tests.scheduler.support import at, province, start_users, task_for

WED = date(2026, 11, 18)


async def test_delivery_jobs_are_added_once(bot: BotUnderTest) -> None:
    """Registering again (as a restart of the scheduler would) adds no second job."""
    register(bot.app)
    register(bot.app)
    jobs = bot.app.job_queue
    assert jobs is not None
    for name in (DISPATCH_JOB, SENDER_JOB, HOUSEKEEPING_JOB):
        assert len(jobs.get_jobs_by_name(name)) == 1


async def test_dispatch_job_queues_and_the_sender_delivers(bot: BotUnderTest) -> None:
    """One run of the dispatcher job reaches every unit's phone, with the outbox marked sent."""
    with bot.session() as session:
        units = province(session, 3, first_user=5100)
        task = task_for(session, units, WED, at(WED, 7), "Báo cáo tuần")
    start_users(bot.server, [5100, 5101, 5102])
    context = TelegramContext(bot.app)
    await dispatch_job(context)
    for user in (5100, 5101, 5102):
        message = await bot.server.wait_for_message(user, timeout=5)
        assert f"#{task.id} Báo cáo tuần" in (message.text or "")
    await housekeeping_job(context)

    def all_sent() -> bool:
        with bot.session() as session:
            rows = session.exec(select(Outbox)).all()
        return bool(rows) and all(r.status == "sent" for r in rows)

    await bot.server.wait_until(all_sent, timeout=5)


async def test_a_locked_database_during_the_sweep_is_one_line(
    bot: BotUnderTest, db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """SQLite's file locked elsewhere while the sweep queues the reminders (an import's
    slice, a backup): one line, no traceback; the next run queues them. It logged a
    traceback of thirty lines for what is expected."""
    with bot.session() as session:
        units = province(session, 2, first_user=5200)
        task_for(session, units, WED, at(WED, 7), "Báo cáo tuần")
    context = TelegramContext(bot.app)
    blocker = sqlite3.connect(db_path, timeout=5)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        with caplog.at_level(logging.WARNING, logger="scheduler.delivery"):
            await dispatch_job(context)
    finally:
        blocker.rollback()
        blocker.close()
    said = [r for r in caplog.records if r.name == "scheduler.delivery"]
    assert [r.getMessage() for r in said] == [
        "reminder dispatch waited for the database (database is locked); the next run retries"
    ]
    assert said[0].exc_info is None
    await dispatch_job(context)  # the lock gone: queued
    with bot.session() as session:
        assert session.exec(select(Outbox)).all()
