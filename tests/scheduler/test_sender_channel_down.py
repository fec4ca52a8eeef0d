"""Telegram out of reach (blocked, the network down): the queue is held, not failed."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from telegram.ext import ExtBot

from app.services import Services
from db.models import Outbox
from db.queries.outbox import enqueue
from devtools.fakezalo import FakeZalo
from devtools.ports import free_port
from handlers.telegram.transport import telegram_request
from scheduler.delivery import SENDER_JOB
from scheduler.ratelimit import DeliveryRateLimiter
from scheduler.sender import MAX_ATTEMPTS, drain
from scheduler.zalo_sender import ZaloPacer
from scheduler.zalo_sender import drain as zalo_drain
from tests.harness import BotUnderTest
from tests.scheduler.support import start_users
from tests.scheduler.test_sender import stop_jobs
from tests.zalo.test_sender import PEOPLE, queue, send_all, services, statuses, zalo
from zalo import ZaloClient

__all__ = ["services", "zalo"]  # the fixtures the Zalo test takes

USER = 6101
TEXTS = [f"Thông báo {n}" for n in range(3)]  # one person's


async def test_a_long_telegram_outage_holds_the_queue_and_sends_each_message_once(
    bot: BotUnderTest, caplog: pytest.LogCaptureFixture
) -> None:
    """Telegram refusing connections through more drains than a message has tries: each
    message failed after 8 (some 37 minutes of outage), and every try logged that it "may
    arrive twice" though nothing could have been sent. Now none is spent: one line says
    Telegram is out of reach, and once it answers each message goes once, and
    one line says so."""
    stop_jobs(bot, SENDER_JOB)  # the sender is run by hand, against each address
    start_users(bot.server, [USER])
    with bot.session() as session:
        for n, text in enumerate(TEXTS):
            enqueue(
                session,
                key=f"outage:{n}",
                chat_id=str(USER),
                kind="notice",
                text=text,
                now=bot.clock.now(),
            )
        session.commit()
    request = telegram_request("aiohttp", connection_pool_size=4)
    await request.initialize()
    limiter = DeliveryRateLimiter(bot.services.settings.send_rate_per_s)
    await limiter.initialize()
    blocked = ExtBot(
        bot.app.bot.token,
        base_url=f"http://127.0.0.1:{free_port()}/bot",  # nothing listens there
        request=request,
        rate_limiter=limiter,
    )
    caplog.set_level(logging.INFO, logger="scheduler")
    try:
        for _ in range(MAX_ATTEMPTS + 2):
            sent = await drain(blocked, bot.services, owner="blocked", keep_going=lambda: True)
            assert sent == 0
    finally:
        await request.shutdown()
        await limiter.shutdown()
    said = [r.getMessage() for r in caplog.records]
    assert not [line for line in said if "may arrive twice" in line]
    assert len([line for line in said if "Telegram is out of reach" in line]) == 1
    with bot.session() as session:
        rows = list(session.exec(select(Outbox).where(col(Outbox.key).startswith("outage:"))))
    assert {(r.status, r.attempts) for r in rows} == {("pending", 0)}

    sent = await drain(bot.app.bot, bot.services, owner="answering", keep_going=lambda: True)
    assert sent == len(TEXTS)
    assert sorted(m.text or "" for m in bot.server.messages(USER)) == TEXTS
    said = [r.getMessage() for r in caplog.records]
    assert len([line for line in said if "Telegram answers again" in line]) == 1
    with bot.session() as session:
        rows = list(session.exec(select(Outbox).where(col(Outbox.key).startswith("outage:"))))
    assert {r.status for r in rows} == {"sent"}


async def test_a_long_zalo_outage_holds_the_queue_and_sends_each_message_once(
    zalo: FakeZalo, services: Services, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    """The same on Zalo, through the same rule (scheduler/channel_down.py): Zalo refusing
    connections through more drains than a message has tries fails nothing and spends no
    try; once it answers, each message goes once."""
    for n, text in enumerate(TEXTS):
        queue(engine, PEOPLE[0], text, f"zalo-outage:{n}")
    caplog.set_level(logging.INFO, logger="scheduler")
    closed = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    async with ZaloClient(zalo.token, closed, backoff=(0.01, 0.02)) as client:
        for _ in range(MAX_ATTEMPTS + 2):
            pacer = ZaloPacer(10)
            sent = await zalo_drain(client, services, pacer, owner="t", keep_going=lambda: True)
            assert sent == 0
    said = [r.getMessage() for r in caplog.records]
    assert not [line for line in said if "may arrive twice" in line]
    assert len([line for line in said if "Zalo is out of reach" in line]) == 1
    with Session(engine) as session:
        rows = list(session.exec(select(Outbox)))
    assert {(r.status, r.attempts) for r in rows} == {("pending", 0)}

    assert await send_all(zalo, services) == 3
    assert sorted(m.text for m in zalo.messages(PEOPLE[0])) == TEXTS
    assert statuses(engine) == ["sent"] * 3
    said = [r.getMessage() for r in caplog.records]
    assert len([line for line in said if "Zalo answers again" in line]) == 1
