"""Where a person is written to: their reachable identity used last, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from db.models import ContactIdentity
from db.queries.linking import create_link_code, spend_link_code, usable_link_code
from db.queries.recipients import mark_unreachable, recipients
from tests.factories import identity, make_contact

MORNING = datetime(2026, 11, 18, 2, 0, tzinfo=UTC)


def add_identity(s: Session, contact_id: int, external_id: str, seen: datetime | None) -> None:
    """Give a person a started identity on the text channel, seen at `seen`."""
    s.add(
        ContactIdentity(
            contact_id=contact_id,
            channel="text",
            external_id=external_id,
            chat_id=external_id,
            started=True,
            last_seen_at=seen,
        )
    )
    s.commit()


def check_recipients(engine: Engine) -> None:
    """The identity used last wins; an unreachable or never started one is passed over."""
    with Session(engine) as s:
        lan = make_contact(s, 9001, name="Lan").id or 0
        minh = make_contact(s, 9002, name="Minh").id or 0
        quiet = make_contact(s, 9003, name="Hà", started=False).id or 0
        identity(s, 9001).last_seen_at = MORNING - timedelta(days=1)
        s.commit()
        add_identity(s, lan, "aa01", MORNING)
        add_identity(s, minh, "bb02", None)
        identity(s, 9002).last_seen_at = MORNING
        s.commit()
    with Session(engine) as s:
        found = recipients(s, contact_ids=[lan, minh, quiet])
        assert {i: (r.channel, r.chat_id) for i, r in found.items()} == {
            lan: ("text", "aa01"),
            minh: ("telegram", "9002"),
        }
        mark_unreachable(s, channel="text", chat_id="aa01", now=MORNING)
        s.commit()
    with Session(engine) as s:
        after = recipients(s, contact_ids=[lan])
        assert (after[lan].channel, after[lan].chat_id) == ("telegram", "9001")


def test_recipients_on_sqlite(engine: Engine) -> None:
    """On SQLite."""
    check_recipients(engine)


@pytest.mark.postgres
def test_recipients_on_postgresql(pg_engine: Engine) -> None:
    """On PostgreSQL."""
    check_recipients(pg_engine)


def test_a_link_code_is_spent_once_and_only_while_fresh(session: Session) -> None:
    """Two requests with one code: the first spends it, the second finds it spent."""
    lan = make_contact(session, 9101, name="Lan").id or 0
    code = create_link_code(session, contact_id=lan, now=MORNING)
    session.commit()
    found = usable_link_code(session, code=code.lower().replace("-", " "), now=MORNING)
    assert found is not None
    assert found.id is not None
    assert spend_link_code(session, code_id=found.id, now=MORNING) is True
    assert spend_link_code(session, code_id=found.id, now=MORNING) is False
    later = create_link_code(session, contact_id=lan, now=MORNING)
    assert usable_link_code(session, code=later, now=MORNING + timedelta(minutes=16)) is None
    newest = create_link_code(session, contact_id=lan, now=MORNING)
    assert usable_link_code(session, code=later, now=MORNING) is None  # replaced by newest
    assert usable_link_code(session, code=newest, now=MORNING) is not None
