"""What the digest reads beside the counts: what changed in a window, the longest overdue,
the units no one can be reminded at, and who takes the digest."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import and_, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from core.roles import Role
from core.states import ReportState, TaskStatus
from core.textnorm import vi_sort_key
from db.models import Assignment, Contact, StatusReport, Task, Unit
from db.queries.recipients import Recipient, reachable_unit_ids, recipients
from db.queries.scope import EVERY, Scope
from db.queries.summary.counts import in_scope
from db.queries.summary.rows import _rows


def changes_since(
    session: Session, *, since: datetime, until: datetime, scope: Scope = EVERY
) -> dict[str, int]:
    """Return how many reports of each state, and new tasks, arrived in a window.

    Reports are counted as /summary and the digest's totals read them: on open tasks, by
    the units they are given to now (a cancelled task's, or one taken off a unit, is not).
    """
    window = and_(col(StatusReport.created_at) > since, col(StatusReport.created_at) <= until)
    reports = (
        select(StatusReport.state, func.count())
        .join(Assignment, col(Assignment.id) == col(StatusReport.assignment_id))
        .join(Task, col(Task.id) == col(Assignment.task_id))
        .where(window, in_scope(scope))
        .where(col(Assignment.active).is_(True), col(Task.status) == TaskStatus.OPEN)
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
