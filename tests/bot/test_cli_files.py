"""The command line's output files: a folder that is not there is one line, nothing made."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, select

from bot.cli import main
from db.engine import make_engine
from db.models import Invite

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in an empty directory (no .env) on a fresh SQLite file with the sample units."""
    monkeypatch.chdir(tmp_path)
    for name in ("BOT_TOKEN", "TELEGRAM_BASE_URL", "HTTPS_PROXY", "DEFAULT_LANGUAGE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    assert main(["units", "import", str(EXAMPLES / "units_quang_nam_2021.csv")]) == 0
    return tmp_path


@pytest.mark.parametrize(
    "command",
    [
        ["export", "--out"],
        ["invites", "export", "--bot-username", "dondoc_bot", "--out"],
    ],
)
def test_an_output_file_in_a_missing_folder_is_one_line_and_makes_nothing(
    workdir: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    """`--out` into a folder that does not exist: exit 1 and one line naming the file (it
    was a FileNotFoundError traceback); the invites the sheet would have held are not kept."""
    out = workdir / "missing" / "out.xlsx"
    capsys.readouterr()
    assert main([*command, str(out)]) == 1
    [line] = capsys.readouterr().err.strip().splitlines()
    assert str(out) in line
    engine = make_engine(f"sqlite:///{workdir / 'cli.sqlite3'}")
    with Session(engine) as session:
        assert list(session.exec(select(Invite))) == []
    engine.dispose()
