"""Counting assignments in the official taxonomy, by the database, for summaries and charts.

Every count is one aggregate query (SUM(CASE ...) ... GROUP BY), never a loop over rows, so
a summary stays interactive at a country's million assignments; the same SQL runs on SQLite
and PostgreSQL. Lists of units (the detail of one task) load only the columns they show.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Executable, Row, and_, case, func, not_, type_coerce
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from core.roles import Role
from core.states import ReportState, TaskStatus
from core.status import Counts
from core.summary import Line, Note, StatusLine, TaskCounts
from core.textnorm import vi_sort_key
from db.models import (
    Assignment,
    Contact,
    Directive,
    Explanation,
    StatusReport,
    Task,
    Unit,
    UnitGroup,
    UnitGroupMember,
    UnitKind,
)
from db.queries.calendar import working_calendar
from db.queries.recipients import Recipient, reachable_unit_ids, recipients
from db.queries.scope import EVERY, Scope
from db.queries.taskcounts import stored_counts
from db.types import AwareDateTime

__all__ = ["EVERY", "Scope"]


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


def lines(
    session: Session,
    *,
    scope: Scope = EVERY,
    task_ids: Sequence[int] | None = None,
    unit_id: int | None = None,
) -> list[Line]:
    """Return the current assignments of some tasks or of a unit, by unit name."""
    query = (
        sa_select(
            col(Assignment.id),
            col(Assignment.task_id),
            col(Assignment.unit_id),
            col(Unit.name),
            col(Assignment.state),
            col(Assignment.percent),
            col(Assignment.deadline),
            col(Assignment.original_deadline),
            col(Assignment.due_at),
            col(Assignment.done_at),
            col(Assignment.last_report_at),
        )
        .join(Unit, col(Unit.id) == col(Assignment.unit_id))
        .where(col(Assignment.active).is_(True), in_scope(scope))
        .order_by(col(Assignment.id))
    )
    if task_ids is not None:
        query = query.where(col(Assignment.task_id).in_(task_ids))
    if unit_id is not None:
        query = query.join(Task, col(Task.id) == col(Assignment.task_id))
        query = query.where(col(Assignment.unit_id) == unit_id, col(Task.status) != "cancelled")
    found = [Line(*row) for row in _rows(session, query)]
    return sorted(found, key=lambda ln: vi_sort_key(ln.unit_name))


def units_of(session: Session, *, scope: Scope, task_ids: Sequence[int]) -> list[tuple[int, str]]:
    """Return the units in scope with a current assignment of these tasks: (id, name)."""
    if not task_ids:
        return []
    query = (
        sa_select(col(Unit.id), col(Unit.name))
        .where(
            col(Unit.id).in_(
                sa_select(col(Assignment.unit_id)).where(
                    col(Assignment.active).is_(True),
                    in_scope(scope),
                    col(Assignment.task_id).in_(task_ids),
                )
            )
        )
        .order_by(col(Unit.id))
    )
    return [(int(row[0]), str(row[1])) for row in _rows(session, query)]


def any_line(session: Session, *, scope: Scope, task_ids: Sequence[int]) -> bool:
    """Tell whether `lines` would return anything for these tasks in this scope."""
    if not task_ids:
        return False
    query = (
        sa_select(col(Assignment.id))
        .join(Unit, col(Unit.id) == col(Assignment.unit_id))
        .where(
            col(Assignment.active).is_(True),
            in_scope(scope),
            col(Assignment.task_id).in_(task_ids),
        )
        .limit(1)
    )
    return session.connection().execute(query).first() is not None


def blocker_notes(
    session: Session, *, task_ids: Sequence[int], scope: Scope = EVERY
) -> list[Note]:
    """Return the reason of the latest blocked report of each assignment still blocked."""
    query = (
        sa_select(
            col(StatusReport.assignment_id),
            col(Unit.name),
            col(StatusReport.reason),
            col(StatusReport.text),
            col(StatusReport.created_at),
        )
        .join(Assignment, col(Assignment.id) == col(StatusReport.assignment_id))
        .join(Unit, col(Unit.id) == col(Assignment.unit_id))
        .where(col(Assignment.task_id).in_(task_ids), col(Assignment.state) == "blocked")
        .where(col(StatusReport.state) == "blocked", col(Assignment.active).is_(True))
        .where(in_scope(scope))
        .order_by(col(StatusReport.created_at), col(StatusReport.id))
    )
    latest: dict[int, Note] = {}
    for aid, name, reason, text, at in _rows(session, query):
        latest[aid] = Note(aid, name, reason or text or "", at)
    return sorted(latest.values(), key=lambda n: vi_sort_key(n.unit_name))


def explanation_notes(
    session: Session, *, task_ids: Sequence[int], scope: Scope = EVERY
) -> list[Note]:
    """Return the explanations received for assignments of the tasks, oldest first."""
    query = (
        select(Explanation.assignment_id, Unit.name, Explanation.text, Explanation.answered_at)
        .join(Assignment, col(Assignment.id) == col(Explanation.assignment_id))
        .join(Unit, col(Unit.id) == col(Assignment.unit_id))
        .where(col(Assignment.task_id).in_(task_ids), in_scope(scope))
        .where(col(Explanation.answered_at).is_not(None), col(Assignment.active).is_(True))
        .order_by(col(Explanation.answered_at))
    )
    return [Note(aid, name, text or "", at) for aid, name, text, at in _rows(session, query)]


def changes_since(
    session: Session, *, since: datetime, until: datetime, scope: Scope = EVERY
) -> dict[str, int]:
    """Return how many reports of each state, and new tasks, arrived in a window."""
    window = and_(col(StatusReport.created_at) > since, col(StatusReport.created_at) <= until)
    reports = (
        select(StatusReport.state, func.count())
        .join(Assignment, col(Assignment.id) == col(StatusReport.assignment_id))
        .where(window, in_scope(scope))
        .group_by(col(StatusReport.state))
    )
    result = {str(state): int(n) for state, n in _rows(session, reports)}
    new_tasks = select(func.count()).where(
        col(Task.created_at) > since,
        col(Task.created_at) <= until,
        col(Task.status) != "cancelled",
    )
    if not scope.everything:
        # Tasks given to their units now: one taken off them is not theirs (nor in /summary).
        covered = select(Assignment.task_id).where(
            col(Assignment.active).is_(True), in_scope(scope)
        )
        new_tasks = new_tasks.where(col(Task.id).in_(covered))
    result["new_tasks"] = int(session.connection().execute(new_tasks).scalar_one())
    return result


def task_titles(session: Session, *, task_ids: Sequence[int]) -> dict[int, str]:
    """Return the titles of tasks by id."""
    query = select(Task.id, Task.title).where(col(Task.id).in_(task_ids))
    return {int(tid or 0): title for tid, title in session.exec(query)}


def kind_labels(session: Session, *, lang: str) -> dict[str, str]:
    """Return each unit kind's name in the language."""
    kinds = session.exec(select(UnitKind))
    return {k.key: (k.name_en if lang == "en" else k.name_vi) for k in kinds}


