"""Invites in the database: one-time, expiring, linking a person to a unit with a role."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from core.invites import hash_code
from db.engine import session_scope
from db.models import Contact, Invite, Unit, UnitContact
from db.queries import invites
from db.queries.invites import (
    create_invite,
    recent_failures,
    record_failure,
    redeem_invite,
    units_for_invites,
)
from tests.factories import make_contact, make_unit

NOW = datetime(2026, 11, 18, 2, 0, tzinfo=UTC)


def invite_for(
    session: Session, unit: Unit, *, role: str = "member", function: str = "focal"
) -> tuple[Invite, str]:
    """Create a 14-day invite to the unit (made by nobody in particular) and its code."""
    return create_invite(
        session,
        unit_id=unit.id or 0,
        role=role,
        function=function,
        created_by_id=None,
        now=NOW,
        ttl_days=14,
    )


def test_only_the_hash_of_a_code_is_stored(session: Session) -> None:
    """The code itself never reaches the database."""
    unit = make_unit(session, "X1")
    invite, code = invite_for(session, unit)
    assert invite.code_hash == hash_code(code)
    assert code not in invite.code_hash
    assert invite.expires_at == NOW + timedelta(days=14)


def test_redeem_links_the_person_once(session: Session) -> None:
    """A code links the contact to the unit with the function; a second use fails."""
    unit = make_unit(session, "X1")
    person = make_contact(session, 5001)
    _, code = invite_for(session, unit, role="coordinator", function="leader")
    assert redeem_invite(session, code=code, contact=person, now=NOW) is not None
    assert person.role == "coordinator"
    link = session.exec(select(UnitContact)).one()
    assert (link.unit_id, link.function) == (unit.id, "leader")
    other = make_contact(session, 5002)
    assert redeem_invite(session, code=code, contact=other, now=NOW) is None


def test_expired_code_and_inactive_unit_are_refused(session: Session) -> None:
    """An invite past its expiry, or for a deactivated unit, registers nobody."""
    unit = make_unit(session, "X1")
    person = make_contact(session, 5003)
    _, old = create_invite(
        session,
        unit_id=unit.id or 0,
        role="member",
        function="focal",
        created_by_id=None,
        now=NOW - timedelta(days=15),
        ttl_days=14,
    )
    assert redeem_invite(session, code=old, contact=person, now=NOW) is None
    _, fresh = invite_for(session, unit)
    unit.active = False
    assert redeem_invite(session, code=fresh, contact=person, now=NOW) is None
    assert session.exec(select(Invite).where(Invite.used_at != None)).all() == []  # noqa: E711


def test_member_invite_never_lowers_an_admin(session: Session) -> None:
    """An admin who registers for a commune with a member invite stays an admin."""
    unit = make_unit(session, "X1")
    admin = make_contact(session, 5004, role="admin")
    _, code = invite_for(session, unit)
    redeem_invite(session, code=code, contact=admin, now=NOW)
    assert admin.role == "admin"


def test_failures_are_counted_within_the_window(session: Session) -> None:
    """Wrong codes older than the window no longer count."""
    record_failure(session, channel="telegram", external_id="9", now=NOW - timedelta(hours=2))
    record_failure(session, channel="telegram", external_id="9", now=NOW)
    session.commit()
    assert recent_failures(session, channel="telegram", external_id="9", now=NOW) == 1


def test_units_for_invites_skips_units_with_a_contact(session: Session) -> None:
    """By default only units nobody is registered for; with include_covered, every one."""
    covered, bare = make_unit(session, "X1"), make_unit(session, "X2")
    make_contact(session, 5005, units=[covered])
    assert [u.code for u in units_for_invites(session, include_covered=False)] == [bare.code]
    assert len(units_for_invites(session, include_covered=True)) == 2


@pytest.mark.postgres
def test_two_people_racing_for_one_code_register_one(
    pg_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two people send the same code at the same moment: both find it unused, one gets it."""
    with session_scope(pg_engine) as s:
        unit = make_unit(s, "X1")
        first, second = make_contact(s, 5001), make_contact(s, 5002)
        _, code = invite_for(s, unit)
    both_looked = threading.Barrier(2, timeout=10)  # a guard against a hang, not a measure
    looked_up = invites.redeemable_invite

    def look_then_wait(session: Session, *, code: str, now: datetime) -> Invite | None:
        found = looked_up(session, code=code, now=now)
        both_looked.wait()
        return found

    monkeypatch.setattr(invites, "redeemable_invite", look_then_wait)

    def redeem(contact_id: int) -> bool:
        with session_scope(pg_engine) as s:
            person = s.get(Contact, contact_id)
            assert person is not None
            return redeem_invite(s, code=code, contact=person, now=NOW) is not None

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(redeem, [first.id or 0, second.id or 0]))
    assert sorted(results) == [False, True]
    with Session(pg_engine) as s:
        links = s.exec(select(UnitContact)).all()
        invite = s.exec(select(Invite)).one()
    winner = [first, second][results.index(True)]
    assert [link.contact_id for link in links] == [winner.id]
    assert invite.used_by_id == winner.id
