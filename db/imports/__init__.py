"""Bulk imports from spreadsheets: one module per kind of file, one contract for all.

An importer takes a read table and applies its good rows in the caller's session; it never
commits (the caller does, so a crash applies nothing) and reports what it did row by row.
A table that lacks the importer's required columns raises UnreadableFile("missing_columns"),
one without a row under its header UnreadableFile("no_rows"),
one with formulas never computed in the columns it reads UnreadableFile("formulas_not_saved").
Each kind's preview says what its import would do by reading alone (`task_preview`,
`unit_preview`): running the import and rolling it back held SQLite's write lock, and took
minutes for 5,000 task rows on the country.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlmodel import Session

from core.spreadsheet.header import COLUMN_ORDER
from core.spreadsheet.report import ImportReport
from core.spreadsheet.table import Table
from core.spreadsheet_errors import UnreadableFile
from core.textnorm import fold


class Importer(Protocol):
    """The shape of every importer (units, tasks, ...)."""

    def __call__(
        self,
        session: Session,
        table: Table,
        *,
        actor_id: int | None,
        now: datetime,
        tz: ZoneInfo,
        actor_label: str = "",
        checkpoint: Callable[[int, int], bool | None] | None = None,
    ) -> ImportReport:
        """Apply the table's good rows and report every row."""
        ...


# The header cells a refusal for missing columns repeats, and what separates them in it.
HEADER_SHOWN = 12
CELL_SEPARATOR = "\t"


def require_columns(table: Table, required: frozenset[str]) -> None:
    """Refuse a table that lacks a required column (nothing is applied), naming the columns
    it lacks and the header it was read with: another name for a column, or a file of the
    other kind (a tasks file given to the units import), shows there."""
    missing = missing_columns(table, required)
    if missing:
        found = [cell for cell in table.header if cell][:HEADER_SHOWN]
        raise UnreadableFile(
            "missing_columns",
            columns=CELL_SEPARATOR.join(missing),
            found=CELL_SEPARATOR.join(found),
            sheet=table.sheet,
            others=CELL_SEPARATOR.join(table.other_sheets),
        )


def require_rows(table: Table) -> None:
    """Refuse a table with no row under its header (its hidden rows aside): an empty
    template, or a workbook opening on a sheet that is not the list. It was reported as
    "added 0, updated 0, unchanged 0, rejected 0", which said neither why nor which sheet."""
    if not table.rows and not table.hidden:
        raise UnreadableFile(
            "no_rows", sheet=table.sheet, others=CELL_SEPARATOR.join(table.other_sheets)
        )


NAMED_CELLS = 10  # the formula cells a refusal names; the others are counted


def refuse_unsaved_formulas(table: Table, columns: Iterable[str]) -> None:
    """Refuse a table whose cells in these columns hold a formula with no saved value.

    Such a file was written by a program and never opened in Excel: those cells read as
    empty, so a row would be imported without that field, or refused for the wrong reason.
    Nothing is applied; the admin is told which cells, and to open and save the file.
    """
    read = set(columns)
    cells = [name for _, column, name in table.unsaved if column in read]
    if cells:
        named = ", ".join(cells[:NAMED_CELLS])
        more = max(0, len(cells) - NAMED_CELLS)
        raise UnreadableFile("formulas_not_saved", cells=named, more=more)


# Columns a report does not name as not read: a row's number, which every official table
# has, and the agencies that assist (phối hợp), left out on purpose: they are no assignees,
# and renaming their column as the report advises would make them so.
UNREAD_ON_PURPOSE = frozenset(
    {"stt", "tt", "so tt", "so thu tu", "no", "no.", "#"}
    | {"co quan phoi hop", "don vi phoi hop", "co quan, don vi phoi hop", "phoi hop"}
)


def ignored_columns(table: Table, read: Iterable[str]) -> list[str]:
    """Return the header's named columns the import does not read (those unread on purpose
    aside)."""
    wanted = set(read)
    return [
        cell
        for cell in table.header
        if cell and cell not in wanted and fold(cell) not in UNREAD_ON_PURPOSE
    ]


def missing_columns(table: Table, required: frozenset[str]) -> list[str]:
    """Return the required columns the table lacks, in the contracts' order."""
    lacking = required - set(table.header)
    return [c for c in COLUMN_ORDER if c in lacking] + sorted(lacking - set(COLUMN_ORDER))
