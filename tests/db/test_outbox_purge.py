"""The outbox's finished rows of long ago are deleted a batch at a time; nothing else is."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from core.states import SendStatus
from db.engine import session_scope
from db.models import Assignment, Outbox, OutboxItem, Reminder
from db.queries.outbox_purge import count_old, purge, purge_batch
from tests.factories import make_contact, make_task, make_unit

NOW = datetime(2026, 11, 18, 2, 0, tzinfo=UTC)
KEEP = timedelta(days=400)
OLD = NOW - KEEP - timedelta(days=1)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_engine(request: pytest.FixtureRequest) -> Engine:
    """Return this test's SQLite engine, or a fresh PostgreSQL database's."""
    name = "engine" if request.param == "sqlite" else "pg_engine"
    engine: Engine = request.getfixturevalue(name)
    return engine


def queue(engine: Engine, rows: Sequence[tuple[str, str, datetime]]) -> int:
    """Queue (key, status, created_at) rows, each about one assignment; return that one."""
    with session_scope(engine) as s:
        unit = make_unit(s, "X1", "Xã Một")
        contact = make_contact(s, 7, units=[unit])
        task = make_task(s, "Kế hoạch", date(2026, 12, 1), [unit])
        [assignment_id] = s.exec(select(Assignment.id).where(Assignment.task_id == task.id))
        assert assignment_id is not None
        assert contact.id is not None
        for key, status, created_at in rows:
            row = Outbox(
                key=key,
                chat_id="7",
                contact_id=contact.id,
                kind="reminder",
                status=status,
                created_at=created_at,
                not_before=created_at,
            )
            s.add(row)
            s.flush()
            assert row.id is not None
            s.add(OutboxItem(outbox_id=row.id, assignment_id=assignment_id))
        return assignment_id


def keys(engine: Engine) -> set[str]:
    """Return the keys the outbox still holds."""
    with Session(engine) as s:
        return set(s.exec(select(Outbox.key)))


def test_purge_deletes_only_finished_rows_older_than_the_cutoff(any_engine: Engine) -> None:
    """Sent, failed and cancelled rows of 401 days ago go with their items; a pending or
    sending row of then, and a sent one of yesterday, stay."""
    recent = NOW - timedelta(days=1)
    assignment_id = queue(
        any_engine,
        [
            ("sent-old", SendStatus.SENT, OLD),
            ("failed-old", SendStatus.FAILED, OLD),
            ("cancelled-old", SendStatus.CANCELLED, OLD),
            ("pending-old", SendStatus.PENDING, OLD),
            ("sending-old", SendStatus.SENDING, OLD),
            ("sent-recent", SendStatus.SENT, recent),
        ],
    )
    with any_engine.connect() as connection:
        assert count_old(connection, before=NOW - KEEP) == 3
    assert purge(any_engine, before=NOW - KEEP) == 3
    assert keys(any_engine) == {"pending-old", "sending-old", "sent-recent"}
    with Session(any_engine) as s:
        items = list(s.exec(select(OutboxItem.assignment_id)))
    assert items == [assignment_id] * 3
    with any_engine.connect() as connection:
        assert count_old(connection, before=NOW - KEEP) == 0


def test_purge_lets_a_reminder_record_pointing_at_a_row_go(any_engine: Engine) -> None:
    """A reminder record that names a purged row (older code wrote them) keeps its record,
    without the row: its foreign key would refuse the delete otherwise."""
    assignment_id = queue(any_engine, [("sent-old", SendStatus.SENT, OLD)])
    with session_scope(any_engine) as s:
        [outbox_id] = s.exec(select(Outbox.id))
        s.add(
            Reminder(
                key="r:1:2025-10-13",
                assignment_id=assignment_id,
                kind="before",
                due_on=date(2025, 10, 13),
                status="queued",
                outbox_id=outbox_id,
            )
        )
    assert purge(any_engine, before=NOW - KEEP) == 1
    with Session(any_engine) as s:
        [reminder] = s.exec(select(Reminder))
    assert (reminder.status, reminder.outbox_id) == ("queued", None)


def test_purge_takes_the_oldest_first_a_batch_a_transaction(any_engine: Engine) -> None:
    """A batch deletes the oldest rows first; `max_batches` bounds one call."""
    rows = [(f"sent-{n}", SendStatus.SENT, OLD - timedelta(days=n)) for n in range(5)]
    queue(any_engine, rows)
    with session_scope(any_engine) as s:
        assert purge_batch(s, before=NOW - KEEP, limit=2) == 2
    assert keys(any_engine) == {"sent-0", "sent-1", "sent-2"}
    commits: list[object] = []

    def count(connection: object) -> None:
        commits.append(connection)

    event.listen(any_engine, "commit", count)
    try:
        assert purge(any_engine, before=NOW - KEEP, max_batches=1, batch=2) == 2
        assert keys(any_engine) == {"sent-0"}
        assert purge(any_engine, before=NOW - KEEP, batch=2) == 1
    finally:
        event.remove(any_engine, "commit", count)
    assert keys(any_engine) == set()
    assert len(commits) == 2
