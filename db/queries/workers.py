"""Several `dondoc serve` workers on one PostgreSQL database: signs of life, roles, orphans.

Under `WORKERS=multi` each worker keeps one dedicated connection (scheduler/roles.py) on
which it writes its row in `worker` every second and holds the advisory locks of the roles
it won: the leader of the periodic jobs, the sender of a channel. PostgreSQL frees a
session's advisory locks when its connection ends, so a worker killed or cut off loses its
roles at once, and another takes them.

An update is recorded with the worker that took it (`inbox.worker`); one left unfinished by
a worker not seen for DEAD_AFTER is taken over by the leader (`take_orphans`, rows locked
`FOR UPDATE SKIP LOCKED`, so two leaders for a moment never take the same one). A person's
updates (`inbox.lane`) run one after another: `earlier_open` tells whether one received
before is still unfinished.

PostgreSQL only: the queries use its clock (`now()`), advisory locks and row locks.
"""

from __future__ import annotations

import zlib
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, text

from db.queries.inbox import InboxKey

# A worker writes its row every second; one silent this long is dead (its updates taken over).
DEAD_AFTER = timedelta(seconds=20)
# Advisory lock keys: (namespace, role). The single-process lock (bot/lock.py) uses the
# one-bigint key space, which PostgreSQL keeps apart from this two-integer one.
ROLE_NAMESPACE = 0x646F6E64  # "dond"
KEEP_WORKERS = timedelta(days=7)

_HEARTBEAT = text(
    "INSERT INTO worker (id, started_at, seen_at) VALUES (:w, now(), now()) "
    "ON CONFLICT (id) DO UPDATE SET seen_at = now()"
)
_TRY_LOCK = text("SELECT pg_try_advisory_lock(:ns, :k)")
_UNLOCK = text("SELECT pg_advisory_unlock(:ns, :k)")
_FORGET = text("DELETE FROM worker WHERE seen_at < now() - make_interval(secs => :s)")
# The unfinished updates of workers not seen lately (or of none: recorded by a single
# process before), oldest first, locked so that a second leader skips them.
_ORPHANS = text(
    """
    UPDATE inbox SET worker = :me
    WHERE id IN (
        SELECT i.id FROM inbox i
        WHERE i.channel = :channel AND i.processed_at IS NULL
          AND i.received_at < now() - make_interval(secs => :grace)
          AND (i.worker IS NULL OR NOT EXISTS (
              SELECT 1 FROM worker w
              WHERE w.id = i.worker AND w.seen_at > now() - make_interval(secs => :dead)))
        ORDER BY i.id
        LIMIT :limit
        FOR UPDATE SKIP LOCKED)
    RETURNING id
    """
)
_EARLIER_OPEN = text(
    """
    SELECT 1 FROM inbox e
    WHERE e.channel = :channel AND e.lane = :lane AND e.processed_at IS NULL
      AND e.id < (SELECT i.id FROM inbox i WHERE i.channel = :channel AND i.account = :account
                  AND i.epoch = :epoch AND i.update_id = :update_id)
    LIMIT 1
    """
)


_BUDGET_ROW = text(
    "INSERT INTO send_budget (channel, next_at) VALUES (:channel, 0) "
    "ON CONFLICT (channel) DO NOTHING"
)
# The channel's row, locked: one reservation at a time, whichever worker asks.
_BUDGET_LOCK = text(
    "SELECT next_at, extract(epoch FROM clock_timestamp()) AS now "
    "FROM send_budget WHERE channel = :channel FOR UPDATE"
)
_WINDOW_BACK = text(
    "SELECT slot_at, ended_at FROM send_slot WHERE channel = :channel "
    "ORDER BY id DESC OFFSET :back LIMIT 1"
)
_NEW_SLOT = text("INSERT INTO send_slot (channel, slot_at) VALUES (:channel, :at) RETURNING id")
_MOVE_ON = text("UPDATE send_budget SET next_at = :next WHERE channel = :channel")
_ENDED = text(
    "UPDATE send_slot SET ended_at = extract(epoch FROM clock_timestamp()) WHERE id = :id"
)
_FORGET_SLOTS = text("DELETE FROM send_slot WHERE channel = :channel AND id < :below")
KEEP_SLOTS = 1000  # a channel's last slots kept (only the window's are read)


