"""Single-use links: a link is taken once, by inserting the hash of its signature.

The hash is the row's primary key, so of two concurrent uses only one inserts it (the other
waits for it on PostgreSQL, or for the write lock on SQLite, and finds it there). A take is
a lease: the row says until when its file is being built (`building_until`), and is
confirmed (`building_until` emptied) once the file is handed over. A process that dies while
building leaves an unconfirmed row: once its lease has passed, the link can be taken again,
by an update that only one of several concurrent takes makes (PostgreSQL reads the row again
after the first one's commit, SQLite lets one writer at a time).

A row is kept until its link expires: an expired link is refused before the store is asked,
so the rows past their expiry are purged when a new one is taken.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, update
from sqlmodel import Session, col, select

from db.models import UsedLink
from db.upsert import insert_new

LEASE = timedelta(minutes=5)  # longer than any build of a file; then a crashed take is free


def link_key(signature: str) -> str:
    """Return the stored form of a link's signature (hex SHA-256)."""
    return hashlib.sha256(signature.encode()).hexdigest()


def take(session: Session, *, signature: str, expires_at: datetime, now: datetime) -> bool:
    """Lease the link for one use; False when it was used, or is being used now."""
    session.execute(delete(UsedLink).where(col(UsedLink.expires_at) <= now))
    key = link_key(signature)
    table = UsedLink.__table__  # type: ignore[attr-defined]
    statement = insert_new(session, table, key="key_hash").returning(table.c.key_hash)
    row = {
        "key_hash": key,
        "used_at": now,
        "expires_at": expires_at,
        "building_until": now + LEASE,
    }
    # The driver's rowcount of an upsert or of an update is not to be trusted: RETURNING is.
    if session.connection().execute(statement, row).first() is not None:
        return True
    lapsed = (
        update(UsedLink)
        .where(
            col(UsedLink.key_hash) == key,
            col(UsedLink.building_until).is_not(None),
            col(UsedLink.building_until) <= now,
        )
        .values(used_at=now, building_until=now + LEASE)
        .returning(col(UsedLink.key_hash))
    )
    return session.execute(lapsed).first() is not None


def confirm(session: Session, *, signature: str) -> None:
    """Mark the link used for good: what it gives was given."""
    session.execute(
        update(UsedLink)
        .where(col(UsedLink.key_hash) == link_key(signature))
        .values(building_until=None)
    )


def give_back(session: Session, *, signature: str) -> None:
    """Forget that the link was taken (what it gives could not be given): it works again."""
    session.execute(
        delete(UsedLink).where(
            col(UsedLink.key_hash) == link_key(signature),
            col(UsedLink.building_until).is_not(None),  # a use confirmed stays so
        )
    )


def was_used(session: Session, *, signature: str, now: datetime) -> bool:
    """Tell whether the link was used already, or is being used now."""
    found = session.exec(
        select(UsedLink.key_hash).where(
            UsedLink.key_hash == link_key(signature),
            or_(col(UsedLink.building_until).is_(None), col(UsedLink.building_until) > now),
        )
    )
    return found.first() is not None
