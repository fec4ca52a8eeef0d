"""Messages held for office time (`not_before` later than they were queued), moved.

A nudge, a notice or a digest queued out of office time waits for the next office moment
(app.notices.office_moment). When that moment's day becomes a day off afterwards, what
waits for it is moved to the next one by one statement: a row being sent is not touched,
nor one already due (its moment came), nor one queued to go at once. When the day off is
removed, what waits past it is brought back by when it was queued (`held_queued`,
`bring_held`): the office moment it would have had is counted from that time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select, update
from sqlmodel import Session, col

from core.states import SendStatus
from db.models import Outbox
from db.queries.outbox import office_flagged

IN_AT_ONCE = 500  # queued times named in one statement


def _held(kinds: Sequence[str], *, now: datetime) -> list[Any]:
    """Return the conditions of a pending row of these kinds held for later, still ahead."""
    return [
        col(Outbox.status) == SendStatus.PENDING,
        col(Outbox.kind).in_(list(kinds)),
        col(Outbox.not_before) > now,
        col(Outbox.not_before) > col(Outbox.created_at),  # held, not queued to go at once
    ]


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
            *_held(kinds, now=now),
            col(Outbox.not_before) >= since,
            col(Outbox.not_before) < until,
        )
        .values(not_before=to)
        .returning(col(Outbox.id))
    )
    # The driver's rowcount of an update is not to be trusted: RETURNING is.
    return len(session.execute(statement).all())


def held_queued(
    session: Session,
    *,
    kinds: Sequence[str],
    since: datetime,
    until: datetime,
    queued_before: datetime,
    now: datetime,
) -> list[datetime]:
    """Return when the pending rows of these kinds held until a moment in [since, until],
    still ahead of `now`, were queued (each time once), those queued before `queued_before`."""
    statement = (
        select(col(Outbox.created_at))
        .where(
            *_held(kinds, now=now),
            col(Outbox.not_before) >= since,
            col(Outbox.not_before) <= until,
            col(Outbox.created_at) < queued_before,
        )
        .distinct()
    )
    return list(session.execute(statement).scalars())


def bring_held(
    session: Session,
    *,
    kinds: Sequence[str],
    since: datetime,
    until: datetime,
    queued: Sequence[datetime],
    now: datetime,
    to: datetime,
) -> int:
    """Move the rows `held_queued` found for these bounds and queued at one of `queued` to
    `to` (earlier); return how many moved."""
    moved = 0
    for first in range(0, len(queued), IN_AT_ONCE):
        statement = (
            update(Outbox)
            .where(
                *_held(kinds, now=now),
                col(Outbox.not_before) >= since,
                col(Outbox.not_before) <= until,
                col(Outbox.created_at).in_(list(queued[first : first + IN_AT_ONCE])),
            )
            .values(not_before=to)
            .returning(col(Outbox.id))
        )
        moved += len(session.execute(statement).all())
    return moved


def hold_left_over(
    session: Session,
    *,
    kinds: Sequence[str],
    now: datetime,
    to: Callable[[], datetime],
    flagged: bool = False,
) -> int:
    """Hold the pending rows of these kinds (and with `flagged`, those flagged for office
    time, `outbox.OFFICE`) that were due by `now` (queued to go at once in
    office time, still queued when it ended) until `to()`, the next office moment (asked only
    when there are some); return how many. Their day's reminders then count them as sent
    that morning, as a row held then. Read first: the senders ask at every claim out of
    office time, and an UPDATE would take SQLite's write lock each time for nothing."""
    due = [
        col(Outbox.status) == SendStatus.PENDING,
        or_(col(Outbox.kind).in_(list(kinds)), office_flagged())
        if flagged
        else col(Outbox.kind).in_(list(kinds)),
        col(Outbox.not_before) <= now,
    ]
    if session.execute(select(col(Outbox.id)).where(*due).limit(1)).first() is None:
        return 0
    statement = update(Outbox).where(*due).values(not_before=to()).returning(col(Outbox.id))
    return len(session.execute(statement).all())
