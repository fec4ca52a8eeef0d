"""db.retry.not_repeated: an outage is run again whole only when nothing of the work was kept."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from db.engine import make_engine
from db.retry import PartlyDoneError, RefusedError, not_repeated

LOCKED = OperationalError("INSERT ...", {}, sqlite3.OperationalError("database is locked"))


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    """Return an engine on a new SQLite file with one table."""
    made = make_engine(f"sqlite:///{tmp_path / 'work.sqlite3'}")
    with made.begin() as connection:
        connection.execute(text("CREATE TABLE kept (n INTEGER)"))
    return made


def locked_after(engine: Engine, statement: str, *, commit: bool = True) -> None:
    """Run `statement` in a transaction of its own (committed or rolled back), then meet an
    outage, all marked not_repeated."""
    with not_repeated("working"):
        with engine.connect() as connection:
            connection.execute(text(statement))
            if commit:
                connection.commit()
            else:
                connection.rollback()
        raise LOCKED


def test_an_outage_after_reads_alone_is_raised_to_be_waited_out(engine: Engine) -> None:
    """Transactions that only read and committed keep nothing: the outage is raised as it is."""
    with pytest.raises(OperationalError):
        locked_after(engine, "SELECT count(*) FROM kept")


def test_an_outage_after_a_write_was_committed_is_partly_done(engine: Engine) -> None:
    """A write committed before the outage: PartlyDoneError, not run again."""
    with pytest.raises(PartlyDoneError):
        locked_after(engine, "INSERT INTO kept VALUES (1)")


def test_a_write_rolled_back_is_not_counted_as_kept(engine: Engine) -> None:
    """A write rolled back keeps nothing: the outage after it is raised as it is."""
    with pytest.raises(OperationalError):
        locked_after(engine, "INSERT INTO kept VALUES (1)", commit=False)


def test_a_missing_table_is_refused_not_waited_out(engine: Engine) -> None:
    """SQLite's "no such table" is an OperationalError too, but no outage: RefusedError."""
    with pytest.raises(RefusedError):
        locked_after(engine, "SELECT * FROM gone")
