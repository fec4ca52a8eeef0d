"""The one key-value store (app_state): what is written is read back, taken once, pruned."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from db.queries import pending, state

NOON = datetime(2026, 12, 4, 5, 0, tzinfo=UTC)


def check_store(engine: Engine) -> None:
    """Each operation of the store, on one database."""
    with Session(engine) as s:
        assert state.read(s, "sweep.on") is None
        state.write(s, "sweep.on", "2026-12-04", now=NOON)
        state.write(s, "sweep.on", "2026-12-05", now=NOON + timedelta(days=1))
        s.commit()
        assert state.read(s, "sweep.on") == ("2026-12-05", NOON + timedelta(days=1))
        assert state.value(s, "sweep.on") == "2026-12-05"

        state.write(s, "x.old", "1", now=NOON - timedelta(hours=2))
        state.write(s, "x.new", "2", now=NOON)
        assert state.prune(s, prefix="x.", before=NOON - timedelta(hours=1)) == 1
        assert (state.value(s, "x.old"), state.value(s, "x.new")) == (None, "2")

        assert not state.take(s, "x.new", "stale")  # a value since replaced is not taken
        assert state.take(s, "x.new", "2")
        assert not state.take(s, "x.new", "2")  # only once
        state.forget(s, "sweep.on")
        assert state.value(s, "sweep.on") is None


def check_pending_of_one_person(engine: Engine) -> None:
    """Forgetting a person's questions leaves another person's, whose id ends the same."""
    with Session(engine) as s:
        for kind in ("step", "import"):
            for person in (7, 17):
                pending.set_pending(s, contact_id=person, data={"k": kind}, now=NOON, kind=kind)
        pending.forget_all_of(s, contact_id=7)
        s.commit()
        left = {
            (person, kind)
            for person in (7, 17)
            for kind in ("step", "import")
            if pending.get_pending(s, contact_id=person, now=NOON, kind=kind) is not None
        }
    assert left == {(17, "step"), (17, "import")}


def test_store_on_sqlite(engine: Engine) -> None:
    """SQLite: write replaces, read tells when, take is once, prune keeps the recent."""
    check_store(engine)


def test_forgetting_a_persons_questions_on_sqlite(engine: Engine) -> None:
    """SQLite: one person's pending questions go, every kind, and nobody else's."""
    check_pending_of_one_person(engine)


@pytest.mark.postgres
def test_store_on_postgres(pg_engine: Engine) -> None:
    """PostgreSQL: the same store, the same answers."""
    check_store(pg_engine)
    check_pending_of_one_person(pg_engine)
