"""Who a reminder goes to, and what it shows of its task.

A unit's reachable focal points and leaders (leaders too when escalated), the coordinators
who get the lists, the units someone can be reminded at, each task's title and directive.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from core.roles import Function, Role
from db.models import Contact, Directive, Task, UnitContact
from db.queries.recipients import Recipient, reachable_unit_ids, recipients, recipients_in_order
from db.queries.scope import unit_ids_in_scope


@dataclass
class UnitRecipients:
    """A unit's reachable focal points and leaders."""

    focal: list[Recipient] = field(default_factory=list)
    leaders: list[Recipient] = field(default_factory=list)

    def for_reminder(self, *, escalate: bool) -> list[Recipient]:
        """Return who gets the reminder: focal points (else leaders), leaders too if escalated."""
        if escalate:
            return list({r.contact_id: r for r in self.focal + self.leaders}.values())
        return list(self.focal or self.leaders)


def reachable_units(session: Session) -> set[int]:
    """Return the units with a focal point or leader the bot can write to."""
    return set(session.connection().execute(reachable_unit_ids()).scalars())


def recipients_of_units(session: Session, *, unit_ids: Iterable[int]) -> dict[int, UnitRecipients]:
    """Return each unit's reachable, started focal points and leaders, by contact id.

    Two plain queries, not a join: for a chunk's thousand units SQLite chose to scan every
    contact and probe each against the whole list, seconds a chunk on a country's data.
    """
    ids = list(set(unit_ids))
    found: dict[int, UnitRecipients] = defaultdict(UnitRecipients)
    if not ids:
        return found
    links = session.exec(
        select(UnitContact.unit_id, UnitContact.contact_id, UnitContact.function).where(
            col(UnitContact.unit_id).in_(ids)
        )
    ).all()
    people = recipients(session, contact_ids={contact_id for _, contact_id, _ in links})
    for unit_id, contact_id, function in sorted(links, key=lambda link: link[1]):
        if contact_id in people:
            group = found[unit_id].leaders if function == Function.LEADER else found[unit_id].focal
            group.append(people[contact_id])
    return found


def coordinators(session: Session) -> list[tuple[Recipient, set[int]]]:
    """Return the coordinators the bot may write to, each with the units they follow.

    Admins stand in when the province has no reachable coordinator.
    """
    for roles in ((Role.COORDINATOR.value,), (Role.ADMIN.value,)):
        query = select(Contact).where(col(Contact.role).in_(roles)).order_by(col(Contact.id))
        found = []
        for recipient in recipients_in_order(session, list(session.exec(query))):
            scope = unit_ids_in_scope(session, contact_id=recipient.contact_id)
            found.append((recipient, set(scope)))
        if found:
            return found
    return []


@dataclass(frozen=True)
class TaskInfo:
    """What a reminder shows of a task."""

    title: str
    directive: str | None


def task_infos(session: Session, *, task_ids: Iterable[int]) -> dict[int, TaskInfo]:
    """Return the title and directive number of each task."""
    ids = list(set(task_ids))
    if not ids:
        return {}
    query = (
        select(Task.id, Task.title, Directive.number)
        .join(Directive, col(Directive.id) == col(Task.directive_id), isouter=True)
        .where(col(Task.id).in_(ids))
    )
    return {tid: TaskInfo(title, number) for tid, title, number in session.exec(query) if tid}
