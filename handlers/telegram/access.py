"""The one place where every command and button press is checked.

A flow writes its callbacks as `async def cb(req: Request) -> ...` and wraps them with
`command(access)` or `button(access)`. The wrapper records the sender, loads who they are,
checks their access (and, for buttons, that the button was issued to them), and only then
calls the flow. Flows never check roles by hand. Who the sender is comes from `senders.py`;
how a press is answered or settled, `presses.py`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Connection
from sqlmodel import Session
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode

from app import reject_reason
from app.actor import Actor
from app.services import Services
from app.signing import sign, verify
from core.markup import to_html, to_plain
from core.roles import Access
from core.textnorm import fold
from db.engine import session_scope
from db.retry import not_repeated, retry_db_async
from handlers.telegram.context import TelegramContext
from handlers.telegram.lanes import person_of
from handlers.telegram.senders import actor_of
from scheduler.split import split_html
from scheduler.workers import in_heavy_worker, in_update_worker

log = logging.getLogger(__name__)

Context = TelegramContext
R = TypeVar("R")
FlowCallback = Callable[["Request"], Awaitable[R]]
PTBCallback = Callable[[Update, Context], Coroutine[Any, Any, R | None]]


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

        A database that does not answer before the work kept any write (a read, `/mytasks`,
        while PostgreSQL's connection is cut or a lock is held) is waited out and the work
        run again, as in `atomic`: it was answered "something went wrong". Work that kept a
        write first is not run again (`db.retry.not_repeated`): the error handler says so.
        """

        return await self._run(in_update_worker, function, *args)

    async def run_heavy(self, function: Callable[..., R], *args: Any) -> R:
        """As `run`, in the heavy pool (`in_heavy_worker`): a heavy button's long work (a
        merge's Merge, `app.heavy`) off the update pool, whose threads answer the taps."""
        return await self._run(in_heavy_worker, function, *args)

    async def _run(
        self, worker: Callable[..., Awaitable[R]], function: Callable[..., R], *args: Any
    ) -> R:
        """Run blocking work in `worker`'s threads, as `run` says."""

        def once() -> R:
            with not_repeated("answering an update"):
                return function(*args)

        result = await retry_db_async(
            lambda: worker(once), "answering an update", on_wait=self._held
        )
        self.context.bot_data.told_unavailable.discard(person_of(self.update))
        return result

    async def atomic(self, function: Callable[..., R], *args: Any) -> R:
        """As `run`, for work that is one transaction (rolled back whole when it fails).

        A database that does not answer (SQLite's write lock held past its busy wait, by
        the reminder sweep or a backup; PostgreSQL out of reach) is waited out and the work
        run again (`db.retry`), the person told once that their message is kept: it was
        answered with the generic error, and what it said was not recorded.
        """
        result = await retry_db_async(
            lambda: in_update_worker(function, *args), "answering an update", on_wait=self._held
        )
        self.context.bot_data.told_unavailable.discard(person_of(self.update))
        return result

    async def transaction(self, work: Callable[[Session], R]) -> R:
        """Run `work(session)` in one transaction in the update pool; return its result.

        A database that does not answer is waited out, as in `atomic`.
        """

        def run() -> R:
            with session_scope(self.services.engine) as session:
                return work(session)

        return await self.atomic(run)

    async def _held(self) -> None:
        """Tell the person their message waits for the database (once until it is back)."""
        told, person = self.context.bot_data.told_unavailable, person_of(self.update)
        if person not in told:
            told.add(person)
            await self.say("common.database_unavailable")

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

    async def tell(self, text: str, reply_markup: InlineKeyboardMarkup | None = None) -> None:
        """Send text as `reply` does, without reading back the message Telegram made of it.

        For an answer nobody edits later (the check-in's): python-telegram-bot turns each
        sent message into a `Message`, a quarter of what the send costs the event loop
        (bench/README.md section 3). The call is the same `sendMessage`: the same
        parameters, defaults, rate limiter and errors.
        """
        chat = self.update.effective_chat
        if chat is None:
            return
        *leading, last = split_html(to_html(text))
        for part in leading:
            await _post_message(self.context.bot, chat.id, part)
        await _post_message(self.context.bot, chat.id, last, reply_markup)

    async def say(self, key: str, **params: object) -> Message | None:
        """Send a catalog text to the chat the update came from."""
        return await self.reply(self.t(key, **params))

    def button(self, label: str, *parts: object) -> InlineKeyboardButton:
        """Return an inline button whose data is signed for this sender."""
        data = sign(self.services.button_key, self.actor.external_id, *parts)
        return InlineKeyboardButton(label, callback_data=data)


async def _post_message(
    bot: Bot, chat_id: int, text: str, reply_markup: InlineKeyboardMarkup | None = None
) -> None:
    """Call `sendMessage` as `Bot.send_message` does, leaving its answer unread.

    Through the bot's own `_post`, which `send_message` calls before it reads the answer
    (python-telegram-bot offers no public call that leaves it unread: `do_api_request`
    warns for a method it has; the version is pinned in constraints.txt): the defaults are
    inserted, `None`s dropped, the rate limiter and the transport run as for every call.
    """
    data: dict[str, Any] = {"chat_id": chat_id, "text": text, "parse_mode": ParseMode.HTML}
    if reply_markup is not None:
        data["reply_markup"] = reply_markup
    await bot._post("sendMessage", data)


def services_of(context: Context) -> Services:
    """Return the services the composition root built."""
    return context.services


async def refresh_menu(req: Request, contact_id: int) -> None:
    """Reset a person's command menu after their role or language changed."""
    refresh = req.context.bot_data.refresh_menu
    if refresh is not None:
        await refresh(req.context.bot, contact_id)


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
            typed = _typed_command(update)
            if actor.access >= Access.COORDINATOR and typed:
                # A command ends the question why a request was rejected (app.reject_reason).
                await req.run(reject_reason.forget, services, actor, typed)
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
            if actor.known and actor.access == Access.PUBLIC and access > Access.PUBLIC:
                # A contact of no unit any more (taken off theirs) pressing an old reminder:
                # how to join again, as their words are answered (too long for a pop-up).
                await query.answer()
                await req.say("common.not_registered")
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


def _typed_command(update: Update) -> str:
    """Return the command typed ("mytasks" for "/mytasks@bot 2"), "" for words or a button."""
    text = update.message.text if update.message is not None else None
    if text is None or not text.startswith("/"):
        return ""
    return fold(text.partition(" ")[0][1:]).split("@")[0]
