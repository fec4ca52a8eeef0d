"""The outbox: every message the bot sends unasked goes through here to the one sender.

Payload contract: {"text": <HTML str>, "reply_markup": <InlineKeyboardMarkup.to_dict()> or
absent, "document": {"path": ..., "file_name": ...} optional}. Lower priority numbers go
first: PRIORITY_INTERACTIVE for answers a person is waiting for, PRIORITY_NOTICE for
notifications (blockers, extension requests), PRIORITY_REMINDER for the daily fan-out.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from db.models import Outbox, OutboxItem

PRIORITY_INTERACTIVE = 0
PRIORITY_NOTICE = 5
PRIORITY_REMINDER = 10


def enqueue(
    session: Session,
    *,
    key: str,
    chat_id: str,
    kind: str,
    text: str,
    now: datetime,
    contact_id: int | None = None,
    reply_markup: dict[str, Any] | None = None,
    priority: int = PRIORITY_NOTICE,
    not_before: datetime | None = None,
    assignment_ids: Iterable[int] = (),
    extra: dict[str, Any] | None = None,
) -> Outbox | None:
    """Queue a message under a unique key; None when that key was queued before."""
    if session.exec(select(Outbox.id).where(Outbox.key == key)).first() is not None:
        return None
    payload: dict[str, Any] = {"text": text, **(extra or {})}
    if reply_markup is not None:
        payload["reply_markup"] = reply_markup
    message = Outbox(
        key=key,
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
