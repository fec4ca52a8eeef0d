"""The export's workbook and the formal report, made faster, are the files they were.

The export's rows are written as XML text (`core.sheet_rows`) rather than cell by cell
through openpyxl, and the report reads the documents its reports named rather than every
report, and writes its appendix's rows into the file a batch at a time. Each file is built
here both ways on the same small province, people's texts at their most awkward (XML's
characters, spaces around, a formula, control characters, an error code): the old way is
the code these replaced, kept below. Every part of both files is the same, byte for byte
(but the workbook's time stamp), and they read back the same, cell by cell and paragraph
by paragraph.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from typing import Any
from xml.sax.saxutils import escape

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

import app.export_xlsx as export_xlsx
import app.report_docx as report_docx
import db.queries.export as xq
from app.formal_report import Letterhead, ReportTarget
from app.jobs import export_workbook, report_document
from core.safecells import cell_value, written
from core.sheet_rows import SheetRows
from core.tablefile import print_wide
from db.models import Assignment, Evidence, Explanation
from db.queries.reports import record_report
from db.queries.scope import EVERY
from tests.factories import make_contact, make_task, make_unit
from tests.handlers.telegram.summary_data import at

STAMPED = "docProps/core.xml"  # the time openpyxl made the workbook
NAMES = [
    "Xã Tân Hiệp",
    '=HYPERLINK("http://evil.example","Xã 007")',
    "  Phường <Một> & Hai  ",
    "#N/A",
    "Sở\x0bY tế\x01",
    "-Xã Âm",
    "Thị trấn 😀",
]
TEXTS = ["Đã xong & gửi <báo cáo>", " thiếu kinh phí.", "=1+1", "dòng một\ndòng hai\rba", ""]


def province(s: Session) -> None:
    """Make units of awkward names, two tasks, reports, documents, files, explanations."""
    units = [make_unit(s, f"U{n}", name) for n, name in enumerate(NAMES)]
    member = make_contact(s, 4001, units=units, name="Cán bộ <A> & B")
    make_task(s, "Kế hoạch & <chuyển đổi số>", date(2026, 11, 10), units)
    make_task(s, "+ Báo cáo quý", date(2026, 11, 30), units[:4])
    assignments = s.exec(select(Assignment).order_by(Assignment.id)).all()  # type: ignore[arg-type]
    for n, a in enumerate(assignments):
        state = ("done", "in_progress", "blocked", "done")[n % 4]
        for k in range(n % 3):
            record_report(
                s,
                assignment_id=a.id or 0,
                state=state,
                percent=30 if state == "in_progress" else None,
                text=TEXTS[(n + k) % len(TEXTS)],
                reason=TEXTS[(n + k + 1) % len(TEXTS)] if state == "blocked" else None,
                evidence_number=("", None, "12/QĐ-UBND & <x>", f"{n}/KH")[(n + k) % 4],
                evidence_date=date(2026, 11, 1 + k) if k else None,
                now=at(2 + n % 7 + k),
                contact_id=member.id,
            )
        if n % 3 == 0:
            s.add(Evidence(assignment_id=a.id or 0, file_name=f"ảnh <{n}>.jpg", **_file(n)))
        if n % 5 == 0:
            s.add(
                Explanation(
                    assignment_id=a.id or 0,
                    text=TEXTS[n % len(TEXTS)] or "Giải trình",
                    requested_at=at(10),
                    answered_at=at(11),
                )
            )
    s.commit()


def _file(n: int) -> dict[str, Any]:
    """Return the columns an evidence file needs besides its name."""
    return {"size": 10, "sha256": f"{n:064d}", "storage_path": f"e/{n}.jpg"}


def parts(content: bytes) -> dict[str, bytes]:
    """Return a zip file's parts by name."""
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        return {name: z.read(name) for name in z.namelist()}


def old_write(
    sheet: Any,
    styles: Any,
    t: Any,
    name: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    stated: str,
    *,
    wrap: set[int],
    cap: int = export_xlsx.MAX_WIDTH,
    caps: dict[int, int] | None = None,
) -> SheetRows:
    """The sheet as main wrote it (before `core.sheet_rows`): the widths first, then every
    row through openpyxl; returns rows to splice that are none."""
    from openpyxl.utils import get_column_letter

    rows = list(rows)
    header = [cell_value(h) for h in headers]
    widths: dict[int, int] = {}
    for row in [header, *rows]:
        for i, value in enumerate(row, start=1):
            if value is not None:
                length = 11 if isinstance(value, date) else len(str(value))
                if length > widths.get(i, 0):
                    widths[i] = length
    sheet.title = t(f"export.sheet_{name}")[:31]
    for column, width in sorted(widths.items()):
        most = (caps or {}).get(column, cap)
        sheet.column_dimensions[get_column_letter(column)].width = min(
            max(width + 2, export_xlsx.MIN_WIDTH), most
        )
    sheet.freeze_panes = f"A{export_xlsx.HEADER_ROW + 1}"
    print_wide(sheet, header_rows=export_xlsx.HEADER_ROW)
    sheet.append([written(sheet, t(f"export.title_{name}"), styles.title)])
    sheet.append([written(sheet, cell_value(stated), styles.stated)])
    sheet.append([written(sheet, h, styles.header) for h in header])
    for row in rows:
        sheet.append(
            [
                None if v is None else written(sheet, v, styles.of(v, i in wrap))
                for i, v in enumerate(row, start=1)
            ]
        )
    return SheetRows(sheet, export_xlsx.HEADER_ROW + 1 + len(rows), lambda v, i: None)


