"""Each task's counts in the taxonomy as stored in `task_count`, and its rebuild.

Triggers on `assignment` (migration 0007) keep `task_count` in the same transaction as
every change of an assignment, whatever code makes it: a report, an approved extension, an
assignment added, removed or deactivated, an import. A row holds a task's active
assignments with one `due_at`; what is not done is in time or overdue by that `due_at`
against the clock, read here, so the stored rows never depend on the time. A task's state
(open, closed, cancelled) is read from `task` when counting, not stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, case, delete, func, insert, text
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from core.states import ReportState
from core.status import Counts
from db.models import Assignment, TaskCount

COLUMNS = ("n", "done_on_time", "done_late", "not_done", "no_report", "blocked")


def stored_counts(
    session: Session, *, now: datetime, tasks: Select[Any] | Sequence[int]
) -> dict[int, Counts]:
    """Return the counts of the tasks (a query of task ids, or ids) that have active rows."""
    not_done = col(TaskCount.not_done)
    query = (
        sa_select(
            col(TaskCount.task_id),
            func.sum(col(TaskCount.done_on_time)),
            func.sum(col(TaskCount.done_late)),
            func.sum(case((col(TaskCount.due_at) > now, not_done), else_=0)),
            func.sum(case((col(TaskCount.due_at) <= now, not_done), else_=0)),
            func.sum(col(TaskCount.no_report)),
            func.sum(col(TaskCount.blocked)),
        )
        .where(col(TaskCount.task_id).in_(tasks))
        .group_by(col(TaskCount.task_id))
        .having(func.sum(col(TaskCount.n)) > 0)
    )
    rows = session.connection().execute(query)
    return {int(row[0]): Counts(*(int(v or 0) for v in row[1:])) for row in rows}


def _live_rows() -> Select[Any]:
    """Return the stored rows as the assignments make them now (what the triggers keep)."""
    a = Assignment
    done = col(a.state) == ReportState.DONE

    def one(condition: Any) -> Any:
        return func.sum(case((condition, 1), else_=0))

    return (
        sa_select(
            col(a.task_id),
            col(a.due_at),
            func.count(),
            one(done & (col(a.done_at) < col(a.due_at))),
            one(done & (col(a.done_at) >= col(a.due_at))),
            one(~done),
            one(~done & col(a.last_report_at).is_(None)),
            one(col(a.state) == ReportState.BLOCKED),
        )
        .where(col(a.active).is_(True))
        .group_by(col(a.task_id), col(a.due_at))
    )


def rebuild(session: Session) -> int:
    """Recount `task_count` from the assignments, in the session's transaction.

    On PostgreSQL the assignments are locked against writes first (in-flight writers
    finish, new ones wait for the commit), so no change slips between the delete and the
    insert. Returns how many rows were written; the caller commits.
    """
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        conn.execute(text("LOCK TABLE assignment IN SHARE ROW EXCLUSIVE MODE"))
        conn.execute(text("LOCK TABLE task_count IN EXCLUSIVE MODE"))
    conn.execute(delete(TaskCount))
    conn.execute(insert(TaskCount).from_select(["task_id", "due_at", *COLUMNS], _live_rows()))
    return int(conn.execute(sa_select(func.count()).select_from(TaskCount)).scalar_one())


def drift(session: Session) -> list[tuple[int, str, tuple[int, ...], tuple[int, ...]]]:
    """Return the (task, due_at) rows where the stored counts differ from the assignments.

    Each is (task id, due_at as text, stored, live); empty rows (all zero) count as absent.
    """
    conn = session.connection()
    live = {
        (int(r[0]), str(r[1])): tuple(int(v) for v in r[2:]) for r in conn.execute(_live_rows())
    }
    stored_query = sa_select(
        col(TaskCount.task_id),
        col(TaskCount.due_at),
        *(col(getattr(TaskCount, c)) for c in COLUMNS),
    )
    stored = {
        (int(r[0]), str(r[1])): tuple(int(v) for v in r[2:])
        for r in conn.execute(stored_query)
        if any(r[2:])
    }
    zero = (0,) * len(COLUMNS)
    return [
        (task_id, due, stored.get((task_id, due), zero), live.get((task_id, due), zero))
        for task_id, due in sorted(set(live) | set(stored))
        if stored.get((task_id, due), zero) != live.get((task_id, due), zero)
    ]


__all__ = ["COLUMNS", "drift", "rebuild", "stored_counts"]
