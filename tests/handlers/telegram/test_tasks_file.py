"""An admin sends a tasks spreadsheet: its header tells it from a units file."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook
from sqlmodel import col, select

from db.models import Outbox, Task, Unit
from tests.core.test_spreadsheet import (
    HTML_XLS,
    TCVN3_ROWS,
    VNI_ROWS,
    encrypted_workbook,
    filtered_to_one_directive,
    xlsx,
)
from tests.factories import make_contact, make_unit
from tests.harness import ADMIN_ID, BotUnderTest

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "title,deadline,assignees\nBáo cáo quý IV,15/12/2026,xã\nViệc hỏng,31/02/2027,xã\n"


async def test_tasks_file_sent_in_chat_is_imported_with_row_report(bot: BotUnderTest) -> None:
    """The good row becomes a task; the bad row is named by number; again adds nothing."""
    with bot.session() as s:
        make_unit(s, "A1")
    await bot.send(ADMIN_ID, "/help")
    after = bot.server.last_message_id(ADMIN_ID)
    bot.server.send_document(ADMIN_ID, CSV.encode(), "tasks.csv", "text/csv")
    report = await bot.server.wait_for_message(ADMIN_ID, after=after)
    assert "thêm mới 1" in (report.text or "")
    assert "Dòng 3" in (report.text or "")
    after = report.message_id
    bot.server.send_document(ADMIN_ID, CSV.encode(), "tasks.csv", "text/csv")
    again = await bot.server.wait_for_message(ADMIN_ID, after=after)
    assert "không đổi 1" in (again.text or "")
    with bot.session() as s:
        assert [t.title for t in s.exec(select(Task))] == ["Báo cáo quý IV"]


async def test_tasks_file_with_vietnamese_headers_is_imported(bot: BotUnderTest) -> None:
    """A header "Tiêu đề, Hạn, Đơn vị, Văn bản, Mô tả" reads as title, deadline, ..."""
    with bot.session() as s:
        make_unit(s, "A1", "Xã A")
    csv = "Tiêu đề,Hạn,Đơn vị,Văn bản,Mô tả\nBáo cáo quý IV,15/12/2026,xã,12/UBND,Gửi bản ký số\n"
    await bot.send(ADMIN_ID, "/help")
    after = bot.server.last_message_id(ADMIN_ID)
    bot.server.send_document(ADMIN_ID, csv.encode(), "nhiem-vu.csv", "text/csv")
    report = await bot.server.wait_for_message(ADMIN_ID, after=after)
    assert "thêm mới 1" in (report.text or "")
    with bot.session() as s:
        task = s.exec(select(Task)).one()
    assert (task.title, task.description) == ("Báo cáo quý IV", "Gửi bản ký số")


async def test_units_file_with_vietnamese_headers_without_diacritics_is_imported(
    bot: BotUnderTest,
) -> None:
    """ "ma,ten,loai,ma don vi cap tren,nhom" (or with diacritics) reads as a units file."""
    with_marks = "mã,tên,loại,mã đơn vị cấp trên,nhóm\nDB,Thị xã Điện Bàn,huyện,,\n"
    without = "ma,ten,loai,ma don vi cap tren,nhom\nX1,Xã Điện Hòa,xã,DB,Xã thí điểm\n"
    await bot.send(ADMIN_ID, "/help")
    for content in (with_marks, without):
        after = bot.server.last_message_id(ADMIN_ID)
        bot.server.send_document(ADMIN_ID, content.encode(), "don-vi.csv", "text/csv")
        report = await bot.server.wait_for_message(ADMIN_ID, after=after)
        assert "thêm mới 1" in (report.text or ""), report.text
    with bot.session() as s:
        commune = s.exec(select(Unit).where(Unit.code == "X1")).one()
        parent = s.exec(select(Unit).where(Unit.code == "DB")).one()
    assert commune.parent_id == parent.id


async def test_an_old_excel_file_is_answered_with_how_to_save_it(bot: BotUnderTest) -> None:
    """An admin's .xls (Excel 97-2003) is not taken for evidence: the answer says to save it
    as .xlsx or CSV UTF-8, and nothing changes."""
    xls = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    await bot.send(ADMIN_ID, "/help")
    after = bot.server.last_message_id(ADMIN_ID)
    bot.server.send_document(ADMIN_ID, xls, "nhiem-vu.xls", "application/vnd.ms-excel")
    answer = await bot.server.wait_for_message(ADMIN_ID, after=after)
    assert ".xlsx" in (answer.text or ""), answer.text
    assert "CSV UTF-8" in (answer.text or "")
    with bot.session() as s:
        assert s.exec(select(Task)).first() is None


async def test_a_list_typed_in_a_legacy_font_is_answered_with_how_to_convert_it(
    bot: BotUnderTest,
) -> None:
    """A units workbook typed in TCVN3 (.VnTime) made units named "Së Y tÕ"; a CSV of
    VNI text saved in Windows' code page was told to be saved as UTF-8, which keeps its
    letters wrong. Both are answered with the Unikey conversion, quoting the file; nothing
    is made."""
    await bot.send(ADMIN_ID, "/help")
    after = bot.server.last_message_id(ADMIN_ID)
    book = xlsx([("Mã", "Tên", "Loại"), *TCVN3_ROWS])
    bot.server.send_document(ADMIN_ID, book, "don-vi.xlsx", XLSX_TYPE)
    answer = await bot.server.wait_for_message(ADMIN_ID, after=after)
    assert "TCVN3" in (answer.text or ""), answer.text
    assert "Unikey" in (answer.text or "")
    assert "Së Y tÕ" in (answer.text or "")
    csv = "ma,ten,loai\n" + "".join(",".join(row) + "\n" for row in VNI_ROWS)
    bot.server.send_document(ADMIN_ID, csv.encode("cp1252"), "don-vi.csv", "text/csv")
    answer = await bot.server.wait_for_message(ADMIN_ID, after=answer.message_id)
    assert "VNI" in (answer.text or ""), answer.text
    with bot.session() as s:
        assert s.exec(select(Unit)).first() is None


async def test_a_workbook_with_a_password_is_answered_with_how_to_remove_it(
    bot: BotUnderTest,
) -> None:
    """An .xlsx with a password to open is not called an old .xls to save as .xlsx (which
    keeps the password): the admin is told to remove the password, and nothing changes."""
    await bot.send(ADMIN_ID, "/help")
    after = bot.server.last_message_id(ADMIN_ID)
    bot.server.send_document(ADMIN_ID, encrypted_workbook(), "nhiem-vu.xlsx", XLSX_TYPE)
    answer = (await bot.server.wait_for_message(ADMIN_ID, after=after)).text or ""
    assert "mật khẩu" in answer
    assert ".xls" not in answer
    with bot.session() as s:
        assert s.exec(select(Task)).first() is None


async def test_a_list_filtered_to_one_directive_imports_the_rows_shown(
    bot: BotUnderTest,
) -> None:
    """An admin filters the province's list to one directive and sends it: the tasks of the
    other directives, hidden by the filter, are not created, and the report says which rows
    were not read and how to have them read."""
    with bot.session() as s:
        make_unit(s, "X1")
    await bot.send(ADMIN_ID, "/help")
    after = bot.server.last_message_id(ADMIN_ID)
    bot.server.send_document(ADMIN_ID, filtered_to_one_directive(), "nhiem-vu.xlsx", XLSX_TYPE)
    report = (await bot.server.wait_for_message(ADMIN_ID, after=after)).text or ""
    assert "thêm mới 2" in report
    assert "3 dòng đang ẩn trong tệp (bị ẩn hoặc bị lọc) không được đọc: dòng 5, 7–8" in report
    assert "bỏ lọc" in report
    with bot.session() as s:
        assert sorted(t.title for t in s.exec(select(Task))) == ["Việc 4", "Việc 6"]


async def test_a_web_page_saved_as_xls_is_answered_with_how_to_save_it(bot: BotUnderTest) -> None:
    """The ".xls" a province's software exports is often a web page holding a table: the
    admin is told to save it as .xlsx or CSV UTF-8, not that its header lacks columns."""
    await bot.send(ADMIN_ID, "/help")
    after = bot.server.last_message_id(ADMIN_ID)
    bot.server.send_document(ADMIN_ID, HTML_XLS, "danh-sach.xls", "application/vnd.ms-excel")
    answer = (await bot.server.wait_for_message(ADMIN_ID, after=after)).text or ""
    assert "trang web" in answer
    assert "CSV UTF-8" in answer
    with bot.session() as s:
        assert s.exec(select(Unit)).first() is None


def instructions_first() -> bytes:
    """Return a workbook opening on its instructions, the list of tasks on its second sheet."""
    book = Workbook()
    first = book.worksheets[0]
    first.title = "Hướng dẫn"
    first.append(["Điền danh sách nhiệm vụ ở trang bên cạnh"])
    book.create_sheet("Nhiệm vụ").append(["Tiêu đề", "Hạn", "Đơn vị"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def test_a_workbook_opening_on_its_instructions_names_the_sheet_read(
    bot: BotUnderTest,
) -> None:
    """A workbook that opens on its instructions, the list on its second sheet, is refused
    naming the sheet read and the others: the admin knows which sheet to open and save."""
    await bot.send(ADMIN_ID, "/help")
    after = bot.server.last_message_id(ADMIN_ID)
    bot.server.send_document(ADMIN_ID, instructions_first(), "nhiem-vu.xlsx", XLSX_TYPE)
    answer = (await bot.server.wait_for_message(ADMIN_ID, after=after)).text or ""
    assert "không nhận ra loại tệp" in answer
    assert "Bot đọc trang tính «Hướng dẫn»" in answer, answer
    assert "tệp còn các trang «Nhiệm vụ»" in answer


async def test_a_csv_renamed_xlsx_is_imported_as_the_csv_it_is(bot: BotUnderTest) -> None:
    """A CSV whose name was changed to .xlsx is read by its content and imported."""
    with bot.session() as s:
        make_unit(s, "A1")
    await bot.send(ADMIN_ID, "/help")
    after = bot.server.last_message_id(ADMIN_ID)
    bot.server.send_document(ADMIN_ID, CSV.encode(), "nhiem-vu.xlsx", XLSX_TYPE)
    report = (await bot.server.wait_for_message(ADMIN_ID, after=after)).text or ""
    assert "thêm mới 1" in report, report
    with bot.session() as s:
        assert [t.title for t in s.exec(select(Task))] == ["Báo cáo quý IV"]


@pytest.mark.parametrize("rows", [3, 25], ids=["applied-at-once", "previewed-first"])
async def test_a_tasks_file_of_formulas_never_computed_is_refused_naming_the_cells(
    bot: BotUnderTest, rows: int
) -> None:
    """Deadlines written as formulas by a program have no value to read: the admin is told
    which cells, and to open and save the file in Excel or LibreOffice; no task is made."""
    with bot.session() as s:
        make_unit(s, "A1")
    content = xlsx(
        [("title", "deadline", "assignees")]
        + [(f"Báo cáo tuần {n}", f"=DATE(2026,12,{n})", "xã") for n in range(1, rows + 1)]
    )
    await bot.send(ADMIN_ID, "/help")
    after = bot.server.last_message_id(ADMIN_ID)
    bot.server.send_document(ADMIN_ID, content, "tuan.xlsx", XLSX_TYPE)
    answer = (await bot.server.wait_for_message(ADMIN_ID, after=after)).text or ""
    assert "chưa lưu kết quả" in answer
    assert "B2, B3, B4" in answer
    assert "mở tệp bằng Excel hoặc LibreOffice, bấm Lưu rồi gửi lại" in answer
    with bot.session() as s:
        assert s.exec(select(Task)).first() is None


async def test_an_excel_unicode_text_file_is_imported_and_a_text_note_is_not(
    bot: BotUnderTest,
) -> None:
    """Excel's "Unicode Text" (.txt, UTF-16 with tabs) naming the tasks columns is imported,
    not taken for evidence; a .txt holding a note is still not read as an import."""
    with bot.session() as s:
        make_unit(s, "A1")
    text = "title\tdeadline\tassignees\r\nBáo cáo quý IV\t15/12/2026\txã\r\n"
    await bot.send(ADMIN_ID, "/help")
    after = bot.server.last_message_id(ADMIN_ID)
    bot.server.send_document(ADMIN_ID, text.encode("utf-16"), "nhiem-vu.txt", "text/plain")
    report = await bot.server.wait_for_message(ADMIN_ID, after=after)
    assert "thêm mới 1" in (report.text or ""), report.text
    after = report.message_id
    note = "Báo cáo tiến độ tuần 47: đã hoàn thành 80%.\n".encode()
    bot.server.send_document(ADMIN_ID, note, "bao-cao.txt", "text/plain")
    answer = await bot.server.wait_for_message(ADMIN_ID, after=after)
    assert "nhập tệp" not in (answer.text or "").lower(), answer.text
    assert "tiêu đề" not in (answer.text or "").lower(), answer.text  # no "unknown header"
    with bot.session() as s:
        assert [t.title for t in s.exec(select(Task))] == ["Báo cáo quý IV"]


async def test_a_file_that_changes_a_task_tells_its_units_as_the_commands_do(
    bot: BotUnderTest,
) -> None:
    """The same file sent again with the deadline brought forward, the title mended and a
    unit left out: the unit still on it hears of both, the one left out hears it needs no
    more report (as /deadline, /renametask and /unassign tell them), the admin is told
    so; sent a third time, nobody hears anything again."""
    with bot.session() as s:
        first, second = make_unit(s, "A1", "Xã A"), make_unit(s, "B1", "Xã B")
        make_contact(s, 2001, units=[first], name="Lan")
        make_contact(s, 2002, units=[second], name="Minh")
    for user, name in ((2001, "Lan"), (2002, "Minh")):
        bot.user(user, name)
        await bot.send(user, "/start")  # Telegram lets a bot write only to who started it
    header = "code,title,deadline,assignees\n"
    await bot.send(ADMIN_ID, "/help")
    for row, word in (('T1,Báo cáo quý IV,15/12/2026,"A1, B1"', "thêm mới 1"),
                      ("T1,Báo cáo quý 4,30/11/2026,A1", "cập nhật 1"),
                      ("T1,Báo cáo quý 4,30/11/2026,A1", "không đổi 1")):  # fmt: skip
        after = bot.server.last_message_id(ADMIN_ID)
        bot.server.send_document(ADMIN_ID, (header + row).encode(), "tasks.csv", "text/csv")
        report = await bot.server.wait_for_message(ADMIN_ID, after=after)
        assert word in (report.text or "")
        told = "Đã gửi 3 thông báo cho người phụ trách" in (report.text or "")
        assert told == (word == "cập nhật 1")
    moved = await bot.server.wait_for_message(2001, lambda m: "30/11/2026" in (m.text or ""))
    assert "#1 Báo cáo quý 4 đã được đổi hạn từ 15/12/2026 sang 30/11/2026" in (moved.text or "")
    renamed = await bot.server.wait_for_message(2001, lambda m: "đổi tên" in (m.text or ""))
    assert "«Báo cáo quý IV» → «Báo cáo quý 4»" in (renamed.text or "")
    off = await bot.server.wait_for_message(2002, lambda m: "không còn giao" in (m.text or ""))
    assert "Xã B" in (off.text or "")
    with bot.session() as s:
        notices = s.exec(select(Outbox).where(col(Outbox.kind) == "notice")).all()
    assert sorted(o.chat_id for o in notices) == ["2001", "2001", "2002"]
