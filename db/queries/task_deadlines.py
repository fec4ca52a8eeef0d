"""A task's deadline and the rows that carry it: changed by an admin, moved off a day off and
back, an assignment moved by its extension. Every row's `due_at` is written rolled with the
calendar (`due_times.due_time`); a unit's approved extension keeps its own deadline."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, tzinfo

from sqlalchemy import ColumnElement, and_, case, func, or_, update
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from core.states import RequestStatus, TaskStatus
from db.models import Assignment, ExtensionRequest, Task
from db.queries.audit import record
from db.queries.due_times import due_time
from db.queries.tasks import chunks, stored_id


def change_deadline(
    session: Session,
    *,
    task: Task,
    deadline: date,
    tz: tzinfo,
    actor_id: int | None,
    cause: dict[str, str] | None = None,
    ahead: int = 0,
) -> int:
    """Move the task's deadline and every current assignment's (but not past an approved
    extension that is later); return how many assignments moved, with the `ahead` that
    `move_task_rows` moved before. `cause` goes into the audit entry (a day off's, so that
    removing the day off can move it back)."""
    old = task.deadline
    task.deadline = deadline
    session.add(task)
    moved = move_current(session, task, tz) + ahead
    record(
        session,
        actor_id=actor_id,
        action="task.deadline_changed",
        object_type="task",
        object_id=task.id,
        details={
            "from": old.isoformat(),
            "to": deadline.isoformat(),
            "assignments": moved,
            **(cause or {}),
        },
    )
    return moved


def move_off_day(
    session: Session, *, day: date, to: date, tz: tzinfo, actor_id: int | None
) -> list[int]:
    """Move what is due on `day`, made a day off, to `to`: the open tasks' deadlines (each
    audited, their assignments following) and any current assignment still due that day
    (an extension granted to it); return the ids of the tasks moved, in order. Each audit
    entry names the day off (`day_off`): `db.queries.dayoff` moves them back by it.

    In one transaction; `app.calendar_days.moves` commits a task at a time instead
    (`move_tasks_off_day`, then `move_extended_off_day`)."""
    moved = move_tasks_off_day(session, day=day, to=to, tz=tz, actor_id=actor_id)
    extended = move_extended_off_day(session, day=day, to=to, tz=tz, actor_id=actor_id)
    return sorted(set(moved) | set(extended))


def move_tasks_off_day(
    session: Session,
    *,
    day: date,
    to: date,
    tz: tzinfo,
    actor_id: int | None,
    limit: int | None = None,
) -> list[int]:
    """Move the deadlines of the open tasks due on `day` (the first `limit` by id, or all) to
    `to`, each audited with the day off, their assignments following; return their ids.
    A task moved is no longer due that day: the next call moves the next ones."""
    is_open = col(Task.status) == TaskStatus.OPEN
    found = select(Task).where(Task.deadline == day, is_open).order_by(col(Task.id))
    tasks = list(session.exec(found if limit is None else found.limit(limit)))
    for task in tasks:
        move_task_off_day(session, task, day=day, to=to, tz=tz, actor_id=actor_id)
    return [t.id for t in tasks if t.id is not None]


def move_task_off_day(
    session: Session,
    task: Task,
    *,
    day: date,
    to: date,
    tz: tzinfo,
    actor_id: int | None,
    rows: int | None = None,
    ahead: int = 0,
) -> int:
    """Move a task due on the day off `day` to `to`, audited with the day off (what removing
    it looks for), its assignments following; return 0 when done. With `rows`, at most that
    many of its assignments move ahead of it and, when as many moved, how many deadlines
    moved is returned: call again, with their sum as `ahead`, in another transaction."""
    if rows is not None:
        moved = move_task_rows(session, task=task, deadline=to, tz=tz, limit=rows)
        if moved == rows:
            return moved
        ahead += moved
    cause = {"day_off": day.isoformat()}
    change_deadline(
        session, task=task, deadline=to, tz=tz, actor_id=actor_id, cause=cause, ahead=ahead
    )
    return 0


def next_due(session: Session, *, day: date) -> Task | None:
    """Return the first open task (by id) due on `day`, if any."""
    is_open = col(Task.status) == TaskStatus.OPEN
    found = select(Task).where(Task.deadline == day, is_open).order_by(col(Task.id)).limit(1)
    return session.exec(found).first()


def move_task_rows(session: Session, *, task: Task, deadline: date, tz: tzinfo, limit: int) -> int:
    """Give at most `limit` of the task's current assignments the deadline the task is about
    to have (as the one given), ahead of `change_deadline` (which then finds them moved),
    except where an approved extension is later; return how many rows changed.

    A task of a country's cut is tens of thousands of assignments: moved in one statement,
    SQLite's write lock was held 0.7 s and every official's report waited. A move a few
    thousand rows a transaction lets them write between two; each row is moved whole (its
    count follows by the triggers), and the task's audit entry comes with the last ones."""
    current = and_(col(Assignment.task_id) == stored_id(task), col(Assignment.active).is_(True))
    due = due_time(session, deadline, tz)
    changed = or_(
        col(Assignment.deadline) != deadline,
        col(Assignment.due_at) != due,
        col(Assignment.original_deadline) != deadline,
    )
    ids = list(
        session.exec(
            select(Assignment.id)
            .where(current, changed, col(Assignment.id).not_in(_later_than(deadline)))
            .order_by(col(Assignment.id))
            .limit(limit)
        )
    )
    for chunk in chunks([i for i in ids if i is not None]):
        session.execute(
            update(Assignment)
            .where(col(Assignment.id).in_(chunk))
            .values(deadline=deadline, due_at=due, original_deadline=deadline)
            .execution_options(synchronize_session="fetch")
        )
    return len(ids)


