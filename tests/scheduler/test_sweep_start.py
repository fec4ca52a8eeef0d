"""A day's first reminders as soon as the bot is up: the first dispatch however late the
bot's start-up was, and the sender woken as each batch is queued, not at its next tick."""

from __future__ import annotations

import asyncio
from datetime import date

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.app import build_application, build_services
from bot.settings import Settings
from core.clock import ManualClock
from db.models import Outbox
from devtools.botrun import polling
from devtools.fakebotapi import FakeBotApi
from scheduler.delivery import sweep
from tests.scheduler.support import at, province, start_users, task_for

WED = date(2026, 11, 18)
TOKEN = "123456:TEST-token-for-the-fake-bot-api-server"


async def test_the_first_dispatch_runs_however_late_the_jobs_start(
    bot_settings: Settings, fake_api: FakeBotApi, engine: Engine, session: Session
) -> None:
    """The jobs are added as the application is built; its JobQueue starts after getMe, the
    menus and the inbox's recovery, seconds later on a loaded machine. Then APScheduler put
    the first dispatch (due a second after the build) off to the next minute."""
    units = province(session, 2, first_user=9600)
    task = task_for(session, units, WED, at(WED, 7), "Báo cáo tuần")
    start_users(fake_api, [9600, 9601])
    app = build_application(bot_settings, clock=ManualClock(at(WED, 9)), engine=engine)
    await asyncio.sleep(2.5)  # the start-up took longer than the first dispatch's wait

    async with polling(app):
        for user in (9600, 9601):  # a minute away before; the timeout only guards a hang
            message = await fake_api.wait_for_message(user, timeout=30)
            assert f"#{task.id} Báo cáo tuần" in (message.text or "")


def queued_count(engine: Engine) -> int:
    """Return how many messages the outbox holds (committed)."""
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(Outbox)).one()


async def test_a_sweep_in_a_thread_says_when_reminders_are_queued(
    engine: Engine, session: Session, settings: Settings
) -> None:
    """The bot wakes its sender on the word (it waited for the sender's tick, a second)."""
    task_for(session, province(session, 3, first_user=9700), WED, at(WED, 7))
    services = build_services(settings, TOKEN, clock=ManualClock(at(WED, 9)), engine=engine)
    seen: list[int] = []

    result = await sweep(services, lambda: True, queued=lambda: seen.append(queued_count(engine)))

    assert result is not None
    assert result.messages == 3
    assert seen == [3]  # said once the batch was committed: the sender finds it


async def test_a_sweep_in_a_worker_process_says_when_reminders_are_queued(
    engine: Engine, session: Session, settings: Settings
) -> None:
    """The same word from the sweep's worker process, through `workers.told`."""
    task_for(session, province(session, 3, first_user=9800), WED, at(WED, 7))
    services = build_services(settings, TOKEN, clock=ManualClock(at(WED, 9)), engine=engine)
    seen: list[int] = []

    result = await sweep(
        services,
        lambda: True,
        process_from=0,  # every database is large
        queued=lambda: seen.append(queued_count(engine)),
    )

    assert result is not None
    assert result.messages == 3
    assert seen == [3]
