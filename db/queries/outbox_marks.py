"""The outbox's sender side, marks: a leased row marked before the call and settled after.

Status: pending -> sending (`mark_sending`, just before the call) -> sent | failed, or back
to pending (`retry_later`, `put_back`, `reroute` to another identity), or cancelled (no
longer needed). Each settling gives the row's lease back. Claiming: `outbox_claim.py`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col

from core.states import SendStatus
from db.models import Outbox
from db.queries.audit import record
from db.queries.outbox import READY
from db.queries.task_notices import CHANGED, TOLD, UNTOLD


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


def cancel(session: Session, *, outbox_id: int, reason: str) -> None:
    """Drop a message that is no longer needed (e.g. the unit reported done meanwhile)."""
    _settle(session, outbox_id, status=SendStatus.CANCELLED, error=reason[:500])
