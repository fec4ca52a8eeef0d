"""A large database is swept in a worker process, which queues exactly what a thread would.

A country's first sweep is minutes of Python; in a thread it held the GIL the bot needs to
answer taps. In a worker process it queues the same messages, and it gives up at its next
step once the bot stops.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

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


def wait_until_unwanted(database: str) -> bool:
    """In a worker process: wait (at most 30 s) until the bot says it stops; return whether
    it did (rather than the wait running out)."""
    started = time.monotonic()
    while still_wanted() and time.monotonic() - started < 30:
        time.sleep(0.02)
    return not still_wanted()


async def test_a_job_in_a_worker_process_learns_that_the_bot_stops(engine: Engine) -> None:
    assert still_wanted()  # in the bot itself, always
    assert await in_process(engine, wanted_in_process)  # a worker process is up, and wanted
    job = asyncio.ensure_future(in_process(engine, wait_until_unwanted))
    await asyncio.sleep(0.5)
    assert not job.done()

    stop_processes()

    assert await asyncio.wait_for(job, timeout=40)  # told; the timeout guards against a hang


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


PARENT = """
import asyncio, sys
from db.engine import make_engine
from scheduler.workers import in_process
from tests.scheduler.support import process_id
print(asyncio.run(in_process(make_engine(sys.argv[1]), process_id)), flush=True)
sys.stdin.read()
"""


def gone(pid: int) -> bool | None:
    """Tell (True, else None for `wait_for`) whether a process has ended (a zombie has)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return True if "\\nState:\\tZ" in status else None


def wait_for(check: Callable[[], bool | None], seconds: float) -> bool:
    """Look every tenth of a second until `check` says True; False after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return False


def test_a_worker_process_ends_when_the_bot_is_killed(tmp_path: Path) -> None:
    """The bot killed (SIGKILL, the kernel out of memory): its idle worker process ends too.
    It stayed for ever, waiting for a next job, the database file held open."""
    url = f"sqlite:///{tmp_path / 'orphan.sqlite3'}"
    with subprocess.Popen(
        [sys.executable, "-c", PARENT, url],
        cwd=Path(__file__).resolve().parents[2],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as bot:
        assert bot.stdout is not None
        worker = int(bot.stdout.readline())
        try:
            assert gone(worker) is None
            bot.send_signal(signal.SIGKILL)
            bot.wait(timeout=30)
            assert wait_for(lambda: gone(worker), 20)
        finally:
            if not gone(worker):
                os.kill(worker, signal.SIGKILL)
