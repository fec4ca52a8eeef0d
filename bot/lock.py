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
import os
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import IO

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from bot.settings import Settings
from db.engine import sqlite_file


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


@contextmanager
def _pg_lock(engine: Engine, *, shared: bool = False) -> Iterator[None]:
    """Hold a session-level advisory lock on PostgreSQL for the life of the process.

    `shared` (the workers of WORKERS=multi): any number of them, but no exclusive holder.
    """
    suffix = "_shared" if shared else ""
    connection = engine.connect()
    try:
        got = connection.execute(
            text(f"SELECT pg_try_advisory_lock{suffix}(:k)"), {"k": PG_LOCK_KEY}
        )
        if not got.scalar():
            raise AlreadyRunning("workers" if shared else "database", "PostgreSQL")
        connection.commit()
        try:
            yield
        finally:
            # The connection goes back to the pool, its session (and a lock) alive: unlock
            # (a connection cut meanwhile has lost the lock already).
            with contextlib.suppress(SQLAlchemyError):
                unlock = text(f"SELECT pg_advisory_unlock{suffix}(:k)")
                connection.execute(unlock, {"k": PG_LOCK_KEY})
                connection.commit()
    finally:
        connection.close()
