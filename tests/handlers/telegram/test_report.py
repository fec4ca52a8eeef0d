"""/report and `dondoc report`: the Word file opened with python-docx and read back.

The scenario is the hand-counted province (summary_data) plus Xã Ân on task #1, granted an
extension to 30/11 and never reported: so task #1 has every status, at the harness's moment
(18/11/2026 09:00): on time 1 (Xã A), late 1 (Xã B, 2 days), within deadline 1 (Xã Ân),
overdue 3 (Sở Y tế blocked, Xã C, Xã D never reported), never reported 2; rate 2/5.
"""

from __future__ import annotations

import io
import re
import threading
from datetime import date
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Length
from docx.table import Table
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app import formal_report
from app.report_docx import render
from bot.cli import main
from core.taskdates import due_at
from db.models import Assignment, Contact, Directive, Explanation, Task, Unit, UnitContact
from db.queries.due_times import due_time
from db.queries.reports import record_report
from db.queries.tasks import assign_units
from tests.factories import make_contact, make_task, make_unit
from tests.handlers.telegram.summary_data import COORDINATOR, MEMBER, VN, at, make_province
from tests.handlers.telegram.test_export import exported, tasks_in_force
from tests.handlers.telegram.test_summary import limit_to
from tests.harness import BotUnderTest, button_data

TASK1 = "#1 Ban hành Kế hoạch chuyển đổi số"
DIRECTIVE = "4824/UBND-KGVX"


def every_status(s: Session) -> None:
    """Make the province, date and describe its directive, and add Xã Ân (extended)."""
    make_province(s)
    doc = s.exec(select(Directive)).one()
    doc.issued_on, doc.issuer = date(2026, 10, 1), "UBND tỉnh Quảng Nam"
    doc.title = "triển khai chuyển đổi số năm 2026"
    s.add(doc)
    task = s.get(Task, 1)
    assert task is not None
    unit = make_unit(s, "XAN", "Xã Ân")
    assign_units(s, task=task, unit_ids=[unit.id or 0], tz=VN)
    a = s.exec(select(Assignment).where(Assignment.unit_id == unit.id)).one()
    a.deadline, a.due_at = date(2026, 11, 30), due_at(date(2026, 11, 30), VN)
    s.add(a)
    s.commit()


async def reported(
    bot: BotUnderTest, user_id: int, command: str, *, day: str = "18/11/2026"
) -> DocxDocument:
    """Send the command and open the Word file the bot sent back (as of 09:00 on `day`)."""
    reply = await bot.send(user_id, command, match=lambda m: m.document is not None, timeout=30)
    assert reply.document is not None
    assert re.fullmatch(r"bao-cao-\d{8}-\d{4}\.docx", reply.document["file_name"])
    assert f"Số liệu tính đến 09:00 ngày {day}" in (reply.caption or "")
    return Document(io.BytesIO(bot.server.file_content(reply.document["file_id"])))


def texts(doc: DocxDocument) -> list[str]:
    """Return the text of the body's paragraphs (outside tables)."""
    return [p.text for p in doc.paragraphs]


def all_text(doc: DocxDocument) -> str:
    """Return every text of the document, tables included."""
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return "\n".join(texts(doc) + cells)


def appendix(doc: DocxDocument) -> list[list[str]]:
    """Return the appendix's rows, its header first (read from the XML: python-docx's cell
    access is quadratic, minutes for 3,300 rows)."""
    return [
        [
            "\n".join("".join(t.text or "" for t in p.iter(qn("w:t"))) for p in tc.iter(qn("w:p")))
            for tc in tr.iter(qn("w:tc"))
        ]
        for tr in doc.tables[-1]._tbl.iter(qn("w:tr"))
    ]


def size(run: Run, paragraph: Paragraph) -> float:
    """Return a run's font size in points: its own, else its paragraph style's chain."""
    if run.font.size is not None:
        return float(run.font.size.pt)
    style = paragraph.style
    while style is not None:
        if style.font.size is not None:
            return float(style.font.size.pt)
        style = style.base_style
    raise AssertionError(f"no size for {run.text!r}")


def font(run: Run, paragraph: Paragraph) -> str:
    """Return a run's font name: its own, else its paragraph style's chain."""
    if run.font.name:
        return run.font.name
    style = paragraph.style
    while style is not None:
        if style.font.name:
            return str(style.font.name)
        style = style.base_style
    raise AssertionError(f"no font for {run.text!r}")


def flag(run: Run, paragraph: Paragraph, name: str) -> bool:
    """Return whether a run is bold or italic, by itself or by its style."""
    own = getattr(run.font, name)
    if own is not None:
        return bool(own)
    style = paragraph.style
    while style is not None:
        value = getattr(style.font, name)
        if value is not None:
            return bool(value)
        style = style.base_style
    return False


def cell_paragraphs(table: Table, row: int, col: int) -> list[Paragraph]:
    """Return the non-empty paragraphs of a cell."""
    return [p for p in table.cell(row, col).paragraphs if p.text.strip()]