def reserve(
    connection: Connection, *, channel: str, interval: float, calls: int, seconds: float
) -> tuple[int, float]:
    """Take the next slot of a channel's sends: on the grid, and no more than `calls` calls
    reaching the service within `seconds` (scheduler/budget.py). Return the slot and the
    seconds until it, by the database's clock."""
    params: dict[str, Any] = {"channel": channel}
    connection.execute(_BUDGET_ROW, params)
    row = connection.execute(_BUDGET_LOCK, params).one()
    now = float(row.now)
    ready = max(float(row.next_at), now)
    back = connection.execute(_WINDOW_BACK, {**params, "back": calls - 1}).first()
    if back is not None:
        reached = back.ended_at if back.ended_at is not None else min(now, back.slot_at + seconds)
        ready = max(ready, float(reached) + seconds)
    slot = int(connection.execute(_NEW_SLOT, {**params, "at": ready}).scalar_one())
    connection.execute(_MOVE_ON, {**params, "next": ready + interval})
    if slot % KEEP_SLOTS == 0:
        connection.execute(_FORGET_SLOTS, {**params, "below": slot - KEEP_SLOTS})
    return slot, max(0.0, ready - now)


def ended(connection: Connection, *, slot: int) -> None:
    """Record that a slot's call has returned (it has reached the service by now)."""
    connection.execute(_ENDED, {"id": slot})


def role_key(role: str) -> int:
    """Return the advisory lock key of a role ("leader", "sender:telegram", ...)."""
    return zlib.crc32(role.encode()) & 0x7FFFFFFF


_KEEP_ALIVE = text(
    "SET tcp_keepalives_idle = 5; SET tcp_keepalives_interval = 2; SET tcp_keepalives_count = 3"
)


def keep_alive(connection: Connection) -> None:
    """Have the server find this session dead within ~11 s of its client vanishing (its
    advisory locks, the roles, are freed then; the default waits hours)."""
    connection.execute(_KEEP_ALIVE)
    connection.commit()


def heartbeat(connection: Connection, *, worker: str) -> None:
    """Record that this worker is alive now (by the database's clock)."""
    connection.execute(_HEARTBEAT, {"w": worker})


def try_role(connection: Connection, *, role: str) -> bool:
    """Take a role's advisory lock on this (dedicated) connection, if no one holds it."""
    found = connection.execute(_TRY_LOCK, {"ns": ROLE_NAMESPACE, "k": role_key(role)})
    return bool(found.scalar())


def drop_role(connection: Connection, *, role: str) -> None:
    """Give a role's advisory lock back (stopping in order)."""
    connection.execute(_UNLOCK, {"ns": ROLE_NAMESPACE, "k": role_key(role)})


def forget_workers(connection: Connection) -> int:
    """Delete the rows of workers gone for KEEP_WORKERS; return how many."""
    return connection.execute(_FORGET, {"s": KEEP_WORKERS.total_seconds()}).rowcount


def take_orphans(
    connection: Connection,
    *,
    channel: str,
    me: str,
    grace: timedelta = timedelta(seconds=2),
    limit: int = 200,
) -> list[int]:
    """Make the unfinished updates of dead workers this worker's; return their inbox ids.

    `grace`: a row recorded by a single process (worker NULL) this recently may still be
    in hand.
    """
    found = connection.execute(
        _ORPHANS,
        {
            "me": me,
            "channel": channel,
            "grace": grace.total_seconds(),
            "dead": DEAD_AFTER.total_seconds(),
            "limit": limit,
        },
    )
    return [row.id for row in found]


def earlier_open(connection: Connection, *, channel: str, key: InboxKey, lane: str) -> bool:
    """Tell whether the same person has an update received before this one still unfinished."""
    params: dict[str, Any] = {**_key_params(channel, key), "lane": lane}
    return connection.execute(_EARLIER_OPEN, params).first() is not None


def _key_params(channel: str, key: InboxKey) -> dict[str, Any]:
    """Return the plain parameters naming an update."""
    return {
        "channel": channel,
        "account": key.account,
        "epoch": key.epoch,
        "update_id": key.update_id,
    }
