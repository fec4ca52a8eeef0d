"""Telegram's sending budget: per-chat spacing, 429s held per chat or for the whole bot."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from typing import Any

import pytest
from telegram.error import RetryAfter
from telegram.ext import ExtBot

from devtools.fakebotapi import FakeBotApi
from scheduler.pacing import DECREASE, Lane
from scheduler.ratelimit import ANSWERED_SPACING_S, PRIVATE_SPACING_S, DeliveryRateLimiter
from tests.conftest import TEST_TOKEN
from tests.scheduler.sleeps import Sleeps

RATE = 50.0
# The pacer's own spacing at RATE: a sleep no longer than this is the grid's, not a hold.
GRID_S = 1 / RATE


async def test_bulk_sends_to_one_chat_are_a_second_apart(sleeps: Sleeps) -> None:
    """The sender's two messages to one person are spaced; a direct reply is not held."""
    limiter = DeliveryRateLimiter(RATE)
    stamps: list[tuple[str, float]] = []

    async def call(**kwargs: Any) -> dict[str, Any]:
        stamps.append((kwargs["who"], time.monotonic()))
        return {}

    async def send(who: str, lane: int | None) -> None:
        await limiter.process_request(call, (), {"who": who}, "sendMessage", {"chat_id": 7}, lane)

    await send("first", Lane.BULK)
    mark = len(sleeps.taken)
    await send("reply", None)
    assert all(seconds <= GRID_S for seconds in sleeps.since(mark))  # not held for the chat
    await send("second", Lane.BULK)
    times = dict(stamps)
    assert times["second"] - times["reply"] >= PRIVATE_SPACING_S - 0.01


async def test_a_429_out_of_the_blue_slows_the_pace_and_a_reply_is_retried() -> None:
    """A 429 to a chat with no recent message steps the pace down; the reply is retried."""
    limiter = DeliveryRateLimiter(RATE)
    calls: list[float] = []

    async def flaky(**_: Any) -> dict[str, Any]:
        calls.append(time.monotonic())
        if len(calls) == 1:
            raise RetryAfter(timedelta(seconds=0.3))
        return {"ok": True}

    result = await limiter.process_request(flaky, (), {}, "sendMessage", {"chat_id": 1}, None)
    assert result == {"ok": True}
    assert calls[1] - calls[0] >= 0.29
    assert limiter.pacer.rate == pytest.approx(RATE * DECREASE)
    calls.clear()
    with pytest.raises(RetryAfter):
        await limiter.process_request(flaky, (), {}, "sendMessage", {"chat_id": 2}, Lane.BULK)


async def test_429s_to_two_chats_at_once_hold_every_send() -> None:
    """A second chat refused within the first one's retry_after: the whole bot waits it out."""
    limiter = DeliveryRateLimiter(RATE)
    stamps: list[float] = []

    async def refused(**_: Any) -> dict[str, Any]:
        stamps.append(time.monotonic())
        raise RetryAfter(timedelta(seconds=0.5))

    async def fine(**_: Any) -> dict[str, Any]:
        stamps.append(time.monotonic())
        return {"ok": True}

    for chat in (1, 2):
        with pytest.raises(RetryAfter):
            await limiter.process_request(refused, (), {}, "sendMessage", {"chat_id": chat}, 2)
    await limiter.process_request(fine, (), {}, "sendMessage", {"chat_id": 3}, None)
    assert stamps[2] - stamps[1] >= 0.49
    assert limiter.pacer.rate == pytest.approx(RATE * DECREASE)  # one step for one episode


async def test_other_methods_pass_straight_through(sleeps: Sleeps) -> None:
    """answerCallbackQuery is never paced: five at a pace of one a second wait for nothing."""
    limiter = DeliveryRateLimiter(1.0)
    answered = 0

    async def answer(**_: Any) -> bool:
        nonlocal answered
        answered += 1
        return True

    for _ in range(5):
        await limiter.process_request(answer, (), {}, "answerCallbackQuery", {}, None)
    assert answered == 5
    assert sleeps.taken == []


async def test_a_429_for_one_chat_delays_only_that_chat(sleeps: Sleeps) -> None:
    """A 429 to a chat just written to holds that chat only: a reply to chat 2 goes at once."""
    limiter = DeliveryRateLimiter(RATE)
    stamps: dict[str, float] = {}

    async def to_one(**_: Any) -> dict[str, Any]:
        if "first" not in stamps:
            stamps["first"] = time.monotonic()
        elif "held" not in stamps:
            stamps["held"] = time.monotonic()
            raise RetryAfter(timedelta(seconds=2))
        else:
            stamps["retried"] = time.monotonic()
        return {"ok": True}

    async def to_two(**_: Any) -> dict[str, Any]:
        stamps["other"] = time.monotonic()
        return {"ok": True}

    await limiter.process_request(to_one, (), {}, "sendMessage", {"chat_id": 1}, None)
    first = asyncio.create_task(
        limiter.process_request(to_one, (), {}, "sendMessage", {"chat_id": 1}, None)
    )
    await asyncio.sleep(0.1)
    other = asyncio.create_task(
        limiter.process_request(to_two, (), {}, "sendMessage", {"chat_id": 2}, None)
    )
    await other
    assert "held" in stamps
    assert all(seconds <= GRID_S for seconds in sleeps.of(other))  # not held behind chat 1
    await first
    assert stamps["retried"] - stamps["held"] >= 1.99
    assert limiter.pacer.rate == RATE


