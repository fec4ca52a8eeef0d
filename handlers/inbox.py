"""Record every update once, before any flow sees it; a repeated update stops here.

Only updates from private chats go on to the flows (and tell who the sender is): one from a
group, supergroup or channel is handed to handlers.groups and stops here.

An update is finished (`processed_at`) when PTB has run its handlers, also when they ended
in the error handler: the person was told, and running it again could repeat what it did.
An update an earlier process received but never finished (it crashed or was killed) is run
once more at start-up (or when Telegram delivers it again); if it is still unfinished at the
next start, the admins are told and it is given up. Nothing is lost silently.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, cast

from sqlalchemy.exc import IntegrityError
from telegram import Update
from telegram.ext import Application, ApplicationHandlerStop, ContextTypes, TypeHandler
from telegram.request import HTTPXRequest

from bot.i18n import Html
from bot.services import Services
from db.engine import session_scope
from db.queries import inbox as rows
from db.queries.contacts import contacts_with_role_at_least
from db.queries.outbox import enqueue
from db.queries.reminders import recipient_of
from db.retry import retry_db
from handlers import groups
from handlers.access import CHANNEL, Actor, keep_actor, seen_sender, services_of

log = logging.getLogger(__name__)

RAW = "inbox.raw"  # bot_data: the RawUpdates request, which keeps each update's JSON
STARTED_AT = "inbox.started_at"  # bot_data: when this process started taking updates
OURS = "inbox.ours"  # bot_data: ids of the updates recorded (or reclaimed) by this process
MAX_RAW = 1000


class RawUpdates(HTTPXRequest):
    """The getUpdates request, keeping each update's JSON as Telegram sent it.

    The inbox stores it to run the update again after a crash; rebuilding it with
    Update.to_dict() would cost more than the rest of the inbox's work.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.updates: dict[int, dict[str, Any]] = {}

    def parse_json_payload(self, payload: bytes) -> dict[str, Any]:  # type: ignore[override]
        """Parse the answer and keep the updates it carries, by id."""
        data = HTTPXRequest.parse_json_payload(payload)
        result = data.get("result")
        if isinstance(result, list):
            for item in result:
                if isinstance(item, dict) and isinstance(item.get("update_id"), int):
                    self.updates[item["update_id"]] = item
            while len(self.updates) > MAX_RAW:  # only an update no handler saw stays
                del self.updates[next(iter(self.updates))]
        return data

    def take(self, update: Update) -> dict[str, Any]:
        """Return the update's JSON (rebuilt when it did not come through getUpdates)."""
        return self.updates.pop(update.update_id, None) or update.to_dict()


class InboxApplication(Application[Any, Any, Any, Any, Any, Any]):
    """The application, marking each update it recorded as finished once handled."""

    async def process_update(self, update: object) -> None:
        """Run the handlers (and the error handler), then mark the update processed."""
        await super().process_update(update)
        if isinstance(update, Update) and update.update_id in _ours(self.bot_data):
            _ours(self.bot_data).discard(update.update_id)
            await _finish(services_of_app(self), update)


def services_of_app(application: Application[Any, Any, Any, Any, Any, Any]) -> Services:
    """Return the services the composition root put in bot_data."""
    return cast(Services, application.bot_data["services"])


def update_kind(update: Update) -> str:
    """Name what an update carries (message, callback_query, ...), for the inbox."""
    for name in ("message", "edited_message", "callback_query", "channel_post", "my_chat_member"):
        if getattr(update, name, None) is not None:
            return name
    return "other"


