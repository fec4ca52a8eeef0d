"""Import tasks from a table `code,title,deadline,assignees,directive,description`.

`code` is optional; when given it identifies the task (case aside), so a second import of
the same file changes nothing, and an edited row updates its task. A row without a code is
the same task as one with the same title, deadline and directive (when the row gives its
deadline in working days: the open one not yet due, whose deadline it keeps). A closed or
cancelled task is changed no more (as in chat). Good rows are applied, bad ones rejected
with their row number and a reason code (see REASONS).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, func, select

from core.assignees import Resolution
from core.calendar import WorkingCalendar
from core.deadlines import DeadlineError, DeadlineErrorCode, counts_from_today, parse_deadline
from core.directives import parse_directive_line
from core.spreadsheet.dates import serial_date
from core.spreadsheet.report import ImportReport, Rejection
from core.spreadsheet.table import Table
from core.states import TaskStatus
from core.taskdraft import MAX_DESCRIPTION, MAX_TITLE
from core.textnorm import fold
from db.imports import refuse_unsaved_formulas, require_columns
from db.models import Task
from db.queries.assignees import Items, resolve_assignees
from db.queries.audit import record
from db.queries.calendar import working_calendar
from db.queries.directives import ensure_directive
from db.queries.taskadmin import add_assignees, audit_created, change_deadline, remove_assignees
from db.queries.tasks import active_unit_ids, create_task

HEADER = ("code", "title", "deadline", "assignees", "directive", "description")
REQUIRED = frozenset({"title", "deadline", "assignees"})
REASONS = (
    "empty_title",
    "title_too_long",
    "empty_deadline",
    "bad_deadline",
    "deadline_in_past",
    "empty_assignees",
    "unknown_assignee",
    "inactive_assignee",
    "ambiguous_assignee",
    "no_units",
    "bad_directive",
    "duplicate_code",
    "description_too_long",
    "task_ended",
)
MAX_CODE = 80
_UNMATCHED_REASON = {
    "unknown": "unknown_assignee",
    "inactive": "inactive_assignee",
    "ambiguous": "ambiguous_assignee",
    "empty": "no_units",
}


class Seen:
    """What one import reads once instead of once a row: how each distinct assignees cell
    resolves (units do not change while the rows are checked), and the tasks' codes.

    A 5,000-row file resolved the same "các phường" thousands of times, and looked each
    code up twice (as written, then in any case) before creating its task.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self.resolved: dict[str, Resolution] = {}
        self.items: Items = {}  # each item of the cells ("X01", "các phường"), resolved once
        self._codes: dict[str, int] | None = None
        self._lowered: set[str] = set()

    def resolve(self, spec: str) -> Resolution:
        """Return how the assignees cell resolves, resolved once per import."""
        if spec not in self.resolved:
            self.resolved[spec] = resolve_assignees(self.session, spec, items=self.items)
        return self.resolved[spec]

    def task_by_code(self, code: str) -> Task | None:
        """Return the task of an import code as `task_by_code` does, without a query for a
        code no task has in any case (rows checked are applied later: codes read first)."""
        if self._codes is None:
            query = select(Task.code, Task.id).where(col(Task.code).is_not(None))
            self._codes = {c: i for c, i in self.session.exec(query) if c and i is not None}
            self._lowered = {c.lower() for c in self._codes}
        if code in self._codes:
            return self.session.get(Task, self._codes[code])
        if code.lower() not in self._lowered:
            # SQL's lower() folds no more than Python's: no match here, none there.
            return None
        return task_by_code(self.session, code)


