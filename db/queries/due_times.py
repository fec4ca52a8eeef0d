"""Each assignment's `due_at` kept at the end of the day it is due in effect.

A deadline on a day off is met on the next working day (Civil Code 2015, art. 148): the
reminder plan rolls it (`core.reminders.Plan.due_day`), and so do the status and its counts,
which read `due_at`. A deadline is entered rolled already (`/deadline`, `/newtask`), and a day
off added by `/calendar add` moves the deadlines due on it; what is left on a day off is old
data, or a day the `holidays` package added since. The day's first sweep sets those rows'
`due_at` here (the task counts follow by their triggers).
"""

from __future__ import annotations

from datetime import tzinfo

from sqlalchemy import select, update
from sqlmodel import Session, col

from core.calendar import WorkingCalendar
from core.taskdates import due_at
from db.models import Assignment


def roll_due_times(session: Session, *, calendar: WorkingCalendar, tz: tzinfo) -> int:
    """Set `due_at` to the end of each deadline's working day (rolled off a day off, or back
    on a day off no longer) where it is not; return how many assignments changed."""
    pairs = session.execute(select(col(Assignment.deadline), col(Assignment.due_at)).distinct())
    changed = 0
    for deadline, due in pairs.all():
        wanted = due_at(calendar.roll_forward(deadline)[0], tz)
        if due == wanted:
            continue
        statement = (
            update(Assignment)
            .where(col(Assignment.deadline) == deadline, col(Assignment.due_at) == due)
            .values(due_at=wanted)
            .returning(col(Assignment.id))
        )
        changed += len(session.execute(statement).all())
    return changed
