"""The sender of an update, read for every update in one prepared query, and refreshed.

This runs for every update, so it avoids the ORM's per-session cost (db/prepared.py).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import Connection, String, bindparam, cast, func, update
from sqlalchemy import select as core_select

from db.models import Contact, ContactIdentity, ContactScope, UnitContact
from db.prepared import Prepared

LAST_SEEN_PRECISION = timedelta(minutes=5)


@dataclass(frozen=True)
class Seen:
    """What an update tells about the person who sent it."""

    chat_id: str
    display_name: str
    username: str | None
    now: datetime
    # False: the update held no words the bot can read (Zalo's unsupported message).
    readable: bool = True


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
    unreadable_since: datetime | None = None

    def is_current(self, seen: Seen) -> bool:
        """Tell whether nothing about the person needs writing (the common case)."""
        return (
            self.started
            and self.reachable
            and self.chat_id == seen.chat_id
            and (not seen.display_name or self.display_name == seen.display_name)
            and self.username == seen.username
            and (self.unreadable_since is None) == seen.readable
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
        _IDENTITIES.c.unreadable_since,
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
        row.unreadable_since,
    )


def _ids(listed: str | None) -> tuple[int, ...]:
    """Return the ids of a comma-separated list, smallest first (None: none)."""
    return tuple(sorted(int(i) for i in listed.split(","))) if listed else ()


def refresh(connection: Connection, known: Snapshot, seen: Seen) -> Snapshot:
    """Write what changed about a known person's identity; it is reachable again, and
    readable again when the update was (else unreadable since the first that was not).

    One UPDATE of the identity, and one of the person only when their name changed.
    """
    unreadable = None if seen.readable else known.unreadable_since or seen.now
    values = {
        "chat_id": seen.chat_id,
        "username": seen.username,
        "started": True,
        "reachable": True,
        "unreachable_since": None,
        "unreadable_since": unreadable,
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
        unreadable_since=unreadable,
    )
