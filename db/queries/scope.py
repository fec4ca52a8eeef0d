"""Which units a person may see: the one rule every coordinator view applies.

- an admin sees every unit;
- a coordinator sees every unit, or, when limited to some groups (ContactScope), the units
  of those groups plus their own units;
- a member sees their own units.

`scope_of` states the rule; `Scope.covers` turns it into SQL for counts and lists, and
`visible_tasks` keeps only tasks with something in scope, so no answer (a summary, a list of
matches, a nudge) names what lies outside. Deciding is narrower than seeing: nobody decides
on their own unit (`decides_on_own`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, false, or_, true
from sqlmodel import Session, col, select

from core.roles import Role
from db.models import Assignment, Contact, ContactScope, Task, Unit, UnitContact, UnitGroupMember
from db.queries.contacts import scope_group_ids, unit_ids_of


@dataclass(frozen=True)
class Scope:
    """The units someone may see: every unit, or their groups' units and their own."""

    everything: bool = True
    group_ids: tuple[int, ...] = ()
    unit_ids: tuple[int, ...] = ()

    def covers(self, unit_id: Any) -> ColumnElement[bool]:
        """Return the SQL condition that the unit id column (or value) is in scope."""
        if self.everything:
            return true()
        parts: list[ColumnElement[bool]] = []
        if self.unit_ids:
            parts.append(col(unit_id).in_(self.unit_ids))
        if self.group_ids:
            members = select(UnitGroupMember.unit_id).where(
                col(UnitGroupMember.group_id).in_(self.group_ids)
            )
            parts.append(col(unit_id).in_(members))
        return or_(*parts) if parts else false()


EVERY = Scope()


def scope_of(role: str, *, unit_ids: Iterable[int], group_ids: Iterable[int]) -> Scope:
    """Return the scope of someone with this role, these units and these scope groups."""
    groups = tuple(sorted(set(group_ids)))
    if role == Role.ADMIN or (role == Role.COORDINATOR and not groups):
        return EVERY
    own = tuple(sorted(set(unit_ids)))
    return Scope(False, groups if role == Role.COORDINATOR else (), own)


def contact_scope(session: Session, *, contact_id: int) -> Scope:
    """Return a contact's scope as stored now (nobody: an empty scope)."""
    contact = session.get(Contact, contact_id)
    if contact is None:
        return Scope(False)
    return scope_of(
        contact.role,
        unit_ids=unit_ids_of(session, contact_id=contact_id),
        group_ids=scope_group_ids(session, contact_id=contact_id),
    )


def unit_ids_in_scope(
    session: Session, *, contact_id: int, include_inactive: bool = False
) -> list[int]:
    """Return the ids of the units this contact may see, in id order."""
    scope = contact_scope(session, contact_id=contact_id)
    query = select(Unit.id).where(scope.covers(Unit.id))
    if not include_inactive:
        query = query.where(col(Unit.active).is_(True))
    return sorted(i for i in session.exec(query) if i is not None)


def in_scope(session: Session, *, contact_id: int, unit_id: int) -> bool:
    """Tell whether the contact may see this unit."""
    return unit_id in unit_ids_in_scope(session, contact_id=contact_id, include_inactive=True)


def units_in_scope(session: Session, *, unit_ids: Sequence[int], scope: Scope) -> set[int]:
    """Return which of these units the scope covers."""
    if scope.everything:
        return set(unit_ids)
    query = select(Unit.id).where(col(Unit.id).in_(unit_ids), scope.covers(Unit.id))
    return {i for i in session.exec(query) if i is not None}


def visible_tasks(session: Session, *, tasks: Sequence[Task], scope: Scope) -> list[Task]:
    """Keep the tasks with at least one unit in scope (assigned now or before), in order."""
    if scope.everything or not tasks:
        return list(tasks)
    ids = [t.id for t in tasks if t.id is not None]
    query = select(Assignment.task_id).where(
        col(Assignment.task_id).in_(ids), scope.covers(Assignment.unit_id)
    )
    seen = set(session.exec(query))
    return [t for t in tasks if t.id in seen]


def decides_on_own(session: Session, *, contact_id: int, unit_id: int) -> bool:
    """Tell whether a decision on this unit would be the person's own (they belong to it).

    Nobody decides on their own unit's matters (an extension, an explanation), whatever
    their role: another coordinator or an admin does.
    """
    return session.get(UnitContact, (unit_id, contact_id)) is not None


def set_scope(session: Session, *, contact_id: int, group_ids: Sequence[int]) -> None:
    """Limit a coordinator to these groups (none: the whole province)."""
    for row in session.exec(select(ContactScope).where(ContactScope.contact_id == contact_id)):
        session.delete(row)
    session.flush()
    for group_id in sorted(set(group_ids)):
        session.add(ContactScope(contact_id=contact_id, group_id=group_id))
    session.flush()
