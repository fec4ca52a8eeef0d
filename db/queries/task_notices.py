"""Who is told of an admin's change to a task, and the change's audit entry that names it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func
from sqlmodel import Session, col, select

from core.states import ReportState
from db.models import Assignment, AuditLog, Contact, Unit, UnitContact
from db.queries.recipients import Recipient, recipients_in_order


def contacts_on_task(
    session: Session, *, task_id: int, deadline: date | None = None
) -> list[Recipient]:
    """Return the reachable contacts of the active units on the task, each person once.

    With `deadline`, only of the units not done whose deadline is now that one (what a
    deadline moved: a unit with a later extension, or done, has nothing new to hear).
    """
    units = (
        select(UnitContact.contact_id)
        .join(Assignment, col(Assignment.unit_id) == col(UnitContact.unit_id))
        .join(Unit, col(Unit.id) == col(Assignment.unit_id))
        .where(Assignment.task_id == task_id, col(Assignment.active).is_(True))
        .where(col(Unit.active).is_(True))
    )
    if deadline is not None:
        units = units.where(Assignment.deadline == deadline, Assignment.state != ReportState.DONE)
    people = session.exec(
        select(Contact).where(col(Contact.id).in_(units)).order_by(col(Contact.id))
    )
    return recipients_in_order(session, list(people))


def last_entry(session: Session, *, task_id: int, action: str) -> int:
    """Return the id of the task's latest audit entry of this action (flushed), or 0."""
    query = select(func.max(AuditLog.id)).where(
        AuditLog.object_type == "task",
        AuditLog.object_id == str(task_id),
        AuditLog.action == action,
    )
    return session.exec(query).one() or 0
