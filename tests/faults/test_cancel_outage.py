"""Telegram's /cancel while SQLite's write lock is held elsewhere (the reminder sweep, a
backup): waited out, the question forgotten once, answered once.

The lock is taken as /cancel forgets the question and held past the busy wait (shortened
here): /cancel was not run again and the official got the generic error, her question still
asked. (The pick of the task a file is evidence for already survives it: each of its
transactions is `Request.transaction`'s.)
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import col, select

from db.models import AppState
from tests.faults.test_checkin_outage import FORGET, said_after
from tests.faults.test_evidence_outage import LOCK_SECONDS, short_busy_wait, told_held
from tests.handlers.telegram.checkin_world import OFFICIAL, scene
from tests.harness import BotUnderTest
from tests.locks import Arm, locking_at

__all__ = ["short_busy_wait"]  # the fixture, used by name


@pytest.fixture
def lock_at(bot: BotUnderTest, db_path: Path) -> Iterator[Arm]:
    """Take the write lock from another connection as a statement armed runs (tests.locks)."""
    with locking_at(bot.engine, db_path, LOCK_SECONDS) as arm:
        yield arm


def asked(bot: BotUnderTest) -> list[str]:
    """Return the questions still asked (anyone's)."""
    with bot.session() as s:
        rows = s.exec(select(AppState.key).where(col(AppState.key).startswith("checkin:step:")))
        return list(rows)


async def test_cancel_while_the_database_is_locked_forgets_the_question_once(
    short_busy_wait: None, bot: BotUnderTest, lock_at: Arm
) -> None:
    """Lan types /cancel after "xong rồi" asked which task, as another process takes the
    write lock: it ended in the generic error, the question still asked. Now it is waited
    out: she is told once to wait, then that it is cancelled, and the question is gone."""
    await scene(bot, tasks=2)
    question = await bot.send(OFFICIAL, "xong rồi")
    assert "nhiệm vụ nào" in (question.text or "")
    held = lock_at(*FORGET)
    after = bot.server.last_message_id(OFFICIAL)
    reply = await bot.send(
        OFFICIAL, "/cancel", match=lambda m: any(w in (m.text or "") for w in ("Đã hủy", "mã lỗi"))
    )
    assert "mã lỗi" not in (reply.text or "")
    assert held.is_set()
    assert told_held(bot) == 1
    assert said_after(bot, after, "mã lỗi") == 0
    assert asked(bot) == []
