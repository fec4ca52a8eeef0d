"""Who is looking at the dashboard: a staff member, with the units they may see."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from app.actor import Actor
from app.i18n import Lang
from core.roles import Role
from db.models import Contact
from db.queries.contacts import identities_of, scope_group_ids, unit_ids_of
from db.queries.scope import Scope

STAFF = (Role.COORDINATOR.value, Role.ADMIN.value)


@dataclass(frozen=True)
class Viewer:
    """A staff member signed in to the dashboard, with the units they may see."""

    contact_id: int
    name: str
    role: str
    lang: Lang
    scope: Scope
    actor: Actor  # the same person as chat's rules see them, for decisions and nudges


def _lang(contact: Contact) -> Lang:
    """Return the language a person reads the bot in."""
    return "en" if contact.language == "en" else "vi"


def language_of(session: Session, *, contact_id: int) -> Lang | None:
    """Return the language of a person, staff or not (None when they are gone)."""
    contact = session.get(Contact, contact_id)
    return _lang(contact) if contact is not None else None


def viewer_of(session: Session, *, contact_id: int) -> Viewer | None:
    """Return the staff member behind a session, or None (gone, or no longer staff)."""
    contact = session.get(Contact, contact_id)
    if contact is None or contact.role not in STAFF:
        return None
    lang = _lang(contact)
    identities = identities_of(session, contact_id=contact_id)
    actor = Actor(
        contact_id,
        identities[0].external_id if identities else "",
        lang,
        contact.role,
        tuple(unit_ids_of(session, contact_id=contact_id)),
        tuple(scope_group_ids(session, contact_id=contact_id)),
    )
    return Viewer(contact_id, contact.display_name, contact.role, lang, actor.scope, actor)
