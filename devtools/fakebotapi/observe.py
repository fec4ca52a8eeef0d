"""Read what the bot did, and wait (sync or async) until something holds."""

# The waits take `timeout=` because they poll state that another thread changes; a caller's
# asyncio.timeout() would work too, but tests read better with the timeout in the call.

from __future__ import annotations

import asyncio
import copy
import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from devtools.fakebotapi.limits import RateLimiter, RateLimitStats
from devtools.fakebotapi.methods import commands_key
from devtools.fakebotapi.records import (
    CallbackAnswer,
    CallRecord,
    ChatMessage,
    UpdateRecord,
    WebhookInfo,
)
from devtools.fakebotapi.state import BotState, CallWaiter

T = TypeVar("T")
POLL_INTERVAL = 0.005
# How long a test waits for what it expects before failing. Generous: a wait ends as soon
# as the thing arrives, and a loaded machine starts a worker process (a chart, an export)
# in seconds, not the fraction of one it takes when quiet.
WAIT_S = 20.0


class Observations:
    """Snapshots of the server's records; every method is thread-safe."""

    state: BotState
    limiter: RateLimiter

    def calls(self, method: str | None = None) -> list[CallRecord]:
        """Return the finished calls, oldest first, optionally only of one method."""
        with self.state.lock:
            found = [c for c in self.state.calls if method is None or c.method == method]
            return [copy.copy(call) for call in found]

    def call_count(self, method: str | None = None) -> int:
        """Return how many calls (of one method) have finished, without copying them."""
        with self.state.lock:
            return len(self.state.calls) if method is None else self.state.call_counts[method]

    def last_call(self, method: str) -> CallRecord | None:
        """Return the newest finished call of `method`, without copying the others."""
        with self.state.lock:
            found = next((c for c in reversed(self.state.calls) if c.method == method), None)
            return copy.copy(found) if found is not None else None

    def last_update(self) -> UpdateRecord | None:
        """Return the newest update offered, without copying the others."""
        with self.state.lock:
            log = self.state.updates.log
            return copy.copy(log[-1]) if log else None

    async def wait_for_count(self, method: str, count: int, timeout: float = 5.0) -> None:
        """Wait until `method` has finished `count` calls; woken by the server, not polled.

        For benchmarks: a poll shares the process (and its GIL) with the bot it measures.
        """
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        waiter = CallWaiter(method, count, loop, future)
        with self.state.lock:
            if self.state.call_counts[method] >= count:
                return
            self.state.call_waiters.append(waiter)
        try:
            await asyncio.wait_for(future, timeout)
        except TimeoutError:
            raise TimeoutError(
                f"timed out after {timeout}s waiting for {count} {method}"
            ) from None
        finally:
            with self.state.lock:
                if waiter in self.state.call_waiters:
                    self.state.call_waiters.remove(waiter)

    def messages(self, chat_id: int, *, include_deleted: bool = False) -> list[ChatMessage]:
        """Return the bot's messages in a chat as they stand now, oldest first."""
        return [
            m for m in self.history(chat_id) if m.from_bot and (include_deleted or not m.deleted)
        ]

    def history(self, chat_id: int) -> list[ChatMessage]:
        """Return every message in a chat, the users' and the bot's, oldest first."""
        with self.state.lock:
            chat = self.state.chats.get(chat_id)
            return [copy.copy(m) for m in chat.messages.values()] if chat else []

    def bot_is_member(self, chat_id: int) -> bool:
        """Tell whether the bot is (still) in a chat: False once it left or was removed."""
        with self.state.lock:
            chat = self.state.chats.get(chat_id)
            return chat is not None and chat.bot_member

    def last_message_id(self, chat_id: int) -> int:
        """Return the newest message id in a chat (0 when empty), to wait for later ones."""
        with self.state.lock:
            chat = self.state.chats.get(chat_id)
            return chat.last_message_id if chat else 0

    def callback_answer(self, callback_id: str) -> CallbackAnswer | None:
        """Return the bot's answer to a callback query, if it answered."""
        with self.state.lock:
            return self.state.answers.get(callback_id)

    def commands(
        self, scope: Mapping[str, Any] | None = None, language_code: str = ""
    ) -> list[dict[str, str]]:
        """Return the commands set for a scope (default scope if None) and language."""
        with self.state.lock:
            key = commands_key(dict(scope) if scope else None, language_code)
            return list(self.state.commands.get(key, []))

    def webhook_info(self) -> WebhookInfo:
        """Return what setWebhook last recorded."""
        with self.state.lock:
            return copy.copy(self.state.webhook)

    def updates(self) -> list[UpdateRecord]:
        """Return every update offered so far with its availability and delivery times."""
        with self.state.lock:
            return [copy.copy(record) for record in self.state.updates.log]

    def pending_updates(self) -> int:
        """Return how many updates the bot has not confirmed yet."""
        with self.state.lock:
            return self.state.updates.pending_count()

    def file_content(self, file_id: str) -> bytes:
        """Return the bytes of a stored file."""
        with self.state.lock:
            return self.state.files[file_id].content

    def rate_limit_stats(self) -> RateLimitStats:
        """Return the rate-limit violation counters."""
        return self.limiter.stats()

    async def wait_for(
        self, probe: Callable[[], T | None], timeout: float = WAIT_S, what: str = "condition"
    ) -> T:
        """Poll `probe` until it returns something other than None, and return that."""
        deadline = time.monotonic() + timeout
        while (value := probe()) is None:
            if time.monotonic() >= deadline:
                raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
            await asyncio.sleep(POLL_INTERVAL)
        return value

    def wait_for_sync(
        self, probe: Callable[[], T | None], timeout: float = WAIT_S, what: str = "condition"
    ) -> T:
        """Block until `probe` returns something other than None, and return that."""
        deadline = time.monotonic() + timeout
        while (value := probe()) is None:
            if time.monotonic() >= deadline:
                raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
            time.sleep(POLL_INTERVAL)
        return value

    async def wait_until(self, condition: Callable[[], bool], timeout: float = WAIT_S) -> None:
        """Wait until `condition()` is true."""
        await self.wait_for(lambda: True if condition() else None, timeout, "condition")

    async def wait_for_message(
        self,
        chat_id: int,
        predicate: Callable[[ChatMessage], bool] | None = None,
        *,
        after: int = 0,
        timeout: float = WAIT_S,
    ) -> ChatMessage:
        """Wait for the first bot message in a chat with id above `after` matching `predicate`."""

        def probe() -> ChatMessage | None:
            """Return the first matching bot message, if any."""
            for message in self.messages(chat_id):
                if message.message_id > after and (predicate is None or predicate(message)):
                    return message
            return None

        try:
            return await self.wait_for(probe, timeout)
        except TimeoutError:
            texts = [(m.message_id, m.text or m.caption) for m in self.messages(chat_id)]
            raise TimeoutError(
                f"no matching bot message in chat {chat_id} after {timeout}s; have: {texts}"
            ) from None

    async def wait_for_call(
        self,
        method: str,
        predicate: Callable[[CallRecord], bool] | None = None,
        *,
        timeout: float = WAIT_S,
    ) -> CallRecord:
        """Wait for the first finished call of `method` matching `predicate`."""

        def probe() -> CallRecord | None:
            """Return the first matching call, if any."""
            calls = self.calls(method)
            return next((c for c in calls if predicate is None or predicate(c)), None)

        return await self.wait_for(probe, timeout, f"a {method} call")

    async def wait_for_answer(self, callback_id: str, timeout: float = WAIT_S) -> CallbackAnswer:
        """Wait until the bot answers the callback query `callback_id`."""
        return await self.wait_for(
            lambda: self.callback_answer(callback_id), timeout, f"answer to {callback_id}"
        )

    async def wait_for_delivery(self, update_id: int, timeout: float = WAIT_S) -> UpdateRecord:
        """Wait until getUpdates has handed `update_id` to the bot."""

        def probe() -> UpdateRecord | None:
            """Return the update's record once it is delivered."""
            with self.state.lock:
                for record in reversed(self.state.updates.log):
                    if record.update_id == update_id and record.delivered_at is not None:
                        return copy.copy(record)
            return None

        return await self.wait_for(probe, timeout, f"delivery of update {update_id}")
