"""/export and `dondoc export`: the workbook opened with openpyxl and checked cell by cell."""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.cli import main
from db.models import Assignment, Contact, Evidence, Task, Unit
from db.queries.reports import record_report
from db.queries.tasks import assign_units
from tests.factories import make_contact, make_task, make_unit
from tests.handlers.telegram.summary_data import COORDINATOR, MEMBER, VN, at, make_province
from tests.handlers.telegram.test_summary import limit_to
from tests.harness import ADMIN_ID, BotUnderTest, button_data

HEADERS_VI = [
    "STT",
    "Đơn vị",
    "Nhiệm vụ",
    "Văn bản giao",
    "Hạn",
    "Ngày hoàn thành",
    "Tình trạng",
    "Số ngày quá hạn",
    "Minh chứng",
    "Ghi chú",
]
TASK1 = "#1 Ban hành Kế hoạch chuyển đổi số"


async def exported(bot: BotUnderTest, user_id: int, command: str) -> Workbook:
    """Send the command and open the workbook the bot sent back."""
    reply = await bot.send(user_id, command, match=lambda m: m.document is not None)
    assert reply.document is not None
    assert reply.document["file_name"].endswith(".xlsx")
    return load_workbook(io.BytesIO(bot.server.file_content(reply.document["file_id"])))


def rows(book: Workbook, sheet: str, first: int = 4) -> list[list[object]]:
    """Return the values of a sheet's rows from `first` on."""
    return [list(r) for r in book[sheet].iter_rows(min_row=first, values_only=True)]


async def test_export_of_a_task_fills_the_appendix_cell_by_cell(bot: BotUnderTest) -> None:
    """The appendix has the official columns, real dates, statuses, days, evidence, notes."""
    with bot.session() as s:
        make_province(s)
    bot.user(COORDINATOR)
    book = await exported(bot, COORDINATOR, "/export #1")
    assert book.sheetnames == ["Phụ lục", "Đơn vị x Nhiệm vụ", "Lịch sử báo cáo"]
    sheet = book["Phụ lục"]
    assert sheet["A2"].value == "Số liệu tính đến 09:00 ngày 18/11/2026."
    assert [c.value for c in sheet[3]] == HEADERS_VI
    due, directive = datetime(2026, 11, 10), "4824/UBND-KGVX"
    assert rows(book, "Phụ lục") == [
        [
            1,
            "Sở Y tế",
            TASK1,
            directive,
            due,
            None,
            "Chưa hoàn thành quá hạn",
            8,
            None,
            "Vướng mắc: Thiếu kinh phí; Giải trình: Chờ bổ sung dự toán",
        ],
        [
            2,
            "Xã A",
            TASK1,
            directive,
            due,
            datetime(2026, 11, 9),
            "Đã hoàn thành đúng hạn",
            None,
            "123/KH-UBND ngày 09/11/2026",
            None,
        ],
        [
            3,
            "Xã B",
            TASK1,
            directive,
            due,
            datetime(2026, 11, 12),
            "Đã hoàn thành quá hạn",
            2,
            None,
            None,
        ],
        [4, "Xã C", TASK1, directive, due, None, "Chưa hoàn thành quá hạn", 8, None, None],
        [
            5,
            "Xã D",
            TASK1,
            directive,
            due,
            None,
            "Chưa hoàn thành quá hạn",
            8,
            None,
            "Chưa báo cáo",
        ],
    ]
    assert sheet["E4"].number_format == "DD/MM/YYYY"
    assert (sheet.column_dimensions["C"].width or 0) >= len(TASK1)