async def record_update(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Store the update; if it was stored before, Telegram sent it twice: drop it.

    Unless it is one an earlier process never finished, which runs once more.
    """
    if not isinstance(update, Update):
        return
    services = services_of(context)
    private = groups.is_private(update)
    raw: RawUpdates | None = context.bot_data.get(RAW)
    payload = raw.take(update) if raw is not None else update.to_dict()

    def store() -> Actor | None:
        # The sender is read (and marked seen) in the same transaction; only a private chat
        # tells who a person is and where to write to them.
        with services.engine.begin() as connection:
            rows.record(
                connection,
                channel=CHANNEL,
                update_id=str(update.update_id),
                kind=update_kind(update),
                payload=payload,
                now=services.clock.now(),
            )
            return seen_sender(connection, update, services) if private else None

    try:
        actor = await retry_db(store, "recording an update")
    except IntegrityError:
        actor = await _rerun_or_drop(update, context, private)
    _ours(context.bot_data).add(update.update_id)
    keep_actor(context, actor)
    if not private:
        await groups.on_update(update, context)
        raise ApplicationHandlerStop


async def _rerun_or_drop(
    update: Update, context: ContextTypes.DEFAULT_TYPE, private: bool
) -> Actor | None:
    """Claim a known update left unfinished by an earlier process, or stop a duplicate."""
    services = services_of(context)
    started: datetime | None = context.bot_data.get(STARTED_AT)

    def claim() -> tuple[bool, Actor | None]:
        with services.engine.begin() as connection:
            if started is None or not rows.reclaim(
                connection, channel=CHANNEL, update_id=str(update.update_id), started=started
            ):
                return False, None
            return True, seen_sender(connection, update, services) if private else None

    claimed, actor = await retry_db(claim, "reclaiming an update")
    if not claimed:
        log.info("dropped duplicate update %s", update.update_id)
        raise ApplicationHandlerStop
    log.warning("running update %s again: an earlier process did not finish it", update.update_id)
    return actor


async def _finish(services: Services, update: Update) -> None:
    """Mark the update processed; if that fails, it is run again after a restart."""

    def finish() -> None:
        with services.engine.begin() as connection:
            rows.finish(
                connection,
                channel=CHANNEL,
                update_id=str(update.update_id),
                now=services.clock.now(),
            )

    try:
        await retry_db(finish, "finishing an update")
    except Exception:
        log.exception("could not mark update %s processed", update.update_id)


def _ours(bot_data: dict[Any, Any]) -> set[int]:
    """Return the ids of the updates this process recorded and has not finished yet."""
    return cast(set[int], bot_data.setdefault(OURS, set()))


async def recover(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """At start-up: queue each unfinished update once more; report those already retried."""
    services = services_of_app(application)
    started = services.clock.now()
    application.bot_data[STARTED_AT] = started

    def read() -> list[rows.Unfinished]:
        with services.engine.begin() as connection:
            return rows.unfinished(connection, channel=CHANNEL, started=started)

    left = await retry_db(read, "reading unfinished updates")
    given_up = [u for u in left if not u.retryable]
    if given_up:
        await retry_db(lambda: _report(services, given_up, application), "reporting updates")
    for item in left:
        if item.retryable and item.payload is not None:
            await application.update_queue.put(Update.de_json(item.payload, application.bot))


def _report(
    services: Services,
    given_up: list[rows.Unfinished],
    application: Application[Any, Any, Any, Any, Any, Any],
) -> None:
    """Tell every reachable admin about updates given up, and mark them done with."""
    now = services.clock.now()
    with session_scope(services.engine) as session:
        admins = [recipient_of(c) for c in contacts_with_role_at_least(session, roles=("admin",))]
        for item in given_up:
            log.error(
                "gave up update %s (%s): unfinished after a retry", item.update_id, item.kind
            )
            for admin in filter(None, admins):
                enqueue(
                    session,
                    key=f"inbox:{item.id}:{admin.contact_id}",
                    chat_id=admin.chat_id,
                    contact_id=admin.contact_id,
                    kind="notice",
                    text=_notice(services, admin.language, item, application),
                    now=now,
                )
        rows.give_up(session.connection(), ids=[u.id for u in given_up], now=now)


def _notice(
    services: Services,
    lang: str,
    item: rows.Unfinished,
    application: Application[Any, Any, Any, Any, Any, Any],
) -> str:
    """Return the admins' notice about one update given up, naming its sender."""
    update = Update.de_json(item.payload, application.bot) if item.payload else None
    user = update.effective_user if update is not None else None
    return services.catalog.get(
        lang,
        "common.update_given_up",
        who=user.full_name if user is not None else "?",
        user_id=Html(str(user.id) if user is not None else "?"),
        kind=item.kind,
        received=item.received_at.astimezone(services.settings.tz),
    )


def handler() -> TypeHandler[Update, ContextTypes.DEFAULT_TYPE, None]:
    """Return the handler that records updates (registered in the earliest group)."""
    return TypeHandler(Update, record_update)
