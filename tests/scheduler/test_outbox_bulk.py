"""Queueing many messages at once: each key once, items linked; SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from db.models import Assignment, Outbox, OutboxItem
from db.queries.outbox import PRIORITY_REMINDER, NewMessage, enqueue, enqueue_many
from tests.factories import make_task, make_unit

NOW = datetime(2026, 11, 18, 2, 0, tzinfo=UTC)


def two_assignments(session: Session) -> list[int]:
    """Create a task for two units and return its assignment ids."""
    units = [make_unit(session, "X01"), make_unit(session, "X02")]
    task = make_task(session, "Báo cáo quý", date(2026, 11, 30), units)
    query = select(Assignment.id).where(Assignment.task_id == task.id).order_by(col(Assignment.id))
    return [i for i in session.exec(query) if i is not None]


def check_bulk_queue(session: Session) -> None:
    """Queue a batch where one key exists already and one repeats; check what was written."""
    first, second = two_assignments(session)
    assert enqueue(session, key="a", chat_id="1", kind="reminder", text="cũ", now=NOW)
    choices = [[{"label": "✅", "data": ["st", "done", first]}]]
    batch = [
        NewMessage(key="a", chat_id="1", kind="reminder", text="mới"),
        NewMessage(
            key="b",
            chat_id="2",
            kind="reminder",
            text="nhắc",
            choices=choices,
            priority=PRIORITY_REMINDER,
            assignment_ids=[first, second, first],
        ),
        NewMessage(key="c", chat_id="3", kind="late", text="danh sách"),
        NewMessage(key="b", chat_id="2", kind="reminder", text="lặp"),
    ]
    assert enqueue_many(session, batch, now=NOW) == ["b", "c"]
    assert enqueue_many(session, batch, now=NOW) == []
    session.commit()
    rows = {r.key: r for r in session.exec(select(Outbox))}
    assert sorted(rows) == ["a", "b", "c"]
    assert rows["a"].payload == {"text": "cũ", "format": "markup"}
    b = rows["b"]
    assert b.payload == {"text": "nhắc", "format": "markup", "choices": choices}
    assert (b.status, b.priority, b.attempts) == ("pending", PRIORITY_REMINDER, 0)
    assert b.not_before == NOW
    items = session.exec(select(OutboxItem.assignment_id).where(OutboxItem.outbox_id == b.id))
    assert sorted(items) == [first, second]
    assert enqueue(session, key="c", chat_id="3", kind="late", text="lại", now=NOW) is None


def test_enqueue_many_queues_each_new_key_once_with_its_items(session: Session) -> None:
    """Keys queued before, or twice in the batch, are queued once; items are linked."""
    check_bulk_queue(session)


@pytest.mark.postgres
def test_enqueue_many_on_postgresql(pg_engine: Engine) -> None:
    """The same on PostgreSQL."""
    with Session(pg_engine) as session:
        check_bulk_queue(session)
