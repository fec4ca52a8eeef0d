"""Refuse a second bot process on the same database or token, before it polls.

Under WORKERS=multi (PostgreSQL, `dondoc serve` only) several workers share the database:
each holds the database lock shared, so none of them can start beside a single process
(which holds it exclusive), nor a single process beside them; there is no token lock, as
the workers of one bot may run on one machine.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import signal
import tempfile
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import IO

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from bot.settings import Settings
from db.engine import sqlite_file

log = logging.getLogger(__name__)


class AlreadyRunning(Exception):  # noqa: N818  (a state, not a failure of the code)
    """Another process holds a lock: `kind` is "token" or "database", `where` the file or DB."""

    def __init__(self, kind: str, where: str = "") -> None:
        super().__init__(f"{kind} {where}".strip())
        self.kind = kind
        self.where = where


@contextmanager
def single_instance(settings: Settings, engine: Engine) -> Iterator[None]:
    """Hold the token lock and the database lock for as long as the bot runs."""
    with ExitStack() as stack:
        if settings.workers == "multi":
            stack.enter_context(_pg_lock(engine, shared=True))
            yield
            return
        secret = settings.bot_token or settings.zalo_bot_token
        token = secret.get_secret_value() if secret else ""
        digest = hashlib.sha256(token.encode()).hexdigest()[:16]
        token_lock = Path(tempfile.gettempdir()) / f"dondoc-token-{digest}.lock"
        stack.enter_context(_file_lock(token_lock, "token"))
        db_file = sqlite_file(settings.database_url)
        if db_file is not None:
            stack.enter_context(_file_lock(Path(f"{db_file}.lock"), "database", str(db_file)))
        elif engine.dialect.name == "postgresql":
            stack.enter_context(_pg_lock(engine))
        yield


@contextmanager
def _file_lock(path: Path, kind: str, where: str = "") -> Iterator[None]:
    """Hold an exclusive advisory lock on a file; the OS frees it if the process dies."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle: IO[str] = path.open("a+")
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise AlreadyRunning(kind, where) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield
    finally:
        handle.close()


PG_LOCK_KEY = 0x646F6E646F63  # "dondoc"
PG_LOCK_CHECK_S = 2.0  # how often the lock's connection is looked at (one small query)
# The server processes holding the lock: pg_locks shows a one-bigint advisory key as its
# high and low 32 bits (classid, objid), objsubid 1.
_HOLDERS = text(
    "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1 "
    "AND classid = :hi AND objid = :lo "
    "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
)
_END = text("SELECT pg_terminate_backend(:pid)")


@contextmanager
def _pg_lock(engine: Engine, *, shared: bool = False) -> Iterator[None]:
    """Hold a session-level advisory lock on PostgreSQL for the life of the process.

    `shared` (the workers of WORKERS=multi): any number of them, but no exclusive holder.
    The lock lives as long as its connection: PostgreSQL cutting it (a restart, a failover,
    pg_terminate_backend) freed it, and a second `dondoc run` could then start beside this
    one. A thread looks every PG_LOCK_CHECK_S whether the connection is still the one that
    took it, and takes it again on a new one; if another process took it meanwhile, this
    one says so and stops (SIGTERM to itself: the usual clean stop). Held by the server
    process of the connection that was lost (cut on this side only, PostgreSQL has not seen
    it yet), it is that process that is ended, and the lock taken at the next look.
    """
    lock = _PgLock(engine, shared)
    if not lock.take():
        lock.close()
        raise AlreadyRunning("workers" if shared else "database", "PostgreSQL")
    stop = threading.Event()
    watcher = threading.Thread(target=lock.keep, args=(stop,), name="dondoc-lock", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        stop.set()
        watcher.join()
        lock.release()


class _PgLock:
    """The advisory lock and the connection that holds it (used by one thread at a time)."""

    def __init__(self, engine: Engine, shared: bool) -> None:
        self.engine = engine
        self.suffix = "_shared" if shared else ""
        self.connection: Connection | None = None
        self.backend = 0  # the server process of the connection that holds the lock
        self.lost = 0  # that of the connection that held it before, once it was lost

    def take(self) -> bool:
        """Try to take the lock on a new connection; tell whether it is held."""
        self.close()
        self.connection = connection = self.engine.connect()
        lock = text(f"SELECT pg_try_advisory_lock{self.suffix}(:k), pg_backend_pid()")
        got, backend = connection.execute(lock, {"k": PG_LOCK_KEY}).one()
        connection.commit()
        self.backend = int(backend) if got else 0
        return bool(got)

    def lingers(self) -> bool:
        """Tell whether the lock is held by the server process of the connection lost (cut
        on this side only), and end that process if so: its lock is this process's."""
        if not self.lost or self.connection is None:
            return False
        keys = {"hi": PG_LOCK_KEY >> 32, "lo": PG_LOCK_KEY & 0xFFFFFFFF}
        holders = set(self.connection.execute(_HOLDERS, keys).scalars())
        if holders != {self.lost}:
            return False
        self.connection.execute(_END, {"pid": self.lost})
        self.connection.commit()
        return True

    def held(self) -> bool:
        """Tell whether the connection that took the lock is still there (a cut one has lost
        it; SQLAlchemy would reconnect it silently, without the lock: hence the pid)."""
        if self.connection is None:
            return False
        try:
            backend = self.connection.execute(text("SELECT pg_backend_pid()")).scalar()
            self.connection.commit()
        except SQLAlchemyError:
            return False
        return backend == self.backend

    def keep(self, stop: threading.Event) -> None:
        """Until `stop`: take the lock again whenever its connection was lost."""
        while not stop.wait(PG_LOCK_CHECK_S):
            if self.held():
                continue
            self.lost = self.backend or self.lost
            try:
                got = self.take()
                lingers = not got and self.lingers()
            except SQLAlchemyError:
                continue  # PostgreSQL not back yet: the next look tries again
            if got:
                self.lost = 0
                log.warning(
                    "PostgreSQL cut the connection holding the one-process lock; taken again"
                )
                continue
            if lingers:
                log.warning(
                    "the connection holding the one-process lock was cut on this side, and "
                    "PostgreSQL still held the lock for it: that session is ended, the lock "
                    "taken again next"
                )
                continue
            self.close()
            log.error(
                "PostgreSQL cut the connection holding the one-process lock and another dondoc "
                "process on this database took it meanwhile: this one stops"
            )
            os.kill(os.getpid(), signal.SIGTERM)
            return

    def release(self) -> None:
        """Give the lock back and the connection to the pool (a cut one lost it already)."""
        if self.connection is not None and self.held():
            # The connection goes back to the pool, its session (and a lock) alive: unlock.
            with contextlib.suppress(SQLAlchemyError):
                unlock = text(f"SELECT pg_advisory_unlock{self.suffix}(:k)")
                self.connection.execute(unlock, {"k": PG_LOCK_KEY})
                self.connection.commit()
        self.close()

    def close(self) -> None:
        """Close the connection, if any (a cut one's close may fail: it is gone anyway)."""
        if self.connection is not None:
            with contextlib.suppress(SQLAlchemyError):
                self.connection.close()
            self.connection = None
