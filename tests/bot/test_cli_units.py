"""`dondoc units import` and `dondoc invites export`, run in-process as an operator would."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlmodel import Session, select

from bench import hostile_files
from bot.cli import main
from db.engine import make_engine
from db.models import Invite, Unit
from devtools.fakebotapi import FakeBotApi
from tests.bot.conftest import EXAMPLES

TOKEN = "424242:cli-units-test-token-for-the-fake-server"


def units_in(workdir: Path) -> list[Unit]:
    """Return the units in the CLI's database."""
    engine = make_engine(f"sqlite:///{workdir / 'cli.sqlite3'}")
    try:
        with Session(engine) as session:
            return list(session.exec(select(Unit)))
    finally:
        engine.dispose()


def test_import_exits_0_when_every_row_applies(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The sample province imports with status 0 and a report of what was added."""
    assert main(["units", "import", str(EXAMPLES / "units_quang_nam_2021.csv")]) == 0
    assert "thêm mới 56" in capsys.readouterr().out
    assert main(["units", "import", str(EXAMPLES / "units_quang_nam_2021.csv")]) == 0
    assert "không đổi 56" in capsys.readouterr().out


def test_import_exits_1_when_some_rows_are_rejected(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bad row is reported with its number; the good row is applied."""
    path = workdir / "bad.csv"
    path.write_text("code,name,kind,parent_code\nA,Xã A,xã,\nB,Xã B,xã,ZZZ\n", encoding="utf-8")
    assert main(["units", "import", str(path)]) == 1
    out = capsys.readouterr().out
    assert "Dòng 3" in out
    assert "ZZZ" in out
    assert [u.code for u in units_in(workdir)] == ["A"]


def test_import_exits_2_when_the_file_is_unreadable(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file that is not a spreadsheet, or is missing, changes nothing and exits 2."""
    path = workdir / "photo.xlsx"
    path.write_bytes(b"\x89PNG\r\n\x1a\nnot a workbook")
    assert main(["units", "import", str(path)]) == 2
    assert "Không đọc được tệp" in capsys.readouterr().err
    assert main(["units", "import", str(workdir / "missing.csv")]) == 2
    headerless = workdir / "tasks.csv"
    headerless.write_text("code,title\nT1,Việc\n", encoding="utf-8")
    assert main(["units", "import", str(headerless)]) == 2


def test_import_exits_2_when_the_file_is_over_the_size_limit(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file over IMPORT_MAX_BYTES is refused with both sizes and nothing is applied."""
    monkeypatch.setenv("IMPORT_MAX_BYTES", "1024")
    path = workdir / "units.csv"
    path.write_bytes(b"code,name,kind\n" + b"X1,Xa Mot,xa\n" * 200)
    assert main(["units", "import", str(path)]) == 2
    assert "Tệp quá lớn (0,1 MB; tối đa 0,1 MB)" in capsys.readouterr().err
    assert not (workdir / "cli.sqlite3").exists()  # refused before the database is touched


def test_import_exits_2_with_one_line_when_an_xlsx_part_is_too_large(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A workbook of a million-cell row is refused in one line saying which row, exit 2."""
    path = workdir / "units.xlsx"
    path.write_bytes(hostile_files.wide_row_bomb(1_000_000))
    assert main(["units", "import", str(path)]) == 2
    said = capsys.readouterr().err.strip().splitlines()
    assert len(said) == 1
    assert said[0].startswith("Dòng 2 của tệp có quá nhiều ô (tối đa 16.384).")
    assert not (workdir / "cli.sqlite3").exists() or units_in(workdir) == []


def test_invites_export_asks_telegram_for_the_bot_name(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """With a token, the links use the username getMe returns; one row per bare unit."""
    main(["units", "import", str(EXAMPLES / "units_two_tier_province.csv")])
    with FakeBotApi(TOKEN, bot_username="dondoc_tinh_bot") as server:
        monkeypatch.setenv("BOT_TOKEN", TOKEN)
        monkeypatch.setenv("TELEGRAM_BASE_URL", server.base_url)
        assert main(["invites", "export", "--out", "links.xlsx"]) == 0
    assert TOKEN not in capsys.readouterr().out
    rows = list(
        load_workbook(io.BytesIO((workdir / "links.xlsx").read_bytes()))
        .worksheets[0]
        .iter_rows(values_only=True)
    )
    assert len(rows) == 1 + 34
    assert str(rows[1][5]).startswith("https://t.me/dondoc_tinh_bot?start=")
    engine = make_engine(f"sqlite:///{workdir / 'cli.sqlite3'}")
    with Session(engine) as session:
        assert len(session.exec(select(Invite)).all()) == 34
    engine.dispose()


def test_invites_export_to_csv_with_a_given_username(workdir: Path) -> None:
    """--bot-username needs no token; a .csv output is CSV with a BOM for Excel."""
    main(["units", "import", str(EXAMPLES / "units_two_tier_province.csv")])
    args = ["invites", "export", "--all", "--bot-username", "@tinh_bot", "--out", "l.csv"]
    assert main(args) == 0
    content = (workdir / "l.csv").read_bytes()
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0][1] == "Đơn vị"
    assert len(rows) == 35
    assert all(r[5].startswith("https://t.me/tinh_bot?start=") for r in rows[1:])


def test_invites_export_without_token_or_username_exits_2(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without a way to learn the bot's name, nothing is created and the reason is given."""
    assert main(["invites", "export"]) == 2
    assert "--bot-username" in capsys.readouterr().err
    assert main(["invites", "export", "--bot-username", "x", "--out", "l.pdf"]) == 2