def _later_than(deadline: date) -> SelectOfScalar[int]:
    """Return the assignments with an approved extension later than `deadline`."""
    return (
        select(ExtensionRequest.assignment_id)
        .where(col(ExtensionRequest.assignment_id).is_not(None))
        .where(ExtensionRequest.status == RequestStatus.APPROVED)
        .where(col(ExtensionRequest.requested_deadline) > deadline)
    )


def move_extended_off_day(
    session: Session, *, day: date, to: date, tz: tzinfo, actor_id: int | None
) -> list[int]:
    """Move each current assignment of an open task still due on `day` (an extension granted
    to it) to `to`, audited with the day off; return their tasks' ids, in order."""
    open_tasks = select(Task.id).where(col(Task.status) == TaskStatus.OPEN)
    extended = session.exec(
        select(Assignment).where(
            Assignment.deadline == day,
            col(Assignment.active).is_(True),
            col(Assignment.task_id).in_(open_tasks),
        )
    ).all()
    due = due_time(session, to, tz)  # one day for all of them: the calendar read once
    for assignment in extended:
        move_assignment(
            session,
            assignment,
            to=to,
            tz=tz,
            actor_id=actor_id,
            why={"reason": "day off", "day_off": day.isoformat()},
            due=due,
        )
    return sorted({a.task_id for a in extended})


def move_assignment(
    session: Session,
    assignment: Assignment,
    *,
    to: date,
    tz: tzinfo,
    actor_id: int | None,
    why: dict[str, str],
    due: datetime | None = None,
) -> None:
    """Give one assignment its own deadline `to` (an extension's, moved by a day off or back),
    audited with where it was and why; `due`, its `due_at` when the caller has it."""
    old = assignment.deadline
    assignment.deadline, assignment.due_at = to, due or due_time(session, to, tz)
    session.add(assignment)
    record(
        session,
        actor_id=actor_id,
        action="assignment.deadline_changed",
        object_type="assignment",
        object_id=assignment.id,
        details={"from": old.isoformat(), "to": to.isoformat(), **why},
    )


