"""The province keeps an admin: a role change that would leave none is refused, changing
nothing, even when two admins demote each other at the same moment (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col, select

from core.roles import Role
from db.engine import session_scope
from db.models import AuditLog, Contact
from db.queries.contact_admin import RoleChange, change_role, lock_admins
from tests.factories import make_contact


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest) -> Engine:
    """Return this test's SQLite database, or a fresh PostgreSQL one."""
    engine: Engine = request.getfixturevalue(
        "engine" if request.param == "sqlite" else "pg_engine"
    )
    return engine


def admins_of(engine: Engine) -> list[int]:
    """Return the ids of the admins, oldest first."""
    with Session(engine) as s:
        query = select(Contact.id).where(Contact.role == "admin").order_by(col(Contact.id))
        return [i for i in s.exec(query) if i is not None]


def role_changes(engine: Engine) -> list[AuditLog]:
    """Return the audited role changes."""
    with Session(engine) as s:
        return list(s.exec(select(AuditLog).where(AuditLog.action == "role.changed")))


def test_two_admins_demoting_each_other_at_once_leave_one(db: Engine) -> None:
    """Both see themselves admins, then each makes the other a member: one change stands,
    the other is refused as leaving no admin, and is not audited."""
    with session_scope(db) as s:
        first, second = make_contact(s, 9201, role="admin"), make_contact(s, 9202, role="admin")
    pairs = [(first.id or 0, second.id or 0), (second.id or 0, first.id or 0)]
    both_checked = threading.Barrier(2, timeout=10)  # a guard against a hang, not a measure

    def demote(pair: tuple[int, int]) -> RoleChange:
        actor, other = pair
        with session_scope(db) as s:
            me = s.get(Contact, actor)
            assert me is not None
            assert me.role == "admin"  # as the press's access check saw
            both_checked.wait()
            return change_role(s, contact_id=other, role=Role.MEMBER, actor_id=actor)

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(demote, pairs))
    standing = admins_of(db)
    assert len(standing) == 1
    assert [a.actor_id for a in role_changes(db)] == standing
    assert sorted(r.problem for r in results) == ["", "last_admin"]


def test_a_role_change_cannot_count_the_admins_while_another_holds_them(db: Engine) -> None:
    """While one change holds the admins, another cannot read them: it waits (here, told to
    give up at once, it fails) instead of counting admins the first may be demoting."""
    with session_scope(db) as s:
        first, second = make_contact(s, 9251, role="admin"), make_contact(s, 9252, role="admin")
    no_wait = (
        "PRAGMA busy_timeout = 0" if db.dialect.name == "sqlite" else "SET LOCAL lock_timeout = 1"
    )
    with Session(db) as holding, Session(db) as other:
        assert lock_admins(holding) == [first.id, second.id]
        other.connection().exec_driver_sql(no_wait)
        with pytest.raises(OperationalError):
            change_role(other, contact_id=first.id or 0, role=Role.MEMBER, actor_id=second.id)
    assert admins_of(db) == [first.id, second.id]


def test_the_last_admin_cannot_be_made_a_coordinator(session: Session) -> None:
    """Alone, an admin stays one: the change is refused and nothing is written."""
    admin = make_contact(session, 9301, role="admin")
    session.commit()
    done = change_role(session, contact_id=admin.id or 0, role=Role.COORDINATOR, actor_id=None)
    session.commit()
    assert done.problem == "last_admin"
    assert admin.role == "admin"
    assert session.exec(select(AuditLog)).all() == []


def test_one_of_two_admins_can_be_made_a_member(session: Session) -> None:
    """With another admin left, the change is made and audited."""
    first = make_contact(session, 9401, role="admin")
    second = make_contact(session, 9402, role="admin")
    session.commit()
    done = change_role(session, contact_id=second.id or 0, role=Role.MEMBER, actor_id=first.id)
    session.commit()
    assert done.problem == ""
    assert second.role == "member"
    audit = session.exec(select(AuditLog)).one()
    assert audit.details == {"from": "admin", "to": "member"}


def test_the_only_admin_can_promote_someone(session: Session) -> None:
    """Giving a member the admin role is never refused, with one admin or none."""
    admin = make_contact(session, 9501, role="admin")
    member = make_contact(session, 9502)
    session.commit()
    done = change_role(session, contact_id=member.id or 0, role=Role.ADMIN, actor_id=admin.id)
    session.commit()
    assert done.problem == ""
    assert member.role == "admin"
