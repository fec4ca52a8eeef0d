"""Who is told of an admin's change to a task, and the change's audit entry that names it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, col, select

from core.states import ReportState
from core.textnorm import vi_sort_key
from db.models import Assignment, AuditLog, Contact, Unit, UnitContact
from db.queries.recipients import Recipient, recipients_in_order
from db.queries.tasks import chunks

CHANGED = "task-changed"  # the key of the notices of a task changed: `<CHANGED>:<entry>:<contact>`
# In a notice's recipe: the assignments it gives a new deadline, [{assignment_id, deadline}].
TOLD = "told"
# The audit entry of such a notice given up on (`outbox_marks.mark_failed`): the sweep plans
# its task again (`reminders.tasks_moved`), and reminds whom it did not tell.
UNTOLD = "notice.given_up"


def contacts_on_task(
    session: Session,
    *,
    task_id: int,
    deadline: date | None = None,
    assignment_ids: Sequence[int] | None = None,
) -> list[Recipient]:
    """Return the reachable contacts of the active units on the task, each person once.

    With `deadline`, only of the units not done whose deadline is now that one (what a
    deadline moved: a unit with a later extension, or done, has nothing new to hear); with
    `assignment_ids`, of the units not done among those assignments (about to move).
    """
    units = (
        select(UnitContact.contact_id)
        .join(Assignment, col(Assignment.unit_id) == col(UnitContact.unit_id))
        .join(Unit, col(Unit.id) == col(Assignment.unit_id))
        .where(Assignment.task_id == task_id, col(Assignment.active).is_(True))
        .where(col(Unit.active).is_(True))
    )
    if assignment_ids is not None:
        units = units.where(col(Assignment.id).in_(assignment_ids))
        units = units.where(Assignment.state != ReportState.DONE)
    elif deadline is not None:
        units = units.where(Assignment.deadline == deadline, Assignment.state != ReportState.DONE)
    people = session.exec(
        select(Contact).where(col(Contact.id).in_(units)).order_by(col(Contact.id))
    )
    return recipients_in_order(session, list(people))


def contacts_of_units(
    session: Session, *, unit_ids: Sequence[int], active_only: bool = True
) -> list[tuple[Recipient, list[str]]]:
    """Return the reachable contacts of these active units (`active_only=False`: any), each
    person once, with the names of their units among them in Vietnamese alphabetical order
    (a person on two units of a task, one of them taken off, hears of that one: `units_kept`
    names the other)."""
    names: dict[int, list[tuple[str, str]]] = {}
    for chunk in chunks(list(unit_ids)):
        query = (
            select(UnitContact.contact_id, Unit.name, Unit.code)
            .join(Unit, col(Unit.id) == col(UnitContact.unit_id))
            .where(col(Unit.id).in_(chunk))
        )
        if active_only:
            query = query.where(col(Unit.active).is_(True))
        for contact_id, name, code in session.exec(query):
            names.setdefault(contact_id, []).append((name, code))
    people = [
        person
        for chunk in chunks(sorted(names))
        for person in session.exec(
            select(Contact).where(col(Contact.id).in_(chunk)).order_by(col(Contact.id))
        )
    ]
    return [
        (r, [n for n, _ in sorted(names[r.contact_id], key=lambda u: vi_sort_key(*u))])
        for r in recipients_in_order(session, people)
    ]


def units_kept(
    session: Session, *, task_id: int, contact_ids: Sequence[int]
) -> dict[int, list[str]]:
    """Return, for each of these people with units still on the task (active, the unit
    too), the names of those units in Vietnamese alphabetical order."""
    names: dict[int, list[tuple[str, str]]] = {}
    for chunk in chunks(list(contact_ids)):
        query = (
            select(UnitContact.contact_id, Unit.name, Unit.code)
            .join(Assignment, col(Assignment.unit_id) == col(UnitContact.unit_id))
            .join(Unit, col(Unit.id) == col(Assignment.unit_id))
            .where(Assignment.task_id == task_id, col(Assignment.active).is_(True))
            .where(col(Unit.active).is_(True), col(UnitContact.contact_id).in_(chunk))
        )
        for contact_id, name, code in session.exec(query):
            names.setdefault(contact_id, []).append((name, code))
    return {c: [n for n, _ in sorted(u, key=lambda x: vi_sort_key(*x))] for c, u in names.items()}


def removals(session: Session, *, task_id: int) -> list[tuple[int, set[int]]]:
    """Return the task's audit entries of units taken off it, with the units each took off,
    newest first; an entry listing only part of its units (a country's worth) is left out."""
    query = (
        select(AuditLog.id, AuditLog.details)
        .where(AuditLog.object_type == "task", AuditLog.object_id == str(task_id))
        .where(AuditLog.action == "task.assignees_removed")
        .order_by(col(AuditLog.id).desc())
    )
    found = []
    for entry, details in session.exec(query):
        units = (details or {}).get("units", [])
        if entry is not None and len(units) == (details or {}).get("unit_count", len(units)):
            found.append((entry, {int(u) for u in units}))
    return found


def units_of(session: Session, *, contact_ids: Sequence[int]) -> dict[int, set[int]]:
    """Return each of these people's units, by person."""
    found: dict[int, set[int]] = {}
    for chunk in chunks(list(contact_ids)):
        query = select(UnitContact.contact_id, UnitContact.unit_id).where(
            col(UnitContact.contact_id).in_(chunk)
        )
        for contact_id, unit_id in session.exec(query):
            found.setdefault(contact_id, set()).add(unit_id)
    return found


def due_by_contact(
    session: Session, *, task_id: int, deadline: date, assignment_ids: Sequence[int] | None = None
) -> dict[int, list[tuple[int, str]]]:
    """Return, for each contact, the (assignment, unit name) of their active units on the
    task not done whose deadline is `deadline` (or, given, among `assignment_ids`), by
    assignment id (one query, a country's task included)."""
    query = (
        select(UnitContact.contact_id, Assignment.id, Unit.name)
        .join(Assignment, col(Assignment.unit_id) == col(UnitContact.unit_id))
        .join(Unit, col(Unit.id) == col(Assignment.unit_id))
        .where(Assignment.task_id == task_id, col(Assignment.active).is_(True))
        .where(col(Unit.active).is_(True), Assignment.state != ReportState.DONE)
        .order_by(col(UnitContact.contact_id), col(Assignment.id))
    )
    if assignment_ids is not None:
        query = query.where(col(Assignment.id).in_(assignment_ids))
    else:
        query = query.where(Assignment.deadline == deadline)
    found: dict[int, list[tuple[int, str]]] = {}
    for contact_id, assignment_id, name in session.exec(query):
        if assignment_id is not None:
            found.setdefault(contact_id, []).append((assignment_id, name))
    return found


def last_entry(session: Session, *, task_id: int, action: str) -> int:
    """Return the id of the task's latest audit entry of this action (flushed), or 0."""
    query = select(func.max(AuditLog.id)).where(
        AuditLog.object_type == "task",
        AuditLog.object_id == str(task_id),
        AuditLog.action == action,
    )
    return session.exec(query).one() or 0


def unit_entry(session: Session, *, unit_id: int, action: str) -> int:
    """Return the id of the unit's latest audit entry of this action (flushed), or 0."""
    query = select(func.max(AuditLog.id)).where(
        AuditLog.object_type == "unit",
        AuditLog.object_id == str(unit_id),
        AuditLog.action == action,
    )
    return session.exec(query).one() or 0


def calendar_entry(session: Session, *, day: date) -> int:
    """Return the id of the latest audit entry of a `/calendar` change of the day, or 0."""
    query = select(func.max(AuditLog.id)).where(
        col(AuditLog.action).in_(("calendar.set", "calendar.removed")),
        AuditLog.object_id == day.isoformat(),
    )
    return session.exec(query).one() or 0


def rows_due(session: Session, *, task_id: int, day: date, limit: int) -> list[int]:
    """Return the first `limit` current assignments of the task due `day`, by id: those a
    move of its rows a transaction at a time moves next (`task_deadlines.move_task_rows`)."""
    query = (
        select(Assignment.id)
        .where(Assignment.task_id == task_id, col(Assignment.active).is_(True))
        .where(Assignment.deadline == day)
        .order_by(col(Assignment.id))
        .limit(limit)
    )
    return [i for i in session.exec(query) if i is not None]


def last_audit_id(session: Session) -> int:
    """Return the id of the latest audit entry, or 0: what a later change is counted after."""
    return session.exec(select(func.max(AuditLog.id))).one() or 0


def task_changes(
    session: Session, *, after: int, actor_id: int | None, actions: Sequence[str]
) -> list[AuditLog]:
    """Return this actor's audit entries of these actions on tasks after entry `after`,
    oldest first (what a tasks file just changed)."""
    query = select(AuditLog).where(
        col(AuditLog.id) > after,
        AuditLog.object_type == "task",
        col(AuditLog.action).in_(list(actions)),
    )
    query = query.where(
        col(AuditLog.actor_id).is_(None) if actor_id is None else AuditLog.actor_id == actor_id
    )
    return list(session.exec(query.order_by(col(AuditLog.id))))
