"""Finding and creating tasks and their assignments."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, tzinfo

from sqlmodel import Session, col, select

from core.taskdates import due_at
from core.textnorm import fold
from db.models import Assignment, Task

TASK_NUMBER = re.compile(r"^#?\s*(\d{1,9})$")
MAX_MATCHES = 20


def find_tasks(session: Session, *, text: str) -> list[Task]:
    """Return the tasks named by text: `#12` or `12`, else a unique title or title part."""
    text = text.strip()
    number = TASK_NUMBER.match(text)
    if number:
        task = session.get(Task, int(number.group(1)))
        return [task] if task is not None else []
    folded = fold(text)
    if not folded:
        return []
    exact = list(session.exec(select(Task).where(Task.title_folded == folded)))
    if exact:
        return exact
    pattern = "%" + folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    query = (
        select(Task)
        .where(col(Task.title_folded).like(pattern, escape="\\"))
        .order_by(col(Task.id).desc())
        .limit(MAX_MATCHES)
    )
    return list(session.exec(query))


def create_task(
    session: Session,
    *,
    title: str,
    deadline: date,
    unit_ids: Iterable[int],
    tz: tzinfo,
    directive_id: int | None = None,
    description: str = "",
    code: str | None = None,
    created_by_id: int | None = None,
) -> Task:
    """Create a task and one assignment per unit (the caller writes the audit entry)."""
    task = Task(
        title=title.strip(),
        title_folded=fold(title),
        deadline=deadline,
        directive_id=directive_id,
        description=description,
        code=code,
        created_by_id=created_by_id,
    )
    session.add(task)
    session.flush()
    assert task.id is not None
    assign_units(session, task=task, unit_ids=unit_ids, tz=tz)
    return task


def assign_units(session: Session, *, task: Task, unit_ids: Iterable[int], tz: tzinfo) -> int:
    """Assign the task to units not yet on it (reactivating removed ones); return how many."""
    assert task.id is not None
    existing = {
        a.unit_id: a for a in session.exec(select(Assignment).where(Assignment.task_id == task.id))
    }
    added = 0
    for unit_id in dict.fromkeys(unit_ids):
        current = existing.get(unit_id)
        if current is not None:
            if not current.active:
                current.active = True
                added += 1
            continue
        session.add(
            Assignment(
                task_id=task.id,
                unit_id=unit_id,
                original_deadline=task.deadline,
                deadline=task.deadline,
                due_at=due_at(task.deadline, tz),
            )
        )
        added += 1
    session.flush()
    return added


def assignments_of(session: Session, *, task_id: int, active: bool = True) -> list[Assignment]:
    """Return the task's assignments (only current ones by default)."""
    query = select(Assignment).where(Assignment.task_id == task_id)
    if active:
        query = query.where(col(Assignment.active).is_(True))
    return list(session.exec(query.order_by(col(Assignment.id))))