async def replies_to_one_person(gap_s: float, sleeps: Sleeps) -> list[float]:
    """Send two direct replies to one chat `gap_s` apart; return the second's sleeps."""
    limiter = DeliveryRateLimiter(RATE)
    stamps: list[float] = []

    async def call(**kwargs: Any) -> dict[str, Any]:
        stamps.append(time.monotonic())
        return {}

    async def reply() -> None:
        await limiter.process_request(call, (), {}, "sendMessage", {"chat_id": 7}, None)

    await reply()
    answered = time.monotonic()
    await asyncio.sleep(gap_s)
    asked = time.monotonic()
    mark = len(sleeps.taken)
    await reply()
    assert stamps[1] - answered >= min(ANSWERED_SPACING_S, asked - answered)
    return sleeps.since(mark)


async def test_a_reply_nearly_a_second_after_the_last_waits_out_the_second(
    sleeps: Sleeps,
) -> None:
    """A person writing about once a second: the reply keeps a second from the last answer,
    and waits no more than what is left of it."""
    waited = await replies_to_one_person(0.8, sleeps)
    assert sum(waited) <= ANSWERED_SPACING_S - 0.8 + GRID_S


async def test_replies_in_a_burst_go_at_once(sleeps: Sleeps) -> None:
    """A reply right after another to the same person is not held for a second."""
    waited = await replies_to_one_person(0.0, sleeps)
    assert all(seconds <= GRID_S for seconds in waited)


async def test_after_a_429_replies_to_the_chat_keep_the_whole_second() -> None:
    """Once Telegram refused a chat, a reply right after the retried one waits its second."""
    limiter = DeliveryRateLimiter(RATE)
    stamps: list[float] = []

    async def call(**kwargs: Any) -> dict[str, Any]:
        stamps.append(time.monotonic())
        if len(stamps) == 1:
            raise RetryAfter(timedelta(seconds=0.2))
        return {}

    async def reply() -> None:
        await limiter.process_request(call, (), {}, "sendMessage", {"chat_id": 7}, None)

    await reply()  # refused once, then retried
    answered = time.monotonic()
    await reply()
    assert len(stamps) == 3
    assert stamps[2] - answered >= ANSWERED_SPACING_S - 0.01


async def test_a_rate_over_telegrams_limit_has_no_window(sleeps: Sleeps) -> None:
    """A benchmark's 'no limit' (a rate over 30/s) is not held to 30 calls a second."""
    limiter = DeliveryRateLimiter(10_000.0)

    async def call(**_: Any) -> dict[str, Any]:
        await asyncio.sleep(0.05)  # slow calls: a window would wait for them
        return {}

    await asyncio.gather(
        *(
            limiter.process_request(call, (), {}, "sendMessage", {"chat_id": i}, None)
            for i in range(100)
        )
    )
    # The grid's spacing at 10,000/s only: a window would wait about a second for calls.
    assert all(seconds < 0.01 for _, seconds in sleeps.taken)
    assert limiter.pacer.window is None


async def test_a_person_writing_each_second_gets_no_429_after_one_slow_reply() -> None:
    """Replies about a second apart, one of them late: the next keeps its second (fake server).

    A person writes once a second and one answer is held up (a busy moment): the reply after
    it finds more than half of the second left. Taken for a burst, it went at once and the
    fake server, which keeps Telegram's one message a second to a chat, refused it.
    """
    async with FakeBotApi(TEST_TOKEN) as server:
        server.add_user(7, "Quản trị").started = True
        server.set_rate_limits("enforce")
        limiter = DeliveryRateLimiter(29.0)
        async with ExtBot(TEST_TOKEN, base_url=server.base_url, rate_limiter=limiter) as bot:
            # When each reply is ready, from the first: on time, then 0.6 s late, then on time.
            started = time.monotonic()
            for ready in (0.0, 1.0, 1.6, 2.05, 3.05):
                await asyncio.sleep(max(0.0, ready - (time.monotonic() - started)))
                await bot.send_message(7, "ok")
    assert [c.status for c in server.calls("sendMessage")] == [200] * 5
