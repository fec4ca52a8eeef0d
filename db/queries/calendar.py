"""The province's own calendar overrides, and the working calendar everyone uses."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from core.calendar import WorkingCalendar
from db.models import CalendarOverride
from db.queries.audit import record


def working_calendar(session: Session) -> WorkingCalendar:
    """Return the working calendar with the province's overrides (one small query)."""
    days_off: dict[date, str] = {}
    worked: set[date] = set()
    for row in session.exec(select(CalendarOverride)):
        if row.working:
            worked.add(row.day)
        else:
            days_off[row.day] = row.reason
    return WorkingCalendar(days_off=days_off, extra_working_days=worked)


def overrides(session: Session, *, since: date | None = None) -> list[CalendarOverride]:
    """Return the overrides in date order (from `since` on, when given)."""
    query = select(CalendarOverride).order_by(col(CalendarOverride.day))
    if since is not None:
        query = query.where(col(CalendarOverride.day) >= since)
    return list(session.exec(query))


def override_on(session: Session, *, day: date) -> CalendarOverride | None:
    """Return what the province set for a day, if anything."""
    return session.get(CalendarOverride, day)


def set_override(
    session: Session, *, day: date, working: bool, reason: str, actor_id: int | None
) -> CalendarOverride:
    """Make a day a day off (or a working day), replacing what was set for it; audited."""
    row = session.get(CalendarOverride, day)
    if row is None:
        row = CalendarOverride(day=day, working=working, reason=reason, created_by_id=actor_id)
        session.add(row)
    else:
        row.working, row.reason = working, reason
    session.flush()
    record(
        session,
        actor_id=actor_id,
        action="calendar.set",
        object_type="calendar",
        object_id=day.isoformat(),
        details={"working": working, "reason": reason},
    )
    return row


def remove_override(
    session: Session, *, day: date, actor_id: int | None
) -> CalendarOverride | None:
    """Remove what the province set for a day and return it; None when nothing was (audited)."""
    row = session.get(CalendarOverride, day)
    if row is None:
        return None
    session.delete(row)
    record(
        session,
        actor_id=actor_id,
        action="calendar.removed",
        object_type="calendar",
        object_id=day.isoformat(),
        details={"working": row.working, "reason": row.reason},
    )
    return row
