"""A previewed import: the preview writes nothing; the kept file is taken once, then gone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, select

from app.jobs import preview_table
from core.spreadsheet.read import read_table
from db.imports.units import import_units
from db.models import AuditLog, Unit
from db.queries.pending import (
    IMPORT_KIND,
    IMPORT_TTL,
    prune_pending,
    set_pending,
    take_pending,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
NOW = datetime(2026, 11, 18, 2, 0, tzinfo=UTC)
VN = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_engine(request: pytest.FixtureRequest) -> Engine:
    """Return this test's SQLite engine, then a fresh PostgreSQL one."""
    name = "engine" if request.param == "sqlite" else "pg_engine"
    engine: Engine = request.getfixturevalue(name)
    return engine


def test_a_preview_reports_the_import_and_writes_nothing(any_engine: Engine) -> None:
    """The sample province: 56 would be added, none is, no audit row; then it applies."""
    table = read_table((EXAMPLES / "units_quang_nam_2021.csv").read_bytes(), "qn.csv")
    report = preview_table(any_engine, import_units, table, actor_id=None, now=NOW, tz=str(VN))
    assert len(report.added) == 56
    with Session(any_engine) as session:
        assert list(session.exec(select(Unit))) == []
        assert list(session.exec(select(AuditLog))) == []
        assert len(import_units(session, table, actor_id=None, now=NOW).added) == 56
        session.commit()


def take(connection: Connection, token: str, now: datetime, contact_id: int = 7) -> object:
    """Take a contact's kept import file by its token."""
    return take_pending(
        connection, contact_id=contact_id, token=token, now=now, kind=IMPORT_KIND, ttl=IMPORT_TTL
    )


def test_the_kept_file_is_taken_once_by_its_own_token_until_it_expires(
    any_engine: Engine,
) -> None:
    """A wrong token takes nothing; the right one takes it once; an expired one is pruned."""
    data = {"token": "abc", "name": "u.csv", "content": "Y29kZQ=="}
    with any_engine.begin() as connection:
        set_pending(connection, contact_id=7, data=data, now=NOW, kind=IMPORT_KIND)
        assert take(connection, "other", NOW) is None
        assert take(connection, "abc", NOW) == data
        assert take(connection, "abc", NOW) is None

        set_pending(connection, contact_id=7, data=data, now=NOW, kind=IMPORT_KIND)
        later = NOW + IMPORT_TTL + timedelta(seconds=1)
        assert take(connection, "abc", later) is None
        set_pending(connection, contact_id=8, data=data, now=later, kind=IMPORT_KIND)
        set_pending(connection, contact_id=7, data=data, now=NOW, kind="step")
        assert prune_pending(connection, kind=IMPORT_KIND, before=later - IMPORT_TTL) == 1
        assert take(connection, "abc", later, contact_id=8) == data