def mm(length: Length | None) -> float:
    """Return a length in millimetres, to a tenth (Word stores whole twips: 15 mm is 850)."""
    assert length is not None
    return round(float(length.mm), 1)


async def test_report_of_a_directive_has_the_decree_30_header(bot: BotUnderTest) -> None:
    """A borderless two-column header: body and number left, Quốc hiệu and Tiêu ngữ right."""
    with bot.session() as s:
        every_status(s)
    bot.user(COORDINATOR)
    doc = await reported(bot, COORDINATOR, f"/report {DIRECTIVE}")
    header = doc.tables[0]
    assert len(header.columns) == 2
    borders = header._tbl.tblPr.find(qn("w:tblBorders"))
    assert borders is not None
    assert {b.get(qn("w:val")) for b in borders} == {"nil"}
    left = [p.text for p in cell_paragraphs(header, 0, 0)]
    assert left == ["UBND TỈNH QUẢNG NAM", "SỞ KHOA HỌC VÀ CÔNG NGHỆ"]
    right = cell_paragraphs(header, 0, 1)
    assert [p.text for p in right] == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
    ]
    national, motto = right
    assert flag(national.runs[0], national, "bold")
    assert 12 <= size(national.runs[0], national) <= 13
    assert flag(motto.runs[0], motto, "bold")
    assert 13 <= size(motto.runs[0], motto) <= 14
    rule = header.cell(0, 1).paragraphs[-1]
    assert rule.text == ""
    assert rule._p.pPr.find(qn("w:pBdr")) is not None, "a short rule under the Tiêu ngữ"
    assert re.fullmatch(r"Số: +/BC-SKHCN", header.cell(1, 0).text)
    date_line = cell_paragraphs(header, 1, 1)[0]
    assert date_line.text == "Quảng Nam, ngày 18 tháng 11 năm 2026"
    assert all(flag(r, date_line, "italic") for r in date_line.runs if r.text)
    body = texts(doc)
    title = body.index("BÁO CÁO")
    assert (
        body[title + 1] == f"Kết quả thực hiện các nhiệm vụ được giao tại Văn bản số {DIRECTIVE}"
    )
    assert "{{" not in all_text(doc)
    assert (
        f"Thực hiện Văn bản số {DIRECTIVE} ngày 01/10/2026 của UBND tỉnh Quảng Nam về triển khai "
        "chuyển đổi số năm 2026, Sở Khoa học và Công nghệ báo cáo kết quả thực hiện các nhiệm vụ "
        "được giao như sau:"
    ) in body
    assert "II. ĐỀ XUẤT, KIẾN NGHỊ" in body
    signature = doc.tables[1]
    assert signature.cell(0, 0).paragraphs[0].text == "Nơi nhận:"
    assert "GIÁM ĐỐC" in signature.cell(0, 1).text


async def test_report_figures_match_the_database_in_the_official_taxonomy(
    bot: BotUnderTest,
) -> None:
    """Counts, overdue units, blockers and extensions are the hand-counted ones."""
    with bot.session() as s:
        every_status(s)
    bot.user(COORDINATOR)
    body = texts(await reported(bot, COORDINATOR, "/report #1"))
    assert (
        "1. Kết quả chung: tổng số 1 nhiệm vụ, giao 6 lượt đơn vị; số liệu tính đến 09:00 ngày "
        "18/11/2026:"
    ) in body
    assert "- Đã hoàn thành: 2, trong đó đúng hạn 1, quá hạn 1;" in body
    assert "- Chưa hoàn thành: 4, trong đó trong hạn 1, quá hạn 3;" in body
    assert "- Chưa báo cáo lần nào: 2 (đã tính trong số chưa hoàn thành);" in body
    assert (
        "- Tỷ lệ hoàn thành trên số đến hạn: 2/5 = 40,0%; tỷ lệ hoàn thành đúng hạn: 1/5 = 20,0%."
    ) in body
    overdue = body[body.index("2. Các đơn vị chưa hoàn thành, quá hạn") + 1 :][:3]
    assert overdue == [
        "- Sở Y tế: quá hạn 8 ngày;",
        "- Xã C: quá hạn 8 ngày;",
        "- Xã D: quá hạn 8 ngày, chưa báo cáo.",
    ]
    assert "- Sở Y tế: Thiếu kinh phí." in body
    assert "- Xã Ân: gia hạn đến ngày 30/11/2026 (thời hạn ban đầu 10/11/2026)." in body


