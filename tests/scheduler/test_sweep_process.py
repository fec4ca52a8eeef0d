"""A large database is swept in a worker process, which queues exactly what a thread would.

A country's first sweep is minutes of Python; in a thread it held the GIL the bot needs to
answer taps. In a worker process it queues the same messages, and it gives up at its next
step once the bot stops.
"""

from __future__ import annotations

import asyncio
import time
from datetime import date

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.app import build_services
from bot.settings import Settings
from core.clock import ManualClock
from db.models import Outbox
from scheduler.delivery import sweep, warm_sweep
from scheduler.workers import in_process, still_wanted, stop_processes
from tests.scheduler.support import at, process_id, province, task_for, worker_processes

WED = date(2026, 11, 18)
TOKEN = "123456:TEST-token-for-the-fake-bot-api-server"


async def test_a_sweep_in_a_worker_process_queues_each_contacts_reminder(
    engine: Engine, session: Session, settings: Settings
) -> None:
    units = province(session, 4, first_user=9400)
    task_for(session, units, WED, at(WED, 7))
    services = build_services(settings, TOKEN, clock=ManualClock(at(WED, 9)), engine=engine)

    result = await sweep(services, lambda: True, process_from=0)  # every database is large
    again = await sweep(services, lambda: True, process_from=0)

    assert result is not None
    assert result.messages == 4
    assert again is not None
    assert again.messages == 0  # swept already today: nothing queued twice
    queued = session.exec(select(Outbox)).all()
    assert sorted(m.chat_id or "" for m in queued) == ["9400", "9401", "9402", "9403"]


def wanted_in_process(database: str) -> bool:
    """In a worker process: tell whether the bot still wants the job done."""
    return still_wanted()


def wait_until_unwanted(database: str) -> float:
    """In a worker process: wait (at most 30 s) until the bot says it stops."""
    started = time.monotonic()
    while still_wanted() and time.monotonic() - started < 30:
        time.sleep(0.02)
    return time.monotonic() - started


async def test_a_job_in_a_worker_process_learns_that_the_bot_stops(engine: Engine) -> None:
    assert still_wanted()  # in the bot itself, always
    assert await in_process(engine, wanted_in_process)  # a worker process is up, and wanted
    job = asyncio.ensure_future(in_process(engine, wait_until_unwanted))
    await asyncio.sleep(0.5)
    assert not job.done()

    stop_processes()

    assert await asyncio.wait_for(job, timeout=20) < 29


async def test_on_a_large_database_the_sweeps_process_is_started_at_once(
    engine: Engine, session: Session, settings: Settings
) -> None:
    """Started ahead (its imports take a second), the process is the one the sweep gets."""
    task_for(session, province(session, 2, first_user=9500), WED, at(WED, 7))
    stop_processes()
    before = worker_processes()
    services = build_services(settings, TOKEN, clock=ManualClock(at(WED, 9)), engine=engine)

    await warm_sweep(services, process_from=0)
    started = worker_processes() - before
    first = await in_process(engine, process_id)

    assert first in started  # started (and its imports done) by the warm-up, before any job
    stop_processes()
