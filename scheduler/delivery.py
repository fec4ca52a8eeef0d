"""Delivery jobs on the JobQueue: the reminder dispatcher, the sender and housekeeping.

Three repeating jobs with fixed names, added once. None holds work in memory: the
dispatcher reads due reminders from the database and queues them in the outbox, the
sender's job (re)starts the sender whenever the outbox has work, housekeeping cancels
reminders of past days that never went out (their occasions are then folded into the
next reminder), deletes updates older than 30 days from the inbox, the files admins
left in preview past their hour (nothing can apply them any more) and the outbox's
finished messages older than OUTBOX_KEEP_DAYS (`db/queries/outbox_purge.py`). A restart needs
nothing rebuilt.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import OperationalError

from app.import_files import tell_dead
from app.notices import work_hours
from app.services import Services, Shared
from core.reminders import Policy
from db.engine import session_scope
from db.queries.inbox import prune as prune_inbox
from db.queries.outbox import TELEGRAM, ready_count
from db.queries.outbox_purge import purge as purge_outbox
from db.queries.pending import IMPORT_KIND, IMPORT_TTL, prune_pending
from db.queries.reminder_candidates import max_assignment_id
from db.queries.workers import forget_workers
from db.retry import is_outage
from scheduler.context import App, JobContext
from scheduler.dispatcher.result import Result
from scheduler.dispatcher.run import Job, dispatch, run_dispatch
from scheduler.dispatcher.stale import expire_stale
from scheduler.outage import waited_out
from scheduler.prestart import SWEEP_PROCESS_FROM
from scheduler.roles import LEADER, LEADER_TICK_S, LeaderPace, sender_role
from scheduler.sender import drain, new_owner, take_over
from scheduler.sweep import Context
from scheduler.workers import in_process, in_worker, told, warm_up

log = logging.getLogger(__name__)


DISPATCH_JOB = "delivery.dispatch"
WARM_JOB = "delivery.warm"
SENDER_JOB = "delivery.sender"
HOUSEKEEPING_JOB = "delivery.housekeeping"
# The first dispatch runs as the jobs start: the bot is polling by then (PTB starts its
# updater first), and a country's first reminder goes out within seconds (bench/README.md,
# issue 20; it waited 10 s, then 1 s).
DISPATCH_FIRST_S = 0.0
# The jobs are added as the application is built, before the JobQueue starts (after the
# bot's getMe, its menus, the inbox's recovery: seconds on a loaded machine). APScheduler
# drops a one-off job more than a second late (the warm-up), and starts a repeating one
# whose first time passed at its next interval (the first dispatch a minute late): a job
# at start-up runs however late it is.
AT_START: dict[str, object] = {"misfire_grace_time": None}
DISPATCH_EVERY_S = 60.0
SEND_EVERY_S = 1.0
HOUSEKEEPING_EVERY_S = 600.0
TELEGRAM_SENDER = sender_role(TELEGRAM)
# Outbox rows one housekeeping run deletes at most (in batches of outbox_purge.BATCH): a database
# that kept years of them catches up over a few runs, each holding the write lock briefly.
PURGE_BATCHES = 20


def register(application: App) -> None:
    """Add the dispatcher, sender and housekeeping jobs (each once, by name)."""
    jobs = application.job_queue
    if jobs is None:
        log.warning("no JobQueue: reminders and the outbox will not be processed")
        return
    shared: Shared = application.bot_data
    dispatch_every = DISPATCH_EVERY_S
    if shared.services.worker is not None:  # a new leader dispatches within a tick of winning
        shared.dispatch_pace = LeaderPace(shared.services, DISPATCH_EVERY_S)
        dispatch_every = LEADER_TICK_S
    if shared.services.worker is None and not jobs.get_jobs_by_name(WARM_JOB):
        jobs.run_once(warm_job, when=0, name=WARM_JOB, job_kwargs=AT_START)
    first_dispatch = datetime.now(UTC) + timedelta(seconds=DISPATCH_FIRST_S)
    for name, callback, every, first, at_start in (
        (DISPATCH_JOB, dispatch_job, dispatch_every, dispatch_every, first_dispatch),
        (SENDER_JOB, sender_job, SEND_EVERY_S, SEND_EVERY_S, None),
        (HOUSEKEEPING_JOB, housekeeping_job, HOUSEKEEPING_EVERY_S, HOUSEKEEPING_EVERY_S, None),
    ):
        if not jobs.get_jobs_by_name(name):
            kwargs = AT_START | {"next_run_time": at_start} if at_start else None
            jobs.run_repeating(callback, interval=every, first=first, name=name, job_kwargs=kwargs)


def dispatch_context(services: Services) -> Context:
    """Return what the dispatcher needs, from the running bot's services."""
    settings = services.settings
    policy = Policy(
        days_before=tuple(sorted(set(settings.reminder_days_before), reverse=True)),
        overdue_every=settings.overdue_every_days,
        escalate_after=settings.escalate_after,
    )
    return Context(
        engine=services.engine,
        catalog=services.catalog,
        button_key=services.button_key,
        policy=policy,
        hours=work_hours(settings.work_hours),
        tz=settings.tz,
    )


