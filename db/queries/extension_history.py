"""Extension requests decided, with the words the decider gave (`decision_note`): the note
typed with the decision ("/reject 7 chưa đủ căn cứ", the dashboard's field) or, for a
rejection, the reason typed after it (`app.reject_reason`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, select
from sqlmodel import Session, col

from core.states import RequestStatus
from db.models import Contact, ExtensionRequest


@dataclass(frozen=True)
class Decided:
    """A decided request: to which date, how, by whom, when, and the decider's words."""

    request_id: int
    assignment_id: int
    status: str  # approved | rejected
    asked: date | None
    by: str
    at: datetime | None
    reason: str  # "" when none was given


def decided(
    session: Session, *, assignment_ids: Sequence[int] | Select[Any]
) -> dict[int, list[Decided]]:
    """Return each assignment's decided requests, oldest first, with the decider's words
    (the assignments by their numbers, or the query that finds them: a page's thousands)."""
    if isinstance(assignment_ids, Sequence) and not assignment_ids:
        return {}
    query = (
        select(
            col(ExtensionRequest.id),
            col(ExtensionRequest.assignment_id),
            col(ExtensionRequest.status),
            col(ExtensionRequest.requested_deadline),
            col(Contact.display_name),
            col(ExtensionRequest.decided_at),
            col(ExtensionRequest.decision_note),
        )
        .outerjoin(Contact, col(Contact.id) == col(ExtensionRequest.decided_by_id))
        .where(
            col(ExtensionRequest.assignment_id).in_(assignment_ids),
            col(ExtensionRequest.status).in_((RequestStatus.APPROVED, RequestStatus.REJECTED)),
        )
        .order_by(col(ExtensionRequest.decided_at), col(ExtensionRequest.id))
    )
    found: dict[int, list[Decided]] = defaultdict(list)
    for rid, aid, status, asked, by, at, words in session.execute(query):
        found[aid].append(Decided(rid or 0, aid, status, asked, by or "", at, words))
    return found
