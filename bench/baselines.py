"""The usual python-telegram-bot ways to send a burst, measured against the same fake server.

Each sends one message to each of N chats while the server enforces Telegram's limits:
- `plain_loop`: concurrent send_message calls, no rate limiter, no retry;
- `aioratelimiter`: PTB's AIORateLimiter with its default settings (no retries);
- `aioratelimiter_retries`: the same with max_retries=5.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from telegram import Bot
from telegram.error import RetryAfter, TelegramError
from telegram.ext import AIORateLimiter, ExtBot

from devtools.fakebotapi import FakeBotApi

FIRST_CHAT = 500_000
CONCURRENCY = 64  # a gather of N calls, as a loop over asyncio tasks does
LIMIT_PER_S = 30.0


async def burst(bot: Bot, chats: list[int]) -> int:
    """Send one message to each chat concurrently; return how many calls raised."""
    gate = asyncio.Semaphore(CONCURRENCY)
    failures = 0

    async def one(chat: int) -> None:
        nonlocal failures
        async with gate:
            try:
                await bot.send_message(chat, "Nhắc việc")
            except (RetryAfter, TelegramError):
                failures += 1

    await asyncio.gather(*(one(c) for c in chats))
    return failures


async def measure(name: str, count: int, limiter: AIORateLimiter | None) -> dict[str, Any]:
    """Run one baseline against a fresh enforcing server and count the outcome."""
    async with FakeBotApi(rate_limits="enforce") as server:
        chats = [FIRST_CHAT + i for i in range(count)]
        for chat in chats:
            server.add_user(chat, "Cán bộ").started = True
        bot = ExtBot(server.token, base_url=server.base_url, rate_limiter=limiter)
        async with bot:
            started = time.perf_counter()
            await burst(bot, chats)
            elapsed = time.perf_counter() - started
        delivered = {c.params["chat_id"] for c in server.calls("sendMessage") if c.ok}
        rejected = sum(1 for c in server.calls("sendMessage") if c.status == 429)
    return {
        "way": name,
        "delivered": len(delivered),
        "lost": count - len(delivered),
        "responses_429": rejected,
        "rate_per_s": round(len(delivered) / elapsed, 1) if elapsed else 0.0,
    }


async def run_baselines(count: int) -> dict[str, dict[str, Any]]:
    """Measure each usual way with count messages."""
    return {
        "plain_loop": await measure("plain_loop", count, None),
        "aioratelimiter": await measure("aioratelimiter", count, AIORateLimiter()),
        "aioratelimiter_retries": await measure(
            "aioratelimiter_retries", count, AIORateLimiter(max_retries=5)
        ),
    }
