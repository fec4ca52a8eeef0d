"""What the service's health is made of, read from the database: the outbox's oldest due
message (and urgent one), its depth, today's reminders; whether the senders are stuck.
`web/health.py` answers the probes with it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import text

from app.services import Services
from db.engine import session_scope
from db.queries import outbox as box

# A reply or notice due for longer than this means the senders are stuck.
STUCK_AFTER = timedelta(minutes=10)


@dataclass(frozen=True)
class DbFigures:
    """What /healthz and /metrics read from the database."""

    oldest_due: datetime | None
    oldest_urgent: datetime | None
    depth: int
    reminders_due: int
    reminders_sent: int

    def stuck(self, now: datetime) -> bool:
        """Whether a reply or notice has waited past STUCK_AFTER."""
        return self.oldest_urgent is not None and now - self.oldest_urgent > STUCK_AFTER


def figures(services: Services) -> DbFigures:
    """Read the outbox's figures (raises when the database is unreachable) (blocking)."""
    now = services.clock.now()
    local = now.astimezone(services.settings.tz)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    with session_scope(services.engine) as session:
        session.execute(text("SELECT 1"))
        due, sent = box.reminders_today(session, since=midnight, until=midnight + timedelta(1))
        return DbFigures(
            box.oldest_due(session, now=now),
            box.oldest_due(session, now=now, max_priority=box.PRIORITY_NOTICE),
            box.ready_count(session, now=now),
            due,
            sent,
        )


def ping(services: Services) -> None:
    """Run one trivial query (raises when the database is unreachable) (blocking)."""
    with session_scope(services.engine) as session:
        session.execute(text("SELECT 1"))
