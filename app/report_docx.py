"""Fill the formal report's Word template: placeholders, the body's paragraphs, the appendix.

The template (app/templates/bao-cao.docx, or the province's own copy named by
REPORT_TEMPLATE) holds the page, the fonts, the header and the fixed administrative wording.
`{{name}}` placeholders anywhere in its paragraphs (tables included) are replaced by the
fields; a paragraph that is only `{{body}}` becomes the body's paragraphs, one that is only
`{{appendix}}` the appendix table. The body uses the template's styles by name (a style the
template lacks falls back to Normal), so what the province changes in Word is kept.

The appendix may have tens of thousands of rows: their XML is written as text into the saved
file where the table's mark is, never parsed: adding cells one by one through python-docx
was a hundred times slower, and parsing the rows then writing them out again took most of
a minute for 52,000.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING
from xml.sax.saxutils import escape as xml_escape

from core import zip_splice

# python-docx (with lxml, ~15 MB) is imported when a report is made, not at start-up:
# reports are made in the worker process (app.jobs), so the bot never loads it.
if TYPE_CHECKING:
    from docx.document import Document as DocumentObject
    from docx.oxml.xmlchemy import BaseOxmlElement
    from docx.text.paragraph import Paragraph

TEMPLATE = Path(__file__).parent / "templates" / "bao-cao.docx"
BODY, APPENDIX = "{{body}}", "{{appendix}}"
_FIELD = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")
# Characters XML 1.0 cannot hold (control characters a phone keyboard may still send).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# A text with none of those, nothing XML escapes and no line break goes into a cell as it is.
_PLAIN = re.compile("[^\x00-\x1f\ufffe\uffff&<>]*").fullmatch
TWIPS_PER_MM = 1440 / 25.4
STYLE_FALLBACK = "Normal"
_END_LINE = "</w:t></w:r></w:p>"
_END_CELL = _END_LINE + "</w:tc>"
ROWS_MARK = "dondoc: the appendix's rows"
_BATCH = 500  # rows encoded and written at a time  # a comment: no text of the template can be one


class TemplateError(Exception):
    """The template cannot be opened as a Word document."""


@dataclass(frozen=True)
class Block:
    """A paragraph of the body: its text and the template style it takes."""

    text: str
    style: str = "Normal"


@dataclass(frozen=True)
class Column:
    """An appendix column: its header, its width in millimetres, whether it is centred."""

    header: str
    width_mm: float
    centred: bool = False


def render(
    *,
    template: Path | None,
    fields: Mapping[str, str],
    body: Sequence[Block],
    columns: Sequence[Column],
    rows: Iterable[Sequence[str]],
) -> bytes:
    """Return the filled template as .docx bytes (the appendix's `rows` are read once, as
    the file is written)."""
    from docx import Document

    path = template or TEMPLATE
    try:
        doc = Document(str(path))
    except Exception as exc:  # a missing, truncated or non-Word file: python-docx says which
        raise TemplateError(f"{path}: {exc}") from None
    table_rows: Iterator[str] | None = None
    for paragraph in _paragraphs(doc):
        marker = paragraph.text.strip()
        if marker == BODY:
            _insert_body(doc, paragraph, body)
        elif marker == APPENDIX:
            table_rows = _insert_table(doc, paragraph, columns, rows)
        elif "{{" in paragraph.text:
            _fill(paragraph, fields)
    out = io.BytesIO()
    doc.save(out)
    if table_rows is None:
        return out.getvalue()
    return _spliced(out.getvalue(), doc.part.partname.lstrip("/"), table_rows)


def clean(text: str) -> str:
    """Return text without the characters a Word file cannot hold."""
    return _NOT_XML.sub("", text)


def _paragraphs(doc: DocumentObject) -> list[Paragraph]:
    """Return every paragraph of the body, in tables too, and of headers and footers."""
    found = list(doc.paragraphs)
    tables = list(doc.tables)
    for section in doc.sections:
        for part in (section.header, section.footer):
            found += part.paragraphs
            tables += part.tables
    while tables:
        table = tables.pop()
        for row in table.rows:
            for cell in row.cells:
                found += cell.paragraphs
                tables += cell.tables
    return found


def _fill(paragraph: Paragraph, fields: Mapping[str, str]) -> None:
    """Replace the placeholders of a paragraph, keeping each run's formatting.

    Word may split a placeholder over several runs after an edit; then the paragraph's
    text is put in its first run (that run's formatting wins).
    """

    def value(match: re.Match[str]) -> str:
        return clean(fields.get(match[1], ""))

    runs = paragraph.runs
    whole = len(_FIELD.findall(paragraph.text))
    if not runs or whole == sum(len(_FIELD.findall(run.text)) for run in runs):
        for run in runs:
            run.text = _FIELD.sub(value, run.text)
        return
    runs[0].text = _FIELD.sub(value, paragraph.text)  # once: values are never read again
    for run in runs[1:]:
        run.text = ""


def _style_id(doc: DocumentObject, name: str) -> str:
    """Return the id of a paragraph style by name, Normal's when the template lacks it."""
    for candidate in (name, STYLE_FALLBACK):
        try:
            return str(doc.styles[candidate].style_id)
        except KeyError:
            continue
    return STYLE_FALLBACK


def _insert_body(doc: DocumentObject, marker: Paragraph, body: Sequence[Block]) -> None:
    """Put the body's paragraphs where the marker is, and drop the marker."""
    ids: dict[str, str] = {}
    for block in body:
        if block.style not in ids:
            ids[block.style] = _style_id(doc, block.style)
        style = ids[block.style]
        marker._p.addprevious(_parse_xml(_paragraph_xml(block.text, style)))
    marker._p.getparent().remove(marker._p)


def _paragraph_xml(text: str, style: str) -> str:
    """Return a paragraph of one run, line breaks kept."""
    runs = "<w:br/>".join(
        f'<w:t xml:space="preserve">{xml_escape(clean(line))}</w:t>' for line in text.split("\n")
    )
    return (
        f'<w:p {_nsdecls("w")}><w:pPr><w:pStyle w:val="{xml_escape(style)}"/></w:pPr>'
        f"<w:r>{runs}</w:r></w:p>"
    )


def _insert_table(
    doc: DocumentObject,
    marker: Paragraph,
    columns: Sequence[Column],
    rows: Iterable[Sequence[str]],
) -> Iterator[str]:
    """Put the appendix table where the marker is: bordered, its header row repeated; its
    other rows are returned, as XML made as they are read, for `_spliced` to put where
    ROWS_MARK is."""
    cell_style = _style_id(doc, "DD Table")
    head_style = _style_id(doc, "DD Table Head")
    widths = [round(c.width_mm * TWIPS_PER_MM) for c in columns]
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    edges = "".join(
        f'<w:{e} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
        for e in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    head_cells = _cells(widths, [True] * len(columns), head_style)
    head = _row([c.header for c in columns], head_cells, head=True)
    cells = _cells(widths, [c.centred for c in columns], cell_style)
    # Each row declares the namespace itself: whatever prefixes the template's root uses.
    opening = f"<w:tr {_nsdecls('w')}>"
    body = (_row(r, cells, opening=opening) for r in rows)
    table = _parse_xml(
        f'<w:tbl {_nsdecls("w")}><w:tblPr><w:tblW w:w="{sum(widths)}" w:type="dxa"/>'
        f'<w:jc w:val="center"/><w:tblBorders>{edges}</w:tblBorders><w:tblLayout w:type="fixed"/>'
        f"</w:tblPr><w:tblGrid>{grid}</w:tblGrid>{head}<!--{ROWS_MARK}--></w:tbl>"
    )
    marker._p.addprevious(table)
    marker._p.getparent().remove(marker._p)
    return body


def _spliced(docx: bytes, part: str, rows: Iterator[str]) -> bytes:
    """Return the .docx with the appendix's rows written where ROWS_MARK is in `part`.

    Not parsed into the document, moved into its table and written out again: 52,000 rows
    (four million elements) took three quarters of a minute that way; as text, a second.
    Written into the file as they are made, a few hundred at a time: the rows' text whole
    (100 MB for 52,000, and its bytes beside it) was most of the report's memory."""
    from itertools import islice

    def write(out: IO[bytes]) -> None:
        while batch := "".join(islice(rows, _BATCH)):
            out.write(batch.encode("utf-8"))

    return zip_splice.spliced(docx, f"<!--{ROWS_MARK}-->".encode(), {part: write}, keep=False)


def _cells(widths: Sequence[int], centred: Sequence[bool], style: str) -> list[tuple[str, str]]:
    """Return, per column, what opens a cell up to its text, and what goes between lines."""
    found = []
    for width, centre in zip(widths, centred, strict=True):
        jc = '<w:jc w:val="center"/>' if centre else ""
        paragraph = (
            f'<w:p><w:pPr><w:pStyle w:val="{style}"/>{jc}</w:pPr><w:r><w:t xml:space="preserve">'
        )
        cell = f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr>{paragraph}'
        found.append((cell, _END_LINE + paragraph))
    return found


def _row(
    values: Sequence[str],
    cells: Sequence[tuple[str, str]],
    *,
    head: bool = False,
    opening: str = "<w:tr>",
) -> str:
    """Return one table row's XML, each line of a value a paragraph (a header row repeats)."""
    parts = [opening + "<w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>" if head else opening]
    for value, (cell, line_break) in zip(values, cells, strict=True):
        if _PLAIN(value):  # most values: nothing to drop, escape or break
            parts += (cell, value, _END_CELL)
        else:
            parts += (cell, xml_escape(clean(value)).replace("\n", line_break), _END_CELL)
    parts.append("</w:tr>")
    return "".join(parts)


def _parse_xml(xml: str) -> BaseOxmlElement:
    """Return python-docx's element for the XML (imported on use, as the module says)."""
    from docx.oxml import parse_xml

    return parse_xml(xml)


def _nsdecls(*prefixes: str) -> str:
    """Return the namespace declarations of the prefixes, as python-docx writes them."""
    from docx.oxml.ns import nsdecls

    return nsdecls(*prefixes)
