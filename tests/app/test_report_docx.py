"""The appendix table of the formal report, cell by cell, at the size of a province.

`report_docx` writes the table's rows as XML text into the saved file, where the table's
mark is (parsed and written out again, 52,000 rows took most of a minute); these tests
hold every row, cell, paragraph and property of a large table to what the columns and
values say.
"""

from __future__ import annotations

import io

from docx import Document
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement

from app.report_docx import TEMPLATE, TWIPS_PER_MM, Block, Column, render

COLUMNS = [Column("STT", 12, True), Column("Đơn vị", 36), Column("Tình trạng", 27, True)]
WIDTHS = [round(c.width_mm * TWIPS_PER_MM) for c in COLUMNS]
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
ROWS = 2000


def value(n: int, col: int) -> str:
    """Return a cell's value: plain, empty, several lines, spaces, XML's and control characters."""
    kinds = [
        f"Xã số {n:04d}",
        "",
        f"dòng một\ndòng {n}",
        f"  <b>&{n}</b> > ",
        f"a\x01b\x0bc {n}",
    ]
    return kinds[(n + col) % len(kinds)]


def lines(text: str) -> list[str]:
    """Return the paragraphs a cell holds: one per line, control characters dropped."""
    cleaned = text.replace("\x01", "").replace("\x0b", "")
    return cleaned.split("\n") if cleaned else [""]


def local(element: BaseOxmlElement) -> str:
    """Return an element's tag without its namespace."""
    return str(element.tag).rsplit("}", 1)[-1]


def style_id(name: str) -> str:
    """Return the template's id of a paragraph style."""
    return str(Document(str(TEMPLATE)).styles[name].style_id)


def test_appendix_of_many_rows_keeps_every_cell_and_its_format() -> None:
    """2,000 rows: each cell's width, style, alignment and lines, the header repeated alone."""
    rows = [[value(n, col) for col in range(len(COLUMNS))] for n in range(ROWS)]
    content = render(
        template=None,
        fields={},
        body=[Block("Mở đầu"), Block("Kết luận")],
        columns=COLUMNS,
        rows=rows,
    )
    doc = Document(io.BytesIO(content))
    table = doc.tables[-1]._tbl
    props = table.find(qn("w:tblPr"))
    assert props.find(qn("w:tblW")).get(qn("w:w")) == str(sum(WIDTHS))
    assert props.find(qn("w:jc")).get(qn("w:val")) == "center"
    assert props.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
    edges = props.find(qn("w:tblBorders"))
    assert [local(e) for e in edges] == [
        "top", "left", "bottom", "right", "insideH", "insideV"
    ]  # fmt: skip
    grid = [int(g.get(qn("w:w"))) for g in table.find(qn("w:tblGrid"))]
    assert grid == WIDTHS
    trs = table.findall(qn("w:tr"))
    assert len(trs) == ROWS + 1
    assert table.xpath("//comment()") == []  # the mark the rows replaced is gone
    head, cell = style_id("DD Table Head"), style_id("DD Table")
    assert_row(trs[0], [c.header for c in COLUMNS], head, [True] * len(COLUMNS), header=True)
    centred = [c.centred for c in COLUMNS]
    for tr, row in zip(trs[1:], rows, strict=True):
        assert_row(tr, row, cell, centred, header=False)
    body = [p.text for p in doc.paragraphs]
    assert body.index("Mở đầu") < body.index("Kết luận")


def assert_row(
    tr: BaseOxmlElement, values: list[str], style: str, centred: list[bool], *, header: bool
) -> None:
    """Check one row: its header mark, and each cell's width, paragraphs, style and text."""
    props = tr.find(qn("w:trPr"))
    if header:
        assert [local(e) for e in props] == ["tblHeader", "cantSplit"]
    else:
        assert props is None
    tcs = tr.findall(qn("w:tc"))
    assert len(tcs) == len(values)
    for tc, text, width, centre in zip(tcs, values, WIDTHS, centred, strict=True):
        assert tc.find(f"{qn('w:tcPr')}/{qn('w:tcW')}").get(qn("w:w")) == str(width)
        paragraphs = tc.findall(qn("w:p"))
        assert len(paragraphs) == len(lines(text))
        for p, line in zip(paragraphs, lines(text), strict=True):
            ppr = p.find(qn("w:pPr"))
            assert ppr.find(qn("w:pStyle")).get(qn("w:val")) == style
            jc = ppr.find(qn("w:jc"))
            assert (jc is not None and jc.get(qn("w:val")) == "center") == centre
            (t,) = p.iter(qn("w:t"))
            assert t.get(XML_SPACE) == "preserve"
            assert (t.text or "") == line
