"""The inbox: every update is finished, retried once after a crash, reported, then pruned."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from telegram import Update
from telegram.ext import CommandHandler, ContextTypes, MessageHandler, filters

from bot.app import build_application
from bot.settings import Settings
from core.clock import ManualClock
from db.models import Inbox
from devtools.botrun import polling
from devtools.fakebotapi import FakeBotApi
from scheduler.delivery import housekeeping
from tests.conftest import TEST_TOKEN
from tests.factories import make_contact
from tests.handlers.telegram.test_errors import explode
from tests.harness import ADMIN_ID, DEFAULT_NOW, BotUnderTest
from tests.scheduler.support import start_users

USER = 2201
UPDATE_ID = 990


def inbox_row(engine: Engine, update_id: int | str) -> Inbox | None:
    """Return the inbox row of an update, if recorded."""
    with Session(engine) as session:
        return session.exec(select(Inbox).where(Inbox.update_id == str(update_id))).first()


def processed(engine: Engine, update_id: int | str) -> bool:
    """Tell whether the inbox has the update marked processed."""
    row = inbox_row(engine, update_id)
    return row is not None and row.processed_at is not None


def left_unfinished(engine: Engine, *, attempts: int, text: str = "/help") -> None:
    """Record an update as a process that died while handling it would have left it."""
    payload: dict[str, Any] = {
        "update_id": UPDATE_ID,
        "message": {
            "message_id": 1,
            "date": int(DEFAULT_NOW.timestamp()) - 300,
            "chat": {"id": USER, "type": "private", "first_name": "Lan"},
            "from": {"id": USER, "is_bot": False, "first_name": "Lan", "language_code": "vi"},
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(text)}],
        },
    }
    with Session(engine) as session:
        session.add(
            Inbox(
                update_id=str(UPDATE_ID),
                kind="message",
                received_at=DEFAULT_NOW - timedelta(minutes=5),
                attempts=attempts,
                payload=payload,
            )
        )
        session.commit()


@asynccontextmanager
async def restarted(
    bot_settings: Settings, fake_api: FakeBotApi, engine: Engine, clock: ManualClock
) -> AsyncIterator[None]:
    """Start the bot on a database an earlier process left behind."""
    fake_api.add_user(ADMIN_ID, "Quản trị")
    start_users(fake_api, [USER, ADMIN_ID])
    async with polling(build_application(bot_settings, clock=clock, engine=engine)):
        yield


async def test_answered_update_is_marked_processed(bot: BotUnderTest) -> None:
    """Once its handlers finished, an update is processed and its payload is dropped."""
    bot.user(2202)
    update_id = bot.server.send_text(2202, "/help")
    await bot.server.wait_for_message(2202)
    await bot.server.wait_until(lambda: processed(bot.engine, update_id))
    row = inbox_row(bot.engine, update_id)
    assert row is not None
    assert (row.kind, row.attempts, row.payload) == ("message", 0, None)


async def test_update_ending_in_the_error_handler_is_marked_processed(bot: BotUnderTest) -> None:
    """A flow that fails is done with: the person was told, so it is not run again."""
    bot.app.add_handler(CommandHandler("boom", explode), group=1)
    bot.user(2203)
    update_id = bot.server.send_text(2203, "/boom")
    await bot.server.wait_for_message(2203, lambda m: "mã lỗi" in (m.text or ""))
    await bot.server.wait_until(lambda: processed(bot.engine, update_id))


async def test_unfinished_update_from_before_a_restart_is_run_again(
    bot_settings: Settings, fake_api: FakeBotApi, engine: Engine, clock: ManualClock
) -> None:
    """An update the previous process never finished is answered after the restart."""
    left_unfinished(engine, attempts=0)
    async with restarted(bot_settings, fake_api, engine, clock):
        answer = await fake_api.wait_for_message(USER)
        await fake_api.wait_until(lambda: processed(engine, UPDATE_ID))
    assert "liên kết mời" in (answer.text or "")
    row = inbox_row(engine, UPDATE_ID)
    assert row is not None
    assert (row.attempts, row.payload) == (1, None)


async def test_update_unfinished_after_its_retry_is_reported_to_admins(
    bot_settings: Settings, fake_api: FakeBotApi, engine: Engine, clock: ManualClock
) -> None:
    """An update that did not finish on its retry either is given up and the admins told."""
    with Session(engine) as session:
        make_contact(session, ADMIN_ID, role="admin")
    left_unfinished(engine, attempts=1)
    async with restarted(bot_settings, fake_api, engine, clock):
        notice = await fake_api.wait_for_message(ADMIN_ID, lambda m: "Lan" in (m.text or ""))
    assert str(USER) in (notice.text or "")
    assert "dừng giữa chừng hai lần" in (notice.text or "")
    assert fake_api.messages(USER) == []
    assert processed(engine, UPDATE_ID)


async def test_housekeeping_prunes_inbox_rows_older_than_30_days(bot: BotUnderTest) -> None:
    """Updates received more than 30 days ago are deleted; newer ones stay."""
    now = bot.clock.now()
    ages = {"old": timedelta(days=31), "recent": timedelta(days=29)}
    with bot.session() as s:
        for name, age in ages.items():
            s.add(Inbox(update_id=name, kind="message", received_at=now - age, processed_at=now))
        s.commit()
    housekeeping(bot.services)
    assert inbox_row(bot.engine, "old") is None
    assert inbox_row(bot.engine, "recent") is not None


async def test_update_in_flight_keeps_telegrams_json_until_finished(bot: BotUnderTest) -> None:
    """While its handlers run, an update's row holds the update as Telegram sent it."""
    seen: list[Inbox | None] = []

    async def look(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        seen.append(inbox_row(bot.engine, update.update_id))

    bot.app.add_handler(MessageHandler(filters.ALL, look), group=1)
    bot.user(2204)
    update_id = bot.server.send_text(2204, "/help")
    await bot.server.wait_until(lambda: processed(bot.engine, update_id))
    [row] = seen
    assert row is not None
    assert row.processed_at is None
    assert row.payload == bot.server.state.updates.log[-1].payload


@asynccontextmanager
async def server_and_bot(
    bot_settings: Settings, engine: Engine, clock: ManualClock, *, first_update_id: int
) -> AsyncIterator[FakeBotApi]:
    """Start a fake server whose update ids start at `first_update_id`, and the bot on it."""
    async with FakeBotApi(TEST_TOKEN, first_update_id=first_update_id) as server:
        start_users(server, [USER])
        urls = {"telegram_base_url": server.base_url}
        urls["telegram_base_file_url"] = server.base_file_url
        settings = bot_settings.model_copy(update=urls)
        async with polling(build_application(settings, clock=clock, engine=engine)):
            yield server


def epochs_of(engine: Engine, update_id: int) -> list[int]:
    """Return the epochs in which the inbox holds an update id, in order."""
    with Session(engine) as session:
        found = select(Inbox.epoch).where(Inbox.update_id == str(update_id))
        return sorted(session.exec(found.order_by(col(Inbox.epoch))))


async def test_server_restarted_with_ids_starting_again_is_answered(
    bot_settings: Settings, engine: Engine, clock: ManualClock
) -> None:
    """A new server that gives out the same update ids again: its messages are new ones."""
    async with server_and_bot(bot_settings, engine, clock, first_update_id=1000) as first:
        assert first.send_text(USER, "/help") == 1000
        await first.wait_for_message(USER)
        await first.wait_until(lambda: processed(engine, 1000))
    async with server_and_bot(bot_settings, engine, clock, first_update_id=1000) as second:
        assert second.send_text(USER, "/whoami") == 1000
        answer = await second.wait_for_message(USER)
        await second.wait_until(lambda: len(epochs_of(engine, 1000)) == 2)
    assert "liên kết mời" in (answer.text or "")
    assert epochs_of(engine, 1000) == [0, 1]


async def test_server_restarted_far_below_starts_a_new_epoch_at_once(
    bot_settings: Settings, engine: Engine, clock: ManualClock
) -> None:
    """Ids that start again far below the last ones are a new epoch from the first update."""
    async with server_and_bot(bot_settings, engine, clock, first_update_id=5_000_000) as first:
        first.send_text(USER, "/help")
        await first.wait_until(lambda: processed(engine, 5_000_000))
    async with server_and_bot(bot_settings, engine, clock, first_update_id=1000) as second:
        second.send_text(USER, "/help")
        await second.wait_for_message(USER)
        await second.wait_until(lambda: processed(engine, 1000))
    assert (epochs_of(engine, 5_000_000), epochs_of(engine, 1000)) == ([0], [1])


async def test_update_redelivered_after_a_restart_of_the_bot_is_dropped(
    bot_settings: Settings, engine: Engine, clock: ManualClock
) -> None:
    """The same server handing out an update again after the bot restarted: not run twice."""
    async with FakeBotApi(TEST_TOKEN, first_update_id=1000) as server:
        start_users(server, [USER])
        urls = {"telegram_base_url": server.base_url}
        settings = bot_settings.model_copy(update=urls)
        async with polling(build_application(settings, clock=clock, engine=engine)):
            server.send_text(USER, "/help")
            server.send_text(USER, "/whoami")
            await server.wait_until(lambda: processed(engine, 1001))
        answered = len(server.messages(USER))
        async with polling(build_application(settings, clock=clock, engine=engine)):
            server.redeliver(1000)
            server.send_text(USER, "/help")
            await server.wait_until(lambda: processed(engine, 1002))
        assert len(server.messages(USER)) == answered + 1
    assert (epochs_of(engine, 1000), epochs_of(engine, 1002)) == ([0], [0])
