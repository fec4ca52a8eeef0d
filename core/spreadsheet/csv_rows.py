"""A CSV file's rows: UTF-8 or UTF-16 with its BOM, comma, semicolon or tab separated, no
line longer than MAX_LINE_CHARS."""

from __future__ import annotations

import codecs
import csv
import itertools
from collections.abc import Iterator

from core.spreadsheet import limits
from core.spreadsheet.header import (
    HEADER_KNOWN_COLUMNS,
    HEADER_SEARCH_ROWS,
    KNOWN_COLUMNS,
    column_name,
)
from core.spreadsheet.legacy import legacy_sample
from core.spreadsheet_errors import UnreadableFile

DELIMITERS = (",", ";", "\t")


def csv_rows(content: bytes) -> Iterator[list[str]]:
    """Parse CSV bytes row by row: UTF-8 (BOM allowed), or UTF-16 with its BOM; comma,
    semicolon or tab separated.

    Excel's "Unicode Text" (the one way older Excels keep Vietnamese letters in a text file)
    writes UTF-16 with a BOM and tabs: it used to be refused as no table at all, or read as
    one column when saved again as UTF-8.
    """
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = content.decode("utf-16")
        except UnicodeDecodeError:
            raise UnreadableFile("bad_encoding") from None
    else:
        if b"\x00" in content[:4096]:
            raise UnreadableFile("not_a_table")
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise _not_utf8(content) from None
    if "\x00" in text:  # PostgreSQL stores no NUL; a binary file read as UTF-16 has some
        raise UnreadableFile("not_a_table")
    if "\n" not in text:  # lines ended by CR alone, as Excel for Mac 2011 saves a CSV
        text = text.replace("\r", "\n")
    reader = csv.reader(_lines(text), delimiter=_delimiter(text))
    try:
        yield from reader
    except csv.Error as error:  # a quoted field over several lines, past csv's own bound
        if "field limit" in str(error):
            raise UnreadableFile(
                "line_too_long", row=reader.line_num, most=limits.MAX_LINE_CHARS
            ) from None
        raise UnreadableFile("not_a_table") from None


def _not_utf8(content: bytes) -> UnreadableFile:
    """Return the refusal of a CSV not in UTF-8: saved in Windows' code page (Excel's
    "CSV (Comma delimited)"), or typed in a legacy encoding, which saving it as UTF-8 keeps
    (a TCVN3 or VNI list is to be converted to Unicode first: core/spreadsheet/legacy)."""
    sample = legacy_sample(content.decode("cp1258", errors="replace").splitlines())
    if sample:
        return UnreadableFile("legacy_font", sample=sample)
    return UnreadableFile("bad_encoding")


def _delimiter(text: str) -> str:
    """Return the separator of the file's cells: the one that splits a line of the first
    HEADER_SEARCH_ROWS into the most of our columns (the header, below a title), else the
    one the first line that is not blank holds most of (a tie keeps the comma).

    The first line alone decided it: a blank line or a title above a semicolon or tab
    separated header ("Danh sách nhiệm vụ" alone on its line, as a program writes it) made
    the file one column, answered as a table of unknown columns."""
    lines = [
        line
        for line in itertools.islice(_lines(text), HEADER_SEARCH_ROWS)
        if line.strip(" \r\n,;\t")
    ]
    best, most = "", HEADER_KNOWN_COLUMNS - 1
    for line in lines:
        for delimiter in DELIMITERS:
            try:
                cells = next(csv.reader([line.rstrip("\r\n")], delimiter=delimiter), [])
            except csv.Error:  # a line the file's own reading refuses, or says too long
                continue
            known = len({column_name(cell) for cell in cells} & KNOWN_COLUMNS)
            if known > most:
                best, most = delimiter, known
        if best:
            return best
    first = lines[0] if lines else ""
    return max(DELIMITERS, key=first.count)  # a tie keeps the comma


def _lines(text: str) -> Iterator[str]:
    """Yield the text's lines, refusing one of more than MAX_LINE_CHARS letters before the
    csv module splits it (a line of five million commas was a row of five million cells)."""
    start, number = 0, 0
    while start < len(text):
        end, number = _line_end(text, start), number + 1
        if end - start > limits.MAX_LINE_CHARS:
            raise UnreadableFile("line_too_long", row=number, most=limits.MAX_LINE_CHARS)
        yield text[start:end]
        start = end


def _line_end(text: str, start: int) -> int:
    """Return where the line starting at `start` ends, after its newline."""
    end = text.find("\n", start)
    return len(text) if end < 0 else end + 1
