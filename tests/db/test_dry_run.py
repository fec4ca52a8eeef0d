"""An import's preview writes nothing; in slices it leaves SQLite's write lock free."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from core.spreadsheet import ImportReport, Table
from db.imports import dry_run
from db.models import AppState
from tests.factories import VN

NOW = datetime(2026, 11, 18, 9, 0, tzinfo=VN)
TAP = "INSERT INTO app_state (key, value, updated_at) VALUES (?, '', ?)"


def writer_between_rows(db_path: Path, written: list[str]) -> Callable[..., ImportReport]:
    """Return an importer that writes a row, reaches its checkpoint, then lets another write."""

    def importer(
        session: Session,
        table: Table,
        *,
        actor_id: int | None,
        now: datetime,
        tz: ZoneInfo,
        actor_label: str = "",
        checkpoint: Callable[[], None] | None = None,
    ) -> ImportReport:
        for n in range(3):
            session.add(AppState(key=f"import-{n}", updated_at=now))
            session.flush()
            if checkpoint is not None:
                checkpoint()
            other = sqlite3.connect(db_path, timeout=0)  # a tap's write: it must not wait
            try:
                other.execute(TAP, (f"tap-{n}", now.isoformat()))
                other.commit()
                written.append(f"tap-{n}")
            finally:
                other.close()
        return ImportReport()

    return importer


def keys(engine: Engine) -> list[str]:
    """Return the keys in app_state, in order."""
    with Session(engine) as session:
        return sorted(session.exec(select(AppState.key)))


def test_preview_in_slices_lets_other_writes_in_between_rows(
    engine: Engine, db_path: Path
) -> None:
    """Rolled back after each slice, the preview never makes another writer wait."""
    written: list[str] = []
    importer = writer_between_rows(db_path, written)
    dry_run(engine, importer, Table((), ()), actor_id=None, now=NOW, tz=VN, slice_s=0.0)
    assert written == ["tap-0", "tap-1", "tap-2"]
    assert [k for k in keys(engine) if k.startswith("import")] == []


def test_preview_in_one_transaction_holds_the_write_lock(engine: Engine, db_path: Path) -> None:
    """Without slices the preview's rows hold the lock: another writer is refused at once."""
    importer = writer_between_rows(db_path, [])
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        dry_run(engine, importer, Table((), ()), actor_id=None, now=NOW, tz=VN)
    assert [k for k in keys(engine) if k.startswith("import")] == []
