"""The inbox: each update recorded once, finished, retried once after a restart, pruned.

An update is known by its `InboxKey`: the account that received it (a Telegram bot's id, a
Zalo official account's id), the epoch of that account's ids (0 where ids never repeat) and
its id. The channel decides the account and epoch; see db.models.Inbox.

The statements run for every update (record, finish) are prepared once (db/prepared.py):
SQLAlchemy's execution of a statement costs more than SQLite's, and the ORM's session ~10x.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, select, update

from db.models import Inbox
from db.prepared import Prepared
from db.types import UTCDateTime

KEEP_FOR = timedelta(days=30)
MAX_RETRIES = 1  # an unfinished update is run again once after a restart, then given up

_INBOX = Inbox.__table__  # type: ignore[attr-defined]
_C = _INBOX.c
_THIS = (
    _C.channel == bindparam("b_channel"),
    _C.account == bindparam("b_account"),
    _C.epoch == bindparam("b_epoch"),
    _C.update_id == bindparam("b_update_id"),
)
_RECORD = Prepared(insert(_INBOX))
_FINISH = Prepared(
    update(_INBOX)
    .where(*_THIS, _C.processed_at.is_(None))
    .values(processed_at=bindparam("b_now"), payload=None)
)
# The same for several updates of one account and epoch at once: one statement, where a
# statement each was a step each of SQLite's (and a GIL handoff each, beside the loop).
_FINISH_MANY = Prepared(
    update(_INBOX)
    .where(
        _C.channel == bindparam("b_channel"),
        _C.account == bindparam("b_account"),
        _C.epoch == bindparam("b_epoch"),
        _C.update_id.in_(bindparam("b_update_ids", expanding=True)),
        _C.processed_at.is_(None),
    )
    .values(processed_at=bindparam("b_now"), payload=None),
    expanding=("b_update_ids",),
)
# At most this many ids in one statement (a form is compiled for each length up to it).
FINISH_AT_ONCE = 16
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
    select(
        _C.id, _C.account, _C.epoch, _C.update_id, _C.kind, _C.received_at, _C.attempts, _C.payload
    )
    .where(_C.channel == bindparam("b_channel"), _C.processed_at.is_(None))
    .where(_C.received_at < bindparam("b_started"))
    .order_by(_C.id)
)
_UNFINISHED_OF = (
    select(
        _C.id, _C.account, _C.epoch, _C.update_id, _C.kind, _C.received_at, _C.attempts, _C.payload
    )
    .where(_C.id.in_(bindparam("b_ids", expanding=True)), _C.processed_at.is_(None))
    .order_by(_C.id)
)
_GIVE_UP = (
    update(_INBOX)
    .where(_C.id == bindparam("b_id"))
    .values(processed_at=bindparam("b_now"), payload=None)
)
_PRUNE = delete(_INBOX).where(_C.received_at < bindparam("b_before"))
_RECENT = (
    select(_C.epoch, _C.update_id)
    .where(_C.channel == bindparam("b_channel"), _C.account == bindparam("b_account"))
    .order_by(_C.id.desc())
    .limit(bindparam("b_limit"))
)
_DIGEST = select(_C.digest).where(*_THIS)
_ADOPT = (
    update(_INBOX)
    .where(_C.channel == bindparam("b_channel"), _C.account == "")
    .values(account=bindparam("b_account"))
)


@dataclass(frozen=True)
class InboxKey:
    """What identifies an update in the inbox, within its channel."""

    account: str
    epoch: int
    update_id: str

    def params(self, channel: str) -> dict[str, Any]:
        """Return the bound parameters naming this update."""
        return {
            "b_channel": channel,
            "b_account": self.account,
            "b_epoch": self.epoch,
            "b_update_id": self.update_id,
        }


def record(
    connection: Connection,
    *,
    channel: str,
    key: InboxKey,
    kind: str,
    payload: dict[str, Any],
    digest: str,
    now: datetime,
    worker: str | None = None,
    lane: str | None = None,
) -> None:
    """Record a new update with what is needed to run it again; IntegrityError if known.

    `worker` (under several workers) is the process taking it, `lane` the person it is from.
    """
    row = {"channel": channel, "account": key.account, "epoch": key.epoch}
    row |= {"update_id": key.update_id, "kind": kind, "digest": digest, "received_at": now}
    row |= {"worker": worker, "lane": lane, "attempts": 0}
    _RECORD.run(connection, {**row, "payload": payload})


def finish(connection: Connection, *, channel: str, key: InboxKey, now: datetime) -> None:
    """Mark an update processed and drop its payload (nothing will run it again)."""
    _FINISH.run(connection, {**key.params(channel), "b_now": now})


def finish_all(
    connection: Connection, *, channel: str, keys: Sequence[InboxKey], now: datetime
) -> None:
    """Mark these updates processed and drop their payloads, those of one account and epoch
    FINISH_AT_ONCE at a time."""
    together: dict[tuple[str, int], list[str]] = {}
    for key in keys:
        together.setdefault((key.account, key.epoch), []).append(key.update_id)
    for (account, epoch), ids in together.items():
        for start in range(0, len(ids), FINISH_AT_ONCE):
            some = ids[start : start + FINISH_AT_ONCE]
            if len(some) == 1:
                finish(connection, channel=channel, key=InboxKey(account, epoch, some[0]), now=now)
                continue
            params = {"b_channel": channel, "b_account": account, "b_epoch": epoch}
            _FINISH_MANY.run(connection, {**params, "b_update_ids": some, "b_now": now})


def reclaim(connection: Connection, *, channel: str, key: InboxKey, started: datetime) -> bool:
    """Claim a known update for a retry: unfinished, from before `started`, not yet retried."""
    found = connection.execute(_RECLAIM, {**key.params(channel), "b_started": started})
    return found.rowcount == 1


def digest_of(connection: Connection, *, channel: str, key: InboxKey) -> str | None:
    """Return the digest recorded for an update ("" before 0003), None if it is unknown."""
    found: str | None = connection.execute(_DIGEST, key.params(channel)).scalar()
    return found


def recent(
    connection: Connection, *, channel: str, account: str, limit: int
) -> list[tuple[int, str]]:
    """Return the epoch and id of the account's `limit` updates recorded last, newest first."""
    found = {"b_channel": channel, "b_account": account, "b_limit": limit}
    return [(row.epoch, row.update_id) for row in connection.execute(_RECENT, found)]


