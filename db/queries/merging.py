"""Two people found to be one (`/link` across channels): one becomes the other, whole.

Someone on Telegram who registered again on Zalo is two contacts, each with history. Once
they prove they hold both chats, the source's every row moves to the target in the
caller's transaction: every column with a foreign key to `contact.id` (read from the
models' metadata, so a table added later moves too), the keys of the key-value store that
name the person (pending questions and Zalo's forms: `checkin:<kind>:<id>`; the menu mark),
and the audit entries about them. Units and scope groups are unioned; the role is the higher
of the two (a merge never demotes, so never takes away an admin); the scope the wider;
language and name are the target's (the name the source's when the target has none); the
digest switch that of the higher role. Of the reminders both had queued for one day, about
one assignment, one copy is kept (`db/queries/outbox_merged.py`). The source's row then goes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Column, delete, update
from sqlmodel import Session, SQLModel, col, select

from core.roles import Role
from db.models import AppState, AuditLog, Contact, ContactScope, LinkCode, UnitContact
from db.queries import menu_marks, outbox_merged

RANK = (Role.MEMBER.value, Role.COORDINATOR.value, Role.ADMIN.value)
# Moved by rules of their own: one row per unit or group (a union), codes expired first.
APART = {"unit_contact", "contact_scope", "link_code"}
PENDING_PREFIX = "checkin:"


@dataclass(frozen=True)
class Merged:
    """What a merge did: the people, the role before and after, the units the target gained,
    and the source's role (when it is below `role`, the source's chats gained a role).

    The scopes are group ids, none meaning the whole province (a member's scope limits
    nothing, and so is none): the target's before, the source's, and the joined person's.
    """

    source_id: int
    target_id: int
    role_before: str
    role: str
    units_added: tuple[int, ...]
    source_role: str = ""
    scope_before: tuple[int, ...] = ()
    source_scope: tuple[int, ...] = ()
    scope: tuple[int, ...] = ()

    @property
    def raised(self) -> bool:
        """Whether the joined person has a role one of the two did not have."""
        return self.role_before != self.role or (self.source_role or self.role) != self.role

    @property
    def scope_widened(self) -> bool:
        """Whether a coordinator of the two follows more units now, their role unchanged.

        A coordinator limited to groups who takes in one limited to others, or to none,
        sees units they did not; admins see every unit whatever their groups. A role raised
        is `raised`, told as such.
        """
        if self.role != Role.COORDINATOR.value:
            return False
        before = ((self.role_before, self.scope_before), (self.source_role, self.source_scope))
        return any(role == self.role and scope != self.scope for role, scope in before)


def contact_columns() -> list[Column[int]]:
    """Return every column that holds a contact's id (a foreign key to `contact.id`)."""
    found = []
    for table in SQLModel.metadata.sorted_tables:
        for column in table.columns:
            if any(fk.target_fullname == "contact.id" for fk in column.foreign_keys):
                found.append(column)
    return found


def lock_people(session: Session, *, ids: Iterable[int]) -> bool:
    """Lock these people's rows until the transaction ends; False when one of them is gone.

    Every link takes its people's locks first, in id order, before it spends its code: two
    links of the same people at once (one code typed twice, or each one's code typed on the
    other's chat) wait for each other and never deadlock; the second then reads what the
    first committed. PostgreSQL locks the rows; SQLite has one write lock, taken by a write
    that changes nothing.
    """
    wanted = sorted(set(ids))
    people = col(Contact.id).in_(wanted)
    if session.get_bind().dialect.name == "sqlite":
        session.execute(
            update(Contact)
            .where(people)
            .values(role=Contact.role)
            .execution_options(synchronize_session=False)
        )
    query = select(Contact.id).where(people).order_by(col(Contact.id)).with_for_update()
    return len(session.exec(query).all()) == len(wanted)


