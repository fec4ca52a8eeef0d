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

from sqlalchemy import delete, or_, select, update
from sqlmodel import Session, col

from core.states import SendStatus
from db.models import Outbox, OutboxItem
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


def unstand_held(
    session: Session, *, key_prefix: str, since: datetime, until: datetime, now: datetime
) -> int:
    """Take the "due today" part off the notices (keys `key_prefix`…) held until a moment in
    [since, until), a day just made a day off; return how many.

    Such a notice, of a deadline moved to the day it was to go, says the deadline is today
    and stands in for that day's due reminder (its items, `reminder_outbox.sent_today`).
    Moved to the next office moment, its "today" would be another day, and the day's sweep
    would leave that day's reminder to it: it goes as its plain words (`recipe["words"]`),
    about no assignment, and the sweep reminds of the deadline as it then is. A row queued
    without those words (before they were kept) is left as it was.
    """
    rows = session.execute(
        select(col(Outbox.id), col(Outbox.payload)).where(
            *_held(["notice"], now=now),
            col(Outbox.key).startswith(key_prefix),
            col(Outbox.not_before) >= since,
            col(Outbox.not_before) < until,
            col(Outbox.id).in_(select(col(OutboxItem.outbox_id))),
        )
    ).all()
    changed = 0
    for outbox_id, payload in rows:
        recipe = payload.get("recipe") if isinstance(payload, dict) else None
        words = recipe.get("words") if isinstance(recipe, dict) else None
        if not isinstance(words, str):
            continue
        plain = {k: v for k, v in payload.items() if k not in ("choices", "recipe")}
        plain["text"] = words
        session.execute(update(Outbox).where(col(Outbox.id) == outbox_id).values(payload=plain))
        session.execute(delete(OutboxItem).where(col(OutboxItem.outbox_id) == outbox_id))
        changed += 1
    return changed


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
