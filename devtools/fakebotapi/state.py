"""The fake Telegram's memory: users, chats and their messages, files, updates, records.

One re-entrant lock guards everything; the HTTP side and the test side both take it.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from devtools.fakebotapi.errors import bad_request, forbidden
from devtools.fakebotapi.records import (
    CallbackAnswer,
    CallRecord,
    ChatMessage,
    FakeUser,
    JsonDict,
    StoredFile,
    UpdateRecord,
    WebhookInfo,
)
from devtools.fakebotapi.updates import UpdateQueue

logger = logging.getLogger("devtools.fakebotapi")


@dataclass
class ChatState:
    """A chat the bot is in, with its message counter and messages."""

    id: int
    info: JsonDict
    user: FakeUser | None = None
    bot_member: bool = True
    messages: dict[int, ChatMessage] = field(default_factory=dict)
    last_message_id: int = 0

    def new_message_id(self) -> int:
        """Return the next message id in this chat (shared by the bot and the users)."""
        self.last_message_id += 1
        return self.last_message_id


@dataclass(frozen=True)
class CallWaiter:
    """An event loop's future, resolved once `method` has finished `count` calls."""

    method: str
    count: int
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[None]


class BotState:
    """Everything one fake bot account sees, guarded by `lock`."""

    def __init__(self, bot_user: JsonDict, first_update_id: int | None = None) -> None:
        self.lock = threading.RLock()
        self.bot_user = bot_user
        self.users: dict[int, FakeUser] = {}
        self.chats: dict[int, ChatState] = {}
        self.files: dict[str, StoredFile] = {}
        self.files_by_path: dict[str, StoredFile] = {}
        self.updates = UpdateQueue(first_update_id)  # None: a random high base
        self.calls: list[CallRecord] = []
        # Finished calls per method, and who waits for a count (see `add_call`).
        self.call_counts: Counter[str] = Counter()
        self.call_waiters: list[CallWaiter] = []
        self.callback_queries: dict[str, JsonDict] = {}
        self.answers: dict[str, CallbackAnswer] = {}
        self.expired_queries: set[str] = set()  # too old to answer (`expire_presses`)
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.webhook = WebhookInfo()
        self.polls_waiting = 0  # getUpdates calls the server holds now
        self.on_update: Callable[[], None] = lambda: None

    def add_call(self, record: CallRecord) -> None:
        """Record a finished call, and wake whoever waits for its method's count."""
        with self.lock:
            self.calls.append(record)
            self.call_counts[record.method] += 1
            count = self.call_counts[record.method]
            due = [w for w in self.call_waiters if w.method == record.method and w.count <= count]
            for waiter in due:
                self.call_waiters.remove(waiter)
                waiter.loop.call_soon_threadsafe(_resolve, waiter.future)

    def add_user(self, user: FakeUser) -> ChatState:
        """Register `user` and return the private chat with them."""
        with self.lock:
            self.users[user.id] = user
            info: JsonDict = {"id": user.id, "type": "private", "first_name": user.first_name}
            for key in ("last_name", "username"):
                if getattr(user, key) is not None:
                    info[key] = getattr(user, key)
            chat = self.chats.get(user.id) or ChatState(user.id, info, user)
            chat.info, chat.user = info, user
            self.chats[user.id] = chat
            return chat

    def add_group(self, chat_id: int, title: str, kind: str = "group") -> ChatState:
        """Register a group (negative id) the bot is a member of."""
        with self.lock:
            chat = ChatState(chat_id, {"id": chat_id, "type": kind, "title": title})
            self.chats[chat_id] = chat
            return chat

    def user(self, user_id: int) -> FakeUser:
        """Return a registered user or raise KeyError with a helpful message."""
        with self.lock:
            if user_id not in self.users:
                raise KeyError(f"user {user_id} does not exist; call add_user() first")
            return self.users[user_id]

    def chat(self, chat_id: Any) -> ChatState:
        """Return the chat with id `chat_id`, or refuse with "chat not found"."""
        try:
            return self.chats[int(chat_id)]
        except (KeyError, TypeError, ValueError):
            raise bad_request("chat not found") from None

    def writable_chat(self, chat_id: Any) -> ChatState:
        """Return a chat the bot may post in, refusing as Telegram does."""
        chat = self.chat(chat_id)
        if chat.user is not None and chat.user.blocked:
            raise forbidden("bot was blocked by the user")
        if chat.user is not None and not chat.user.started:
            raise forbidden("bot can't initiate conversation with a user")
        if chat.user is None and not chat.bot_member:
            raise forbidden("bot is not a member of the group chat")
        return chat

    def add_message(self, chat: ChatState, sender: FakeUser | None, **fields: Any) -> ChatMessage:
        """Store a new message in `chat`, from `sender` or (when None) from the bot."""
        message = ChatMessage(
            chat_id=chat.id,
            message_id=chat.new_message_id(),
            chat=chat.info,
            sender=sender.to_api() if sender else self.bot_user,
            date=int(fields.pop("date", time.time())),
            from_bot=sender is None,
            sent_at=time.monotonic(),
            **fields,
        )
        chat.messages[message.message_id] = message
        if sender is None:
            logger.info("bot -> %s #%s: %s", chat.id, message.message_id, _summary(message))
        return message

    def message_api(self, message: ChatMessage) -> JsonDict:
        """Return the Message object for `message`, with the message it replies to."""
        reply_to = None
        if message.reply_to_message_id is not None:
            original = self.chats[message.chat_id].messages.get(message.reply_to_message_id)
            reply_to = original.to_api() if original and not original.deleted else None
        return message.to_api(reply_to)

    def store_file(
        self, content: bytes, kind: str, file_name: str | None, mime_type: str | None
    ) -> StoredFile:
        """Keep `content` in memory and return its file record."""
        with self.lock:
            number = len(self.files) + 1
            suffix = PurePosixPath(file_name or "").suffix or (".jpg" if kind == "photo" else "")
            folder = "photos" if kind == "photo" else "documents"
            stored = StoredFile(
                file_id=f"fake-{kind}-{number:06d}",
                file_unique_id=f"fu{number:06d}",
                file_path=f"{folder}/file_{number}{suffix}",
                content=content,
                file_name=file_name,
                mime_type=mime_type,
            )
            self.files[stored.file_id] = stored
            self.files_by_path[stored.file_path] = stored
            return stored

    def redeliver_update(self, update_id: int) -> UpdateRecord:
        """Offer an update again with its original id (Telegram retrying a delivery)."""
        with self.lock:
            record = self.updates.requeue(update_id, time.monotonic())
        self.on_update()
        return record

    def push_update(self, payload: JsonDict) -> UpdateRecord:
        """Offer an update to getUpdates and wake any waiting poller."""
        with self.lock:
            record = self.updates.push(payload, time.monotonic())
        self.on_update()
        return record


def _summary(message: ChatMessage) -> str:
    """Return a one-line description of a bot message for the log."""
    text = message.text if message.text is not None else f"[file] {message.caption or ''}"
    buttons = message.button_data()
    return f"{text!r}" + (f" buttons={buttons}" if buttons else "")


def _resolve(future: asyncio.Future[None]) -> None:
    """Resolve a waiter's future (on its own loop), unless it was given up."""
    if not future.done():
        future.set_result(None)