def most_overdue(
    session: Session, *, now: datetime, scope: Scope = EVERY, limit: int = 10
) -> list[tuple[str, int, str, date, datetime]]:
    """Return (unit, task id, task title, deadline, due_at) of the longest-overdue open
    assignments (days overdue count from the day `due_at` ends, `effective_deadline`),
    units of one deadline in Vietnamese alphabetical order (Xã Ái… before Xã Yên…).

    The database orders names by bytes (Á and Đ after Y), so it only finds the last
    deadline that makes the cut; every assignment due by then is sorted here.
    """
    due = col(Assignment.due_at)
    overdue = (
        sa_select(col(Unit.name), col(Task.id), col(Task.title), col(Assignment.deadline), due)
        .join(Unit, col(Unit.id) == col(Assignment.unit_id))
        .join(Task, col(Task.id) == col(Assignment.task_id))
        .where(col(Assignment.active).is_(True), col(Assignment.state) != "done")
        .where(due <= now, col(Task.status) == TaskStatus.OPEN, in_scope(scope))
    )
    last = overdue.with_only_columns(due).order_by(due).offset(limit - 1).limit(1)
    cut = session.connection().execute(last).scalar()
    rows = _rows(session, overdue.where(due <= cut) if cut is not None else overdue)
    ordered = sorted(rows, key=lambda r: (r[4], vi_sort_key(r[0]), r[1]))
    return [
        (name, tid, title, deadline, due) for name, tid, title, deadline, due in ordered[:limit]
    ]


