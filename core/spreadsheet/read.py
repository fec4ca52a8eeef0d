"""A file's bytes read as a Table: its size checked first, then as a CSV or an XLSX; any
other spreadsheet (.xls, .ods) refused."""

from __future__ import annotations

from core.spreadsheet import limits
from core.spreadsheet.csv_rows import csv_rows
from core.spreadsheet.table import Table, table_of
from core.spreadsheet.xlsx_rows import xlsx_rows
from core.spreadsheet_errors import UnreadableFile

OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 (.xls) and kin
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"


def check_size(size: int, max_bytes: int) -> None:
    """Refuse a file of size bytes when it is over max_bytes, before reading it."""
    if size > max_bytes:
        raise UnreadableFile("too_big", size=size, limit=max_bytes)


def read_table(
    content: bytes, file_name: str = "", *, max_bytes: int = limits.DEFAULT_MAX_BYTES
) -> Table:
    """Read a CSV or XLSX file's bytes into a Table, or raise UnreadableFile."""
    check_size(len(content), max_bytes)
    if _other_spreadsheet(content):
        raise UnreadableFile("other_spreadsheet")
    if content[:2] == b"PK" or file_name.lower().endswith((".xlsx", ".xlsm")):
        unsaved: dict[int, list[tuple[int, str]]] = {}  # filled before the first row
        return table_of(xlsx_rows(content, unsaved), unsaved)
    return table_of(csv_rows(content))


def _other_spreadsheet(content: bytes) -> bool:
    """Tell whether the bytes are a spreadsheet we do not read: .xls (OLE2) or .ods."""
    if content.startswith(OLE2_SIGNATURE):
        return True
    # An OpenDocument file is a zip whose first member, stored, is "mimetype" with its type.
    return content[:2] == b"PK" and ODS_MIMETYPE in content[:200]
