"""Record every update once, before any flow sees it; a repeated update stops here.

Only updates from private chats go on to the flows (and tell who the sender is): one from a
group, supergroup or channel is handed to handlers.groups and stops here.

An update is finished (`processed_at`) when PTB has run its handlers, also when they ended
in the error handler: the person was told, and running it again could repeat what it did.
An update an earlier process received but never finished (it crashed or was killed) is run
once more at start-up (or when Telegram delivers it again); if it is still unfinished at the
next start, the admins are told and it is given up. Nothing is lost silently.

An update is keyed by the bot's id, the epoch of its update ids and its id (epochs.py): a
server whose ids start again lower down does not have its updates taken for replays.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session
from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import Application, ApplicationHandlerStop, TypeHandler

from app.actor import Actor
from app.given_up import GivenUp, report_given_up
from app.i18n import pick_language
from app.services import Services
from core.markup import to_html, to_plain
from core.roles import Access
from db.queries import inbox as rows
from db.queries.inbox import InboxKey
from db.queries.workers import take_orphans
from db.retry import retry_db_async
from handlers.telegram import epochs, groups
from handlers.telegram.access import CHANNEL, keep_actor, seen_sender, services_of
from handlers.telegram.context import TelegramContext, TelegramData
from handlers.telegram.flood import Verdict
from handlers.telegram.form_store import FormStore
from handlers.telegram.lanes import person_of
from handlers.telegram.raw_updates import readable
from scheduler.groupcommit import GroupCommit
from scheduler.roles import LEADER, wait_turn
from scheduler.workers import in_update_worker

log = logging.getLogger(__name__)


class InboxApplication(Application[Any, TelegramContext, Any, Any, TelegramData, Any]):
    """The application, marking each update it recorded as finished once handled."""

    # The marks `processed_at`, committed in groups: one transaction for the updates that
    # ended meanwhile, not one each (created on first use, with the engine).
    finishes: GroupCommit | None = None

    async def process_update(self, update: object) -> None:
        """Run the handlers (and the error handler), then mark the update processed."""
        started = time.perf_counter()
        key = self.bot_data.inbox_ours.get(id(update))
        services = self.bot_data.services
        if key is not None and services.worker is not None:
            # Another worker may hold this person's earlier update: wait for it to finish.
            await wait_turn(services, CHANNEL, key, person_of(update))
        await super().process_update(update)
        if self.bot_data.forms is not None:
            # An admin's forms are kept before the update is finished: their next update,
            # here after a restart or on another worker, goes on from them.
            await _keep_forms(self, self.bot_data.forms, update)
        self.bot_data.services.metrics.handled(CHANNEL, time.perf_counter() - started)
        key = self.bot_data.inbox_ours.pop(id(update), None)
        if key is not None:
            services = self.bot_data.services
            if self.finishes is None:
                self.finishes = GroupCommit(services.engine)
            # Not awaited: the update's turn ends with its handlers (a write waiting for
            # SQLite's lock would hold it up); stop() awaits what is left.
            self.create_task(_finish(services, self.finishes, key), name="inbox-finish")


def update_kind(update: Update) -> str:
    """Name what an update carries (message, callback_query, ...), for the inbox."""
    for name in ("message", "edited_message", "callback_query", "channel_post", "my_chat_member"):
        if getattr(update, name, None) is not None:
            return name
    return "other"


async def record_update(update: object, context: TelegramContext) -> None:
    """Store the update; if it was stored before, Telegram sent it twice: drop it.

    Unless it is one an earlier process never finished, which runs once more, or a new
    update whose id a restarted server gave out again (a new epoch, epochs.py).
    """
    if not isinstance(update, Update):
        return
    services = services_of(context)
    recovered = context.bot_data.inbox_recovered.pop(id(update), None)
    admitted = context.bot_data.inbox_admitted
    if update.update_id in admitted:
        # A webhook stored it before answering Telegram (handlers.telegram.webhook).
        actor = admitted.pop(update.update_id)
        keep_actor(context, actor)
        await _load_forms(context, update, actor)
        return
    services.metrics.update_received(CHANNEL)
    flood = context.bot_data.flood
    verdict = flood.check(update)
    private = groups.is_private(update)
    ids = await _epochs(context)
    key = recovered[1] if recovered is not None else ids.key(update.update_id)
    since = recovered[2] if recovered is not None else context.bot_data.started_at
    raw = context.bot_data.raw_updates
    payload = raw.take(update) if raw is not None else update.to_dict()
    content = epochs.digest(payload)
    if verdict is Verdict.WARN and await _stored_before(services, key, content):
        # Telegram delivering it again is no sign of the person's pace: the warning is kept
        # for a real flood, and the inbox drops the copy below.
        flood.undo(update, verdict)
    elif verdict is not Verdict.PASS:
        # Over the person's budget: not recorded, not answered (but for one warning). One
        # dropped silently is not looked up: a copy or not, it goes no further.
        if verdict is Verdict.WARN:
            await _slow_down(update, context)
        raise ApplicationHandlerStop

    def store() -> Actor | None:
        # The sender is read (and marked seen) in the same transaction; only a private chat
        # tells who a person is and where to write to them.
        with services.engine.begin() as connection:
            rows.record(
                connection,
                channel=CHANNEL,
                key=key,
                kind=update_kind(update),
                payload=payload,
                digest=content,
                now=services.clock.now(),
                worker=services.worker,
                lane=person_of(update),
            )
            return seen_sender(connection, update, services) if private else None

    while True:
        try:
            actor = await retry_db_async(
                lambda: in_update_worker(store),
                "recording an update",
                on_wait=partial(_tell_unavailable, update, context) if private else None,
            )
            context.bot_data.told_unavailable.discard(person_of(update))
            break
        except IntegrityError:
            # A recovered update is its own row: its rebuilt JSON may differ in form.
            try:
                rerun, actor = await _rerun_or_drop(
                    update,
                    context,
                    private,
                    key,
                    None if recovered is not None else content,
                    since,
                )
            except ApplicationHandlerStop:
                flood.undo(update, verdict)  # a redelivery spends none of the person's budget
                raise
            if rerun:
                break
            key = ids.restart(key)
    context.bot_data.inbox_ours[id(update)] = key
    keep_actor(context, actor)
    if private:
        flood.learn(update, actor)
        await _load_forms(context, update, actor)
    if not private:
        await groups.on_update(update, context)
        raise ApplicationHandlerStop


async def _load_forms(context: TelegramContext, update: Update, actor: Actor | None) -> None:
    """Load an admin's guided forms (only admins have any) before the flows see the update."""
    store = context.bot_data.forms
    if store is not None and actor is not None and actor.access >= Access.ADMIN:
        await store.load(context.application, update)


