"""Updates of different people fetched by one getUpdates are recorded in one transaction.

A morning's replies come many to a batch; each row in its own transaction and trip to the
update pool cost a tenth of a reply's work. Copies, a database that does not answer and
anything unusual are still told apart one by one, with nothing lost or answered twice.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event

from bot.app import build_application
from bot.settings import Settings
from core.clock import ManualClock
from devtools.botrun import polling
from devtools.fakebotapi import FakeBotApi
from tests.conftest import TEST_TOKEN
from tests.faults.test_evidence_outage import LOCK_SECONDS, short_busy_wait
from tests.handlers.telegram.test_inbox import epochs_of, processed
from tests.locks import locking_at
from tests.scheduler.support import start_users

__all__ = ["short_busy_wait"]  # the fixture, used by name

PEOPLE = [2301, 2302, 2303, 2304]
FIRST_ID = 1000
HELD = "tạm gián đoạn"  # the notice that a message waits for the database


@contextmanager
def inbox_transactions(engine: Engine) -> Iterator[list[int]]:
    """Yield, as they end, how many inbox rows each committed transaction wrote."""
    ended: list[int] = []
    open_: dict[int, int] = {}

    def executed(*args: Any) -> None:
        if args[2].lstrip().upper().startswith("INSERT INTO INBOX"):
            me = threading.get_ident()
            open_[me] = open_.get(me, 0) + 1

    def committed(_connection: Any) -> None:
        rows = open_.pop(threading.get_ident(), 0)
        if rows:
            ended.append(rows)

    event.listen(engine, "before_cursor_execute", executed)
    event.listen(engine, "commit", committed)
    try:
        yield ended
    finally:
        event.remove(engine, "before_cursor_execute", executed)
        event.remove(engine, "commit", committed)


@asynccontextmanager
async def fetched_together(
    server: FakeBotApi, bot_settings: Settings, engine: Engine, clock: ManualClock
) -> AsyncIterator[None]:
    """Start the bot on `server` once its updates wait there: its first getUpdates takes
    them all at once."""
    urls = {"telegram_base_url": server.base_url}
    settings = bot_settings.model_copy(update=urls)
    async with polling(build_application(settings, clock=clock, engine=engine)):
        yield


def answers(server: FakeBotApi, user: int) -> list[str]:
    """Return the texts the bot sent a person."""
    return [m.text or "" for m in server.messages(user)]


async def test_several_peoples_messages_fetched_together_are_recorded_in_one_transaction(
    bot_settings: Settings, engine: Engine, clock: ManualClock
) -> None:
    """Four officials write at once: their four rows are committed together, and each is
    answered once."""
    async with FakeBotApi(TEST_TOKEN, first_update_id=FIRST_ID) as server:
        start_users(server, PEOPLE)
        last = [server.send_text(user, "/help") for user in PEOPLE][-1]
        with inbox_transactions(engine) as transactions:
            async with fetched_together(server, bot_settings, engine, clock):
                await server.wait_until(lambda: processed(engine, last))
        assert transactions == [len(PEOPLE)]
        assert [len(answers(server, user)) for user in PEOPLE] == [1, 1, 1, 1]


async def test_a_copy_fetched_with_others_is_dropped_and_the_others_answered(
    bot_settings: Settings, engine: Engine, clock: ManualClock
) -> None:
    """Telegram hands out again an update the bot had recorded (a restart before it was
    told), beside new messages of others: the copy is not answered again, the others are."""
    first, *others = PEOPLE
    async with FakeBotApi(TEST_TOKEN, first_update_id=FIRST_ID) as server:
        start_users(server, PEOPLE)
        async with fetched_together(server, bot_settings, engine, clock):
            server.send_text(first, "/help")
            await server.wait_until(lambda: processed(engine, FIRST_ID))
        server.redeliver(FIRST_ID)
        last = [server.send_text(user, "/help") for user in others][-1]
        async with fetched_together(server, bot_settings, engine, clock):
            await server.wait_until(lambda: processed(engine, last))
        assert [len(answers(server, user)) for user in PEOPLE] == [1, 1, 1, 1]
    assert epochs_of(engine, FIRST_ID) == [0]


async def test_messages_fetched_together_while_the_database_is_locked_are_answered_after(
    short_busy_wait: None,
    bot_settings: Settings,
    engine: Engine,
    clock: ManualClock,
    db_path: Path,
) -> None:
    """Another process holds SQLite's write lock as the batch is recorded: each person is
    told once that their message waits, and answered once when the lock is free."""
    async with FakeBotApi(TEST_TOKEN, first_update_id=FIRST_ID) as server:
        start_users(server, PEOPLE)
        last = [server.send_text(user, "/help") for user in PEOPLE][-1]
        with locking_at(engine, db_path, LOCK_SECONDS) as arm:
            released = arm("INSERT INTO INBOX")
            async with fetched_together(server, bot_settings, engine, clock):
                await server.wait_until(lambda: processed(engine, last))
        assert released.is_set()
        for user in PEOPLE:
            texts = answers(server, user)
            assert [HELD in text for text in texts] == [True, False], texts
