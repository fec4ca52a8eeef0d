"""An update is marked processed in the next update's own write, or by itself after a moment.

Each mark was a transaction of its own (grouped), from another thread: while updates keep
coming, the next update's row is written anyway and carries the marks (inbox_marks.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from sqlalchemy.engine import Engine

from bot.app import build_application
from bot.settings import Settings
from core.clock import ManualClock
from db.engine import session_scope
from db.queries import inbox as rows
from db.queries.inbox import InboxKey
from devtools.botrun import polling
from devtools.fakebotapi import FakeBotApi
from handlers.telegram.inbox_app import InboxApplication
from handlers.telegram.inbox_marks import FinishMarks
from handlers.telegram.senders import CHANNEL
from tests.handlers.telegram.test_inbox import processed
from tests.harness import DEFAULT_NOW
from tests.scheduler.support import start_users

KEPT_LONG_S = 3600.0  # marks wait this long for a row: only rows (or a stop) write them


def row(engine: Engine, update_id: str) -> InboxKey:
    """Record an update's row as the inbox does; return its key."""
    key = InboxKey("bot", 0, update_id)
    with session_scope(engine) as session:
        rows.record(
            session.connection(),
            channel=CHANNEL,
            key=key,
            kind="message",
            payload={"update_id": int(update_id)},
            digest="",
            now=DEFAULT_NOW,
        )
    return key


async def test_a_handled_update_is_marked_in_the_next_updates_row_and_the_last_at_the_stop(
    bot_settings: Settings, fake_api: FakeBotApi, engine: Engine, clock: ManualClock
) -> None:
    start_users(fake_api, [2301, 2302])
    app = build_application(bot_settings, clock=clock, engine=engine)
    assert isinstance(app, InboxApplication)
    app.marks = FinishMarks(engine, clock.now, wait_s=KEPT_LONG_S)
    async with polling(app):
        first = fake_api.send_text(2301, "/help")
        await fake_api.wait_for_message(2301)
        assert not processed(engine, first)  # handled; its mark waits for a row

        second = fake_api.send_text(2302, "/help")
        await fake_api.wait_for_message(2302)
        assert processed(engine, first)  # written with the second's row
        assert not processed(engine, second)
        assert app.marks._writes.transactions == 0  # no write of the marks' own
    assert processed(engine, second)  # the stop writes what is left


async def test_a_mark_no_row_takes_is_written_by_itself_after_a_moment(engine: Engine) -> None:
    key = row(engine, "41")
    marks = FinishMarks(engine, lambda: DEFAULT_NOW, wait_s=0.05)

    marks.add(key)
    await _until(lambda: processed(engine, "41"))
    assert marks._writes.transactions == 1


async def test_marks_taken_by_a_row_that_failed_are_written_all_the_same(engine: Engine) -> None:
    """The row's transaction rolled back with the marks in it: they are given back, for
    the next row or, none coming, written by themselves."""
    keys = [row(engine, "51"), row(engine, "52")]
    marks = FinishMarks(engine, lambda: DEFAULT_NOW, wait_s=0.05)
    for key in keys:
        marks.add(key)

    taken = marks.take()
    assert taken == keys
    marks.give_back(taken)  # the row's write failed

    await _until(lambda: processed(engine, "51") and processed(engine, "52"))


async def test_marks_taken_by_a_row_are_not_written_twice(engine: Engine) -> None:
    key = row(engine, "61")
    marks = FinishMarks(engine, lambda: DEFAULT_NOW, wait_s=0.01)
    marks.add(key)
    assert marks.take() == [key]  # a row carries it

    await marks.close()
    assert marks._writes.transactions == 0
    assert not processed(engine, "61")  # the row that took it writes it, not the marks


async def _until(condition: Callable[[], bool]) -> None:
    for _ in range(500):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("not within 10 s")