def move_current(
    session: Session, task: Task, tz: tzinfo, unit_ids: Sequence[int] | None = None
) -> int:
    """Give every current assignment (of the units, when named) the task's deadline, except
    where an approved extension is later, and that deadline as the one first given (from
    which an extension counts); return how many deadlines moved.

    A task of a whole country is thousands of assignments: moved one object at a time, the
    write lock was held for most of a second, and every person's report waited for it. The
    few with a later extension move one at a time; the others in one statement.
    """
    if unit_ids is None:
        return _move_some(session, task, tz, col(Assignment.task_id) == stored_id(task))
    return sum(
        _move_some(session, task, tz, col(Assignment.unit_id).in_(chunk))
        for chunk in chunks(unit_ids)
    )


def _move_some(session: Session, task: Task, tz: tzinfo, units: ColumnElement[bool]) -> int:
    """Move the current assignments the condition picks (see `move_current`)."""
    current = and_(
        col(Assignment.task_id) == stored_id(task), units, col(Assignment.active).is_(True)
    )
    later = _later_than(task.deadline)
    extended = session.exec(select(Assignment).where(current, col(Assignment.id).in_(later)))
    moved = _apply_deadline(session, task, list(extended), tz)
    plain = and_(current, col(Assignment.id).not_in(later))
    deadline, due = task.deadline, due_time(session, task.deadline, tz)
    moved += session.exec(
        select(func.count()).where(plain, col(Assignment.deadline) != deadline)
    ).one()
    # The task's own deadline moved: that is no extension, so the deadline as given moves
    # too (else summaries, the workbook and the formal report said "extended" of every unit).
    changed = or_(
        col(Assignment.deadline) != deadline,
        col(Assignment.due_at) != due,
        col(Assignment.original_deadline) != deadline,
    )
    session.execute(
        update(Assignment)
        .where(plain, changed)
        .values(deadline=deadline, due_at=due, original_deadline=deadline)
        .execution_options(synchronize_session="fetch")
    )
    return moved


def deadline_counts(session: Session, *, task_id: int, deadline: date) -> tuple[int, int]:
    """Return how many current assignments the task has, and how many are due after `deadline`."""
    current = and_(col(Assignment.task_id) == task_id, col(Assignment.active).is_(True))
    later = case((col(Assignment.deadline) > deadline, 1), else_=0)
    total, kept = session.exec(select(func.count(), func.sum(later)).where(current)).one()
    return total, kept or 0


def _apply_deadline(
    session: Session, task: Task, assignments: list[Assignment], tz: tzinfo
) -> int:
    """Give the assignments the task's deadline, except where an approved extension is later."""
    extended = _approved_extensions(session, [a.id for a in assignments if a.id is not None])
    moved = 0
    dues: dict[date, datetime] = {}  # a few deadlines among the rows: the calendar read once each
    for a in assignments:
        later = extended.get(a.id or 0)
        target = later if later is not None and later > task.deadline else task.deadline
        if target not in dues:
            dues[target] = due_time(session, target, tz)
        due = dues[target]
        if a.deadline != target:
            moved += 1
        if a.deadline != target or a.due_at != due or a.original_deadline != task.deadline:
            # an approved extension later than the task stays one, from the task's deadline
            a.deadline, a.due_at, a.original_deadline = target, due, task.deadline
            session.add(a)
    session.flush()
    return moved


def _approved_extensions(session: Session, assignment_ids: list[int]) -> dict[int, date]:
    """Return the latest approved extended deadline of each assignment that has one."""
    if not assignment_ids:
        return {}
    query = (
        select(ExtensionRequest.assignment_id, func.max(ExtensionRequest.requested_deadline))
        .where(col(ExtensionRequest.assignment_id).in_(assignment_ids))
        .where(ExtensionRequest.status == RequestStatus.APPROVED)
        .group_by(col(ExtensionRequest.assignment_id))
    )
    return {a: d for a, d in session.exec(query) if d is not None}
