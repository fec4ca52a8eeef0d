"""The one place where every command and button press is checked.

A flow writes its callbacks as `async def cb(req: Request) -> ...` and wraps them with
`command(access)` or `button(access)`. The wrapper records the sender, loads who they are,
checks their access (and, for buttons, that the button was issued to them), and only then
calls the flow. Flows never check roles by hand.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Connection
from sqlmodel import Session
from telegram import Bot, InlineKeyboardButton, Message, Update, User
from telegram.constants import ParseMode

from app.actor import NO_CONTACT, Actor, actor_from
from app.i18n import Lang, pick_language
from app.services import Services
from app.signing import sign, verify
from core.markup import to_html, to_plain
from core.roles import Access, Role
from db.engine import session_scope
from db.models import Contact
from db.queries.contacts import touch_contact
from db.queries.snapshot import Seen, refresh, snapshot
from db.retry import retry_db_async
from handlers.telegram.context import TelegramContext
from scheduler.split import split_html
from scheduler.workers import in_update_worker

log = logging.getLogger(__name__)

Context = TelegramContext
R = TypeVar("R")
FlowCallback = Callable[["Request"], Awaitable[R]]
PTBCallback = Callable[[Update, Context], Coroutine[Any, Any, R | None]]

CHANNEL = "telegram"


@dataclass
class Request:
    """One update, its sender and what a flow needs to answer it."""

    update: Update
    context: Context
    services: Services
    actor: Actor
    args: list[str] = field(default_factory=list)

    @contextmanager
    def db(self) -> Iterator[Session]:
        """Open a session for this update; it commits when the block ends.

        Blocking: only inside a function given to `run` or `transaction` (off the loop).
        """
        with session_scope(self.services.engine) as session:
            yield session

    async def run(self, function: Callable[..., R], *args: Any) -> R:
        """Run blocking work (a use case, a query) in the update pool, off the event loop.

        On the loop a wait for SQLite's lock, or a long query, stalls every person's update;
        in the pool it holds up only this one. tests/loopguard.py fails a handler test that
        runs SQL on the loop.
        """
        return await in_update_worker(function, *args)

    async def transaction(self, work: Callable[[Session], R]) -> R:
        """Run `work(session)` in one transaction in the update pool; return its result."""

        def run() -> R:
            with session_scope(self.services.engine) as session:
                return work(session)

        return await in_update_worker(run)

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        """Open a plain connection for Core queries; it commits when the block ends.

        For the statements every reply runs: a fraction of a session's cost.
        """
        with self.services.engine.begin() as connection:
            yield connection

    def t(self, key: str, **params: object) -> str:
        """Return catalog text in the sender's language."""
        return self.services.catalog.get(self.actor.lang, key, **params)

    @property
    def message(self) -> Message | None:
        """Return the message of the update (or of the pressed button)."""
        if self.update.callback_query is not None:
            msg = self.update.callback_query.message
            return msg if isinstance(msg, Message) else None
        return self.update.effective_message

    @property
    def text_args(self) -> str:
        """Return what follows the command, as one string."""
        text = self.update.effective_message.text if self.update.effective_message else None
        if not text or " " not in text:
            return ""
        return text.split(" ", 1)[1].strip()

    async def reply(self, text: str, **kwargs: Any) -> Message | None:
        """Send text (neutral markup, rendered as HTML) to the chat the update came from.

        A text past Telegram's 4,096 characters goes in parts split between lines, the
        keyboard with the last, which is returned.
        """
        chat = self.update.effective_chat
        if chat is None:
            return None
        *leading, last = split_html(to_html(text))
        for part in leading:
            await self.context.bot.send_message(
                chat_id=chat.id, text=part, parse_mode=ParseMode.HTML
            )
        return await self.context.bot.send_message(
            chat_id=chat.id, text=last, parse_mode=ParseMode.HTML, **kwargs
        )

    async def say(self, key: str, **params: object) -> Message | None:
        """Send a catalog text to the chat the update came from."""
        return await self.reply(self.t(key, **params))

    def button(self, label: str, *parts: object) -> InlineKeyboardButton:
        """Return an inline button whose data is signed for this sender."""
        data = sign(self.services.button_key, self.actor.external_id, *parts)
        return InlineKeyboardButton(label, callback_data=data)


POPUP_LIMIT = 190  # characters of a button press's answer Telegram shows (it takes 200)


async def answer_press(update: Update, bot: Bot, text: str, *, alert: bool = False) -> None:
    """Answer a button press with text (neutral markup): a pop-up when it fits, else the
    press answered without words and the text sent whole as a message, so nothing is cut
    (an error's code, a long unit name)."""
    query, chat = update.callback_query, update.effective_chat
    if query is None:
        return
    plain = to_plain(text)
    if len(plain) <= POPUP_LIMIT or chat is None:
        await query.answer(plain[:POPUP_LIMIT], show_alert=alert)
        return
    await query.answer()
    for part in split_html(to_html(text)):
        await bot.send_message(chat.id, part, parse_mode=ParseMode.HTML)


