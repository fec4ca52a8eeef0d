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
from db.queries.outbox_claim import Claimed, claim
from db.queries.outbox_leases import release
from db.queries.outbox_marks import mark_failed, mark_sending, mark_sent, reroute, retry_later

NOW = datetime(2026, 11, 18, 2, 0, tzinfo=UTC)
LEASE = timedelta(minutes=2)


def fill(
    session: Session,
    count: int,
    priority: int = PRIORITY_REMINDER,
    tag: str = "m",
    first_chat: int = 7000,
) -> None:
    """Queue `count` messages, one to each chat from `first_chat` on."""
    for n in range(count):
        enqueue(
            session,
            key=f"{tag}:{n}",
            chat_id=str(first_chat + n),
            kind="reminder",
            text=f"tin {n}",
            now=NOW,
            priority=priority,
        )
    session.commit()


def test_claim_takes_the_most_urgent_first_and_skips_leased_rows(session: Session) -> None:
    """A second sender gets only what the first did not lease."""
    fill(session, 1, PRIORITY_REMINDER, "rem", first_chat=7000)
    fill(session, 1, PRIORITY_NOTICE, "notice", first_chat=7100)
    fill(session, 1, PRIORITY_INTERACTIVE, "reply", first_chat=7200)
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


def to_one_chat(session: Session, *texts: str, priority: int = PRIORITY_NOTICE) -> list[int]:
    """Queue messages to chat 8000 in this order, another to chat 8001; return the first's."""
    ids = []
    for text in texts:
        row = enqueue(
            session, key=text, chat_id="8000", kind="notice", text=text, now=NOW, priority=priority
        )
        assert row is not None
        assert row.id is not None
        ids.append(row.id)
    enqueue(session, key="other", chat_id="8001", kind="notice", text="other", now=NOW)
    session.commit()
    return ids


def chats(rows: list[Claimed]) -> list[str]:
    """Return the chats of claimed rows, in the order claimed."""
    return [r.chat_id for r in rows]


def test_a_row_waits_until_the_one_queued_before_it_to_its_chat_is_sent(
    session: Session,
) -> None:
    """Two notices to one chat: the second is claimed once the first is sent, whatever their
    priorities; another chat's goes at once."""
    first, second = to_one_chat(session, "closed", "reopened")
    session.get(Outbox, second).priority = PRIORITY_INTERACTIVE  # type: ignore[union-attr]
    session.commit()
    claimed = claim(session, owner="a", now=NOW, limit=9, lease=LEASE)
    assert [(r.chat_id, r.id) for r in claimed] == [("8000", first), ("8001", claimed[1].id)]
    assert claim(session, owner="a", now=NOW, limit=9, lease=LEASE) == []
    mark_sending(session, outbox_id=first, owner="a", now=NOW, lease=LEASE)
    mark_sent(session, outbox_id=first, now=NOW, message_id="1")
    assert [r.id for r in claim(session, owner="a", now=NOW, limit=9, lease=LEASE)] == [second]


def test_a_row_in_flight_when_its_sender_died_goes_before_the_next_of_its_chat(
    session: Session,
) -> None:
    """A kill -9 while the first notice was in flight: the next sender leaves the second
    waiting while the dead one's lease lasts, then sends the first again, then the second."""
    first, second = to_one_chat(session, "closed", "reopened")
    claim(session, owner="dead", now=NOW, limit=9, lease=LEASE)
    mark_sending(session, outbox_id=first, owner="dead", now=NOW, lease=LEASE)
    session.commit()
    assert claim(session, owner="new", now=NOW + LEASE / 2, limit=9, lease=LEASE) == []
    later = NOW + 2 * LEASE
    again = claim(session, owner="new", now=later, limit=9, lease=LEASE)
    assert [(r.id, r.status) for r in again if r.chat_id == "8000"] == [(first, "sending")]
    mark_sent(session, outbox_id=first, now=later, message_id="1")
    assert [r.id for r in claim(session, owner="new", now=later, limit=9, lease=LEASE)] == [second]


def test_a_row_put_off_holds_the_next_until_it_is_sent_failed_or_rerouted(
    session: Session,
) -> None:
    """The first notice put off after a try keeps the next one waiting; once it failed for
    good the next goes; a row rerouted to the person's other chat holds nothing back here."""
    first, second, third = to_one_chat(session, "closed", "reopened", "closed again")
    claim(session, owner="a", now=NOW, limit=9, lease=LEASE)
    mark_sending(session, outbox_id=first, owner="a", now=NOW, lease=LEASE)
    retry_later(session, outbox_id=first, not_before=NOW + LEASE, error="502")
    assert claim(session, owner="a", now=NOW, limit=9, lease=LEASE) == []
    mark_failed(session, outbox_id=first, error="refused")
    [taken] = claim(session, owner="a", now=NOW, limit=9, lease=LEASE)
    assert taken.id == second
    reroute(session, outbox_id=second, channel="zalo", chat_id="z1")
    assert [r.id for r in claim(session, owner="a", now=NOW, limit=9, lease=LEASE)] == [third]