async def test_report_ends_each_list_with_a_full_stop(bot: BotUnderTest) -> None:
    """Administrative style ends every item of a list with ";" and the last with ".": the
    report's lists of overdue units, blockers and extensions ended their last item with ";"
    as if the sentence went on. A blocker's reason that already ends a sentence gets no
    second full stop, nor one before the ";" of an item not last ("Chờ hướng dẫn.;"); a cut
    list keeps ";" on its last unit, before "and N more."."""
    with bot.session() as s:
        every_status(s)
        task = s.get(Task, 1)
        assert task is not None
        for code, name, reason in (
            ("XBA", "Xã Bà", "Chờ ý kiến Sở Tài chính."),
            ("PAN", "Phường An", "Chờ hướng dẫn của Sở."),
        ):
            unit = make_unit(s, code, name)
            assign_units(s, task=task, unit_ids=[unit.id or 0], tz=VN)
            a = s.exec(select(Assignment).where(Assignment.unit_id == unit.id)).one()
            record_report(s, assignment_id=a.id or 0, state="blocked", reason=reason, now=at(8))
        explained = Explanation(
            assignment_id=a.id or 0, text="Đã báo cáo Sở.", requested_at=at(9), answered_at=at(10)
        )
        s.add(explained)
        s.commit()
    bot.user(COORDINATOR)
    doc = await reported(bot, COORDINATOR, "/report #1")
    body = texts(doc)
    heads = ("2. Các đơn vị", "3. Khó khăn", "4. Gia hạn", "II. ĐỀ XUẤT")
    starts = [next(i for i, line in enumerate(body) if line.startswith(h)) for h in heads]
    lists = [body[a + 1 : b] for a, b in pairwise(starts)]
    assert [items[-1] for items in lists] == [
        "- Xã D: quá hạn 8 ngày, chưa báo cáo.",
        "- Xã Bà: Chờ ý kiến Sở Tài chính.",
        "- Xã Ân: gia hạn đến ngày 30/11/2026 (thời hạn ban đầu 10/11/2026).",
    ]
    for items in lists:
        assert all(item.endswith(";") for item in items[:-1]), items
    assert lists[1] == [
        "- Phường An: Chờ hướng dẫn của Sở;",
        "- Sở Y tế: Thiếu kinh phí;",
        "- Xã Bà: Chờ ý kiến Sở Tài chính.",
    ]
    [row] = [r for r in appendix(doc) if r[1] == "Phường An"]
    assert row[-1] == "Vướng mắc: Chờ hướng dẫn của Sở; Giải trình: Đã báo cáo Sở"


async def test_report_says_an_extension_to_a_day_off_as_its_appendix_row(
    bot: BotUnderTest,
) -> None:
    """Xã Ân extended to Saturday 28/11 is met on Monday 30/11: the body's list of extensions
    says 30/11 with the Saturday beside it, as its appendix row does (it said "gia hạn đến
    ngày 28/11/2026" above a row giving 30/11)."""
    with bot.session() as s:
        every_status(s)
        a = s.exec(select(Assignment).join(Unit).where(Unit.code == "XAN")).one()
        a.deadline, a.due_at = date(2026, 11, 28), due_time(s, date(2026, 11, 28), VN)
        s.add(a)
        s.commit()
    bot.user(COORDINATOR)
    doc = await reported(bot, COORDINATOR, "/report #1")
    assert (
        "- Xã Ân: gia hạn đến ngày 30/11/2026 (hạn ghi 28/11/2026 là ngày nghỉ; thời hạn ban "
        "đầu 10/11/2026)."
    ) in texts(doc)
    [row] = [r for r in appendix(doc) if r[1] == "Xã Ân"]
    assert row[4] == "30/11/2026"


async def test_report_says_which_of_its_tasks_is_closed(bot: BotUnderTest) -> None:
    """A directive's report with task #1 closed says so on that task's line, not on #2's,
    as the directive's /summary does, and a report of #1 alone says so under its basis (its
    overdue units were reported with no word that nobody follows the task up any more), as
    does a period's report holding #1 alone."""
    with bot.session() as s:
        every_status(s)
        for task_id in (1, 2):
            task = s.get(Task, task_id)
            assert task is not None
            task.directive_id = s.exec(select(Directive)).one().id
            task.status = "closed" if task_id == 1 else "open"
            s.add(task)
        s.commit()
    bot.user(COORDINATOR)
    body = texts(await reported(bot, COORDINATOR, f"/report {DIRECTIVE}"))
    closed = "Nhiệm vụ đã đóng, không còn đôn đốc."
    [one] = [line for line in body if line.startswith("- “Ban hành")]
    [two] = [line for line in body if line.startswith("- “Báo cáo cải cách")]
    assert one.endswith("chưa báo cáo 2. " + closed)
    assert closed not in two
    for alone in ("/report #1", "/report 01/11/2026-15/11/2026"):  # #1 only, either way
        body = texts(await reported(bot, COORDINATOR, alone))
        assert body[body.index("I. KẾT QUẢ THỰC HIỆN") - 1] == closed
    body = texts(await reported(bot, COORDINATOR, "/report #2"))
    assert closed not in body


