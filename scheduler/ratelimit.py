"""One sending budget for every Bot API call, so replies jump ahead of a running fan-out.

Installed in the application's builder, this limiter sees every request PTB makes. Message
sends (sendMessage, sendDocument, ...) share one pacer (`scheduler/pacing.py`): turns on a
fixed grid at `SEND_RATE_PER_S`, never more than 30 reaching Telegram in any second however
the network delays them, and the lowest lane waiting gets the next turn:

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
out those few hundredths instead. To such a person (their last two answers about a second
apart, `STEADY_GAP_S`) every reply keeps the whole second: after one slow reply, the next one
would otherwise find much of the second left, be taken for a burst, and earn a 429.
After a 429, a chat's replies keep the whole spacing
until none had to wait for `STRICT_QUIET_S` (the person slowed down): a retried reply
and the next one must not earn a second 429 together.

A 429 holds the chat it was for (every lane waits out its `retry_after` there), so one person who
earned it delays nobody else. A 429 to a chat that had no message within its spacing is a
sign of the bot's overall limit: the pace steps down, creeping back up after a quiet
minute, and when a second chat gets one within the first one's `retry_after`, every send
waits it out. A direct reply is retried, a sender's call gets the RetryAfter back to
reschedule it.
Other methods pass straight through; of these, a handler's answer to a button press, its
edits, its fetch of a file sent to it and the webhook set or deleted at start
(`RETRIED_METHODS`) are made again after a short 429's `retry_after`, as a direct reply is:
Telegram limits them too, and an answer or an edit lost to a 429 left the person with no
"recorded" and the buttons still there to press again. A press answered past the seconds
Telegram gives it ("query is too old": it waited its turn behind heavy requests) counts as
answered, so that the flow goes on to its edit or message.

Chats are held and spaced by the limiter's `clock` (`MonotonicClock`: `time.monotonic` and
`asyncio.sleep`); a test may give it a clock of its own, to hold a chat until it says so.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any, Protocol

from telegram.error import BadRequest, RetryAfter
from telegram.ext import BaseRateLimiter

from scheduler.budget import SharedBudget
from scheduler.pacing import Lane, Pacer, Turn, Window

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
# Calls besides sends, made again after a 429: a handler's for the person waiting, and one
# the server cannot start without.
RETRIED_METHODS = frozenset(
    {
        "answerCallbackQuery",
        "editMessageText",
        "editMessageCaption",
        "editMessageReplyMarkup",
        "deleteMessage",
        "getFile",  # a file sent as evidence or to import: else not kept, to be sent again
        # The start of `dondoc serve` and of polling: several workers at once, or a restart
        # loop, earn a 429, and a process that does not start is one fewer (or none).
        "setWebhook",
        "deleteWebhook",
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
# Two answers to a person about this far apart: they write about once a second, and each
# reply keeps the whole spacing. (Closer answers are a burst, which Telegram tolerates.)
STEADY_GAP_S = (0.9, 2.0)
# Telegram's bound on a bot's sends: about 30 in any second, overall.
TELEGRAM_WINDOW = Window(calls=30, seconds=1.0)
CHAT_TABLE_PRUNE = 10_000

log = logging.getLogger(__name__)

Callback = Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]]


def _too_late(error: BadRequest) -> bool:
    """Tell whether Telegram refused a press's answer as too old (or of an unknown query)."""
    return "query is too old" in str(error).lower()


def seconds_of(retry_after: timedelta | int | float) -> float:
    """Return a RetryAfter's wait in seconds, whichever type PTB gave it."""
    if isinstance(retry_after, timedelta):
        return retry_after.total_seconds()
    return float(retry_after)


class LimiterClock(Protocol):
    """What the limiter reads the time by, and waits by."""

    def now(self) -> float:
        """Return the time in seconds (only differences count)."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait `seconds` by this clock."""
        ...


class MonotonicClock:
    """The limiter's own clock: the machine's monotonic clock and asyncio's sleep."""

    def now(self) -> float:
        """Return `time.monotonic()`."""
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        """Take `asyncio.sleep(seconds)`."""
        await asyncio.sleep(seconds)


