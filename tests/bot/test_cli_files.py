"""The command line's output files: a folder that is not there is one line, nothing made."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, select

from bot.cli import main
from db.engine import make_engine
from db.models import Invite


@pytest.mark.parametrize(
    "command",
    [
        ["export", "--out"],
        ["invites", "export", "--bot-username", "dondoc_bot", "--out"],
        ["db", "backup", "--out"],
    ],
)
def test_an_output_file_in_a_missing_folder_is_one_line_and_makes_nothing(
    sample_workdir: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    """`--out` into a folder that does not exist: exit 1 and one line naming the file (it
    was a FileNotFoundError traceback); the invites the sheet would have held are not kept."""
    out = sample_workdir / "missing" / "out.xlsx"
    capsys.readouterr()
    assert main([*command, str(out)]) == 1
    [line] = capsys.readouterr().err.strip().splitlines()
    assert str(out) in line
    engine = make_engine(f"sqlite:///{sample_workdir / 'cli.sqlite3'}")
    with Session(engine) as session:
        assert list(session.exec(select(Invite))) == []
    engine.dispose()
