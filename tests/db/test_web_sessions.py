"""Dashboard sign-in codes and sessions, on SQLite and PostgreSQL: once, expiring, idle."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from db.models import WebLogin, WebSession
from db.queries import web as wq
from tests.factories import make_contact

NOW = datetime(2026, 11, 18, 2, 0, tzinfo=UTC)
TTL = timedelta(minutes=10)
IDLE = timedelta(hours=12)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_engine(request: pytest.FixtureRequest) -> Engine:
    """Return this test's SQLite engine, or a fresh PostgreSQL database's."""
    name = "engine" if request.param == "sqlite" else "pg_engine"
    engine: Engine = request.getfixturevalue(name)
    return engine


def test_login_code_works_once_and_stores_only_its_hash(any_engine: Engine) -> None:
    """A code opens once; the stored row holds its hash, never the code."""
    with Session(any_engine) as s:
        contact = make_contact(s, 2001, role="coordinator")
        assert contact.id is not None
        code = wq.create_login(s, contact_id=contact.id, now=NOW, ttl=TTL)
        s.commit()
        [row] = s.exec(select(WebLogin)).all()
        assert code not in row.code_hash
        assert wq.redeem_login(s, code=code, now=NOW + timedelta(minutes=1)) == contact.id
        assert wq.redeem_login(s, code=code, now=NOW + timedelta(minutes=2)) is None
        assert wq.redeem_login(s, code="made-up", now=NOW) is None


def test_login_code_expires(any_engine: Engine) -> None:
    """A code is refused from its expiry on."""
    with Session(any_engine) as s:
        contact = make_contact(s, 2001, role="coordinator")
        assert contact.id is not None
        code = wq.create_login(s, contact_id=contact.id, now=NOW, ttl=TTL)
        assert wq.redeem_login(s, code=code, now=NOW + TTL) is None


def test_session_lives_while_used_and_ends_idle_or_at_logout(any_engine: Engine) -> None:
    """Each use keeps a session alive; twelve idle hours or a logout end it."""
    with Session(any_engine) as s:
        contact = make_contact(s, 2001, role="coordinator")
        assert contact.id is not None
        token, csrf = wq.open_session(s, contact_id=contact.id, now=NOW)
        assert token != csrf
        [row] = s.exec(select(WebSession)).all()
        assert token not in row.token_hash
        later = NOW + timedelta(hours=11)
        found = wq.touch_session(s, token=token, now=later, idle=IDLE)
        assert found is not None
        assert found.csrf == csrf
        assert wq.touch_session(s, token=token, now=later + IDLE, idle=IDLE) is None
        other, _ = wq.open_session(s, contact_id=contact.id, now=NOW)
        wq.end_session(s, token=other, now=NOW)
        assert wq.touch_session(s, token=other, now=NOW, idle=IDLE) is None
