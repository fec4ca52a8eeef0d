"""The inbox: each update recorded once, finished, retried once after a restart, pruned.

The statements run for every update (record, finish) are built once, in Core: building a
statement costs more than running it on SQLite, and the ORM's session costs ~10x.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, select, update

from db.models import Inbox
from db.types import UTCDateTime

KEEP_FOR = timedelta(days=30)
MAX_RETRIES = 1  # an unfinished update is run again once after a restart, then given up

_INBOX = Inbox.__table__  # type: ignore[attr-defined]
_C = _INBOX.c
_THIS = (_C.channel == bindparam("b_channel"), _C.update_id == bindparam("b_update_id"))
_RECORD = insert(_INBOX)
_FINISH = (
    update(_INBOX)
    .where(*_THIS, _C.processed_at.is_(None))
    .values(processed_at=bindparam("b_now"), payload=None)
)
# Claims an update left unfinished by an earlier process for one more run; a concurrent
# second delivery (Telegram's and the start-up's) finds nothing left to claim.
_RECLAIM = (
    update(_INBOX)
    .where(
        *_THIS,
        _C.processed_at.is_(None),
        _C.received_at < bindparam("b_started"),
        _C.attempts < MAX_RETRIES,
    )
    .values(attempts=_C.attempts + 1)
)
_UNFINISHED = (
    select(_C.id, _C.update_id, _C.kind, _C.received_at, _C.attempts, _C.payload)
    .where(_C.channel == bindparam("b_channel"), _C.processed_at.is_(None))
    .where(_C.received_at < bindparam("b_started"))
    .order_by(_C.id)
)
_GIVE_UP = (
    update(_INBOX)
    .where(_C.id == bindparam("b_id"))
    .values(processed_at=bindparam("b_now"), payload=None)
)
_PRUNE = delete(_INBOX).where(_C.received_at < bindparam("b_before"))


def record(
    connection: Connection,
    *,
    channel: str,
    update_id: str,
    kind: str,
    payload: dict[str, Any],
    now: datetime,
) -> None:
    """Record a new update with what is needed to run it again; IntegrityError if known."""
    row = {"channel": channel, "update_id": update_id, "kind": kind, "received_at": now}
    connection.execute(_RECORD, {**row, "payload": payload})


def finish(connection: Connection, *, channel: str, update_id: str, now: datetime) -> None:
    """Mark an update processed and drop its payload (nothing will run it again)."""
    this = {"b_channel": channel, "b_update_id": update_id}
    connection.execute(_FINISH, {**this, "b_now": now})


def reclaim(connection: Connection, *, channel: str, update_id: str, started: datetime) -> bool:
    """Claim a known update for a retry: unfinished, from before `started`, not yet retried."""
    this = {"b_channel": channel, "b_update_id": update_id}
    return connection.execute(_RECLAIM, {**this, "b_started": started}).rowcount == 1


@dataclass(frozen=True)
class Unfinished:
    """An update an earlier process received and never finished."""

    id: int
    update_id: str
    kind: str
    received_at: datetime
    attempts: int
    payload: dict[str, Any] | None

    @property
    def retryable(self) -> bool:
        """Tell whether it may run once more (else it is given up and reported)."""
        return self.attempts < MAX_RETRIES and self.payload is not None


def unfinished(connection: Connection, *, channel: str, started: datetime) -> list[Unfinished]:
    """Return the updates received before `started` that were never finished, oldest first."""
    found = {"b_channel": channel, "b_started": started}
    convert = UTCDateTime().process_result_value
    return [
        Unfinished(
            row.id,
            row.update_id,
            row.kind,
            convert(row.received_at, connection.dialect) or started,
            row.attempts,
            row.payload,
        )
        for row in connection.execute(_UNFINISHED, found)
    ]


def give_up(connection: Connection, *, ids: Sequence[int], now: datetime) -> None:
    """Mark updates done with: they were reported instead of run again."""
    if ids:
        connection.execute(_GIVE_UP, [{"b_id": i, "b_now": now} for i in ids])


def prune(connection: Connection, *, now: datetime) -> int:
    """Delete the updates received more than KEEP_FOR ago; return how many."""
    return connection.execute(_PRUNE, {"b_before": now - KEEP_FOR}).rowcount
