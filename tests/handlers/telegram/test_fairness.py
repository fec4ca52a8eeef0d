"""One person cannot slow everyone: flood buckets, per-person lanes, per-chat 429s, stalls."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable

import pytest

from devtools.fakebotapi import Fault, FaultRule
from devtools.fakebotapi.records import CallRecord
from handlers.telegram.flood import FloodGuard
from scheduler.ratelimit import DeliveryRateLimiter
from tests.factories import make_contact
from tests.harness import ADMIN_ID, BotUnderTest

STRANGER = 3301
MEMBER = 3302
OTHER = 3303


async def settle(bot: BotUnderTest, update_id: int) -> None:
    """Wait until the bot has taken every update up to `update_id` and is idle a moment."""
    await bot.processed(update_id, timeout=10)
    await asyncio.sleep(0.3)


async def test_a_stranger_is_answered_once_then_ignored(bot: BotUnderTest) -> None:
    """Ten messages from a stranger get one answer; an admin is answered meanwhile."""
    bot.user(STRANGER, "Người lạ")
    last = 0
    for n in range(10):
        last = bot.server.send_text(STRANGER, f"xin chào {n}")
    answer = await bot.send(ADMIN_ID, "/help")
    assert answer.text
    await settle(bot, last)
    await asyncio.sleep(1.0)
    [reply] = bot.server.messages(STRANGER)
    assert "liên kết mời" in (reply.text or "")


async def test_a_flooding_contact_is_told_to_slow_down_once(bot: BotUnderTest) -> None:
    """A contact past their budget is told once (in their language); the rest is dropped."""
    bot.user(MEMBER, "Cán bộ", language="en")
    with bot.session() as session:
        make_contact(session, MEMBER, language="en")
        session.commit()
    last = 0
    for n in range(40):
        last = bot.server.send_text(MEMBER, f"hello {n}")
    await bot.server.wait_for_message(
        MEMBER, lambda m: "sending too fast" in (m.text or ""), timeout=15
    )
    await settle(bot, last)
    await asyncio.sleep(1.0)
    texts = [m.text or "" for m in bot.server.messages(MEMBER)]
    slow = [t for t in texts if "sending too fast" in t]
    assert len(slow) == 1
    assert len(texts) < 40  # the excess was dropped, not answered


async def test_one_persons_updates_keep_their_order_while_others_go_ahead(
    bot: BotUnderTest,
) -> None:
    """While a reply to one person hangs, another person is answered; theirs stay in order."""
    bot.user(OTHER, "Người khác")
    bot.user(STRANGER, "Người lạ")
    with bot.session() as session:
        make_contact(session, OTHER)
        session.commit()
    held, reached = threading.Event(), threading.Event()
    bot.server.add_fault(
        FaultRule(Fault.hold(held, reached), methods=["sendMessage"], chat_ids=[OTHER], times=1)
    )
    try:
        bot.server.send_text(OTHER, "/help")
        second = bot.server.send_text(OTHER, "/lang")
        assert await asyncio.to_thread(reached.wait, 10)
        # Answered while OTHER's first reply is still held: not behind it.
        answer = await bot.send(STRANGER, "/help", timeout=10)
        assert answer.text
        assert bot.server.messages(OTHER) == []
        # The held call is recorded once answered: none to OTHER so far, the second
        # update's answer waits for the first's.
        assert [c for c in bot.server.calls("sendMessage") if to_chat(OTHER)(c)] == []
    finally:
        held.set()
    await settle(bot, second)

    def answered() -> list[CallRecord] | None:
        sends = [c for c in bot.server.calls("sendMessage") if to_chat(OTHER)(c)]
        return sends if len(sends) >= 2 else None

    sends = await bot.server.wait_for(answered, timeout=10, what="both answers")
    # The second update's answer was only sent once the first one's had returned.
    assert sends[1].at >= sends[0].finished_at


def to_chat(chat_id: int) -> Callable[[CallRecord], bool]:
    """Tell a call to `chat_id` (given as a number or a string)."""
    return lambda call: str(call.params.get("chat_id")) == str(chat_id)


class HeldClock:
    """The rate limiter's clock, moved by the test alone: a chat held after a 429 stays held
    until the test moves the clock past the hold, however slow or fast the machine."""

    def __init__(self) -> None:
        self.at = 1000.0
        self.sleeping = 0  # the limiter's waits under way
        self._moved = asyncio.Condition()

    def now(self) -> float:
        """Return the time the test has moved the clock to."""
        return self.at

    async def sleep(self, seconds: float) -> None:
        """Wait until the test has moved the clock `seconds` on."""
        until = self.at + seconds
        async with self._moved:
            self.sleeping += 1
            try:
                await self._moved.wait_for(lambda: self.at >= until)
            finally:
                self.sleeping -= 1

    async def advance(self, seconds: float) -> None:
        """Move the clock on, waking the waits it ends."""
        async with self._moved:
            self.at += seconds
            self._moved.notify_all()


async def test_a_429_in_one_chat_does_not_hold_up_another(bot: BotUnderTest) -> None:
    """Telegram's retry_after for one person's chat delays that chat's reply, nobody else's.

    The limiter holds the chat by a clock only the test moves: while the refused reply waits
    for it, the other person is answered; the refused reply goes once the clock has passed
    the 429's retry_after. (It asked that the other answer reach the server within 3 s of
    the wall clock, which a loaded machine could miss.)
    """
    limiter = bot.app.bot.rate_limiter
    assert isinstance(limiter, DeliveryRateLimiter)
    clock = HeldClock()
    limiter.clock = clock
    bot.user(OTHER, "Người khác")
    bot.user(STRANGER, "Người lạ")
    bot.server.add_fault(
        FaultRule(Fault.flood(retry_after=3), methods=["sendMessage"], chat_ids=[OTHER], times=1)
    )
    after = bot.server.last_message_id(OTHER)
    try:
        bot.server.send_text(OTHER, "/help")
        await bot.server.wait_for_call("sendMessage", to_chat(OTHER), timeout=10)
        await bot.server.wait_until(lambda: clock.sleeping == 1, 10)  # the refused reply waits
        answer = await bot.send(STRANGER, "/help", timeout=10)
        assert answer.text
        assert bot.server.messages(OTHER) == []  # still held: the clock has not moved
        await clock.advance(3)  # the 429's retry_after
        delayed = await bot.server.wait_for_message(OTHER, after=after, timeout=10)
        assert delayed.text
    finally:
        await clock.advance(3600)  # a failure leaves no wait for the bot's stop to hang on


async def test_the_probe_logs_a_stall_of_the_event_loop(
    bot: BotUnderTest, caplog: pytest.LogCaptureFixture
) -> None:
    """Blocking the loop half a second is logged as a stall and counted in the figures."""
    probe = bot.app.bot_data.loop_probe
    assert probe is not None
    await asyncio.sleep(0.2)
    with caplog.at_level(logging.WARNING, logger="scheduler.loopprobe"):
        time.sleep(0.5)  # noqa: ASYNC251 - blocking the loop, as a synchronous query would
        await asyncio.sleep(0.2)
    assert any("event loop stalled" in r.getMessage() for r in caplog.records)
    figures = probe.figures()
    assert figures["max_ms"] >= 400
    assert figures["stalls"][-1]["ms"] >= 400


async def test_an_update_delivered_25_times_is_answered_once_and_no_flood(
    bot: BotUnderTest,
) -> None:
    """Telegram handing one update out 25 times more (past a contact's burst of 20) is one
    answer and no "sending too fast": a copy the inbox knows is dropped before the flood
    guard counts it, so the person's next message is answered as usual."""
    bot.user(MEMBER, "Cán bộ", language="en")
    with bot.session() as session:
        make_contact(session, MEMBER, language="en")
        session.commit()
    await bot.send(MEMBER, "/help")
    [first] = [u.update_id for u in bot.server.updates()]
    for _ in range(25):  # one at a time: Telegram never puts an id twice in one batch
        bot.server.redeliver(first)
        await bot.server.wait_until(lambda: bot.server.pending_updates() == 0, 5)
    await bot.send(MEMBER, "/whoami")
    texts = [m.text or "" for m in bot.server.messages(MEMBER)]
    assert len(texts) == 2
    assert not any("sending too fast" in text for text in texts)


async def test_a_copy_over_the_budget_is_not_warned_about(bot: BotUnderTest) -> None:
    """A contact who used their burst is not told to slow down for Telegram delivering one
    of their updates again (the inbox knows it); a second later their new message is
    answered as usual."""
    now = [1000.0]
    bot.app.bot_data.flood = FloodGuard(clock=lambda: now[0])
    bot.user(MEMBER, "Cán bộ", language="en")
    with bot.session() as session:
        make_contact(session, MEMBER, language="en")
        session.commit()
    for n in range(20):
        await bot.send(MEMBER, f"/help {n}")
    [first, *_] = [u.update_id for u in bot.server.updates()]
    bot.server.redeliver(first)
    await bot.processed(first)
    now[0] += 1.0  # one token back
    await bot.send(MEMBER, "/whoami", match=lambda m: "3302" in (m.text or ""))
    texts = [m.text or "" for m in bot.server.messages(MEMBER)]
    assert not any("sending too fast" in text for text in texts)
    assert len(texts) == 21
