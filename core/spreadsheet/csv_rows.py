"""A CSV file's rows: UTF-8 or UTF-16 with its BOM, comma, semicolon or tab separated, no
line longer than MAX_LINE_CHARS."""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator

from core.spreadsheet import limits
from core.spreadsheet_errors import UnreadableFile


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
            raise UnreadableFile("bad_encoding") from None
    if "\x00" in text:  # PostgreSQL stores no NUL; a binary file read as UTF-16 has some
        raise UnreadableFile("not_a_table")
    first_line = text[: min(_line_end(text, 0), limits.MAX_LINE_CHARS)]
    delimiter = max((",", ";", "\t"), key=first_line.count)  # a tie keeps the comma
    reader = csv.reader(_lines(text), delimiter=delimiter)
    try:
        yield from reader
    except csv.Error as error:  # a quoted field over several lines, past csv's own bound
        if "field limit" in str(error):
            raise UnreadableFile(
                "line_too_long", row=reader.line_num, most=limits.MAX_LINE_CHARS
            ) from None
        raise UnreadableFile("not_a_table") from None


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
