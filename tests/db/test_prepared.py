"""Prepared statements give what SQLAlchemy's execution gives, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import bindparam, event, insert, select, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from db.models import AppState, Assignment, Inbox
from db.prepared import Prepared, transaction
from db.retry import kept_writes
from tests.factories import make_task, make_unit

NOON = datetime(2026, 12, 4, 5, 0, tzinfo=UTC)
_A = Assignment.__table__.c  # type: ignore[attr-defined]
_ASSIGNMENTS = Prepared(
    select(_A.id, _A.unit_id, _A.active, _A.deadline, _A.due_at, _A.done_at)
    .where(_A.unit_id.in_(bindparam("units", expanding=True)))
    .order_by(_A.id),
    expanding=("units",),
)
_STATE = AppState.__table__  # type: ignore[attr-defined]
_PUT = Prepared(insert(_STATE))
_GET = Prepared(select(_STATE.c.key, _STATE.c.updated_at).order_by(_STATE.c.key))


def check_rows_as_sqlalchemy_reads_them(engine: Engine) -> None:
    """Each row holds the values, with the types, that SQLAlchemy's own execution returns."""
    with Session(engine) as session:
        units = [make_unit(session, code) for code in ("A", "B", "C")]
        make_task(session, "Báo cáo", date(2026, 12, 10), units)
        ids = [u.id for u in units]
    query = select(_A.id, _A.unit_id, _A.active, _A.deadline, _A.due_at, _A.done_at)
    with engine.begin() as connection:
        for some in (ids, ids[:1], ids[1:], []):
            found = _ASSIGNMENTS.rows(connection, {"units": some})
            expected = connection.execute(query.where(_A.unit_id.in_(some)).order_by(_A.id))
            assert [tuple(r) for r in found] == [tuple(r) for r in expected]
        row = _ASSIGNMENTS.first(connection, {"units": ids})
    assert row is not None
    assert (type(row.active), type(row.deadline), row.due_at.tzinfo) == (bool, date, UTC)


def check_errors_and_events(engine: Engine) -> None:
    """A key written twice is SQLAlchemy's IntegrityError; listeners see every statement."""
    seen: list[str] = []

    def listen(*args: Any) -> None:
        seen.append(args[2])

    event.listen(engine, "before_cursor_execute", listen)
    try:
        with engine.begin() as connection:
            _PUT.run(connection, {"key": "k", "value": "1", "updated_at": NOON})
        with pytest.raises(IntegrityError), engine.begin() as connection:
            _PUT.run(connection, {"key": "k", "value": "2", "updated_at": NOON})
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    assert len(seen) == 2
    assert all(s.startswith("INSERT INTO app_state") for s in seen)
    with engine.begin() as connection:
        connection.execute(insert(_STATE), {"key": "s", "value": "1", "updated_at": NOON})
        stored = connection.execute(select(_STATE.c.value, _STATE.c.updated_at)).all()
        raw = {
            key: at
            for key, at in connection.exec_driver_sql("SELECT key, updated_at FROM app_state")
        }
    assert [tuple(r) for r in stored] == [("1", NOON)] * 2  # the second "k" rolled back
    assert raw["k"] == raw["s"]  # stored as SQLAlchemy stores it


