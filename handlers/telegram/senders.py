"""Who sent an update: a known person read (and marked seen) by their Telegram identity,
or a stranger, who gets no contact row until they redeem an invite."""

from __future__ import annotations

from sqlalchemy import Connection
from telegram import ChatMember, Update, User
from telegram.constants import ChatType

from app.actor import NO_CONTACT, Actor
from app.i18n import Lang, pick_language
from app.seen import Seen, known_in, seen_in
from app.services import Services
from core.roles import Role
from db.retry import retry_db_async
from handlers.telegram.context import TelegramContext
from scheduler.workers import in_update_worker

CHANNEL = "telegram"


def seen_sender(connection: Connection, update: Update, services: Services) -> Actor | None:
    """Record a known sender as seen and return who they are (None: no user, or unknown).

    Most updates come from people the bot knows: they cost one read, and a one-row update
    when something changed (last seen, name, reachable again).
    """
    user = update.effective_user
    if user is None or user.is_bot:
        return None
    if blocked_us(update):
        return known_in(connection, CHANNEL, str(user.id))
    # Every channel's rule (`app.seen`), in the inbox's transaction: what the update tells
    # of its sender is read only once they are known.
    return seen_in(connection, CHANNEL, str(user.id), lambda _: _seen(update, user, services))


def blocked_us(update: Update) -> bool:
    """Tell whether the update says the person blocked the bot in their private chat.

    Telegram sends it from them, but it is no sign of them to write to: read as "seen", it
    made the chat reachable again and the one their messages go to. Who they are is read
    all the same (their flood budget stays a contact's).
    """
    change = update.my_chat_member
    return (
        change is not None
        and change.chat.type == ChatType.PRIVATE
        and change.new_chat_member.status == ChatMember.BANNED
    )


def load_actor(update: Update, services: Services) -> Actor | None:
    """Record a known sender as seen and return who they are (None without a user).

    A stranger gets no contact row (they become one by redeeming an invite): writing to the
    bot must not be enough to be stored, and admins of ADMIN_IDS have theirs from start-up.
    """
    user = update.effective_user
    if user is None or user.is_bot:
        return None
    with services.engine.begin() as connection:
        actor = seen_sender(connection, update, services)
    if actor is None:
        lang: Lang = pick_language(user.language_code, services.settings.default_language)
        actor = Actor(NO_CONTACT, str(user.id), lang, Role.MEMBER.value, (), ())
    return actor


def keep_actor(context: TelegramContext, actor: Actor | None) -> None:
    """Hand the sender read with the update's inbox row to the flow that answers it."""
    context.kept_actor = actor


async def actor_of(update: Update, context: TelegramContext, services: Services) -> Actor | None:
    """Return the sender kept for this update (once), or read them now (off the loop)."""
    kept, context.kept_actor = context.kept_actor, None
    if kept is not None:
        return kept
    return await retry_db_async(
        lambda: in_update_worker(load_actor, update, services), "loading the sender"
    )


def _seen(update: Update, user: User, services: Services) -> Seen:
    """Return what this update tells about its sender."""
    chat = update.effective_chat
    chat_id = str(chat.id if chat is not None else user.id)
    return Seen(chat_id, user.full_name[:200], user.username, services.clock.now())
