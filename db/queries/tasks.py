"""Finding and creating tasks and their assignments."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any

from sqlalchemy import insert, update
from sqlmodel import Session, col, select

from core.calendar import WorkingCalendar
from core.textnorm import fold
from db.models import Assignment, Task, Unit
from db.queries.calendar import working_calendar
from db.queries.due_times import due_time
from db.types import utcnow

TASK_NUMBER = re.compile(r"^#?\s*(\d{1,9})$")
MAX_MATCHES = 20
CHUNK = 500  # ids bound in one statement (SQLite allows 999 in old builds)


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


@dataclass(frozen=True)
class NewTask:
    """A task to create with its units (`create_tasks`)."""

    title: str
    deadline: date
    unit_ids: Sequence[int]
    directive_id: int | None = None
    description: str = ""
    code: str | None = None
    created_by_id: int | None = None


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
    now: datetime | None = None,
    calendar: WorkingCalendar | None = None,
) -> Task:
    """Create a task and one assignment per unit (the caller writes the audit entry).

    Its title and description are kept composed (NFC): typed with a "Unicode tổ hợp"
    keyboard they come decomposed, and would show and compare unlike the same words.
    `now` is the application's clock (`services.clock`), the wall clock when not given: the
    task's and its assignments' `created_at`. `calendar`: the province's working calendar,
    when the caller read it already (`due_time`)."""
    new = NewTask(title, deadline, list(unit_ids), directive_id, description, code, created_by_id)
    return create_tasks(session, [new], tz=tz, now=now, calendar=calendar)[0]


def create_tasks(
    session: Session,
    new: Sequence[NewTask],
    *,
    tz: tzinfo,
    now: datetime | None = None,
    calendar: WorkingCalendar | None = None,
) -> list[Task]:
    """Create tasks as `create_task` does each, in a few statements for all of them: the
    tasks in one INSERT, their assignments in another (an import's rows one by one were five
    round trips each, which on PostgreSQL under load took most of its time)."""
    tasks = []
    for draft in new:
        task = Task(
            title=unicodedata.normalize("NFC", draft.title.strip()),
            title_folded=fold(draft.title),
            deadline=draft.deadline,
            directive_id=draft.directive_id,
            description=unicodedata.normalize("NFC", draft.description),
            code=draft.code,
            created_by_id=draft.created_by_id,
        )
        if now is not None:  # the digest counts new tasks by it, on the application's clock
            task.created_at = now
        tasks.append(task)
    session.add_all(tasks)
    session.flush()
    made = now or utcnow()
    dues: dict[date, datetime] = {}
    rows = []
    for task, draft in zip(tasks, new, strict=True):
        assert task.id is not None
        if task.deadline not in dues:
            calendar = calendar or working_calendar(session)
            dues[task.deadline] = due_time(session, task.deadline, tz, calendar)
        rows += _assignment_rows(task.id, task.deadline, dues[task.deadline], draft.unit_ids, made)
    if rows:
        _insert_assignments(session, rows)
    session.flush()
    return tasks


def _insert_assignments(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert assignment rows as one executemany, sent as multi-row INSERTs (SQLAlchemy's
    "insertmanyvalues", which RETURNING brings on PostgreSQL: psycopg's own executemany
    was a statement a row, each waited for under load)."""
    if rows:
        table = Assignment.__table__  # type: ignore[attr-defined]
        session.connection().execute(insert(table).returning(table.c.id), rows)


def _assignment_rows(
    task_id: int, deadline: date, due: datetime, unit_ids: Iterable[int], now: datetime
) -> list[dict[str, Any]]:
    """Return the rows of a task's new assignments, one per unit (each unit once)."""
    return [
        {
            "task_id": task_id,
            "unit_id": unit_id,
            "original_deadline": deadline,
            "deadline": deadline,
            "due_at": due,
            "created_at": now,
        }
        for unit_id in dict.fromkeys(unit_ids)
    ]


def assign_units(
    session: Session,
    *,
    task: Task,
    unit_ids: Iterable[int],
    tz: tzinfo,
    new_task: bool = False,
    now: datetime | None = None,
    calendar: WorkingCalendar | None = None,
) -> int:
    """Assign the task to units not yet on it (reactivating removed ones); return how many.

    A task of a whole country is thousands of assignments: added one object at a time, the
    write lock was held for most of a second while every tap waited. Units already on the
    task are read as plain rows; the new ones are inserted in one statement, the removed
    ones brought back in another (per chunk of units). A `new_task` has no units to read.
    A unit brought back starts afresh at `now` (its `created_at`), as a new one does: its
    reminder plan then opens with the "assigned" notice on the next office moment.
    """
    task_id = task.id
    assert task_id is not None
    on_task = select(Assignment.unit_id, Assignment.active).where(Assignment.task_id == task_id)
    existing: dict[int, bool] = {} if new_task else dict(session.exec(on_task).all())
    wanted = list(dict.fromkeys(unit_ids))
    back = [u for u in wanted if u in existing and not existing[u]]
    new = [u for u in wanted if u not in existing]
    now = now or utcnow()
    for chunk in chunks(back):
        session.execute(
            update(Assignment)
            .where(col(Assignment.task_id) == task_id, col(Assignment.unit_id).in_(chunk))
            .values(active=True, created_at=now)
            .execution_options(synchronize_session="fetch")
        )
    if new:
        due = due_time(session, task.deadline, tz, calendar)
        rows = _assignment_rows(task_id, task.deadline, due, new, now)
        _insert_assignments(session, rows)
    session.flush()
    return len(back) + len(new)


def stored_id(task: Task) -> int:
    """Return a stored task's id."""
    assert task.id is not None
    return task.id


def chunks(ids: Sequence[int], size: int = CHUNK) -> Iterator[Sequence[int]]:
    """Yield the ids in slices small enough for one statement's bound parameters."""
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def active_unit_ids(session: Session, *, task_id: int) -> list[int]:
    """Return the units currently on the task, in the order they were assigned (plain ids)."""
    query = (
        select(Assignment.unit_id)
        .where(Assignment.task_id == task_id, col(Assignment.active).is_(True))
        .order_by(col(Assignment.id))
    )
    return list(session.exec(query))


def assignments_of(session: Session, *, task_id: int, active: bool = True) -> list[Assignment]:
    """Return the task's assignments (only current ones by default)."""
    query = select(Assignment).where(Assignment.task_id == task_id)
    if active:
        query = query.where(col(Assignment.active).is_(True))
    return list(session.exec(query.order_by(col(Assignment.id))))


@dataclass(frozen=True)
class TaskUnit:
    """A unit a task was given to (still or once), by its assignment."""

    assignment_id: int
    code: str
    name: str


def task_units(session: Session, *, task_id: int) -> list[TaskUnit]:
    """Return every unit the task was given to (taken off it too), in the order assigned."""
    query = (
        select(Assignment.id, Unit.code, Unit.name)
        .join(Unit, col(Unit.id) == col(Assignment.unit_id))
        .where(Assignment.task_id == task_id)
        .order_by(col(Assignment.id))
    )
    return [TaskUnit(int(a or 0), str(c), str(n)) for a, c, n in session.exec(query)]
