"""The bot with Zalo: the real application on both fake servers (Telegram and Zalo).

`zbot` runs `build_application` with Zalo settings pointed at a fake Zalo Bot API, so the
Zalo polling loop and sender run in the process as `dondoc run` runs them. Tests act as
Zalo users through `zbot.zalo` and read what the bot sent there.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from pydantic import SecretStr
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.services import Services
from bot.app import build_application
from bot.settings import Settings
from core.clock import ManualClock
from db.models import Inbox
from devtools.botrun import polling
from devtools.fakebotapi import FakeBotApi
from devtools.fakezalo import FakeZalo
from devtools.fakezalo.server import WAIT_S
from scheduler.delivery import DISPATCH_JOB
from tests.harness import ADMIN_ID, BotUnderTest

ZALO_ADMIN = "a0d1a2f3b4c5d6e7"


@dataclass
class ZaloBot:
    """The running bot (Telegram side in `tg`) and the fake Zalo server."""

    tg: BotUnderTest
    zalo: FakeZalo

    @property
    def services(self) -> Services:
        """Return the running bot's services."""
        return self.tg.services

    def session(self) -> Session:
        """Open a session on the bot's database."""
        return self.tg.session()

    async def say(self, user: str, text: str, *, timeout: float = WAIT_S) -> list[str]:
        """Send text as a Zalo user; return what the bot answered once it handled it."""
        after = len(self.zalo.messages(user))
        message_id = self.zalo.send_text(user, text)
        await self.handled(message_id, timeout)
        return [m.text for m in self.zalo.messages(user)[after:]]

    async def photo(self, user: str, content: bytes, caption: str = "") -> list[str]:
        """Send a photo as a Zalo user; return what the bot answered."""
        after = len(self.zalo.messages(user))
        message_id = self.zalo.send_photo(user, content, caption)
        await self.handled(message_id)
        return [m.text for m in self.zalo.messages(user)[after:]]

    async def handled(self, message_id: str, timeout: float = WAIT_S) -> None:
        """Wait until the bot has finished handling a Zalo event (its inbox row)."""

        def done() -> bool:
            with self.session() as s:
                row = s.exec(
                    select(Inbox).where(Inbox.channel == "zalo", Inbox.update_id == message_id)
                ).first()
            return row is not None and row.processed_at is not None

        await self.zalo.wait_until(done, timeout)


@pytest.fixture
async def fake_zalo() -> AsyncIterator[FakeZalo]:
    """Start the fake Zalo Bot API on a free loopback port.

    Its idle polls end after 0.1 s: a stopping bot lets its open poll end, and each test's
    stop would otherwise wait the poll's whole timeout."""
    async with FakeZalo(longest_poll_s=0.1) as server:
        yield server


@pytest.fixture
async def zbot(
    bot_settings: Settings,
    fake_api: FakeBotApi,
    fake_zalo: FakeZalo,
    engine: Engine,
    clock: ManualClock,
) -> AsyncIterator[ZaloBot]:
    """Run the real application with Telegram and Zalo until the test ends."""
    settings = bot_settings.model_copy(
        update={
            "zalo_bot_token": SecretStr(fake_zalo.token),
            "zalo_base_url": fake_zalo.url,
            # A person here writes the moment the last answer arrives; the one-a-second
            # spacing of a person's messages is tested in test_sender.py, on its own.
            "zalo_send_per_person_s": 0.02,
            "zalo_admin_ids": [ZALO_ADMIN],
        }
    )
    app = build_application(settings, clock=clock, engine=engine)
    fake_api.add_user(ADMIN_ID, "Quản trị", language_code="vi")
    fake_zalo.add_user(ZALO_ADMIN, "Quản trị Zalo")
    # The tests run the morning dispatch themselves when they mean to (dispatch()); the
    # job's own first run, as the job queue starts, would remind people mid-conversation:
    # taken off before the application starts.
    assert app.job_queue is not None
    for job in app.job_queue.get_jobs_by_name(DISPATCH_JOB):
        job.schedule_removal()
    async with polling(app):
        yield ZaloBot(BotUnderTest(app, fake_api, engine, clock, settings), fake_zalo)
