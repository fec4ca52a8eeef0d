"""One sending budget for every Bot API call, so replies jump ahead of a running fan-out.

Installed in the application's builder, this limiter sees every request PTB makes. Message
sends (sendMessage, sendDocument, ...) share one smooth global rate, with no burst above
it; a send waits for its slot, and the lowest lane waiting gets the next slot:

- Lane.DIRECT: a handler's own reply (no `rate_limit_args`), someone is waiting for it;
- Lane.NOTICE: an outbox notice or nudge, sent by the sender;
- Lane.BULK: the daily reminders.

Sender lanes also keep Telegram's per-chat spacing (1 message a second to a person, 20 a
minute to a group). A direct reply counts toward it, so the sender keeps its distance. It
keeps a second from Telegram's answer to the previous send to the person only when little
of that second is left (`DIRECT_SPACING_WAIT_S`): a reply right after another is a burst,
which Telegram tolerates, and goes at once (a conversation, or a test, never waits a
second); one to a person who writes about once a second would reach Telegram a little
under a second after the previous one and earn a 429 and its full second, so it waits
out those few hundredths instead. After a 429, a chat's replies keep the whole spacing
until none had to wait for `STRICT_QUIET_S` (the person slowed down): a retried reply
and the next one must not earn a second 429 together.

A 429 holds only the chat it was for (every lane waits out its `retry_after` there), so
one person who earned it delays nobody else, and the global rate slows down a little,
recovering gradually; a direct reply is retried, a sender's call gets the RetryAfter back
to reschedule it.
Other methods (answerCallbackQuery, edits, getUpdates) pass straight through.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine
from datetime import timedelta
from enum import IntEnum
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

MESSAGE_METHODS = frozenset(
    {
        "sendMessage",
        "sendDocument",
        "sendPhoto",
        "sendMediaGroup",
        "sendVideo",
        "sendAudio",
        "sendVoice",
        "sendAnimation",
        "sendSticker",
        "sendLocation",
        "sendVenue",
        "sendContact",
        "sendPoll",
        "copyMessage",
        "forwardMessage",
    }
)
# A little over Telegram's 1 s and 3 s so that network jitter cannot squeeze two sends into
# the server's window.
PRIVATE_SPACING_S = 1.1
GROUP_SPACING_S = 3.1
DIRECT_RETRIES = 3
DIRECT_MAX_WAIT_S = 10.0
# A direct reply waits out the chat's spacing when no more than this is left of it.
DIRECT_SPACING_WAIT_S = 0.5
# A reply waits this long from Telegram's answer to the previous send to a person: the
# server counts its window from when it took that send, which is before it answered. (The
# sender's 1.1 s from the start of a send would leave a person who writes once a second
# further behind with every reply.)
ANSWERED_SPACING_S = 1.01
# After a 429, replies to the chat keep the whole spacing until none had to wait this long.
STRICT_QUIET_S = 10.0
MAX_SLOWDOWN = 4.0
SLOWDOWN_STEP = 1.5
RECOVERY = 0.97
CHAT_TABLE_PRUNE = 10_000

Callback = Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]]


class Lane(IntEnum):
    """Who is sending: lower lanes go first."""

    DIRECT = 0
    NOTICE = 1
    BULK = 2


def seconds_of(retry_after: timedelta | int | float) -> float:
    """Return a RetryAfter's wait in seconds, whichever type PTB gave it."""
    if isinstance(retry_after, timedelta):
        return retry_after.total_seconds()
    return float(retry_after)


class Pacer:
    """Hand out send slots at a steady rate, the lowest waiting lane first."""

    def __init__(self, rate_per_s: float) -> None:
        self.interval = 1.0 / rate_per_s
        self.slowdown = 1.0
        self._next = 0.0
        self._waiting = [0] * len(Lane)

    async def slot(self, lane: Lane) -> None:
        """Wait for this lane's next slot: never two slots closer than the interval."""
        self._waiting[lane] += 1
        try:
            while True:
                now = time.monotonic()
                if any(self._waiting[:lane]):
                    await asyncio.sleep(self.interval / 2)  # someone more urgent goes first
                    continue
                start = self._next
                if now >= start:
                    # Keep to the grid when this turn is taken a little late (timer and loop
                    # latency), so the long-run rate is the one set; after a quiet spell, restart.
                    late = now - self._next
                    base = self._next if late < self.interval else now
                    self._next = base + self.interval * self.slowdown
                    return
                await asyncio.sleep(start - now)
        finally:
            self._waiting[lane] -= 1

    def slow_down(self) -> None:
        """Slow the rate down (a 429 was received)."""
        self.slowdown = min(MAX_SLOWDOWN, self.slowdown * SLOWDOWN_STEP)

    def ease(self) -> None:
        """Recover a little of the rate after a send went through."""
        self.slowdown = max(1.0, self.slowdown * RECOVERY)


