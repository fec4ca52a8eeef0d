"""A Zalo message arriving while the database does not answer waits; its sender is told."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import select

import db.engine
from db.models import Evidence, StatusReport
from tests.locks import READ_ABOUT, Arm, lock_for_a_while, locking_at
from tests.zalo.conftest import ZALO_ADMIN, ZaloBot
from tests.zalo.test_evidence import JPEG, official
from tests.zalo.test_reminders import HOA, remind
from tests.zalo.test_reminders import official as with_tasks
from tests.zalo.test_replies import reports, requests
from zalo import ZaloClient

LOCK_SECONDS = 5.0  # longer than SQLite's busy timeout, so the retry path is taken
HELD = "tạm gián đoạn"


async def test_a_polled_message_waits_for_the_database_and_its_sender_is_told_once(
    zbot: ZaloBot, db_path: Path
) -> None:
    """Another process holds the database: a polled message (which Zalo does not give
    again) ended at once in "something went wrong" and was lost; it now waits, its sender
    is told once that it is held, and it is answered when the database is back."""
    await zbot.say(ZALO_ADMIN, "/help")
    blocker = sqlite3.connect(db_path, timeout=1)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        zbot.zalo.send_text(ZALO_ADMIN, "/whoami")
        await zbot.zalo.wait_until(
            lambda: any(HELD in m.text for m in zbot.zalo.messages(ZALO_ADMIN)), LOCK_SECONDS
        )
        zbot.zalo.send_text(ZALO_ADMIN, "/help")
        await asyncio.sleep(LOCK_SECONDS / 2)
    finally:
        blocker.rollback()
        blocker.close()
    await zbot.zalo.wait_until(
        lambda: sum("/mytasks" in m.text for m in zbot.zalo.messages(ZALO_ADMIN)) >= 2, 30
    )
    texts = [m.text for m in zbot.zalo.messages(ZALO_ADMIN)]
    assert sum(HELD in t for t in texts) == 1
    assert not any("lỗi" in t for t in texts)


BUSY_WAIT_MS = 100  # SQLite's own wait for a lock, shortened from the bot's 2 s
SHORT_LOCK_S = 1.0  # ten times as long: only waiting it out (db.retry) gets past it


@pytest.fixture
def short_busy_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    """Shorten SQLite's busy wait for the engine the bot is about to make."""
    monkeypatch.setattr(db.engine, "SQLITE_BUSY_TIMEOUT_MS", BUSY_WAIT_MS)


async def test_a_photo_sent_while_the_database_is_locked_is_kept_once_and_confirmed(
    short_busy_wait: None, zbot: ZaloBot, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process takes the write lock as the bot fetches Hoa's photo "đã xong" (the
    event stored already): once it is free the photo and the done report are kept once and
    she is told so. It ended in "something went wrong", the photo and the status lost."""
    official(zbot)
    fetch = ZaloClient.download
    released = threading.Event()

    async def locked_after_fetch(client: ZaloClient, url: str, *, max_bytes: int) -> bytes:
        content = await fetch(client, url, max_bytes=max_bytes)
        lock_for_a_while(db_path, SHORT_LOCK_S, released)
        return content

    monkeypatch.setattr(ZaloClient, "download", locked_after_fetch)
    texts = await zbot.photo(HOA, JPEG, "đã xong, gửi biên bản")
    assert released.is_set()
    assert not any("lỗi" in t for t in texts)
    assert sum(HELD in t for t in texts) == 1
    assert any("Việc 0" in t and "Hoàn thành" in t for t in texts)
    with zbot.session() as s:
        assert len(s.exec(select(Evidence)).all()) == 1
        assert [r.state for r in s.exec(select(StatusReport))] == ["done"]


@pytest.fixture
def lock_at(zbot: ZaloBot, db_path: Path) -> Iterator[Arm]:
    """Take the write lock from another connection as a statement armed runs (tests.locks)."""
    with locking_at(zbot.tg.engine, db_path, SHORT_LOCK_S) as arm:
        yield arm


async def test_a_status_reply_while_the_database_is_locked_is_recorded_once(
    short_busy_wait: None, zbot: ZaloBot, lock_at: Arm
) -> None:
    """Another process holds the write lock as Hoa's "xong" after a reminder is recorded (the
    event stored already): a Zalo text was not waited for, and she got "something went
    wrong", the report lost. Now it is recorded once when the lock is free, after one
    notice, and confirmed once."""
    [task] = with_tasks(zbot)
    await remind(zbot)
    held = lock_at("INSERT INTO STATUS_REPORT")
    texts = await zbot.say(HOA, "xong")
    assert held.is_set()
    assert not any("lỗi" in t for t in texts)
    assert sum(HELD in t for t in texts) == 1
    assert sum("Đã ghi nhận" in t for t in texts) == 1
    assert reports(zbot) == [(task, "done", 100)]


async def test_a_task_typed_while_the_database_is_locked_is_recorded_once(
    short_busy_wait: None, zbot: ZaloBot, lock_at: Arm
) -> None:
    """Hoa types "2", the second task the bot offered for her "xong rồi", as another process
    takes the write lock: the question is forgotten, the report recorded and the choices
    offered kept in one transaction, run once more when the lock is free: recorded once."""
    _, second = with_tasks(zbot, ("Kế hoạch A", "Báo cáo B"))
    [asked] = await zbot.say(HOA, "xong rồi")
    assert "2 = #" in asked
    held = lock_at("DELETE FROM APP_STATE", "checkin:step:")
    texts = await zbot.say(HOA, "2")
    assert held.is_set()
    assert not any("lỗi" in t for t in texts)
    assert sum(HELD in t for t in texts) == 1
    assert sum("Đã ghi nhận" in t for t in texts) == 1
    assert reports(zbot) == [(second, "done", 100)]


async def test_two_tasks_in_one_message_while_the_database_is_locked_are_recorded_once(
    short_busy_wait: None, zbot: ZaloBot, lock_at: Arm
) -> None:
    """ "#A xong, #B xin gia hạn" on Zalo as another process takes the write lock: A done
    once, one extension request for B, each said once, after one notice."""
    first, second = with_tasks(zbot, ("Kế hoạch A", "Báo cáo B"))
    # As what the message is about is read, before the transaction that writes both tasks'
    # words begins (taken at its insert, the lock would wait for that transaction).
    held = lock_at(READ_ABOUT)
    texts = await zbot.say(HOA, f"#{first} xong, #{second} xin gia hạn đến 15/12/2026 vì chờ vốn")
    assert held.is_set()
    assert not any("lỗi" in t for t in texts)
    assert sum(HELD in t for t in texts) == 1
    assert sum("Đã ghi nhận" in t for t in texts) == 1
    assert sum("Đã gửi đề nghị gia hạn" in t for t in texts) == 1
    assert reports(zbot) == [(first, "done", 100)]
    assert [d for d, _ in requests(zbot)] == [date(2026, 12, 15)]
