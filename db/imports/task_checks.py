"""A tasks file's rows read and checked, nothing written: `check_rows`, the import's and its
preview's (`db.imports.tasks`, `db.imports.task_preview`).

The columns are `code,title,deadline,assignees,directive,description`; a bad row is
rejected with its row number and a reason code (see REASONS), a good one becomes a
`TaskRow`. What one import reads once rather than once a row is its `Seen`.
"""

from __future__ import annotations

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
from core.taskdraft import MAX_DESCRIPTION, MAX_TITLE
from core.textnorm import fold
from db.imports import (
    ignored_columns,
    refuse_unsaved_formulas,
    require_columns,
    require_rows,
)
from db.models import Assignment, Task
from db.queries.assignees import Items, resolve_assignees
from db.queries.calendar import working_calendar
from db.queries.tasks import active_unit_ids

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
    resolves (units do not change while the rows are checked), the tasks' codes and the
    working calendar.

    A 5,000-row file resolved the same "các phường" thousands of times, and looked each
    code up twice (as written, then in any case) before creating its task.
    """

    def __init__(self, session: Session, calendar: WorkingCalendar) -> None:
        self.session = session
        self.calendar = calendar  # the province's, read once: each new task's due time
        self.resolved: dict[str, Resolution] = {}
        self.items = Items()  # each item of the cells ("X01", "các phường"), resolved once
        self._codes: dict[str, int] | None = None
        self._lowered: set[str] = set()
        self._units: dict[int, list[int]] = {}  # a coded task's units, read ahead (`ahead`)
        self._tasks: dict[int, Task] = {}  # and the tasks (the session keeps them weakly)
        self.directives: dict[str, int] = {}  # each directive's id by its folded number

    def ahead(self, rows: list[TaskRow]) -> None:
        """Read in two statements the tasks these rows name by code and their units, for
        the rows about to be applied: a file imported again read a task and its units a row,
        two round trips each on PostgreSQL. Read just before, as each row read them."""
        codes = self._known_codes()
        ids = [codes[row.code] for row in rows if row.code and row.code in codes]
        self._units = {}
        if not ids:
            return
        tasks = self.session.exec(select(Task).where(col(Task.id).in_(ids)))
        self._tasks = {task.id: task for task in tasks if task.id is not None}
        query = (
            select(Assignment.task_id, Assignment.unit_id)
            .where(col(Assignment.task_id).in_(ids), col(Assignment.active).is_(True))
            .order_by(col(Assignment.id))
        )
        self._units = {task_id: [] for task_id in ids}
        for task_id, unit_id in self.session.exec(query):
            self._units[task_id].append(unit_id)

    def units_of(self, task_id: int) -> list[int]:
        """Return the units on a task as `active_unit_ids` does: read ahead once, else now."""
        ahead = self._units.pop(task_id, None)
        return ahead if ahead is not None else active_unit_ids(self.session, task_id=task_id)

    def _known_codes(self) -> dict[str, int]:
        """Return the tasks' codes, read once."""
        if self._codes is None:
            query = select(Task.code, Task.id).where(col(Task.code).is_not(None))
            self._codes = {c: i for c, i in self.session.exec(query) if c and i is not None}
            self._lowered = {c.lower() for c in self._codes}
        return self._codes

    def resolve(self, spec: str) -> Resolution:
        """Return how the assignees cell resolves, resolved once per import."""
        if spec not in self.resolved:
            self.resolved[spec] = resolve_assignees(self.session, spec, items=self.items)
        return self.resolved[spec]

    def task_by_code(self, code: str) -> Task | None:
        """Return the task of an import code as `task_by_code` does, without a query for a
        code no task has in any case (rows checked are applied later: codes read first)."""
        codes = self._known_codes()
        if code in codes:
            ahead = self._tasks.get(codes[code])
            return ahead if ahead is not None else self.session.get(Task, codes[code])
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
    require_rows(table)
    refuse_unsaved_formulas(table, HEADER)
    report = ImportReport(
        ignored=ignored_columns(table, HEADER),
        hidden=list(table.hidden),
        hidden_columns=list(table.hidden_columns),
    )
    calendar = calendar or working_calendar(session)
    today = now.astimezone(tz).date()
    rows: list[TaskRow] = []
    seen = Seen(session, calendar)
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
    if isinstance(deadline, str):  # a day count is named as the date it is: "09/12/2025"
        written = cells.get("deadline", "")
        if deadline == "empty_deadline":  # named by its title: most rows have no code
            return deadline, title[:60]
        return deadline, serial_date(written) or written
    directive = cells.get("directive", "").strip()
    if directive and isinstance(parse_directive_line(directive), str):
        return "bad_directive", directive
    spec = cells.get("assignees", "").strip()
    if not spec:
        return "empty_assignees", title[:60]
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


def task_by_code(session: Session, code: str) -> Task | None:
    """Return the task of an import code: as written, else with another case ("t12" is
    "T12", as two rows of one file are); a file retyped in lower case added a second task."""
    found = session.exec(select(Task).where(Task.code == code)).first()
    if found is not None:
        return found
    query = select(Task).where(func.lower(Task.code) == code.lower()).order_by(col(Task.id))
    return session.exec(query).first()
