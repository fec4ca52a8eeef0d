"""A file's bytes read as a Table: its size checked first, then as a CSV or an XLSX, told
apart by their content (a CSV renamed .xlsx is still a CSV); any other spreadsheet (.xls,
.ods, a table saved as a web page or as Excel 2003 XML, as software exports ".xls") refused."""

from __future__ import annotations

from core.spreadsheet import limits
from core.spreadsheet.csv_rows import csv_rows
from core.spreadsheet.table import Table, table_of
from core.spreadsheet.xlsx_rows import xlsx_rows
from core.spreadsheet_errors import UnreadableFile

OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 (.xls) and kin
# A workbook saved with a password to open (Excel's "Encrypt with Password") is no zip: its
# XLSX is encrypted inside an OLE2 file, as the stream of this name (the directory holds
# names in UTF-16, each entry at a multiple of 128 bytes from the file's start).
ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
DIRECTORY_ENTRY = 128
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
# How a table saved as a web page, or as Excel 2003's XML spreadsheet, opens (folded to lower
# case, after a BOM and blanks): Excel opens them by their .xls name; no CSV starts so.
MARKUP_OPENINGS = (b"<html", b"<!doctype html", b"<table", b"<?xml")
XML_SPREADSHEET = b"urn:schemas-microsoft-com:office:spreadsheet"
MARKUP_SNIFF = 2048  # the bytes looked at for those openings


def check_size(size: int, max_bytes: int) -> None:
    """Refuse a file of size bytes when it is over max_bytes, before reading it."""
    if size > max_bytes:
        raise UnreadableFile("too_big", size=size, limit=max_bytes)


def read_table(
    content: bytes, file_name: str = "", *, max_bytes: int = limits.DEFAULT_MAX_BYTES
) -> Table:
    """Read a CSV or XLSX file's bytes into a Table, or raise UnreadableFile."""
    check_size(len(content), max_bytes)
    if _password_protected(content):
        raise UnreadableFile("password_protected")
    if _other_spreadsheet(content):
        raise UnreadableFile("other_spreadsheet")
    if content[:2] == b"PK":
        unsaved: dict[int, list[tuple[int, str]]] = {}  # filled before the first row
        sheets: list[str] = []  # so is this: the sheet read, then the other visible ones
        hidden: set[int] = set()  # and this: the rows hidden
        columns: set[int] = set()  # and this: the columns hidden
        rows = xlsx_rows(content, unsaved, sheets, hidden, columns)
        return table_of(rows, unsaved, sheets, hidden, columns)
    if not file_name.lower().endswith((".xlsx", ".xlsm")):
        return table_of(csv_rows(content))
    try:  # named a workbook, not a zip: a CSV renamed, or a broken file
        return table_of(csv_rows(content))
    except UnreadableFile as exc:
        if exc.code in ("bad_encoding", "legacy_font", "not_a_table", "empty"):
            raise UnreadableFile("not_a_table") from None  # no CSV was sent: none to fix
        raise


def _password_protected(content: bytes) -> bool:
    """Tell whether the bytes are a workbook encrypted with a password to open.

    It was answered as an .xls to save as .xlsx: saved so, it keeps its password, and the
    admin got the same answer again for what they knew to be an .xlsx file."""
    if not content.startswith(OLE2_SIGNATURE):
        return False
    found = content.find(ENCRYPTED_PACKAGE)
    while found >= 0:
        if found % DIRECTORY_ENTRY == 0:
            return True
        found = content.find(ENCRYPTED_PACKAGE, found + 1)
    return False


def _other_spreadsheet(content: bytes) -> bool:
    """Tell whether the bytes are a spreadsheet we do not read: .xls (OLE2) or .ods."""
    if content.startswith(OLE2_SIGNATURE):
        return True
    # An OpenDocument file is a zip whose first member, stored, is "mimetype" with its type.
    if content[:2] == b"PK":
        return ODS_MIMETYPE in content[:200]
    return _markup_table(content[:MARKUP_SNIFF])


def _markup_table(start: bytes) -> bool:
    """Tell whether a file's first bytes open a web page or an Excel 2003 XML spreadsheet."""
    if start.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16, as Excel saves some
        start = start.decode("utf-16", errors="ignore").encode("utf-8")
    folded = start.removeprefix(b"\xef\xbb\xbf").lstrip().lower()
    if folded.startswith(b"<?xml"):
        return XML_SPREADSHEET in folded
    return folded.startswith(MARKUP_OPENINGS)
