"""Linking identities: one-time codes, attaching an identity to a person, and taking one
off a person again (`split_identity`).

Merging the chat's own person into the code's is `db/queries/merging.py`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from core.linking import hash_link_code, link_expires_at, new_link_code
from core.states import SendStatus
from db.models import Contact, ContactIdentity, LinkCode, Outbox


def create_link_code(session: Session, *, contact_id: int, now: datetime) -> str:
    """Make a person's new code (their older unused ones stop working); return it."""
    session.execute(
        update(LinkCode)
        .where(
            col(LinkCode.contact_id) == contact_id,
            col(LinkCode.used_at).is_(None),
            col(LinkCode.expires_at) > now,
        )
        .values(expires_at=now)
    )
    code = new_link_code()
    session.add(
        LinkCode(
            code_hash=hash_link_code(code),
            contact_id=contact_id,
            created_at=now,
            expires_at=link_expires_at(now),
        )
    )
    session.flush()
    return code


def usable_link_code(session: Session, *, code: str, now: datetime) -> LinkCode | None:
    """Return the unused, unexpired code typed, if there is one."""
    query = select(LinkCode).where(
        LinkCode.code_hash == hash_link_code(code),
        col(LinkCode.used_at).is_(None),
        col(LinkCode.expires_at) > now,
    )
    return session.exec(query.order_by(col(LinkCode.id).desc())).first()


def spend_link_code(session: Session, *, code_id: int, now: datetime) -> bool:
    """Mark a code used; False when another request spent it first (two at once).

    The first write of a merge: PostgreSQL holds the code's row, SQLite its one write lock,
    until the transaction ends, so a second try of the code waits and then finds it spent.
    """
    result = session.execute(
        update(LinkCode)
        .where(
            col(LinkCode.id) == code_id,
            col(LinkCode.used_at).is_(None),
            col(LinkCode.expires_at) > now,
        )
        .values(used_at=now)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def attach_identity(
    session: Session,
    *,
    contact_id: int,
    channel: str,
    external_id: str,
    chat_id: str,
    username: str | None,
    now: datetime,
) -> ContactIdentity:
    """Give a person a new identity, seen now (so their messages go there first)."""
    identity = ContactIdentity(
        contact_id=contact_id,
        channel=channel,
        external_id=external_id,
        chat_id=chat_id,
        username=username,
        started=True,
        last_seen_at=now,
        created_at=now,
    )
    session.add(identity)
    session.flush()
    return identity


def channels_of(session: Session, *, contact_id: int) -> set[str]:
    """Return the channels a person has an identity on."""
    query = select(ContactIdentity.channel).where(ContactIdentity.contact_id == contact_id)
    return set(session.exec(query))


def split_identity(
    session: Session, *, contact_id: int, channel: str
) -> tuple[ContactIdentity, Contact] | None:
    """Take the person's identity on `channel` off them, as a person of its own with no unit
    and no role (a /link code typed by the wrong person); return it and its new person. None
    when they have none there, or no other: a person keeps a chat to be reached at.

    What is queued for them on that chat and not sent yet goes to the chat they used last of
    the others instead; what it sent before stays theirs.
    """
    identities = session.exec(
        select(ContactIdentity).where(ContactIdentity.contact_id == contact_id)
    ).all()
    taken = [i for i in identities if i.channel == channel]
    others = sorted(
        (i for i in identities if i.channel != channel),
        key=lambda i: (i.last_seen_at is not None, i.last_seen_at or i.created_at),
    )
    if not taken or not others:
        return None
    identity, kept = taken[0], others[-1]
    person = session.get_one(Contact, contact_id)
    alone = Contact(display_name=identity.username or "", language=person.language)
    session.add(alone)
    session.flush()
    assert alone.id is not None
    identity.contact_id = alone.id
    session.add(identity)
    session.execute(
        update(Outbox)
        .where(
            col(Outbox.contact_id) == contact_id,
            col(Outbox.channel) == identity.channel,
            col(Outbox.chat_id) == identity.chat_id,
            col(Outbox.status) == SendStatus.PENDING,
        )
        .values(channel=kept.channel, chat_id=kept.chat_id)
    )
    session.flush()
    return identity, alone
