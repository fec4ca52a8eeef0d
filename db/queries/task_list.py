"""The open tasks as /tasks lists them: a page, nearest deadline first, with their progress.

The order is every list's (`core.summary.in_force_order`): deadline, then the title in
Vietnamese alphabetical order, then the number. SQL cuts pages by deadline; the titles of
the deadlines a page spans are ordered here, so a page starts where the one before ended.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from core.states import ReportState
from core.summary import in_force_order
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
    tasks = _page(session, offset=offset, limit=limit)
    counts = progress(session, [t.id for t in tasks if t.id is not None])
    rows = [
        TaskRow(t.id, t.title, t.deadline, *counts.get(t.id, (0, 0)))
        for t in tasks
        if t.id is not None
    ]
    return rows, int(total)


def _page(session: Session, *, offset: int, limit: int) -> list[Task]:
    """Return the open tasks from `offset` to `offset + limit` in `in_force_order`.

    Ordered by deadline and number, the rows at both ends of the page name the deadlines it
    spans; the open tasks of those deadlines are ordered by title here, after the ones due
    before them (a deadline of thousands of tasks is read whole, once a page).
    """
    if limit <= 0:
        return []
    by_deadline = (
        select(col(Task.deadline)).where(Task.status == OPEN).order_by(col(Task.deadline))
    )
    first = session.exec(by_deadline.offset(offset).limit(1)).first()
    if first is None:
        return []
    last = session.exec(by_deadline.offset(offset + limit - 1).limit(1)).first()
    spanned = select(Task).where(Task.status == OPEN, col(Task.deadline) >= first)
    if last is not None:
        spanned = spanned.where(col(Task.deadline) <= last)
    before = session.exec(
        select(func.count()).select_from(Task).where(Task.status == OPEN, Task.deadline < first)
    ).one()
    # The day in force only rolls a deadline forward, never past a later one's: ordered by
    # the stored deadline, the tasks are in the order of their days in force.
    tasks = sorted(
        session.exec(spanned),
        key=lambda t: in_force_order(t.deadline, t.deadline, t.title, t.id or 0),
    )
    start = offset - int(before)
    return tasks[start : start + limit]


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
