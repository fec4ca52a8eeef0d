"""The outbox's sender side: claims with leases, marks before and after the call.

A sender leases rows (`lease_owner`, `lease_until`); a lease that expires (its sender
died) makes the row claimable again. Status: pending -> sending (marked just before the
call) -> sent | failed, or back to pending (retried later, rerouted to another identity), or
cancelled (no longer needed). What a row holds: `db/queries/outbox.py`.

Messages to one chat go out in the order they were queued (by id), one at a time: a row is
claimed only when it heads its chat's queue (`heads`), no earlier row of the chat still to
be sent and in flight or free to go. A row the channel keeps failing (5xx, put off for a
retry `HOLDS_ITS_KIND_AFTER` times) holds only the later rows of its kind. Both senders
claim here, so the rule holds on every channel and across restarts.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Select,
    and_,
    bindparam,
    case,
    func,
    not_,
    or_,
    update,
)
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from core.states import SendStatus
from db.models import Outbox
from db.queries.audit import record
from db.queries.outbox import READY, TELEGRAM, office_flagged
from db.queries.task_notices import CHANGED, TOLD, UNTOLD

# Tries after which a row put off for a retry holds only its chat's later rows of its kind
# (a notice the next notices, a reminder the next reminders): the first try and the first
# retry failed, five minutes apart, and the rest of its ~40 minutes of retries would hold
# the person's reminder or digest of the day too. Notices of one task stay in their order
# ("closed" never after "reopened"), since they are of one kind.
HOLDS_ITS_KIND_AFTER = 2


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
    may_go = partial(
        _may_go, max_priority=max_priority, kinds_held=kinds_held, office_held=office_held
    )
    query = (
        select(Outbox.id, Outbox.chat_id, Outbox.kind)
        .where(
            col(Outbox.status).in_(READY),
            col(Outbox.not_before) <= now,
            free,
            Outbox.channel == channel,
            *may_go(Outbox),
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


@dataclass(frozen=True)
class Bounds:
    """What a claim may send now (`claim`'s arguments of the same names)."""

    max_priority: int | None = None
    kinds_held: tuple[str, ...] = ()
    office_held: bool = False


def _may_go(
    table: Any,
    *,
    max_priority: int | None,
    kinds_held: Sequence[str],
    office_held: bool,
) -> list[ColumnElement[bool]]:
    """Return the conditions of a row (of `table`) that a claim of these bounds may send
    now: as urgent as `max_priority`, of no kind held, not flagged while office time is
    over."""
    conditions: list[ColumnElement[bool]] = []
    if max_priority is not None:
        conditions.append(table.priority <= max_priority)
    if kinds_held:
        conditions.append(table.kind.not_in(list(kinds_held)))
    if office_held:
        conditions.append(not_(office_flagged(table)))
    return conditions


def heads(
    session: Session,
    channel: str,
    now: datetime,
    bounds: Bounds,
    *,
    chats: set[str],
) -> dict[tuple[str, str], int]:
    """Return the id of the row heading each of these chats' queues on a channel, for a row
    of each kind found in them: `(chat, kind) -> id`.

    A chat's head is its first row (the lowest id) still to be sent which is in flight
    (leased: being sent, or its sender died and the lease has not run out) or may go now
    (due, or put off for a retry after a try, within the claim's bounds). A row the claim
    may take is such a row, so it is taken only when it heads its chat: the row before it
    is sent, failed for good, cancelled or rerouted before it goes, and a notice retried is
    not overtaken by its correction, nor a text in parts by the next one. A row held for
    later that was never tried (a notice or nudge waiting for office time, a reminder out of
    office time) heads nothing: what is queued meanwhile goes. A kind whose first row is put
    off after `HOLDS_ITS_KIND_AFTER` tries waits alone: a reminder or a digest goes past a
    notice that keeps meeting 5xx and the notices queued after it, which wait for it.

    Read for the chats of a page of candidates only: a look back from every ready row, or a
    grouped pass over all of them, made each claim of a 3,000-row fan-out several times
    slower (SQLite ran it for every ready row before the ORDER BY and LIMIT); a chat's rows
    still to send are found by `ix_outbox_chat` (migration 0019).
    """
    if not chats:
        return {}
    said = {"channel": channel, "chats": sorted(chats), "now": now}
    found = session.connection().execute(_heads_query(bounds), said)
    # A kind's rows of a chat wait behind its first; a kind whose first is put off again
    # holds no other kind, the rest go in the chat's order.
    going: dict[tuple[str, str], int] = {}
    for chat, kind, first, again in found:
        if first is not None and first != again:
            going[(chat, kind)] = first
    chat_first: dict[str, int] = {}
    for (chat, _), first in going.items():
        chat_first[chat] = min(chat_first.get(chat, first), first)
    return {key: first for key, first in going.items() if chat_first[key[0]] == first}


@functools.cache
def _heads_query(bounds: Bounds) -> Select[tuple[str, str, int | None, int | None]]:
    """Return the statement of `heads` for claims of these bounds, built once (by Core
    columns, its parameters bound at each claim): built at each claim, it was most of the
    claim's time in Python."""
    row = Outbox.__table__.c  # type: ignore[attr-defined]
    now: BindParameter[datetime] = bindparam("now", type_=row.not_before.type)  # UTC
    may_go = _may_go(
        row,
        max_priority=bounds.max_priority,
        kinds_held=bounds.kinds_held,
        office_held=bounds.office_held,
    )
    in_flight = row.lease_until >= now
    due = and_(*may_go, row.not_before <= now)
    put_off = and_(*may_go, row.attempts > 0)
    free = or_(row.lease_until.is_(None), row.lease_until < now)
    put_off_again = and_(free, row.not_before > now, row.attempts >= HOLDS_ITS_KIND_AFTER)
    return (
        sa_select(row.chat_id, row.kind, func.min(row.id), func.min(case((put_off_again, row.id))))
        .where(
            row.channel == bindparam("channel"),
            row.chat_id.in_(bindparam("chats", expanding=True)),
            row.status.in_(READY),
            or_(in_flight, due, put_off),
        )
        .group_by(row.chat_id, row.kind)
    )


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


def mark_sending(
    session: Session, *, outbox_id: int, owner: str, now: datetime, lease: timedelta
) -> bool:
    """Record that the call is about to be made; False when the lease was lost meanwhile."""
    result = session.execute(
        update(Outbox)
        .where(
            col(Outbox.id) == outbox_id,
            col(Outbox.lease_owner) == owner,
            col(Outbox.status).in_(READY),
        )
        .values(status=SendStatus.SENDING, attempts=Outbox.attempts + 1, lease_until=now + lease)
    )
    return bool(getattr(result, "rowcount", 0))


def mark_sent(session: Session, *, outbox_id: int, now: datetime, message_id: str) -> None:
    """Record that the channel accepted the message, and under which message id."""
    _settle(
        session,
        outbox_id,
        status=SendStatus.SENT,
        sent_at=now,
        channel_message_id=message_id,
        error=None,
    )


def mark_parts_sent(
    session: Session, *, outbox_id: int, parts: int, message_id: int | None = None
) -> None:
    """Record how many parts of a message split for length were delivered (not to repeat),
    and the channel's message id of the last one, when known (`part_ids`)."""
    row = session.get(Outbox, outbox_id)
    if row is not None:
        ids = [*row.payload.get("part_ids", []), *([str(message_id)] if message_id else [])]
        row.payload = {**row.payload, "parts_sent": parts, **({"part_ids": ids} if ids else {})}
        session.add(row)


def rewrite(session: Session, *, outbox_id: int, payload: dict[str, Any]) -> None:
    """Replace what a message says (its text and choices) before it is sent."""
    session.execute(update(Outbox).where(col(Outbox.id) == outbox_id).values(payload=payload))


def mark_failed(session: Session, *, outbox_id: int, error: str) -> None:
    """Give up on a message for good (blocked, refused, too many attempts).

    A notice of a moved deadline counted as telling it (its recipe's `TOLD`: the sweep's
    re-plan of the day left its reader no reminder) told nothing: audited as `UNTOLD` in the
    same transaction, so the next sweep plans its task again and reminds that contact, once
    (`reminder_outbox.said_today` no longer counts it), whatever restarts come between."""
    _settle(session, outbox_id, status=SendStatus.FAILED, error=error[:500])
    row = session.get(Outbox, outbox_id)
    if row is None or row.kind != "notice" or not row.key.startswith(f"{CHANGED}:"):
        return
    recipe = row.payload.get("recipe") if isinstance(row.payload, dict) else None
    told = recipe.get(TOLD) if isinstance(recipe, dict) else None
    first = told[0].get("assignment_id") if isinstance(told, list) and told else None
    if isinstance(first, int):
        details = {"outbox_id": outbox_id, "contact_id": row.contact_id}
        record(
            session, actor_id=None, action=UNTOLD, object_type="assignment", object_id=first,
            details=details,
        )  # fmt: skip


def reroute(session: Session, *, outbox_id: int, channel: str, chat_id: str) -> None:
    """Put a message back in the queue for another identity of the same person.

    Its key stays: the person still gets it once, on the channel that can reach them.
    """
    _settle(
        session, outbox_id, status=SendStatus.PENDING, channel=channel, chat_id=chat_id, error=None
    )


def retry_later(session: Session, *, outbox_id: int, not_before: datetime, error: str) -> None:
    """Put a message back in the queue for a later attempt."""
    _settle(
        session, outbox_id, status=SendStatus.PENDING, not_before=not_before, error=error[:500]
    )


def put_back(session: Session, *, outbox_id: int, error: str) -> None:
    """Put a message back in the queue as it was, its try not counted: the call never
    reached the channel (out of reach), so nothing can have been sent."""
    _settle(
        session,
        outbox_id,
        status=SendStatus.PENDING,
        attempts=Outbox.attempts - 1,
        error=error[:500],
    )


def _settle(session: Session, outbox_id: int, **values: Any) -> None:
    """Write what became of a leased message, and give its lease back."""
    session.execute(
        update(Outbox)
        .where(col(Outbox.id) == outbox_id)
        .values(**values, lease_owner=None, lease_until=None)
    )


def release(session: Session, *, outbox_ids: Iterable[int], owner: str) -> None:
    """Give back leased messages never tried (the sender is stopping)."""
    ids = list(outbox_ids)
    if ids:
        session.execute(
            update(Outbox)
            .where(
                col(Outbox.id).in_(ids),
                col(Outbox.lease_owner) == owner,
                col(Outbox.status) == SendStatus.PENDING,
            )
            .values(lease_owner=None, lease_until=None)
        )


def take_over_leases(session: Session, *, channel: str) -> int:
    """Free every lease on the channel's rows; return how many.

    For the one elected sender of a channel (WORKERS=multi), before its first drain of a
    term: any lease is a dead or cut-off sender's, or its own from a drain the lost role
    stopped, whose rows would otherwise wait for the lease to run out. A row marked
    `sending` is tried again, as after a crash.
    """
    result = session.execute(
        update(Outbox)
        .where(
            col(Outbox.channel) == channel,
            col(Outbox.status).in_(READY),
            col(Outbox.lease_owner).is_not(None),
        )
        .values(lease_owner=None, lease_until=None)
    )
    return int(getattr(result, "rowcount", 0))


def cancel(session: Session, *, outbox_id: int, reason: str) -> None:
    """Drop a message that is no longer needed (e.g. the unit reported done meanwhile)."""
    _settle(session, outbox_id, status=SendStatus.CANCELLED, error=reason[:500])
