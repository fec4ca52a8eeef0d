"""Extension requests' decisions, taken once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col

from core.states import RequestStatus
from db.models import ExtensionRequest


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