async def test_export_has_the_matrix_and_the_report_history(bot: BotUnderTest) -> None:
    """All open tasks: units down, tasks across; every report with who sent it."""
    with bot.session() as s:
        make_province(s)
    bot.user(COORDINATOR)
    book = await exported(bot, COORDINATOR, "/export")
    matrix = book["Đơn vị x Nhiệm vụ"]
    assert [c.value for c in matrix[3]] == ["Đơn vị", TASK1, "#2 Báo cáo cải cách hành chính"]
    assert rows(book, "Đơn vị x Nhiệm vụ") == [
        ["Sở Y tế", "Quá hạn 8 ngày", None],
        ["Xã A", "Xong đúng hạn", "Trong hạn"],
        ["Xã B", "Xong trễ 2 ngày", "Trong hạn (Chưa báo cáo)"],
        ["Xã C", "Quá hạn 8 ngày", None],
        ["Xã D", "Quá hạn 8 ngày (Chưa báo cáo)", None],
    ]
    history = rows(book, "Lịch sử báo cáo")
    assert len(history) == 5
    assert history[0][:5] == [datetime(2026, 11, 5, 10, 0), "Xã C", TASK1, "Đang thực hiện", 40]
    xa = next(r for r in history if r[1] == "Xã A" and r[2] == TASK1)
    assert xa[3] == "Hoàn thành"
    assert xa[7:10] == ["123/KH-UBND", datetime(2026, 11, 9), "Cán bộ xã A"]


async def test_export_prints_each_sheet_one_a4_page_wide_its_header_on_every_page(
    bot: BotUnderTest,
) -> None:
    """The appendix's ten columns printed portrait, at Excel's default, ran over three pages
    across, its title and column names on the first page alone."""
    with bot.session() as s:
        make_province(s)
    bot.user(COORDINATOR)
    book = await exported(bot, COORDINATOR, "/export")
    for sheet in book.worksheets:
        setup = sheet.page_setup
        assert (setup.orientation, str(setup.paperSize)) == ("landscape", sheet.PAPERSIZE_A4)
        assert (setup.fitToWidth, setup.fitToHeight) == (1, 0), sheet.title
        fit = sheet.sheet_properties.pageSetUpPr
        assert fit is not None
        assert fit.fitToPage, sheet.title
        assert sheet.print_title_rows == "$1:$3", sheet.title  # rows 1 to 3


async def test_export_matrix_keeps_a_row_for_each_of_two_units_of_one_name(
    bot: BotUnderTest,
) -> None:
    """Two communes of one name (in two former districts) keep a row each in the matrix
    sheet, each with its own status (they were one row, the second's status over the first's)."""
    with bot.session() as s:
        province = make_province(s)
        twin = make_unit(s, "XA2", "Xã A")
        assert twin.id is not None
        task = s.get(Task, province.task1)
        assert task is not None
        assign_units(s, task=task, unit_ids=[twin.id], tz=VN)
        s.commit()
    bot.user(COORDINATOR)
    book = await exported(bot, COORDINATOR, f"/export #{province.task1}")
    assert [r for r in rows(book, "Đơn vị x Nhiệm vụ") if r[0] == "Xã A"] == [
        ["Xã A", "Xong đúng hạn"],
        ["Xã A", "Quá hạn 8 ngày (Chưa báo cáo)"],
    ]


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def formula_like_cells(book: Workbook) -> list[tuple[str, object, str]]:
    """Return (coordinate, value, data type) of every cell whose text could start a formula."""
    return [
        (cell.coordinate, cell.value, cell.data_type)
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START)
    ]


async def test_export_writes_formula_like_text_as_text(bot: BotUnderTest) -> None:
    """A unit name, file name or report text starting with = + - @ stays visible text."""
    name = '=HYPERLINK("http://evil.example","Xã D")'
    with bot.session() as s:
        province = make_province(s)
        unit = s.exec(select(Unit).where(Unit.code == "XD")).one()
        unit.name = name
        s.add(unit)
        s.add(
            Evidence(
                assignment_id=province.assignments["XB"],
                file_name="=2+3.pdf",
                size=1,
                sha256="0" * 64,
                storage_path="x",
            )
        )
        record_report(
            s, assignment_id=province.assignments["XC"], state="blocked", reason="-1+2", now=at(6)
        )
        s.commit()
    bot.user(COORDINATOR)
    book = await exported(bot, COORDINATOR, "/export #1")
    cells = formula_like_cells(book)
    values = {value for _, value, _ in cells}
    assert {name, "=2+3.pdf", "-1+2"} <= values
    assert [cell for cell in cells if cell[2] != "s"] == []


