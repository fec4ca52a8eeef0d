"""Import tasks from a table `code,title,deadline,assignees,directive,description`.

`code` is optional; when given it identifies the task (case aside), so a second import of
the same file changes nothing, and an edited row updates its task. A row without a code is
the same task as one with the same title, deadline and directive (when the row gives its
deadline in working days: the open one not yet due, whose deadline it keeps). A closed or
cancelled task is changed no more (as in chat). Good rows are applied, bad ones rejected
with their row number and a reason code (`db.imports.task_checks`, which reads and checks
the rows; this module writes them).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from core.calendar import WorkingCalendar
from core.directives import parse_directive_line
from core.spreadsheet.report import ImportReport, Rejection
from core.spreadsheet.table import Table
from core.states import TaskStatus
from core.textnorm import fold
from db.imports.task_checks import Seen, TaskRow, check_rows
from db.models import Task
from db.queries.audit import record
from db.queries.directives import ensure_directive
from db.queries.task_deadlines import change_deadline
from db.queries.taskadmin import add_assignees, audit_created, remove_assignees
from db.queries.tasks import NewTask, create_tasks

# New tasks created together: on PostgreSQL each statement is a round trip to the server,
# which under load waits for a core (an import of 5,000 rows took 15 minutes beside 100
# replies). The bot's apply on SQLite keeps a row a slice (`app.jobs.WRITE_SLICE_S`).
BATCH = 50


def import_tasks(
    session: Session,
    table: Table,
    *,
    actor_id: int | None,
    now: datetime,
    tz: ZoneInfo,
    calendar: WorkingCalendar | None = None,
    actor_label: str = "",
    checkpoint: Callable[[int, int], bool | None] | None = None,
) -> ImportReport:
    """Apply the good rows of a tasks table and report every row.

    `checkpoint`, when given, is called after each row applied (after each BATCH of new
    tasks, created together, but on SQLite), with how many of the good
    rows are applied and how many there are (the bot may commit there
    and pause): on SQLite one long write transaction would make everyone else's writes wait
    for the whole file; rows are independent, each applied or not. When it returns False
    (the bot is stopping) the import stops there, saying how far it got (`interrupted`):
    applying the file again finds the rows saved (by code, else title, deadline and
    directive) and leaves them unchanged.
    """
    seen, rows, report = check_rows(session, table, now=now, tz=tz, calendar=calendar)
    fresh = Fresh(seen, tz, (actor_id, actor_label), report, now)
    # On SQLite a checkpoint's slice stays a row: the write lock is held no longer.
    sliced = checkpoint is not None and session.get_bind().dialect.name == "sqlite"
    batch = 1 if sliced else BATCH
    for done, row in enumerate(rows, 1):
        if done % BATCH == 1:
            seen.ahead(rows[done - 1 : done - 1 + BATCH])
        kept = _apply(seen, row, fresh)
        if kept and len(fresh.rows) < batch and done < len(rows):
            continue  # its new task is written with the batch's, checkpointed then
        fresh.write()
        if checkpoint is not None and checkpoint(done, len(rows)) is False and done < len(rows):
            report.interrupted = (done, len(rows))
            break
    report.rejected.sort(key=lambda r: r.row)
    return report


class Fresh:
    """The rows of new tasks waiting to be created together (`create_tasks`): a few
    statements for BATCH tasks rather than five round trips each."""

    def __init__(
        self,
        seen: Seen,
        tz: ZoneInfo,
        actor: tuple[int | None, str],
        report: ImportReport,
        now: datetime,
    ) -> None:
        self.seen, self.tz, self.actor, self.report, self.now = seen, tz, actor, report, now
        self.rows: list[tuple[TaskRow, int | None]] = []
        self.titles: set[str] = set()

    def add(self, row: TaskRow, directive_id: int | None) -> None:
        """Keep a row whose task is new, to be created with the batch."""
        self.rows.append((row, directive_id))
        self.titles.add(fold(row.title))

    def write(self) -> None:
        """Create the batch's tasks and their assignments, audited, in the rows' order."""
        if not self.rows:
            return
        actor_id, actor_label = self.actor
        session = self.seen.session
        new = [
            NewTask(
                row.title,
                row.deadline,
                row.unit_ids,
                directive_id,
                row.description,
                row.code,
                actor_id,
            )
            for row, directive_id in self.rows
        ]
        tasks = create_tasks(session, new, tz=self.tz, now=self.now, calendar=self.seen.calendar)
        for task, (row, _) in zip(tasks, self.rows, strict=True):
            audit_created(
                session, task=task, unit_ids=row.unit_ids, actor_id=actor_id, label=actor_label
            )
            self.report.added.append(_label(task))
        session.flush()
        self.rows, self.titles = [], set()


def _apply(seen: Seen, row: TaskRow, fresh: Fresh) -> bool:
    """Keep the row's task to create with the batch (made at the import's `now`), or bring
    the existing one in line with the row; tell whether it was kept for the batch."""
    actor_id, actor_label = fresh.actor
    session = seen.session
    directive_id = None
    if row.directive:
        draft = parse_directive_line(row.directive)
        assert not isinstance(draft, str)
        number = fold(draft.number)
        if number not in seen.directives:  # found or made once an import, not once a row
            directive = ensure_directive(
                session, draft=draft, actor_id=actor_id, actor_label=actor_label
            )
            assert directive.id is not None
            seen.directives[number] = directive.id
        directive_id = seen.directives[number]
    if not row.code and fold(row.title) in fresh.titles:
        fresh.write()  # the row may be about a task of the batch: found once written
    existing = existing_task(seen, row, directive_id)
    if existing is not None and row.counted_from is not None:
        # "5 ngày làm việc" counted from the day the task was made: the same file sent
        # again another day is about the same task and the same deadline.
        row.deadline = existing.deadline
    report = fresh.report
    if existing is not None and existing.status != TaskStatus.OPEN:
        # Closed or cancelled: as in chat, it is changed no more. The same file sent again
        # ("rows imported already are not imported twice") leaves it as it is, unsaid.
        if differs(seen, existing, row, directive_id):
            value = f"{_label(existing)} ({row.title[:60]})"
            report.rejected.append(Rejection(row.number, "task_ended", _p(row, value)))
        else:
            report.unchanged.append(_label(existing))
        return False
    if existing is None:
        fresh.add(row, directive_id)
        return True
    if _update(seen, existing, row, directive_id, fresh.tz, (actor_id, fresh.now)):
        report.updated.append(_label(existing))
    else:
        report.unchanged.append(_label(existing))
    return False


def existing_task(seen: Seen, row: TaskRow, directive_id: int | None) -> Task | None:
    """Return the task this row is about: by code, else by title, deadline and directive."""
    if row.code:
        return seen.task_by_code(row.code)
    query = select(Task).where(
        Task.title_folded == fold(row.title), Task.directive_id == directive_id
    )
    if row.counted_from is None:
        query = query.where(Task.deadline == row.deadline)
    else:  # in working days: the open task not yet due, whatever its date (a week's report
        # of the same title, imported again the next week, is a new task)
        query = query.where(Task.status == TaskStatus.OPEN, col(Task.deadline) >= row.counted_from)
    return seen.session.exec(query.order_by(col(Task.id).desc())).first()


def differs(seen: Seen, task: Task, row: TaskRow, directive_id: int | None) -> bool:
    """Tell whether applying the row would change the task (what _update would do)."""
    assert task.id is not None
    fields = {"title": row.title, "description": row.description, "directive_id": directive_id}
    if any(getattr(task, k) != v for k, v in fields.items()) or task.deadline != row.deadline:
        return True
    return set(seen.units_of(task.id)) != set(row.unit_ids)


def _p(row: TaskRow, value: str) -> dict[str, str]:
    """Return the parameters of a rejection of a checked row."""
    return {"code": row.code or "", "value": value}


def _update(
    seen: Seen,
    task: Task,
    row: TaskRow,
    directive_id: int | None,
    tz: ZoneInfo,
    actor: tuple[int | None, datetime],
) -> bool:
    """Bring a task in line with its row (audited); tell whether anything changed. The units
    it adds (or brings back) are assigned at the import's moment, as a new task's are."""
    assert task.id is not None
    session = seen.session
    actor_id, now = actor
    fields = {"title": row.title, "description": row.description, "directive_id": directive_id}
    changed = {k: v for k, v in fields.items() if getattr(task, k) != v}
    # The title it had: its units are told the new one (`app.import_notices`).
    was = {"title_from": task.title} if "title" in changed else {}
    for name, value in changed.items():
        setattr(task, name, value)
    if "title" in changed:
        task.title_folded = fold(row.title)
    if changed:
        session.add(task)
        record(
            session,
            actor_id=actor_id,
            action="task.updated",
            object_type="task",
            object_id=task.id,
            details={k: str(v) for k, v in changed.items()} | was,
        )
    moved = task.deadline != row.deadline
    if moved:
        change_deadline(session, task=task, deadline=row.deadline, tz=tz, actor_id=actor_id)
    current = set(seen.units_of(task.id))
    wanted = set(row.unit_ids)
    more, fewer = [u for u in row.unit_ids if u not in current], current - wanted
    # Each call reads the task's units again: skipped when it has nothing to do (a file
    # imported again changes nothing, and cost four statements a row).
    added = (
        add_assignees(session, task=task, unit_ids=more, tz=tz, actor_id=actor_id, now=now)
        if more
        else 0
    )
    removed = (
        remove_assignees(session, task=task, unit_ids=fewer, actor_id=actor_id) if fewer else 0
    )
    return bool(changed or moved or added or removed)


def _label(task: Task) -> str:
    """Return how the report names a task: its code, else its number."""
    return task.code or f"#{task.id}"
