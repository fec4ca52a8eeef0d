"""Contacts for admins: who is registered for which unit, roles, removing links, scopes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, update
from sqlmodel import Session, col, func, or_, select

from core.paging import Page, page_number
from core.roles import Role
from core.textnorm import fold, vi_sort_key
from db.models import (
    Contact,
    ContactIdentity,
    ContactScope,
    Unit,
    UnitContact,
    UnitGroup,
    UnitGroupMember,
)
from db.queries import menu_marks
from db.queries.audit import record
from db.queries.contacts import Identities, identities_by_person, label
from db.queries.scope import set_scope
from db.queries.units import find_group


@dataclass
class ContactInfo:
    """A contact with their identities, the units they belong to and their function in each."""

    contact: Contact
    units: list[tuple[Unit, str]] = field(default_factory=list)
    identities: Identities = field(default_factory=Identities)

    @property
    def label(self) -> str:
        """Return how to name the person: their name, else their id."""
        return label(self.contact, self.identities)


def contact_page(
    session: Session, *, unit_id: int | None = None, number: int, size: int
) -> tuple[Page[ContactInfo], int]:
    """Return page `number` of the registered people (with a unit or a staff role), or of a
    unit's contacts, by name, and how many there are in all.

    A country registers tens of thousands of people: only the page's are loaded (all of them
    as objects, for a page of ten, held the bot's GIL for seconds and its loop with it).
    """
    links = select(UnitContact.contact_id)
    listed: ColumnElement[bool]
    if unit_id is not None:
        listed = col(Contact.id).in_(links.where(UnitContact.unit_id == unit_id))
    else:
        staff = col(Contact.role).in_((Role.COORDINATOR.value, Role.ADMIN.value))
        listed = or_(col(Contact.id).in_(links), staff)
    # In Vietnamese order ("Đặng" after "Dương", "Ánh" before "Bình"), which no database
    # collation gives everywhere: the names alone are sorted here, then the page is loaded
    # (30,000 names: 0.2 s the first time, their keys cached after).
    named = session.exec(select(Contact.id, Contact.display_name).where(listed)).all()
    total = len(named)
    number, pages = page_number(total, number, size)
    order = sorted(named, key=lambda r: (vi_sort_key(r[1] or ""), r[0] or 0))
    wanted = [r[0] for r in order[(number - 1) * size : number * size]]
    by_id = {c.id: c for c in session.exec(select(Contact).where(col(Contact.id).in_(wanted)))}
    contacts = [by_id[i] for i in wanted if i in by_id]
    found = identities_by_person(session, contact_ids=[c.id for c in contacts if c.id])
    infos = {c.id: ContactInfo(c, identities=found[c.id or 0]) for c in contacts}
    rows = session.exec(
        select(UnitContact, Unit)
        .join(Unit, col(Unit.id) == col(UnitContact.unit_id))
        .where(col(UnitContact.contact_id).in_(list(infos)))
    )
    for link, unit in sorted(rows, key=lambda r: vi_sort_key(r[1].name, r[1].code)):
        infos[link.contact_id].units.append((unit, link.function))
    return Page(list(infos.values()), number, pages), total


def contact_info(session: Session, *, contact_id: int) -> ContactInfo | None:
    """Return one contact with their units, or None when they do not exist."""
    contact = session.get(Contact, contact_id)
    if contact is None:
        return None
    identities = identities_by_person(session, contact_ids=[contact_id])[contact_id]
    info = ContactInfo(contact, identities=identities)
    query = (
        select(UnitContact, Unit)
        .join(Unit, col(Unit.id) == col(UnitContact.unit_id))
        .where(UnitContact.contact_id == contact_id)
    )
    found = sorted(session.exec(query), key=lambda r: vi_sort_key(r[1].name, r[1].code))
    info.units = [(unit, link.function) for link, unit in found]
    return info


@dataclass(frozen=True)
class RoleChange:
    """What a role change did: the person as they stand, or why nothing changed."""

    contact: Contact | None = None  # None: no such person
    problem: str = ""  # last_admin: they are the only admin left, and would stop being one


def lock_admins(session: Session) -> list[int]:
    """Return the admins' ids, locked until the transaction ends, oldest first.

    Two role changes at the same moment then count the admins one after the other, so they
    cannot both demote one of the last two. PostgreSQL locks the admins' rows (in one order:
    no deadlock); SQLite has no row locks, so a write that changes nothing takes its single
    write lock first, and the count is read after any other writer's commit.
    """
    is_admin = col(Contact.role) == Role.ADMIN.value
    if session.get_bind().dialect.name == "sqlite":
        session.execute(
            update(Contact)
            .where(is_admin)
            .values(role=Role.ADMIN.value)
            .execution_options(synchronize_session=False)
        )
    query = select(Contact.id).where(is_admin).order_by(col(Contact.id)).with_for_update()
    return [i for i in session.exec(query) if i is not None]


def change_role(
    session: Session,
    *,
    contact_id: int,
    role: Role,
    actor_id: int | None,
    actor_label: str = "",
) -> RoleChange:
    """Give the person a role (it belongs to the person, not to a unit), unless that leaves
    the province with no admin: then nothing changes and the problem says so."""
    admins = lock_admins(session)
    contact = session.get(Contact, contact_id, populate_existing=True)  # read after the lock
    if contact is None:
        return RoleChange()
    if role != Role.ADMIN and admins == [contact_id]:
        return RoleChange(contact, "last_admin")
    if contact.role != role.value:
        record(
            session,
            actor_id=actor_id,
            actor_label=actor_label,
            action="role.changed",
            object_type="contact",
            object_id=contact_id,
            details={"from": contact.role, "to": role.value},
        )
        contact.role = role.value
        menu_marks.mark(session, contact_id=contact_id)
    return RoleChange(contact)


def remove_from_unit(
    session: Session, *, contact_id: int, unit_id: int, actor_id: int | None
) -> bool:
    """Remove a contact from a unit (the person and their history stay); False if no link."""
    link = session.get(UnitContact, (unit_id, contact_id))
    if link is None:
        return False
    session.delete(link)
    menu_marks.mark(session, contact_id=contact_id)  # units are part of what access is
    record(
        session,
        actor_id=actor_id,
        action="contact.removed",
        object_type="contact",
        object_id=contact_id,
        details={"unit_id": unit_id},
    )
    return True


def find_people(session: Session, *, text: str) -> list[Contact]:
    """Return the people text names as /contacts shows them: a channel's id, @username or name.

    A name is matched whole, ignoring case and diacritics ("dieu phoi" finds "Điều phối").
    """
    text = text.strip()
    if not text:
        return []
    if text.startswith("@"):
        name = text[1:].lower()
        return _owners(session, func.lower(col(ContactIdentity.username)) == name)
    by_id = _owners(session, col(ContactIdentity.external_id) == text)  # any channel's id
    if by_id or text.lstrip("-").isdigit():
        return by_id
    folded = fold(text)
    people = session.exec(select(Contact).where(col(Contact.display_name) != ""))
    return [c for c in people if fold(c.display_name) == folded]


def _owners(session: Session, condition: ColumnElement[bool]) -> list[Contact]:
    """Return the people with an identity that meets the condition, oldest first."""
    owners = select(ContactIdentity.contact_id).where(condition)
    query = select(Contact).where(col(Contact.id).in_(owners)).order_by(col(Contact.id))
    return list(session.exec(query))


def split_person(session: Session, *, text: str) -> tuple[list[Contact], str]:
    """Split `<person> <rest>` at the longest start that names someone; return them and rest."""
    words = text.split()
    for cut in range(len(words), 0, -1):
        people = find_people(session, text=" ".join(words[:cut]))
        if people:
            return people, " ".join(words[cut:])
    return [], text


ALL_WORDS = ("all", "tat ca", "toan tinh")  # "tất cả", "toàn tỉnh"


@dataclass(frozen=True)
class ScopeResult:
    """What a scope command found or did: the groups in force after it, or why not."""

    problem: str = ""  # not_coordinator | group_not_found
    groups: tuple[str, ...] = ()  # names of the groups in force (none: whole province)
    missing: str = ""  # the group text nobody has
    changed: bool = False
    empty: tuple[str, ...] = ()  # groups in force with no active unit: nothing to follow
    known: tuple[str, ...] = ()  # every group's name, when one typed is not one of them


def change_scope(
    session: Session,
    *,
    contact: Contact,
    groups: Sequence[str] | None,
    actor_id: int | None,
    actor_label: str = "",
) -> ScopeResult:
    """Show (groups None), clear (`all`) or set a coordinator's groups; nothing on a problem."""
    assert contact.id is not None
    if contact.role != Role.COORDINATOR.value:
        return ScopeResult("not_coordinator")
    current = _group_names(session, contact_id=contact.id)
    if groups is None:
        return ScopeResult(groups=current, empty=_empty_groups(session, contact_id=contact.id))
    wanted: list[UnitGroup] = []
    if not (len(groups) == 1 and fold(groups[0]) in ALL_WORDS):
        for text in groups:
            group = find_group(session, text=text)
            if group is None or group.id is None:
                known = tuple(sorted(session.exec(select(UnitGroup.name)), key=vi_sort_key))
                return ScopeResult("group_not_found", current, text.strip(), known=known)
            wanted.append(group)
    set_scope(session, contact_id=contact.id, group_ids=[g.id or 0 for g in wanted])
    after = _group_names(session, contact_id=contact.id)
    if after != current:
        record(
            session,
            actor_id=actor_id,
            actor_label=actor_label,
            action="scope.changed",
            object_type="contact",
            object_id=contact.id,
            details={"from": list(current), "to": list(after)},
        )
    empty = _empty_groups(session, contact_id=contact.id)
    return ScopeResult(groups=after, changed=after != current, empty=empty)


def _empty_groups(session: Session, *, contact_id: int) -> tuple[str, ...]:
    """Return the groups a coordinator is limited to that hold no active unit, by name.

    A group emptied after the scope was set (its units moved out or deactivated) leaves the
    coordinator nothing to follow there: the admin is told so, not left to find out.
    """
    active = (
        select(UnitGroupMember.group_id)
        .join(Unit, col(Unit.id) == col(UnitGroupMember.unit_id))
        .where(col(Unit.active).is_(True))
    )
    query = (
        select(UnitGroup.name)
        .join(ContactScope, col(ContactScope.group_id) == col(UnitGroup.id))
        .where(ContactScope.contact_id == contact_id, col(UnitGroup.id).not_in(active))
    )
    return tuple(sorted(session.exec(query), key=vi_sort_key))


def _group_names(session: Session, *, contact_id: int) -> tuple[str, ...]:
    """Return the names of the groups a contact is limited to, in Vietnamese order."""
    query = (
        select(UnitGroup.name)
        .join(ContactScope, col(ContactScope.group_id) == col(UnitGroup.id))
        .where(ContactScope.contact_id == contact_id)
    )
    return tuple(sorted(session.exec(query), key=vi_sort_key))
