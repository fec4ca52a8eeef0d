"""Where the bot writes to a person: the reachable identity they used last.

A chat that refuses the bot (a 403) marks that one identity unreachable; the person's other
identities still get their messages. A chat whose messages the bot cannot read (Zalo's
account it protects: `unreadable_since`) is used only when no other can be: a person who
writes there in vain may not read there either, and a reminder there would go unanswered.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row, Select
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from db.models import Contact, ContactIdentity, UnitContact

_CONTACTS = Contact.__table__  # type: ignore[attr-defined]
_IDENTITIES = ContactIdentity.__table__  # type: ignore[attr-defined]


def recency(last_seen: datetime | str | None, identity_id: int) -> tuple[float, int]:
    """Return the sort key of an identity: last seen newest first, then the newest.

    (On a tie, the identity added last: a chat just linked is the one in use.)
    """
    if isinstance(last_seen, str):  # a plain column on SQLite
        last_seen = datetime.fromisoformat(last_seen)
    if last_seen is not None and last_seen.tzinfo is None:
        last_seen = last_seen.replace(tzinfo=UTC)
    return -(last_seen.timestamp() if last_seen is not None else 0.0), -identity_id


def reachable_unit_ids() -> Select[tuple[int]]:
    """Return the query of the units with a focal point or leader the bot can write to.

    The same conditions as `recipients`: a started, reachable identity with a chat.
    """
    return (
        core_select(col(UnitContact.unit_id))
        .join(ContactIdentity, col(ContactIdentity.contact_id) == col(UnitContact.contact_id))
        .where(
            col(ContactIdentity.started).is_(True),
            col(ContactIdentity.reachable).is_(True),
            col(ContactIdentity.chat_id).is_not(None),
        )
        .distinct()
    )


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
    One whose messages come unreadable goes after every readable one, however recently it
    wrote: what it sent was seen, not read.
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
            _IDENTITIES.c.unreadable_since,
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
    for row in sorted(rows, key=_chosen_first):
        if row.contact_id not in found and row.chat_id:
            found[row.contact_id] = Recipient(*row[:5])
    return found


def _chosen_first(row: Row[Any]) -> tuple[bool, float, int]:
    """Return the sort key of a person's deliverable identity: readable ones first, then
    the one used last."""
    return (row.unreadable_since is not None, *recency(row.last_seen_at, row.id))


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
