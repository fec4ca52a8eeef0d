"""A whole fan-out against a server that fails 10% of calls with 5xx and 5% with timeouts."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import date

from devtools.fakebotapi import CallRecord, Fault, FaultRule
from scheduler.delivery import dispatch_context, wake
from scheduler.dispatcher.run import dispatch
from tests.harness import BotUnderTest
from tests.scheduler.support import at, province, start_users, task_for

WED = date(2026, 11, 18)
FIRST_USER = 6000
COUNT = 60
# Longer than python-telegram-bot's 5 s read timeout, so the bot gives up on the call.
HANG_S = 7.0


def sends_to_fanout(bot: BotUnderTest) -> list[CallRecord]:
    """Return every sendMessage call to a fan-out chat, whatever became of it."""
    return [
        c for c in bot.server.calls("sendMessage") if int(c.params.get("chat_id", 0)) >= FIRST_USER
    ]


async def test_every_reminder_arrives_and_only_accepted_timeouts_repeat(
    bot: BotUnderTest,
) -> None:
    """All reminders arrive; a chat gets a second copy only where a timed-out call was applied."""
    bot.no_morning_dispatch()  # run below, once the province is in
    bot.server.clear_faults(seed=8)
    bot.server.add_fault(
        FaultRule(Fault.server_error(), methods=("sendMessage",), probability=0.10)
    )
    for applied in (True, False):  # half taken by the server before the hang, half not
        bot.server.add_fault(
            FaultRule(
                Fault.timeout(HANG_S, apply=applied), methods=("sendMessage",), probability=0.025
            )
        )
    with bot.session() as session:
        units = province(session, COUNT, first_user=FIRST_USER)
        task_for(session, units, WED, at(WED, 7))
    start_users(bot.server, [FIRST_USER + i for i in range(COUNT)])
    result = await asyncio.to_thread(dispatch, dispatch_context(bot.services), bot.clock.now())
    assert result is not None
    wake(bot.app)
    chats = {FIRST_USER + i for i in range(COUNT)}

    def arrived() -> set[int]:
        return {c.params["chat_id"] for c in sends_to_fanout(bot) if c.applied}

    await bot.server.wait_until(lambda: arrived() == chats, timeout=180)
    await bot.server.wait_until(
        lambda: all(c.finished_at for c in sends_to_fanout(bot)), timeout=30
    )
    calls = sends_to_fanout(bot)
    faults = Counter(c.fault for c in calls if c.fault)
    assert faults["server_error"] > 0
    assert faults["timeout"] > 0
    copies = Counter(c.params["chat_id"] for c in calls if c.applied)
    accepted_timeouts = Counter(
        c.params["chat_id"] for c in calls if c.fault == "timeout" and c.applied
    )
    for chat in chats:
        assert copies[chat] == 1 + accepted_timeouts[chat], f"chat {chat}: {copies[chat]} copies"
