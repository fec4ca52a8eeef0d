"""Contacts: people, their chat identities (one per channel), their roles and their units.

Where the bot writes to a person is `db/queries/recipients.py`; the sender of an update, read
once per update, `db/queries/snapshot.py`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from core.roles import Role
from db.models import Contact, ContactIdentity, ContactScope, UnitContact
from db.queries import menu_marks
from db.queries.recipients import recency
from db.queries.snapshot import LAST_SEEN_PRECISION


def find_identity(session: Session, *, channel: str, external_id: str) -> ContactIdentity | None:
    """Return the identity with this id on this channel, if any."""
    query = select(ContactIdentity).where(
        ContactIdentity.channel == channel, ContactIdentity.external_id == external_id
    )
    return session.exec(query).first()


def find_contact(session: Session, *, channel: str, external_id: str) -> Contact | None:
    """Return the person with this identity on this channel, if any."""
    identity = find_identity(session, channel=channel, external_id=external_id)
    return session.get(Contact, identity.contact_id) if identity is not None else None


def touch_contact(
    session: Session,
    *,
    channel: str,
    external_id: str,
    chat_id: str,
    display_name: str,
    username: str | None,
    language: str,
    now: datetime,
) -> Contact:
    """Record that a person wrote to the bot: create them or refresh them.

    The identity they wrote from is reachable again, whatever an earlier 403 said.
    """
    identity = find_identity(session, channel=channel, external_id=external_id)
    if identity is None:
        contact = Contact(language=language)
        session.add(contact)
        session.flush()
        assert contact.id is not None
        identity = ContactIdentity(contact_id=contact.id, channel=channel, external_id=external_id)
        session.add(identity)
    else:
        contact = session.get_one(Contact, identity.contact_id)
    if display_name and contact.display_name != display_name[:200]:
        contact.display_name = display_name[:200]
    fresh = {"chat_id": chat_id, "username": username, "started": True, "reachable": True}
    for field, value in fresh.items():
        if getattr(identity, field) != value:
            setattr(identity, field, value)
    if identity.unreachable_since is not None:
        identity.unreachable_since = None
    # Writing last_seen on every update would cost a write per update; minutes are enough.
    if identity.last_seen_at is None or now - identity.last_seen_at > LAST_SEEN_PRECISION:
        identity.last_seen_at = now
    session.flush()
    return contact


def ensure_admin(session: Session, *, channel: str, external_id: str) -> tuple[Contact, bool]:
    """Make the person an admin, creating them if needed; tell whether anything changed."""
    contact = find_contact(session, channel=channel, external_id=external_id)
    if contact is None:
        contact = Contact(role=Role.ADMIN.value)
        session.add(contact)
        session.flush()
        assert contact.id is not None
        session.add(
            ContactIdentity(contact_id=contact.id, channel=channel, external_id=external_id)
        )
        session.flush()
        return contact, True
    changed = contact.role != Role.ADMIN
    contact.role = Role.ADMIN.value
    session.flush()
    if changed and contact.id is not None:
        menu_marks.mark(session, contact_id=contact.id)
    return contact, changed


def identities_of(session: Session, *, contact_id: int) -> list[ContactIdentity]:
    """Return a person's identities, the one used last first."""
    query = select(ContactIdentity).where(ContactIdentity.contact_id == contact_id)
    return sorted(session.exec(query), key=_last_used)


def _last_used(identity: ContactIdentity) -> tuple[float, int]:
    """Order identities by last use, newest first (never used last)."""
    return recency(identity.last_seen_at, identity.id or 0)


def deliverable(identity: ContactIdentity) -> bool:
    """Tell whether the bot may write to this identity."""
    return bool(identity.started and identity.reachable and identity.chat_id)


def identity_on(session: Session, *, contact_id: int, channel: str) -> ContactIdentity | None:
    """Return a person's identity on one channel, if they have one."""
    query = select(ContactIdentity).where(
        ContactIdentity.contact_id == contact_id, ContactIdentity.channel == channel
    )
    return session.exec(query).first()


@dataclass(frozen=True)
class Identities:
    """A person's identities, the one used last first: what lists and cards show of them."""

    items: tuple[ContactIdentity, ...] = ()

    @property
    def external_id(self) -> str:
        """Return the id to name the person by: their Telegram id, else their last used."""
        on_telegram = [i for i in self.items if i.channel == "telegram"]
        chosen = (on_telegram or list(self.items))[:1]
        return chosen[0].external_id if chosen else ""

    @property
    def username(self) -> str | None:
        """Return the person's @username on a channel that has them, if any."""
        return next((i.username for i in self.items if i.username), None)

    @property
    def reachable(self) -> bool:
        """Tell whether some identity of the person has not refused the bot."""
        return any(i.reachable for i in self.items)

    @property
    def unreadable_since(self) -> datetime | None:
        """Return since when the bot cannot read what the person sends on a channel (Zalo's
        unsupported messages: a file, or an account Zalo protects), else None."""
        return min((i.unreadable_since for i in self.items if i.unreadable_since), default=None)

    @property
    def deliverable(self) -> bool:
        """Tell whether the bot may write to the person on some identity."""
        return any(deliverable(i) for i in self.items)

    @property
    def channels(self) -> tuple[str, ...]:
        """Return the person's channels, the one used last first."""
        return tuple(dict.fromkeys(i.channel for i in self.items))


def identities_by_person(session: Session, *, contact_ids: Iterable[int]) -> dict[int, Identities]:
    """Return the identities of each of these people (none: an empty Identities)."""
    ids = list(set(contact_ids))
    found: dict[int, list[ContactIdentity]] = {i: [] for i in ids}
    if ids:
        query = select(ContactIdentity).where(col(ContactIdentity.contact_id).in_(ids))
        for identity in session.exec(query):
            found[identity.contact_id].append(identity)
    return {i: Identities(tuple(sorted(found[i], key=_last_used))) for i in ids}


def label(contact: Contact, identities: Identities) -> str:
    """Return how to name a person: their name, else their id."""
    return contact.display_name or identities.external_id


def name_of(session: Session, contact: Contact | None) -> str:
    """Return how to name one person (empty for nobody)."""
    if contact is None or contact.id is None:
        return ""
    return label(contact, identities_by_person(session, contact_ids=[contact.id])[contact.id])


def described(session: Session, people: Sequence[Contact]) -> list[str]:
    """Return each person as "name (id)", to tell apart people a text names alike."""
    found = identities_by_person(session, contact_ids=[p.id for p in people if p.id])
    return [f"{p.display_name} ({found[p.id or 0].external_id})" for p in people]


def unit_ids_of(session: Session, *, contact_id: int) -> list[int]:
    """Return the ids of the units the contact belongs to."""
    query = select(UnitContact.unit_id).where(UnitContact.contact_id == contact_id)
    return list(session.exec(query))


def scope_group_ids(session: Session, *, contact_id: int) -> list[int]:
    """Return the groups a coordinator is limited to (empty: no limit)."""
    query = select(ContactScope.group_id).where(ContactScope.contact_id == contact_id)
    return list(session.exec(query))


def contacts_with_role_at_least(session: Session, *, roles: tuple[str, ...]) -> list[Contact]:
    """Return contacts whose role is one of the given roles, oldest first."""
    query = select(Contact).where(col(Contact.role).in_(roles)).order_by(col(Contact.id))
    return list(session.exec(query))
