"""Bulk imports from spreadsheets: one module per kind of file, one contract for all.

An importer takes a read table and applies its good rows in the caller's session; it never
commits (the caller does, so a crash applies nothing) and reports what it did row by row.
A table that lacks the importer's required columns raises UnreadableFile("missing_columns"),
one with formulas never computed in the columns it reads UnreadableFile("formulas_not_saved").
`dry_run` runs one in a transaction it rolls back: what the import would do, writing nothing.
A tasks file is previewed by reading alone instead (`task_preview.preview_tasks`): its rows
are independent, and the import and rollback of 5,000 of them took minutes on the country.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.spreadsheet import ImportReport, Table, UnreadableFile


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
        checkpoint: Callable[[], None] | None = None,
    ) -> ImportReport:
        """Apply the table's good rows and report every row."""
        ...


def dry_run(
    engine: Engine,
    importer: Importer,
    table: Table,
    *,
    actor_id: int | None,
    now: datetime,
    tz: ZoneInfo,
    slice_s: float | None = None,
) -> ImportReport:
    """Report what importing the table would do now; its transaction is rolled back.

    With `slice_s`, rolled back every `slice_s` of writing, pausing as long, as the import
    itself commits (app.jobs): in one transaction a file's rows held SQLite's write lock
    for the whole preview, and everyone's writes waited out their busy timeout. Each row is
    then judged against the database as it is, not with the file's earlier rows applied:
    only two rows of one file about the same task without a code would be counted twice.
    """
    with Session(engine, expire_on_commit=False) as session:
        started = time.monotonic()

        def checkpoint() -> None:
            nonlocal started
            held = time.monotonic() - started
            if slice_s is None or held < slice_s:
                return
            session.rollback()
            time.sleep(held)
            started = time.monotonic()

        try:
            return importer(
                session, table, actor_id=actor_id, now=now, tz=tz, checkpoint=checkpoint
            )
        finally:
            session.rollback()


def require_columns(table: Table, required: frozenset[str]) -> None:
    """Refuse a table that lacks a required column (nothing is applied)."""
    if not required <= set(table.header):
        raise UnreadableFile("missing_columns")


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


def missing_columns(table: Table, required: frozenset[str]) -> list[str]:
    """Return the required columns the table lacks, in a stable order."""
    return sorted(required - set(table.header))
