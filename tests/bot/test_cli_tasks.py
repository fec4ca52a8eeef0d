"""`dondoc tasks import`, run in-process as an operator would: exit 0, 1 or 2."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from bot.cli import main
from db.engine import make_engine
from db.models import Task
from tests.bot.conftest import EXAMPLES
from tests.handlers.telegram.test_tasks_file import instructions_first


def tasks_in(sample_workdir: Path) -> list[Task]:
    """Return the tasks in the CLI's database."""
    engine = make_engine(f"sqlite:///{sample_workdir / 'cli.sqlite3'}")
    try:
        with Session(engine) as session:
            return list(session.exec(select(Task)))
    finally:
        engine.dispose()


def test_tasks_import_sample_exits_0_and_again_changes_nothing(
    sample_workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The sample tasks import with status 0; the same file again leaves them unchanged."""
    # The command uses the real clock: move the sample's dates to a few months from now.
    later = date.today() + timedelta(days=90)
    sample = (EXAMPLES / "tasks_quang_nam_2021.csv").read_text(encoding="utf-8")
    sample = re.sub(r"\d\d/\d\d/2027", later.strftime("%d/%m/%Y"), sample)
    path = sample_workdir / "tasks.csv"
    path.write_text(sample, encoding="utf-8")
    capsys.readouterr()
    assert main(["tasks", "import", str(path)]) == 0
    assert "thêm mới 3" in capsys.readouterr().out
    assert main(["tasks", "import", str(path)]) == 0
    assert "không đổi 3" in capsys.readouterr().out
    assert len(tasks_in(sample_workdir)) == 3


def test_tasks_import_exits_1_with_bad_rows_and_2_without_a_table(
    sample_workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bad row gives status 1 with its number; a file without the columns gives 2."""
    bad = sample_workdir / "bad.csv"
    bad.write_text("title,deadline,assignees\nViệc,31/02/2030,sở\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["tasks", "import", str(bad)]) == 1
    assert "Dòng 2" in capsys.readouterr().out
    wrong = sample_workdir / "wrong.csv"
    wrong.write_text("a,b\n1,2\n", encoding="utf-8")
    assert main(["tasks", "import", str(wrong)]) == 2


def test_a_file_lacking_a_column_is_refused_naming_the_columns_and_the_header_read(
    sample_workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A tasks file whose units column is named otherwise, or a tasks file given to `units
    import`, says which columns are missing and which header was read: the operator sees
    what to rename, or that the file is of the other kind."""
    path = sample_workdir / "nhiem-vu.csv"
    path.write_text("Tiêu đề,Hạn,Nơi nhận\nViệc,15/12/2030,sở\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["tasks", "import", str(path)]) == 2
    said = capsys.readouterr().err
    assert "thiếu cột bắt buộc: đơn vị (assignees)." in said, said
    assert "Các cột bot đọc được: tiêu đề (title), hạn (deadline), nơi nhận." in said
    assert main(["units", "import", str(path)]) == 2
    said = capsys.readouterr().err
    assert "mã (code), tên (name), loại (kind)" in said, said
    assert tasks_in(sample_workdir) == []


def test_a_workbook_read_on_the_wrong_sheet_names_the_sheet_read_and_the_others(
    sample_workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The list on a workbook's second sheet, its first showing instructions: the refusal
    names the sheet read and the others, to open and save on the right one."""
    path = sample_workdir / "nhiem-vu.xlsx"
    path.write_bytes(instructions_first())
    capsys.readouterr()
    assert main(["tasks", "import", str(path)]) == 2
    said = capsys.readouterr().err
    assert "Bot đọc trang tính «Hướng dẫn»" in said, said
    assert "tệp còn các trang «Nhiệm vụ»" in said


def test_columns_the_import_does_not_read_are_named_in_its_report(
    sample_workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A column the import does not read ("Người theo dõi") is named as not read: its cells
    were dropped without a word. A row number ("STT") is no such column, nor the agencies
    that assist, left out on purpose (renamed as advised, they would become assignees)."""
    path = sample_workdir / "nhiem-vu.csv"
    path.write_text(
        "STT,Tiêu đề,Hạn,Đơn vị,Cơ quan phối hợp,Người theo dõi\n"
        "1,Việc,15/12/2030,sở,Sở Tài chính,Anh Bình\n",
        encoding="utf-8",
    )
    capsys.readouterr()
    main(["tasks", "import", str(path)])
    said = capsys.readouterr().out
    assert "Cột không được đọc (bỏ qua, 1 cột): «người theo dõi»." in said, said
    assert "stt" not in said.lower()
    assert "phối hợp" not in said