async def test_report_appendix_lists_every_unit_in_vietnamese_order(bot: BotUnderTest) -> None:
    """The appendix: every unit of the task, Ân after A, each cell as the database says."""
    with bot.session() as s:
        every_status(s)
    bot.user(COORDINATOR)
    doc = await reported(bot, COORDINATOR, "/report #1")
    rows = appendix(doc)
    assert rows[0] == [
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
    d = "10/11/2026"
    assert rows[1:] == [
        ["1", "Sở Y tế", TASK1, DIRECTIVE, d, "", "Chưa hoàn thành quá hạn", "8", "",
         "Vướng mắc: Thiếu kinh phí; Giải trình: Chờ bổ sung dự toán"],
        ["2", "Xã A", TASK1, DIRECTIVE, d, "09/11/2026", "Đã hoàn thành đúng hạn", "",
         "123/KH-UBND ngày 09/11/2026", ""],
        ["3", "Xã Ân", TASK1, DIRECTIVE, "30/11/2026", "", "Chưa hoàn thành trong hạn", "", "",
         "Chưa báo cáo; Gia hạn (hạn ban đầu 10/11/2026)"],
        ["4", "Xã B", TASK1, DIRECTIVE, d, "12/11/2026", "Đã hoàn thành quá hạn", "2", "", ""],
        ["5", "Xã C", TASK1, DIRECTIVE, d, "", "Chưa hoàn thành quá hạn", "8", "", ""],
        ["6", "Xã D", TASK1, DIRECTIVE, d, "", "Chưa hoàn thành quá hạn", "8", "", "Chưa báo cáo"],
    ]  # fmt: skip
    with bot.session() as s:
        active = s.exec(select(Assignment).where(Assignment.task_id == 1)).all()
    assert len(rows) - 1 == len([a for a in active if a.active])
    header_row = doc.tables[-1].rows[0]._tr
    assert header_row.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is not None


async def test_report_fonts_sizes_and_margins_follow_the_decree(bot: BotUnderTest) -> None:
    """Times New Roman throughout; body 13-14 pt justified; Nơi nhận 12 pt bold italic, its
    list 11 pt; A4 with margins top/bottom 20-25, left 30-35, right 15-20 mm."""
    with bot.session() as s:
        every_status(s)
    bot.user(COORDINATOR)
    doc = await reported(bot, COORDINATOR, "/report")
    paragraphs = list(doc.paragraphs) + [
        p for t in doc.tables for r in t.rows for c in r.cells for p in c.paragraphs
    ]
    runs = [(r, p) for p in paragraphs for r in p.runs if r.text.strip()]
    assert runs
    assert {font(r, p) for r, p in runs} == {"Times New Roman"}
    body = [p for p in doc.paragraphs if p.text.startswith(("- Đã hoàn thành", "Sở Khoa học"))]
    assert len(body) == 2
    for p in body:
        assert 13 <= size(p.runs[0], p) <= 14
        style = p.style
        assert style is not None
        assert style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY or (
            style.base_style is not None
            and style.base_style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
        )
    recipients = doc.tables[1].cell(0, 0).paragraphs
    head = recipients[0]
    assert size(head.runs[0], head) == 12
    assert flag(head.runs[0], head, "bold")
    assert flag(head.runs[0], head, "italic")
    assert {size(p.runs[0], p) for p in recipients[1:]} == {11}
    assert len(doc.sections) == 2
    for section in doc.sections:
        assert sorted([round(mm(section.page_width)), round(mm(section.page_height))]) == [
            210,
            297,
        ]
        assert 20 <= mm(section.top_margin) <= 25
        assert 20 <= mm(section.bottom_margin) <= 25
        assert 30 <= mm(section.left_margin) <= 35
        assert 15 <= mm(section.right_margin) <= 20
    assert doc.sections[0].orientation == WD_ORIENT.PORTRAIT
    assert doc.sections[1].orientation == WD_ORIENT.LANDSCAPE  # the appendix's wide table


async def test_report_keeps_user_text_with_markup_characters(bot: BotUnderTest) -> None:
    """Titles and names with &, <, quotes, braces or very long text come out as typed."""
    title = 'Kế hoạch "A&B" <2026> {{body}}'
    long_name = "Ủy ban nhân dân " + "rất dài " * 30 + "& <cuối>"
    with bot.session() as s:
        every_status(s)
        task = s.get(Task, 1)
        assert task is not None
        task.title = title
        unit = s.exec(select(Unit).where(Unit.code == "XC")).one()
        unit.name = long_name
        s.add_all([task, unit])
        record_report(
            s,
            assignment_id=s.exec(select(Assignment).where(Assignment.unit_id == unit.id)).one().id
            or 0,
            state="blocked",
            reason="thiếu <máy> & \x07chuông",
            now=at(17),
        )
        s.commit()
    bot.user(COORDINATOR)
    doc = await reported(bot, COORDINATOR, "/report #1")
    assert f"Kết quả thực hiện nhiệm vụ “{title}”" in texts(doc)
    names = [row[1] for row in appendix(doc)]
    assert long_name in names
    assert f"- {long_name}: thiếu <máy> & chuông." in texts(doc)


async def test_report_of_a_scoped_coordinator_names_only_their_units(bot: BotUnderTest) -> None:
    """A coordinator limited to the pilot communes gets Xã A and Xã B only, in every part."""
    with bot.session() as s:
        every_status(s)
        xc = s.exec(select(Unit).where(Unit.code == "XC")).one()
        make_task(s, "Việc riêng của Xã C", date(2026, 11, 20), [xc])
    bot.user(COORDINATOR)
    limit_to(bot, COORDINATOR, "Thí điểm", ["XA", "XB"])
    doc = await reported(bot, COORDINATOR, "/report #1")
    assert [row[1] for row in appendix(doc)[1:]] == ["Xã A", "Xã B"]
    text = all_text(doc)
    for outside in ("Sở Y tế", "Xã C", "Xã D", "Xã Ân", "Thiếu kinh phí"):
        assert outside not in text
    assert "- Đã hoàn thành: 2, trong đó đúng hạn 1, quá hạn 1;" in texts(doc)
    text = all_text(await reported(bot, COORDINATOR, "/report"))
    assert "tổng số 2 nhiệm vụ, giao 4 lượt đơn vị" in text
    assert "Việc riêng của Xã C" not in text, "a task with nothing in scope is not named"


async def test_report_of_a_period_covers_tasks_due_in_it(bot: BotUnderTest) -> None:
    """/report 01/11/2026-15/11/2026 takes task #1 (due 10/11), not #2 (due 30/11)."""
    with bot.session() as s:
        every_status(s)
    bot.user(COORDINATOR)
    doc = await reported(bot, COORDINATOR, "/report 01/11/2026-15/11/2026")
    body = texts(doc)
    assert (
        "Kết quả thực hiện các nhiệm vụ có thời hạn từ ngày 01/11/2026 đến ngày 15/11/2026" in body
    )
    assert {row[2] for row in appendix(doc)[1:]} == {TASK1}


async def test_report_of_a_period_takes_a_task_by_the_day_its_deadline_is_in_force(
    bot: BotUnderTest,
) -> None:
    """A task due Saturday 31/10 is due Monday 02/11, as its report says: /report tháng
    11/2026 takes it and /report tháng 10/2026 does not, as /ranking counts its unit in
    November (October's report took it, and November's left it out)."""
    with bot.session() as s:
        every_status(s)
        unit = s.exec(select(Unit).where(Unit.code == "XA")).one()
        make_task(s, "Tổng kết tháng 10", date(2026, 10, 31), [unit])
    bot.user(COORDINATOR)
    doc = await reported(bot, COORDINATOR, "/report tháng 11/2026")
    rows = appendix(doc)[1:]
    assert {row[2] for row in rows} == {
        TASK1,
        "#2 Báo cáo cải cách hành chính",
        "#3 Tổng kết tháng 10",
    }
    [row] = [row for row in rows if row[2] == "#3 Tổng kết tháng 10"]
    assert (row[4], row[-1]) == ("02/11/2026", "Chưa báo cáo; Hạn ghi 31/10/2026 là ngày nghỉ")
    reply = await bot.send(COORDINATOR, "/report tháng 10/2026")
    assert reply.document is None
    assert "Không có nhiệm vụ nào có thời hạn từ ngày 01/10/2026" in (reply.text or "")
    ranking = (await bot.send(COORDINATOR, "/ranking tháng 11/2026")).text or ""
    assert "Xã A: 50,0% (1/2)" in ranking


@pytest.mark.parametrize(
    ("command", "start", "end"),
    [
        ("/report tháng 11/2026", "01/11/2026", "30/11/2026"),
        ("/report quý IV/2026", "01/10/2026", "31/12/2026"),
        ("/report 6 tháng cuối năm 2026", "01/07/2026", "31/12/2026"),
        ("/report năm 2026", "01/01/2026", "31/12/2026"),
    ],
)
async def test_report_of_a_named_period(
    bot: BotUnderTest, command: str, start: str, end: str
) -> None:
    """A month, a quarter, a half or a year named as reports name them is that period."""
    with bot.session() as s:
        every_status(s)
    bot.user(COORDINATOR)
    body = texts(await reported(bot, COORDINATOR, command))
    assert f"Kết quả thực hiện các nhiệm vụ có thời hạn từ ngày {start} đến ngày {end}" in body


async def test_report_of_a_period_with_nothing_due_names_the_period(bot: BotUnderTest) -> None:
    """A month with no task due is said to be one, naming its days: the coordinator was told
    there was nothing "within your scope", as if their scope held no task."""
    with bot.session() as s:
        every_status(s)
    bot.user(COORDINATOR)
    reply = await bot.send(COORDINATOR, "/report tháng 1/2027")
    assert reply.document is None
    assert "Không có nhiệm vụ nào có thời hạn từ ngày 01/01/2027 đến ngày 31/01/2027" in (
        reply.text or ""
    )


async def test_report_on_an_ambiguous_name_offers_the_tasks(bot: BotUnderTest) -> None:
    """A title part matching two tasks offers both; the button picked sends that task's report."""
    with bot.session() as s:
        every_status(s)
    bot.user(COORDINATOR)
    reply = await bot.send(COORDINATOR, "/report ch")
    assert "khớp nhiều nhiệm vụ" in (reply.text or "")
    after = bot.server.last_message_id(COORDINATOR)
    await bot.press(COORDINATOR, button_data(reply, "#2"))
    sent = await bot.server.wait_for_message(
        COORDINATOR, lambda m: m.document is not None, after=after, timeout=30
    )
    assert sent.document is not None
    doc = Document(io.BytesIO(bot.server.file_content(sent.document["file_id"])))
    assert "Kết quả thực hiện nhiệm vụ “Báo cáo cải cách hành chính”" in texts(doc)


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/report 31/02/2026-01/03/2026", "“31/02/2026” không phải là ngày hợp lệ"),
        ("/report 30/11/2026-01/11/2026", "Ngày bắt đầu ở sau ngày kết thúc"),
        ("/report #77", "Không tìm thấy nhiệm vụ hay văn bản “#77”"),
        ("/report 01/11/2026", "“01/11/2026” chỉ là một ngày; kỳ báo cáo cần ngày bắt đầu"),
        ("/report 31/02/2026", "“31/02/2026” không phải là ngày hợp lệ"),
        ("/report 31/02", "“31/02” không phải là ngày hợp lệ. Kỳ báo cáo ghi dạng"),
        ("/report 30/11", "“30/11” chỉ là một ngày; kỳ báo cáo cần ngày bắt đầu"),
        ("/report tháng 13/2026", "Không có kỳ “tháng 13/2026”: tháng từ 1 đến 12"),
        ("/report quý 5", "Không có kỳ “quý 5”: tháng từ 1 đến 12, quý từ 1 đến 4"),
        ("/report quý 4", "“quý 4” thiếu năm"),
    ],
)
async def test_report_answers_bad_input_clearly(
    bot: BotUnderTest, command: str, expected: str
) -> None:
    """An impossible date, a reversed period or an unknown task gets a clear answer."""
    with bot.session() as s:
        every_status(s)
    bot.user(COORDINATOR)
    reply = await bot.send(COORDINATOR, command)
    assert reply.document is None
    assert expected in (reply.text or "")


