"""Contacts: people, their chat identities (one per channel), their roles and their units."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, String, bindparam, cast, func, update
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from core.roles import Role
from db.models import Contact, ContactIdentity, ContactScope, UnitContact
from db.prepared import Prepared

LAST_SEEN_PRECISION = timedelta(minutes=5)


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
    return contact, changed


def identities_of(session: Session, *, contact_id: int) -> list[ContactIdentity]:
    """Return a person's identities, the one used last first."""
    query = select(ContactIdentity).where(ContactIdentity.contact_id == contact_id)
    return sorted(session.exec(query), key=_last_used)


def _last_used(identity: ContactIdentity) -> tuple[float, int]:
    """Order identities by last use, newest first (never used last)."""
    return _recency(identity.last_seen_at, identity.id or 0)


def _recency(last_seen: datetime | str | None, identity_id: int) -> tuple[float, int]:
    """Return the sort key of an identity: last seen newest first, then the newest.

    (On a tie, the identity added last: a chat just linked is the one in use.)
    """
    if isinstance(last_seen, str):  # a plain column on SQLite
        last_seen = datetime.fromisoformat(last_seen)
    if last_seen is not None and last_seen.tzinfo is None:
        last_seen = last_seen.replace(tzinfo=UTC)
    return -(last_seen.timestamp() if last_seen is not None else 0.0), -identity_id


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


@dataclass(frozen=True)
class Recipient:
    """A person the bot may write to, at the identity it writes to them on."""

    contact_id: int
    chat_id: str
    external_id: str
    language: str
    channel: str = "telegram"


def recipients(session: Session, *, contact_ids: Iterable[int]) -> dict[int, Recipient]:
    """Return where to write to each person who can be written to, by contact id.

    A person is written to on their reachable identity used last (`last_seen_at`), so a
    message goes to one identity only; another reachable one stands in when it cannot be.
    """
    ids = list(set(contact_ids))
    if not ids:
        return {}
    # Plain columns, not entities: a country's sweep reads tens of thousands of people.
    query = (
        core_select(
            _IDENTITIES.c.contact_id,
            _IDENTITIES.c.chat_id,
            _IDENTITIES.c.external_id,
            _CONTACTS.c.language,
            _IDENTITIES.c.channel,
            _IDENTITIES.c.last_seen_at,
            _IDENTITIES.c.id,
        )
        .join_from(_IDENTITIES, _CONTACTS, _CONTACTS.c.id == _IDENTITIES.c.contact_id)
        .where(
            _IDENTITIES.c.contact_id.in_(ids),
            _IDENTITIES.c.started.is_(True),
            _IDENTITIES.c.reachable.is_(True),
            _IDENTITIES.c.chat_id.is_not(None),
        )
    )
    found: dict[int, Recipient] = {}
    session.flush()  # a Core query does not flush the session's changes by itself
    rows = session.connection().execute(query).all()
    for row in sorted(rows, key=lambda r: _recency(r.last_seen_at, r.id)):
        if row.contact_id not in found and row.chat_id:
            found[row.contact_id] = Recipient(*row[:5])
    return found


def recipient(session: Session, *, contact_id: int | None) -> Recipient | None:
    """Return where to write to one person, if they can be written to."""
    if contact_id is None:
        return None
    return recipients(session, contact_ids=[contact_id]).get(contact_id)


def recipients_in_order(session: Session, people: Sequence[Contact]) -> list[Recipient]:
    """Return the people who can be written to, as recipients, in the order given."""
    found = recipients(session, contact_ids=[p.id for p in people if p.id is not None])
    return [found[p.id] for p in people if p.id is not None and p.id in found]


def reachable_people(session: Session, *, contact_ids: Iterable[int]) -> set[int]:
    """Return which of these people have at least one identity the bot may write to."""
    return set(recipients(session, contact_ids=contact_ids))


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


def mark_unreachable(session: Session, *, channel: str, chat_id: str, now: datetime) -> None:
    """Record that a channel refused to deliver to this chat (blocked, deleted).

    Only that identity becomes unreachable: the person's others still get their messages.
    """
    query = select(ContactIdentity).where(
        ContactIdentity.channel == channel,
        ContactIdentity.chat_id == chat_id,
        col(ContactIdentity.reachable).is_(True),
    )
    for identity in session.exec(query):
        identity.reachable = False
        identity.unreachable_since = now
        session.add(identity)
    session.flush()


