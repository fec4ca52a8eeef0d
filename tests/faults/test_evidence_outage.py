"""A file sent as evidence while SQLite's write lock is held elsewhere (the reminder sweep, a
backup): the bot waits for the lock, then keeps the file and its status, once, and confirms.

The lock is taken once the update is recorded, as the bot fetches the file, and held past
the busy wait (shortened here, so the test is quick): the writes that follow used to fail
"database is locked" and the official got the generic error instead of the confirmation.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Mapping
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlmodel import select

import db.engine
from db.models import Evidence
from devtools.fakebotapi import ChatMessage, Fault
from tests.handlers.telegram.checkin_world import OFFICIAL, reports, scene
from tests.handlers.telegram.test_evidence import PNG
from tests.harness import BotUnderTest
from tests.locks import lock_for_a_while

BUSY_WAIT_MS = 100  # SQLite's own wait for a lock, shortened from the bot's 2 s
LOCK_SECONDS = 1.0  # ten times as long: only waiting it out (db.retry) gets past it


@pytest.fixture
def short_busy_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    """Shorten SQLite's busy wait for the engine the bot is about to make."""
    monkeypatch.setattr(db.engine, "SQLITE_BUSY_TIMEOUT_MS", BUSY_WAIT_MS)


def hold_lock_from(db_path: Path, method: str, held: threading.Event) -> Any:
    """Return a fault function taking the database's write lock as `method` is called (once),
    given back LOCK_SECONDS later; `held` is set once it is given back."""

    def take(called: str, _params: Mapping[str, Any]) -> Fault | None:
        if called != method or held.is_set():
            return None
        lock_for_a_while(db_path, LOCK_SECONDS, held)
        return None

    return take


def answered(message: ChatMessage) -> bool:
    """Tell whether a message answers the file: kept ("minh chứng") or the error ("mã lỗi")."""
    return any(word in (message.text or "") for word in ("minh chứng", "mã lỗi"))


def told_held(bot: BotUnderTest) -> int:
    """Count the notices that the official's message waits for the database."""
    return len([m for m in bot.server.messages(OFFICIAL) if "tạm gián đoạn" in (m.text or "")])


def evidence(bot: BotUnderTest) -> list[Evidence]:
    """Return the evidence recorded."""
    with bot.session() as s:
        return list(s.exec(select(Evidence)))


async def test_a_photo_sent_while_the_database_is_locked_is_kept_once_and_confirmed(
    short_busy_wait: None, bot: BotUnderTest, db_path: Path
) -> None:
    """Lan sends "#N đã xong" with a photo while another process holds the write lock: once
    it is free the photo and the done report are stored once, and she is told both."""
    world = await scene(bot)
    aid = world.assignments[0]
    held = threading.Event()
    bot.server.set_fault_function(hold_lock_from(db_path, "getFile", held))
    after = bot.server.last_message_id(OFFICIAL)
    bot.server.send_photo(OFFICIAL, PNG, caption=f"#{world.tasks[0].id} đã xong")
    answer = await bot.server.wait_for_message(OFFICIAL, answered, after=after, timeout=30)
    assert "minh chứng" in (answer.text or "")
    assert "Hoàn thành" in (answer.text or "")
    assert told_held(bot) == 1
    assert [e.assignment_id for e in evidence(bot)] == [aid]
    assert [(r.assignment_id, r.state) for r in reports(bot)] == [(aid, "done")]
    stored = bot.settings.evidence_path / evidence(bot)[0].storage_path
    assert stored.read_bytes() == PNG


async def test_a_forwarded_photo_sent_while_the_database_is_locked_is_kept_and_asked(
    short_busy_wait: None, bot: BotUnderTest, db_path: Path
) -> None:
    """A forwarded photo's file is kept alone and its caption's status asked: the lock held
    meanwhile is waited out, the file kept once, no status recorded before it is chosen."""
    world = await scene(bot)
    aid = world.assignments[0]
    held = threading.Event()
    bot.server.set_fault_function(hold_lock_from(db_path, "getFile", held))
    after = bot.server.last_message_id(OFFICIAL)
    colleague = {"id": 5555, "is_bot": False, "first_name": "Đồng nghiệp"}
    origin = {"type": "user", "date": 1, "sender_user": colleague}
    bot.server.send_photo(
        OFFICIAL, PNG, caption=f"#{world.tasks[0].id} đã xong", forward_origin=origin
    )
    asked = await bot.server.wait_for_message(OFFICIAL, answered, after=after, timeout=30)
    assert "minh chứng" in (asked.text or "")
    assert "Xin chọn tình trạng" in (asked.text or "")
    assert told_held(bot) == 1
    assert [e.assignment_id for e in evidence(bot)] == [aid]
    assert reports(bot) == []


async def test_a_write_elsewhere_as_a_photo_is_recorded_makes_no_wait(
    bot: BotUnderTest, db_path: Path
) -> None:
    """Another connection commits a write just before the photo's row is inserted (the
    sweep, any moment): the row went in after a read in the same SQLite transaction, which
    then failed at once, "database is locked" whatever the busy wait, and Lan got the error
    (or, with the wait, the notice that her message is held). Now it is one statement."""
    world = await scene(bot)
    done = threading.Event()

    @event.listens_for(bot.engine, "before_cursor_execute")
    def write_elsewhere(*args: Any) -> None:
        statement: str = args[2]
        if done.is_set() or not statement.lstrip().upper().startswith("INSERT INTO EVIDENCE"):
            return
        done.set()
        with closing(sqlite3.connect(db_path, timeout=5)) as other, other:
            other.execute(
                "UPDATE unit SET name = name || ' ' WHERE id = ?", (world.other_unit.id,)
            )

    after = bot.server.last_message_id(OFFICIAL)
    bot.server.send_photo(OFFICIAL, PNG, caption=f"#{world.tasks[0].id} ảnh hiện trường")
    answer = await bot.server.wait_for_message(OFFICIAL, answered, after=after)
    event.remove(bot.engine, "before_cursor_execute", write_elsewhere)
    assert done.is_set()
    assert "minh chứng" in (answer.text or "")
    assert told_held(bot) == 0
    assert [e.assignment_id for e in evidence(bot)] == [world.assignments[0]]
