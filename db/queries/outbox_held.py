"""Messages held for office time (`not_before` later than they were queued), moved later.

A nudge, a notice or a digest queued out of office time waits for the next office moment
(app.notices.office_moment). When that moment's day becomes a day off afterwards, what
waits for it is moved to the next one by one statement: a row being sent is not touched,
nor one already due (its moment came), nor one queued to go at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col

from core.states import SendStatus
from db.models import Outbox


def move_held(
    session: Session,
    *,
    kinds: Sequence[str],
    since: datetime,
    until: datetime,
    now: datetime,
    to: datetime,
) -> int:
    """Move the pending rows of these kinds held until a moment in [since, until), still
    ahead of `now`, to `to`; return how many moved."""
    statement = (
        update(Outbox)
        .where(
            col(Outbox.status) == SendStatus.PENDING,
            col(Outbox.kind).in_(list(kinds)),
            col(Outbox.not_before) >= since,
            col(Outbox.not_before) < until,
            col(Outbox.not_before) > now,
            col(Outbox.not_before) > col(Outbox.created_at),  # held, not queued to go at once
        )
        .values(not_before=to)
        .returning(col(Outbox.id))
    )
    # The driver's rowcount of an update is not to be trusted: RETURNING is.
    return len(session.execute(statement).all())
