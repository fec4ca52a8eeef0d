"""Deadlines are local days; on time means done before the end of that day, local time."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo


def due_at(deadline: date, tz: tzinfo) -> datetime:
    """Return the end of the deadline day in local time (next midnight), as UTC."""
    next_midnight = datetime.combine(deadline + timedelta(days=1), time(0, 0), tzinfo=tz)
    return next_midnight.astimezone(UTC)


def local_day(moment: datetime, tz: tzinfo) -> date:
    """Return the local calendar day of an aware moment."""
    return moment.astimezone(tz).date()


def effective_deadline(deadline: date, due_at: datetime, tz: tzinfo) -> date:
    """Return the day an assignment is due in effect: its deadline in force, or the working
    day it rolls to off a day off (Civil Code 2015, art. 148), whose end `due_at` is.

    Days overdue (and late) count from it, as `due_at` decides overdue; a `due_at` still
    at the end of the nominal day (before the sweep rolled it) counts from the deadline."""
    return max(deadline, local_day(due_at - timedelta(microseconds=1), tz))
