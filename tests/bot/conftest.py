"""The command line's tests run in an empty folder on a fresh SQLite file, without a token."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in an empty directory (no .env) on a fresh SQLite file, without a token."""
    monkeypatch.chdir(tmp_path)
    for name in ("BOT_TOKEN", "TELEGRAM_BASE_URL", "HTTPS_PROXY", "DEFAULT_LANGUAGE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    return tmp_path


@pytest.fixture
def sample_workdir(workdir: Path) -> Path:
    """The same, with the sample province's units imported."""
    assert main(["units", "import", str(EXAMPLES / "units_quang_nam_2021.csv")]) == 0
    return workdir
