"""A stop with Zalo's long poll open: what that poll brings is kept for the next start.

Zalo's getUpdates has no offset nor acknowledgement: an event it hands to the open poll as
the bot stops is the bot's alone. The stop lets that poll end and stores the event unhandled;
the next start answers it, once.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from datetime import timedelta

import pytest
from pydantic import SecretStr
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.app import build_application, build_services
from bot.settings import Settings
from bot.zalo import ZaloRuntime
from core.clock import ManualClock
from db.models import Inbox
from devtools.botrun import polling
from devtools.fakebotapi import FakeBotApi, Fault, FaultRule
from devtools.fakezalo import FakeZalo
from tests.harness import ADMIN_ID
from tests.zalo.conftest import ZALO_ADMIN


def inbox_row(engine: Engine, message_id: str) -> Inbox | None:
    """Return the inbox row of that Zalo event, if stored."""
    with Session(engine) as s:
        found = select(Inbox).where(Inbox.channel == "zalo", Inbox.update_id == message_id)
        return s.exec(found).first()


async def test_a_message_taken_by_the_poll_open_at_stop_is_answered_after_the_next_start(
    settings: Settings,
    engine: Engine,
    clock: ManualClock,
    fake_zalo: FakeZalo,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The bot stops while its getUpdates is open; "/help" comes then: not answered during
    the stop, stored, and answered once by the next start (it was lost, answered never)."""
    zalo_settings = settings.model_copy(
        update={
            "zalo_bot_token": SecretStr(fake_zalo.token),
            "zalo_base_url": fake_zalo.url,
            "zalo_admin_ids": [ZALO_ADMIN],
        }
    )
    fake_zalo.state.longest_poll_s = 60.0  # the poll still open when the message comes
    fake_zalo.add_user(ZALO_ADMIN, "Quản trị Zalo")

    def runtime(poll_timeout: int) -> ZaloRuntime:
        services = build_services(zalo_settings, fake_zalo.token, clock=clock, engine=engine)
        return ZaloRuntime(
            zalo_settings, services, standalone_jobs=False, poll_timeout=poll_timeout
        )

    first = runtime(5)  # its poll still open when the message comes
    await first.start()
    await fake_zalo.wait_until(lambda: fake_zalo.polls_waiting() == 1, 10)
    caplog.set_level(logging.INFO, logger="handlers.zalo.poller")
    stopping = asyncio.create_task(first.stop())
    await asyncio.sleep(0.05)  # the stop under way, the poll still open
    assert first.stopping.is_set()
    message_id = fake_zalo.send_text(ZALO_ADMIN, "/help")
    await stopping
    assert fake_zalo.polls_waiting() == 0  # the stop waited for its poll
    assert fake_zalo.messages(ZALO_ADMIN) == []  # not answered during the stop
    stored = inbox_row(engine, message_id)
    assert stored is not None
    assert stored.processed_at is None
    assert "1 event(s) kept for the next start" in caplog.text

    clock.advance(timedelta(minutes=1))
    second = runtime(1)
    await second.start()
    try:

        def handled() -> bool:
            row = inbox_row(engine, message_id)
            return row is not None and row.processed_at is not None

        await fake_zalo.wait_until(handled, 10)
    finally:
        await second.stop()
    answers = [m.text for m in fake_zalo.messages(ZALO_ADMIN)]
    assert sum(text.startswith("Các lệnh dùng được") for text in answers) == 1  # once