async def test_report_is_refused_to_a_member(bot: BotUnderTest) -> None:
    """An official of a unit gets no report."""
    with bot.session() as s:
        every_status(s)
    bot.user(MEMBER)
    reply = await bot.send(MEMBER, "/report #1")
    assert reply.document is None
    assert "không có quyền" in (reply.text or "")


async def test_report_uses_the_template_the_setting_names(
    bot: BotUnderTest, tmp_path: Path
) -> None:
    """REPORT_TEMPLATE: the province's own copy is used; a broken one is said, not thrown."""
    from app.report_docx import TEMPLATE

    own = Document(str(TEMPLATE))
    closing = next(p for p in own.paragraphs if p.text.startswith("Trên đây"))
    closing.runs[0].text = "Trên đây là báo cáo của {{org_name_text}}, kính trình./."
    path = tmp_path / "mau-rieng.docx"
    own.save(str(path))
    with bot.session() as s:
        every_status(s)
    bot.user(COORDINATOR)
    bot.configure(report_template=path, org_name="Sở Nội vụ")
    doc = await reported(bot, COORDINATOR, "/report #1")
    assert "Trên đây là báo cáo của Sở Nội vụ, kính trình./." in texts(doc)
    assert cell_paragraphs(doc.tables[0], 0, 0)[1].text == "SỞ NỘI VỤ"
    broken = tmp_path / "hong.docx"
    broken.write_text("not a Word file")
    bot.configure(report_template=broken)
    reply = await bot.send(COORDINATOR, "/report #1")
    assert "Mẫu báo cáo (REPORT_TEMPLATE) không đọc được" in (reply.text or "")


