"""Check-ins: what a contact may report on, which message a reply answers, pending questions."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from db.models import (
    AppState,
    Assignment,
    Contact,
    Evidence,
    Explanation,
    Outbox,
    OutboxItem,
    Task,
    Unit,
    UnitContact,
)
from db.queries.scope import in_scope
from db.queries.tasks import find_tasks
from db.queries.units import find_units

# A question the bot asked (which reason, which date) is forgotten after this long, so an
# unrelated message days later is read as what it says.
PENDING_TTL = timedelta(hours=24)
Row = tuple[Assignment, Task]


class Check(StrEnum):
    """Whether a contact may report on an assignment, and why not."""

    OK = "ok"
    MISSING = "missing"
    NOT_YOURS = "not_yours"
    CLOSED = "closed"


def _open_query(unit_ids: Sequence[int]) -> Any:
    """Return the query of active assignments of open tasks of these units."""
    return (
        select(Assignment, Task)
        .join(Task, col(Task.id) == col(Assignment.task_id))
        .where(col(Assignment.unit_id).in_(list(unit_ids)))
        .where(col(Assignment.active).is_(True), Task.status == "open")
    )


def reportable(session: Session, *, unit_ids: Sequence[int]) -> list[Row]:
    """Return the assignments these units may report on (open tasks), nearest deadline first."""
    query = _open_query(unit_ids).order_by(col(Assignment.deadline), col(Task.id))
    return list(session.exec(query))


def open_page(
    session: Session, *, unit_ids: Sequence[int], offset: int, limit: int
) -> tuple[list[Row], int]:
    """Return a page of the units' not-done assignments, nearest deadline first, and a total."""
    query = _open_query(unit_ids).where(Assignment.state != "done")
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    page = query.order_by(col(Assignment.deadline), col(Task.id), col(Assignment.id))
    return list(session.exec(page.offset(offset).limit(limit))), int(total)


def check_reportable(
    session: Session, *, assignment_id: int, unit_ids: Sequence[int]
) -> tuple[Check, Assignment | None, Task | None]:
    """Check that the assignment is one of these units' and its task is still open."""
    assignment = session.get(Assignment, assignment_id)
    task = session.get(Task, assignment.task_id) if assignment is not None else None
    if assignment is None or task is None:
        return Check.MISSING, None, None
    if assignment.unit_id not in unit_ids:
        return Check.NOT_YOURS, assignment, task
    if not assignment.active or task.status != "open":
        return Check.CLOSED, assignment, task
    return Check.OK, assignment, task


def message_outbox(session: Session, *, chat_id: str, message_id: int) -> Outbox | None:
    """Return the outbox row that was delivered as this message, if the bot sent it so."""
    query = select(Outbox).where(
        Outbox.chat_id == chat_id, Outbox.channel_message_id == str(message_id)
    )
    return session.exec(query).first()


def outbox_assignments(session: Session, *, outbox_id: int) -> list[int]:
    """Return the assignments a sent message was about."""
    query = select(OutboxItem.assignment_id).where(OutboxItem.outbox_id == outbox_id)
    return list(session.exec(query))


# --- pending questions ---------------------------------------------------------------------


def _key(kind: str, contact_id: int) -> str:
    """Return the app_state key of a contact's pending value."""
    return f"checkin:{kind}:{contact_id}"


def set_pending(
    session: Session, *, contact_id: int, data: dict[str, Any], now: datetime, kind: str = "step"
) -> None:
    """Remember what the bot asked this contact (one question at a time)."""
    row = session.get(AppState, _key(kind, contact_id))
    if row is None:
        row = AppState(key=_key(kind, contact_id))
    row.value = json.dumps(data, ensure_ascii=False)
    row.updated_at = now
    session.add(row)
    session.flush()


def get_pending(
    session: Session, *, contact_id: int, now: datetime, kind: str = "step"
) -> dict[str, Any] | None:
    """Return what the bot asked this contact, unless it is too old."""
    row = session.get(AppState, _key(kind, contact_id))
    if row is None or not row.value or now - row.updated_at > PENDING_TTL:
        return None
    data = json.loads(row.value)
    return data if isinstance(data, dict) else None


def clear_pending(session: Session, *, contact_id: int, kind: str = "step") -> None:
    """Forget the question asked of this contact."""
    row = session.get(AppState, _key(kind, contact_id))
    if row is not None:
        session.delete(row)
        session.flush()