def test_a_row_held_for_later_does_not_hold_what_is_queued_after_it(session: Session) -> None:
    """A notice held for office time (never tried) lets a later one to the chat go now."""
    first, second = to_one_chat(session, "tomorrow", "now")
    session.get(Outbox, first).not_before = NOW + timedelta(hours=8)  # type: ignore[union-attr]
    session.commit()
    assert sorted(chats(claim(session, owner="a", now=NOW, limit=9, lease=LEASE))) == [
        "8000",
        "8001",
    ]
    assert session.get(Outbox, second).lease_owner == "a"  # type: ignore[union-attr]


def test_rows_waiting_behind_their_chat_leave_the_claim_to_other_rows(session: Session) -> None:
    """Five notices to a chat wait behind its reminder: a claim of two, which would have
    found only them first, takes that reminder and another chat's."""
    [reminder] = to_one_chat(session, "reminder", priority=PRIORITY_REMINDER)
    for n in range(5):
        enqueue(session, key=f"n{n}", chat_id="8000", kind="notice", text=f"{n}", now=NOW)
    session.commit()
    claimed = claim(session, owner="a", now=NOW, limit=2, lease=LEASE)
    assert sorted((r.chat_id, r.id == reminder) for r in claimed) == [
        ("8000", True),
        ("8001", False),
    ]


def tried(session: Session, outbox_id: int, times: int) -> None:
    """Try a row `times` times, a LEASE apart, each met by a 502 and put off for a LEASE."""
    for n in range(times):
        at = NOW + n * LEASE
        claim(session, owner="a", now=at, limit=9, lease=LEASE)
        assert mark_sending(session, outbox_id=outbox_id, owner="a", now=at, lease=LEASE)
        retry_later(session, outbox_id=outbox_id, not_before=at + LEASE, error=f"502 #{n}")
    session.commit()


def kind_after(session: Session, kind: str) -> int:
    """Queue a message of `kind` to chat 8000 after the rest; return its id."""
    row = enqueue(session, key=kind, chat_id="8000", kind=kind, text=kind, now=NOW)
    assert row is not None
    assert row.id is not None
    session.commit()
    return row.id


def after_a_second_failed_try(session: Session) -> tuple[int, int, int]:
    """Queue "closed", "reopened" and a digest to chat 8000; fail "closed" twice, the second
    time at NOW + LEASE (retried at NOW + 2 LEASE)."""
    closed, reopened = to_one_chat(session, "closed", "reopened")
    digest = kind_after(session, "digest")
    tried(session, closed, 2)
    return closed, reopened, digest


def to_8000(rows: list[Claimed]) -> list[int]:
    """Return the ids of the rows claimed for chat 8000."""
    return [r.id for r in rows if r.chat_id == "8000"]


def test_a_row_failing_again_holds_only_its_kind(session: Session) -> None:
    """A notice put off after its second try lets the digest queued after it go, but not
    the next notice: that one comes after it, as the person must read them."""
    closed, reopened, digest = after_a_second_failed_try(session)
    meanwhile, retried = NOW + LEASE, NOW + 2 * LEASE
    assert to_8000(claim(session, owner="a", now=meanwhile, limit=9, lease=LEASE)) == [digest]
    mark_sent(session, outbox_id=digest, now=meanwhile, message_id="1")
    assert to_8000(claim(session, owner="a", now=meanwhile, limit=9, lease=LEASE)) == []
    assert to_8000(claim(session, owner="a", now=retried, limit=9, lease=LEASE)) == [closed]
    mark_sent(session, outbox_id=closed, now=retried, message_id="2")
    assert to_8000(claim(session, owner="a", now=retried, limit=9, lease=LEASE)) == [reopened]


def test_a_row_failed_once_still_holds_every_kind(session: Session) -> None:
    """After its first try only, a notice put off holds the digest queued after it too: a
    5xx is mostly over by its retry, five minutes later."""
    closed, _ = to_one_chat(session, "closed", "reopened")
    kind_after(session, "digest")
    tried(session, closed, 1)
    assert to_8000(claim(session, owner="a", now=NOW, limit=9, lease=LEASE)) == []


@pytest.mark.postgres
def test_a_row_failing_again_holds_only_its_kind_on_postgresql(pg_engine: Engine) -> None:
    """The digest goes past the notice failing again on PostgreSQL too."""
    with Session(pg_engine) as session:
        _, _, digest = after_a_second_failed_try(session)
        claimed = claim(session, owner="a", now=NOW + LEASE, limit=9, lease=LEASE)
        session.commit()
    assert to_8000(claimed) == [digest]


@pytest.mark.postgres
def test_a_row_waits_for_the_one_before_it_on_postgresql(pg_engine: Engine) -> None:
    """The chat's order holds on PostgreSQL too (the claim's FOR UPDATE with its subquery)."""
    with Session(pg_engine) as session:
        first, _ = to_one_chat(session, "closed", "reopened")
        claimed = claim(session, owner="a", now=NOW, limit=9, lease=LEASE)
        session.commit()
    assert sorted((r.chat_id, r.id == first) for r in claimed) == [("8000", True), ("8001", False)]


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
