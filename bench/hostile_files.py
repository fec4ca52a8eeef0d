"""Hostile spreadsheets, small on disk and large once read: made in a fraction of a second.

Each is a valid workbook (openpyxl opens it) whose one part unpacks to far more than a real
file holds; the tests (`tests/core/test_workbook_bounds.py`) and the bench
(`bench/hostile.py`) read them. A workbook is written part by part so that a part can be
replaced before it is compressed; repeated XML compresses about a thousand to one.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Mapping

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
OFFICE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
REL_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006"
TITLE = "Ban hành kế hoạch"  # the one task of the workbooks the parts below are added to

STYLES = (
    f'<styleSheet xmlns="{MAIN}"><fonts count="1"><font/></fonts><fills count="1"><fill>'
    '<patternFill patternType="none"/></fill></fills><borders count="1"><border/></borders>'
    '<cellStyleXfs count="1"><xf/>'
    '</cellStyleXfs><cellXfs count="1"><xf xfId="0"/></cellXfs><cellStyles count="1">'
    '<cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
).encode()


def workbook(
    sheet_rows: Iterable[bytes] = (),
    *,
    shared: Iterable[bytes] = (),
    styles: bytes = STYLES,
    sheets: int = 1,
    dimension: str = "",
) -> bytes:
    """Return an XLSX whose first sheet holds the `<row>` elements given, the shared strings
    given (`<si>` elements) and `sheets` sheets in all (the others empty); the first declares
    `dimension` ("A1:C3") if given (openpyxl then does not parse it as the workbook opens)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _types(sheets))
        archive.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{PKG_RELS}"><Relationship Id="rId1" '
            f'Type="{REL_TYPE}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr("xl/workbook.xml", _workbook_xml(sheets))
        archive.writestr("xl/_rels/workbook.xml.rels", _workbook_rels(sheets))
        archive.writestr("xl/styles.xml", styles)
        _write_parts(archive, "xl/sharedStrings.xml", f'<sst xmlns="{MAIN}">', shared, "</sst>")
        for n in range(1, sheets + 1):
            rows = sheet_rows if n == 1 else ()
            declared = f'<dimension ref="{dimension}"/>' if dimension and n == 1 else ""
            head = f'<worksheet xmlns="{MAIN}">{declared}<sheetData>'
            _write_parts(
                archive, f"xl/worksheets/sheet{n}.xml", head, rows, "</sheetData></worksheet>"
            )
    return out.getvalue()


def _write_parts(
    archive: zipfile.ZipFile, name: str, head: str, parts: Iterable[bytes], tail: str
) -> None:
    """Write a member as head, parts and tail, streamed (a bomb is never whole in memory)."""
    with archive.open(name, "w", force_zip64=True) as member:
        member.write(head.encode())
        for part in parts:
            member.write(part)
        member.write(tail.encode())


def _types(sheets: int) -> str:
    """Return [Content_Types].xml for the workbook's parts."""
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{OFFICE}.worksheet+xml"/>'
        for n in range(1, sheets + 1)
    )
    return (
        f'<Types xmlns="{TYPES}">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{OFFICE}.sheet.main+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{OFFICE}.styles+xml"/>'
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{OFFICE}.sharedStrings+xml"/>'
        f"{overrides}</Types>"
    )


def _workbook_xml(sheets: int) -> str:
    """Return xl/workbook.xml naming `sheets` sheets."""
    names = "".join(
        f'<sheet name="S{n}" sheetId="{n}" r:id="rId{n}"/>' for n in range(1, sheets + 1)
    )
    return f'<workbook xmlns="{MAIN}" xmlns:r="{RELS}"><sheets>{names}</sheets></workbook>'


def _workbook_rels(sheets: int) -> str:
    """Return the workbook's relationships: its sheets, styles and shared strings."""
    links = "".join(
        f'<Relationship Id="rId{n}" Type="{REL_TYPE}/worksheet" Target="worksheets/sheet{n}.xml"/>'
        for n in range(1, sheets + 1)
    )
    return (
        f'<Relationships xmlns="{PKG_RELS}">{links}'
        f'<Relationship Id="rIdS" Type="{REL_TYPE}/styles" Target="styles.xml"/>'
        f'<Relationship Id="rIdT" Type="{REL_TYPE}/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>"
    )