def adopt(connection: Connection, *, channel: str, account: str) -> int:
    """Give the channel's updates recorded before accounts were kept (account "") to `account`.

    One bot serves a database: those rows were its own. Return how many were adopted.
    """
    return connection.execute(_ADOPT, {"b_channel": channel, "b_account": account}).rowcount


@dataclass(frozen=True)
class Unfinished:
    """An update an earlier process received and never finished."""

    id: int
    account: str
    epoch: int
    update_id: str
    kind: str
    received_at: datetime
    attempts: int
    payload: dict[str, Any] | None

    @property
    def key(self) -> InboxKey:
        """Return what identifies the update in the inbox."""
        return InboxKey(self.account, self.epoch, self.update_id)

    @property
    def retryable(self) -> bool:
        """Tell whether it may run once more (else it is given up and reported)."""
        return self.attempts < MAX_RETRIES and self.payload is not None


def unfinished(connection: Connection, *, channel: str, started: datetime) -> list[Unfinished]:
    """Return the updates received before `started` that were never finished, oldest first."""
    found = connection.execute(_UNFINISHED, {"b_channel": channel, "b_started": started})
    return _unfinished_rows(connection, found, started)


def unfinished_of(
    connection: Connection, *, ids: Sequence[int], now: datetime
) -> list[Unfinished]:
    """Return the updates of these inbox ids that are still unfinished, oldest first."""
    if not ids:
        return []
    return _unfinished_rows(connection, connection.execute(_UNFINISHED_OF, {"b_ids": ids}), now)


def _unfinished_rows(connection: Connection, found: Any, fallback: datetime) -> list[Unfinished]:
    """Turn the rows of an unfinished-updates query into values."""
    convert = UTCDateTime().process_result_value
    return [
        Unfinished(
            row.id,
            row.account,
            row.epoch,
            row.update_id,
            row.kind,
            convert(row.received_at, connection.dialect) or fallback,
            row.attempts,
            row.payload,
        )
        for row in found
    ]


def give_up(connection: Connection, *, ids: Sequence[int], now: datetime) -> None:
    """Mark updates done with: they were reported instead of run again."""
    if ids:
        connection.execute(_GIVE_UP, [{"b_id": i, "b_now": now} for i in ids])


def prune(connection: Connection, *, now: datetime) -> int:
    """Delete the updates received more than KEEP_FOR ago; return how many."""
    return connection.execute(_PRUNE, {"b_before": now - KEEP_FOR}).rowcount
