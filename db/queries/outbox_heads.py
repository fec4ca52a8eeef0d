"""The head of each chat's outbox queue: which row of a chat may be claimed now.

Messages to one chat go out in the order they were queued (by id), one at a time: a row is
claimed (`db/queries/outbox_claim.py`) only when it heads its chat's queue (`heads`), no
earlier row of the chat still to be sent and in flight or free to go. A row the channel
keeps failing (5xx, put off for a retry `HOLDS_ITS_KIND_AFTER` times) holds only the later
rows of its kind. Both senders claim through it, so the rule holds on every channel and
across restarts.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, Select, and_, bindparam, case, func, not_, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session

from db.models import Outbox
from db.queries.outbox import READY, office_flagged

# Tries after which a row put off for a retry holds only its chat's later rows of its kind
# (a notice the next notices, a reminder the next reminders): the first try and the first
# retry failed, five minutes apart, and the rest of its ~40 minutes of retries would hold
# the person's reminder or digest of the day too. Notices of one task stay in their order
# ("closed" never after "reopened"), since they are of one kind.
HOLDS_ITS_KIND_AFTER = 2


@dataclass(frozen=True)
class Bounds:
    """What a claim may send now (`claim`'s arguments of the same names)."""

    max_priority: int | None = None
    kinds_held: tuple[str, ...] = ()
    office_held: bool = False


def may_go(
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
    conditions = may_go(
        row,
        max_priority=bounds.max_priority,
        kinds_held=bounds.kinds_held,
        office_held=bounds.office_held,
    )
    in_flight = row.lease_until >= now
    due = and_(*conditions, row.not_before <= now)
    put_off = and_(*conditions, row.attempts > 0)
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