def _repeated(xml: bytes, count: int, block: int = 10_000) -> list[bytes]:
    """Return count copies of xml, in blocks (written a block at a time: fast)."""
    return [xml * block] * (count // block) + [xml * (count % block)]


def header_rows(titles: Iterable[str] = ()) -> list[bytes]:
    """Return a tasks header row and one row per title (inline strings), as `<row>` XML."""
    rows = [_row(1, ("title", "deadline", "assignees"))]
    rows += [_row(n, (t, "31/12/2099", "X1")) for n, t in enumerate(titles, start=2)]
    return rows


def _row(number: int, cells: Iterable[str]) -> bytes:
    """Return a `<row>` of inline string cells."""
    xml = "".join(f'<c t="inlineStr"><is><t>{text}</t></is></c>' for text in cells)
    return f'<row r="{number}">{xml}</row>'.encode()


def shared_strings_bomb(count: int) -> bytes:
    """A workbook with `count` shared strings (17 bytes each) and a three-row table."""
    strings = _repeated(b"<si><t>x</t></si>", count)
    return workbook(header_rows(["Một", "Hai"]), shared=strings)


def styles_bomb(count: int) -> bytes:
    """A workbook whose styles.xml lists `count` cell formats."""
    xfs = b'<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>' * count
    styles = STYLES.replace(b'<cellXfs count="1"><xf xfId="0"/>', b"<cellXfs>" + xfs)
    return workbook(header_rows(["Một"]), styles=styles)


def wide_row_bomb(cells: int, dimension: str = "") -> bytes:
    """A workbook whose second row holds `cells` empty cells (openpyxl builds each)."""
    row = b'<row r="2">' + b"<c/>" * cells + b"</row>"
    return workbook([header_rows()[0], row], dimension=dimension)


def rows_bomb(rows: int, dimension: str = "") -> bytes:
    """A workbook with a header and `rows` empty rows under it."""
    return workbook([header_rows()[0], *_repeated(b"<row/>", rows)], dimension=dimension)


def sheets_bomb(sheets: int) -> bytes:
    """A workbook of `sheets` sheets, the first a small table."""
    return workbook(header_rows(["Một"]), sheets=sheets)


def huge_cell(chars: int) -> bytes:
    """A workbook whose one title cell holds `chars` characters."""
    return workbook(header_rows(["ạ" * chars]))


def csv_one_line(chars: int) -> bytes:
    """A CSV whose header line is followed by one line of `chars` commas."""
    return b"title,deadline,assignees\n" + b"," * chars + b"\n"


def csv_one_field(chars: int) -> bytes:
    """A CSV whose one title field holds `chars` characters."""
    return b"title,deadline,assignees\n" + b"a" * chars + b",31/12/2099,X1\n"


def with_parts(
    content: bytes,
    parts: Mapping[str, bytes] | None = None,
    *,
    appended: Mapping[str, bytes] | None = None,
) -> bytes:
    """Return the workbook with `parts` added and, in each member `appended` names, its
    bytes put before the member's closing tag (a relationship, an override, a reference)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive,
    ):
        for item in source.infolist():
            data = source.read(item)
            extra = (appended or {}).get(item.filename)
            if extra is not None:
                cut = data.rindex(b"</")
                data = data[:cut] + extra + data[cut:]
            archive.writestr(item, data)
        for name, data in (parts or {}).items():
            archive.writestr(name, data)
    return out.getvalue()


def external_link_bomb(rows: int, cells: int) -> bytes:
    """Return a workbook linked to another whose cached copy (the external link's part,
    which openpyxl reads whole by default) holds rows x cells values."""
    row = "".join('<cell r="A{n}" t="str"><v>x</v></cell>' for _ in range(cells))
    data = [(f'<row r="{n}">' + row.format(n=n) + "</row>").encode() for n in range(1, rows + 1)]
    link = (
        f'<externalLink xmlns="{MAIN}" xmlns:r="{RELS}"><externalBook r:id="rId1">'
        '<sheetNames><sheetName val="S"/></sheetNames><sheetDataSet><sheetData sheetId="0">'
        + b"".join(data).decode()
        + "</sheetData></sheetDataSet></externalBook></externalLink>"
    )
    return with_parts(
        workbook(header_rows([TITLE])),
        {
            "xl/externalLinks/externalLink1.xml": link.encode(),
            "xl/externalLinks/_rels/externalLink1.xml.rels": (
                f'<Relationships xmlns="{PKG_RELS}"><Relationship Id="rId1" '
                f'Type="{REL_TYPE}/externalLinkPath" Target="file:///C:/other.xlsx" '
                'TargetMode="External"/></Relationships>'
            ).encode(),
        },
        appended={
            "xl/_rels/workbook.xml.rels": (
                f'<Relationship Id="rIdX" Type="{REL_TYPE}/externalLink" '
                'Target="externalLinks/externalLink1.xml"/>'
            ).encode(),
            "xl/workbook.xml": (
                f'<externalReferences><externalReference xmlns:r="{RELS}" r:id="rIdX"/>'
                "</externalReferences>"
            ).encode(),
            "[Content_Types].xml": (
                '<Override PartName="/xl/externalLinks/externalLink1.xml" '
                f'ContentType="{OFFICE}.externalLink+xml"/>'
            ).encode(),
        },
    )


def custom_properties_bomb(count: int) -> bytes:
    """Return a workbook with `count` custom document properties (read whole by openpyxl)."""
    fmtid = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"
    props = "".join(
        f'<property fmtid="{fmtid}" pid="{n + 2}" name="p{n}"><vt:lpwstr>v</vt:lpwstr></property>'
        for n in range(count)
    )
    custom = (
        f'<Properties xmlns="{OFFICE_DOCUMENT}/custom-properties" '
        f'xmlns:vt="{OFFICE_DOCUMENT}/docPropsVTypes">{props}</Properties>'
    )
    return with_parts(
        workbook(header_rows([TITLE])),
        {"docProps/custom.xml": custom.encode()},
        appended={
            "_rels/.rels": (
                f'<Relationship Id="rIdC" Type="{REL_TYPE}/custom-properties" '
                'Target="docProps/custom.xml"/>'
            ).encode(),
            "[Content_Types].xml": (
                b'<Override PartName="/docProps/custom.xml" ContentType="application/'
                b'vnd.openxmlformats-officedocument.custom-properties+xml"/>'
            ),
        },
    )


def manifest_bomb(count: int) -> bytes:
    """Return a workbook whose list of parts ([Content_Types].xml) names `count` more."""
    overrides = "".join(
        f'<Override PartName="/xl/media/p{n}.xml" ContentType="application/xml"/>'
        for n in range(count)
    )
    return with_parts(
        workbook(header_rows([TITLE])), appended={"[Content_Types].xml": overrides.encode()}
    )


def links_bomb(count: int) -> bytes:
    """Return a workbook whose sheet's relationships name `count` hyperlinks."""
    links = "".join(
        f'<Relationship Id="rIdL{n}" Type="{REL_TYPE}/hyperlink" '
        f'Target="https://example.org/van-ban/{n}.pdf" TargetMode="External"/>'
        for n in range(count)
    )
    rels = f'<Relationships xmlns="{PKG_RELS}">{links}</Relationships>'
    return with_parts(
        workbook(header_rows([TITLE])), {"xl/worksheets/_rels/sheet1.xml.rels": rels.encode()}
    )


def renamed_workbook_bomb(names: int) -> bytes:
    """Return a workbook whose workbook part, named as the list of parts says, not
    workbook.xml, holds `names` defined names (openpyxl parses the part whole)."""
    defined = "".join(
        f'<definedName name="n{n}">S1!$A$1</definedName>' for n in range(names)
    ).encode()
    content = with_parts(
        workbook(header_rows([TITLE])),
        appended={"xl/workbook.xml": b"<definedNames>" + defined + b"</definedNames>"},
    )
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive,
    ):
        for item in source.infolist():
            data = source.read(item).replace(b"/xl/workbook.xml", b"/xl/book.xml")
            data = data.replace(b'Target="xl/workbook.xml"', b'Target="xl/book.xml"')
            name = {
                "xl/workbook.xml": "xl/book.xml",
                "xl/_rels/workbook.xml.rels": "xl/_rels/book.xml.rels",
            }.get(item.filename, item.filename)
            archive.writestr(name, data)
    return out.getvalue()


def renamed_strings_bomb(count: int) -> bytes:
    """Return shared_strings_bomb(count) with its strings in a part named strings.xml, as
    the list of parts and the workbook's relationships say (openpyxl reads that one)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(shared_strings_bomb(count))) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive,
    ):
        for item in source.infolist():
            data = source.read(item).replace(b"sharedStrings.xml", b"strings.xml")
            archive.writestr(item.filename.replace("sharedStrings.xml", "strings.xml"), data)
    return out.getvalue()
