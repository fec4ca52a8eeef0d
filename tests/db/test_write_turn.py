"""SQLite writers of one process take the file in turn, first come first served.

SQLite's own busy handler polls (sleeps of 1 to 100 ms): a writer that came last often
took the lock before one that had waited for long, and under a burst a person's write
waited for seconds or failed. The engine's writers now queue for the file and wake at once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

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