def export(engine: Engine) -> bytes:
    """Return the export of every open task, for an admin, in Vietnamese."""
    made = export_workbook(
        engine, task_id=None, directive_id=None, scope=EVERY, lang="vi", now=at(18), tz=TZ
    )
    assert made is not None
    return made.content


TZ = "Asia/Ho_Chi_Minh"


def test_the_export_is_the_workbook_main_wrote(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every part but the time stamp byte for byte, every cell's value, type and style."""
    with Session(engine, expire_on_commit=False) as s:
        province(s)
    new = export(engine)
    monkeypatch.setattr(export_xlsx, "_write", old_write)
    old = export(engine)
    new_parts, old_parts = parts(new), parts(old)
    assert new_parts.keys() == old_parts.keys()
    for name in old_parts:
        if name != STAMPED:
            assert new_parts[name] == old_parts[name], name
    old_book, new_book = load_workbook(io.BytesIO(old)), load_workbook(io.BytesIO(new))
    assert new_book.sheetnames == old_book.sheetnames
    for old_sheet, new_sheet in zip(old_book.worksheets, new_book.worksheets, strict=True):
        assert new_sheet.max_row == old_sheet.max_row
        assert new_sheet.max_row > 3  # the rows under the three of the header
        for old_row, new_row in zip(old_sheet.iter_rows(), new_sheet.iter_rows(), strict=True):
            for a, b in zip(old_row, new_row, strict=True):
                assert (b.value, b.data_type, b.number_format) == (
                    a.value,
                    a.data_type,
                    a.number_format,
                )
                assert (repr(b.font), repr(b.alignment)) == (repr(a.font), repr(a.alignment))
                assert b.quotePrefix == a.quotePrefix


def old_spliced(docx: bytes, part: str, rows: Iterator[str]) -> bytes:
    """The rows put into the document as main did: their text whole, then the file."""
    whole = "".join(rows)
    mark = f"<!--{report_docx.ROWS_MARK}-->".encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as old, zipfile.ZipFile(out, "w") as new:
        for item in old.infolist():
            content = old.read(item)
            if item.filename == part:
                before, found, after = content.partition(mark)
                assert found
                content = b"".join((before, whole.encode("utf-8"), after))
            new.writestr(item, content, compress_type=item.compress_type)
    return out.getvalue()


def old_row(
    values: Sequence[str],
    cells: Sequence[tuple[str, str]],
    *,
    head: bool = False,
    opening: str = "<w:tr>",
) -> str:
    """A row's XML as main wrote it: every value cleaned, escaped and broken into lines."""
    parts = [opening + "<w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>" if head else opening]
    for value, (cell, line_break) in zip(values, cells, strict=True):
        text = escape(report_docx.clean(value)).replace("\n", line_break)
        parts += (cell, text, "</w:t></w:r></w:p></w:tc>")
    parts.append("</w:tr>")
    return "".join(parts)


def report(engine: Engine) -> bytes:
    """Return the formal report of November 2026, for an admin."""
    made = report_document(
        engine,
        target=ReportTarget(start=date(2026, 11, 1), end=date(2026, 11, 30)),
        scope=EVERY,
        now=at(18),
        tz=TZ,
        letterhead=Letterhead("UBND tỉnh", "Sở <KH> & CN", "SKHCN", "Quảng Nam", "Giám đốc"),
    )
    assert made is not None
    return made.content


def test_the_report_is_the_document_main_wrote(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every part byte for byte; every paragraph, and every cell of the appendix, the same."""
    with Session(engine, expire_on_commit=False) as s:
        province(s)
    new = report(engine)
    load = xq.load

    def every_report(*args: Any, **kwargs: Any) -> xq.ExportData:
        return load(*args, **(kwargs | {"history": True}))  # main read the history too

    monkeypatch.setattr(xq, "load", every_report)
    monkeypatch.setattr(report_docx, "_spliced", old_spliced)
    monkeypatch.setattr(report_docx, "_row", old_row)
    old = report(engine)
    assert parts(new) == parts(old)
    old_doc, new_doc = Document(io.BytesIO(old)), Document(io.BytesIO(new))
    assert [p.text for p in new_doc.paragraphs] == [p.text for p in old_doc.paragraphs]
    old_cells = [[c.text for c in r.cells] for r in old_doc.tables[-1].rows]
    new_cells = [[c.text for c in r.cells] for r in new_doc.tables[-1].rows]
    assert len(new_cells) == 1 + len(NAMES) + 4
    assert new_cells == old_cells
    assert any("12/QĐ-UBND & <x>" in cell for row in new_cells for cell in row)


def test_the_report_reads_the_documents_every_report_named(engine: Engine) -> None:
    """Read without the history, the export's data has the documents, in the order the
    reports named them, and all else, as read with it."""
    with Session(engine, expire_on_commit=False) as s:
        province(s)
        ids = xq.task_ids_for(s)
        whole = xq.load(s, task_ids=ids)
        documents = xq.load(s, task_ids=ids, history=False)
    assert documents.history == []
    assert whole.history != []
    assert dict(documents.documents) == dict(whole.documents)
    assert (documents.tasks, documents.lines) == (whole.tasks, whole.lines)
    assert (documents.blockers, documents.explanations) == (whole.blockers, whole.explanations)
    assert dict(documents.files) == dict(whole.files)
    assert sum(len(d) for d in documents.documents.values()) > 2


def test_a_report_made_at_a_time_is_the_same_at_any(engine: Engine) -> None:
    """Two reports of the same data are the same file's parts (no time stamped inside)."""
    with Session(engine, expire_on_commit=False) as s:
        province(s)
    assert parts(report(engine)) == parts(report(engine))
