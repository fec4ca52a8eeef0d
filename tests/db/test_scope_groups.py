"""A coordinator's scope groups read on each database: unknown names, emptied groups."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from db.queries.contact_admin import change_scope
from tests.factories import make_contact, make_unit


def _emptied(session: Session) -> None:
    """Limit a coordinator to two groups, then deactivate the one unit of the first."""
    lone = make_unit(session, "X1", groups=["Xã thí điểm"])
    make_unit(session, "X2", groups=["Ven biển"])
    chi = make_contact(session, 1, role="coordinator")
    change_scope(session, contact=chi, groups=["Xã thí điểm", "Ven biển"], actor_id=None)
    lone.active = False
    session.commit()
    shown = change_scope(session, contact=chi, groups=None, actor_id=None)
    assert shown.groups == ("Ven biển", "Xã thí điểm")
    assert shown.empty == ("Xã thí điểm",)
    refused = change_scope(session, contact=chi, groups=["Nhóm lạ"], actor_id=None)
    assert refused.problem == "group_not_found"
    assert refused.known == ("Ven biển", "Xã thí điểm")


def test_scope_names_emptied_and_known_groups(session: Session) -> None:
    """A group whose units are all deactivated is named empty; an unknown one, the known."""
    _emptied(session)


@pytest.mark.postgres
def test_scope_names_emptied_and_known_groups_on_postgresql(pg_engine: Engine) -> None:
    """The same on PostgreSQL."""
    with Session(pg_engine, expire_on_commit=False) as session:
        _emptied(session)