class ChatSpacing:
    """When each chat may get its next message from the sender."""

    def __init__(self, clock: LimiterClock | None = None) -> None:
        self.clock: LimiterClock = clock or MonotonicClock()
        self._free_at: dict[str, float] = {}
        self._held_until: dict[str, float] = {}
        self._reply_free_at: dict[str, float] = {}
        self._strict_until: dict[str, float] = {}  # chats whose replies keep the whole spacing
        self._steady: set[str] = set()  # chats whose last two answers were about 1 s apart

    @staticmethod
    def key(chat_id: object) -> str:
        """Return a chat's key (ids arrive as int or str)."""
        return str(chat_id)

    def wait(self, chat: str) -> float:
        """Return how long until the chat may get a message."""
        return max(0.0, self._free_at.get(chat, 0.0) - self.clock.now())

    def held(self, chat: str) -> float:
        """Return how long the chat is held after a 429 (every lane waits for it)."""
        until = self._held_until.get(chat)
        if until is None:
            return 0.0
        left = until - self.clock.now()
        if left <= 0:
            del self._held_until[chat]
            return 0.0
        return left

    def hold(self, chat: str, seconds: float) -> None:
        """Hold the chat for `seconds`: Telegram said it got too many messages."""
        now = self.clock.now()
        self._held_until[chat] = max(self._held_until.get(chat, 0.0), now + seconds)
        if len(self._held_until) > CHAT_TABLE_PRUNE:
            self._held_until = {c: t for c, t in self._held_until.items() if t > now}
        self._strict_until[chat] = now + seconds + STRICT_QUIET_S
        if len(self._strict_until) > CHAT_TABLE_PRUNE:
            self._strict_until = {c: t for c, t in self._strict_until.items() if t > now}

    def mark(self, chat: str) -> bool:
        """Record a send to the chat now; return whether it had one within its spacing."""
        now = self.clock.now()
        crowded = self._free_at.get(chat, 0.0) > now
        spacing = GROUP_SPACING_S if chat.startswith("-") else PRIVATE_SPACING_S
        self._free_at[chat] = now + spacing
        if len(self._free_at) > CHAT_TABLE_PRUNE:
            self._free_at = {c: t for c, t in self._free_at.items() if t > now}
        return crowded

    def answered(self, chat: str) -> None:
        """Record Telegram's answer to a send to a person, for the next reply's spacing."""
        if not chat.startswith("-"):
            now = self.clock.now()
            last = self._reply_free_at.get(chat)
            gap = now - (last - ANSWERED_SPACING_S) if last is not None else None
            if gap is not None and STEADY_GAP_S[0] <= gap <= STEADY_GAP_S[1]:
                self._steady.add(chat)
            else:
                self._steady.discard(chat)
            self._reply_free_at[chat] = now + ANSWERED_SPACING_S
            if len(self._reply_free_at) > CHAT_TABLE_PRUNE:
                self._reply_free_at = {c: t for c, t in self._reply_free_at.items() if t > now}
                self._steady &= set(self._reply_free_at)

    def reply_wait(self, chat: str) -> float:
        """Return how long a reply to the chat waits to keep its spacing from the last answer.

        Nothing when much of the spacing is left (a burst), unless the chat had a 429 or its
        last two answers were close (a person writing about once a second: one slow reply
        would otherwise let the next one go well inside the second, and earn a 429).
        """
        now = self.clock.now()
        wait = max(0.0, self._reply_free_at.get(chat, 0.0) - now)
        if wait <= 0:
            return 0.0
        if self._strict_until.get(chat, 0.0) > now:
            self._strict_until[chat] = now + wait + STRICT_QUIET_S
            return wait
        return wait if wait <= DIRECT_SPACING_WAIT_S or chat in self._steady else 0.0


