"""The one error of reading a spreadsheet: the file, not the code, is at fault."""

from __future__ import annotations


class UnreadableFile(Exception):  # noqa: N818  (a property of the input, not a code failure)
    """The file is not a CSV or XLSX table we can read; nothing is applied."""

    def __init__(self, code: str, **params: int | str) -> None:
        super().__init__(code)
        # "not_a_table" | "empty" | "too_many_rows" | "bad_encoding" | "too_big"
        # | "too_large_unpacked" | "missing_columns"
        # | "other_spreadsheet" (an Excel 97-2003 .xls or OpenDocument .ods, whatever its name)
        # | "password_protected" (a workbook encrypted with a password to open)
        # | "formulas_not_saved" (raised by an importer, see Table.unsaved)
        # | "legacy_font" (text typed in TCVN3 or VNI; "sample" a cell of it)
        # | "line_too_long" (a CSV line), and an XLSX part too large (core/workbook_bounds):
        # "shared_strings_too_large" | "too_many_strings" | "styles_too_large"
        # | "too_many_sheets" | "sheet_too_large" | "row_too_wide" | "row_too_long"
        # | "too_many_cells"
        self.code = code
        # "size" and "limit" are bytes (shown in MB), "most" a count (strings, sheets,
        # cells, a line's letters), "row" a row's number; for "formulas_not_saved"
        # the first cells ("B2, B3") and how many more there are
        self.params = params