async def test_export_history_says_how_a_report_came_in_in_the_readers_language(
    bot: BotUnderTest,
) -> None:
    """The history's channel column reads "Bấm nút" or "Tin nhắn", not button or text."""
    with bot.session() as s:
        make_province(s)
    bot.user(COORDINATOR)
    book = await exported(bot, COORDINATOR, "/export")
    assert book["Lịch sử báo cáo"].cell(3, 11).value == "Hình thức"
    assert {r[10] for r in rows(book, "Lịch sử báo cáo")} == {"Bấm nút"}


async def test_export_headers_follow_the_readers_language(bot: BotUnderTest) -> None:
    """An English-speaking coordinator gets English sheets and headers."""
    with bot.session() as s:
        make_province(s)
        from tests.factories import make_contact

        make_contact(s, 3005, role="coordinator", language="en")
    bot.user(3005, language="en")
    book = await exported(bot, 3005, "/export 4824/UBND-KGVX")
    assert book.sheetnames == ["Appendix", "Units x Tasks", "Report history"]
    assert book["Appendix"]["B3"].value == "Unit"
    assert book["Appendix"]["G4"].value == "Not completed, overdue"


async def test_export_of_an_unknown_task_says_so(bot: BotUnderTest) -> None:
    """An unknown task gets a clear answer."""
    with bot.session() as s:
        make_province(s)
    bot.user(COORDINATOR)
    reply = await bot.send(COORDINATOR, "/export #77")
    assert "Không tìm thấy" in (reply.text or "")


async def test_export_while_the_persons_workbook_is_built_asks_to_wait(bot: BotUnderTest) -> None:
    """A second /export while the first is being built (on any channel) is told to wait;
    once it is built, /export works again."""
    with bot.session() as s:
        make_province(s)
        coordinator = s.exec(select(Contact).where(Contact.role == "coordinator")).first()
    assert coordinator is not None
    assert coordinator.id is not None
    bot.user(COORDINATOR)
    async with bot.services.turns.turn("export", coordinator.id):
        wait = await bot.send(COORDINATOR, "/export")
    book = await exported(bot, COORDINATOR, "/export")

    assert "đang được lập" in (wait.text or "")
    assert wait.document is None
    assert "Phụ lục" in book.sheetnames