@dataclass
class TaskRow:
    """A row that passed every check, ready to apply."""

    number: int
    code: str | None
    title: str
    deadline: date
    unit_ids: list[int]
    directive: str
    description: str
    counted_from: date | None = None  # the day a deadline in working days counts from


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

    `checkpoint`, when given, is called after each row applied, with how many of the good
    rows are applied and how many there are (the bot may commit there
    and pause): on SQLite one long write transaction would make everyone else's writes wait
    for the whole file; rows are independent, each applied or not. When it returns False
    (the bot is stopping) the import stops there, saying how far it got (`interrupted`):
    applying the file again finds the rows saved (by code, else title, deadline and
    directive) and leaves them unchanged.
    """
    seen, rows, report = check_rows(session, table, now=now, tz=tz, calendar=calendar)
    for done, row in enumerate(rows, 1):
        _apply(seen, row, tz, (actor_id, actor_label), report, now)
        if checkpoint is not None and checkpoint(done, len(rows)) is False and done < len(rows):
            report.interrupted = (done, len(rows))
            break
    report.rejected.sort(key=lambda r: r.row)
    return report


def check_rows(
    session: Session,
    table: Table,
    *,
    now: datetime,
    tz: ZoneInfo,
    calendar: WorkingCalendar | None = None,
) -> tuple[Seen, list[TaskRow], ImportReport]:
    """Check every row (nothing written): the rows to apply, and a report of the rejected."""
    require_columns(table, REQUIRED)
    refuse_unsaved_formulas(table, HEADER)
    report = ImportReport()
    calendar = calendar or working_calendar(session)
    today = now.astimezone(tz).date()
    rows: list[TaskRow] = []
    seen = Seen(session)
    for number, cells in table.rows:
        checked = _check(seen, number, cells, today, calendar)
        if isinstance(checked, TaskRow):
            rows.append(checked)
        else:
            params = {"code": cells.get("code", "").strip(), "value": checked[1]}
            report.rejected.append(Rejection(number, checked[0], params))
    return seen, _drop_duplicate_codes(rows, report), report


def _check(
    seen: Seen,
    number: int,
    cells: dict[str, str],
    today: date,
    calendar: WorkingCalendar,
) -> TaskRow | tuple[str, str]:
    """Return the row ready to apply, or why it is rejected (reason code, value)."""
    title = " ".join(cells.get("title", "").split())
    code = cells.get("code", "").strip() or None
    if not title:
        return "empty_title", ""
    if len(title) > MAX_TITLE or (code is not None and len(code) > MAX_CODE):
        return "title_too_long", title[:60]
    description = cells.get("description", "").strip()
    if len(description) > MAX_DESCRIPTION:  # what /newtask takes: a card fits one message
        return "description_too_long", ""
    deadline = _deadline(seen, cells.get("deadline", ""), code, title, today, calendar)
    if isinstance(deadline, str):
        return deadline, cells.get("deadline", "")
    directive = cells.get("directive", "").strip()
    if directive and isinstance(parse_directive_line(directive), str):
        return "bad_directive", directive
    spec = cells.get("assignees", "").strip()
    if not spec:
        return "empty_assignees", ""
    resolution = seen.resolve(spec)
    if resolution.unmatched:
        first = resolution.unmatched[0]
        return _UNMATCHED_REASON[first.reason], first.text
    counted_from = today if counts_from_today(cells.get("deadline", "")) else None
    units = list(resolution.unit_ids)  # its own list: the resolution serves other rows
    return TaskRow(number, code, title, deadline, units, directive, description, counted_from)


def _deadline(
    seen: Seen, text: str, code: str | None, title: str, today: date, cal: WorkingCalendar
) -> date | str:
    """Return the row's deadline, or a reason code; a past deadline is fine for a task
    that already has it (the same file imported again after its deadline)."""
    if not text.strip():
        return "empty_deadline"
    text = serial_date(text) or text  # a date cell saved as a number: "46387"
    parsed = parse_deadline(text, today=today, calendar=cal)
    if not isinstance(parsed, DeadlineError):
        return parsed.date
    if parsed.code != DeadlineErrorCode.IN_PAST or parsed.date is None:
        return "bad_deadline"
    rolled, _ = cal.roll_forward(parsed.date)
    if code:
        existing = seen.task_by_code(code)
    else:
        same = select(Task).where(Task.title_folded == fold(title), Task.deadline == rolled)
        existing = seen.session.exec(same).first()
    return rolled if existing is not None and existing.deadline == rolled else "deadline_in_past"


def _drop_duplicate_codes(rows: list[TaskRow], report: ImportReport) -> list[TaskRow]:
    """Reject every row whose code appears more than once: which one is right is unknown."""
    numbers: dict[str, list[int]] = {}
    for row in rows:
        if row.code:
            numbers.setdefault(fold(row.code), []).append(row.number)
    kept = []
    for row in rows:
        seen = numbers.get(fold(row.code), []) if row.code else []
        if len(seen) > 1:
            value = ", ".join(str(n) for n in seen)
            report.rejected.append(
                Rejection(row.number, "duplicate_code", {"code": row.code or "", "value": value})
            )
        else:
            kept.append(row)
    return kept


def _apply(
    seen: Seen,
    row: TaskRow,
    tz: ZoneInfo,
    actor: tuple[int | None, str],
    report: ImportReport,
    now: datetime,
) -> None:
    """Create the row's task (its assignments made at `now`), or bring the existing one in
    line with the row."""
    actor_id, actor_label = actor
    session = seen.session
    directive_id = None
    if row.directive:
        draft = parse_directive_line(row.directive)
        assert not isinstance(draft, str)
        directive = ensure_directive(
            session, draft=draft, actor_id=actor_id, actor_label=actor_label
        )
        directive_id = directive.id
    existing = existing_task(seen, row, directive_id)
    if existing is not None and row.counted_from is not None:
        # "5 ngày làm việc" counted from the day the task was made: the same file sent
        # again another day is about the same task and the same deadline.
        row.deadline = existing.deadline
    if existing is not None and existing.status != TaskStatus.OPEN:
        # Closed or cancelled: as in chat, it is changed no more. The same file sent again
        # ("rows imported already are not imported twice") leaves it as it is, unsaid.
        if differs(session, existing, row, directive_id):
            value = f"{_label(existing)} ({row.title[:60]})"
            report.rejected.append(Rejection(row.number, "task_ended", _p(row, value)))
        else:
            report.unchanged.append(_label(existing))
        return
    if existing is None:
        task = create_task(
            session,
            title=row.title,
            deadline=row.deadline,
            unit_ids=row.unit_ids,
            tz=tz,
            directive_id=directive_id,
            description=row.description,
            code=row.code,
            created_by_id=actor_id,
            now=now,
        )
        audit_created(
            session, task=task, unit_ids=row.unit_ids, actor_id=actor_id, label=actor_label
        )
        report.added.append(_label(task))
    elif _update(session, existing, row, directive_id, tz, actor_id):
        report.updated.append(_label(existing))
    else:
        report.unchanged.append(_label(existing))


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


def task_by_code(session: Session, code: str) -> Task | None:
    """Return the task of an import code: as written, else with another case ("t12" is
    "T12", as two rows of one file are); a file retyped in lower case added a second task."""
    found = session.exec(select(Task).where(Task.code == code)).first()
    if found is not None:
        return found
    query = select(Task).where(func.lower(Task.code) == code.lower()).order_by(col(Task.id))
    return session.exec(query).first()


def differs(session: Session, task: Task, row: TaskRow, directive_id: int | None) -> bool:
    """Tell whether applying the row would change the task (what _update would do)."""
    assert task.id is not None
    fields = {"title": row.title, "description": row.description, "directive_id": directive_id}
    if any(getattr(task, k) != v for k, v in fields.items()) or task.deadline != row.deadline:
        return True
    return set(active_unit_ids(session, task_id=task.id)) != set(row.unit_ids)


def _p(row: TaskRow, value: str) -> dict[str, str]:
    """Return the parameters of a rejection of a checked row."""
    return {"code": row.code or "", "value": value}


def _update(
    session: Session,
    task: Task,
    row: TaskRow,
    directive_id: int | None,
    tz: ZoneInfo,
    actor_id: int | None,
) -> bool:
    """Bring a task in line with its row (audited); tell whether anything changed."""
    assert task.id is not None
    fields = {"title": row.title, "description": row.description, "directive_id": directive_id}
    changed = {k: v for k, v in fields.items() if getattr(task, k) != v}
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
            details={k: str(v) for k, v in changed.items()},
        )
    moved = task.deadline != row.deadline
    if moved:
        change_deadline(session, task=task, deadline=row.deadline, tz=tz, actor_id=actor_id)
    current = set(active_unit_ids(session, task_id=task.id))
    wanted = set(row.unit_ids)
    more, fewer = [u for u in row.unit_ids if u not in current], current - wanted
    # Each call reads the task's units again: skipped when it has nothing to do (a file
    # imported again changes nothing, and cost four statements a row).
    added = (
        add_assignees(session, task=task, unit_ids=more, tz=tz, actor_id=actor_id) if more else 0
    )
    removed = (
        remove_assignees(session, task=task, unit_ids=fewer, actor_id=actor_id) if fewer else 0
    )
    return bool(changed or moved or added or removed)


def _label(task: Task) -> str:
    """Return how the report names a task: its code, else its number."""
    return task.code or f"#{task.id}"