async def dispatch_job(context: JobContext) -> None:
    """Queue the reminders due now (in a thread: a sweep may read many rows)."""
    application = context.application
    shared: Shared = context.bot_data
    services = shared.services
    if shared.dispatching or not services.roles.holds(LEADER):
        return
    pace = shared.dispatch_pace
    if isinstance(pace, LeaderPace) and not pace.due():
        return
    shared.dispatching = True
    loop = asyncio.get_running_loop()

    def queued() -> None:  # in the sweep's thread: the sender starts on the loop
        loop.call_soon_threadsafe(wake, application)

    try:
        result = await sweep(services, lambda: application.running, queued=queued)
    except OperationalError as exc:
        if not is_outage(exc):  # a fault of the work (a missing table): its traceback
            log.exception("reminder dispatch failed; the next run retries")
        else:  # SQLite's file locked (an import's slice, a backup), PostgreSQL out of reach:
            # expected, one line (it was a traceback of thirty)
            log.warning(
                "reminder dispatch waited for the database (%s); the next run retries",
                _one_line(exc),
            )
        return
    except Exception:
        log.exception("reminder dispatch failed; the next run retries")
        return
    finally:
        shared.dispatching = False
    if result is not None and result.messages:
        wake(application)


async def sweep(
    services: Services,
    keep_going: Callable[[], bool],
    *,
    process_from: int = SWEEP_PROCESS_FROM,
    queued: Callable[[], None] = lambda: None,
) -> Result | None:
    """Queue the reminders due now: in a thread, or in a worker process on a large database.

    `queued` is called after each batch of reminders queued, in a thread (not the loop).
    """
    ctx = replace(dispatch_context(services), keep_going=keep_going, queued=queued)
    now = services.clock.now()
    if await in_worker(assignments_past, services, process_from):
        # The process being started ahead, if it is (`warm_job`, at the same moment): not a
        # second one beside it.
        await warm_up(services.engine, run_dispatch.__module__)
        with told(queued):  # the process queues; `queued` is called here
            return await in_process(services.engine, run_dispatch, Job.of(ctx, now))
    return await in_worker(dispatch, ctx, now)


def assignments_past(services: Services, bound: int) -> bool:
    """Tell whether the database holds more than `bound` assignments (by their ids)."""
    with session_scope(services.engine) as session:
        return max_assignment_id(session) > bound


async def warm_job(context: JobContext) -> None:
    """At start, on a large database: start the sweep's worker process before the first run."""
    await warm_sweep(context.bot_data.services)


async def warm_sweep(services: Services, *, process_from: int = SWEEP_PROCESS_FROM) -> None:
    """Start the worker process a large database's sweep will run in (a second of imports)."""
    try:
        if await in_worker(assignments_past, services, process_from):
            await warm_up(services.engine, run_dispatch.__module__)
    except OperationalError as exc:  # the database not answering at start: said, not an error
        log.warning(
            "sweep's worker process not started ahead (database: %s); the sweep will", exc.orig
        )
    except Exception:
        log.exception("could not start the sweep's worker process ahead; the sweep will")


async def sender_job(context: JobContext) -> None:
    """Make sure the sender runs (it stops by itself when the outbox is empty)."""
    wake(context.application)


async def housekeeping_job(context: JobContext) -> None:
    """Cancel past days' unsent reminders and log the queue's depth."""
    services: Services = context.bot_data.services
    if not services.roles.holds(LEADER):
        return
    try:
        await waited_out(lambda: in_worker(housekeeping, services), "outbox housekeeping")
    except Exception:
        log.exception("outbox housekeeping failed; the next run retries")


def housekeeping(services: Services) -> None:
    """Do the housekeeping work (blocking); the inbox keeps 30 days of updates. Among
    several workers, an import whose worker died is told of (`import_files.tell_dead`)."""
    now = services.clock.now()
    with session_scope(services.engine) as session:
        cancelled = expire_stale(session, today=services.today(), tz=services.settings.tz)
        waiting = ready_count(session, now=now)
        pruned = prune_inbox(session.connection(), now=now)
        if services.worker is not None:
            forget_workers(session.connection())
        prune_pending(session, kind=IMPORT_KIND, before=now - IMPORT_TTL)
    keep = services.settings.outbox_keep_days
    purged = purge_outbox(
        services.engine, before=now - timedelta(days=keep), max_batches=PURGE_BATCHES
    )
    if cancelled or waiting:
        log.info("outbox: %d waiting, %d stale reminders cancelled", waiting, cancelled)
    if pruned:
        log.info("inbox: %d updates older than 30 days deleted", pruned)
    if purged:
        log.info("outbox: %d finished messages older than %d days deleted", purged, keep)
    # An import whose worker was killed: no start of its own tells its admin (one process's
    # does). Last: should it fail, the rest is done, and the next run retries.
    if services.worker is not None and (cut_short := tell_dead(services)):
        log.warning("imports: %d admins told their apply's worker is gone", cut_short)


def wake(application: App) -> None:
    """Start the sender now unless it is already running."""
    shared: Shared = application.bot_data
    task = shared.sender_task
    if (task is not None and not task.done()) or not application.running:
        return
    if not shared.services.roles.holds(TELEGRAM_SENDER):  # another worker sends
        return
    if shared.sender_owner is None:
        shared.sender_owner = new_owner()
    shared.sender_task = application.create_task(
        _run_sender(application, shared.sender_owner), name="dondoc-sender"
    )


async def _run_sender(application: App, owner: str) -> None:
    """Drain the outbox; a failure is logged and the next tick starts over."""
    shared: Shared = application.bot_data
    services = shared.services
    roles = services.roles
    try:
        shared.sender_term = await take_over(services, TELEGRAM, shared.sender_term)
        await drain(
            application.bot,
            services,
            owner=owner,
            keep_going=lambda: application.running and roles.holds(TELEGRAM_SENDER),
        )
    except OperationalError as exc:  # out of reach: a line a second, not a traceback
        log.warning("the sender waits for the database (%s)", exc.orig)
    except Exception:
        log.exception("the sender stopped on an error; it restarts within a second")


def _one_line(exc: OperationalError) -> str:
    """Return the database's own words of an outage, its first line (PostgreSQL adds more)."""
    said = str(exc.orig if exc.orig is not None else exc).strip()
    return said.splitlines()[0] if said else type(exc).__name__