def test_cli_export_writes_the_workbook(
    engine: Engine, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`dondoc export --task 1 --out FILE` writes the same appendix from the server."""
    with Session(engine, expire_on_commit=False) as s:
        make_province(s)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{db_path}")
    monkeypatch.setenv("DEFAULT_LANGUAGE", "vi")
    out = tmp_path / "out.xlsx"
    assert main(["export", "--task", "1", "--out", str(out)]) == 0
    book = load_workbook(out)
    assert [c.value for c in book["Phụ lục"][3]] == HEADERS_VI
    assert book["Phụ lục"]["B8"].value == "Xã D"
    assert main(["export", "--task", "99", "--out", str(out)]) == 1


LONG_UNIT = ("Ban Quản lý dự án đầu tư xây dựng các công trình dân dụng và công nghiệp " * 3)[:200]
LONG_TASK = (
    "Triển khai Đề án phát triển ứng dụng dữ liệu về dân cư, định danh và xác thực điện tử "
    "phục vụ chuyển đổi số quốc gia giai đoạn 2022 - 2025, tầm nhìn đến năm 2030"
)


def test_export_wraps_every_text_longer_than_its_column(
    engine: Engine, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A unit's name of 200 letters and a task's title of 160, in every sheet, wrap within
    their columns: left unwrapped they were cut off at the next cell's edge, on screen and
    on the printed appendix."""
    with Session(engine, expire_on_commit=False) as s:
        unit = make_unit(s, "BQLDA", LONG_UNIT, kind="department")
        task = make_task(s, LONG_TASK, date(2026, 12, 15), [unit])
        [assignment] = s.exec(select(Assignment).where(Assignment.task_id == task.id)).all()
        official = make_contact(s, 501, units=[unit])
        record_report(
            s,
            assignment_id=assignment.id or 0,
            state="in_progress",
            now=at(9),
            contact_id=official.id,
        )
        s.commit()
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{db_path}")
    out = tmp_path / "out.xlsx"
    assert main(["export", "--out", str(out)]) == 0
    book = load_workbook(out)
    for sheet in book.worksheets:  # from the header row: the matrix's tasks are columns
        cells = [c for row in sheet.iter_rows(min_row=3) for c in row if c.value]
        named = [c for c in cells if c.value in (LONG_UNIT, f"#1 {LONG_TASK}")]
        assert len(named) >= 2, sheet.title  # both are in every sheet
        for cell in cells:
            width = sheet.column_dimensions[cell.column_letter].width or 0
            if isinstance(cell.value, str) and len(cell.value) > width:
                assert cell.alignment.wrap_text, (sheet.title, cell.coordinate)


async def test_export_of_a_scoped_coordinator_names_no_task_outside_their_scope(
    bot: BotUnderTest,
) -> None:
    """A task assigned only to units outside the coordinator's groups is not a matrix column."""
    with bot.session() as s:
        make_province(s)
        xc = s.exec(select(Unit).where(Unit.code == "XC")).one()
        make_task(s, "Việc riêng của Xã C", date(2026, 11, 20), [xc])
    bot.user(COORDINATOR)
    limit_to(bot, COORDINATOR, "Thí điểm", ["XA", "XB"])
    book = await exported(bot, COORDINATOR, "/export")
    headers = [c.value for c in book["Đơn vị x Nhiệm vụ"][3]]
    assert headers == ["Đơn vị", TASK1, "#2 Báo cáo cải cách hành chính"]


async def test_export_takes_a_report_holding_control_characters(bot: BotUnderTest) -> None:
    """A reply pasted from Word carries its line break (U+000B), and a stray escape: the
    workbook keeps the text, the break as a line break (openpyxl refused the value, and every
    coordinator's /export of the task failed with an error)."""
    with bot.session() as s:
        make_province(s)
    bot.user(COORDINATOR)
    bot.user(MEMBER)
    said = await bot.send(MEMBER, "#2 đang làm 70% chờ\x0bký\x1b duyệt")
    assert "Đang thực hiện 70%" in (said.text or "")
    book = await exported(bot, COORDINATOR, "/export")
    texts = [r[5] for r in rows(book, "Lịch sử báo cáo")]
    assert "#2 đang làm 70% chờ\nký duyệt" in texts


@pytest.mark.parametrize("command", ["/export", "/report"])
async def test_a_task_picked_from_a_list_after_it_was_cancelled_is_said_cancelled(
    bot: BotUnderTest, command: str
) -> None:
    """Two tasks fit "kế hoạch quý"; the one picked was cancelled after the list was shown:
    the answer says so, and no workbook or report of a cancelled task is sent (one was)."""
    with bot.session() as s:
        make_province(s)
        xa = s.exec(select(Unit).where(Unit.code == "XA")).one()
        for quarter in ("I", "II"):
            make_task(s, f"Kế hoạch quý {quarter}", date(2026, 11, 27), [xa])
    bot.user(COORDINATOR)
    listed = await bot.send(COORDINATOR, f"{command} kế hoạch quý")
    await bot.send(ADMIN_ID, "/canceltask #3")
    await bot.press(COORDINATOR, button_data(listed, "#3 Kế hoạch quý I"), listed.message_id)
    said = await bot.server.wait_for_message(
        COORDINATOR,
        lambda m: m.document is not None or "#3" in (m.text or ""),
        after=listed.message_id,
    )
    assert said.document is None
    assert (
        said.text
        == "Nhiệm vụ #3 «Kế hoạch quý I» đã bị hủy, nên không còn được theo dõi hay tổng hợp."
    )


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/export #1", "Bảng tổng hợp (Excel) nặng"),
        ("/report #1", "Báo cáo (Word) nặng"),
        ("/chart", "Biểu đồ nặng"),
    ],
)
async def test_a_file_past_telegrams_limit_without_a_web_address_says_what_to_do(
    bot: BotUnderTest, command: str, expected: str
) -> None:
    """TELEGRAM_FILE_MAX_BYTES below the file and no PUBLIC_BASE_URL: no file, no link, but
    what to do: ask for less, or an admin's command line (a chart: one task's, the web)."""
    with bot.session() as s:
        make_province(s)
    bot.user(COORDINATOR)
    bot.configure(telegram_file_max_bytes=1000)
    reply = await bot.send(COORDINATOR, command, timeout=30)
    assert reply.document is None
    assert reply.photo is None
    text = reply.text or ""
    assert expected in text
    assert "quá giới hạn 1 KB của Telegram, nên không gửi qua đây được" in text
    assert "/files/" not in text
    if command == "/chart":
        assert "/chart #12" in text
    else:
        name = command.split()[0][1:]
        assert f"/{name} #12" in text
        assert f"dondoc {name}" in text


