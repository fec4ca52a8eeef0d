"""What admins do to tasks: create one from a draft, change its units, rename, close or cancel
it, open it again. Every change is written to the audit log in the same session. Its deadline
and the rows that carry it: `task_deadlines`."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from datetime import datetime, tzinfo

from sqlalchemy import update
from sqlmodel import Session, col

from core.states import TaskStatus
from core.taskdraft import TaskDraft
from core.textnorm import fold
from db.models import Assignment, Task
from db.queries.audit import record
from db.queries.directives import ensure_directive
from db.queries.task_deadlines import move_current
from db.queries.tasks import active_unit_ids, assign_units, chunks, create_task, stored_id

AUDIT_LIST_LIMIT = 200


def create_from_draft(
    session: Session,
    *,
    draft: TaskDraft,
    tz: tzinfo,
    actor_id: int | None,
    actor_label: str = "",
    now: datetime | None = None,
) -> Task:
    """Create the draft's directive (when new), the task and its assignments; audited."""
    assert draft.deadline is not None
    directive_id = draft.directive_id
    if draft.new_directive is not None:
        directive = ensure_directive(
            session, draft=draft.new_directive, actor_id=actor_id, actor_label=actor_label
        )
        directive_id = directive.id
    task = create_task(
        session,
        title=draft.title,
        deadline=draft.deadline,
        unit_ids=draft.unit_ids,
        tz=tz,
        directive_id=directive_id,
        description=draft.description,
        created_by_id=actor_id,
        now=now,
    )
    audit_created(
        session, task=task, unit_ids=draft.unit_ids, actor_id=actor_id, label=actor_label
    )
    return task


def audit_created(
    session: Session, *, task: Task, unit_ids: list[int], actor_id: int | None, label: str = ""
) -> None:
    """Record a task's creation in the audit log."""
    record(
        session,
        actor_id=actor_id,
        actor_label=label,
        action="task.created",
        object_type="task",
        object_id=task.id,
        details={
            "title": task.title,
            "deadline": task.deadline.isoformat(),
            "directive_id": task.directive_id,
            "units": unit_ids[:AUDIT_LIST_LIMIT],
            "unit_count": len(unit_ids),
        },
    )


def add_assignees(
    session: Session,
    *,
    task: Task,
    unit_ids: list[int],
    tz: tzinfo,
    actor_id: int | None,
    now: datetime | None = None,
) -> int:
    """Assign the task to more units (bringing back removed ones); return how many; audited."""
    added = assign_units(session, task=task, unit_ids=unit_ids, tz=tz, now=now)
    move_current(session, task, tz, unit_ids)  # a unit brought back gets today's deadline
    if added:
        _audit_units(session, task, "task.assignees_added", unit_ids, actor_id)
    return added


def remove_assignees(
    session: Session, *, task: Task, unit_ids: Iterable[int], actor_id: int | None
) -> int:
    """Take units off the task (their history stays); return how many; audited.

    The units on the task are read as plain ids and taken off in one statement (per chunk):
    one object at a time, a country's task held the write lock for most of a second.
    """
    wanted = set(unit_ids)
    ids = [u for u in active_unit_ids(session, task_id=stored_id(task)) if u in wanted]
    for chunk in chunks(ids):
        session.execute(
            update(Assignment)
            .where(col(Assignment.task_id) == stored_id(task), col(Assignment.unit_id).in_(chunk))
            .values(active=False)
            .execution_options(synchronize_session="fetch")
        )
    session.flush()
    if ids:
        _audit_units(session, task, "task.assignees_removed", ids, actor_id)
    return len(ids)


def _audit_units(
    session: Session, task: Task, action: str, unit_ids: list[int], actor_id: int | None
) -> None:
    """Record a change of a task's units."""
    record(
        session,
        actor_id=actor_id,
        action=action,
        object_type="task",
        object_id=task.id,
        details={"units": unit_ids[:AUDIT_LIST_LIMIT], "unit_count": len(unit_ids)},
    )


def end_task(
    session: Session, *, task: Task, status: str, now: datetime, actor_id: int | None
) -> None:
    """Close or cancel a task (status 'closed' or 'cancelled'); audited."""
    assert status in (TaskStatus.CLOSED, TaskStatus.CANCELLED)
    old = task.status
    task.status, task.closed_at = status, now
    session.add(task)
    session.flush()
    action = "task.closed" if status == TaskStatus.CLOSED else "task.cancelled"
    record(
        session,
        actor_id=actor_id,
        action=action,
        object_type="task",
        object_id=task.id,
        details={"from": old},
    )


def reopen_task(session: Session, *, task: Task, actor_id: int | None) -> None:
    """Open a closed or cancelled task again (one ended by mistake); audited with the status
    it had. Its assignments and their reports are as they were."""
    old = task.status
    task.status, task.closed_at = TaskStatus.OPEN, None
    session.add(task)
    session.flush()
    record(
        session,
        actor_id=actor_id,
        action="task.reopened",
        object_type="task",
        object_id=task.id,
        details={"from": old},
    )


def rename_task(session: Session, *, task: Task, title: str, actor_id: int | None) -> None:
    """Give a task a new title (composed, NFC, as `create_task` keeps one, and folded for
    finding it by its title); audited with the old and the new."""
    old = task.title
    task.title = unicodedata.normalize("NFC", title.strip())
    task.title_folded = fold(title)
    session.add(task)
    session.flush()
    details = {"from": old, "to": title}
    record(
        session,
        actor_id=actor_id,
        action="task.renamed",
        object_type="task",
        object_id=task.id,
        details=details,
    )
