"""What the reminder sweeps covered: today's, and each recent day's.

Today's is three state values: the day whose first (full) run is done, the highest
assignment id covered since, from which a later run that day goes on, and the highest audit
entry read, from which it looks for deadlines moved. The days the sweep
ran are kept each with the highest assignment id it covered that day: an occasion of one of
those days with no record was not missed, it was not due then (the unit had reported done,
the deadline was later, the task was closed). Kept a little longer than the sweep looks
back for missed reminders.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlmodel import Session

from db.queries import swept_days as swept
from scheduler.sweep import MISSED_HORIZON

SWEPT_ON = "reminders.swept_on"
SWEPT_MAX = "reminders.swept_max_id"
# The highest audit entry a run read: a later run plans again the tasks a deadline of which
# moved in the entries since (`/deadline`, an extension, a day off).
SWEPT_AUDIT = "reminders.swept_audit_id"
# The calendar (`WorkingCalendar.fingerprint`) the stored due times were last rolled for.
ROLLED_FOR = "reminders.due_rolled_for"
SWEPT_DAYS = swept.ONE_VALUE  # a row per day under its prefix (db.queries.swept_days)
SWEPT_KEEP = MISSED_HORIZON + timedelta(days=7)


def record_swept(session: Session, day: date, top: int, *, now: datetime) -> None:
    """Record that the sweep of `day` covered the assignments up to `top` (the higher of this
    and what was recorded of that day is kept), atomically: another sweep recording at the
    same moment loses nothing (db.queries.swept_days)."""
    swept.record(session, day, top, keep_from=day - SWEPT_KEEP, now=now)


def swept_days(session: Session) -> dict[date, int]:
    """Return the recent days the sweep ran, each with the highest assignment id it covered."""
    return swept.read(session)
