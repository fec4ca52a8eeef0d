"""The sender's snapshot, read for every update in one query, on both databases."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from db.models import ContactScope
from db.queries.snapshot import snapshot
from tests.factories import make_contact, make_unit


def check_snapshot(engine: Engine) -> None:
    """A contact's units and scope groups come back as sorted ids; none as empty tuples."""
    with Session(engine) as s:
        units = [make_unit(s, code, groups=[f"Nhóm {code}"]) for code in ("XC", "XA", "XB")]
        coordinator = make_contact(s, 8001, role="coordinator", units=[units[2], units[0]])
        make_contact(s, 8002)
        assert coordinator.id is not None
        s.add_all(ContactScope(contact_id=coordinator.id, group_id=g) for g in (3, 1))
        s.commit()
        unit_ids = tuple(sorted(u.id or 0 for u in (units[2], units[0])))
    with engine.connect() as connection:
        known = snapshot(connection, channel="telegram", external_id="8001")
        plain = snapshot(connection, channel="telegram", external_id="8002")
        unknown = snapshot(connection, channel="telegram", external_id="8003")
    assert known is not None
    assert plain is not None
    assert unknown is None
    assert (known.role, known.unit_ids, known.scope_group_ids) == ("coordinator", unit_ids, (1, 3))
    assert (plain.unit_ids, plain.scope_group_ids) == ((), ())


def test_snapshot_on_sqlite(engine: Engine) -> None:
    """On SQLite (group_concat)."""
    check_snapshot(engine)


@pytest.mark.postgres
def test_snapshot_on_postgresql(pg_engine: Engine) -> None:
    """On PostgreSQL (string_agg)."""
    check_snapshot(pg_engine)
