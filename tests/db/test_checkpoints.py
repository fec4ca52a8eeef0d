"""While the bot runs, SQLite's log is copied into the database by a thread, not by commits.

Pages reach the database file only by a checkpoint, so the file's size tells who ran one.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from db.checkpoints import checkpoints_in_background
from db.engine import make_engine

PAGES_OF_ROWS = 3_000  # past SQLite's own threshold of 1,000 pages of log
NEVER = 3_600.0
TEN_ROWS = text(
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10) "
    "INSERT INTO filler (body) SELECT randomblob(3500) FROM n"
)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    made = make_engine(f"sqlite:///{tmp_path / 'wal.sqlite3'}")
    with made.begin() as connection:
        connection.execute(text("CREATE TABLE filler (id INTEGER PRIMARY KEY, body BLOB)"))
    yield made
    made.dispose()


def write_pages(engine: Engine, pages: int) -> None:
    """Commit about `pages` pages of rows, ten rows a commit, as many small writers would."""
    for _ in range(0, pages, 10):
        with engine.begin() as connection:
            connection.execute(TEN_ROWS)


def file_pages(engine: Engine) -> int:
    """Return the database file's size in pages (what checkpoints have copied into it)."""
    path = Path(str(engine.url.database))
    return path.stat().st_size // 4096


def test_outside_a_running_bot_commits_checkpoint_as_sqlite_does(engine: Engine) -> None:
    write_pages(engine, PAGES_OF_ROWS)

    assert file_pages(engine) > PAGES_OF_ROWS // 2


def test_a_running_bots_commits_leave_the_checkpoints_to_the_thread(engine: Engine) -> None:
    with checkpoints_in_background(engine, every_s=NEVER):
        write_pages(engine, PAGES_OF_ROWS)

        assert file_pages(engine) < 50  # nothing copied by the 300 commits


def test_the_thread_copies_the_log_into_the_database(engine: Engine) -> None:
    with checkpoints_in_background(engine, every_s=0.05):
        write_pages(engine, PAGES_OF_ROWS)
        deadline = time.monotonic() + 10
        while file_pages(engine) < PAGES_OF_ROWS and time.monotonic() < deadline:
            time.sleep(0.05)

        assert file_pages(engine) >= PAGES_OF_ROWS


def test_the_backstop_ends_with_the_bot(engine: Engine) -> None:
    with checkpoints_in_background(engine, every_s=NEVER):
        pass

    write_pages(engine, PAGES_OF_ROWS)

    assert file_pages(engine) > PAGES_OF_ROWS // 2
