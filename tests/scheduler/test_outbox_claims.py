"""Outbox claims: leases, priorities, marks before and after the call; SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from db.models import Outbox
from db.queries.outbox import (
    PRIORITY_INTERACTIVE,
    PRIORITY_NOTICE,
    PRIORITY_REMINDER,
    enqueue,
)
from db.queries.outbox_claims import claim, mark_sending, mark_sent, release

NOW = datetime(2026, 11, 18, 2, 0, tzinfo=UTC)
LEASE = timedelta(minutes=2)


def fill(session: Session, count: int, priority: int = PRIORITY_REMINDER, tag: str = "m") -> None:
    """Queue `count` messages."""
    for n in range(count):
        enqueue(
            session,
            key=f"{tag}:{n}",
            chat_id=str(7000 + n),
            kind="reminder",
            text=f"tin {n}",
            now=NOW,
            priority=priority,
        )
    session.commit()


def test_claim_takes_the_most_urgent_first_and_skips_leased_rows(session: Session) -> None:
    """A second sender gets only what the first did not lease."""
    fill(session, 1, PRIORITY_REMINDER, "rem")
    fill(session, 1, PRIORITY_NOTICE, "notice")
    fill(session, 1, PRIORITY_INTERACTIVE, "reply")
    first = claim(session, owner="a", now=NOW, limit=2, lease=LEASE)
    second = claim(session, owner="b", now=NOW, limit=5, lease=LEASE)
    assert [c.priority for c in first] == [PRIORITY_INTERACTIVE, PRIORITY_NOTICE]
    assert [c.priority for c in second] == [PRIORITY_REMINDER]
    assert claim(session, owner="c", now=NOW, limit=5, lease=LEASE) == []


def test_an_expired_lease_lets_another_sender_take_over(session: Session) -> None:
    """A dead sender's row is claimed again after its lease; the old owner cannot mark it."""
    fill(session, 1)
    [mine] = claim(session, owner="dead", now=NOW, limit=1, lease=LEASE)
    later = NOW + LEASE + timedelta(seconds=1)
    [theirs] = claim(session, owner="alive", now=later, limit=1, lease=LEASE)
    assert theirs.id == mine.id
    assert not mark_sending(session, outbox_id=mine.id, owner="dead", now=later, lease=LEASE)
    assert mark_sending(session, outbox_id=mine.id, owner="alive", now=later, lease=LEASE)


def test_a_row_marked_sending_is_retried_after_a_crash(session: Session) -> None:
    """A message in flight when its sender died is claimed again, flagged as such."""
    fill(session, 1)
    [row] = claim(session, owner="dead", now=NOW, limit=1, lease=LEASE)
    mark_sending(session, outbox_id=row.id, owner="dead", now=NOW, lease=LEASE)
    session.commit()
    [again] = claim(session, owner="new", now=NOW + 2 * LEASE, limit=1, lease=LEASE)
    assert (again.status, again.attempts) == ("sending", 1)


def test_max_priority_holds_reminders_back(session: Session) -> None:
    """Outside office hours the sender takes notices but leaves reminders queued."""
    fill(session, 2, PRIORITY_REMINDER, "rem")
    fill(session, 1, PRIORITY_NOTICE, "notice")
    found = claim(session, owner="a", now=NOW, limit=9, lease=LEASE, max_priority=PRIORITY_NOTICE)
    assert [c.priority for c in found] == [PRIORITY_NOTICE]


def test_sent_rows_keep_the_channel_message_id(session: Session) -> None:
    """After the call the row is sent, with Telegram's message id for attributing replies."""
    fill(session, 1)
    [row] = claim(session, owner="a", now=NOW, limit=1, lease=LEASE)
    mark_sending(session, outbox_id=row.id, owner="a", now=NOW, lease=LEASE)
    mark_sent(session, outbox_id=row.id, now=NOW, message_id="42")
    session.commit()
    stored = session.get(Outbox, row.id)
    assert stored is not None
    session.refresh(stored)
    assert (stored.status, stored.channel_message_id, stored.lease_owner) == ("sent", "42", None)
    assert claim(session, owner="b", now=NOW + 3 * LEASE, limit=1, lease=LEASE) == []


def test_released_rows_go_back_to_the_queue(session: Session) -> None:
    """Rows a stopping sender never started are claimable at once."""
    fill(session, 2)
    rows = claim(session, owner="a", now=NOW, limit=2, lease=LEASE)
    release(session, outbox_ids=[r.id for r in rows], owner="a")
    assert len(claim(session, owner="b", now=NOW, limit=2, lease=LEASE)) == 2


@pytest.mark.postgres
def test_concurrent_claims_on_postgresql_are_disjoint(pg_engine: Engine) -> None:
    """Two open transactions claiming at once get different rows (FOR UPDATE SKIP LOCKED)."""
    with Session(pg_engine) as setup:
        fill(setup, 30)
    with Session(pg_engine) as one, Session(pg_engine) as two:
        first = claim(one, owner="one", now=NOW, limit=20, lease=LEASE)
        second = claim(two, owner="two", now=NOW, limit=20, lease=LEASE)
        one.commit()
        two.commit()
    assert len(first) == 20
    assert len(second) == 10
    assert not {r.id for r in first} & {r.id for r in second}