def check_transaction(engine: Engine) -> None:
    """`transaction`: what `engine.begin()` gives, without its transaction objects. The
    writes committed together, or rolled back together when the block fails (a duplicate
    key: SQLAlchemy's IntegrityError); the engine's listeners see every statement (the loop
    guard of the tests, the writers' turn) and every commit; db.retry counts a committed
    transaction that wrote, and not one that only read or was rolled back."""
    seen: list[str] = []
    commits: list[object] = []

    def listen(*args: Any) -> None:
        seen.append(args[2])

    def committed(connection: object) -> None:
        commits.append(connection)

    event.listen(engine, "before_cursor_execute", listen)
    event.listen(engine, "commit", committed)
    try:
        before = kept_writes()
        with transaction(engine) as connection:
            _PUT.run(connection, {"key": "a", "value": "1", "updated_at": NOON})
            _PUT.run(connection, {"key": "b", "value": "1", "updated_at": NOON})
        assert kept_writes() == before + 1
        with transaction(engine) as connection:
            read = _GET.rows(connection, {})
        assert kept_writes() == before + 1  # a read is no kept write
        assert [(r.key, r.updated_at) for r in read] == [("a", NOON), ("b", NOON)]
        assert read[0].updated_at.tzinfo == UTC
        with pytest.raises(IntegrityError):
            _put(engine, ["c", "a"])  # "a" is there
        assert kept_writes() == before + 1
    finally:
        event.remove(engine, "before_cursor_execute", listen)
        event.remove(engine, "commit", committed)
    assert [s.split()[0] for s in seen] == ["INSERT", "INSERT", "SELECT", "INSERT", "INSERT"]
    assert len(commits) == 2
    with transaction(engine) as connection:
        assert [r.key for r in _GET.rows(connection, {})] == ["a", "b"]  # "c" rolled back
    # A statement run SQLAlchemy's way, and a session's savepoint, join the transaction.
    with transaction(engine) as connection:
        _PUT.run(connection, {"key": "d", "value": "1", "updated_at": NOON})
        connection.execute(text("UPDATE app_state SET value = '3' WHERE key = 'd'"))
        _add_in_savepoint(connection, "e")
        with pytest.raises(IntegrityError):  # undone alone, to its savepoint
            _add_in_savepoint(connection, "a")
    with pytest.raises(RuntimeError):
        _put(engine, ["f"], then_fail=True)
    with engine.connect() as connection:
        kept = connection.execute(select(_STATE.c.key, _STATE.c.value).order_by(_STATE.c.key))
        assert [tuple(r) for r in kept] == [("a", "1"), ("b", "1"), ("d", "3"), ("e", "9")]


def _put(engine: Engine, keys: list[str], *, then_fail: bool = False) -> None:
    """Put these keys in one `transaction`, then change "d" SQLAlchemy's way; fail if told."""
    with transaction(engine) as connection:
        for key in keys:
            _PUT.run(connection, {"key": key, "value": "2", "updated_at": NOON})
        if then_fail:
            connection.execute(text("UPDATE app_state SET value = '4' WHERE key = 'd'"))
            raise RuntimeError("the block failed")


def _add_in_savepoint(connection: Connection, key: str) -> None:
    """Add a key through a session joining the connection's transaction at a savepoint."""
    with Session(bind=connection, join_transaction_mode="create_savepoint") as session:
        session.add(AppState(key=key, value="9", updated_at=NOON))
        session.commit()


def test_rows_on_sqlite(engine: Engine) -> None:
    """SQLite: types, IN lists of any length, errors and events as SQLAlchemy's."""
    check_rows_as_sqlalchemy_reads_them(engine)
    check_errors_and_events(engine)


def test_transaction_on_sqlite(engine: Engine) -> None:
    """SQLite: the driver's transaction keeps what `engine.begin()` kept."""
    check_transaction(engine)


def test_transaction_on_postgres(pg_engine: Engine) -> None:
    """PostgreSQL: the same."""
    check_transaction(pg_engine)


def test_rows_on_postgres(pg_engine: Engine) -> None:
    """PostgreSQL: the same."""
    check_rows_as_sqlalchemy_reads_them(pg_engine)
    check_errors_and_events(pg_engine)


def test_a_column_left_to_its_python_default_is_refused(engine: Engine) -> None:
    """A default SQLAlchemy would compute (the inbox's attempts) must be given: refused."""
    record = Prepared(insert(Inbox.__table__))  # type: ignore[attr-defined]
    row = {"channel": "telegram", "account": "1", "epoch": 0, "update_id": "5"}
    row |= {"kind": "message", "digest": "", "received_at": NOON}
    with pytest.raises(ValueError, match="attempts"), engine.begin() as connection:
        record.run(connection, row)
    with engine.begin() as connection:
        record.run(connection, {**row, "attempts": 0})
