"""Two migrations of one PostgreSQL database at once: `dondoc db upgrade` run twice, or the
workers of an upgrade started together (each migrates at start)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text

from db.engine import make_engine
from db.migrate import alembic_config
from db.schema import HEAD
from tests import processes
from tests.bot.test_cli import START_TIMEOUT, env_for


@pytest.mark.postgres
def test_two_upgrades_at_once_both_end_at_head(tmp_path: Path, pg_empty_url: str) -> None:
    """A database at 0001, with an update in its inbox, upgraded by two `dondoc db upgrade`
    at once: each read 0001 and ran 0002, and the second ended with status 2 on "column
    "attempts" of relation "inbox" already exists", said as a database it could not reach.
    Now the second waits for the first and finds the database at head. Both are held at the
    same point by a transaction that locks the inbox until both wait, so that they overlap
    whatever the machine's speed."""
    engine = make_engine(pg_empty_url)
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        connection.execute(
            text(
                "INSERT INTO inbox (channel, update_id, kind, received_at)"
                " VALUES ('telegram', '77', 'message', now())"
            )
        )
    env = env_for(tmp_path, DATABASE_URL=pg_empty_url)
    holder = engine.connect()
    holder.execute(text("LOCK TABLE inbox IN ACCESS EXCLUSIVE MODE"))
    upgrades = [
        subprocess.Popen(
            [sys.executable, "-m", "bot", "db", "upgrade"],
            cwd=tmp_path,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    try:
        waiting = (
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            with engine.connect() as watcher:  # the view is read once per transaction
                if watcher.execute(text(waiting)).scalar_one() >= 2:
                    break
            assert all(p.poll() is None for p in upgrades), "an upgrade ended early"
            assert time.monotonic() < deadline, "the upgrades never reached the inbox"
            time.sleep(0.1)
    finally:
        holder.rollback()
        holder.close()
    outputs = [p.communicate(timeout=START_TIMEOUT) for p in upgrades]
    for (out, err), upgrade in zip(outputs, upgrades, strict=True):
        processes.keep("dondoc db upgrade", env, out, err)
        assert (upgrade.returncode, err) == (0, "")
        assert f"({HEAD})" in out
    with engine.connect() as connection:
        versions = connection.execute(text("SELECT version_num FROM alembic_version"))
        assert list(versions.scalars()) == [HEAD]
        assert connection.execute(text("SELECT count(*) FROM inbox")).scalar_one() == 1
    engine.dispose()
