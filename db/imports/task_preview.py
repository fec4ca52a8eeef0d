"""What a tasks file would do, judged by reading alone (`import_tasks`'s preview).

The preview used to run the import and roll it back (`dry_run`, since removed): every new row
created its task, assignments and audit entry, for nothing, and in slices that held
SQLite's write lock half the time, so everyone's writes waited behind a niced process. On
the country's database a 5,000-row file's preview took 112 s, as long as applying it. Here
each checked row is compared with the task it is about, as `_apply` would find it: no
statement but reads. As in the sliced dry run, each row is judged against the database as
it is, not with the file's earlier rows applied.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from core.calendar import WorkingCalendar
from core.directives import parse_directive_line
from core.spreadsheet.report import ImportReport, Rejection
from core.spreadsheet.table import Table
from core.states import TaskStatus
from db.imports.task_checks import Seen, TaskRow, check_rows
from db.imports.tasks import BATCH, differs, existing_task
from db.queries.directives import find_directive


def preview_tasks(
    session: Session,
    table: Table,
    *,
    now: datetime,
    tz: ZoneInfo,
    calendar: WorkingCalendar | None = None,
    checkpoint: Callable[[], bool | None] | None = None,
) -> ImportReport:
    """Report what `import_tasks` would do with the table now, writing nothing.

    `checkpoint`, when given, is called after each row judged (the caller may end its read
    transaction there)."""
    seen, rows, report = check_rows(session, table, now=now, tz=tz, calendar=calendar)
    for index, row in enumerate(rows):
        if index % BATCH == 0:
            seen.ahead(rows[index : index + BATCH])
        _judge(seen, row, report)
        if checkpoint is not None:
            checkpoint()
    report.rejected.sort(key=lambda r: r.row)
    return report


def _judge(seen: Seen, row: TaskRow, report: ImportReport) -> None:
    """Put the row in the report where applying it would (added, updated, unchanged or
    rejected as a task that has ended)."""
    directive_id, new_directive = None, False
    if row.directive:
        draft = parse_directive_line(row.directive)
        assert not isinstance(draft, str)
        directive = find_directive(seen.session, number=draft.number)
        new_directive = directive is None
        directive_id = directive.id if directive is not None else None
    # No task has a directive the import would create: only a code finds one.
    existing = None if new_directive and not row.code else existing_task(seen, row, directive_id)
    if existing is None:
        report.added.append(row.code or f"row {row.number}")
        return
    label = existing.code or f"#{existing.id}"
    if row.counted_from is not None:  # as _apply: the deadline the task was given
        row = replace(row, deadline=existing.deadline)
    if not new_directive and not differs(seen, existing, row, directive_id):
        report.unchanged.append(label)
    elif existing.status != TaskStatus.OPEN:
        value = f"{label} ({row.title[:60]})"
        params = {"code": row.code or "", "value": value}
        report.rejected.append(Rejection(row.number, "task_ended", params))
    else:
        report.updated.append(label)
