"""The written explanations asked of overdue units: the newest, and those still waiting."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, select

from db.models import Assignment, Explanation


def latest_explanation(session: Session, *, assignment_id: int) -> Explanation | None:
    """Return the newest explanation asked of an assignment, answered or not."""
    query = (
        select(Explanation)
        .where(Explanation.assignment_id == assignment_id)
        .order_by(col(Explanation.id).desc())
    )
    return session.exec(query).first()


def waiting_explanation(session: Session, *, assignment_id: int) -> Explanation | None:
    """Return the explanation asked of an assignment and not answered yet."""
    query = select(Explanation).where(
        Explanation.assignment_id == assignment_id, col(Explanation.answered_at).is_(None)
    )
    return session.exec(query.order_by(col(Explanation.id).desc())).first()


def waiting_explanations(session: Session, *, unit_ids: Sequence[int]) -> list[Explanation]:
    """Return the unanswered explanations asked of these units, newest first."""
    query = (
        select(Explanation)
        .join(Assignment, col(Assignment.id) == col(Explanation.assignment_id))
        .where(col(Assignment.unit_id).in_(list(unit_ids)), col(Explanation.answered_at).is_(None))
    )
    return list(session.exec(query.order_by(col(Explanation.id).desc())))
