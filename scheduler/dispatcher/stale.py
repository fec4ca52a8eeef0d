"""What the dispatcher queues for one day only, cancelled once that day is over.

A contact's reminder and the coordinators' lists of escalated and missed: left unsent past
midnight, each is cancelled, and the next day's sweep says it again, up to date (a
reminder's occasions fold into the next one).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, tzinfo

from sqlmodel import Session

from db.queries import reminder_outbox as queued
from db.queries import swept_days as swept
from db.queries.outbox import cancel_pending

DAILY_KINDS = ("reminder", "escalation", "late")


def expire_stale(session: Session, *, today: date, tz: tzinfo) -> int:
    """Cancel reminders and coordinators' lists of earlier days never sent.

    The reminders' occasions then count as missed, folded into today's reminder: their days
    are taken out of the days swept, where an occasion without a record was not missed.
    """
    midnight = start_of_day(today, tz)
    cancelled = cancel_pending(session, kind="reminder", created_before=midnight)
    forgotten = queued.forget_reminders_of(session, outbox_ids=cancelled, before=today, tz=tz)
    if forgotten:
        swept.forget(session, forgotten, now=midnight)
    lists = [
        cancel_pending(session, kind=kind, created_before=midnight)
        for kind in DAILY_KINDS
        if kind != "reminder"
    ]
    return len(cancelled) + sum(map(len, lists))


def stale(kind: str, created_at: datetime | None, *, today: date, tz: tzinfo) -> bool:
    """Tell whether a queued message is one of an earlier day that expire_stale cancels."""
    return kind in DAILY_KINDS and created_at is not None and created_at < start_of_day(today, tz)


def start_of_day(day: date, tz: tzinfo) -> datetime:
    """Return local midnight of the day, in UTC."""
    return datetime.combine(day, time(0, 0), tzinfo=tz).astimezone(UTC)
