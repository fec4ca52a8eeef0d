"""The typed context every Telegram callback gets (PTB's `ContextTypes`), not string keys."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from telegram import Bot, Update
from telegram.error import TelegramError
from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot

from app.actor import Actor
from app.services import ChannelRuntime, Services, Shared
from core.repeats import AnsweredTexts
from core.taskdraft import TaskDraft
from db.queries.inbox import InboxKey
from handlers.telegram.epochs import Epochs
from handlers.telegram.flood import FloodGuard
from handlers.telegram.raw_updates import RawUpdates
from handlers.telegram.registry import Flow
from scheduler.loopprobe import LoopProbe

if TYPE_CHECKING:
    from handlers.telegram.form_store import FormStore

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
        # Whether the updates kept from before this start were run (once Telegram answered).
        self.recovered = False
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
        # Updates being run again after a restart, by id(): what they began may have been told of.
        self.inbox_reruns: set[int] = set()
        # Updates recorded before Telegram was told they were received (a webhook's before
        # its answer, a polled batch before the next getUpdates: handlers.telegram.admission),
        # with their sender, for the flows; those the recording stopped (a copy, a flood, a
        # group's); and those recorded but left with Telegram, the batch's earlier ones not.
        self.inbox_admitted: dict[int, Actor | None] = {}
        self.inbox_stopped: set[int] = set()
        self.inbox_held_back: dict[int, Actor | None] = {}
        self.flood = FloodGuard()  # a token bucket per person, checked at the inbox
        # Each person's last text answered (core.repeats), and the texts being answered.
        self.answered_texts = AnsweredTexts()
        self.inbox_texts: dict[int, tuple[str, str]] = {}  # by update id(): (person, text)
        self.loop_probe: LoopProbe | None = None  # how late the event loop wakes up
        # Zalo's runtime (bot/zalo.ZaloRuntime) when Zalo is configured: the composition
        # root's, kept here so `dondoc serve` can put it in webhook mode and take its sink.
        self.zalo: ChannelRuntime | None = None
        # Each admin's guided forms, loaded before their update and kept after it.
        self.forms: FormStore | None = None


class PersonForms:
    """What the adapter keeps for one person between updates: the guided forms under way.

    Loaded from the database before each of an admin's updates and written back after it,
    with the conversations' steps (handlers/telegram/form_store.py).
    """

    def __init__(self) -> None:
        self.newtask: TaskDraft | None = None  # /newtask's draft
        self.unit_form: dict[str, str] | None = None  # /addunit's fields so far

    def __bool__(self) -> bool:
        return self.newtask is not None or self.unit_form is not None


class TelegramContext(CallbackContext[ExtBot[None], PersonForms, dict[Any, Any], TelegramData]):
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


CONTEXT_TYPES = ContextTypes(context=TelegramContext, bot_data=TelegramData, user_data=PersonForms)
