"""Write the formal report's Word template (app/templates/bao-cao.docx), Decree 30/2020 format.

    python -m devtools.report_template [OUT.docx]

The shipped template was written by this script; a province may edit it in Word instead
(its fonts, its "Nơi nhận" list, its wording) and point REPORT_TEMPLATE at its copy. What the
bot fills in are `{{name}}` placeholders (see app/report_docx.py); `{{body}}` and
`{{appendix}}` stand alone in their paragraphs, where the report's text and table go.
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT, WD_SECTION_START
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Length, Mm, Pt
from docx.styles.style import ParagraphStyle
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

FONT = "Times New Roman"
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "app" / "templates" / "bao-cao.docx"
LEFT_COLUMN, RIGHT_COLUMN = Cm(7), Cm(9.5)  # 16.5 cm between the margins of A4


def build() -> DocumentObject:
    """Return the template document."""
    doc = Document()
    _page(doc)
    _styles(doc)
    _header(doc)
    _title(doc)
    doc.add_paragraph("{{body}}")
    closing = doc.add_paragraph("Trên đây là báo cáo kết quả thực hiện nhiệm vụ được giao./.")
    space = doc.add_paragraph(style="DD Center")
    for paragraph in (closing, space):  # never a signature alone on a page
        paragraph.paragraph_format.keep_with_next = True
    _signature(doc)
    _appendix(doc)
    return doc


def _page(doc: DocumentObject) -> None:
    """A4 portrait, margins within Decree 30's ranges."""
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)


def _styles(doc: DocumentObject) -> None:
    """Times New Roman everywhere; the body 14 pt justified; the styles the bot uses."""
    normal = doc.styles["Normal"]
    assert isinstance(normal, ParagraphStyle)
    _font(normal, 14)
    normal.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    normal.paragraph_format.first_line_indent = Cm(1)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.15
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:  # the theme's fonts would otherwise win for Vietnamese text
        fonts = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:rFonts')}")
        if fonts is not None:
            for key in list(fonts.attrib):
                del fonts.attrib[key]
            for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
                fonts.set(qn(attr), FONT)
    _style(doc, "DD Center", 14, center=True)
    _style(doc, "DD Heading", 14, bold=True)
    _style(doc, "DD Bullet", 14)
    _style(doc, "DD Table", 11, indent=False, left=True, after=0, spacing=1.0)
    _style(doc, "DD Table Head", 11, bold=True, center=True, after=0, spacing=1.0)
    _style(doc, "DD Recipients Head", 12, bold=True, italic=True, indent=False, left=True, after=0)
    _style(doc, "DD Recipients", 11, indent=False, left=True, after=0, spacing=1.0)


def _style(
    doc: DocumentObject,
    name: str,
    size: float,
    *,
    bold: bool = False,
    italic: bool = False,
    center: bool = False,
    left: bool = False,
    indent: bool = True,
    after: float = 6,
    spacing: float = 1.15,
) -> None:
    """Add a paragraph style based on Normal."""
    style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    assert isinstance(style, ParagraphStyle)
    style.base_style = doc.styles["Normal"]
    _font(style, size, bold=bold, italic=italic)
    fmt = style.paragraph_format
    if center:
        fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif left:
        fmt.alignment = WD_ALIGN_PARAGRAPH.LEFT
    if center or not indent:
        fmt.first_line_indent = Cm(0)
    fmt.space_after = Pt(after)
    fmt.line_spacing = spacing


def _font(style: ParagraphStyle, size: float, *, bold: bool = False, italic: bool = False) -> None:
    """Set a style's font, for every script."""
    style.font.name = FONT
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.italic = italic
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)