async def _keep_forms(application: InboxApplication, store: FormStore, update: object) -> None:
    """Write back the forms an update changed; a failure is logged, the answer stands."""
    try:
        await store.save(application, update)
    except Exception:
        log.exception("could not keep a guided form")


async def _stored_before(services: Services, key: InboxKey, content: str) -> bool:
    """Tell whether the inbox holds this update already (Telegram delivered it again)."""

    def read() -> str | None:
        with services.engine.connect() as connection:
            return rows.digest_of(connection, channel=CHANNEL, key=key)

    recorded = await retry_db_async(lambda: in_update_worker(read), "reading the inbox")
    return recorded is not None and epochs.same_content(recorded, content)


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


async def _slow_down(update: Update, context: TelegramContext) -> None:
    """Tell a contact who sends too much to slow down (at most once a minute)."""
    services = services_of(context)
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    log.info("slowing down %s: over their update budget", user.id)
    lang = context.bot_data.flood.language(update) or pick_language(
        user.language_code, services.settings.default_language
    )
    text = to_html(services.catalog.get(lang, "common.slow_down"))
    if update.callback_query is not None:
        await update.callback_query.answer(to_plain(text), show_alert=True)
    else:
        await context.bot.send_message(chat.id, text, parse_mode=ParseMode.HTML)


async def _tell_unavailable(update: Update, context: TelegramContext) -> None:
    """Tell a person whose message waits for the database that it is kept and will be
    answered once the database is back (once a person until then; no database needed)."""
    services, user, chat = services_of(context), update.effective_user, update.effective_chat
    told = context.bot_data.told_unavailable
    if user is None or chat is None or person_of(update) in told:
        return
    told.add(person_of(update))
    lang = pick_language(user.language_code, services.settings.default_language)
    text = to_html(services.catalog.get(lang, "common.database_unavailable"))
    if update.callback_query is not None:
        await update.callback_query.answer(to_plain(text), show_alert=True)
    else:
        await context.bot.send_message(chat.id, text, parse_mode=ParseMode.HTML)


async def _rerun_or_drop(
    update: Update,
    context: TelegramContext,
    private: bool,
    key: InboxKey,
    content: str | None,
    started: datetime | None,
) -> tuple[bool, Actor | None]:
    """Claim a known update left unfinished by an earlier process, or stop a duplicate.

    `started`: an update received before it may be claimed (this process's start; for one
    taken over from a dead worker, when it was taken). Return False when the id is known
    with other content than `content` (None: not compared): the update is new, in a new
    epoch.
    """
    services = services_of(context)

    def claim() -> tuple[str, Actor | None]:
        with services.engine.begin() as connection:
            if content is not None and not epochs.same_content(
                rows.digest_of(connection, channel=CHANNEL, key=key), content
            ):
                return "new", None
            if started is None or not rows.reclaim(
                connection, channel=CHANNEL, key=key, started=started
            ):
                return "duplicate", None
            return "rerun", seen_sender(connection, update, services) if private else None

    outcome, actor = await retry_db_async(lambda: in_update_worker(claim), "reclaiming")
    if outcome == "new":
        log.warning("update id %s was seen with other content: a new epoch of ids", key.update_id)
        return False, None
    if outcome == "duplicate":
        log.info("dropped duplicate update %s", update.update_id)
        raise ApplicationHandlerStop
    log.warning("running update %s again: an earlier process did not finish it", update.update_id)
    return True, actor


async def _finish(services: Services, finishes: GroupCommit, key: InboxKey) -> None:
    """Mark the update processed; if that fails, it is run again after a restart."""

    def finish(session: Session) -> None:
        now = services.clock.now()
        rows.finish(session.connection(), channel=CHANNEL, key=key, now=now)

    try:
        await retry_db_async(lambda: finishes.run(finish), "finishing an update")
    except Exception:
        log.exception("could not mark update %s processed", key.update_id)


async def recover(application: Application[Any, Any, Any, Any, TelegramData, Any]) -> None:
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


async def rescue(application: Application[Any, Any, Any, Any, TelegramData, Any]) -> int:
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
    application: Application[Any, Any, Any, Any, TelegramData, Any],
    left: list[rows.Unfinished],
    since: datetime,
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


def _given_up(
    item: rows.Unfinished, application: Application[Any, Any, Any, Any, Any, Any]
) -> GivenUp:
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


def handler() -> TypeHandler[Update, TelegramContext, None]:
    """Return the handler that records updates (registered in the earliest group)."""
    return TypeHandler(Update, record_update)
