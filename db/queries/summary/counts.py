"""The counts of the official taxonomy: per task, per unit, per unit kind, per named group.

Every count is one aggregate query (SUM(CASE ...) ... GROUP BY), never a loop over rows, so
a summary stays interactive at a country's million assignments; the same SQL runs on SQLite
and PostgreSQL. With everything in scope a task's counts are the ones stored per task
(`db/queries/taskcounts.py`); any narrower scope counts the assignments here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, not_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from core.states import ReportState, TaskStatus
from core.status import Counts
from core.summary import TaskCounts
from db.models import Assignment, Directive, Task, Unit, UnitGroup, UnitGroupMember
from db.queries.calendar import working_calendar
from db.queries.scope import EVERY, Scope
from db.queries.summary.rows import _rows
from db.queries.taskcounts import stored_counts


def count_columns(now: datetime) -> list[ColumnElement[Any]]:
    """Return the aggregate columns of the taxonomy, in the order of `Counts`' fields."""
    done = col(Assignment.state) == ReportState.DONE
    due = col(Assignment.due_at) <= now
    return [
        _sum(and_(done, col(Assignment.done_at) < col(Assignment.due_at))),
        _sum(and_(done, col(Assignment.done_at) >= col(Assignment.due_at))),
        _sum(and_(not_(done), not_(due))),
        _sum(and_(not_(done), due)),
        _sum(and_(not_(done), col(Assignment.last_report_at).is_(None))),
        _sum(col(Assignment.state) == "blocked"),
    ]


def _sum(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    """Return SUM(CASE WHEN condition THEN 1 ELSE 0 END)."""
    return func.sum(case((condition, 1), else_=0))


def _counts(row: Sequence[Any]) -> Counts:
    """Build Counts from the aggregate columns of a result row (NULL sums are 0)."""
    return Counts(*(int(v or 0) for v in row))


def in_scope(scope: Scope) -> ColumnElement[bool]:
    """Return the condition that an assignment's unit is in scope (db.queries.scope's rule)."""
    return scope.covers(Assignment.unit_id)


def task_counts(
    session: Session,
    *,
    now: datetime,
    scope: Scope = EVERY,
    task_ids: Sequence[int] | None = None,
    directive_id: int | None = None,
    open_only: bool = True,
    stored: bool = True,
) -> list[TaskCounts]:
    """Return the tasks with their counts (tasks with nothing in scope are left out).

    With everything in scope the counts are the ones stored per task (`task_count`, kept
    by triggers); a narrower scope, or `stored=False`, counts the assignments.
    """
    tasks = select(Task.id)
    if open_only:
        tasks = tasks.where(Task.status == TaskStatus.OPEN)
    else:
        tasks = tasks.where(Task.status != TaskStatus.CANCELLED)
    if directive_id is not None:
        tasks = tasks.where(Task.directive_id == directive_id)
    if task_ids is not None:
        tasks = tasks.where(col(Task.id).in_(task_ids))
    if scope.everything and stored:
        counted = stored_counts(session, now=now, tasks=tasks)
    else:
        counted = live_task_counts(session, now=now, scope=scope, tasks=tasks)
    if not counted:
        return []
    info = (
        sa_select(
            col(Task.id),
            col(Task.title),
            col(Task.deadline),
            col(Task.status),
            col(Directive.number),
        )
        .outerjoin(Directive, col(Directive.id) == col(Task.directive_id))
        .where(col(Task.id).in_(list(counted)))
    )
    roll = working_calendar(session).roll_forward  # a deadline on a day off: the next day
    return [
        TaskCounts(tid, title, deadline, status, number, counted[tid], roll(deadline)[0])
        for tid, title, deadline, status, number in _rows(session, info)
    ]


def live_task_counts(
    session: Session, *, now: datetime, scope: Scope = EVERY, tasks: Any
) -> dict[int, Counts]:
    """Return the counts of the tasks (a query of ids, or ids) read from the assignments."""
    query = (
        select(Assignment.task_id, *count_columns(now))
        .where(col(Assignment.active).is_(True), in_scope(scope))
        .where(col(Assignment.task_id).in_(tasks))
        .group_by(col(Assignment.task_id))
    )
    return {int(row[0]): _counts(row[1:]) for row in _rows(session, query)}


def unit_counts(
    session: Session,
    *,
    now: datetime,
    scope: Scope = EVERY,
    unit_ids: Sequence[int] | None = None,
    due_from: datetime | None = None,
    due_until: datetime | None = None,
) -> dict[int, Counts]:
    """Return counts per unit over assignments of open or closed tasks due in a window."""
    query = (
        select(Assignment.unit_id, *count_columns(now))
        .join(Task, col(Task.id) == col(Assignment.task_id))
        .where(
            col(Assignment.active).is_(True), Task.status != TaskStatus.CANCELLED, in_scope(scope)
        )
        .group_by(col(Assignment.unit_id))
    )
    if unit_ids is not None:
        query = query.where(col(Assignment.unit_id).in_(unit_ids))
    if due_from is not None:
        query = query.where(col(Assignment.due_at) > due_from)
    if due_until is not None:
        query = query.where(col(Assignment.due_at) <= due_until)
    return {int(row[0]): _counts(row[1:]) for row in _rows(session, query)}


def kind_counts(
    session: Session, *, now: datetime, task_id: int, scope: Scope = EVERY
) -> dict[str, Counts]:
    """Return one task's counts per unit kind."""
    query = (
        select(Unit.kind_key, *count_columns(now))
        .join(Unit, col(Unit.id) == col(Assignment.unit_id))
        .where(Assignment.task_id == task_id, col(Assignment.active).is_(True), in_scope(scope))
        .group_by(col(Unit.kind_key))
    )
    return {str(row[0]): _counts(row[1:]) for row in _rows(session, query)}


def group_counts(
    session: Session, *, now: datetime, task_id: int, scope: Scope = EVERY
) -> dict[str, Counts]:
    """Return one task's counts per named group (a unit in two groups counts in both).

    A reader limited to groups gets only those groups: another group their units are also in
    lies outside their scope, and its bar would show the part of it they see as the whole.
    """
    query = (
        select(UnitGroup.name, *count_columns(now))
        .join(UnitGroupMember, col(UnitGroupMember.unit_id) == col(Assignment.unit_id))
        .join(UnitGroup, col(UnitGroup.id) == col(UnitGroupMember.group_id))
        .where(Assignment.task_id == task_id, col(Assignment.active).is_(True), in_scope(scope))
        .group_by(col(UnitGroup.name))
    )
    if not scope.everything:
        query = query.where(col(UnitGroup.id).in_(scope.group_ids))
    return {str(row[0]): _counts(row[1:]) for row in _rows(session, query)}
