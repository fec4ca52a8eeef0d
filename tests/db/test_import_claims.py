"""A previewed import file claimed for its apply in the database, on SQLite and PostgreSQL:
one apply at a time whatever the connections (several workers), its progress kept, and a
claim left by a killed process taken once."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.jobs import WRITE_SLICE_S, import_table
from core.spreadsheet.report import ImportReport
from core.spreadsheet.table import Table
from db.engine import session_scope
from db.queries import import_claims, state

NOW = datetime(2026, 11, 18, 2, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_engine(request: pytest.FixtureRequest) -> Engine:
    """Return this test's SQLite engine, or a fresh PostgreSQL database's."""
    name = "engine" if request.param == "sqlite" else "pg_engine"
    engine: Engine = request.getfixturevalue(name)
    return engine


def claim(engine: Engine, token: str = "f1", now: datetime = NOW, who: int = 7) -> bool:
    """Claim a file in a transaction of its own, as a press of Apply does."""
    with session_scope(engine) as s:
        data = {"contact_id": who, "where": "chat"}
        return import_claims.claim(s, token=token, data=data, now=now)


def test_of_presses_at_once_on_several_connections_one_applies(any_engine: Engine) -> None:
    """Eight presses at once (as on two workers): one claims the file; let go, it is free."""
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: claim(any_engine), range(8)))
    assert results.count(True) == 1
    assert claim(any_engine, "f2")  # another file is not held by it
    with session_scope(any_engine) as s:
        import_claims.release(s, token="f1")
    assert claim(any_engine)


def test_a_claim_left_keeps_its_progress_and_is_taken_once(any_engine: Engine) -> None:
    """A killed apply's claim says how far it got; of two starts reading it, one takes it."""
    assert claim(any_engine)
    with session_scope(any_engine) as s:
        import_claims.progress(s, token="f1", done=40, total=120, now=NOW)
    with session_scope(any_engine) as s:
        left = import_claims.left(s)
    assert list(left) == ["f1"]
    with session_scope(any_engine) as s:
        taken = import_claims.take_left(s, token="f1", value=left["f1"])
    assert taken == {"contact_id": 7, "where": "chat", "done": 40, "total": 120}
    with session_scope(any_engine) as s:
        assert import_claims.take_left(s, token="f1", value=left["f1"]) is None
        assert import_claims.left(s) == {}


def test_a_claim_no_slice_moved_for_ten_minutes_is_taken_over(any_engine: Engine) -> None:
    """A worker killed mid-apply (`WORKERS=multi`: no start of its own tells of it) leaves its
    claim: while its slices moved it lately, Apply is refused; ten minutes unmoved, Apply
    pressed again takes the file over, once."""
    assert claim(any_engine)
    with session_scope(any_engine) as s:
        import_claims.progress(s, token="f1", done=40, total=120, now=NOW + timedelta(minutes=4))
    assert not claim(any_engine, now=NOW + timedelta(minutes=13), who=8)  # moved 9 min ago
    late = NOW + timedelta(minutes=15)
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda who: claim(any_engine, now=late, who=who), range(4)))
    assert results.count(True) == 1
    with session_scope(any_engine) as s:
        [held] = import_claims.left(s).values()
    assert '"done"' not in held  # the new apply's claim, not the dead one's


def test_an_apply_moves_its_claim_by_the_time_its_slices_take(engine: Engine) -> None:
    """An apply's rows are stamped with the moment it began; its claim is moved by the time
    each slice's commit comes, so an apply longer than ten minutes is never taken for a dead
    one."""
    assert claim(engine)

    def slow(
        session: Session,
        table: Table,
        *,
        actor_id: int | None,
        now: datetime,
        tz: ZoneInfo,
        actor_label: str = "",
        checkpoint: Callable[[int, int], bool | None] | None = None,
    ) -> ImportReport:
        assert checkpoint is not None
        for done in (1, 2):
            time.sleep(2 * WRITE_SLICE_S)
            checkpoint(done, 2)
        return ImportReport()

    import_table(engine, slow, Table((), ()), actor_id=None, now=NOW, tz="UTC", claim="f1")
    with session_scope(engine) as s:
        held = state.read(s, f"{import_claims.PREFIX}f1")
    assert held is not None
    assert held.updated_at > NOW
