"""Fault injection: 429, 5xx, slow answers and timeouts, chosen per call at run time."""

from __future__ import annotations

import asyncio
import datetime as dtm
import threading
from collections.abc import Mapping
from typing import Any

import httpx
import pytest
from telegram import Bot
from telegram.error import NetworkError, RetryAfter, TimedOut

from devtools.fakebotapi import FakeBotApi, Fault, FaultRule
from devtools.fakebotapi.faults import FaultPlan


@pytest.mark.usefixtures("ptb_timedelta")
async def test_flood_fault_returns_retry_after(bot: Bot, server: FakeBotApi, user: int) -> None:
    """A flood fault answers 429 with parameters.retry_after, once when times=1."""
    server.add_fault(FaultRule(Fault.flood(3), methods={"sendMessage"}, times=1))

    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(user, "x")

    assert caught.value.retry_after == dtm.timedelta(seconds=3)
    assert (await bot.send_message(user, "y")).text == "y"
    assert [c.fault for c in server.calls("sendMessage")] == ["flood", None]


async def test_server_error_fault_returns_bad_gateway(
    http: httpx.AsyncClient, server: FakeBotApi, user: int
) -> None:
    """A server_error fault answers 502 Bad Gateway and does not apply the call."""
    server.add_fault(Fault.server_error())

    response = await http.post("sendMessage", data={"chat_id": str(user), "text": "x"})

    assert response.status_code == 502
    assert response.json()["description"] == "Bad Gateway"
    assert server.messages(user) == []


async def test_server_error_fault_raises_network_error_in_ptb(
    bot: Bot, server: FakeBotApi, user: int
) -> None:
    """PTB sees a 502 as a NetworkError."""
    server.add_fault(FaultRule(Fault.server_error(), chat_ids={user}))

    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_message(user, "x")


async def test_delay_fault_slows_the_answer(bot: Bot, server: FakeBotApi, user: int) -> None:
    """A delay fault answers normally, later: the server took the message `seconds` after the
    call came in (its own two readings, which no load on the machine makes closer)."""
    server.add_fault(FaultRule(Fault.delay(0.3), methods={"sendMessage"}))

    await bot.send_message(user, "x")

    [call] = server.calls("sendMessage")
    [message] = server.messages(user)
    assert call.fault == "delay"
    assert message.sent_at - call.at >= 0.3


async def test_hold_fault_answers_once_let_go(bot: Bot, server: FakeBotApi, user: int) -> None:
    """A held call is neither answered nor applied until the test sets its gate."""
    gate, reached = threading.Event(), threading.Event()
    server.add_fault(FaultRule(Fault.hold(gate, reached), methods={"sendMessage"}, times=1))
    send = asyncio.create_task(bot.send_message(user, "x"))
    assert await asyncio.to_thread(reached.wait, 10)
    # Another call goes through meanwhile: the held one is held alone.
    assert (await bot.send_message(user, "y")).text == "y"
    assert not send.done()
    assert [m.text for m in server.messages(user)] == ["y"]

    gate.set()

    assert (await asyncio.wait_for(send, timeout=10)).text == "x"
    assert [m.text for m in server.messages(user)] == ["y", "x"]


async def test_timeout_fault_applied_produces_a_duplicate(
    bot: Bot, server: FakeBotApi, user: int
) -> None:
    """An accepted-then-timed-out send, retried by the client, leaves two messages."""
    server.add_fault(FaultRule(Fault.timeout(5, apply=True), methods={"sendMessage"}, times=1))

    with pytest.raises(TimedOut):
        await bot.send_message(user, "Nhắc việc", read_timeout=0.3)
    await bot.send_message(user, "Nhắc việc")

    assert [m.text for m in server.messages(user)] == ["Nhắc việc", "Nhắc việc"]


async def test_timeout_fault_not_applied_leaves_nothing(
    bot: Bot, server: FakeBotApi, user: int
) -> None:
    """A plain timeout never takes effect."""
    server.add_fault(FaultRule(Fault.timeout(5), methods={"sendMessage"}))

    with pytest.raises(TimedOut):
        await bot.send_message(user, "x", read_timeout=0.3)

    assert server.messages(user) == []


async def test_fault_function_decides_per_call(bot: Bot, server: FakeBotApi, user: int) -> None:
    """A fault function sees the method and params of every call."""

    def fail_on_secret(method: str, params: Mapping[str, Any]) -> Fault | None:
        return Fault.server_error() if params.get("text") == "bí mật" else None

    server.set_fault_function(fail_on_secret)

    await bot.send_message(user, "công khai")
    with pytest.raises(NetworkError):
        await bot.send_message(user, "bí mật")
    server.clear_faults()
    await bot.send_message(user, "bí mật")
    assert len(server.messages(user)) == 2


def test_fault_probability_is_reproducible_with_a_seed() -> None:
    """The same seed makes the same calls fail."""

    def pattern(seed: int) -> list[bool]:
        plan = FaultPlan(seed)
        plan.add(FaultRule(Fault.server_error(), probability=0.5))
        return [plan.choose("sendMessage", {"chat_id": 1}) is not None for _ in range(50)]

    assert pattern(7) == pattern(7)
    assert 10 < sum(pattern(7)) < 40


def test_fault_rule_skips_and_counts() -> None:
    """skip lets matching calls through first; times limits how often the rule fires."""
    plan = FaultPlan()
    plan.add(FaultRule(Fault.flood(1), methods={"sendmessage"}, chat_ids={5}, skip=1, times=2))

    outcomes = [plan.choose("sendMessage", {"chat_id": 5}) is not None for _ in range(4)]

    assert outcomes == [False, True, True, False]
    assert plan.choose("sendMessage", {"chat_id": 6}) is None