async def test_telegram_and_zalo_stop_at_once_not_one_after_the_other(
    bot_settings: Settings,
    fake_api: FakeBotApi,
    fake_zalo: FakeZalo,
    engine: Engine,
    clock: ManualClock,
) -> None:
    """The bot stops while Telegram's answer to /help is held by the fake (Telegram's stop
    waits for that update): Zalo's stop goes on meanwhile and ends, its poll and sender done,
    before the held answer is let go; then Telegram's stop ends too. (Zalo's began only
    once Telegram's had ended: a stop took the sum of both.)"""
    zalo_settings = bot_settings.model_copy(
        update={
            "zalo_bot_token": SecretStr(fake_zalo.token),
            "zalo_base_url": fake_zalo.url,
            "zalo_admin_ids": [ZALO_ADMIN],
        }
    )
    app = build_application(zalo_settings, clock=clock, engine=engine)
    fake_api.add_user(ADMIN_ID, "Quản trị", language_code="vi")
    held, reached = threading.Event(), threading.Event()
    fake_api.add_fault(
        FaultRule(Fault.hold(held, reached), methods=["sendMessage"], chat_ids=[ADMIN_ID])
    )
    runtime = app.bot_data.zalo
    assert isinstance(runtime, ZaloRuntime)
    stopped = polling(app)
    await stopped.__aenter__()
    try:
        fake_api.send_text(ADMIN_ID, "/help")
        assert await asyncio.to_thread(reached.wait, 10)
        stopping = asyncio.create_task(stopped.__aexit__(None, None, None))
        await asyncio.wait_for(runtime.wait(), 10)  # Zalo stopped, Telegram's answer held
        assert not stopping.done()
        assert fake_api.messages(ADMIN_ID) == []
    finally:
        held.set()
    await stopping
    assert fake_api.messages(ADMIN_ID) != []  # the held answer went, then Telegram stopped


async def test_an_event_zalo_hands_the_open_poll_past_its_asked_time_is_kept(
    settings: Settings,
    engine: Engine,
    clock: ManualClock,
    fake_zalo: FakeZalo,
) -> None:
    """Zalo holds getUpdates its own 30 s whatever the second asked; the bot stops, and
    "/help" comes past the 3 s (asked, plus 2) a stop waited for its poll: the stop still
    waits, and stores it for the next start (it dropped the poll, and Zalo handed the
    message to it: lost)."""
    zalo_settings = settings.model_copy(
        update={
            "zalo_bot_token": SecretStr(fake_zalo.token),
            "zalo_base_url": fake_zalo.url,
            "zalo_admin_ids": [ZALO_ADMIN],
        }
    )
    fake_zalo.hold_polls(30)  # a Zalo that does not read the `timeout` asked
    fake_zalo.add_user(ZALO_ADMIN, "Quản trị Zalo")
    services = build_services(zalo_settings, fake_zalo.token, clock=clock, engine=engine)
    bot = ZaloRuntime(zalo_settings, services, standalone_jobs=False, poll_timeout=1)
    await bot.start()
    await fake_zalo.wait_until(lambda: fake_zalo.polls_waiting() == 1, 10)
    stopping = asyncio.create_task(bot.stop())
    await fake_zalo.wait_until(lambda: fake_zalo.poll_held_s() > 1 + 2 + 1, 10)
    message_id = fake_zalo.send_text(ZALO_ADMIN, "/help")
    await stopping
    stored = inbox_row(engine, message_id)
    assert stored is not None
    assert stored.processed_at is None


async def test_a_stop_gives_up_a_poll_held_past_what_the_stop_may_take(
    settings: Settings,
    engine: Engine,
    clock: ManualClock,
    fake_zalo: FakeZalo,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Zalo holds the open poll longer than the stop may wait (systemd's 30 s, less what
    follows): the stop gives it up at its budget, and says so."""
    zalo_settings = settings.model_copy(
        update={
            "zalo_bot_token": SecretStr(fake_zalo.token),
            "zalo_base_url": fake_zalo.url,
            "zalo_admin_ids": [ZALO_ADMIN],
        }
    )
    fake_zalo.hold_polls(30)
    services = build_services(zalo_settings, fake_zalo.token, clock=clock, engine=engine)
    bot = ZaloRuntime(zalo_settings, services, standalone_jobs=False, poll_timeout=1)
    bot.poller.stop_budget_s = 0.5
    await bot.start()
    await fake_zalo.wait_until(lambda: fake_zalo.polls_waiting() == 1, 10)
    caplog.set_level(logging.INFO, logger="handlers.zalo.poller")
    await asyncio.wait_for(bot.stop(), 10)
    assert "Zalo getUpdates still open after 0.5 s of the stop: given up" in caplog.text
