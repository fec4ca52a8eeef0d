"""A status reply while SQLite's write lock is held elsewhere (the reminder sweep, a backup):
the bot waits for the lock, then records the report once and confirms it as usual.

The lock is taken as the report is about to be inserted and held past the busy wait
(shortened here, so the test is quick): the insert used to fail "database is locked" and the
official got the generic error instead of the confirmation.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from app.signing import sign
from devtools.fakebotapi import ChatMessage
from tests.faults.test_evidence_outage import LOCK_SECONDS, short_busy_wait, told_held
from tests.handlers.telegram.checkin_world import OFFICIAL, remind, reports, scene
from tests.harness import BotUnderTest
from tests.locks import lock_for_a_while

__all__ = ["short_busy_wait"]  # the fixture, used by name


def answered(message: ChatMessage) -> bool:
    """Tell whether a message answers the report: recorded, or the generic error."""
    return any(words in (message.text or "") for words in ("Đã ghi nhận", "mã lỗi"))


def held_notice(message: ChatMessage) -> bool:
    """Tell whether a message is the notice that the official's message is held."""
    return "tạm gián đoạn" in (message.text or "")


@pytest.fixture
def lock_at_first_report(bot: BotUnderTest, db_path: Path) -> Iterator[threading.Event]:
    """Take the write lock from another connection as the first report is inserted, and
    give it back LOCK_SECONDS later; the event is set once it is given back."""
    held, taken = threading.Event(), threading.Event()

    def take(*args: Any) -> None:
        statement: str = args[2]
        if taken.is_set() or not statement.lstrip().upper().startswith(
            "INSERT INTO STATUS_REPORT"
        ):
            return
        taken.set()
        lock_for_a_while(db_path, LOCK_SECONDS, held)

    event.listen(bot.engine, "before_cursor_execute", take)
    yield held
    event.remove(bot.engine, "before_cursor_execute", take)


async def test_a_done_reply_to_a_reminder_while_the_database_is_locked_is_recorded_once(
    short_busy_wait: None, bot: BotUnderTest, lock_at_first_report: threading.Event
) -> None:
    """Lan answers a reminder "xong" while another process holds the write lock: once it is
    free the done report is stored once, and she is told it was, after one notice to wait."""
    world = await scene(bot)
    aid = world.assignments[0]
    reminder = await remind(bot, OFFICIAL, [aid])
    reply = await bot.send(OFFICIAL, "xong", reply_to=reminder.message_id, match=answered)
    assert "Đã ghi nhận: Hoàn thành" in (reply.text or "")
    assert lock_at_first_report.is_set()
    assert told_held(bot) == 1
    assert [(r.assignment_id, r.state, r.source) for r in reports(bot)] == [(aid, "done", "text")]


async def test_a_done_button_pressed_while_the_database_is_locked_is_recorded_once(
    short_busy_wait: None, bot: BotUnderTest, lock_at_first_report: threading.Event
) -> None:
    """Lan presses done under a reminder while another process holds the write lock: once
    it is free the done report is stored once and the press answered with it."""
    world = await scene(bot)
    aid = world.assignments[0]
    await remind(bot, OFFICIAL, [aid])
    answer = await bot.press(
        OFFICIAL, sign(bot.services.button_key, str(OFFICIAL), "st", "done", aid)
    )
    assert answer.startswith("Đã ghi nhận: Hoàn thành")
    assert lock_at_first_report.is_set()
    assert told_held(bot) == 1
    assert [(r.assignment_id, r.state, r.source) for r in reports(bot)] == [
        (aid, "done", "button")
    ]


async def test_a_question_answered_while_the_database_is_locked_is_not_read_again(
    short_busy_wait: None, bot: BotUnderTest, lock_at_first_report: threading.Event
) -> None:
    """Lan types the task the bot asked about while the write lock is held: the question
    was cleared before the report failed, so running it again would read her number as a new
    text and ask again which task; she gets the error (as before) and can type it again."""
    world = await scene(bot, tasks=2)
    await bot.send(OFFICIAL, "xong rồi")
    reply = await bot.send(OFFICIAL, str(world.tasks[1].id), match=lambda m: not held_notice(m))
    assert "mã lỗi" in (reply.text or "")
    assert told_held(bot) == 0
    assert reports(bot) == []
