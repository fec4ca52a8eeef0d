"""Each assignment's `due_at` kept at the end of the day it is due in effect.

A deadline on a day off is met on the next working day (Civil Code 2015, art. 148): the
reminder plan rolls it (`core.reminders.Plan.due_day`), and so do the status and its counts,
which read `due_at`. Every write of a deadline stores its `due_at` rolled (`due_time`); a
deadline is mostly entered rolled already (`/deadline`, `/newtask`), and a day off added by
`/calendar add` moves the deadlines due on it. What is left misplaced is old data, or a day
the `holidays` package added since: the day's first sweep sets those rows' `due_at` here, a
slice of rows a transaction (the task counts follow by their triggers).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from sqlalchemy import select, update
from sqlmodel import Session, col

from core.calendar import WorkingCalendar
from core.states import TaskStatus
from core.taskdates import due_at, local_day
from db.models import Assignment, Task
from db.queries.calendar import working_calendar

SLICE = 200  # rows a transaction moves: SQLite's writers take turns between slices


def due_time(
    session: Session, deadline: date, tz: tzinfo, calendar: WorkingCalendar | None = None
) -> datetime:
    """Return the `due_at` a deadline is stored with: the end of the working day it rolls
    to, so a row stored for a Saturday reads as due Monday before any sweep (its status, its
    days overdue and the day every page and file says). `calendar`: the province's, when the
    caller read it already (an import reads it once, not once a task)."""
    calendar = calendar or working_calendar(session)
    return due_at(calendar.roll_forward(deadline)[0], tz)


@dataclass(frozen=True, slots=True)
class Misplaced:
    """Assignments of one deadline whose `due_at` is `due` where it should be `wanted`."""

    deadline: date
    due: datetime
    wanted: datetime


def misplaced_due_times(
    session: Session, *, calendar: WorkingCalendar, tz: tzinfo
) -> list[Misplaced]:
    """Return each deadline and stored `due_at` that is not the end of the deadline's
    working day (rolled off a day off, or back on a day off no longer): reads only."""
    pairs = session.execute(select(col(Assignment.deadline), col(Assignment.due_at)).distinct())
    found = []
    for deadline, due in pairs.all():
        wanted = due_at(calendar.roll_forward(deadline)[0], tz)
        if due != wanted:
            found.append(Misplaced(deadline, due, wanted))
    return found


def roll_slice(session: Session, misplaced: Misplaced, *, limit: int = SLICE) -> int:
    """Move up to `limit` of the misplaced assignments to their due time; return how many."""
    ids = (
        select(col(Assignment.id))
        .where(
            col(Assignment.deadline) == misplaced.deadline,
            col(Assignment.due_at) == misplaced.due,
        )
        .limit(limit)
        .scalar_subquery()
    )
    statement = (
        update(Assignment)
        .where(col(Assignment.id).in_(ids))
        .values(due_at=misplaced.wanted)
        .returning(col(Assignment.id))
    )
    return len(session.execute(statement).all())


# How far before a day changed by `/calendar` a deadline may lie and still roll onto or past
# it: Tết's days off with the weekends beside them are ten days; a margin for a province's own.
ROLL_REACH = timedelta(days=45)


@dataclass(frozen=True, slots=True)
class Rerolled:
    """Current assignments of one open task whose day due in effect is now another: their
    deadline (on a day off) rolls to `new`, where their `due_at` says `old`."""

    task_id: int
    old: date
    new: date
    assignment_ids: tuple[int, ...]


def rolled_across(
    session: Session, *, day: date, calendar: WorkingCalendar, tz: tzinfo
) -> list[Rerolled]:
    """Return the current assignments of open tasks whose deadline, on or before `day`, rolled
    (off a day off) onto or past it and rolls elsewhere in `calendar` (`day` changed: a day
    off made a working day, a day off added or removed): reads only, by task and days."""
    since = datetime.combine(day, time(), tzinfo=tz).astimezone(UTC)
    rows = session.execute(
        select(
            col(Assignment.id),
            col(Assignment.task_id),
            col(Assignment.deadline),
            col(Assignment.due_at),
        )
        .join(Task, col(Task.id) == col(Assignment.task_id))
        .where(col(Task.status) == TaskStatus.OPEN, col(Assignment.active).is_(True))
        .where(col(Assignment.deadline) <= day, col(Assignment.deadline) >= day - ROLL_REACH)
        .where(col(Assignment.due_at) > since)
        .order_by(col(Assignment.task_id), col(Assignment.id))
    ).all()
    found: dict[tuple[int, date, date], list[int]] = {}
    for assignment_id, task_id, deadline, due in rows:
        new = calendar.roll_forward(deadline)[0]
        if due != due_at(new, tz):
            old = local_day(due - timedelta(microseconds=1), tz)
            found.setdefault((task_id, old, new), []).append(assignment_id)
    return [Rerolled(t, old, new, tuple(ids)) for (t, old, new), ids in found.items()]


def set_due(session: Session, *, assignment_ids: Sequence[int], due: datetime) -> int:
    """Give the assignments `due_at` `due` (their counts follow by the triggers); return how
    many rows changed."""
    statement = (
        update(Assignment)
        .where(col(Assignment.id).in_(assignment_ids), col(Assignment.due_at) != due)
        .values(due_at=due)
        .returning(col(Assignment.id))
    )
    return len(session.execute(statement).all())
