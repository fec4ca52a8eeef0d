"""What a person's command menu should be, from their role and units, wherever it changed
(a role given on any channel or the command line, units taken away: `db.queries.menu_marks`).
The channel that shows menus (Telegram) sets them; this says which."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.roles import Access, Role, access_of
from db.engine import session_scope
from db.models import Contact
from db.queries import menu_marks
from db.queries.contacts import contacts_with_role_at_least, identity_on, unit_ids_of


@dataclass(frozen=True)
class MenuOf:
    """What one person's menu should be: their chat, the access of their role, language."""

    contact_id: int
    chat_id: int
    access: Access
    language: str


def menu_of(session: Session, contact: Contact) -> MenuOf | None:
    """Read what a person's menu should be (None: no started Telegram chat to set it in)."""
    if contact.id is None:
        return None
    identity = identity_on(session, contact_id=contact.id, channel="telegram")
    if identity is None or identity.chat_id is None or not identity.started:
        return None
    has_units = bool(unit_ids_of(session, contact_id=contact.id))
    access = access_of(contact.role, has_units=has_units)
    return MenuOf(contact.id, int(identity.chat_id), access, contact.language)


def contact_menu(engine: Engine, contact_id: int) -> MenuOf | None:
    """Read what one person's menu should be now (blocking)."""
    with session_scope(engine) as session:
        contact = session.get(Contact, contact_id)
        return menu_of(session, contact) if contact is not None else None


def staff_menus(session: Session) -> list[MenuOf]:
    """Read the menus of every coordinator and admin who has started the bot."""
    staff = contacts_with_role_at_least(session, roles=(Role.COORDINATOR.value, Role.ADMIN.value))
    return [m for contact in staff if (m := menu_of(session, contact)) is not None]


def marked_menus(engine: Engine) -> list[tuple[int, str, MenuOf | None]]:
    """Read the people whose menu changed (their mark's value, to take it once set) and what
    their menu should be now (blocking)."""
    with session_scope(engine) as session:
        found = []
        for contact_id, value in menu_marks.marked(session):
            contact = session.get(Contact, contact_id)
            menu_for = menu_of(session, contact) if contact is not None else None
            found.append((contact_id, value, menu_for))
        return found


def take_marks(engine: Engine, settled: list[tuple[int, str]]) -> None:
    """Take the marks of the menus set (a mark changed since stays, for the next run)
    (blocking)."""
    with session_scope(engine) as session:
        for contact_id, value in settled:
            menu_marks.take(session, contact_id=contact_id, value=value)
