"""The typed context every Telegram callback gets (PTB's `ContextTypes`), not string keys."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from telegram import Bot, Update
from telegram.error import TelegramError
from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot

from app.actor import Actor
from app.services import ChannelRuntime, Services, Shared
from db.queries.inbox import InboxKey
from handlers.telegram.epochs import Epochs
from handlers.telegram.flood import FloodGuard
from handlers.telegram.raw_updates import RawUpdates
from handlers.telegram.registry import Flow
from scheduler.loopprobe import LoopProbe

RefreshMenu = Callable[[Bot, int], Awaitable[None]]


class TelegramData(Shared):
    """The shared state, plus what the Telegram adapter keeps: its flows and menu hook."""

    def __init__(self) -> None:
        super().__init__()
        self.flows: list[Flow] = []
        self.refresh_menu: RefreshMenu | None = None
        self.exit_code = 0
        # Why Telegram could not be reached or refused the token at start (`dondoc serve`).
        self.start_error: TelegramError | None = None
        # The people told their message waits for the database, until one of theirs is kept.
        self.told_unavailable: set[str] = set()
        self.raw_updates: RawUpdates | None = None  # keeps each update's JSON for the inbox
        self.started_at: datetime | None = None  # when this process started taking updates
        # Updates recorded here and not finished yet, by the update object's id().
        self.inbox_ours: dict[int, InboxKey] = {}
        self.inbox_epochs: Epochs | None = None  # the bot's epoch of update ids (epochs.py)
        # Updates put back on the queue at start-up (or taken over from a dead worker), with
        # the key they were recorded under and the moment before which they may be rerun.
        self.inbox_recovered: dict[int, tuple[Update, InboxKey, datetime]] = {}
        # Updates a webhook recorded before answering, with their sender, for the flows.
        self.inbox_admitted: dict[int, Actor | None] = {}
        self.flood = FloodGuard()  # a token bucket per person, checked at the inbox
        self.loop_probe: LoopProbe | None = None  # how late the event loop wakes up
        # Zalo's runtime (bot/zalo.ZaloRuntime) when Zalo is configured: the composition
        # root's, kept here so `dondoc serve` can put it in webhook mode and take its sink.
        self.zalo: ChannelRuntime | None = None


class TelegramContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], TelegramData]):
    """A callback's context, with the services and the sender read with the inbox row."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application, chat_id=chat_id, user_id=user_id)
        self.kept_actor: Actor | None = None

    @property
    def services(self) -> Services:
        """Return the services the composition root built."""
        return self.bot_data.services


CONTEXT_TYPES = ContextTypes(context=TelegramContext, bot_data=TelegramData)