# --- people to tell --------------------------------------------------------------------------


def reachable(contacts: Sequence[Contact]) -> list[Contact]:
    """Keep the contacts the bot may write to."""
    return [c for c in contacts if c.started and c.reachable and c.chat_id]


def coordinators_of_unit(session: Session, *, unit_id: int) -> list[Contact]:
    """Return the coordinators and admins whose scope covers the unit and who can be told."""
    query = select(Contact).where(col(Contact.role).in_(("coordinator", "admin")))
    staff = list(session.exec(query.order_by(col(Contact.id))))
    return [
        c
        for c in reachable(staff)
        if c.id is not None and in_scope(session, contact_id=c.id, unit_id=unit_id)
    ]


def contacts_of_unit(session: Session, *, unit_id: int) -> list[Contact]:
    """Return the unit's contacts the bot can write to."""
    query = (
        select(Contact)
        .join(UnitContact, col(UnitContact.contact_id) == col(Contact.id))
        .where(UnitContact.unit_id == unit_id)
        .order_by(col(Contact.id))
    )
    return reachable(list(session.exec(query)))


def unit_name(session: Session, *, unit_id: int) -> str:
    """Return a unit's name."""
    unit = session.get(Unit, unit_id)
    return unit.name if unit is not None else str(unit_id)


def contact_name(session: Session, *, contact_id: int | None) -> str:
    """Return a contact's display name (empty when unknown)."""
    contact = session.get(Contact, contact_id) if contact_id is not None else None
    return contact.display_name if contact is not None else ""


# --- explanations and evidence -----------------------------------------------------------------


def latest_explanation(session: Session, *, assignment_id: int) -> Explanation | None:
    """Return the newest explanation asked of an assignment, answered or not."""
    query = (
        select(Explanation)
        .where(Explanation.assignment_id == assignment_id)
        .order_by(col(Explanation.id).desc())
    )
    return session.exec(query).first()


def evidence_of(session: Session, *, assignment_id: int) -> list[Evidence]:
    """Return the files kept as evidence of an assignment, oldest first."""
    query = select(Evidence).where(Evidence.assignment_id == assignment_id)
    return list(session.exec(query.order_by(col(Evidence.id))))


def find_evidence(session: Session, *, assignment_id: int, sha256: str) -> Evidence | None:
    """Return the evidence of this assignment with this checksum, if kept already."""
    query = select(Evidence).where(
        Evidence.assignment_id == assignment_id, Evidence.sha256 == sha256
    )
    return session.exec(query).first()


def waiting_explanation(session: Session, *, assignment_id: int) -> Explanation | None:
    """Return the explanation asked of an assignment and not answered yet."""
    query = select(Explanation).where(
        Explanation.assignment_id == assignment_id, col(Explanation.answered_at).is_(None)
    )
    return session.exec(query.order_by(col(Explanation.id).desc())).first()


def waiting_explanations(session: Session, *, unit_ids: Sequence[int]) -> list[Explanation]:
    """Return the unanswered explanations asked of these units, newest first."""
    query = (
        select(Explanation)
        .join(Assignment, col(Assignment.id) == col(Explanation.assignment_id))
        .where(col(Assignment.unit_id).in_(list(unit_ids)), col(Explanation.answered_at).is_(None))
    )
    return list(session.exec(query.order_by(col(Explanation.id).desc())))


def find_assignment(session: Session, *, text: str) -> tuple[Assignment | None, str]:
    """Return the assignment named by "<task> <unit>" ("#12 Tam Xuân"), or why not.

    The words are split at each place in turn; the first split that names exactly one task
    and exactly one unit wins. Reasons: "usage", "not_found", "not_assigned".
    """
    words = text.split()
    if len(words) < 2:
        return None, "usage"
    for cut in range(1, len(words)):
        tasks = find_tasks(session, text=" ".join(words[:cut]))
        units = find_units(session, text=" ".join(words[cut:]), include_inactive=True)
        if len(tasks) == 1 and len(units) == 1:
            query = select(Assignment).where(
                Assignment.task_id == tasks[0].id, Assignment.unit_id == units[0].id
            )
            found = session.exec(query).first()
            return (found, "") if found is not None else (None, "not_assigned")
    return None, "not_found"
