"""What a text may be about, read in one statement, is what the three reads it replaces give:
the question pending, the open items, the message answered (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from db.models import Outbox, OutboxItem
from db.queries import pending, state
from db.queries.checkin import about_text, message_outbox, open_items
from tests.factories import make_task, make_unit

NOON = datetime(2026, 12, 4, 5, 0, tzinfo=UTC)
CHAT = "4242"


def _sent(session: Session, key: str, message_id: str, assignment_ids: list[int]) -> None:
    """Record a message delivered to CHAT as `message_id`, about these assignments."""
    outbox = Outbox(
        key=key,
        chat_id=CHAT,
        kind="reminder",
        status="sent",
        channel_message_id=message_id,
        sent_at=NOON,
        payload={"text": key},
    )
    session.add(outbox)
    session.flush()
    assert outbox.id is not None
    for assignment_id in assignment_ids:
        session.add(OutboxItem(outbox_id=outbox.id, assignment_id=assignment_id))
    session.commit()


def check_one_read_is_the_three(engine: Engine) -> None:
    """Each case: the pending value, the open items and the message read together equal the
    reads apart, whatever of them there is."""
    with Session(engine) as session:
        a, b, idle = (make_unit(session, code) for code in ("A", "B", "C"))
        units = [u.id for u in (a, b) if u.id is not None]
        idle_id = idle.id
        assert idle_id is not None
        make_task(session, "Báo cáo quý", date(2026, 12, 20), [a, b])
        make_task(session, "Kế hoạch năm", date(2026, 12, 10), [a])
        ids = [i.assignment_id for i in open_items(session, unit_ids=units)]
        _sent(session, "remind:several", "100", ids[:2])
        _sent(session, "explain:7:1", "101", [])
        _sent(session, "notice:none", "102", [])
        pending.set_pending(session, contact_id=5, data={"step": "reason"}, now=NOON)
        session.commit()
    key = pending.pending_key(5)
    cases: list[tuple[str | None, list[int], str | None]] = [
        (key, units, "100"),  # a reminder about two assignments, a question pending
        (key, units, "101"),  # an explanation asked
        (None, units, "102"),  # a notice about none
        (key, units, "999"),  # a message the outbox never sent
        (key, units, None),  # no message answered
        (key, [idle_id], "100"),  # nothing open: the rest is still read
        (pending.pending_key(6), units, "100"),  # nobody asked this person anything
    ]
    with engine.begin() as connection:
        for pending_key, unit_ids, message_id in cases:
            found = about_text(
                connection,
                pending_key=pending_key,
                unit_ids=unit_ids,
                chat_id=CHAT,
                message_id=int(message_id) if message_id is not None else None,
            )
            asked = state.read(connection, pending_key) if pending_key is not None else None
            sent = (
                message_outbox(connection, chat_id=CHAT, message_id=int(message_id))
                if message_id is not None
                else None
            )
            apart = (asked, open_items(connection, unit_ids=unit_ids), sent)
            assert (found.asked, found.items, found.sent) == apart
    assert found.asked is None
    assert len(found.items) == 3
    assert found.sent is not None
    assert sorted(found.sent.assignment_ids) == sorted(ids[:2])


def check_a_stale_question_is_none(engine: Engine) -> None:
    """The value read with the rest is judged as `get_pending` judges it: a day old, gone."""
    with Session(engine) as session:
        pending.set_pending(session, contact_id=5, data={"step": "reason"}, now=NOON)
        session.commit()
        found = about_text(session, pending_key=pending.pending_key(5), unit_ids=[])
    later = NOON + pending.PENDING_TTL + timedelta(seconds=1)
    assert pending.pending_in(found.asked, now=NOON) == {"step": "reason"}
    assert pending.pending_in(found.asked, now=later) is None
    assert found.items == []


def test_one_read_is_the_three_on_sqlite(engine: Engine) -> None:
    """SQLite: the statement gives what the three reads give."""
    check_one_read_is_the_three(engine)
    check_a_stale_question_is_none(engine)


@pytest.mark.postgres
def test_one_read_is_the_three_on_postgresql(pg_engine: Engine) -> None:
    """PostgreSQL: the same."""
    check_one_read_is_the_three(pg_engine)
    check_a_stale_question_is_none(pg_engine)