def test_cli_report_writes_the_document(
    engine: Engine,
    db_path: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`dondoc report --directive N --out FILE` writes it; bad options are explained."""
    with Session(engine, expire_on_commit=False) as s:
        every_status(s)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{db_path}")
    monkeypatch.setenv("DEFAULT_LANGUAGE", "vi")
    out = tmp_path / "bc.docx"
    assert main(["report", "--directive", DIRECTIVE.lower(), "--out", str(out)]) == 0
    doc = Document(str(out))
    assert [row[1] for row in appendix(doc)[1:]][:3] == ["Sở Y tế", "Xã A", "Xã Ân"]
    assert "Đã ghi" in capsys.readouterr().out
    assert main(["report", "--from", "01/11/2026", "--to", "30/11/2026", "--out", str(out)]) == 0
    assert {row[2] for row in appendix(Document(str(out)))[1:]} == {
        TASK1,
        "#2 Báo cáo cải cách hành chính",
    }
    failures = [
        (["--task", "99"], "Không có nhiệm vụ #99"),
        (["--directive", "1/XX"], "Không có văn bản “1/XX”"),
        (["--from", "31/02/2026", "--to", "01/03/2026"], "“31/02/2026” không phải là ngày"),
        (["--from", "31/02/2026", "--to", "01/03/2026"], "Ghi --from và --to dạng dd/mm/yyyy"),
        (["--from", "30/11/2026", "--to", "01/11/2026"], "Ngày bắt đầu ở sau"),
        (["--from", "30/11/2026", "--to", "01/11/2026"], "Ghi ngày bắt đầu ở --from"),
        (["--from", "01/11/2026"], "cần cả --from và --to"),
        (["--task", "1", "--directive", DIRECTIVE], "Chọn một trong"),
        (["--from", "01/01/2030", "--to", "31/01/2030"], "từ ngày 01/01/2030 đến ngày 31/01/2030"),
    ]
    for args, expected in failures:
        assert main(["report", *args, "--out", str(out)]) == 1, args
        said = capsys.readouterr().err
        assert expected in said
        assert "/report" not in said  # the chat's syntax, which the command line has not


def test_cli_report_of_3300_units_names_50_in_its_body_and_all_in_its_appendix(
    engine: Engine, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A task over 3,300 units: the body names the first 50 overdue, the appendix all of them.

    How long it takes is measured by `bench.report`, not here (a test asserts no timing)."""
    with Session(engine, expire_on_commit=False) as s:
        many_units(s, 3300)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{db_path}")
    assert main(["report", "--task", "1", "--out", "big.docx"]) == 0
    doc = Document("big.docx")
    rows = appendix(doc)
    assert len(rows) == 3301
    assert rows[-1][1] == "Xã số 3299"
    body = texts(doc)
    assert "- Xã số 0049: quá hạn" in "\n".join(body)
    assert "- Xã số 0050: quá hạn" not in "\n".join(body), "the body lists 50, the appendix all"
    assert "- Và 3.250 trường hợp khác (chi tiết tại Phụ lục)." in body


def many_units(s: Session, n: int) -> None:
    """Create n communes and one task (#1, due 10/11/2026) assigned to all of them."""
    units = [
        Unit(code=f"U{i:04d}", code_folded=f"u{i:04d}", name=f"Xã số {i:04d}",
             name_folded=f"xa so {i:04d}", kind_key="commune")
        for i in range(n)
    ]  # fmt: skip
    s.add_all(units)
    s.flush()
    task = Task(title="Nhiệm vụ toàn tỉnh", title_folded="nhiem vu toan tinh",
                deadline=date(2026, 11, 10))  # fmt: skip
    s.add(task)
    s.flush()
    assign_units(s, task=task, unit_ids=[u.id or 0 for u in units], tz=VN)
    s.commit()


async def test_report_of_3300_units_is_written_off_the_event_loop(
    bot: BotUnderTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """/report on 3,300 units is written off the event loop's thread, so that the loop keeps
    answering everyone meanwhile (on it, these rows stalled it about half a second)."""
    with bot.session() as s:
        many_units(s, 3300)
    with bot.session() as s:
        make_contact(s, COORDINATOR, role="coordinator")
    bot.user(COORDINATOR)
    loop_thread = threading.get_ident()
    # The threads of this process that wrote a document; a worker process's are not seen,
    # and need not be: that is off the loop too.
    writers: list[int] = []

    def recorded(*args: Any, **kwargs: Any) -> bytes:
        writers.append(threading.get_ident())
        return render(*args, **kwargs)

    monkeypatch.setattr(formal_report, "render", recorded)
    reply = await bot.send(
        COORDINATOR, "/report #1", match=lambda m: m.document is not None, timeout=60
    )
    assert loop_thread not in writers, "the report was written on the event loop"
    assert reply.document is not None
    doc = Document(io.BytesIO(bot.server.file_content(reply.document["file_id"])))
    assert len(appendix(doc)) == 3301


async def test_an_english_readers_report_is_the_vietnamese_document_and_the_answer_says_so(
    bot: BotUnderTest,
) -> None:
    """A formal report is the Vietnamese document the department sends the province: an
    English-speaking coordinator gets it in Vietnamese, body and appendix as its header and
    closing, and the English caption says it is. Before, the body and the appendix's column
    names were English under a Vietnamese "BÁO CÁO", place and date, "Nơi nhận" and closing,
    and the appendix's title: neither language's document."""
    with bot.session() as s:
        every_status(s)
        make_contact(s, 3005, role="coordinator", language="en")
    bot.user(3005, language="en")
    reply = await bot.send(3005, "/report #1", match=lambda m: m.document is not None)
    assert reply.document is not None
    assert reply.document["file_name"].startswith("bao-cao-")
    assert "written in Vietnamese" in (reply.caption or "")
    doc = Document(io.BytesIO(bot.server.file_content(reply.document["file_id"])))
    body = texts(doc)
    assert "I. KẾT QUẢ THỰC HIỆN" in body
    assert "- Đã hoàn thành: 2, trong đó đúng hạn 1, quá hạn 1;" in body
    assert "I. RESULTS" not in body
    assert appendix(doc)[0][1] == "Đơn vị"
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in doc.tables[0].cell(0, 1).text


async def test_a_scoped_coordinators_files_say_their_own_units_count_too(
    bot: BotUnderTest,
) -> None:
    """A coordinator limited to the pilot communes who is also Xã C's focal point: the
    workbook and the report count Xã C, and now say so (they named the group alone)."""
    with bot.session() as s:
        make_province(s)
        xc = s.exec(select(Unit).where(Unit.code == "XC")).one()
        coordinator = s.exec(select(Contact).where(Contact.display_name == "Điều phối")).one()
        s.add(UnitContact(unit_id=xc.id or 0, contact_id=coordinator.id or 0))
        s.commit()
    bot.user(COORDINATOR)
    limit_to(bot, COORDINATOR, "Thí điểm", ["XA", "XB"])
    book = await exported(bot, COORDINATOR, "/export")
    stated = "thuộc nhóm: Thí điểm; và các đơn vị của chính người lấy số liệu: Xã C."
    assert all(stated in str(sheet["A2"].value) for sheet in book.worksheets)
    body = texts(await reported(bot, COORDINATOR, "/report"))
    assert any("Thí điểm; và các đơn vị của chính người lập báo cáo: Xã C." in p for p in body)


async def test_report_lists_a_units_tasks_by_the_deadline_its_rows_say(bot: BotUnderTest) -> None:
    """In the appendix a unit's rows follow the deadline in force each row says: a task
    whose deadline was extended for the unit to Saturday 19/12 (in force 21/12) after the
    others; the two stored for Saturday 12/12 (in force 14/12, said so in the notes) by title
    in Vietnamese order, before the one stored for Monday 14/12."""
    bot.no_morning_dispatch()  # the rows as stored, not as a sweep mid-test may roll them
    with bot.session() as s:
        made = tasks_in_force(s)
        make_contact(s, COORDINATOR, role="coordinator", name="Điều phối")
        extended = s.exec(select(Assignment).where(Assignment.task_id == made[3].id)).one()
        extended.deadline, extended.due_at = date(2026, 12, 19), due_at(date(2026, 12, 21), VN)
        s.add(extended)
        s.commit()
    bot.user(COORDINATOR)
    doc = await reported(bot, COORDINATOR, "/report")
    listed = [(row[2], row[4]) for row in appendix(doc)[1:]]
    assert listed == [
        (f"#{made[2].id} Dự thảo quy chế", "14/12/2026"),
        (f"#{made[0].id} Đánh giá mức độ chuyển đổi số", "14/12/2026"),
        (f"#{made[1].id} Ban hành kế hoạch", "14/12/2026"),
        (f"#{made[3].id} Cập nhật số liệu", "21/12/2026"),
    ]


async def test_fridays_report_of_the_week_covers_the_tasks_due_that_week(
    bot: BotUnderTest,
) -> None:
    """On Friday 20/11 a coordinator asks for the week's report, "/report tuần này": it
    covers the tasks due from Monday 16/11 to Sunday 22/11 (a task due Thursday 19/11, not
    #1 due 10/11 nor #2 due 30/11), and its figures are that task's, as /summary gives them;
    "tuần trước" is 09/11 to 15/11 (#1). Before, "tuần này" was looked up as a task's title
    and not found."""
    with bot.session() as s:
        made = make_province(s)
        units = s.exec(select(Unit).where(col(Unit.code).in_(["XA", "XB"]))).all()
        week = make_task(s, "Báo cáo tuần về chuyển đổi số", date(2026, 11, 19), list(units))
        done = s.exec(select(Assignment).where(Assignment.task_id == week.id)).first()
        assert done is not None
        record_report(s, assignment_id=done.id or 0, state="done", now=at(18))
        s.commit()
    bot.clock.set(at(20, 9))
    bot.user(COORDINATOR)
    summary = (await bot.send(COORDINATOR, f"/summary #{week.id}")).text or ""
    assert "Tỷ lệ hoàn thành/đến hạn: 1/2 = 50,0%." in summary
    doc = await reported(bot, COORDINATOR, "/report tuần này", day="20/11/2026")
    body, everything = texts(doc), all_text(doc)
    assert (
        "Kết quả thực hiện các nhiệm vụ có thời hạn từ ngày 16/11/2026 đến ngày 22/11/2026" in body
    )
    assert (
        "- Tỷ lệ hoàn thành trên số đến hạn: 1/2 = 50,0%; tỷ lệ hoàn thành đúng hạn: 1/2 = 50,0%."
        in body
    )
    assert f"#{week.id} Báo cáo tuần về chuyển đổi số" in everything  # the appendix's rows
    assert "Ban hành Kế hoạch chuyển đổi số" not in everything
    last = all_text(await reported(bot, COORDINATOR, "/report tuần trước", day="20/11/2026"))
    assert "từ ngày 09/11/2026 đến ngày 15/11/2026" in last
    assert f"#{made.task1} Ban hành Kế hoạch chuyển đổi số" in last
    assert "Báo cáo tuần về chuyển đổi số" not in last
