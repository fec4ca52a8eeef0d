"""A Zalo message arriving while the database does not answer waits; its sender is told."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest
from sqlmodel import select

import db.engine
from db.models import Evidence, StatusReport
from tests.locks import lock_for_a_while
from tests.zalo.conftest import ZALO_ADMIN, ZaloBot
from tests.zalo.test_evidence import HOA, JPEG, official
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
