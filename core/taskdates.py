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
