"""Contacts for admins: who is registered for which unit, changing roles, removing links."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session, col, or_, select

from core.roles import Role
from core.textnorm import vi_sort_key
from db.models import Contact, Unit, UnitContact
from db.queries.audit import record


@dataclass
class ContactInfo:
    """A contact with the units they belong to and their function in each."""

    contact: Contact
    units: list[tuple[Unit, str]] = field(default_factory=list)


def contact_list(session: Session, *, unit_id: int | None = None) -> list[ContactInfo]:
    """Return registered people (with a unit or a staff role), or a unit's contacts, by name."""
    links = select(UnitContact.contact_id)
    if unit_id is not None:
        query = select(Contact).where(
            col(Contact.id).in_(links.where(UnitContact.unit_id == unit_id))
        )
    else:
        staff = col(Contact.role).in_((Role.COORDINATOR.value, Role.ADMIN.value))
        query = select(Contact).where(or_(col(Contact.id).in_(links), staff))
    contacts = list(session.exec(query.order_by(col(Contact.display_name), col(Contact.id))))
    infos = {c.id: ContactInfo(c) for c in contacts}
    rows = session.exec(
        select(UnitContact, Unit)
        .join(Unit, col(Unit.id) == col(UnitContact.unit_id))
        .where(col(UnitContact.contact_id).in_(list(infos)))
    )
    for link, unit in sorted(rows, key=lambda r: vi_sort_key(r[1].name, r[1].code)):
        infos[link.contact_id].units.append((unit, link.function))
    return list(infos.values())


def contact_info(session: Session, *, contact_id: int) -> ContactInfo | None:
    """Return one contact with their units, or None when they do not exist."""
    contact = session.get(Contact, contact_id)
    if contact is None:
        return None
    info = ContactInfo(contact)
    query = (
        select(UnitContact, Unit)
        .join(Unit, col(Unit.id) == col(UnitContact.unit_id))
        .where(UnitContact.contact_id == contact_id)
    )
    found = sorted(session.exec(query), key=lambda r: vi_sort_key(r[1].name, r[1].code))
    info.units = [(unit, link.function) for link, unit in found]
    return info


def change_role(
    session: Session, *, contact_id: int, role: Role, actor_id: int | None
) -> Contact | None:
    """Give the person a role (it belongs to the person, not to a unit); None if gone."""
    contact = session.get(Contact, contact_id)
    if contact is None:
        return None
    if contact.role != role.value:
        record(
            session,
            actor_id=actor_id,
            action="role.changed",
            object_type="contact",
            object_id=contact_id,
            details={"from": contact.role, "to": role.value},
        )
        contact.role = role.value
    return contact


def remove_from_unit(
    session: Session, *, contact_id: int, unit_id: int, actor_id: int | None
) -> bool:
    """Remove a contact from a unit (the person and their history stay); False if no link."""
    link = session.get(UnitContact, (unit_id, contact_id))
    if link is None:
        return False
    session.delete(link)
    record(
        session,
        actor_id=actor_id,
        action="contact.removed",
        object_type="contact",
        object_id=contact_id,
        details={"unit_id": unit_id},
    )
    return True
