"""The periodic jobs without Telegram's JobQueue, for a province on Zalo only.

The same work as `scheduler.install` does on python-telegram-bot's JobQueue: the reminder
dispatcher every minute, housekeeping every ten minutes, recurring tasks a few times a day
(creating an occurrence twice is a no-op), and the digest at DIGEST_CRON (and at once when
that time passed while the bot was down). As there, all the
work is in the database: a restart loses nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from app.services import Services
from scheduler.cron import trigger_for
from scheduler.delivery import (
    DISPATCH_EVERY_S,
    DISPATCH_FIRST_S,
    HOUSEKEEPING_EVERY_S,
    housekeeping,
    sweep,
    warm_sweep,
)
from scheduler.digest import (
    CATCH_UP_EVERY_S,
    CATCH_UP_FIRST_S,
    catch_up,
    queue_digests,
)
from scheduler.outage import waited_out
from scheduler.recurring import create_now
from scheduler.roles import LEADER, LEADER_TICK_S, LeaderPace
from scheduler.workers import in_worker, stop_processes

log = logging.getLogger(__name__)

RECURRING_EVERY_S = 6 * 3600.0
RECURRING_FIRST_S = 30.0
# Among several workers the leader may change at any time: a new one must not wait hours.
RECURRING_MULTI_S = 600.0


async def run_jobs(services: Services, stop: asyncio.Event, wake: Callable[[], None]) -> None:
    """Run every periodic job until `stop` is set."""
    keep_going: Callable[[], bool] = lambda: not stop.is_set()  # noqa: E731

    async def dispatch_once() -> None:
        result = await sweep(services, keep_going)
        if result is not None and result.messages:
            wake()

    async def recurring_once() -> None:
        await create_now(services)

    def led(job: Callable[[], Awaitable[None]]) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            if services.roles.holds(LEADER):  # among several workers, the leader's alone
                await job()

        return run

    recurring_every = RECURRING_EVERY_S if services.worker is None else RECURRING_MULTI_S
    dispatching = led(dispatch_once)
    dispatch_every = DISPATCH_EVERY_S
    if services.worker is not None:  # a new leader dispatches within a tick of winning
        pace = LeaderPace(services, DISPATCH_EVERY_S)
        dispatch_every = LEADER_TICK_S

        async def dispatching() -> None:
            if pace.due():
                await dispatch_once()

    jobs = [
        _every(stop, "dispatch", dispatching, dispatch_every, DISPATCH_FIRST_S),
        _every(stop, "housekeeping", led(_worker(housekeeping, services)), HOUSEKEEPING_EVERY_S),
        _every(stop, "recurring", led(recurring_once), recurring_every, RECURRING_FIRST_S),
        _digest(services, stop, wake),
        _every(
            stop,
            "digest catch-up",
            led(_worker(catch_up, services)),
            CATCH_UP_EVERY_S,
            CATCH_UP_FIRST_S,
        ),
    ]
    if services.worker is None:
        jobs.append(warm_sweep(services))
    try:
        await asyncio.gather(*jobs)
    finally:
        stop_processes()  # a sweep in a worker process gives up at its next step


def _worker(
    function: Callable[[Services], object], services: Services
) -> Callable[[], Awaitable[None]]:
    """Return a job that runs a blocking function in a worker thread."""

    async def run() -> None:
        await waited_out(lambda: in_worker(function, services), function.__name__)

    return run


async def _every(
    stop: asyncio.Event,
    name: str,
    job: Callable[[], Awaitable[None]],
    every: float,
    first: float | None = None,
) -> None:
    """Run a job every `every` seconds (first after `first`); a failure waits for the next."""
    delay = every if first is None else first
    while not await _stopped(stop, delay):
        try:
            await job()
        except Exception:
            log.exception("the %s job failed; the next run retries", name)
        delay = every


async def _digest(services: Services, stop: asyncio.Event, wake: Callable[[], None]) -> None:
    """Queue the digest at each DIGEST_CRON moment."""
    trigger = trigger_for(services.settings.digest_cron, services.settings.tz)
    previous: datetime | None = None
    while True:
        now = services.clock.now()
        due = trigger.get_next_fire_time(previous, now)
        if due is None or await _stopped(stop, max(0.0, (due - now).total_seconds())):
            return
        previous = due

        if not services.roles.holds(LEADER):
            continue
        try:
            queued = await waited_out(
                lambda: in_worker(queue_digests, services), "queueing the digest"
            )
            if queued is not None:
                log.info("digest queued for %d coordinators", queued)
            wake()
        except Exception:
            log.exception("the digest job failed")


async def _stopped(stop: asyncio.Event, seconds: float) -> bool:
    """Wait `seconds` or until stopped; tell whether it stopped."""
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except TimeoutError:
        return False
    return True
