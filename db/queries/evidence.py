"""The files kept as evidence: an assignment's, one by its checksum, and how much a unit
keeps (the quota on the bot's own storage is per unit)."""

from __future__ import annotations

from sqlalchemy import Connection, exists, func, insert, literal
from sqlmodel import Session, col, select

from db.models import Assignment, Evidence
from db.queries.unit_merge_history import carried_into


def unit_evidence_bytes(session: Session, *, unit_id: int) -> int:
    """Return the size of every file kept as evidence of the unit's assignments."""
    query = (
        select(func.coalesce(func.sum(Evidence.size), 0))
        .join(Assignment, col(Assignment.id) == col(Evidence.assignment_id))
        .where(Assignment.unit_id == unit_id)
    )
    return int(session.exec(query).one())


def evidence_of(session: Session, *, assignment_id: int) -> list[Evidence]:
    """Return the files kept as evidence of an assignment, oldest first: those of the old
    units' rows whose work it carries on (units merged) with them."""
    rows = [assignment_id, *carried_into(session, assignment_ids=[assignment_id])]
    query = select(Evidence).where(col(Evidence.assignment_id).in_(rows))
    return list(session.exec(query.order_by(col(Evidence.id))))


def find_evidence(session: Session, *, assignment_id: int, sha256: str) -> Evidence | None:
    """Return the evidence of this assignment with this checksum, if kept already."""
    query = select(Evidence).where(
        Evidence.assignment_id == assignment_id, Evidence.sha256 == sha256
    )
    return session.exec(query).first()


def add_evidence(connection: Connection, evidence: Evidence) -> None:
    """Record an evidence file, unless its assignment has it already (same checksum).

    One statement (INSERT ... SELECT ... WHERE NOT EXISTS), not a read and then a write: on
    SQLite a transaction that read first (a savepoint opened it) failed at once, "database
    is locked" whatever the busy wait, when another connection wrote in between (the
    reminder sweep), and the file sent was answered with the generic error.
    """
    table = Evidence.__table__  # type: ignore[attr-defined]
    values = evidence.model_dump(exclude={"id"})
    kept = exists().where(
        col(Evidence.assignment_id) == evidence.assignment_id,
        col(Evidence.sha256) == evidence.sha256,
    )
    row = select(*(literal(v, table.c[name].type) for name, v in values.items())).where(~kept)
    connection.execute(insert(table).from_select(list(values), row))
