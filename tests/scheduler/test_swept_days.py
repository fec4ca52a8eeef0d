"""The days the reminder sweep ran, each with the highest assignment it covered, are kept
so that an occasion of a swept day without a record is known as not due, not missed.

Several workers may sweep at once (a leader's term ending while the next one's begins):
each day is recorded by one statement of its own, so two sweeps recording at the same
moment keep both days, and the higher top of one day (PostgreSQL). A day expire_stale
forgets is forgotten alone, and days past SWEPT_KEEP are let go.
"""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from db.engine import session_scope
from db.queries import state
from scheduler.dispatcher.swept import SWEPT_DAYS, SWEPT_KEEP, record_swept, swept_days
from tests.locks import waiting_for_a_lock

NOW = datetime(2026, 11, 18, 1, 0, tzinfo=UTC)
MON, TUE, WED = date(2026, 11, 16), date(2026, 11, 17), date(2026, 11, 18)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest) -> Engine:
    """Return this test's SQLite database, or a fresh PostgreSQL one."""
    engine: Engine = request.getfixturevalue(
        "engine" if request.param == "sqlite" else "pg_engine"
    )
    return engine


def days_of(engine: Engine) -> dict[date, int]:
    """Return the days swept as stored."""
    with Session(engine) as s:
        return swept_days(s)


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("first", "second", "kept"),
    [
        ((TUE, 120), (WED, 7), {MON: 50, TUE: 120, WED: 7}),  # two days: both kept
        ((WED, 120), (WED, 100), {MON: 50, WED: 120}),  # one day: the higher top kept
    ],
)
def test_two_sweeps_recording_at_once_lose_nothing(
    pg_engine: Engine,
    first: tuple[date, int],
    second: tuple[date, int],
    kept: dict[date, int],
) -> None:
    """One sweep records its day and has not committed when another records its own: once
    both commit, the days (or the higher top) of both are there."""
    with session_scope(pg_engine) as s:
        record_swept(s, MON, 50, now=NOW)
    done = threading.Event()

    def other() -> None:
        with session_scope(pg_engine) as s:
            record_swept(s, *second, now=NOW)
        done.set()

    with Session(pg_engine) as holding:
        record_swept(holding, *first, now=NOW)
        thread = threading.Thread(target=other)
        thread.start()
        waiting_for_a_lock(pg_engine, done)
        holding.commit()
    thread.join(timeout=10)
    assert done.is_set()
    assert days_of(pg_engine) == kept


def test_days_are_recorded_kept_higher_and_let_go_when_old(db: Engine) -> None:
    """A day recorded again keeps its higher top; a day older than SWEPT_KEEP goes."""
    old = MON - SWEPT_KEEP - SWEPT_KEEP
    with session_scope(db) as s:
        record_swept(s, old, 3, now=NOW)
        record_swept(s, MON, 50, now=NOW)
        record_swept(s, MON, 40, now=NOW)
        record_swept(s, TUE, 9, now=NOW)
    assert days_of(db) == {MON: 50, TUE: 9}


def test_the_days_recorded_before_as_one_value_still_count(db: Engine) -> None:
    """Days written by an earlier version, all in one value, are read, and kept when a new
    day is recorded."""
    with session_scope(db) as s:
        state.write(s, SWEPT_DAYS, f"{MON.isoformat()}:50,{TUE.isoformat()}:60", now=NOW)
    assert days_of(db) == {MON: 50, TUE: 60}
    with session_scope(db) as s:
        record_swept(s, TUE, 55, now=NOW)
        record_swept(s, WED, 70, now=NOW)
    assert days_of(db) == {MON: 50, TUE: 60, WED: 70}