def services_of(context: Context) -> Services:
    """Return the services the composition root built."""
    return context.services


async def settle_press(req: Request, done: bool) -> None:
    """Answer a button press: silently when it did its work, else as a stale button."""
    query = req.update.callback_query
    if query is None:
        return
    if done:
        await query.answer()
        return
    log.info("stale button %s from %s", req.args, req.actor.external_id)
    await query.answer(to_plain(req.t("common.button_stale")), show_alert=True)


async def refresh_menu(req: Request, contact_id: int) -> None:
    """Reset a person's command menu after their role or language changed."""
    refresh = req.context.bot_data.refresh_menu
    if refresh is not None:
        await refresh(req.context.bot, contact_id)


def seen_sender(connection: Connection, update: Update, services: Services) -> Actor | None:
    """Record a known sender as seen and return who they are (None: no user, or unknown).

    Most updates come from people the bot knows: they cost one read, and a one-row update
    when something changed (last seen, name, reachable again).
    """
    user = update.effective_user
    if user is None or user.is_bot:
        return None
    known = snapshot(connection, channel=CHANNEL, external_id=str(user.id))
    if known is None:
        return None
    person = _seen(update, user, services)
    if not known.is_current(person):
        known = refresh(connection, known, person)
    return actor_from(known)


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


def keep_actor(context: Context, actor: Actor | None) -> None:
    """Hand the sender read with the update's inbox row to the flow that answers it."""
    context.kept_actor = actor


async def actor_of(update: Update, context: Context, services: Services) -> Actor | None:
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


def register_sender(session: Session, update: Update, services: Services) -> Contact:
    """Create (or refresh) the sender's contact row: a stranger becoming a contact."""
    user = update.effective_user
    assert user is not None
    person = _seen(update, user, services)
    return touch_contact(
        session,
        channel=CHANNEL,
        external_id=str(user.id),
        chat_id=person.chat_id,
        display_name=person.display_name,
        username=person.username,
        language=pick_language(user.language_code, services.settings.default_language),
        now=person.now,
    )


def command(access: Access) -> Callable[[FlowCallback[R]], PTBCallback[R]]:
    """Wrap a flow callback for a command or message: check access, then run it."""

    def wrap(flow: FlowCallback[R]) -> PTBCallback[R]:
        async def run(update: Update, context: Context) -> R | None:
            services = services_of(context)
            actor = await actor_of(update, context, services)
            if actor is None:
                return None
            req = Request(update, context, services, actor, list(context.args or []))
            if actor.access < access:
                await _refuse(req, access)
                return None
            return await flow(req)

        run.__name__ = getattr(flow, "__name__", "command")
        run.access = access  # type: ignore[attr-defined]  # what CommandSpec checks it against
        return run

    return wrap


def button(access: Access) -> Callable[[FlowCallback[R]], PTBCallback[R]]:
    """Wrap a flow callback for a button: verify its signature and access, then run it.

    The flow gets the button's parts (without prefix and signature) in `req.args`.
    """

    def wrap(flow: FlowCallback[R]) -> PTBCallback[R]:
        async def run(update: Update, context: Context) -> R | None:
            query = update.callback_query
            services = services_of(context)
            actor = await actor_of(update, context, services)
            if query is None or actor is None:
                return None
            parts = verify(services.button_key, actor.external_id, query.data or "")
            req = Request(update, context, services, actor, parts or [])
            if parts is None:
                log.warning("refused forged or foreign button from %s", actor.external_id)
                await query.answer(to_plain(req.t("common.button_forged")), show_alert=True)
                return None
            if actor.access < access:
                await query.answer(to_plain(req.t("common.not_allowed")), show_alert=True)
                return None
            return await flow(req)

        run.__name__ = getattr(flow, "__name__", "button")
        run.access = access  # type: ignore[attr-defined]
        run.verifies_signature = True  # type: ignore[attr-defined]  # tests/.../test_roles.py
        return run

    return wrap


async def _refuse(req: Request, needed: Access) -> None:
    """Tell the sender why they may not use this, and what to do."""
    key = "common.not_registered" if req.actor.access == Access.PUBLIC else "common.not_allowed"
    if req.update.callback_query is not None:
        await req.update.callback_query.answer(to_plain(req.t(key)), show_alert=True)
        return
    log.info("refused %s (needs %s) to %s", _command_of(req.update), needed.name, req.actor)
    await req.say(key)


def _command_of(update: Update) -> str:
    """Return the command word of an update, for logs."""
    msg = update.effective_message
    return (msg.text or "").split(" ", 1)[0][:40] if msg is not None else ""


def prefix_pattern(prefix: str) -> str:
    """Return the CallbackQueryHandler pattern for buttons whose first part is prefix."""
    return rf"^{prefix}(:|~)"
