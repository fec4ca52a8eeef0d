"""The daily job that creates the tasks of recurring rules ahead of time."""

from __future__ import annotations

import logging
from datetime import datetime, time, tzinfo
from typing import Any

from sqlalchemy.engine import Engine
from telegram.ext import Application

from app.services import Services
from db.engine import session_scope
from db.queries.calendar import working_calendar
from db.queries.recurring import generate
from scheduler.context import JobContext
from scheduler.outage import waited_out
from scheduler.roles import LEADER
from scheduler.workers import in_worker

log = logging.getLogger(__name__)

JOB_NAME = "recurring-tasks"
STARTUP_JOB_NAME = "recurring-tasks-startup"
# Early, before anyone's working day: the new tasks are there when reminders are planned.
RUN_AT = time(5, 30)
STARTUP_DELAY_S = 5.0
MULTI_EVERY_S = 600.0
MULTI_FIRST_S = 15.0  # after the first leader's roles have settled (scheduler/roles.py)


def create_occurrences(engine: Engine, *, now: datetime, tz: tzinfo) -> int:
    """Create every due occurrence of every active rule; return how many tasks were made."""
    today = now.astimezone(tz).date()
    with session_scope(engine) as session:
        calendar = working_calendar(session)
        created = generate(session, today=today, tz=tz, calendar=calendar, now=now)
    if created:
        log.info("recurring rules created %d task(s)", len(created))
    return len(created)


async def create_now(services: Services) -> None:
    """Create what the rules make due now, off the loop, waiting out a brief outage
    (`scheduler.outage`: the day's tasks waited for the next day's run)."""

    def create() -> int:
        now, tz = services.clock.now(), services.settings.tz
        return create_occurrences(services.engine, now=now, tz=tz)

    # A rule may give a task to every commune of a country: thousands of rows, not on the loop.
    await waited_out(lambda: in_worker(create), "creating recurring tasks")


async def _run(context: JobContext) -> None:
    """Run the daily creation with the bot's services."""
    services: Services = context.bot_data.services
    if services.roles.holds(LEADER):
        await create_now(services)


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add the daily job (and one run shortly after start-up), once."""
    queue = application.job_queue
    if queue is None or queue.get_jobs_by_name(JOB_NAME):
        return
    services: Services = application.bot_data.services
    queue.run_daily(_run, time=RUN_AT.replace(tzinfo=services.settings.tz), name=JOB_NAME)
    if services.worker is not None:
        # Among several workers the leader may change at any time: it must not wait a day.
        queue.run_repeating(
            _run, interval=MULTI_EVERY_S, first=MULTI_FIRST_S, name=STARTUP_JOB_NAME
        )
        return
    # A bot started after 05:30 (or after days off) must not wait a day for its tasks.
    queue.run_once(_run, when=STARTUP_DELAY_S, name=STARTUP_JOB_NAME)
