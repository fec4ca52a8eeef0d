"""The audit log: who changed what, and when."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, col, select

from db.models import AuditLog


def record(
    session: Session,
    *,
    actor_id: int | None,
    action: str,
    object_type: str = "",
    object_id: object = "",
    details: dict[str, Any] | None = None,
    actor_label: str = "",
) -> AuditLog:
    """Add an audit entry to the session (committed with the change it describes)."""
    entry = AuditLog(
        actor_id=actor_id,
        actor_label=actor_label,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        details=details or {},
    )
    session.add(entry)
    return entry


def record_all(session: Session, entries: Sequence[AuditLog]) -> None:
    """Add audit entries in one statement, in the session's transaction (their ids unread:
    one INSERT a row when the ORM reads them back)."""
    if entries:
        rows = [e.model_dump(exclude={"id"}) for e in entries]
        session.execute(insert(AuditLog), rows)


def entries(session: Session, *, action: str | None = None, limit: int = 100) -> list[AuditLog]:
    """Return the newest audit entries, optionally of one action."""
    query = select(AuditLog).order_by(col(AuditLog.id).desc()).limit(limit)
    if action is not None:
        query = query.where(AuditLog.action == action)
    return list(session.exec(query))


def last_of(session: Session, *, action: str, object_id: object) -> AuditLog | None:
    """Return the newest audit entry of one action about one object, if any."""
    query = (
        select(AuditLog)
        .where(AuditLog.action == action, AuditLog.object_id == str(object_id))
        .order_by(col(AuditLog.id).desc())
    )
    return session.exec(query).first()