class DeliveryRateLimiter(BaseRateLimiter[int]):
    """PTB rate limiter: one global pace, lanes by urgency, per-chat spacing for the sender."""

    def __init__(self, rate_per_s: float) -> None:
        # Over Telegram's own limit means there is none (a benchmark's fake server).
        window = TELEGRAM_WINDOW if rate_per_s <= TELEGRAM_WINDOW.calls else None
        self.pacer = Pacer(rate_per_s, window=window)
        self.chats = ChatSpacing()
        self._last_429: tuple[str, float] | None = None  # a chat, and when its wait ends
        # Among several workers, the channel's budget they share (scheduler/budget.py).
        self.shared: SharedBudget | None = None
        # Told of each message sent, by chat (the composition root sets it).
        self.on_sent: Callable[[str], None] | None = None

    def _overall(self, chat: str, wait: float) -> bool:
        """Tell whether 429s to two chats within one wait say the whole bot is held."""
        now = self.clock.now()
        last = self._last_429
        self._last_429 = (chat, now + wait)
        return last is not None and last[0] != chat and now < last[1]

    @property
    def clock(self) -> LimiterClock:
        """Return the clock chats are held and spaced by."""
        return self.chats.clock

    @clock.setter
    def clock(self, clock: LimiterClock) -> None:
        """Hold and space chats by `clock` from now on (a test's, to hold a chat at will)."""
        self.chats.clock = clock

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
        if endpoint in RETRIED_METHODS and rate_limit_args is None:
            return await self._retried(callback, args, kwargs, data)
        if endpoint not in MESSAGE_METHODS:
            return await callback(*args, **kwargs)
        lane = Lane(rate_limit_args or Lane.DIRECT)
        chat = ChatSpacing.key(data.get("chat_id"))
        attempt = 0
        while True:
            turn, crowded = await self._turn(lane, chat)
            slot = await self.shared.acquire() if self.shared is not None else None
            try:
                result = await callback(*args, **kwargs)
                self.chats.answered(chat)
                if self.on_sent is not None:
                    self.on_sent(chat)
                return result
            except RetryAfter as exc:
                wait = seconds_of(exc.retry_after)
                self.chats.hold(chat, wait)
                if not crowded:  # the chat cannot explain it: the bot went too fast
                    self.pacer.throttled(wait, pause=self._overall(chat, wait))
                attempt += 1
                if lane != Lane.DIRECT or attempt > DIRECT_RETRIES or wait > DIRECT_MAX_WAIT_S:
                    raise
            finally:
                self.pacer.done(turn)
                if self.shared is not None:
                    self.shared.release(slot)

    async def _retried(
        self, callback: Callback, args: Any, kwargs: dict[str, Any], data: dict[str, Any]
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        """Make a press's answer or an edit, again after a 429 as short as a direct reply
        waits for (its chat held meanwhile, when it names one)."""
        chat = ChatSpacing.key(data["chat_id"]) if data.get("chat_id") is not None else None
        attempt = 0
        while True:
            try:
                return await callback(*args, **kwargs)
            except BadRequest as exc:
                if not _too_late(exc):
                    raise
                # A press answered past the seconds Telegram gives (it waited its turn, or for
                # the database): nothing is waiting for the answer any more, and the flow
                # goes on to its work (an edit, a message) rather than ending in an error.
                log.info("a press was answered too late: %s", exc)
                return True
            except RetryAfter as exc:
                wait = seconds_of(exc.retry_after)
                attempt += 1
                if attempt > DIRECT_RETRIES or wait > DIRECT_MAX_WAIT_S:
                    raise
                if chat is not None:
                    self.chats.hold(chat, wait)
                await self.clock.sleep(wait)

    async def _turn(self, lane: Lane, chat: str) -> tuple[Turn, bool]:
        """Wait for the chat to be free (sender lanes; a reply if nearly free), then a turn.

        Return the turn and whether the chat had a message within its spacing before it.
        """
        while True:
            if (held := self.chats.held(chat)) > 0:
                await self.clock.sleep(held)
            if lane != Lane.DIRECT and (wait := self.chats.wait(chat)) > 0:
                await self.clock.sleep(wait)
            if lane == Lane.DIRECT and (wait := self.chats.reply_wait(chat)) > 0:
                await self.clock.sleep(wait)
            turn = await self.pacer.slot(lane)
            if self.chats.held(chat) <= 0 and (lane == Lane.DIRECT or self.chats.wait(chat) <= 0):
                return turn, self.chats.mark(chat)
            self.pacer.done(turn)  # unused: the chat was taken meanwhile
