"""Who a check-in's news goes to, and the names it gives: a unit's coordinators and contacts
(each at the identity to write to), the names of units and contacts."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from core.roles import Role
from db.engine import as_connection
from db.models import Assignment, Contact, Unit, UnitContact
from db.queries.recipients import Recipient, recipients_in_order
from db.queries.scope import in_scope


def coordinators_of_unit(session: Session, *, unit_id: int) -> list[Recipient]:
    """Return the coordinators and admins whose scope covers the unit and who can be told."""
    query = select(Contact).where(
        col(Contact.role).in_((Role.COORDINATOR.value, Role.ADMIN.value))
    )
    staff = list(session.exec(query.order_by(col(Contact.id))))
    return [
        r
        for r in recipients_in_order(session, staff)
        if in_scope(session, contact_id=r.contact_id, unit_id=unit_id)
    ]


def contacts_of_unit(session: Session, *, unit_id: int) -> list[Recipient]:
    """Return the unit's contacts the bot can write to, each at the identity to write to."""
    query = (
        select(Contact)
        .join(UnitContact, col(UnitContact.contact_id) == col(Contact.id))
        .where(UnitContact.unit_id == unit_id)
        .order_by(col(Contact.id))
    )
    return recipients_in_order(session, list(session.exec(query)))


def unit_name(session: Session, *, unit_id: int) -> str:
    """Return a unit's name."""
    unit = session.get(Unit, unit_id)
    return unit.name if unit is not None else str(unit_id)


def unit_names(db: Session | Connection, *, assignment_ids: Sequence[int]) -> dict[int, str]:
    """Return the name of each assignment's unit, by assignment id."""
    query = (
        core_select(col(Assignment.id), col(Unit.name))
        .join_from(Assignment, Unit, col(Unit.id) == col(Assignment.unit_id))
        .where(col(Assignment.id).in_(list(assignment_ids)))
    )
    return {int(aid): str(name) for aid, name in as_connection(db).execute(query)}


def contact_name(session: Session, *, contact_id: int | None) -> str:
    """Return a contact's display name (empty when unknown)."""
    contact = session.get(Contact, contact_id) if contact_id is not None else None
    return contact.display_name if contact is not None else ""
