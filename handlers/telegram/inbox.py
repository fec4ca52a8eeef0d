"""Record every update once, before any flow sees it; a repeated update stops here.

Only updates from private chats go on to the flows (and tell who the sender is): one from a
group, supergroup or channel is handed to handlers.groups and stops here.

An update is keyed by the bot's id, the epoch of its update ids and its id (epochs.py): a
server whose ids start again lower down does not have its updates taken for replays. A key
the inbox holds already is a copy, an unfinished update to run again, or a new epoch
(`inbox_replays.py`). A text sent again before the answer to the same text went out is
recorded and finished unanswered (`core.repeats`, `inbox_app.stop_a_repeat`). The update is
finished once handled (`inbox_app.py`); one an earlier process never finished is run again
at start-up (`inbox_recovery.py`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError, OperationalError
from telegram import Update
from telegram.ext import ApplicationHandlerStop, TypeHandler

from app.actor import Actor
from app.services import Services
from db.prepared import transaction
from db.queries import inbox as rows
from db.queries.inbox import InboxKey
from db.retry import retry_db_async
from handlers.telegram import epochs, groups
from handlers.telegram.access import services_of
from handlers.telegram.context import TelegramContext
from handlers.telegram.flood import FloodGuard, Verdict
from handlers.telegram.inbox_app import InboxApplication, load_forms, stop_a_repeat
from handlers.telegram.inbox_marks import finish
from handlers.telegram.inbox_notices import slow_down, tell_unavailable
from handlers.telegram.inbox_replays import rerun_or_drop, stored_before
from handlers.telegram.lanes import person_of
from handlers.telegram.senders import CHANNEL, keep_actor, seen_sender
from scheduler.workers import in_update_worker

log = logging.getLogger(__name__)


def update_kind(update: Update) -> str:
    """Name what an update carries (message, callback_query, ...), for the inbox."""
    for name in ("message", "edited_message", "callback_query", "channel_post", "my_chat_member"):
        if getattr(update, name, None) is not None:
            return name
    return "other"


async def record_update(update: object, context: TelegramContext, *, in_lane: bool = True) -> None:
    """Store the update; if it was stored before, Telegram sent it twice: drop it.

    Unless it is one an earlier process never finished, which runs once more, or a new
    update whose id a restarted server gave out again (a new epoch, epochs.py).

    Not `in_lane` (recorded as it arrives, handlers.telegram.admission), what depends on the
    person's earlier updates being done is left to its turn in the lane: whether it repeats
    their last text answered, and an admin's forms.
    """
    if not isinstance(update, Update):
        return
    recovered = context.bot_data.inbox_recovered.pop(id(update), None)
    if recovered is not None:
        context.bot_data.inbox_reruns.add(id(update))
    admitted = context.bot_data.inbox_admitted
    if update.update_id in context.bot_data.inbox_stopped:
        context.bot_data.inbox_stopped.discard(update.update_id)  # stopped as it was stored
        raise ApplicationHandlerStop
    if update.update_id in admitted:
        # Stored before Telegram was told it came (handlers.telegram.admission).
        actor = admitted.pop(update.update_id)
        stop_a_repeat(update, context)
        keep_actor(context, actor)
        await load_forms(context, update, actor)
        return
    services_of(context).metrics.update_received(CHANNEL)
    flood = context.bot_data.flood
    verdict = flood.check(update)
    private = groups.is_private(update)
    ids = await _epochs(context)
    key = recovered[1] if recovered is not None else ids.key(update.update_id)
    since = recovered[2] if recovered is not None else context.bot_data.started_at
    raw = context.bot_data.raw_updates
    payload = raw.take(update) if raw is not None else update.to_dict()
    content = epochs.digest(payload)
    await _admit(update, context, verdict, key, content)
    while True:
        try:
            actor = await _insert(update, context, private, key, payload, content)
            break
        except IntegrityError:
            # A recovered update is its own row: its rebuilt JSON may differ in form.
            compared = None if recovered is not None else content
            try:
                rerun, actor = await rerun_or_drop(update, context, private, key, compared, since)
            except ApplicationHandlerStop:
                flood.undo(update, verdict)  # a redelivery spends none of the person's budget
                raise
            if rerun:
                break
            key = ids.restart(key)
    await _recorded(update, context, key, actor, private, in_lane)


async def _recorded(
    update: Update,
    context: TelegramContext,
    key: InboxKey,
    actor: Actor | None,
    private: bool,
    in_lane: bool,
) -> None:
    """Go on with an update whose row is written: kept to be finished, its person no longer
    told the database is away, handed to the flows with its sender (a repeated text stopped,
    an admin's forms loaded, when `in_lane`); a group's stops at `groups`."""
    data = context.bot_data
    data.inbox_ours[id(update)] = key
    data.told_unavailable.discard(person_of(update))
    if private and in_lane:
        stop_a_repeat(update, context)
    keep_actor(context, actor)
    if not private:
        await groups.on_update(update, context)
        raise ApplicationHandlerStop
    data.flood.learn(update, actor)
    if in_lane:
        await load_forms(context, update, actor)


def _carried_marks(context: TelegramContext) -> AbstractContextManager[list[InboxKey]]:
    """Return the marks of the updates handled since the last row, for the next row's
    transaction to write (inbox_marks.py), given back when it does not commit."""
    application = context.application
    if isinstance(application, InboxApplication):
        return application.finish_marks().carried()
    return nullcontext([])


async def _admit(
    update: Update, context: TelegramContext, verdict: Verdict, key: InboxKey, content: str
) -> None:
    """Let an update the flood guard judged go on, or stop it (over the person's budget)."""
    flood = context.bot_data.flood
    if verdict is Verdict.WARN and await stored_before(services_of(context), key, content):
        # Telegram delivering it again is no sign of the person's pace: the warning is kept
        # for a real flood, and the inbox drops the copy after.
        flood.undo(update, verdict)
    elif verdict is not Verdict.PASS:
        # Over the person's budget: not recorded, not answered (but for one warning). One
        # dropped silently is not looked up: a copy or not, it goes no further.
        if verdict is Verdict.WARN:
            await slow_down(update, context)
        raise ApplicationHandlerStop


async def _insert(
    update: Update,
    context: TelegramContext,
    private: bool,
    key: InboxKey,
    payload: dict[str, Any],
    content: str,
) -> Actor | None:
    """Store the update's row and read its sender; IntegrityError when the key is known.

    A database that does not answer is waited for, the person told once that it is kept.
    """
    services = services_of(context)
    with _carried_marks(context) as finished:

        def store() -> Actor | None:
            # The updates handled since the last row are marked processed in its transaction
            # (inbox_marks.py). Prepared statements only, in a transaction of the driver's
            # (db.prepared.transaction): this runs for every update.
            with transaction(services.engine) as connection:
                now = services.clock.now()
                actor = _write(connection, services, update, private, key, payload, content, now)
                finish(connection, finished, now)
                return actor

        return await retry_db_async(
            lambda: in_update_worker(store),
            "recording an update",
            on_wait=partial(tell_unavailable, update, context) if private else None,
        )


def _write(
    connection: Connection,
    services: Services,
    update: Update,
    private: bool,
    key: InboxKey,
    payload: dict[str, Any],
    content: str,
    now: datetime,
) -> Actor | None:
    """Write an update's row and read its sender in the same transaction (only a private
    chat tells who a person is and where to write to them); IntegrityError if it is known."""
    rows.record(
        connection,
        channel=CHANNEL,
        key=key,
        kind=update_kind(update),
        payload=payload,
        digest=content,
        now=now,
        worker=services.worker,
        lane=person_of(update),
    )
    return seen_sender(connection, update, services) if private else None


async def record_together(updates: Sequence[Update], contexts: Sequence[TelegramContext]) -> bool:
    """Record private updates of different people, each one's first of a fetched batch, in
    one transaction and one trip to the update pool, as `record_update` would one by one
    (not `in_lane`); return False when they are to be recorded one by one.

    A morning's replies come many to a getUpdates: each row's own transaction and trip cost
    about a tenth of a reply's work (bench/README.md, section 3). Only the plain case is
    taken together: an update over its sender's budget, a key known already (a copy, one to
    run again, a new epoch of ids: told apart one by one), a database that does not answer
    (waited for one by one, each person told) or any other error leaves them all to
    `record_update`, with nothing of theirs written.
    """
    context = contexts[0]
    flood, services = context.bot_data.flood, services_of(context)
    verdicts = [flood.check(update) for update in updates]
    if any(verdict is not Verdict.PASS for verdict in verdicts):
        _undo(flood, updates, verdicts)
        return False
    try:
        ids = await _epochs(context)
        raw = context.bot_data.raw_updates
        keys = [ids.key(update.update_id) for update in updates]
        payloads = [raw.take(u) if raw is not None else u.to_dict() for u in updates]
        entries = list(zip(updates, keys, payloads, map(epochs.digest, payloads), strict=True))
        with _carried_marks(context) as finished:

            def store() -> list[Actor | None]:
                with transaction(services.engine) as connection:
                    now = services.clock.now()
                    found = [
                        _write(connection, services, u, True, key, payload, digest, now)
                        for u, key, payload, digest in entries
                    ]
                    finish(connection, finished, now)
                    return found

            actors = await in_update_worker(store)
    except BaseException as error:
        _undo(flood, updates, verdicts)
        if not isinstance(error, Exception):
            raise
        if not isinstance(error, IntegrityError | OperationalError):
            ids_ = [update.update_id for update in updates]
            log.warning("updates %s recorded one by one: %s", ids_, type(error).__name__)
        return False
    for update, each, key, actor in zip(updates, contexts, keys, actors, strict=True):
        services.metrics.update_received(CHANNEL)
        await _recorded(update, each, key, actor, True, False)
    return True


def _undo(flood: FloodGuard, updates: Sequence[Update], verdicts: Sequence[Verdict]) -> None:
    """Give back what the flood guard took for updates to be judged again one by one."""
    for update, verdict in zip(updates, verdicts, strict=True):
        flood.undo(update, verdict)


async def _epochs(context: TelegramContext) -> epochs.Epochs:
    """Return the bot's epochs of update ids, read from the database on first use."""
    data = context.bot_data
    if data.inbox_epochs is None:
        engine, account = data.services.engine, str(context.bot.id)
        data.inbox_epochs = await retry_db_async(
            lambda: in_update_worker(
                partial(epochs.load, engine, channel=CHANNEL, account=account)
            ),
            "reading the inbox",
        )
    return data.inbox_epochs


def handler() -> TypeHandler[Update, TelegramContext, None]:
    """Return the handler that records updates (registered in the earliest group)."""
    return TypeHandler(Update, record_update)
