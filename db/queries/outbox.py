"""The outbox: every message the bot sends unasked goes through here to the one sender.

Payload contract: {"text": <str>, "format": "markup" (the text is neutral markup, see
core/markup.py; absent: Telegram HTML, as queued before markup existed), "choices": rows
of {"label": str, "data": [parts]} (rendered by each channel at send time: buttons, or
numbered lines) or absent, "document": {"path": ..., "file_name": ...} optional, "parts":
[plain texts] (an answer Zalo refused for now, its messages as shown, `app/unsent.py`)}; rows
queued before choices existed may hold "reply_markup" (a Telegram keyboard), which the
Telegram sender still sends; the sender adds "parts_sent" when it splits a text too long
for one message, and "part_ids", the message ids of the parts before the last (Telegram's).
Lower priority numbers go first: PRIORITY_INTERACTIVE for answers a person is waiting for,
PRIORITY_NOTICE for notifications (blockers, extension requests), PRIORITY_REMINDER for the
daily fan-out.

Status: pending -> sending (marked just before the call) -> sent | failed; `cancelled` for
a reminder superseded by the next day's, or a copy a merge of two people made redundant
(`outbox_merged.py`). How a sender leases rows is
`db/queries/outbox_claim.py` (a chat's head, `outbox_heads.py`), how it marks them
`outbox_marks.py`; this module queues them and counts what waits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, insert, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from core.states import SendStatus
from db.models import ContactIdentity, Outbox, OutboxItem
from db.upsert import insert_new

TELEGRAM = "telegram"  # the channel of rows queued without one (every row before Zalo)
MARKUP = "markup"  # payload["format"] of a text in neutral markup
PRIORITY_INTERACTIVE = 0
PRIORITY_NOTICE = 5
PRIORITY_REMINDER = 10
READY = ("pending", "sending")  # the statuses of a row still to be sent
OFFICE = "office"  # payload flag of a notice held to office time
EDIT_OF = "edit_of"  # payload: the row (sent on Telegram) whose message this one edits


def office_flagged(table: Any = Outbox) -> ColumnElement[bool]:
    """Return the condition of a row (of `table`, the outbox or an alias of it) flagged as
    going in office time only (`OFFICE`)."""
    return func.coalesce(table.payload[OFFICE].as_boolean(), False)


def enqueue(
    session: Session,
    *,
    key: str,
    chat_id: str,
    kind: str,
    text: str,
    now: datetime,
    contact_id: int | None = None,
    choices: list[list[dict[str, Any]]] | None = None,
    priority: int = PRIORITY_NOTICE,
    channel: str | None = None,
    not_before: datetime | None = None,
    assignment_ids: Iterable[int] = (),
    extra: dict[str, Any] | None = None,
) -> Outbox | None:
    """Queue a message under a unique key; None when that key was queued before.

    It goes out on `channel`, by default that of the recipient's identity at `chat_id`
    (else Telegram's).
    """
    if session.exec(select(Outbox.id).where(Outbox.key == key)).first() is not None:
        return None
    payload: dict[str, Any] = {"text": text, "format": MARKUP, **(extra or {})}
    if choices:
        payload["choices"] = choices
    if channel is None:
        channel = _channel_of(session, contact_id=contact_id, chat_id=chat_id)
    message = Outbox(
        key=key,
        channel=channel,
        chat_id=chat_id,
        contact_id=contact_id,
        kind=kind,
        priority=priority,
        payload=payload,
        not_before=not_before or now,
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(message)
            session.flush()
            assert message.id is not None
            for assignment_id in dict.fromkeys(assignment_ids):
                session.add(OutboxItem(outbox_id=message.id, assignment_id=assignment_id))
            session.flush()
    except IntegrityError:
        return None
    return message


def _channel_of(session: Session, *, contact_id: int | None, chat_id: str) -> str:
    """Return the channel of the person's identity at this chat (Telegram when none)."""
    if contact_id is None:
        return TELEGRAM
    query = select(ContactIdentity.channel).where(
        ContactIdentity.contact_id == contact_id, ContactIdentity.chat_id == chat_id
    )
    return session.exec(query).first() or TELEGRAM


@dataclass(frozen=True)
class NewMessage:
    """A message to queue with enqueue_many (the arguments of enqueue, as a value)."""

    key: str
    chat_id: str
    kind: str
    text: str
    contact_id: int | None = None
    choices: list[list[dict[str, Any]]] | None = None
    priority: int = PRIORITY_NOTICE
    channel: str = TELEGRAM
    assignment_ids: Sequence[int] = ()
    recipe: dict[str, Any] | None = None  # what composed the text, to compose it again
    not_before: datetime | None = None  # goes out from then on (at once when None)
    office: bool = False  # held to office time if still queued when it ends (`OFFICE`)


def enqueue_many(session: Session, messages: Sequence[NewMessage], *, now: datetime) -> list[str]:
    """Queue messages, each under its unique key, in a few statements; return the keys queued.

    A key queued before (by an earlier run, or by another writer meanwhile) is left as it
    was, as enqueue does; the daily fan-out queues thousands, and one savepoint and flush
    per message cost milliseconds each.
    """
    firsts: dict[str, NewMessage] = {}
    for m in messages:
        firsts.setdefault(m.key, m)  # as enqueue in turn: the first of a key is queued
    wanted = list(firsts.values())
    if not wanted:
        return []
    taken = set(
        session.exec(select(Outbox.key).where(col(Outbox.key).in_([m.key for m in wanted])))
    )
    rows = [_outbox_row(m, now) for m in wanted if m.key not in taken]
    if not rows:
        return []
    table = Outbox.__table__  # type: ignore[attr-defined]
    statement = insert_new(session, table, key="key").returning(table.c.id, table.c.key)
    ids = {key: oid for oid, key in session.connection().execute(statement, rows)}
    links = [
        {"outbox_id": ids[m.key], "assignment_id": aid}
        for m in wanted
        if m.key in ids
        for aid in dict.fromkeys(m.assignment_ids)
    ]
    if links:
        session.connection().execute(insert(OutboxItem.__table__), links)  # type: ignore[attr-defined]
    return [m.key for m in wanted if m.key in ids]


def _outbox_row(message: NewMessage, now: datetime) -> dict[str, Any]:
    """Return the outbox row of a new message, every column given (no ORM defaults here)."""
    payload: dict[str, Any] = {"text": message.text, "format": MARKUP}
    if message.choices:
        payload["choices"] = message.choices
    if message.recipe:
        payload["recipe"] = message.recipe
    if message.office:
        payload[OFFICE] = True
    return {
        "key": message.key,
        "channel": message.channel,
        "chat_id": message.chat_id,
        "contact_id": message.contact_id,
        "kind": message.kind,
        "priority": message.priority,
        "payload": payload,
        "status": "pending",
        "attempts": 0,
        "not_before": message.not_before or now,
        "created_at": now,
    }


def cancel_pending(session: Session, *, kind: str, created_before: datetime) -> list[int]:
    """Cancel unsent messages of a kind queued before a moment; return their ids."""
    query = select(Outbox.id).where(
        Outbox.kind == kind,
        Outbox.status == SendStatus.PENDING,
        col(Outbox.created_at) < created_before,
    )
    ids = [i for i in session.exec(query) if i is not None]
    if ids:
        session.execute(
            update(Outbox)
            .where(col(Outbox.id).in_(ids), col(Outbox.status) == SendStatus.PENDING)
            .values(
                status=SendStatus.CANCELLED, lease_owner=None, lease_until=None, error="superseded"
            )
        )
    return ids


def cancel_keyed(session: Session, *, prefix: str) -> set[int]:
    """Cancel the unsent messages whose key starts with `prefix` (a change undone before its
    notices went); return the people they were for."""
    rows = unsent_keyed(session, prefix=prefix)
    cancel_undone(session, outbox_ids=[i for i, _ in rows])
    return {c for _, c in rows}


def unsent_keyed(session: Session, *, prefix: str) -> list[tuple[int, int]]:
    """Return (id, person) of the unsent messages whose key starts with `prefix`."""
    query = select(Outbox.id, Outbox.contact_id).where(
        col(Outbox.key).startswith(prefix), Outbox.status == SendStatus.PENDING
    )
    return [(i, c) for i, c in session.exec(query) if i is not None and c is not None]


def cancel_undone(session: Session, *, outbox_ids: Sequence[int]) -> None:
    """Cancel these messages if still unsent: what they told was undone before they went."""
    if outbox_ids:
        session.execute(
            update(Outbox)
            .where(col(Outbox.id).in_(outbox_ids), col(Outbox.status) == SendStatus.PENDING)
            .values(
                status=SendStatus.CANCELLED, lease_owner=None, lease_until=None, error="undone"
            )
        )


def ready_count(session: Session, *, now: datetime) -> int:
    """Count messages waiting to be sent now."""
    query = select(func.count()).where(
        col(Outbox.status).in_(READY), col(Outbox.not_before) <= now
    )
    return int(session.exec(query).one())


def oldest_due(
    session: Session, *, now: datetime, max_priority: int | None = None
) -> datetime | None:
    """Return since when the oldest message waiting to be sent now has been due (or None)."""
    query = select(func.min(Outbox.not_before)).where(
        col(Outbox.status).in_(READY), col(Outbox.not_before) <= now
    )
    if max_priority is not None:
        query = query.where(col(Outbox.priority) <= max_priority)
    found = session.exec(query).one()
    return found if isinstance(found, datetime) else None


def reminders_today(session: Session, *, since: datetime, until: datetime) -> tuple[int, int]:
    """Return (due, sent) reminder messages whose time falls in [since, until)."""
    window = (col(Outbox.not_before) >= since, col(Outbox.not_before) < until)
    base = select(func.count()).where(Outbox.kind == "reminder", *window)
    due = int(session.exec(base.where(Outbox.status != SendStatus.CANCELLED)).one())
    sent = int(session.exec(base.where(Outbox.status == SendStatus.SENT)).one())
    return due, sent
