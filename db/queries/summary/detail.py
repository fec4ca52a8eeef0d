"""The assignments behind the counts: a task's or a unit's lines, classified or not, and
the notes the units wrote (why blocked, explanations).

Lists of units (the detail of one task) load only the columns they show, and are sorted
in Vietnamese alphabetical order here, not by the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, case, not_, type_coerce
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from core.states import ReportState
from core.summary import Line, Note, StatusLine
from core.textnorm import vi_sort_key
from db.models import Assignment, Explanation, StatusReport, Task, Unit
from db.queries.scope import EVERY, Scope
from db.queries.summary.counts import in_scope
from db.queries.summary.rows import _rows
from db.types import AwareDateTime


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