def merge_people(session: Session, *, source_id: int, target_id: int, now: datetime) -> Merged:
    """Make the source person part of the target, in the session's transaction."""
    source, target = session.get_one(Contact, source_id), session.get_one(Contact, target_id)
    role_before, source_role = target.role, source.role
    source_ranks_higher = RANK.index(source.role) > RANK.index(target.role)
    scopes = _union_scope(session, source, target)
    added = _union_units(session, source_id=source_id, target_id=target_id)
    if source_ranks_higher:
        target.role, target.digest_enabled = source.role, source.digest_enabled
    target.display_name = target.display_name or source.display_name
    session.add(target)
    session.execute(
        update(LinkCode)
        .where(col(LinkCode.contact_id) == source_id, col(LinkCode.expires_at) > now)
        .values(expires_at=now)
    )
    for column in contact_columns():
        if column.table.name not in APART:
            session.execute(
                update(column.table).where(column == source_id).values({column.name: target_id})
            )
    session.execute(
        update(LinkCode).where(col(LinkCode.contact_id) == source_id).values(contact_id=target_id)
    )
    session.execute(
        update(AuditLog)
        .where(col(AuditLog.object_type) == "contact", col(AuditLog.object_id) == str(source_id))
        .values(object_id=str(target_id))
    )
    _move_pending(session, source_id=source_id, target_id=target_id)
    outbox_merged.drop_duplicates(session, contact_id=target_id, now=now)
    session.execute(delete(AppState).where(col(AppState.key) == f"{menu_marks.PREFIX}{source_id}"))
    menu_marks.mark(session, contact_id=target_id)
    session.flush()
    session.delete(source)
    session.flush()
    return Merged(source_id, target_id, role_before, target.role, added, source_role, *scopes)


def _union_units(session: Session, *, source_id: int, target_id: int) -> tuple[int, ...]:
    """Give the target the source's units (a unit both had keeps the target's function)."""
    held = set(
        session.exec(select(UnitContact.unit_id).where(UnitContact.contact_id == target_id))
    )
    rows = session.exec(select(UnitContact).where(UnitContact.contact_id == source_id)).all()
    added = sorted(row.unit_id for row in rows if row.unit_id not in held)
    for row in rows:
        if row.unit_id not in held:
            session.add(
                UnitContact(unit_id=row.unit_id, contact_id=target_id, function=row.function)
            )
        session.delete(row)
    session.flush()
    return tuple(added)


Scopes = tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]


def _union_scope(session: Session, source: Contact, target: Contact) -> Scopes:
    """Give the target the wider scope of the two; return the target's scope before, the
    source's, and the one kept (group ids; none, every unit).

    A scope limits a coordinator (a member's rows limit nothing): a coordinator or an admin
    without groups sees every unit, and then so does the merged person; otherwise they see
    the groups of either.
    """
    before: dict[int | None, tuple[int, ...]] = {}
    for person in (source, target):
        query = select(ContactScope.group_id).where(ContactScope.contact_id == person.id)
        mine = tuple(sorted(session.exec(query)))
        before[person.id] = mine if person.role != Role.MEMBER.value else ()
    kept = wider_scope([(p.role, before[p.id]) for p in (source, target)])
    pair = (source.id, target.id)
    session.execute(delete(ContactScope).where(col(ContactScope.contact_id).in_(pair)))
    assert target.id is not None
    for group_id in sorted(kept):
        session.add(ContactScope(contact_id=target.id, group_id=group_id))
    session.flush()
    return before[target.id], before[source.id], kept


def wider_scope(people: Iterable[tuple[str, Iterable[int]]]) -> tuple[int, ...]:
    """Return the scope two people joined keep, from each one's role and groups (none: every
    unit; a member's groups limit nothing): the whole province when a coordinator or an
    admin of them has no groups, else the groups of either."""
    kept: set[int] = set()
    for role, groups in people:
        if role == Role.MEMBER.value:
            continue
        mine = set(groups)
        if not mine:
            return ()
        kept |= mine
    return tuple(sorted(kept))


def _move_pending(session: Session, *, source_id: int, target_id: int) -> None:
    """Give the target the source's pending questions and forms, where it has none of a kind."""
    pattern = f"{PENDING_PREFIX}%:{source_id}"
    keys = session.exec(select(AppState.key).where(col(AppState.key).like(pattern))).all()
    for key in keys:
        kind = key.removeprefix(PENDING_PREFIX).rsplit(":", 1)[0]
        mine = f"{PENDING_PREFIX}{kind}:{target_id}"
        if session.get(AppState, mine) is None:
            session.execute(update(AppState).where(col(AppState.key) == key).values(key=mine))
        else:
            session.execute(delete(AppState).where(col(AppState.key) == key))
