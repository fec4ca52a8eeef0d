"""A deactivated unit named in a list of units: said as such, on each database."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from db.queries.assignees import resolve_assignees
from tests.factories import make_unit


def _named(session: Session) -> None:
    """X1 deactivated: by code or name it is 'inactive'; a part of its name stays unknown."""
    make_unit(session, "X1", "Xã Điện Hòa").active = False
    make_unit(session, "X2", "Xã Điện Thắng")
    session.commit()
    result = resolve_assignees(session, "X1, xa dien hoa, Hòa Lạ, X2")
    assert [(u.text, u.reason) for u in result.unmatched] == [
        ("X1", "inactive"),
        ("xa dien hoa", "inactive"),
        ("Hòa Lạ", "unknown"),
    ]
    assert result.unmatched[0].candidates == ("Xã Điện Hòa (X1)",)


def test_deactivated_unit_is_named_inactive(session: Session) -> None:
    """A deactivated unit named exactly is reported inactive, not unknown."""
    _named(session)


@pytest.mark.postgres
def test_deactivated_unit_is_named_inactive_on_postgresql(pg_engine: Engine) -> None:
    """The same on PostgreSQL."""
    with Session(pg_engine, expire_on_commit=False) as session:
        _named(session)
