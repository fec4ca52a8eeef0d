"""`dondoc db backup`: a live SQLite database copied into one file that restores alone.

A province on SQLite (`./scripts/run`, `dondoc.service` alone) had no way to back it up
while the bot ran: the nightly unit's pg_dump reads PostgreSQL only, and a copy of the
file misses what the WAL still holds.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main

NEW_NAME = "Sở Y tế (đổi tên, còn trong WAL)"


@pytest.fixture
def live_writer(sample_workdir: Path) -> Iterator[sqlite3.Connection]:
    """The bot, as it were: a connection that renamed a unit and has not checkpointed, so
    the rename is in cli.sqlite3-wal alone, and stays open while the test runs."""
    writer = sqlite3.connect(sample_workdir / "cli.sqlite3")
    writer.execute("PRAGMA wal_autocheckpoint=0")
    writer.execute("UPDATE unit SET name = ? WHERE code = 'SYT'", (NEW_NAME,))
    writer.commit()
    yield writer
    writer.close()


def unit_names(database: Path) -> set[str]:
    """Return the names of the units a database file holds, read from that file alone."""
    reader = sqlite3.connect(f"{database.as_uri()}?immutable=1", uri=True)
    try:
        return {name for (name,) in reader.execute("SELECT name FROM unit")}
    finally:
        reader.close()


def test_a_backup_of_the_live_database_holds_what_the_wal_holds_in_one_file(
    sample_workdir: Path, live_writer: sqlite3.Connection, capsys: pytest.CaptureFixture[str]
) -> None:
    """While the bot writes, `dondoc db backup --out FILE` copies one consistent snapshot,
    the WAL's transactions included, into a file that stands alone (no -wal beside it); a
    copy of the database file misses the rename."""
    source = sample_workdir / "cli.sqlite3"
    assert (sample_workdir / "cli.sqlite3-wal").stat().st_size > 0
    copied = sample_workdir / "copied.sqlite3"
    shutil.copyfile(source, copied)
    assert NEW_NAME not in unit_names(copied)  # why `cp` is no backup
    out = sample_workdir / "backups" / "dondoc.sqlite3"
    out.parent.mkdir()
    capsys.readouterr()
    assert main(["db", "backup", "--out", str(out)]) == 0
    assert str(out) in capsys.readouterr().out
    assert sorted(p.name for p in out.parent.iterdir()) == ["dondoc.sqlite3"]
    assert unit_names(out) == {name for (name,) in live_writer.execute("SELECT name FROM unit")}
    assert NEW_NAME in unit_names(out)
    restored = sqlite3.connect(out)
    assert restored.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    restored.close()
    assert out.stat().st_mode & 0o077 == 0  # officials' data: for the bot's user alone


@pytest.mark.usefixtures("live_writer")
def test_a_backup_overwrites_no_file(
    sample_workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A name already taken (last night's backup) is refused in one line, left as it was."""
    out = sample_workdir / "last-night.sqlite3"
    out.write_bytes(b"last night's backup")
    capsys.readouterr()
    assert main(["db", "backup", "--out", str(out)]) == 1
    [line] = capsys.readouterr().err.strip().splitlines()
    assert str(out) in line
    assert out.read_bytes() == b"last night's backup"
    assert sorted(p.name for p in sample_workdir.glob("last-night*")) == ["last-night.sqlite3"]


def test_a_backup_without_a_name_is_dated_in_the_provinces_time(
    sample_workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without --out, the copy is ./dondoc-<yyyymmdd-hhmm>.sqlite3 in the current folder."""
    capsys.readouterr()
    assert main(["db", "backup"]) == 0
    [made] = sample_workdir.glob("dondoc-*.sqlite3")
    assert made.name[len("dondoc-") :].removesuffix(".sqlite3").replace("-", "").isdigit()
    assert made.name in capsys.readouterr().out


def test_postgresql_is_backed_up_with_pg_dump(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """On PostgreSQL the command says to use pg_dump (dondoc-backup.service), in one line,
    exit status 2, without connecting; and on an SQLite file that is not there, it makes
    none (an empty database backed up would look like a backup)."""
    monkeypatch.setenv("DATABASE_URL", "postgresql://dondoc:s3cret@127.0.0.1:1/dondoc")
    assert main(["db", "backup"]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert "pg_dump" in line
    assert "s3cret" not in line
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{workdir / 'not-there.sqlite3'}")
    assert main(["db", "backup"]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert "not-there.sqlite3" in line
    assert list(workdir.iterdir()) == []
