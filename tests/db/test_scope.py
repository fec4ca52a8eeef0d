"""Which units a person may see: admins all, coordinators all or their groups, members theirs."""

from __future__ import annotations

from sqlmodel import Session

from db.models import ContactScope
from db.queries.scope import in_scope, unit_ids_in_scope
from db.queries.units import find_group
from tests.factories import make_contact, make_unit


def test_scope_follows_role_and_groups(session: Session) -> None:
    """A limited coordinator sees their groups and own units; a member only their own."""
    pilot = make_unit(session, "P1", groups=["Xã thí điểm CĐS"])
    own = make_unit(session, "O1")
    other = make_unit(session, "Z1")
    admin = make_contact(session, 1, role="admin")
    free = make_contact(session, 2, role="coordinator")
    limited = make_contact(session, 3, role="coordinator", units=[own])
    member = make_contact(session, 4, units=[own])
    group = find_group(session, text="xa thi diem cds")
    assert group is not None
    assert group.id is not None
    session.add(ContactScope(contact_id=limited.id or 0, group_id=group.id))
    session.commit()
    every = sorted(u.id or 0 for u in (pilot, own, other))
    assert unit_ids_in_scope(session, contact_id=admin.id or 0) == every
    assert unit_ids_in_scope(session, contact_id=free.id or 0) == every
    assert unit_ids_in_scope(session, contact_id=limited.id or 0) == sorted(
        [pilot.id or 0, own.id or 0]
    )
    assert unit_ids_in_scope(session, contact_id=member.id or 0) == [own.id]
    assert not in_scope(session, contact_id=limited.id or 0, unit_id=other.id or 0)
    assert in_scope(session, contact_id=member.id or 0, unit_id=own.id or 0)


def test_inactive_units_are_out_of_scope_by_default(session: Session) -> None:
    """A deactivated unit is not listed unless asked for."""
    gone = make_unit(session, "G1")
    gone.active = False
    session.commit()
    admin = make_contact(session, 1, role="admin")
    assert unit_ids_in_scope(session, contact_id=admin.id or 0) == []
    assert unit_ids_in_scope(session, contact_id=admin.id or 0, include_inactive=True) == [gone.id]