async def test_a_note_longer_than_an_excel_cell_is_cut_with_a_mark(bot: BotUnderTest) -> None:
    """Many long explanations joined pass Excel's 32,767 characters a cell: the note is cut,
    ending with "…", so the workbook does not open as damaged."""
    from db.models import Explanation

    with bot.session() as s:
        province = make_province(s)
        a = s.exec(select(Assignment).where(Assignment.task_id == province.task1)).first()
        assert a is not None
        for n in range(20):
            text = f"Giải trình {n}: " + "chờ bổ sung dự toán kinh phí " * 80
            s.add(
                Explanation(
                    assignment_id=a.id or 0, text=text, requested_at=at(9), answered_at=at(10)
                )
            )
        s.commit()
    bot.user(COORDINATOR)
    book = await exported(bot, COORDINATOR, "/export #1")
    notes = [str(r[9]) for r in rows(book, "Phụ lục") if r[9] and "Giải trình 0" in str(r[9])]
    assert len(notes) == 1
    assert len(notes[0]) == 32_767
    assert notes[0].endswith("…")


def tasks_in_force(s: Session) -> list[Task]:
    """Four tasks of Xã An: due Friday 11/12; two stored for Saturday 12/12 (due Monday, the
    first made "Đánh giá"); one for Monday 14/12. Return them in the order made."""
    unit = make_unit(s, "XA", "Xã An")
    return [
        make_task(s, title, deadline, [unit])
        for title, deadline in (
            ("Đánh giá mức độ chuyển đổi số", date(2026, 12, 12)),
            ("Ban hành kế hoạch", date(2026, 12, 14)),
            ("Dự thảo quy chế", date(2026, 12, 12)),
            ("Cập nhật số liệu", date(2026, 12, 11)),
        )
    ]


async def test_export_orders_tasks_by_the_deadline_in_force_then_stored_then_title(
    bot: BotUnderTest,
) -> None:
    """The appendix and the matrix list the tasks by the day in force their cells say, a
    Saturday's before a Monday's (both due Monday), one deadline's by title in Vietnamese
    order ("Dự thảo" before "Đánh giá"), not by number."""
    with bot.session() as s:
        made = tasks_in_force(s)
        make_contact(s, COORDINATOR, role="coordinator", name="Điều phối")
    bot.user(COORDINATOR)
    book = await exported(bot, COORDINATOR, "/export")
    order = [made[i] for i in (3, 2, 0, 1)]
    names = [f"#{t.id} {t.title}" for t in order]
    assert [r[2] for r in rows(book, "Phụ lục")] == names
    assert rows(book, "Đơn vị x Nhiệm vụ", first=3)[0][1:] == names
