"""A status reply while another writer commits between the reply's reads and its first write
(another person's tap, the sweep): the reply is recorded once, and the official is told
nothing of a database that was never away.

SQLite refuses at once ("database is locked", no busy wait) to upgrade a read transaction
whose snapshot another connection's commit made stale: were the check-in's last transaction
begun at its first read, it would be run again by db.retry and the official sent the notice
that their message is held. Python's sqlite3 driver begins it at its first write instead
(db.engine), so its reads pin no snapshot; these tests keep it so (they fail with the
engine's connections in autocommit and a "begin" listener emitting BEGIN, SQLAlchemy's
recipe for SQLite transactions).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from app.signing import sign
from tests.faults.test_evidence_outage import told_held
from tests.handlers.telegram.checkin_world import OFFICIAL, remind, reports, scene
from tests.harness import BotUnderTest


def commit_a_write(db_path: Path) -> None:
    """Commit a write from another connection (as another person's tap would)."""
    other = sqlite3.connect(db_path, timeout=5)
    try:
        other.execute(
            "INSERT INTO app_state (key, value, updated_at) VALUES ('meanwhile', '', '2026-12-01')"
            " ON CONFLICT (key) DO UPDATE SET value = value || 'x'"
        )
        other.commit()
    finally:
        other.close()


@pytest.fixture
def write_meanwhile(bot: BotUnderTest, db_path: Path) -> Iterator[Callable[[str], list[str]]]:
    """Yield `arm(statement)`: as the bot's engine next runs a statement starting with
    `statement`, another connection commits a write first (or, if the bot holds the write
    lock, once it is free); the list `arm` returns says how that write went ("committed",
    or the error)."""
    armed: list[tuple[str, list[str]]] = []
    threads: list[threading.Thread] = []
    guard = threading.Lock()

    def before(*args: Any) -> None:
        statement = args[2].lstrip().upper()
        with guard:
            hit = next((a for a in armed if statement.startswith(a[0])), None)
            if hit is None:
                return
            armed.remove(hit)

        # In a thread: a transaction holding the write lock makes it wait (it commits once
        # that one has); one that holds none lets it commit before the statement runs.
        def other() -> None:
            try:
                commit_a_write(db_path)
                hit[1].append("committed")
            except sqlite3.Error as exc:
                hit[1].append(str(exc))

        thread = threading.Thread(target=other)
        thread.start()
        thread.join(0.3)
        threads.append(thread)

    def arm(statement: str) -> list[str]:
        outcome: list[str] = []
        with guard:
            armed.append((statement.upper(), outcome))
        return outcome

    event.listen(bot.engine, "before_cursor_execute", before)
    try:
        yield arm
    finally:
        event.remove(bot.engine, "before_cursor_execute", before)
        for thread in threads:
            thread.join()


def recorded(text: str | None) -> bool:
    """Tell whether a message answers the report: recorded, or the generic error."""
    return "Đã ghi nhận" in (text or "") or "mã lỗi" in (text or "")


async def test_a_done_reply_while_another_writer_commits_is_recorded_once_without_a_notice(
    bot: BotUnderTest, write_meanwhile: Callable[[str], list[str]]
) -> None:
    """Lan answers a reminder "xong" while another writer commits between the reply's reads
    and its report's insert: the report is stored once, confirmed, and no notice is sent."""
    world = await scene(bot)
    aid = world.assignments[0]
    reminder = await remind(bot, OFFICIAL, [aid])
    meanwhile = write_meanwhile("INSERT INTO STATUS_REPORT")
    reply = await bot.send(
        OFFICIAL, "xong", reply_to=reminder.message_id, match=lambda m: recorded(m.text)
    )
    assert "Đã ghi nhận: Hoàn thành" in (reply.text or "")
    assert meanwhile == ["committed"]
    assert told_held(bot) == 0
    assert [(r.assignment_id, r.state, r.source) for r in reports(bot)] == [(aid, "done", "text")]


async def test_a_done_button_while_another_writer_commits_is_recorded_once_without_a_notice(
    bot: BotUnderTest, write_meanwhile: Callable[[str], list[str]]
) -> None:
    """As typed, so pressed: the done button under a reminder, another writer committing
    before its report's insert, records it once and tells no one the database is away."""
    world = await scene(bot)
    aid = world.assignments[0]
    await remind(bot, OFFICIAL, [aid])
    meanwhile = write_meanwhile("INSERT INTO STATUS_REPORT")
    answer = await bot.press(
        OFFICIAL, sign(bot.services.button_key, str(OFFICIAL), "st", "done", aid)
    )
    assert answer.startswith("Đã ghi nhận: Hoàn thành")
    assert meanwhile == ["committed"]
    assert told_held(bot) == 0
    assert [(r.assignment_id, r.state, r.source) for r in reports(bot)] == [
        (aid, "done", "button")
    ]


async def test_a_text_about_two_tasks_while_another_writer_commits_is_recorded_without_a_notice(
    bot: BotUnderTest, write_meanwhile: Callable[[str], list[str]]
) -> None:
    """ "#A xong, #B xong" while another writer commits before the first report's insert: the
    transaction began at a savepoint (its first statement, a duplicate's key in mind), read
    the assignment in that snapshot, and SQLite refused the insert at once; Lan was told her
    message was held, and it was run again. Now it is recorded once, with no notice."""
    world = await scene(bot, tasks=2)
    first, second = (t.id for t in world.tasks)
    meanwhile = write_meanwhile("INSERT INTO STATUS_REPORT")
    after = bot.server.last_message_id(OFFICIAL)
    bot.server.send_text(OFFICIAL, f"#{first} xong, #{second} xong")
    await bot.server.wait_for_message(
        OFFICIAL,
        lambda m: f"#{second} " in (m.text or "") or "mã lỗi" in (m.text or ""),
        after=after,
    )
    assert told_held(bot) == 0
    assert sorted((r.assignment_id, r.state) for r in reports(bot)) == [
        (world.assignments[0], "done"),
        (world.assignments[1], "done"),
    ]
    assert meanwhile in ([], ["committed"])  # it commits once the reply has (then joined)