def identity_reachable(session: Session, *, channel: str, chat_id: str) -> bool:
    """Tell whether the identity at this chat may still be written to (unknown: yes)."""
    query = select(ContactIdentity.reachable).where(
        ContactIdentity.channel == channel, ContactIdentity.chat_id == chat_id
    )
    found = list(session.exec(query))
    return not found or any(found)


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
    identity_id: int
    channel: str
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
            and (not seen.display_name or self.display_name == seen.display_name)
            and self.username == seen.username
            and self.last_seen_at is not None
            and seen.now - self.last_seen_at <= LAST_SEEN_PRECISION
        )


# Prepared once (db/prepared.py): SQLAlchemy's execution costs several times more than
# SQLite's, and this runs for every update. One round trip: the unit and scope ids as text.
_CONTACTS = Contact.__table__  # type: ignore[attr-defined]
_IDENTITIES = ContactIdentity.__table__  # type: ignore[attr-defined]
_UNITS = UnitContact.__table__.c  # type: ignore[attr-defined]
_SCOPES = ContactScope.__table__.c  # type: ignore[attr-defined]
_SNAPSHOT = Prepared(
    core_select(
        _IDENTITIES.c.id.label("identity_id"),
        _IDENTITIES.c.contact_id,
        _IDENTITIES.c.channel,
        _IDENTITIES.c.external_id,
        _IDENTITIES.c.chat_id,
        _IDENTITIES.c.username,
        _IDENTITIES.c.started,
        _IDENTITIES.c.reachable,
        _IDENTITIES.c.last_seen_at,
        _CONTACTS.c.display_name,
        _CONTACTS.c.language,
        _CONTACTS.c.role,
        core_select(func.aggregate_strings(cast(_UNITS.unit_id, String), ","))
        .where(_UNITS.contact_id == _CONTACTS.c.id)
        .scalar_subquery()
        .label("unit_list"),
        core_select(func.aggregate_strings(cast(_SCOPES.group_id, String), ","))
        .where(_SCOPES.contact_id == _CONTACTS.c.id)
        .scalar_subquery()
        .label("scope_list"),
    )
    .join_from(_IDENTITIES, _CONTACTS, _CONTACTS.c.id == _IDENTITIES.c.contact_id)
    .where(
        _IDENTITIES.c.channel == bindparam("channel"),
        _IDENTITIES.c.external_id == bindparam("external_id"),
    )
)
_REFRESH = Prepared(update(_IDENTITIES).where(_IDENTITIES.c.id == bindparam("identity_id")))
_RENAME = Prepared(update(_CONTACTS).where(_CONTACTS.c.id == bindparam("contact_id")))


def snapshot(connection: Connection, *, channel: str, external_id: str) -> Snapshot | None:
    """Read a contact with their unit ids and scope groups in one prepared query.

    This runs for every update, so it avoids the ORM's per-session cost.
    """
    row = _SNAPSHOT.first(connection, {"channel": channel, "external_id": external_id})
    if row is None:
        return None
    return Snapshot(
        row.contact_id,
        row.identity_id,
        row.channel,
        row.external_id,
        row.chat_id,
        row.display_name,
        row.username,
        row.language,
        row.role,
        row.started,
        row.reachable,
        row.last_seen_at,
        _ids(row.unit_list),
        _ids(row.scope_list),
    )


def _ids(listed: str | None) -> tuple[int, ...]:
    """Return the ids of a comma-separated list, smallest first (None: none)."""
    return tuple(sorted(int(i) for i in listed.split(","))) if listed else ()


def refresh(connection: Connection, known: Snapshot, seen: Seen) -> Snapshot:
    """Write what changed about a known person's identity; it is reachable again.

    One UPDATE of the identity, and one of the person only when their name changed.
    """
    values = {
        "chat_id": seen.chat_id,
        "username": seen.username,
        "started": True,
        "reachable": True,
        "unreachable_since": None,
        "last_seen_at": seen.now,
    }
    _REFRESH.run(connection, {**values, "identity_id": known.identity_id})
    if seen.display_name and seen.display_name != known.display_name:
        _RENAME.run(
            connection, {"display_name": seen.display_name, "contact_id": known.contact_id}
        )
    return replace(
        known,
        chat_id=seen.chat_id,
        display_name=seen.display_name or known.display_name,
        username=seen.username,
        started=True,
        reachable=True,
        last_seen_at=seen.now,
    )