class ChatSpacing:
    """When each chat may get its next message from the sender."""

    def __init__(self) -> None:
        self._free_at: dict[str, float] = {}
        self._held_until: dict[str, float] = {}
        self._reply_free_at: dict[str, float] = {}
        self._strict_until: dict[str, float] = {}  # chats whose replies keep the whole spacing

    @staticmethod
    def key(chat_id: object) -> str:
        """Return a chat's key (ids arrive as int or str)."""
        return str(chat_id)

    def wait(self, chat: str) -> float:
        """Return how long until the chat may get a message."""
        return max(0.0, self._free_at.get(chat, 0.0) - time.monotonic())

    def held(self, chat: str) -> float:
        """Return how long the chat is held after a 429 (every lane waits for it)."""
        until = self._held_until.get(chat)
        if until is None:
            return 0.0
        left = until - time.monotonic()
        if left <= 0:
            del self._held_until[chat]
            return 0.0
        return left

    def hold(self, chat: str, seconds: float) -> None:
        """Hold the chat for `seconds`: Telegram said it got too many messages."""
        now = time.monotonic()
        self._strict_until[chat] = now + seconds + STRICT_QUIET_S
        if len(self._strict_until) > CHAT_TABLE_PRUNE:
            self._strict_until = {c: t for c, t in self._strict_until.items() if t > now}
        self._held_until[chat] = max(self._held_until.get(chat, 0.0), now + seconds)
        if len(self._held_until) > CHAT_TABLE_PRUNE:
            self._held_until = {c: t for c, t in self._held_until.items() if t > now}

    def mark(self, chat: str) -> None:
        """Record a send to the chat now."""
        now = time.monotonic()
        spacing = GROUP_SPACING_S if chat.startswith("-") else PRIVATE_SPACING_S
        self._free_at[chat] = now + spacing
        if len(self._free_at) > CHAT_TABLE_PRUNE:
            self._free_at = {c: t for c, t in self._free_at.items() if t > now}

    def answered(self, chat: str) -> None:
        """Record Telegram's answer to a send to a person, for the next reply's spacing."""
        if not chat.startswith("-"):
            now = time.monotonic()
            self._reply_free_at[chat] = now + ANSWERED_SPACING_S
            if len(self._reply_free_at) > CHAT_TABLE_PRUNE:
                self._reply_free_at = {c: t for c, t in self._reply_free_at.items() if t > now}

    def reply_wait(self, chat: str) -> float:
        """Return how long a reply to the chat waits to keep its spacing from the last answer.

        Nothing when much of the spacing is left (a burst), unless the chat had a 429.
        """
        now = time.monotonic()
        wait = max(0.0, self._reply_free_at.get(chat, 0.0) - now)
        if wait <= 0:
            return 0.0
        if self._strict_until.get(chat, 0.0) > now:
            self._strict_until[chat] = now + wait + STRICT_QUIET_S
            return wait
        return wait if wait <= DIRECT_SPACING_WAIT_S else 0.0


class DeliveryRateLimiter(BaseRateLimiter[int]):
    """PTB rate limiter: one global pace, lanes by urgency, per-chat spacing for the sender."""

    def __init__(self, rate_per_s: float) -> None:
        self.pacer = Pacer(rate_per_s)
        self.chats = ChatSpacing()

    async def initialize(self) -> None:
        """Nothing to set up: the limiter keeps its state in memory."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    async def process_request(
        self,
        callback: Callback,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        """Call the Bot API when this request's turn comes; see the module's docstring."""
        if endpoint not in MESSAGE_METHODS:
            return await callback(*args, **kwargs)
        lane = Lane(rate_limit_args or Lane.DIRECT)
        chat = ChatSpacing.key(data.get("chat_id"))
        attempt = 0
        while True:
            await self._turn(lane, chat)
            try:
                result = await callback(*args, **kwargs)
            except RetryAfter as exc:
                wait = seconds_of(exc.retry_after)
                self.chats.hold(chat, wait)
                self.pacer.slow_down()
                attempt += 1
                if lane != Lane.DIRECT or attempt > DIRECT_RETRIES or wait > DIRECT_MAX_WAIT_S:
                    raise
                continue
            self.pacer.ease()
            self.chats.answered(chat)
            return result

    async def _turn(self, lane: Lane, chat: str) -> None:
        """Wait for the chat to be free (sender lanes; a reply if nearly free), then a slot."""
        while True:
            if (held := self.chats.held(chat)) > 0:
                await asyncio.sleep(held)
            if lane != Lane.DIRECT and (wait := self.chats.wait(chat)) > 0:
                await asyncio.sleep(wait)
            if lane == Lane.DIRECT and (wait := self.chats.reply_wait(chat)) > 0:
                await asyncio.sleep(wait)
            await self.pacer.slot(lane)
            if self.chats.held(chat) > 0:
                continue
            if lane == Lane.DIRECT or self.chats.wait(chat) <= 0:
                self.chats.mark(chat)
                return