def unreached_units(session: Session, *, scope: Scope = EVERY) -> list[str]:
    """Return the names of the active units in scope with an open assignment that no focal
    point or leader can be reminded at (none has started the bot, or each blocked it), in
    Vietnamese alphabetical order: their reminders go nowhere, and only a coordinator can
    find someone there."""
    open_work = (
        sa_select(col(Assignment.id))
        .join(Task, col(Task.id) == col(Assignment.task_id))
        .where(
            col(Assignment.unit_id) == col(Unit.id),
            col(Assignment.active).is_(True),
            col(Assignment.state) != ReportState.DONE,
            col(Task.status) == TaskStatus.OPEN,
        )
        .exists()
    )
    query = sa_select(col(Unit.name)).where(
        col(Unit.active).is_(True),
        scope.covers(Unit.id),
        col(Unit.id).not_in(reachable_unit_ids()),
        open_work,
    )
    return sorted(session.connection().execute(query).scalars(), key=vi_sort_key)


def digest_readers(session: Session) -> list[tuple[Contact, Recipient]]:
    """Return the coordinators and admins who take the digest, with where to write to them."""
    query = select(Contact).where(
        col(Contact.role).in_((Role.COORDINATOR.value, Role.ADMIN.value)),
        col(Contact.digest_enabled).is_(True),
    )
    people = list(session.exec(query.order_by(col(Contact.id))))
    found = recipients(session, contact_ids=[c.id for c in people if c.id is not None])
    return [(c, found[c.id]) for c in people if c.id is not None and c.id in found]


def status_lines(
    session: Session, *, now: datetime, task_ids: Sequence[int], scope: Scope = EVERY
) -> list[StatusLine]:
    """Return the tasks' current assignments classified by the database, by unit name."""
    done = col(Assignment.state) == ReportState.DONE
    on_time = and_(done, col(Assignment.done_at) < col(Assignment.due_at))
    code = case((on_time, 0), (done, 1), (col(Assignment.due_at) > now, 2), else_=3)
    query = (
        sa_select(
            col(Assignment.id),
            col(Assignment.task_id),
            col(Unit.name),
            code,
            col(Assignment.last_report_at).is_(None),
            col(Assignment.percent),
            col(Assignment.deadline),
            col(Assignment.deadline) != col(Assignment.original_deadline),
            type_coerce(
                case((and_(done, not_(on_time)), col(Assignment.done_at)), else_=None),
                AwareDateTime(),
            ),
            col(Assignment.due_at),
        )
        .join(Unit, col(Unit.id) == col(Assignment.unit_id))
        .where(col(Assignment.task_id).in_(task_ids), col(Assignment.active).is_(True))
        .where(in_scope(scope))
        .order_by(col(Assignment.id))
    )
    found = list(map(StatusLine._make, _rows(session, query)))
    return sorted(found, key=lambda ln: vi_sort_key(ln.unit_name))


def _rows(session: Session, query: Executable) -> Iterator[Row[Any]]:
    """Run a column query on the session's connection: plain rows, no ORM loading.

    The rows are fetched a thousand at a time: iterating a result asks psycopg for one row
    at a time (half the reading of a task's 10,000 units on PostgreSQL), and fetching all at
    once keeps 10,000 row objects alive for the garbage collector to go through.
    """
    for part in session.connection().execute(query).partitions(FETCH_ROWS):
        yield from part


FETCH_ROWS = 1000
