"""The recurring rules' run meets a database another process holds locked."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlmodel import Session, select

from core.recurrence import parse_rule
from db.engine import make_engine
from db.migrate import upgrade
from db.models import Task
from db.queries.recurring import create_rule
from devtools.fakebotapi import FakeBotApi
from tests import processes
from tests.factories import make_unit
from tests.scheduler.test_crash import START, TOKEN, bot_env

# Longer than a write waits for SQLite (the process's turn, then the busy timeout) after the
# run that starts five seconds after the bot (scheduler.recurring.STARTUP_DELAY_S).
LOCK_SECONDS = 12.0
WAIT_S = 30.0


def tasks(db: Path) -> list[str]:
    """Return the titles of the tasks in the database."""
    engine = make_engine(f"sqlite:///{db}")
    with Session(engine) as session:
        titles = [t.title for t in session.exec(select(Task))]
    engine.dispose()
    return titles


@pytest.mark.slow
def test_recurring_tasks_due_while_the_database_is_locked_are_made_once_it_is_back(
    tmp_path: Path,
) -> None:
    """The run at start finds SQLite locked by another process (a backup, an import's
    slice): it waits, and the rule's task is there once the lock goes, with no traceback.
    The run failed with one, and the tasks waited for the next day's run."""
    db = tmp_path / "crash.sqlite3"
    engine = make_engine(f"sqlite:///{db}")
    upgrade(engine)
    with Session(engine) as session:
        make_unit(session, "R1")
        rule = parse_rule("monthly:20")
        assert rule is not None
        create_rule(session, title="Báo cáo tháng", rule=rule, assignees="xã", actor_id=None)
        session.commit()
    engine.dispose()
    log = tmp_path / "bot.log"
    with FakeBotApi(TOKEN) as server, log.open("w") as log_file:
        env = bot_env(tmp_path, server, START)
        bot = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"], cwd=tmp_path, env=env, stderr=log_file
        )
        try:
            started = time.monotonic() + WAIT_S
            while "Application started" not in log.read_text() and time.monotonic() < started:
                time.sleep(0.05)  # the jobs are scheduled then: the run is 5 s after
            blocker = sqlite3.connect(db, timeout=5)
            blocker.execute("BEGIN EXCLUSIVE")
            time.sleep(LOCK_SECONDS)
            blocker.rollback()
            blocker.close()
            deadline = time.monotonic() + WAIT_S
            while not tasks(db) and time.monotonic() < deadline:
                time.sleep(0.2)
        finally:
            bot.send_signal(signal.SIGTERM)
            bot.wait(timeout=30)
    err = log.read_text()
    processes.keep("dondoc run (recurring, locked)", env, err)
    assert [title for title in tasks(db) if title.startswith("Báo cáo tháng")]
    assert "Traceback" not in err
