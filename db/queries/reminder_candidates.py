"""What the reminder sweep may remind: the assignments due a look, and what moved since.

The open, active, undone assignments in chunks by id (or a unit's, or a task's), the working
calendar, and the high marks (assignments, audit entries) a run reads from: a deadline moved
in the audit log since the last run is a task to sweep again. Who is told is
`db/queries/reminder_recipients.py`; what was recorded, `db/queries/reminder_records.py`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func
from sqlalchemy import select as columns
from sqlmodel import Session, col, select

from core.calendar import WorkingCalendar
from core.states import TaskStatus
from db.models import Assignment, AuditLog, Task, Unit
from db.queries.calendar import working_calendar
from db.queries.task_notices import UNTOLD


@dataclass(frozen=True, slots=True)
class Candidate:
    """An assignment that may be reminded: open task, active, not done."""

    assignment_id: int
    task_id: int
    unit_id: int
    deadline: date
    created_at: datetime
    days_before: str | None
    overdue_every_days: int | None
    escalate_after: int | None
    last_report_at: datetime | None
    state: str = "none"  # what the unit last reported: none|in_progress|blocked
    percent: int | None = None


def calendar_of(session: Session) -> WorkingCalendar:
    """Return the working calendar with the province's overrides."""
    return working_calendar(session)


def max_assignment_id(session: Session) -> int:
    """Return the highest assignment id so far (0 when none)."""
    return int(session.exec(select(func.max(Assignment.id))).one() or 0)


# What moves a deadline: `/deadline` and a day off (a task's), an extension or a day off
# moving one unit's (an assignment's); db.queries.taskadmin audits each.
DEADLINE_MOVES = ("task.deadline_changed", "assignment.deadline_changed")
# Units put on a task (`/assign`): one taken off and brought back keeps its assignment (and
# its id, which a later run by id does not read again) and starts afresh, so its task is
# planned again as a moved one is.
UNITS_ADDED = "task.assignees_added"


def max_audit_id(session: Session) -> int:
    """Return the highest audit entry id so far (0 when none)."""
    return int(session.exec(select(func.max(AuditLog.id))).one() or 0)


def tasks_moved(session: Session, *, after: int, upto: int) -> list[int]:
    """Return the tasks a deadline of which moved in the audit entries (after, upto], by id,
    or whose notice of a moved deadline was given up on (`UNTOLD`: its reader is reminded),
    or which units were put on (`UNITS_ADDED`: one brought back starts afresh)."""
    entries = session.exec(
        select(AuditLog.object_type, AuditLog.object_id).where(
            col(AuditLog.id) > after,
            col(AuditLog.id) <= upto,
            col(AuditLog.action).in_((*DEADLINE_MOVES, UNTOLD, UNITS_ADDED)),
        )
    ).all()
    tasks = {int(i) for kind, i in entries if kind == "task" and i.isdigit()}
    assignments = {int(i) for kind, i in entries if kind == "assignment" and i.isdigit()}
    if assignments:
        found = select(Assignment.task_id).where(col(Assignment.id).in_(assignments))
        tasks |= set(session.exec(found))
    return sorted(tasks)


def candidates(
    session: Session,
    *,
    after_id: int,
    limit: int | None,
    task_id: int | None = None,
    unit_ids: Sequence[int] | None = None,
) -> list[Candidate]:
    """Return the next `limit` (or all) remindable assignments with ids above `after_id`, by id.

    Plain columns, not entities: a country's first sweep reads hundreds of thousands.
    With `unit_ids`, only those units' (read by the index on the assignment's unit).
    """
    query = (
        columns(
            col(Assignment.id),
            col(Assignment.task_id),
            col(Assignment.unit_id),
            col(Assignment.deadline),
            col(Assignment.created_at),
            col(Task.days_before),
            col(Task.overdue_every_days),
            col(Task.escalate_after),
            col(Assignment.last_report_at),
            col(Assignment.state),
            col(Assignment.percent),
        )
        # "+ 0" keeps the assignment's own indexes out of the joins: on a country's data
        # SQLite otherwise started from the units, read every open assignment and sorted
        # them, for each chunk; by id it reads just the chunk.
        .join(Task, col(Task.id) == col(Assignment.task_id) + 0)
        .join(Unit, col(Unit.id) == col(Assignment.unit_id) + 0)
        .where(
            col(Assignment.active).is_(True),
            col(Assignment.state) != "done",
            col(Task.status) == TaskStatus.OPEN,
            col(Unit.active).is_(True),
        )
        .order_by(col(Assignment.id))
        .limit(limit)
    )
    if task_id is not None:
        query = query.where(col(Assignment.task_id) == task_id)
    if unit_ids is not None:
        query = query.where(col(Assignment.unit_id).in_(unit_ids))
    if unit_ids is None or after_id:
        # Not for units from the start: with it, SQLite walked every assignment by id
        # (0.27 s for a hundred units of a country) instead of the units' index (0.04 s).
        query = query.where(col(Assignment.id) > after_id)
    return [Candidate(*row) for row in session.execute(query)]


def active_units(session: Session) -> list[int]:
    """Return the ids of the active units, in order."""
    query = select(Unit.id).where(col(Unit.active).is_(True)).order_by(col(Unit.id))
    return [u for u in session.exec(query) if u is not None]
