"""Single-use links: a link is taken once, by inserting the hash of its signature.

The hash is the row's primary key, so of two concurrent uses only one inserts it (the other
waits for it on PostgreSQL, or for the write lock on SQLite, and finds it there). A row
is kept until its link expires: an expired link is refused before the store is asked,
so the rows past their expiry are purged when a new one is taken.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from db.models import UsedLink


def link_key(signature: str) -> str:
    """Return the stored form of a link's signature (hex SHA-256)."""
    return hashlib.sha256(signature.encode()).hexdigest()


def take(session: Session, *, signature: str, expires_at: datetime, now: datetime) -> bool:
    """Mark the link used; return False when it was used before (or is being used now)."""
    session.execute(delete(UsedLink).where(col(UsedLink.expires_at) <= now))
    dialect = session.get_bind().dialect.name
    upsert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    table = UsedLink.__table__  # type: ignore[attr-defined]
    statement = (
        upsert(table)
        .on_conflict_do_nothing(index_elements=["key_hash"])
        .returning(table.c.key_hash)  # the driver's rowcount of an upsert is not to be trusted
    )
    row = {"key_hash": link_key(signature), "used_at": now, "expires_at": expires_at}
    return session.connection().execute(statement, row).first() is not None


def give_back(session: Session, *, signature: str) -> None:
    """Forget that the link was taken (what it gives could not be given): it works again."""
    session.execute(delete(UsedLink).where(col(UsedLink.key_hash) == link_key(signature)))


def was_used(session: Session, *, signature: str) -> bool:
    """Tell whether the link was taken already."""
    found = session.exec(select(UsedLink.key_hash).where(UsedLink.key_hash == link_key(signature)))
    return found.first() is not None
