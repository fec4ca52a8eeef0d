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

from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from sqlalchemy import select, update
from sqlmodel import Session, col

from core.calendar import WorkingCalendar
from core.taskdates import due_at
from db.models import Assignment
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
