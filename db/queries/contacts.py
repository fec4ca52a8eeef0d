"""Contacts: people's chat identities, their roles and their units."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import Connection, String, bindparam, cast, func, update
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from db.models import Contact, ContactScope, UnitContact
from db.types import UTCDateTime

LAST_SEEN_PRECISION = timedelta(minutes=5)


def find_contact(session: Session, *, channel: str, external_id: str) -> Contact | None:
    """Return the contact with this identity on this channel, if any."""
    query = select(Contact).where(Contact.channel == channel, Contact.external_id == external_id)
    return session.exec(query).first()


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

    A person who writes is reachable again, whatever an earlier 403 said.
    """
    contact = find_contact(session, channel=channel, external_id=external_id)
    if contact is None:
        contact = Contact(channel=channel, external_id=external_id, language=language)
        session.add(contact)
    fresh = {
        "chat_id": chat_id,
        "display_name": display_name[:200],
        "username": username,
        "started": True,
        "reachable": True,
    }
    for field, value in fresh.items():
        if getattr(contact, field) != value:
            setattr(contact, field, value)
    if contact.reachable and contact.unreachable_since is not None:
        contact.unreachable_since = None
    # Writing last_seen on every update would cost a write per update; minutes are enough.
    if contact.last_seen_at is None or now - contact.last_seen_at > LAST_SEEN_PRECISION:
        contact.last_seen_at = now
    session.flush()
    return contact


def ensure_admin(session: Session, *, channel: str, external_id: str) -> tuple[Contact, bool]:
    """Make the person an admin, creating them if needed; tell whether anything changed."""
    contact = find_contact(session, channel=channel, external_id=external_id)
    if contact is None:
        contact = Contact(channel=channel, external_id=external_id, role="admin")
        session.add(contact)
        session.flush()
        return contact, True
    changed = contact.role != "admin"
    contact.role = "admin"
    session.flush()
    return contact, changed


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


def mark_unreachable(session: Session, *, contact_id: int, now: datetime) -> None:
    """Record that the channel refused to deliver to this contact (blocked, deleted)."""
    contact = session.get(Contact, contact_id)
    if contact is not None and contact.reachable:
        contact.reachable = False
        contact.unreachable_since = now


@dataclass(frozen=True)
class Seen:
    """What an update tells about the person who sent it."""

    chat_id: str
    display_name: str
    username: str | None
    now: datetime


@dataclass(frozen=True)
class Snapshot:
    """What the access layer needs to know about a sender, read in one round trip."""

    contact_id: int
    external_id: str
    chat_id: str | None
    display_name: str
    username: str | None
    language: str
    role: str
    started: bool
    reachable: bool
    last_seen_at: datetime | None
    unit_ids: tuple[int, ...]
    scope_group_ids: tuple[int, ...]

    def is_current(self, seen: Seen) -> bool:
        """Tell whether nothing about the person needs writing (the common case)."""
        return (
            self.started
            and self.reachable
            and self.chat_id == seen.chat_id
            and self.display_name == seen.display_name
            and self.username == seen.username
            and self.last_seen_at is not None
            and seen.now - self.last_seen_at <= LAST_SEEN_PRECISION
        )


# Built once: building a statement costs several times more than running it on SQLite, and
# this runs for every update. One round trip: the unit and scope ids come as lists in text.
_CONTACTS = Contact.__table__  # type: ignore[attr-defined]
_UNITS = UnitContact.__table__.c  # type: ignore[attr-defined]
_SCOPES = ContactScope.__table__.c  # type: ignore[attr-defined]
_SNAPSHOT = core_select(
    _CONTACTS,
    core_select(func.aggregate_strings(cast(_UNITS.unit_id, String), ","))
    .where(_UNITS.contact_id == _CONTACTS.c.id)
    .scalar_subquery()
    .label("unit_list"),
    core_select(func.aggregate_strings(cast(_SCOPES.group_id, String), ","))
    .where(_SCOPES.contact_id == _CONTACTS.c.id)
    .scalar_subquery()
    .label("scope_list"),
).where(
    _CONTACTS.c.channel == bindparam("channel"),
    _CONTACTS.c.external_id == bindparam("external_id"),
)
_REFRESH = update(_CONTACTS).where(_CONTACTS.c.id == bindparam("contact_id"))


def snapshot(connection: Connection, *, channel: str, external_id: str) -> Snapshot | None:
    """Read a contact with their unit ids and scope groups in one Core query.

    This runs for every update, so it avoids the ORM's per-session cost.
    """
    found = {"channel": channel, "external_id": external_id}
    row = connection.execute(_SNAPSHOT, found).first()
    if row is None:
        return None
    last_seen = UTCDateTime().process_result_value(row.last_seen_at, connection.dialect)
    return Snapshot(
        row.id,
        row.external_id,
        row.chat_id,
        row.display_name,
        row.username,
        row.language,
        row.role,
        row.started,
        row.reachable,
        last_seen,
        _ids(row.unit_list),
        _ids(row.scope_list),
    )


def _ids(listed: str | None) -> tuple[int, ...]:
    """Return the ids of a comma-separated list, smallest first (None: none)."""
    return tuple(sorted(int(i) for i in listed.split(","))) if listed else ()


def refresh(connection: Connection, known: Snapshot, seen: Seen) -> Snapshot:
    """Write what changed about a known person in one UPDATE; they are reachable again."""
    values = {
        "chat_id": seen.chat_id,
        "display_name": seen.display_name,
        "username": seen.username,
        "started": True,
        "reachable": True,
        "unreachable_since": None,
        "last_seen_at": seen.now,
    }
    connection.execute(_REFRESH, {**values, "contact_id": known.contact_id})
    return replace(
        known,
        chat_id=seen.chat_id,
        display_name=seen.display_name,
        username=seen.username,
        started=True,
        reachable=True,
        last_seen_at=seen.now,
    )
