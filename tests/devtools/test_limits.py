"""Rate limits: 30 sends a second overall, 1 a second per private chat, 20 a minute per group."""

from __future__ import annotations

import pytest
from telegram import Bot
from telegram.error import RetryAfter

from devtools.fakebotapi import FakeBotApi, RateLimits
from devtools.fakebotapi.limits import RateLimiter


@pytest.fixture
def enforcing(server: FakeBotApi, ptb_timedelta: None) -> FakeBotApi:
    """Return the server with rate limits enforced, its clock stopped: every send of a test
    falls in one window, however slowly a loaded machine runs them."""
    server.set_rate_limits("enforce")
    server.limiter.clock = lambda: 1000.0
    return server


async def test_second_send_to_a_private_chat_within_a_second_is_refused(
    bot: Bot, enforcing: FakeBotApi, user: int
) -> None:
    """Two sends to one user in the same second: the second gets 429 and is counted."""
    await bot.send_message(user, "một")

    with pytest.raises(RetryAfter):
        await bot.send_message(user, "hai")

    stats = enforcing.rate_limit_stats()
    assert (stats.violations, stats.private, stats.by_chat[user]) == (1, 1, 1)
    assert len(enforcing.messages(user)) == 1


async def test_twenty_first_send_to_a_group_within_a_minute_is_refused(
    bot: Bot, enforcing: FakeBotApi
) -> None:
    """A group takes 20 sends a minute; the 21st waits most of a minute."""
    enforcing.add_group(-100123, "Tổ công tác")
    for number in range(20):
        await bot.send_message(-100123, f"tin {number}")

    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(-100123, "tin 21")

    assert caught.value.retry_after.total_seconds() > 50  # type: ignore[union-attr]
    assert enforcing.rate_limit_stats().group == 1


async def test_send_over_the_overall_limit_is_refused(bot: Bot, enforcing: FakeBotApi) -> None:
    """Sends across many chats are capped per second overall (3 here, to stay fast)."""
    enforcing.set_rate_limits("enforce", RateLimits(overall_per_second=3))
    for user_id in range(5001, 5005):
        enforcing.add_user(user_id, "U")
        enforcing.send_text(user_id, "/start")
    for user_id in range(5001, 5004):
        await bot.send_message(user_id, "x")

    with pytest.raises(RetryAfter):
        await bot.send_message(5004, "x")

    assert enforcing.rate_limit_stats().overall == 1


def test_rate_limiter_allows_thirty_sends_in_any_second() -> None:
    """The default overall limit is 30 in a sliding second, measured on the given clock."""
    limiter = RateLimiter("enforce")
    for number in range(30):
        assert limiter.check(number + 1, 100.0 + number * 0.01) is None
        limiter.record(number + 1, 100.0 + number * 0.01)

    assert limiter.check(99, 100.5) == 1
    assert limiter.check(99, 101.0) is None


def test_rate_limiter_allows_one_send_a_second_per_private_chat() -> None:
    """A private chat takes one send per sliding second; a group twenty per minute."""
    limiter = RateLimiter("enforce")
    limiter.record(7, 10.0)
    for number in range(20):
        limiter.record(-7, 10.0 + number)

    assert limiter.check(7, 10.5) == 1
    assert limiter.check(7, 11.0) is None
    assert limiter.check(-7, 50.0) == 20
    assert limiter.stats().violations == 2


async def test_observe_mode_counts_without_refusing(
    bot: Bot, server: FakeBotApi, user: int
) -> None:
    """In observe mode excess sends go through, flagged and counted."""
    server.set_rate_limits("observe")

    await bot.send_message(user, "một")
    await bot.send_message(user, "hai")

    assert [c.over_limit for c in server.calls("sendMessage")] == [False, True]
    assert server.rate_limit_stats().violations == 1
    assert len(server.messages(user)) == 2


async def test_edits_do_not_count_toward_the_chat_limit(
    bot: Bot, enforcing: FakeBotApi, user: int
) -> None:
    """Editing right after sending is not a send."""
    sent = await bot.send_message(user, "một")

    await bot.edit_message_text("một (sửa)", user, sent.message_id)

    assert enforcing.rate_limit_stats().violations == 0
