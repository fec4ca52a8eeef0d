"""A status reply while SQLite's write lock is held elsewhere (the reminder sweep, a backup):
the bot waits for the lock, then records the report once and confirms it as usual.

The lock is taken as the first write of the answer is about to run (the report's insert, or
forgetting the question it answers) and held past the busy wait (shortened here, so the
test is quick): the write used to fail "database is locked" and the official got the
generic error instead of the confirmation. The answers to a question, and a text about
several tasks, could not be run again: they kept part of their work before the failure.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import select

from app.signing import sign
from db.models import ExtensionRequest
from devtools.fakebotapi import ChatMessage
from tests.faults.test_evidence_outage import LOCK_SECONDS, short_busy_wait, told_held
from tests.handlers.telegram.checkin_world import OFFICIAL, remind, reports, scene
from tests.harness import BotUnderTest, button_data
from tests.locks import READ_ABOUT, Arm, locking_at

__all__ = ["short_busy_wait"]  # the fixture, used by name


def answered(message: ChatMessage) -> bool:
    """Tell whether a message answers the report: recorded, or the generic error."""
    return any(words in (message.text or "") for words in ("Đã ghi nhận", "mã lỗi"))


@pytest.fixture
def lock_at(bot: BotUnderTest, db_path: Path) -> Iterator[Arm]:
    """Take the write lock from another connection as a statement armed runs (tests.locks)."""
    with locking_at(bot.engine, db_path, LOCK_SECONDS) as arm:
        yield arm


@pytest.fixture
def lock_at_first_report(lock_at: Arm) -> threading.Event:
    """Take the write lock from another connection as the first report is inserted, and
    give it back LOCK_SECONDS later; the event is set once it is given back."""
    return lock_at("INSERT INTO STATUS_REPORT")


# The statement that forgets a question asked (in the transaction that writes its answer).
FORGET = ("DELETE FROM APP_STATE", "checkin:step:")


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


async def test_a_task_typed_while_the_database_is_locked_is_recorded_once(
    short_busy_wait: None, bot: BotUnderTest, lock_at: Arm
) -> None:
    """Lan types the task the bot asked about while another process holds the write lock:
    the question was forgotten before the report failed, so it could not run again (a rerun
    read her number as a new text) and she got the error. Now the question is forgotten
    with the report: her "xong rồi" is recorded for that task once, after one notice."""
    world = await scene(bot, tasks=2)
    asked = await bot.send(OFFICIAL, "xong rồi")
    assert "nhiệm vụ nào" in (asked.text or "")
    held = lock_at(*FORGET)
    after = bot.server.last_message_id(OFFICIAL)
    reply = await bot.send(OFFICIAL, str(world.tasks[1].id), match=answered)
    assert "Đã ghi nhận: Hoàn thành" in (reply.text or "")
    assert f"#{world.tasks[1].id} " in (reply.text or "")
    assert held.is_set()
    assert told_held(bot) == 1
    assert said_after(bot, after, "Đã ghi nhận") == 1
    assert [(r.assignment_id, r.state) for r in reports(bot)] == [(world.assignments[1], "done")]


async def test_a_task_pressed_while_the_database_is_locked_is_recorded_once(
    short_busy_wait: None, bot: BotUnderTest, lock_at: Arm
) -> None:
    """As typed, so pressed: the button of the task her "xong rồi" is about, pressed while
    another process holds the write lock, records it once and says so once."""
    world = await scene(bot, tasks=2)
    asked = await bot.send(OFFICIAL, "xong rồi")
    held = lock_at(*FORGET)
    after = bot.server.last_message_id(OFFICIAL)
    toast = await bot.press(OFFICIAL, button_data(asked, f"#{world.tasks[1].id} "))
    assert toast == "Đã chọn."
    await bot.server.wait_for_message(OFFICIAL, answered, after=after)
    assert held.is_set()
    assert told_held(bot) == 1
    assert said_after(bot, after, "Đã ghi nhận: Hoàn thành") == 1
    assert [(r.assignment_id, r.state) for r in reports(bot)] == [(world.assignments[1], "done")]


async def test_a_status_confirmed_while_the_database_is_locked_is_recorded_once(
    short_busy_wait: None, bot: BotUnderTest, lock_at: Arm
) -> None:
    """Lan confirms with the done button the status of "HT", asked first, while another
    process holds the write lock: the question was taken before the report failed and she
    got the error; now it is taken with the report, recorded once, the press answered."""
    world = await scene(bot)
    question = await bot.send(OFFICIAL, "HT")
    assert "Xin chọn tình trạng" in (question.text or "")
    held = lock_at(*FORGET)
    answer = await bot.press(OFFICIAL, button_data(question, "Hoàn thành"), question.message_id)
    assert answer.startswith("Đã ghi nhận: Hoàn thành")
    assert held.is_set()
    assert told_held(bot) == 1
    assert [(r.assignment_id, r.state) for r in reports(bot)] == [(world.assignments[0], "done")]


async def test_an_extension_date_typed_while_the_database_is_locked_is_asked_once(
    short_busy_wait: None, bot: BotUnderTest, lock_at: Arm
) -> None:
    """Lan types the date the extension button asked for while another process holds the
    write lock: the request was kept, then forgetting the question failed and she got the
    error (typing it again asked twice). Now one request goes, and she is told once."""
    world = await scene(bot)
    aid = world.assignments[0]
    await remind(bot, OFFICIAL, [aid])
    await bot.press(OFFICIAL, sign(bot.services.button_key, str(OFFICIAL), "st", "extension", aid))
    await bot.server.wait_for_message(OFFICIAL, lambda m: "gia hạn" in (m.text or ""))
    held = lock_at(*FORGET)
    after = bot.server.last_message_id(OFFICIAL)
    reply = await bot.send(OFFICIAL, "15/12/2026 vì chưa bố trí được kinh phí", match=asked_for)
    assert "Đã gửi đề nghị gia hạn" in (reply.text or "")
    assert held.is_set()
    assert told_held(bot) == 1
    assert said_after(bot, after, "Đã gửi đề nghị gia hạn") == 1
    assert [(r.assignment_id, r.requested_deadline) for r in requests(bot)] == [
        (aid, date(2026, 12, 15))
    ]


async def test_a_text_about_two_tasks_while_the_database_is_locked_is_recorded_once(
    short_busy_wait: None, bot: BotUnderTest, lock_at: Arm
) -> None:
    """ "#A xong, #B xin gia hạn" while another process holds the write lock: each task's
    words were kept in a transaction of their own, an extension unkeyed, so it was not run
    again and Lan got the error. Now both go in one: A done once, one request for B."""
    world = await scene(bot, tasks=2)
    first, second = (t.id for t in world.tasks)
    # As what the message is about is read, before the transaction that writes both tasks'
    # words begins (taken at its insert, the lock would wait for that transaction).
    held = lock_at(READ_ABOUT)
    after = bot.server.last_message_id(OFFICIAL)
    text = f"#{first} xong, #{second} xin gia hạn đến 15/12/2026 vì chờ kinh phí"
    bot.server.send_text(OFFICIAL, text)
    await bot.server.wait_for_message(OFFICIAL, asked_for, after=after, timeout=30)
    assert held.is_set()
    assert told_held(bot) == 1
    assert said_after(bot, after, "Đã ghi nhận: Hoàn thành") == 1
    assert said_after(bot, after, "Đã gửi đề nghị gia hạn") == 1
    assert [(r.assignment_id, r.state) for r in reports(bot)] == [(world.assignments[0], "done")]
    assert [r.assignment_id for r in requests(bot)] == [world.assignments[1]]


def asked_for(message: ChatMessage) -> bool:
    """Tell whether a message answers an extension's request: sent, or the generic error."""
    return any(words in (message.text or "") for words in ("Đã gửi đề nghị gia hạn", "mã lỗi"))


def said_after(bot: BotUnderTest, after: int, words: str) -> int:
    """Count the bot's messages to Lan after message `after` that say `words`."""
    return len(
        [
            m
            for m in bot.server.messages(OFFICIAL)
            if m.message_id > after and words in (m.text or "")
        ]
    )


def requests(bot: BotUnderTest) -> list[ExtensionRequest]:
    """Return the extension requests kept."""
    with bot.session() as s:
        return list(s.exec(select(ExtensionRequest)))
