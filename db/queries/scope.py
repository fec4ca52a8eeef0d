"""Which units a person may see: the one rule every coordinator view applies.

- an admin sees every unit;
- a coordinator sees every unit, or, when limited to some groups (ContactScope), the units
  of those groups plus their own units;
- a member sees their own units.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from core.roles import Role
from db.models import Contact, Unit, UnitContact, UnitGroupMember
from db.queries.contacts import scope_group_ids, unit_ids_of


def unit_ids_in_scope(
    session: Session, *, contact_id: int, include_inactive: bool = False
) -> list[int]:
    """Return the ids of the units this contact may see, in id order."""
    contact = session.get(Contact, contact_id)
    if contact is None:
        return []
    own = set(unit_ids_of(session, contact_id=contact_id))
    query = select(Unit.id)
    if not include_inactive:
        query = query.where(col(Unit.active).is_(True))
    if contact.role == Role.ADMIN:
        return sorted(i for i in session.exec(query) if i is not None)
    groups = scope_group_ids(session, contact_id=contact_id)
    if contact.role == Role.COORDINATOR and not groups:
        return sorted(i for i in session.exec(query) if i is not None)
    if contact.role == Role.COORDINATOR:
        members = select(UnitGroupMember.unit_id).where(col(UnitGroupMember.group_id).in_(groups))
        own |= set(session.exec(members))
    allowed = query.where(col(Unit.id).in_(own))
    return sorted(i for i in session.exec(allowed) if i is not None)


def in_scope(session: Session, *, contact_id: int, unit_id: int) -> bool:
    """Tell whether the contact may see this unit."""
    return unit_id in unit_ids_in_scope(session, contact_id=contact_id, include_inactive=True)


def decides_on_own(session: Session, *, contact_id: int, unit_id: int) -> bool:
    """Tell whether a decision on this unit would be the person's own (they belong to it).

    Nobody decides on their own unit's matters (an extension, an explanation), whatever
    their role: another coordinator or an admin does.
    """
    return session.get(UnitContact, (unit_id, contact_id)) is not None
