"""A Zalo message arriving while the database does not answer waits; its sender is told."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from tests.zalo.conftest import ZALO_ADMIN, ZaloBot

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
