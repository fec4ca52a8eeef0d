"""Who was nudged about a task lately: read through an index, whatever the outbox holds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

from db.engine import session_scope
from db.models import Outbox
from db.queries.reminder_outbox import nudged_since
from tests.factories import make_contact

NOW = datetime(2026, 11, 18, 2, 0, tzinfo=UTC)


def test_nudged_since_names_each_person_nudged_by_another_request_lately(engine: Engine) -> None:
    """Another request's nudge of task 12 within the hour counts; this request's own, an older
    one, another task's (12 is a prefix of 123) and a reminder do not."""
    with session_scope(engine) as s:
        lan, hoa, tu = make_contact(s, 1).id, make_contact(s, 2).id, make_contact(s, 3).id
        rows = [
            ("nudge:12:%d:other:1", lan, NOW - timedelta(minutes=10), "nudge"),
            ("nudge:12:%d:mine:1", hoa, NOW - timedelta(minutes=5), "nudge"),
            ("nudge:12:%d:old:1", hoa, NOW - timedelta(hours=2), "nudge"),
            ("nudge:123:%d:other:1", hoa, NOW - timedelta(minutes=1), "nudge"),
            ("reminder:12:%d", hoa, NOW - timedelta(minutes=1), "reminder"),
        ]
        for key, contact_id, created_at, kind in rows:
            s.add(
                Outbox(
                    key=key % contact_id,
                    chat_id=str(contact_id),
                    contact_id=contact_id,
                    kind=kind,
                    created_at=created_at,
                    not_before=created_at,
                )
            )
        # Queued last night, held for office time: it counts from when it goes out.
        held = NOW + timedelta(minutes=30)
        s.add(
            Outbox(
                key=f"nudge:12:{tu}:night:1",
                chat_id=str(tu),
                contact_id=tu,
                kind="nudge",
                created_at=NOW - timedelta(hours=10),
                not_before=held,
            )
        )
    with session_scope(engine) as s:
        found = nudged_since(s, task_id=12, since=NOW - timedelta(hours=1), request="mine")
    assert found == {lan: NOW - timedelta(minutes=10), tu: held}


def test_nudged_since_reads_the_outbox_through_its_kind_index(engine: Engine) -> None:
    """The outbox keeps every message ever queued: the question reads it by kind and time
    (ix_outbox_kind_created), not row by row."""
    seen: list[tuple[str, Any]] = []

    def keep(_conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
        if "FROM outbox" in statement:
            seen.append((statement, params))

    event.listen(engine, "before_cursor_execute", keep)
    try:
        with session_scope(engine) as s:
            nudged_since(s, task_id=12, since=NOW - timedelta(hours=1), request="mine")
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    [(statement, params)] = seen
    with engine.connect() as connection:
        raw = connection.connection.driver_connection
        assert raw is not None
        plan = raw.execute("EXPLAIN QUERY PLAN " + statement, params).fetchall()
    details = " ".join(str(row[-1]) for row in plan)
    assert "ix_outbox_kind_created" in details, details
