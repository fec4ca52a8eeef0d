"""The database briefly unreachable while updates arrive: they are processed once it is back."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from sqlmodel import select

from db.models import Inbox
from tests.harness import BotUnderTest

USERS = (5001, 5002, 5003)
LOCK_SECONDS = 5.0  # longer than SQLite's busy timeout, so the retry path is taken


async def test_updates_arriving_while_sqlite_is_locked_are_not_lost(
    bot: BotUnderTest, db_path: Path
) -> None:
    """Another process holds the database locked; the updates wait, then all get answers."""
    for user_id in USERS:
        bot.user(user_id)
        await bot.send(user_id, "/start")
    blocker = sqlite3.connect(db_path, timeout=1)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        update_ids = [bot.server.send_text(u, "/help") for u in USERS]
        await asyncio.sleep(LOCK_SECONDS)
        for user_id in USERS:  # nothing could be recorded, so nothing was answered yet
            assert not [m for m in bot.server.messages(user_id) if "/lang" in (m.text or "")]
    finally:
        blocker.rollback()
        blocker.close()
    for user_id in USERS:
        await bot.server.wait_for_message(
            user_id, lambda m: "/help" in (m.text or "") or "/lang" in (m.text or ""), timeout=30
        )
    with bot.session() as s:
        recorded = {row.update_id for row in s.exec(select(Inbox))}
    assert {str(u) for u in update_ids} <= recorded
