"""SQLite writers of one process take the file in turn, first come first served.

SQLite's own busy handler polls (sleeps of 1 to 100 ms): a writer that came last often
took the lock before one that had waited for long, and under a burst a person's write
waited for seconds or failed. The engine's writers now queue for the file and wake at once.
"""

from __future__ import annotations

import fcntl
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

import db.engine
from db.engine import make_engine, writers_waiting


@pytest.fixture
def engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    monkeypatch.setattr(db.engine, "SQLITE_BUSY_TIMEOUT_MS", 200)  # the stuck writer's wait
    engine = make_engine(f"sqlite:///{tmp_path / 'turns.sqlite3'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE written (who TEXT)"))
    yield engine
    engine.dispose()


def write(
    engine: Engine,
    who: str,
    wrote: threading.Event | None = None,
    held: threading.Event | None = None,
) -> None:
    """Write one row in a transaction; tell `wrote`, and keep it open until `held` is set."""
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO written VALUES (:who)"), {"who": who})
        if wrote is not None and held is not None:
            wrote.set()
            held.wait()


def wait_for(condition: Callable[[], bool]) -> None:
    """Wait until the condition holds (a liveness bound of 10 s, no timing measured)."""
    for _ in range(10_000):
        if condition():
            return
        threading.Event().wait(0.001)
    raise AssertionError("never happened")


def test_writers_waiting_for_the_file_write_in_the_order_they_came(engine: Engine) -> None:
    """While one transaction writes, five writers come one after the other: once it
    commits, they write in the order they came, none failing for the lock."""
    wrote, held = threading.Event(), threading.Event()
    first = threading.Thread(target=write, args=(engine, "first", wrote, held))
    first.start()
    wrote.wait()
    later = []
    for n in range(5):
        thread = threading.Thread(target=write, args=(engine, f"w{n}"))
        thread.start()
        later.append(thread)
        wait_for(partial(lambda count: writers_waiting(engine) == count, n + 1))
    held.set()
    for thread in [first, *later]:
        thread.join()
    assert _rows(engine) == ["first", "w0", "w1", "w2", "w3", "w4"]


def test_a_writer_on_a_second_connection_of_its_own_thread_is_not_stuck(
    engine: Engine,
) -> None:
    """A thread that writes on a second connection while its first holds the turn waits
    no longer than the busy timeout, then meets SQLite's lock (as without the turn)."""
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO written VALUES ('outer')"))
        with pytest.raises(Exception, match="locked"):
            write(engine, "inner")
    assert _rows(engine) == ["outer"]


def _rows(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.execute(text("SELECT who FROM written ORDER BY rowid")).scalars())


# Another process on the same file: the worker process of a heavy job (a spreadsheet applied
# in 5 ms slices) or a second bot. SQLite's busy handler slept through the pauses between
# its slices; the writers of every process now take an advisory lock beside the file.
OTHER_PROCESS = """
import sys
from sqlalchemy import text
from db.engine import make_engine
engine = make_engine(sys.argv[1])
with engine.begin() as connection:
    connection.execute(text("INSERT INTO written VALUES ('other process')"))
    print("writing", flush=True)
    sys.stdin.readline()
print("committed", flush=True)
"""
HOLDS_THE_LOCK = """
import fcntl, sys
with open(sys.argv[1], "a") as lock:
    fcntl.flock(lock, fcntl.LOCK_EX)
    print("holding", flush=True)
    sys.stdin.readline()
"""


@contextmanager
def other_process(script: str, argument: str, says: str) -> Iterator[subprocess.Popen[str]]:
    """Run a script in another process until it says `says`; it goes on at a line sent."""
    with subprocess.Popen(
        [sys.executable, "-c", script, argument],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as process:
        assert process.stdout is not None
        try:
            assert process.stdout.readline().strip() == says
            yield process
        finally:
            process.kill()


def locked(path: Path) -> bool:
    """Tell whether another process holds the advisory lock on `path`."""
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False


def test_another_processs_open_write_holds_the_writers_lock_until_it_commits(
    tmp_path: Path, engine: Engine
) -> None:
    lock = tmp_path / "turns.sqlite3-writers"
    with other_process(OTHER_PROCESS, str(engine.url), "writing") as process:
        assert locked(lock)

        assert process.stdin is not None
        assert process.stdout is not None
        process.stdin.write("\n")
        process.stdin.flush()
        assert process.stdout.readline().strip() == "committed"

        assert not locked(lock)


def test_a_writer_waits_while_another_process_has_its_turn_then_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db.engine, "SQLITE_BUSY_TIMEOUT_MS", 10_000)  # no giving up here
    engine = make_engine(f"sqlite:///{tmp_path / 'turns.sqlite3'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE written (who TEXT)"))
    lock = tmp_path / "turns.sqlite3-writers"
    with other_process(HOLDS_THE_LOCK, str(lock), "holding") as process:
        writer = threading.Thread(target=write, args=(engine, "this process"))
        writer.start()
        writer.join(0.5)
        assert writer.is_alive()  # waiting for the other process's turn to end
        assert process.stdin is not None
        process.stdin.write("\n")
        process.stdin.flush()
        writer.join(10)

        assert not writer.is_alive()
    assert _rows(engine) == ["this process"]
    engine.dispose()


def commit_from_another_connection(engine: Engine) -> None:
    """Commit a write from a connection of another engine (as another process would)."""
    other = make_engine(engine.url.render_as_string(hide_password=False))
    try:
        with other.begin() as connection:
            connection.execute(text("INSERT INTO written VALUES ('other')"))
    finally:
        other.dispose()


def test_a_transaction_that_reads_then_writes_is_not_refused_for_a_write_committed_between(
    engine: Engine,
) -> None:
    """A check-in reads, then writes in the same transaction; another writer commits between.

    Had the transaction begun at its read, SQLite would refuse the write at once ("database
    is locked", no busy wait: its snapshot is stale), and the work would be run again after
    a notice that the database is away. The driver begins it at the first write instead, so
    the read holds no snapshot, and the write sees the other's row.
    """
    write(engine, "first")
    with engine.begin() as connection:
        seen = connection.execute(text("SELECT who FROM written")).scalars().all()
        commit_from_another_connection(engine)
        connection.execute(text("INSERT INTO written VALUES ('mine')"))
        after = connection.execute(text("SELECT who FROM written ORDER BY rowid")).scalars().all()
    assert seen == ["first"]
    assert after == ["first", "other", "mine"]


def test_a_savepoint_first_begins_a_writing_transaction_and_a_lock_held_elsewhere_is_an_outage(
    engine: Engine,
) -> None:
    """A session's savepoint, its first statement, begins its transaction IMMEDIATE: another
    connection cannot commit until it ends; and when another holds the lock past the busy
    wait, it fails as SQLAlchemy's OperationalError, which db.retry waits out."""
    with Session(engine) as session, session.begin(), session.begin_nested():
        session.execute(text("SELECT count(*) FROM written")).all()
        other = sqlite3.connect(engine.url.database or "", timeout=0)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("INSERT INTO written VALUES ('other')")
        other.close()
        session.execute(text("INSERT INTO written VALUES ('mine')"))
    blocker = sqlite3.connect(engine.url.database or "", timeout=0)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        with (
            pytest.raises(OperationalError),
            Session(engine) as session,
            session.begin(),
            session.begin_nested(),
        ):
            session.execute(text("SELECT 1"))
    finally:
        blocker.rollback()
        blocker.close()
    write(engine, "after")  # the turn was given back
