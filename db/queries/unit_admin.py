"""What admins see and change about units: the overview with reachability, (de)activation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from core.states import TaskStatus
from core.textnorm import vi_sort_key
from db.models import (
    Assignment,
    AuditLog,
    Contact,
    ContactIdentity,
    Task,
    Unit,
    UnitContact,
    UnitKind,
)
from db.queries.audit import record, record_all
from db.queries.recipients import reachable_people
from db.queries.taskadmin import remove_assignees
from db.queries.tasks import active_unit_ids, chunks


@dataclass(frozen=True)
class UnitRow:
    """What the overview shows of a unit."""

    id: int
    code: str
    name: str
    kind_key: str


@dataclass(frozen=True)
class UnitStatus:
    """A unit with how many contacts it has, how many of them the bot can reach, and how
    many of those it cannot read on a channel (Zalo's protected accounts)."""

    unit: UnitRow
    kind: UnitKind | None
    contacts: int
    reachable: int
    unreadable: int = 0

    @property
    def unreachable(self) -> bool:
        """Tell whether no contact of this unit can get a message."""
        return self.reachable == 0


def unit_overview(session: Session, *, include_inactive: bool = False) -> list[UnitStatus]:
    """Return every (active) unit with its contact counts, by kind order then name.

    A country has over ten thousand units: read as columns, not objects (whose making took
    half a second of the bot's GIL for each /units page).
    """
    kinds = {k.key: k for k in session.exec(select(UnitKind))}
    query = select(col(Unit.id), col(Unit.code), col(Unit.name), col(Unit.kind_key))
    if not include_inactive:
        query = query.where(col(Unit.active).is_(True))
    units = [UnitRow(uid or 0, code, name, kind) for uid, code, name, kind in session.exec(query)]
    links = list(session.exec(select(UnitContact.unit_id, UnitContact.contact_id)))
    reachable = reachable_people(session, contact_ids={c for _, c in links})
    unreadable = unreadable_people(session)
    counts: dict[int, list[int]] = {}
    for unit_id, contact_id in links:
        entry = counts.setdefault(unit_id, [0, 0, 0])
        entry[0] += 1
        entry[1] += 1 if contact_id in reachable else 0
        entry[2] += 1 if contact_id in reachable and contact_id in unreadable else 0
    statuses = [UnitStatus(u, kinds.get(u.kind_key), *counts.get(u.id, [0, 0, 0])) for u in units]
    statuses.sort(
        key=lambda s: (s.kind.sort_order if s.kind else 999, vi_sort_key(s.unit.name, s.unit.code))
    )
    return statuses


def unreadable_people(session: Session) -> set[int]:
    """Return the people with an identity whose messages come unreadable (few: the rows
    with `unreadable_since` set, not every person's)."""
    query = select(ContactIdentity.contact_id).where(
        col(ContactIdentity.unreadable_since).is_not(None)
    )
    return set(session.exec(query))


def set_active(
    session: Session, *, unit_id: int, active: bool, actor_id: int | None, now: datetime
) -> Unit | None:
    """Deactivate or reactivate a unit (its history stays); None when it does not exist."""
    unit = session.get(Unit, unit_id)
    if unit is None:
        return None
    if unit.active != active:
        unit.active, unit.updated_at = active, now
        record(
            session,
            actor_id=actor_id,
            action="unit.activated" if active else "unit.deactivated",
            object_type="unit",
            object_id=unit_id,
            details={"code": unit.code},
        )
    return unit


def deactivate_all(
    session: Session, *, unit_ids: Sequence[int], actor_id: int | None, now: datetime
) -> list[int]:
    """Deactivate the units (their history stays), each audited as `set_active` does it, in
    one statement for them all; return those that were active.

    A merge's last transaction deactivated 200 communes one UPDATE at a time, 1.2 s of the
    write lock every reply waited behind."""
    query = select(Unit).where(col(Unit.id).in_(list(unit_ids)), col(Unit.active).is_(True))
    units = list(session.exec(query.order_by(col(Unit.id))))
    ids = [u.id for u in units if u.id is not None]
    if not ids:
        return []
    session.execute(
        update(Unit).where(col(Unit.id).in_(ids)).values(active=False, updated_at=now),
        execution_options={"synchronize_session": False},
    )
    for unit in units:  # the objects the session holds say what the row says now
        set_committed_value(unit, "active", False)
        set_committed_value(unit, "updated_at", now)
    said = "unit.deactivated"
    record_all(
        session,
        [
            AuditLog(actor_id=actor_id, action=said, object_type="unit", object_id=str(u.id),
                     details={"code": u.code})
            for u in units
        ],
    )  # fmt: skip
    return ids


@dataclass(frozen=True)
class TakenOff:
    """The open tasks a unit was taken off, and those of them left with no unit."""

    task_ids: list[int]
    emptied: list[int]


def take_off_open_tasks(session: Session, *, unit_id: int, actor_id: int | None) -> TakenOff:
    """Take a unit off every open task it is on, as /unassign does (its assignments kept,
    inactive; each task's change audited; `task_count` follows by its triggers).

    A deactivated unit (a commune merged away) stayed on its tasks: overdue in every summary,
    the formal report, the ranking and the digest for good, its reports refused.
    """
    on_task = (
        select(Task)
        .join(Assignment, col(Assignment.task_id) == col(Task.id))
        .where(Assignment.unit_id == unit_id, col(Assignment.active).is_(True))
        .where(Task.status == TaskStatus.OPEN)
        .order_by(col(Task.id))
    )
    tasks = list(session.exec(on_task))
    for task in tasks:
        remove_assignees(session, task=task, unit_ids=[unit_id], actor_id=actor_id)
    ids = [t.id for t in tasks if t.id is not None]
    return TakenOff(ids, [i for i in ids if not active_unit_ids(session, task_id=i)])


def open_tasks_taken_off(session: Session, *, unit_id: int) -> list[int]:
    """Return the open tasks the unit was once on and is no longer (taken off), by id."""
    query = (
        select(Task.id)
        .join(Assignment, col(Assignment.task_id) == col(Task.id))
        .where(Assignment.unit_id == unit_id, col(Assignment.active).is_(False))
        .where(Task.status == TaskStatus.OPEN)
        .order_by(col(Task.id))
    )
    return [i for i in session.exec(query) if i is not None]


def inactive_ids(session: Session, *, unit_ids: list[int]) -> set[int]:
    """Return which of the units are deactivated."""
    found: set[int] = set()
    for chunk in chunks(unit_ids):
        query = select(Unit.id).where(col(Unit.id).in_(chunk), col(Unit.active).is_(False))
        found.update(i for i in session.exec(query) if i is not None)
    return found


def parent_code(session: Session, unit: Unit) -> str:
    """Return the code of the unit's parent, or an empty string."""
    parent = session.get(Unit, unit.parent_id) if unit.parent_id is not None else None
    return parent.code if parent is not None else ""


def contacts_of_unit(session: Session, *, unit_id: int) -> list[tuple[Contact, str]]:
    """Return the unit's contacts with their function, oldest link first."""
    query = (
        select(Contact, UnitContact.function)
        .join(UnitContact, col(UnitContact.contact_id) == col(Contact.id))
        .where(UnitContact.unit_id == unit_id)
        .order_by(col(UnitContact.created_at))
    )
    return [(contact, function) for contact, function in session.exec(query)]
