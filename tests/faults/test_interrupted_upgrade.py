"""`dondoc db upgrade` that fails or is killed half-way: the database stays as it was, and the
next upgrade goes through."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import inspect
from sqlalchemy.engine import Engine

from bot.console import EXIT_CONFIG
from db.engine import make_engine
from db.migrate import downgrade, upgrade, versions
from db.schema import HEAD, BrokenKeysError
from tests import processes

BEFORE = "0013"  # 0014 creates indexes (DDL first), 0015 refolds every task's title
NEW_INDEX = "ix_outbox_contact_id"
TASKS = 100_000  # 0015 folds each title in Python: a second or more to kill it in
WAIT_S = 60


def at_before(db: Path) -> Engine:
    """Return an engine of a database migrated to head, then taken back to BEFORE."""
    engine = make_engine(f"sqlite:///{db}")
    upgrade(engine)
    downgrade(engine, BEFORE)
    return engine


def indexes(engine: Engine) -> set[str]:
    """Return the names of the outbox's indexes."""
    return {str(ix["name"]) for ix in inspect(engine).get_indexes("outbox")}


def test_an_upgrade_refused_half_way_leaves_the_schema_as_it_was(tmp_path: Path) -> None:
    """A row pointing at nothing makes the upgrade refuse at its end, in one line naming its
    table (it was a traceback): the indexes an earlier migration of it created are gone with
    it, so once the row is mended the upgrade runs."""
    db = tmp_path / "refused.sqlite3"
    engine = at_before(db)
    raw = sqlite3.connect(db)
    raw.execute("INSERT INTO unit_group_member (unit_id, group_id) VALUES (4242, 4343)")
    raw.commit()
    with pytest.raises(BrokenKeysError):
        upgrade(engine)
    assert versions(engine) == [BEFORE]
    assert NEW_INDEX not in indexes(engine)
    refused = subprocess.run(
        [sys.executable, "-m", "bot", "db", "upgrade"],
        cwd=tmp_path,
        env=upgrade_env(db),
        capture_output=True,
        text=True,
        timeout=WAIT_S,
    )
    processes.keep(
        "dondoc db upgrade (broken keys)", upgrade_env(db), refused.stdout, refused.stderr
    )
    assert refused.returncode == EXIT_CONFIG
    assert "unit_group_member" in refused.stderr
    assert "Traceback" not in refused.stderr
    raw.execute("DELETE FROM unit_group_member WHERE unit_id = 4242")
    raw.commit()
    raw.close()
    upgrade(engine)
    assert versions(engine) == [HEAD]
    assert NEW_INDEX in indexes(engine)
    engine.dispose()


def upgrade_env(db: Path) -> dict[str, str]:
    """Return the environment of `dondoc db upgrade` on the database."""
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    return env | {
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
        "DATABASE_URL": f"sqlite:///{db}",
    }


def many_tasks(db: Path) -> None:
    """Add TASKS tasks whose folded titles are stale, for 0015 to fold again."""
    raw = sqlite3.connect(db)
    raw.execute(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)"
        " INSERT INTO task (id, title, title_folded, description, deadline, status,"
        " created_at) SELECT i, 'Báo cáo quý số ' || i, 'stale', '', '2026-11-01', 'open',"
        " '2026-11-01 00:00:00' FROM n",
        (TASKS,),
    )
    raw.commit()
    raw.close()


@pytest.mark.slow
def test_an_upgrade_killed_half_way_is_run_again_whole(tmp_path: Path) -> None:
    """SIGKILL while `dondoc db upgrade` folds the titles (0015), after 0014 made its
    indexes: the next `dondoc db upgrade` brings the database to head, not "already exists"."""
    db = tmp_path / "killed.sqlite3"
    at_before(db).dispose()
    many_tasks(db)
    env = upgrade_env(db)
    first = subprocess.Popen(
        [sys.executable, "-m", "bot", "db", "upgrade"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    watcher = make_engine(f"sqlite:///{db}")
    deadline = time.monotonic() + WAIT_S
    # Killed as soon as another connection sees the index: before, 0014's CREATE INDEX was
    # committed at once and seen while 0015 still ran; now it is seen with the whole upgrade.
    while first.poll() is None and NEW_INDEX not in indexes(watcher):
        assert time.monotonic() < deadline, "the upgrade neither ended nor made its index"
        time.sleep(0.005)
    first.send_signal(signal.SIGKILL)
    processes.keep("dondoc db upgrade (killed)", env, *first.communicate(timeout=30))
    watcher.dispose()
    second = subprocess.run(
        [sys.executable, "-m", "bot", "db", "upgrade"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=WAIT_S,
    )
    processes.keep("dondoc db upgrade (again)", env, second.stdout, second.stderr)
    assert second.returncode == 0, second.stderr
    assert HEAD in second.stdout
    engine = make_engine(f"sqlite:///{db}")
    assert versions(engine) == [HEAD]
    assert NEW_INDEX in indexes(engine)
    engine.dispose()