def _header(doc: DocumentObject) -> None:
    """The borderless two-column header: issuing body and number; Quốc hiệu, Tiêu ngữ, date."""
    table = doc.add_table(rows=2, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _no_borders(table._tbl)
    _widths(table, (LEFT_COLUMN, RIGHT_COLUMN))
    left, right = table.cell(0, 0), table.cell(0, 1)
    _line(left, "{{org_parent}}", 12, first=True)
    _line(left, "{{org_name}}", 12, bold=True)
    _rule(left, Cm(2))
    _line(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 12, bold=True, first=True)
    _line(right, "Độc lập - Tự do - Hạnh phúc", 14, bold=True)
    _rule(right, Cm(1.6))
    _line(table.cell(1, 0), "Số:        /BC-{{symbol}}", 13, first=True)
    _line(
        table.cell(1, 1),
        "{{place}}, ngày {{day}} tháng {{month}} năm {{year}}",
        14,
        italic=True,
        first=True,
    )


def _widths(table: Table, widths: tuple[Length, Length]) -> None:
    """Fix the columns' widths: in the grid (LibreOffice reads it) and in each cell (Word)."""
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width


def _no_borders(tbl: object) -> None:
    """Set every border of a table to none."""
    tbl_pr = tbl.tblPr  # type: ignore[attr-defined]
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    tbl_pr.append(borders)


def _line(
    cell: _Cell,
    text: str,
    size: float,
    *,
    bold: bool = False,
    italic: bool = False,
    first: bool = False,
) -> Paragraph:
    """Write a centred line in a header cell (the cell's first paragraph when `first`)."""
    paragraph: Paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
    paragraph.style = "DD Center"
    paragraph.paragraph_format.space_after = Pt(0)
    paragraph.paragraph_format.line_spacing = 1.0
    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.italic = italic
    return paragraph


def _rule(cell: _Cell, inset: Length) -> None:
    """Draw the short rule under a header block: an empty paragraph with a top border."""
    paragraph = cell.add_paragraph()
    paragraph.style = "DD Center"
    fmt = paragraph.paragraph_format
    fmt.left_indent = fmt.right_indent = inset
    fmt.space_before = Pt(4)
    fmt.space_after = Pt(0)
    fmt.line_spacing = 1.0
    borders = OxmlElement("w:pBdr")
    top = OxmlElement("w:top")
    for key, value in (
        ("w:val", "single"),
        ("w:sz", "6"),
        ("w:space", "1"),
        ("w:color", "000000"),
    ):
        top.set(qn(key), value)
    borders.append(top)
    paragraph._p.get_or_add_pPr().append(borders)
    paragraph.add_run().font.size = Pt(2)


def _title(doc: DocumentObject) -> None:
    """'BÁO CÁO', the summary line (trích yếu) and the short rule under it."""
    space = doc.add_paragraph(style="DD Center")
    space.paragraph_format.space_after = Pt(12)
    title = doc.add_paragraph(style="DD Center")
    title.paragraph_format.space_after = Pt(0)
    run = title.add_run("BÁO CÁO")
    run.font.bold = True
    subject = doc.add_paragraph(style="DD Center")
    subject.paragraph_format.space_after = Pt(0)
    subject.add_run("{{subject}}").font.bold = True
    rule = doc.add_paragraph(style="DD Center")
    rule.paragraph_format.left_indent = rule.paragraph_format.right_indent = Cm(6.5)
    rule.paragraph_format.space_after = Pt(12)
    borders = OxmlElement("w:pBdr")
    top = OxmlElement("w:top")
    for key, value in (
        ("w:val", "single"),
        ("w:sz", "6"),
        ("w:space", "1"),
        ("w:color", "000000"),
    ):
        top.set(qn(key), value)
    borders.append(top)
    rule._p.get_or_add_pPr().append(borders)
    rule.add_run().font.size = Pt(2)


def _signature(doc: DocumentObject) -> None:
    """'Nơi nhận:' and its list on the left, the signer on the right (borderless)."""
    table = doc.add_table(rows=1, cols=2)
    table.autofit = False
    _no_borders(table._tbl)
    _widths(table, (Cm(7.5), Cm(9)))
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    left, right = table.cell(0, 0), table.cell(0, 1)
    head = left.paragraphs[0]
    head.style = "DD Recipients Head"
    head.add_run("Nơi nhận:")
    for item in ("- {{org_parent_text}} (để báo cáo);", "- Lưu: VT."):
        left.add_paragraph(item, style="DD Recipients")
    _line(right, "{{signer_title}}", 14, bold=True, first=True)
    for _ in range(4):
        _line(right, "", 14)
    _line(right, "{{signer_name}}", 14, bold=True)


def _appendix(doc: DocumentObject) -> None:
    """A landscape section: the appendix's title, what it goes with, and its table."""
    section = doc.add_section(WD_SECTION_START.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    doc.add_paragraph("Phụ lục", style="DD Center").runs[0].font.bold = True
    doc.add_paragraph("TÌNH HÌNH THỰC HIỆN NHIỆM VỤ CỦA CÁC ĐƠN VỊ", style="DD Center").runs[
        0
    ].font.bold = True
    note = doc.add_paragraph(
        "(Kèm theo Báo cáo số        /BC-{{symbol}} ngày {{day}} tháng {{month}} năm {{year}}"
        " của {{org_name_text}})",
        style="DD Center",
    )
    note.runs[0].font.italic = True
    doc.add_paragraph("{{appendix}}")


def main(argv: list[str]) -> int:
    """Write the template to the path given (default: the one shipped in the package)."""
    out = Path(argv[0]) if argv else DEFAULT_OUT
    out.parent.mkdir(parents=True, exist_ok=True)
    build().save(str(out))
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
