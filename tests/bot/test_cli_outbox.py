"""`dondoc outbox purge`, run in-process as an operator would: counts, deletes, refuses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from bot.cli import main
from db.engine import make_engine
from db.models import Outbox


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run in an empty directory (no .env) on a migrated SQLite file; return its URL."""
    monkeypatch.chdir(tmp_path)
    for name in ("DEFAULT_LANGUAGE", "OUTBOX_KEEP_DAYS"):
        monkeypatch.delenv(name, raising=False)
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    assert main(["db", "upgrade"]) == 0
    return url


def queue(url: str, rows: dict[str, tuple[str, int]]) -> None:
    """Queue rows {key: (status, days ago)}."""
    now = datetime.now(UTC)
    engine = make_engine(url)
    with Session(engine) as s:
        for key, (status, days) in rows.items():
            at = now - timedelta(days=days)
            s.add(Outbox(key=key, chat_id="1", kind="notice", status=status, created_at=at))
        s.commit()
    engine.dispose()


def keys(url: str) -> set[str]:
    """Return the keys the outbox holds."""
    engine = make_engine(url)
    with Session(engine) as s:
        found = set(s.exec(select(Outbox.key)))
    engine.dispose()
    return found


def test_outbox_purge_counts_with_dry_run_then_deletes_finished_old_rows(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """--dry-run counts and deletes nothing; then a year's sent row goes with the default
    (400 days) only once older than that, and --days 60 takes a 90-day-old one; a pending
    row stays whatever its age."""
    queue(database, {"a": ("sent", 401), "b": ("sent", 90), "c": ("pending", 500)})
    capsys.readouterr()
    assert main(["outbox", "purge", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "Sẽ xoá 1 tin nhắn" in out
    assert "(giữ 400 ngày)" in out
    assert keys(database) == {"a", "b", "c"}
    assert main(["outbox", "purge"]) == 0
    assert "Đã xoá 1 tin nhắn" in capsys.readouterr().out
    assert keys(database) == {"b", "c"}
    assert main(["outbox", "purge", "--days", "60"]) == 0
    assert "Đã xoá 1 tin nhắn" in capsys.readouterr().out
    assert keys(database) == {"c"}


@pytest.mark.parametrize("days", ["5", "abc", "-1", "40000"])
def test_outbox_purge_refuses_a_wrong_number_of_days_in_one_line(
    database: str, capsys: pytest.CaptureFixture[str], days: str
) -> None:
    """--days outside 30..36500 exits 2 saying what is expected, before touching anything."""
    queue(database, {"a": ("sent", 401)})
    capsys.readouterr()
    with pytest.raises(SystemExit) as exited:
        main(["outbox", "purge", "--days", days])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "cần số ngày từ 30 đến 36500" in err  # DEFAULT_LANGUAGE: Vietnamese unless set
    assert "Traceback" not in err
    assert keys(database) == {"a"}


def test_outbox_purge_reads_outbox_keep_days(
    database: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without --days the command keeps OUTBOX_KEEP_DAYS; a wrong one is named in one line."""
    queue(database, {"a": ("cancelled", 45)})
    monkeypatch.setenv("OUTBOX_KEEP_DAYS", "40")
    assert main(["outbox", "purge"]) == 0
    assert keys(database) == set()
    monkeypatch.setenv("OUTBOX_KEEP_DAYS", "1")
    capsys.readouterr()
    assert main(["outbox", "purge"]) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert "OUTBOX_KEEP_DAYS" in line
    assert "30" in line
