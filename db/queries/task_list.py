"""The open tasks as /tasks lists them: a page, nearest deadline first, with their progress."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from core.states import ReportState
from db.models import Assignment, Task

OPEN = "open"


@dataclass(frozen=True)
class TaskRow:
    """An open task as /tasks lists it."""

    id: int
    title: str
    deadline: date
    done: int
    assigned: int


def open_tasks(session: Session, *, offset: int, limit: int) -> tuple[list[TaskRow], int]:
    """Return a page of open tasks, nearest deadline first, with progress; and the total."""
    total = session.exec(select(func.count()).select_from(Task).where(Task.status == OPEN)).one()
    query = (
        select(Task)
        .where(Task.status == OPEN)
        .order_by(col(Task.deadline), col(Task.id))
        .offset(offset)
        .limit(limit)
    )
    tasks = list(session.exec(query))
    counts = progress(session, [t.id for t in tasks if t.id is not None])
    rows = [
        TaskRow(t.id, t.title, t.deadline, *counts.get(t.id, (0, 0)))
        for t in tasks
        if t.id is not None
    ]
    return rows, int(total)


def progress(session: Session, task_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Return (done, assigned) of each task, counting current assignments only."""
    if not task_ids:
        return {}
    done = func.count(case((col(Assignment.state) == ReportState.DONE, 1)))
    query = (
        select(col(Assignment.task_id), done, func.count(col(Assignment.id)))
        .where(col(Assignment.task_id).in_(task_ids))
        .where(col(Assignment.active).is_(True))
        .group_by(col(Assignment.task_id))
    )
    return {task_id: (int(d), int(n)) for task_id, d, n in session.exec(query)}
