"""The outbox's sender side, claiming: due rows leased to one sender, most urgent first.

A sender leases rows (`lease_owner`, `lease_until`); a lease that expires (its sender
died) makes the row claimable again. A row is claimed only when it heads its chat's queue
(`db/queries/outbox_heads.py`). Status: pending -> sending (marked just before the call)
-> sent | failed, or back to pending (retried later, rerouted to another identity), or
cancelled (no longer needed): `db/queries/outbox_marks.py`; leases given back as a sender
stops or takes over: `db/queries/outbox_leases.py`. What a row holds:
`db/queries/outbox.py`.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from db.models import Outbox
from db.queries.outbox import READY, TELEGRAM
from db.queries.outbox_heads import Bounds, heads, may_go


@dataclass(frozen=True)
class Claimed:
    """A leased message, detached from the session, ready to send."""

    id: int
    chat_id: str
    contact_id: int | None
    kind: str
    priority: int
    payload: dict[str, Any]
    attempts: int
    status: str  # "sending": it was in flight when its last sender died
    channel: str = TELEGRAM
    created_at: datetime | None = None  # when it was queued


def claim(
    session: Session,
    *,
    owner: str,
    now: datetime,
    limit: int,
    lease: timedelta,
    max_priority: int | None = None,
    channel: str = TELEGRAM,
    kinds_held: Sequence[str] = (),
    office_held: bool = False,
) -> list[Claimed]:
    """Lease up to `limit` due messages of a channel, most urgent first, skipping rows held
    (and, with `max_priority`, those less urgent; with `kinds_held`, those of these kinds;
    with `office_held`, those flagged for office time, `outbox.OFFICE`).

    A row is claimed only when it heads its chat's queue (`heads`), so what one chat is sent
    arrives in the order it was queued, whatever its priorities.

    Safe with several senders: PostgreSQL skips rows locked by another claim, and the
    lease is taken with a conditional UPDATE, so on SQLite too a row goes to one owner.
    """
    free = or_(col(Outbox.lease_until).is_(None), col(Outbox.lease_until) < now)
    bounds = Bounds(max_priority, tuple(kinds_held), office_held)
    query = (
        select(Outbox.id, Outbox.chat_id, Outbox.kind)
        .where(
            col(Outbox.status).in_(READY),
            col(Outbox.not_before) <= now,
            free,
            Outbox.channel == channel,
            *may_go(
                Outbox, max_priority=max_priority, kinds_held=kinds_held, office_held=office_held
            ),
        )
        .order_by(col(Outbox.priority), col(Outbox.not_before), col(Outbox.id))
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    ids: list[int] = []
    # A page at a time, as many as wanted: a chat's later rows are few, and PostgreSQL
    # locks every row a page reads (another claim skips them).
    for offset in itertools.count(0, limit):
        page = list(session.exec(query.offset(offset).limit(limit)))
        first = heads(session, channel, now, bounds, chats={chat for _, chat, _ in page})
        ids += [i for i, chat, kind in page if i is not None and first.get((chat, kind)) == i]
        if len(ids) >= limit or len(page) < limit:
            break
    ids = ids[:limit]
    if not ids:
        return []
    until = now + lease
    # The rows leased come back with the UPDATE (RETURNING): a round trip less, which on
    # PostgreSQL is most of a claim's time once the heads are read too.
    leased = session.execute(
        update(Outbox)
        .where(col(Outbox.id).in_(ids), free)
        .values(lease_owner=owner, lease_until=until)
        .returning(Outbox)
    )
    rows = sorted(leased.scalars(), key=lambda r: (r.priority, r.not_before, r.id or 0))
    return [_claimed(row) for row in rows]


def _claimed(row: Outbox) -> Claimed:
    """Copy a leased row into a plain value."""
    assert row.id is not None
    return Claimed(
        id=row.id,
        chat_id=row.chat_id,
        contact_id=row.contact_id,
        kind=row.kind,
        priority=row.priority,
        payload=dict(row.payload),
        attempts=row.attempts,
        status=row.status,
        channel=row.channel,
        created_at=row.created_at,
    )
