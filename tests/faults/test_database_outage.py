"""The database briefly unreachable while updates arrive: they are processed once it is back."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from db.models import Inbox, Outbox
from db.queries.outbox import enqueue
from devtools.fakebotapi import Fault
from scheduler.delivery import wake
from scheduler.sender import LEASE
from tests.factories import make_contact, make_unit
from tests.harness import BotUnderTest
from tests.locks import lock_for_a_while
from tests.scheduler.support import start_users

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


async def test_a_person_whose_message_waits_for_the_database_is_told_once(
    bot: BotUnderTest, db_path: Path
) -> None:
    """While the database does not answer, a message waits silently (up to five minutes):
    its sender is now told at once that it is held, once however many they send, and is
    answered when the database is back."""
    user = USERS[0]
    bot.user(user)
    await bot.send(user, "/start")
    after = bot.server.last_message_id(user)
    blocker = sqlite3.connect(db_path, timeout=1)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        bot.server.send_text(user, "/help")
        told = await bot.server.wait_for_message(
            user, lambda m: "tạm gián đoạn" in (m.text or ""), after=after, timeout=LOCK_SECONDS
        )
        bot.server.send_text(user, "/whoami")
        await asyncio.sleep(LOCK_SECONDS / 2)
    finally:
        blocker.rollback()
        blocker.close()
    await bot.server.wait_for_message(user, lambda m: "/lang" in (m.text or ""), timeout=30)
    notices = [m for m in bot.server.messages(user) if "tạm gián đoạn" in (m.text or "")]
    assert [m.message_id for m in notices] == [told.message_id]


async def test_a_button_pressed_while_the_database_waits_is_answered_and_kept(
    bot: BotUnderTest, db_path: Path
) -> None:
    """A button pressed while the database does not answer gets its press answered and the
    whole notice as a message (it is longer than a pop-up's 200 characters: Telegram
    refused it, and the press's recording failed with the refusal); the press is recorded
    once the database is back."""
    user = USERS[1]
    bot.user(user)
    await bot.send(user, "/start")
    button = InlineKeyboardMarkup([[InlineKeyboardButton("⏳", callback_data="st:stale")]])
    await bot.app.bot.send_message(user, "Nhiệm vụ #1", reply_markup=button)
    after = bot.server.last_message_id(user)
    blocker = sqlite3.connect(db_path, timeout=1)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        update_id = bot.server.press_button(user, "st:stale")
        await bot.server.wait_for_message(
            user, lambda m: "tạm gián đoạn" in (m.text or ""), after=after, timeout=LOCK_SECONDS
        )
    finally:
        blocker.rollback()
        blocker.close()
    await bot.server.wait_for_answer(bot.server.callback_id(update_id), timeout=30)
    answers = bot.server.calls("answerCallbackQuery")
    assert answers
    assert all(c.ok for c in answers)
    for _ in range(50):
        with bot.session() as s:
            if s.exec(select(Inbox).where(Inbox.update_id == str(update_id))).first():
                return
        await asyncio.sleep(0.1)
    raise AssertionError("the press was not recorded")


OFFICIAL = 5101


def queue_notice(bot: BotUnderTest, key: str, text: str) -> int:
    """Queue a notice to the official and start the sender; return the outbox id."""
    with bot.session() as session:
        row = enqueue(
            session, key=key, chat_id=str(OFFICIAL), kind="notice", text=text, now=bot.clock.now()
        )
        session.commit()
    assert row is not None
    assert row.id is not None
    wake(bot.app)
    return row.id


def texts_to(bot: BotUnderTest, text: str) -> int:
    """Count the official's messages with this text."""
    return len([m for m in bot.server.messages(OFFICIAL) if m.text == text])


async def test_a_locked_database_after_a_send_does_not_send_it_twice(
    bot: BotUnderTest, db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The database is locked while Telegram accepts a notice: it is marked sent once free."""
    with bot.session() as session:
        make_contact(session, OFFICIAL, units=[make_unit(session, "L01")])
    start_users(bot.server, [OFFICIAL])
    locked, released = threading.Event(), threading.Event()

    def lock_on_send(method: str, params: Mapping[str, Any]) -> Fault | None:
        """Take the database's write lock as the call arrives, for longer than the busy wait."""
        if (
            locked.is_set()
            or method != "sendMessage"
            or str(params.get("chat_id")) != str(OFFICIAL)
        ):
            return None
        locked.set()
        lock_for_a_while(db_path, LOCK_SECONDS, released)
        return None

    bot.server.set_fault_function(lock_on_send)
    outbox_id = queue_notice(bot, "outage:1", "Thông báo thử")
    await bot.server.wait_until(released.is_set, timeout=30)

    def status() -> str:
        with bot.session() as session:
            row = session.get(Outbox, outbox_id)
            return row.status if row is not None else ""

    await bot.server.wait_until(lambda: status() == "sent", timeout=30)
    # Past the lease of the first send: a row left "sending" would now be sent again.
    bot.clock.advance(LEASE + timedelta(minutes=1))
    queue_notice(bot, "outage:2", "Thông báo sau")
    await bot.server.wait_until(lambda: texts_to(bot, "Thông báo sau") == 1, timeout=30)
    assert texts_to(bot, "Thông báo thử") == 1
    assert any(
        r.levelno == logging.WARNING and f"marking outbox {outbox_id} sent" in r.getMessage()
        for r in caplog.records
    )
