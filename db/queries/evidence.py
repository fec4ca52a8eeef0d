"""How much evidence a unit keeps: the quota on the bot's own storage is per unit."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, col, select

from db.models import Assignment, Evidence


def unit_evidence_bytes(session: Session, *, unit_id: int) -> int:
    """Return the size of every file kept as evidence of the unit's assignments."""
    query = (
        select(func.coalesce(func.sum(Evidence.size), 0))
        .join(Assignment, col(Assignment.id) == col(Evidence.assignment_id))
        .where(Assignment.unit_id == unit_id)
    )
    return int(session.exec(query).one())
