"""Record every update once, before any flow sees it; a repeated update stops here.

Only updates from private chats go on to the flows (and tell who the sender is): one from a
group, supergroup or channel is handed to handlers.groups and stops here.

An update is keyed by the bot's id, the epoch of its update ids and its id (epochs.py): a
server whose ids start again lower down does not have its updates taken for replays. A key
the inbox holds already is a copy, an unfinished update to run again, or a new epoch
(`inbox_replays.py`). A text sent again before the answer to the same text went out is
recorded and finished unanswered (`core.repeats`). The update is finished once handled
(`inbox_app.py`); one an earlier process never finished is run again at start-up
(`inbox_recovery.py`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
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
from handlers.telegram.inbox_app import InboxApplication, load_forms
from handlers.telegram.inbox_marks import finish
from handlers.telegram.inbox_notices import slow_down, tell_unavailable
from handlers.telegram.inbox_replays import rerun_or_drop, stored_before
from handlers.telegram.lanes import PersonLanes, person_of
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
        _stop_a_repeat(update, context)
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
    context.bot_data.inbox_ours[id(update)] = key
    if private and in_lane:
        _stop_a_repeat(update, context)
    await _hand_on(update, context, actor, private, in_lane)


def _stop_a_repeat(update: Update, context: TelegramContext) -> None:
    """Stop a private text that repeats the person's last one answered and came before that
    answer went (`core.repeats`, Zalo's rule too): fifteen "xong" a slow network sent again
    got fifteen "which task?". It is recorded, and finished unanswered (not run again at the
    next start). Another is noted, to be remembered once answered (`inbox_app.py`)."""
    msg = update.message
    if msg is None or not msg.text or not groups.is_private(update):
        return
    person, data = person_of(update), context.bot_data
    lanes = context.application.update_processor
    came = lanes.came(update) if isinstance(lanes, PersonLanes) else None
    if data.answered_texts.repeats(person, msg.text, came):
        log.info("update %s repeats the last text before its answer: not read", update.update_id)
        raise ApplicationHandlerStop
    data.inbox_texts[id(update)] = (person, msg.text)
    data.answered_texts.begin(person)


async def _hand_on(
    update: Update, context: TelegramContext, actor: Actor | None, private: bool, in_lane: bool
) -> None:
    """Hand a recorded update to the flows with its sender; a group's stops at `groups`."""
    keep_actor(context, actor)
    if private:
        context.bot_data.flood.learn(update, actor)
        if in_lane:
            await load_forms(context, update, actor)
    if not private:
        await groups.on_update(update, context)
        raise ApplicationHandlerStop


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
    application = context.application
    marks = application.finish_marks() if isinstance(application, InboxApplication) else None
    finished = marks.take() if marks is not None else []

    def store() -> Actor | None:
        # The updates handled since the last row are marked processed in its transaction
        # (inbox_marks.py). Prepared statements only, in a transaction of the driver's
        # (db.prepared.transaction): this runs for every update.
        with transaction(services.engine) as connection:
            now = services.clock.now()
            actor = _write(connection, services, update, private, key, payload, content, now)
            finish(connection, finished, now)
            return actor

    try:
        actor = await retry_db_async(
            lambda: in_update_worker(store),
            "recording an update",
            on_wait=partial(tell_unavailable, update, context) if private else None,
        )
    except BaseException:
        if marks is not None:
            marks.give_back(finished)  # rolled back with the row: for the next one
        raise
    context.bot_data.told_unavailable.discard(person_of(update))
    return actor


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


async def record_together(
    updates: Sequence[Update], contexts: Sequence[TelegramContext]
) -> list[Actor | None] | None:
    """Record private updates of different people, each one's first of a fetched batch, in
    one transaction and one trip to the update pool, as `record_update` would one by one
    (not `in_lane`); return their senders, or None when they are to be recorded one by one.

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
        return None
    application = context.application
    marks = application.finish_marks() if isinstance(application, InboxApplication) else None
    finished: list[InboxKey] = []
    try:
        ids = await _epochs(context)
        raw = context.bot_data.raw_updates
        keys = [ids.key(update.update_id) for update in updates]
        payloads = [raw.take(u) if raw is not None else u.to_dict() for u in updates]
        entries = list(zip(updates, keys, payloads, map(epochs.digest, payloads), strict=True))
        finished = marks.take() if marks is not None else []

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
        if marks is not None:
            marks.give_back(finished)  # rolled back with the rows: for the next one
        _undo(flood, updates, verdicts)
        if not isinstance(error, Exception):
            raise
        if not isinstance(error, IntegrityError | OperationalError):
            ids_ = [update.update_id for update in updates]
            log.warning("updates %s recorded one by one: %s", ids_, type(error).__name__)
        return None
    for update, each, key, actor in zip(updates, contexts, keys, actors, strict=True):
        services.metrics.update_received(CHANNEL)
        each.bot_data.inbox_ours[id(update)] = key
        each.bot_data.told_unavailable.discard(person_of(update))
        await _hand_on(update, each, actor, True, False)
    return actors


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
