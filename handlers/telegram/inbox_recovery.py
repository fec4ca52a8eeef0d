"""Run again the updates the inbox holds unfinished: at start-up (an earlier process crashed
or was killed), or, as leader among several workers, those of workers gone.

An update is run once more; one still unfinished after that is given up and the admins are
told of it (`app/given_up.py`). Nothing is lost silently.
"""

from __future__ import annotations

import logging
from datetime import datetime
from functools import partial
from typing import Any

from telegram import Update
from telegram.ext import Application

from app.given_up import GivenUp, report_given_up
from db.queries import inbox as rows
from db.queries.workers import take_orphans
from db.retry import retry_db_async
from handlers.telegram import epochs
from handlers.telegram.context import TelegramData
from handlers.telegram.raw_updates import readable
from handlers.telegram.senders import CHANNEL
from scheduler.roles import LEADER
from scheduler.workers import in_update_worker

log = logging.getLogger(__name__)

TelegramApp = Application[Any, Any, Any, Any, TelegramData, Any]


async def recover(application: TelegramApp) -> None:
    """At start-up: queue each unfinished update once more; report those already retried."""
    data = application.bot_data
    services = data.services
    started = services.clock.now()
    data.started_at = started
    account = str(application.bot.id)
    load = partial(epochs.load, services.engine, channel=CHANNEL, account=account)
    data.inbox_epochs = await retry_db_async(lambda: in_update_worker(load), "reading the inbox")

    def read() -> list[rows.Unfinished]:
        with services.engine.begin() as connection:
            return rows.unfinished(connection, channel=CHANNEL, started=started)

    if services.worker is not None:
        return  # among several workers the leader takes over the dead ones' (`rescue`)
    left = await retry_db_async(lambda: in_update_worker(read), "reading unfinished updates")
    await _run_again(application, left, started)


async def rescue(application: TelegramApp) -> int:
    """As leader among several workers: run the updates dead workers left unfinished.

    They are made this worker's in the inbox first (rows locked, skipped if another leader
    holds them), then run once more as after a restart, or given up and reported if they
    were run again already. Return how many were taken.
    """
    services = application.bot_data.services
    me = services.worker
    if me is None or not services.roles.holds(LEADER):
        return 0
    now = services.clock.now()

    def take() -> list[rows.Unfinished]:
        with services.engine.begin() as connection:
            ids = take_orphans(connection, channel=CHANNEL, me=me)
            return rows.unfinished_of(connection, ids=ids, now=now)

    left = await retry_db_async(lambda: in_update_worker(take), "taking over updates")
    if left:
        log.warning("taking over %d updates of workers gone", len(left))
        await _run_again(application, left, services.clock.now())
    return len(left)


async def _run_again(
    application: TelegramApp, left: list[rows.Unfinished], since: datetime
) -> None:
    """Queue each unfinished update once more (received before `since`); report the rest."""
    data = application.bot_data
    services = data.services
    given_up = [_given_up(u, application) for u in left if not u.retryable]
    if given_up:
        report = partial(report_given_up, services, given_up)
        await retry_db_async(lambda: in_update_worker(report), "reporting updates")
    for item in left:
        if item.retryable and item.payload is not None:
            # Run in its own epoch, whatever the current one is.
            update = Update.de_json(readable(item.payload), application.bot)
            data.inbox_recovered[id(update)] = (update, item.key, since)
            await application.update_queue.put(update)


def _given_up(item: rows.Unfinished, application: TelegramApp) -> GivenUp:
    """Return an update given up as the admins are told of it, naming its sender."""
    update = Update.de_json(readable(item.payload), application.bot) if item.payload else None
    user = update.effective_user if update is not None else None
    return GivenUp(
        inbox_id=item.id,
        kind=item.kind,
        who=user.full_name if user is not None else "?",
        sender_id=str(user.id) if user is not None else "?",
        received_at=item.received_at,
    )
