"""A worker's roles under `WORKERS=multi`: leader of the periodic jobs, sender of a channel.

Each role is a PostgreSQL advisory lock held on one dedicated connection
(db/queries/workers.py). A thread of its own (not the shared pool, which a long sweep can
fill) ticks every TICK_S: it writes the worker's sign of life, which also proves the
connection, and tries the roles it lacks, at most one new one a tick, each worker in its own
order, so that the roles spread over the workers rather than all going to the first.

- A role won is *held* only SETTLE_S later: a previous holder cut off from the database
  (its lock freed by PostgreSQL) stops within LOSE_AFTER_S, so two leaders or two senders
  never act at once, but for a step already running (each is idempotent).
- A role is lost when a tick fails (the connection is then dropped and opened again) or when
  no tick has succeeded for LOSE_AFTER_S (the database hangs): `holds` turns False at once,
  the work it gates stops at its next check.
- A worker killed or cut off loses its locks with its connection: another worker's next tick
  takes them, and acts SETTLE_S later, well within the 30 s of the issue. A worker whose
  network vanished without closing its connection is found dead by the server's TCP
  keepalives, set short on this connection (`keep_alive`: about 11 s).

`term(role)` counts the times this worker won a role: a sender seeing a new term takes over
the leases of the sender before it (scheduler/sender.take_over).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import zlib
from collections.abc import Callable, Sequence

from sqlalchemy.engine import Connection, Engine

from app.services import Services
from db.queries.inbox import InboxKey
from db.queries.workers import drop_role, earlier_open, heartbeat, keep_alive, try_role
from db.retry import retry_db_async
from scheduler.workers import in_update_worker

log = logging.getLogger(__name__)

LEADER = "leader"
LEADER_TICK_S = 5.0  # how often a leader's job asks whether it is due (LeaderPace)
# A person's update waits for their earlier one on another worker: polls, then gives up.
LANE_FIRST_S, LANE_MAX_S, LANE_WAIT_S = 0.02, 0.5, 120.0
TICK_S = 1.0
SETTLE_S = 5.0
LOSE_AFTER_S = 3.0


def sender_role(channel: str) -> str:
    """Return the role of the one sender of a channel."""
    return f"sender:{channel}"


class LeaderPace:
    """When a leader's job is due among several workers: every `every` seconds while this
    worker leads, and at once when it has just won the lead (its job ticks every few
    seconds, and asks)."""

    def __init__(self, services: Services, every: float) -> None:
        self.services, self.every = services, every
        self._term = 0
        self._last = float("-inf")

    def due(self) -> bool:
        """Tell whether the job should run now (and count it as run)."""
        roles = self.services.roles
        if not roles.holds(LEADER):
            return False
        now, term = time.monotonic(), roles.term(LEADER)
        if term == self._term and now - self._last < self.every:
            return False
        self._term, self._last = term, now
        return True


class WorkerRoles:
    """This worker's roles, won and kept by a thread of its own (see the module)."""

    def __init__(
        self,
        engine: Engine,
        *,
        worker: str,
        wanted: Sequence[str],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.engine, self.worker = engine, worker
        turn = zlib.crc32(worker.encode()) % max(1, len(wanted))
        self.wanted = tuple(wanted[turn:]) + tuple(wanted[:turn])
        self._clock = clock
        self._won: dict[str, float] = {}  # role -> when won (replaced whole, read from the loop)
        self._terms: dict[str, int] = {}
        self._last_ok = float("-inf")
        self._connection: Connection | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def holds(self, role: str) -> bool:
        """Tell whether this worker may act in `role` now."""
        won = self._won.get(role)
        now = self._clock()
        return won is not None and now >= won + SETTLE_S and now - self._last_ok < LOSE_AFTER_S

    def term(self, role: str) -> int:
        """Return how many times this worker has won `role` (0: never)."""
        return self._terms.get(role, 0)

    def held(self) -> list[str]:
        """Return the roles held now (for the log and /healthz)."""
        return [role for role in self.wanted if self.holds(role)]

    def start(self) -> None:
        """Start ticking in a thread of its own."""
        self._thread = threading.Thread(target=self._run, name="dondoc-roles", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Give the roles back and close the connection."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._won = {}
        if self._connection is not None:
            try:
                for role in self.wanted:
                    drop_role(self._connection, role=role)
                self._connection.close()
            except Exception:  # the session ends with the connection anyway
                log.debug("releasing the roles' connection failed", exc_info=True)
            self._connection = None

    def _run(self) -> None:
        """Tick until stopped."""
        while not self._stop.is_set():
            self.tick()
            self._stop.wait(TICK_S)

    def tick(self) -> None:
        """Prove the connection, say this worker is alive, try one role it lacks."""
        try:
            if self._connection is None:
                self._connection = self.engine.connect()
                keep_alive(self._connection)
            connection = self._connection
            heartbeat(connection, worker=self.worker)
            connection.commit()
            self._last_ok = self._clock()
            for role in self.wanted:
                if role in self._won:
                    continue
                got = try_role(connection, role=role)
                connection.commit()
                if got:
                    self._won = {**self._won, role: self._clock()}
                    self._terms[role] = self._terms.get(role, 0) + 1
                    log.info("worker %s is now the %s (in %.0f s)", self.worker, role, SETTLE_S)
                    break
        except Exception as exc:
            self._lose(exc)

    def _lose(self, exc: Exception) -> None:
        """Drop every role and the connection: the database is out of reach."""
        if self._won:
            log.warning("worker %s lost its roles %s: %s", self.worker, sorted(self._won), exc)
        else:
            log.warning("worker %s cannot reach the database: %s", self.worker, exc)
        self._won = {}
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                connection.invalidate()
                connection.close()
            except Exception:
                log.debug("closing a broken connection failed", exc_info=True)


async def wait_turn(services: Services, channel: str, key: InboxKey, lane: str) -> None:
    """Return once the person's updates received before this one are finished (any worker).

    One left by a dead worker is taken over by the leader within DEAD_AFTER and a tick; after
    LANE_WAIT_S this one goes ahead anyway (logged): order is given up before an update.
    """
    deadline = time.monotonic() + LANE_WAIT_S
    delay = LANE_FIRST_S

    def earlier() -> bool:
        with services.engine.connect() as connection:
            return earlier_open(connection, channel=channel, key=key, lane=lane)

    while await retry_db_async(lambda: in_update_worker(earlier), "reading a person's turn"):
        if time.monotonic() > deadline:
            log.warning("update %s went ahead of an earlier one still open", key.update_id)
            return
        await asyncio.sleep(delay)
        delay = min(delay * 2, LANE_MAX_S)
