"""One-time admin codes: spent once, even by two people at the same moment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.invites import hash_code
from db.models import AppState
from db.queries.admin_codes import PREFIX, create_admin_code, spend_admin_code

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)


@pytest.mark.postgres
def test_an_admin_code_sent_twice_at_once_makes_one_admin(pg_engine: Engine) -> None:
    """Two requests that both read the code before either spent it: only one spends it."""
    with Session(pg_engine) as session:
        code = create_admin_code(session, now=NOW, ttl=timedelta(days=1))
        session.commit()
    with Session(pg_engine) as first, Session(pg_engine) as second:
        read = second.get(AppState, PREFIX + hash_code(code))  # read, not spent yet
        assert read is not None
        assert spend_admin_code(first, code=code, now=NOW)
        first.commit()
        assert not spend_admin_code(second, code=code, now=NOW)
        second.commit()
