"""A merged person's queued reminders: one message an assignment a day, not one per chat.

Two people found to be one (`db/queries/merging.py`) may each have had the same day's
reminder queued, about the same assignments: both were focal points of one unit, on
Telegram and on Zalo. The dispatcher queues a person an assignment once a day
(`reminder_outbox.sent_today`), whatever their channels; after the merge the joined person
holds both copies. In the merge's transaction, for each assignment that two of the person's
messages of one occasion are about (a reminder's day; a nudge's request), one copy is kept:

- one sent or being sent (what the person got, or may have got, already);
- else the one queued to the chat the person used last (where their messages go now);
- else the one queued first.

Every other copy still pending leaves it out: a message all of whose assignments are kept
elsewhere is cancelled (`error`: `merged: #<kept>`, the row stays as the trace); one that
still has others keeps them and names the assignments left out in its payload
(`merged_out`), which the sender composes away under its lease, as it does an assignment
no longer to chase (`scheduler/sender._leave_out`). A copy being sent is never touched.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, update
from sqlalchemy import select as columns
from sqlmodel import Session, col

from core.states import SendStatus
from db.models import Outbox, OutboxItem
from db.queries.contacts import identities_of

CHASING = ("reminder", "nudge")  # what is about assignments, once an occasion
MERGED_OUT = "merged_out"  # payload: the assignments a merge left out of a message
# Rows sent or in flight older than this are of an occasion no pending row shares: a day's
# reminder is cancelled unsent after its day; a nudge held past a long holiday is the rare
# one left, and is kept.
RECENT = timedelta(days=3)
KEPT_FIRST = (SendStatus.SENT, SendStatus.SENDING)

Occasion = tuple[str, ...]


@dataclass(frozen=True)
class Queued:
    """What deciding which copy to keep reads of a message."""

    key: str
    kind: str
    status: str
    channel: str
    chat_id: str
    payload: dict[str, Any]


def merged_out(payload: dict[str, Any]) -> set[int]:
    """Return the assignments a merge left out of a queued message (none: all of them go)."""
    return {int(i) for i in payload.get(MERGED_OUT, [])}


def drop_duplicates(session: Session, *, contact_id: int, now: datetime) -> int:
    """Keep one queued copy of each assignment an occasion, for a person just merged;
    return how many messages were cancelled or left something out."""
    query = (
        columns(
            col(Outbox.id),
            col(Outbox.key),
            col(Outbox.kind),
            col(Outbox.status),
            col(Outbox.channel),
            col(Outbox.chat_id),
            col(Outbox.payload),
            col(OutboxItem.assignment_id),
        )
        .join(OutboxItem, col(OutboxItem.outbox_id) == col(Outbox.id))
        .where(
            col(Outbox.contact_id) == contact_id,
            col(Outbox.kind).in_(CHASING),
            or_(
                col(Outbox.status) == SendStatus.PENDING,
                col(Outbox.status).in_(KEPT_FIRST) & (col(Outbox.created_at) >= now - RECENT),
            ),
        )
    )
    rows: dict[int, Queued] = {}
    copies: dict[tuple[Occasion, int], list[int]] = defaultdict(list)
    about: dict[int, set[int]] = defaultdict(set)
    for outbox_id, key, kind, status, channel, chat_id, payload, assignment_id in session.execute(
        query
    ):
        assert outbox_id is not None
        row = rows.setdefault(outbox_id, Queued(key, kind, status, channel, chat_id, payload))
        about[outbox_id].add(assignment_id)
        occasion = _occasion(row)
        if occasion is not None:
            copies[occasion, assignment_id].append(outbox_id)
    chats = [(i.channel, i.chat_id) for i in identities_of(session, contact_id=contact_id)]

    def first(outbox_id: int) -> tuple[int, int, int]:
        row = rows[outbox_id]
        where = (row.channel, row.chat_id)
        used = chats.index(where) if where in chats else len(chats)
        return (0 if row.status in KEPT_FIRST else 1, used, outbox_id)

    left_out: dict[int, set[int]] = defaultdict(set)
    kept_by: dict[int, int] = {}
    for (_, assignment_id), ids in copies.items():
        if len(ids) < 2:
            continue
        kept, *others = sorted(ids, key=first)
        for other in others:
            if rows[other].status == SendStatus.PENDING:
                left_out[other].add(assignment_id)
                kept_by.setdefault(other, kept)
    for outbox_id, gone in left_out.items():
        row = rows[outbox_id]
        if gone | merged_out(row.payload) >= about[outbox_id]:
            session.execute(
                update(Outbox)
                .where(col(Outbox.id) == outbox_id, col(Outbox.status) == SendStatus.PENDING)
                .values(status=SendStatus.CANCELLED, error=f"merged: #{kept_by[outbox_id]}")
            )
        else:
            payload = {**row.payload, MERGED_OUT: sorted(gone | merged_out(row.payload))}
            session.execute(
                update(Outbox)
                .where(col(Outbox.id) == outbox_id, col(Outbox.status) == SendStatus.PENDING)
                .values(payload=payload)
            )
    return len(left_out)


def _occasion(row: Queued) -> Occasion | None:
    """Return what a message is sent for once: a reminder's day, a nudge's request.

    A reminder's key is `rem:<contact>:<day>:<first>:<part>` and its recipe holds the day;
    a nudge's `nudge:<task>:<contact>:<request>:<part>`. None: a key of neither shape.
    """
    parts = row.key.split(":")
    if row.kind == "reminder":
        day = (row.payload.get("recipe") or {}).get("day")
        if day is None and len(parts) >= 3 and parts[0] == "rem":
            day = parts[2]
        return ("reminder", str(day)) if day else None
    if row.kind == "nudge" and len(parts) >= 4 and parts[0] == "nudge":
        return ("nudge", parts[1], parts[3])
    return None
