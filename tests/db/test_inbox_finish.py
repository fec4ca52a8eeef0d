"""Updates handled are marked processed together: exactly those named, each once, their
payloads dropped, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from db.models import Inbox
from db.queries import inbox
from db.queries.inbox import FINISH_AT_ONCE, InboxKey

NOON = datetime(2026, 12, 4, 5, 0, tzinfo=UTC)
LATER = NOON + timedelta(minutes=5)
_C = Inbox.__table__.c  # type: ignore[attr-defined]


def check_finished_together(engine: Engine) -> None:
    """Of two accounts' updates (one of them in two epochs), more than one statement's worth
    and a lone one are finished; the rest, and one finished before, are left as they were."""
    keys = [InboxKey("bot1", 0, str(n)) for n in range(FINISH_AT_ONCE + 3)]
    keys += [InboxKey("bot1", 1, "0"), InboxKey("bot2", 0, "7"), InboxKey("bot2", 0, "8")]
    with engine.begin() as connection:
        for key in keys:
            inbox.record(
                connection,
                channel="telegram",
                key=key,
                kind="message",
                payload={"k": 1},
                digest="d",
                now=NOON,
            )
        inbox.finish(connection, channel="telegram", key=keys[0], now=NOON)
    chosen = [*keys[: FINISH_AT_ONCE + 2], keys[-3], keys[-2]]
    with engine.begin() as connection:
        inbox.finish_all(connection, channel="telegram", keys=chosen, now=LATER)
    with engine.connect() as connection:
        rows = connection.execute(
            select(_C.account, _C.epoch, _C.update_id, _C.processed_at, _C.payload)
        ).all()
    marked = {InboxKey(r.account, r.epoch, r.update_id): (r.processed_at, r.payload) for r in rows}
    assert marked[keys[0]] == (NOON, None)  # finished before: its time kept
    assert {k for k, (at, _) in marked.items() if at == LATER} == set(chosen[1:])
    assert all(payload is None for k, (_, payload) in marked.items() if k in chosen)
    left = {k for k, (at, payload) in marked.items() if at is None and payload == {"k": 1}}
    assert left == {keys[FINISH_AT_ONCE + 2], keys[-1]}


def test_finished_together_on_sqlite(engine: Engine) -> None:
    """SQLite."""
    check_finished_together(engine)


@pytest.mark.postgres
def test_finished_together_on_postgresql(pg_engine: Engine) -> None:
    """PostgreSQL."""
    check_finished_together(pg_engine)
