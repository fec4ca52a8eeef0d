"""Factories for test data, in one place; each writes through the real models."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from core.textnorm import fold
from db.models import Contact, ContactIdentity, Task, Unit, UnitContact, UnitGroup, UnitGroupMember
from db.queries.contacts import find_contact, find_identity
from db.queries.tasks import create_task
from db.queries.units import find_group

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def make_unit(
    session: Session,
    code: str,
    name: str | None = None,
    *,
    kind: str = "commune",
    parent: Unit | None = None,
    groups: Sequence[str] = (),
) -> Unit:
    """Create a unit (and its groups when new)."""
    name = name or f"Xã {code}"
    unit = Unit(
        code=code,
        code_folded=fold(code),
        name=name,
        name_folded=fold(name),
        kind_key=kind,
        parent_id=parent.id if parent else None,
    )
    session.add(unit)
    session.flush()
    for group_name in groups:
        group = find_group(session, text=group_name)
        if group is None:
            group = UnitGroup(name=group_name, name_folded=fold(group_name))
            session.add(group)
            session.flush()
        assert group.id is not None
        assert unit.id is not None
        session.add(UnitGroupMember(group_id=group.id, unit_id=unit.id))
    session.commit()
    return unit


def make_contact(
    session: Session,
    user_id: int,
    *,
    role: str = "member",
    units: Sequence[Unit] = (),
    function: str = "focal",
    language: str = "vi",
    started: bool = True,
    reachable: bool = True,
    name: str = "",
    channel: str = "telegram",
    external_id: str = "",
) -> Contact:
    """Create a person with one identity, linked to units (started: the bot may write to them).

    On Telegram a person is their user id; another channel's id is given as `external_id`.
    """
    contact = Contact(display_name=name or f"User {user_id}", language=language, role=role)
    session.add(contact)
    session.flush()
    assert contact.id is not None
    session.add(
        ContactIdentity(
            contact_id=contact.id,
            channel=channel,
            external_id=external_id or str(user_id),
            chat_id=external_id or str(user_id),
            started=started,
            reachable=reachable,
        )
    )
    for unit in units:
        assert unit.id is not None
        assert contact.id is not None
        session.add(UnitContact(unit_id=unit.id, contact_id=contact.id, function=function))
    session.commit()
    return contact


def person(session: Session, external_id: str | int, channel: str = "telegram") -> Contact:
    """Return the person with this identity (fail when there is none)."""
    found = find_contact(session, channel=channel, external_id=str(external_id))
    assert found is not None, f"nobody is {external_id} on {channel}"
    return found


def identity(
    session: Session, external_id: str | int, channel: str = "telegram"
) -> ContactIdentity:
    """Return the identity with this id on this channel (fail when there is none)."""
    found = find_identity(session, channel=channel, external_id=str(external_id))
    assert found is not None, f"no identity {external_id} on {channel}"
    return found


def make_task(
    session: Session, title: str, deadline: date, units: Sequence[Unit], **extra: object
) -> Task:
    """Create an open task assigned to the units."""
    task = create_task(
        session,
        title=title,
        deadline=deadline,
        unit_ids=[u.id for u in units if u.id is not None],
        tz=VN,
        **extra,  # type: ignore[arg-type]
    )
    session.commit()
    return task


def move_to_a_new_unit(
    session: Session, contact: Contact, code: str, name: str, title: str, deadline: date
) -> Unit:
    """Take a contact off every unit and make them the focal point of a new unit with one
    open task: an official who moved (committed)."""
    for link in session.exec(select(UnitContact).where(UnitContact.contact_id == contact.id)):
        session.delete(link)
    unit = make_unit(session, code, name)
    make_task(session, title, deadline, [unit])
    session.add(UnitContact(unit_id=unit.id or 0, contact_id=contact.id or 0, function="focal"))
    session.commit()
    return unit
