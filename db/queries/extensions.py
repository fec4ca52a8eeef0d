"""Extension requests' decisions, taken once, and their deciders' notices."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from core.states import RequestStatus
from db.models import ExtensionRequest, Outbox


def claim_request(
    session: Session,
    *,
    request_id: int,
    status: RequestStatus,
    decider: int,
    now: datetime,
    note: str = "",
) -> bool:
    """Decide a request only if it is still pending, with the decider's words (`note`);
    tell whether this decision took it.

    One statement reads and writes the status, so two coordinators deciding at once (one
    approving, one rejecting) cannot both win: the second finds it decided (on PostgreSQL
    its write waits for the first, then matches no row).
    """
    claimed = session.execute(
        update(ExtensionRequest)
        .where(
            col(ExtensionRequest.id) == request_id,
            col(ExtensionRequest.status) == RequestStatus.PENDING,
        )
        .values(status=status.value, decided_by_id=decider, decided_at=now, decision_note=note)
        .execution_options(synchronize_session=False)
    )
    return bool(claimed.rowcount)  # type: ignore[attr-defined]


def notices_of(session: Session, *, request_id: int, channel: str) -> list[Outbox]:
    """Return the request's notices to its deciders on a channel (`extension:<id>:…`, and
    `extension-reason:<id>:…`, the one sent again with its reason)."""
    keys = (f"extension:{request_id}:%", f"extension-reason:{request_id}:%")
    query = select(Outbox).where(
        col(Outbox.channel) == channel, or_(*(col(Outbox.key).like(key) for key in keys))
    )
    return list(session.exec(query.order_by(col(Outbox.id))))
