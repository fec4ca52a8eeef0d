"""The bot process killed with SIGKILL while it answers someone, then started again."""

from __future__ import annotations

import signal
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from db.engine import make_engine
from db.migrate import upgrade
from db.models import Inbox
from devtools.fakebotapi import FakeBotApi, Fault, FaultRule
from tests.factories import make_contact
from tests.scheduler.support import start_users
from tests.scheduler.test_crash import START, TOKEN, WAIT_S, bot_env, start_bot

USER = 8100
ADMIN = 8200


def prepare(tmp_path: Path) -> None:
    """Migrate the database the bot processes share, with one admin who started the bot."""
    engine = make_engine(f"sqlite:///{tmp_path / 'crash.sqlite3'}")
    upgrade(engine)
    with Session(engine) as session:
        make_contact(session, ADMIN, role="admin")
    engine.dispose()


def inbox_rows(tmp_path: Path) -> list[Inbox]:
    """Return the inbox as the bot processes left it."""
    engine = make_engine(f"sqlite:///{tmp_path / 'crash.sqlite3'}")
    with Session(engine) as session:
        rows = list(session.exec(select(Inbox)))
    engine.dispose()
    return rows


def kill_while_answering(tmp_path: Path, server: FakeBotApi, minutes: int, attempts: int) -> None:
    """Run the bot until it handles USER's update (its row at `attempts`), then SIGKILL it.

    The answer hangs (the server holds it), so the handler cannot finish before the kill.
    """
    server.add_fault(FaultRule(Fault.timeout(120), methods=["sendMessage"], chat_ids=[USER]))
    process = start_bot(tmp_path, bot_env(tmp_path, server, START + timedelta(minutes=minutes)))
    try:
        if attempts == 0:
            server.send_text(USER, "/help")
        server.wait_for_sync(
            lambda: [r for r in inbox_rows(tmp_path) if r.attempts == attempts] or None,
            WAIT_S,
            "the update in flight",
        )
    finally:
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=30)
    server.clear_faults()


def run_until(tmp_path: Path, server: FakeBotApi, minutes: int, chat_id: int) -> str:
    """Start the bot again, wait for its first message in a chat, stop it; return its text."""
    process = start_bot(tmp_path, bot_env(tmp_path, server, START + timedelta(minutes=minutes)))
    try:
        message = server.wait_for_sync(
            lambda: next(iter(server.messages(chat_id)), None), WAIT_S, "a message"
        )
        # The message goes out before its update is marked processed: stop only after that.
        server.wait_for_sync(
            lambda: all(r.processed_at for r in inbox_rows(tmp_path)) or None,
            WAIT_S,
            "the update marked processed",
        )
    finally:
        process.terminate()
        _, err = process.communicate(timeout=30)
    assert "Traceback" not in err
    return message.text or ""


@pytest.mark.slow
def test_sigkill_while_answering_is_answered_after_the_restart(tmp_path: Path) -> None:
    """An update whose handler was killed mid-way is run again once the bot is back."""
    prepare(tmp_path)
    with FakeBotApi(TOKEN) as server:
        start_users(server, [USER, ADMIN])
        kill_while_answering(tmp_path, server, minutes=0, attempts=0)
        assert server.messages(USER) == []
        answer = run_until(tmp_path, server, minutes=10, chat_id=USER)
    assert "liên kết mời" in answer
    [row] = inbox_rows(tmp_path)
    assert row.processed_at is not None
    assert row.attempts == 1


@pytest.mark.slow
def test_sigkill_twice_is_reported_to_the_admins(tmp_path: Path) -> None:
    """An update killed on its run and on its retry is reported to the admins, not lost."""
    prepare(tmp_path)
    with FakeBotApi(TOKEN) as server:
        start_users(server, [USER, ADMIN])
        kill_while_answering(tmp_path, server, minutes=0, attempts=0)
        kill_while_answering(tmp_path, server, minutes=10, attempts=1)
        notice = run_until(tmp_path, server, minutes=20, chat_id=ADMIN)
        assert server.messages(USER) == []
    assert str(USER) in notice
    [row] = inbox_rows(tmp_path)
    assert row.processed_at is not None


@pytest.mark.slow
def test_a_message_held_for_a_locked_database_is_answered_after_a_sigkill(tmp_path: Path) -> None:
    """A message fetched while the database is locked is held, and the person told so; the
    bot killed meanwhile, it is answered once the bot is back: Telegram is told it was
    received only once it is stored (it was as soon as it was fetched, and then lost)."""
    prepare(tmp_path)
    with FakeBotApi(TOKEN) as server:
        start_users(server, [USER, ADMIN])
        process = start_bot(tmp_path, bot_env(tmp_path, server, START))
        locker = sqlite3.connect(tmp_path / "crash.sqlite3", isolation_level=None)
        try:
            server.wait_for_sync(
                lambda: server.calls("getUpdates") or None, WAIT_S, "the bot polling"
            )
            locker.execute("BEGIN IMMEDIATE")  # another process writing, for minutes
            server.send_text(USER, "/help")
            [held] = server.wait_for_sync(
                lambda: server.messages(USER) or None, WAIT_S, "the person told it is held"
            )
        finally:
            process.send_signal(signal.SIGKILL)
            process.communicate(timeout=30)
            locker.execute("ROLLBACK")
            locker.close()
        assert "đang được giữ" in (held.text or "")
        process = start_bot(tmp_path, bot_env(tmp_path, server, START + timedelta(minutes=1)))
        try:
            server.wait_for_sync(
                lambda: (
                    [m for m in server.messages(USER) if "liên kết mời" in (m.text or "")] or None
                ),
                WAIT_S,
                "the held message answered",
            )
        finally:
            process.terminate()
            process.communicate(timeout=30)
    [row] = inbox_rows(tmp_path)
    assert row.kind == "message"
