"""The bot under test: the real application, polling the fake Bot API server over HTTP.

`bot` gives a running bot on this test's SQLite database with a manual clock; tests act as
users through `bot.server` (or the shortcuts below) and assert on what the server received.
A test fails if a handler ran SQL on the event loop's thread (tests/loopguard.py).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.services import Services
from bot.app import App, build_application
from bot.settings import Settings
from core.clock import ManualClock
from db.models import Contact, ContactIdentity, Inbox, StatusReport
from devtools.botrun import polling
from devtools.fakebotapi import ChatMessage, FakeBotApi
from devtools.fakebotapi.observe import WAIT_S
from scheduler.delivery import DISPATCH_JOB
from tests.loopguard import assert_off_loop, loop_guard

VN = ZoneInfo("Asia/Ho_Chi_Minh")
# A Wednesday morning in working hours, not near a holiday.
DEFAULT_NOW = datetime(2026, 11, 18, 9, 0, tzinfo=VN)
ADMIN_ID = 1001
# The bot's own first dispatch in a test: a second after start, as it was before `dondoc
# run` dispatched at once (scheduler.delivery.DISPATCH_FIRST_S). A test arranges its data
# and runs its own dispatch in that second; the bot's, at start, would sweep the empty day
# first (and a test's run would wait for it, `dispatching`).
OWN_DISPATCH_AFTER_S = 1.0


@dataclass
class BotUnderTest:
    """A running bot, the fake server it talks to, its database and its clock."""

    app: App
    server: FakeBotApi
    engine: Engine
    clock: ManualClock
    settings: Settings

    @property
    def services(self) -> Services:
        """Return the running bot's services."""
        services: Services = self.app.bot_data.services
        return services

    def configure(self, **changes: object) -> None:
        """Change settings of the running bot (as if it had been started with them)."""
        self.settings = self.settings.model_copy(update=changes)
        self.services.settings = self.settings

    def no_morning_dispatch(self) -> None:
        """Stop the bot's own reminder dispatch (a second after start, then every minute).

        For a test that sends the reminders it means, or runs the dispatch itself at a chosen
        step: on a loaded machine the bot's own ran mid-test, before the step the test was
        about (a merge, a move), and its reminders were messages no step made.
        """
        assert self.app.job_queue is not None
        for job in self.app.job_queue.get_jobs_by_name(DISPATCH_JOB):
            job.schedule_removal()

    def session(self) -> Session:
        """Open a session on the bot's database (for arranging and checking data)."""
        return Session(self.engine, expire_on_commit=False)

    def user(self, user_id: int, name: str = "Người dùng", language: str | None = "vi") -> int:
        """Create a fake Telegram user and return their id."""
        self.server.add_user(user_id, name, language_code=language)
        return user_id

    async def send(
        self,
        user_id: int,
        text: str,
        *,
        reply_to: int | None = None,
        timeout: float = WAIT_S,
        match: Callable[[ChatMessage], bool] | None = None,
    ) -> ChatMessage:
        """Have the user send text and return the bot's next message in that chat."""
        after = self.server.last_message_id(user_id)
        self.server.send_text(user_id, text, reply_to=reply_to)
        return await self.server.wait_for_message(user_id, match, after=after, timeout=timeout)

    async def press(self, user_id: int, data: str, message_id: int | None = None) -> str:
        """Have the user press a button; return the text of the bot's answer to the press."""
        update_id = self.server.press_button(user_id, data, message_id)
        answer = await self.server.wait_for_answer(self.server.callback_id(update_id))
        return answer.text or ""

    async def processed(self, update_id: int, timeout: float = WAIT_S) -> None:
        """Wait until the bot has fetched an update and finished the ones before it."""
        await self.server.wait_for_delivery(update_id, timeout)
        await self.server.wait_until(lambda: self.server.pending_updates() == 0, timeout)


def buttons(message: ChatMessage) -> list[tuple[str, str]]:
    """Return (label, callback_data) of every inline button of a message."""
    markup = message.reply_markup or {}
    return [
        (b["text"], b.get("callback_data", ""))
        for row in markup.get("inline_keyboard", [])
        for b in row
    ]


def button_data(message: ChatMessage, label_part: str) -> str:
    """Return the callback data of the button whose label contains label_part."""
    for label, data in buttons(message):
        if label_part in label:
            return data
    raise AssertionError(f"no button with {label_part!r} in {buttons(message)}")


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeBotApi]:
    """Start the fake Bot API server on a free loopback port."""
    from tests.conftest import TEST_TOKEN

    async with FakeBotApi(TEST_TOKEN) as server:
        yield server


@pytest.fixture
def clock() -> ManualClock:
    """Return a clock standing at a weekday morning in working hours."""
    return ManualClock(DEFAULT_NOW)


@pytest.fixture
def bot_settings(settings: Settings, fake_api: FakeBotApi) -> Settings:
    """Return the test settings pointed at the fake server, with one bootstrap admin."""
    return settings.model_copy(
        update={
            "telegram_base_url": fake_api.base_url,
            "telegram_base_file_url": fake_api.base_file_url,
            "admin_ids": [ADMIN_ID],
        }
    )


@pytest.fixture
async def bot(
    bot_settings: Settings, fake_api: FakeBotApi, engine: Engine, clock: ManualClock
) -> AsyncIterator[BotUnderTest]:
    """Run the real application against the fake server until the test ends."""
    app = build_application(bot_settings, clock=clock, engine=engine)
    assert app.job_queue is not None
    first = datetime.now(UTC) + timedelta(seconds=OWN_DISPATCH_AFTER_S)
    for job in app.job_queue.get_jobs_by_name(DISPATCH_JOB):
        job.job.modify(next_run_time=first)
    fake_api.add_user(ADMIN_ID, "Quản trị", language_code="vi")
    with loop_guard(engine) as guard:
        async with polling(app):
            yield BotUnderTest(app, fake_api, engine, clock, bot_settings)
    assert_off_loop(guard)


def stored_text(engine: Engine) -> str:
    """Return what the database keeps of people and updates (inbox JSON, names, usernames,
    reports' texts)."""
    with Session(engine) as s:
        payloads = [row.payload for row in s.exec(select(Inbox))]
        names = [c.display_name for c in s.exec(select(Contact))]
        usernames = [i.username or "" for i in s.exec(select(ContactIdentity))]
        reports = [r.text + (r.reason or "") for r in s.exec(select(StatusReport))]
    return json.dumps(payloads, ensure_ascii=False) + "".join(names + usernames + reports)
