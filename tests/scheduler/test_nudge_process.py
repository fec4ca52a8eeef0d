"""On a large database a nudge is composed in a worker process, and says what a thread would.

A task of a whole country is thousands of messages to compose; in a thread of the bot it
held the GIL the bot needs to answer taps. In a worker process it queues the same messages
under the same keys, and a failure there reaches the caller as it would from a thread.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from app.actor import Actor
from app.services import Services
from bot.app import build_services
from bot.settings import Settings
from core.clock import ManualClock
from core.roles import Role
from db.models import Outbox
from scheduler.nudge import nudge
from scheduler.workers import in_process_blocking, stop_processes
from tests.scheduler.support import at, process_id, province, task_for, worker_processes

WED = date(2026, 11, 18)
TOKEN = "123456:TEST-token-for-the-fake-bot-api-server"
ADMIN = Actor(1, "90001", "vi", Role.ADMIN.value, (), ())


@pytest.fixture(autouse=True, scope="module")
def one_pool() -> Iterator[None]:
    """The tests share the worker processes (each start imports for seconds), then stop them."""
    yield
    stop_processes()


def country(engine: Engine, session: Session, settings: Settings) -> tuple[Services, int]:
    """Four communes with a task overdue by two days; the bot's services at 20:00."""
    task = task_for(session, province(session, 4, first_user=9600), WED, at(date(2026, 11, 2)))
    services = build_services(settings, TOKEN, clock=ManualClock(at(WED, 20)), engine=engine)
    return services, task.id or 0


def nudges(session: Session) -> list[tuple[str, str]]:
    """Return the queued nudges' chats and keys."""
    rows = session.exec(select(Outbox).where(Outbox.kind == "nudge")).all()
    return sorted((m.chat_id or "", m.key or "") for m in rows)


def nudged_in_a_process(engine: Engine, session: Session, settings: Settings) -> None:
    """Nudge twice under one request in a worker process: queued once, the same answer."""
    services, task = country(engine, session, settings)

    answer = nudge(services, ADMIN, f"#{task}", "42", process_from=0)  # every database is large
    again = nudge(services, ADMIN, f"#{task}", "42", process_from=0)

    assert "4 đơn vị chưa hoàn thành, sẽ nhắc 4 (4 người nhận)" in answer  # held: 20:00
    assert again == answer
    queued = nudges(session)
    assert [chat for chat, _ in queued] == ["9600", "9601", "9602", "9603"]
    assert all(key.startswith(f"nudge:{task}:") and ":42:" in key for _, key in queued)


def test_a_nudge_in_a_worker_process_queues_each_units_reminder_once(
    engine: Engine, session: Session, settings: Settings
) -> None:
    stop_processes()
    before = worker_processes()

    nudged_in_a_process(engine, session, settings)

    assert worker_processes() - before  # the nudge started one


def test_a_nudge_in_a_worker_process_on_postgresql(pg_engine: Engine, settings: Settings) -> None:
    with Session(pg_engine) as session:
        nudged_in_a_process(pg_engine, session, settings)


def test_a_dead_worker_process_is_replaced_for_the_nudge(
    engine: Engine, session: Session, settings: Settings
) -> None:
    """A worker killed (out of memory) breaks the pool; the nudge goes on in a new one."""
    services, task = country(engine, session, settings)
    os.kill(in_process_blocking(engine, process_id), signal.SIGKILL)

    answer = nudge(services, ADMIN, f"#{task}", "43", process_from=0)

    assert "sẽ nhắc 4 (4 người nhận)" in answer
    assert len(nudges(session)) == 4


def test_a_failure_in_the_worker_process_reaches_the_caller_as_it_happened(
    engine: Engine, session: Session, settings: Settings
) -> None:
    """The outbox gone, the process fails to queue: its error reaches the channel, which logs
    it with a reference and tells the person (each channel's own error path)."""
    services, task = country(engine, session, settings)
    session.close()
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE outbox_item"))
        connection.execute(text("DROP TABLE outbox"))

    with pytest.raises(OperationalError, match="no such table: outbox"):
        nudge(services, ADMIN, f"#{task}", "44", process_from=0)
