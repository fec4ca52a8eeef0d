"""Engine and session factory: built once by the composition root, passed down."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.pool import ConnectionPoolEntry, QueuePool, StaticPool
from sqlmodel import Session, create_engine

from db.retry import count_commits
from db.turn import Turn, take_turn, turn_factory

HIDDEN = "***"  # a password in a URL said to a person, as SQLAlchemy hides its own

# Short, because the wait blocks the event loop; longer outages are waited out by
# db.retry.retry_db, which sleeps asynchronously between tries.
SQLITE_BUSY_TIMEOUT_MS = 2_000
# PostgreSQL, per connection: a statement waiting this long for a lock fails (and is retried
# by db.retry like any outage) instead of hanging a worker; none runs longer than the second.
PG_LOCK_TIMEOUT_MS = 5_000
PG_STATEMENT_TIMEOUT_MS = 60_000
# libpq's, per connection, for a server that stops answering without closing the connection
# (its machine down, a network cut, a firewall dropping idle connections, a PostgreSQL that
# accepts and says nothing): a connection attempt gives up after `connect_timeout` seconds
# (it waited forever: `dondoc serve` hung at start, saying nothing), and an idle connection
# is probed, so one the network lost fails in about a minute, not after the kernel's
# retransmissions (15 minutes), holding a thread of the bot all along. A value the
# DATABASE_URL gives (`?connect_timeout=30`) wins.
PG_CONNECTION_ARGS = {
    "connect_timeout": "10",
    "keepalives": "1",
    "keepalives_idle": "30",
    "keepalives_interval": "10",
    "keepalives_count": "3",
}
# Each process's connections to PostgreSQL (its threads share them). A thread that finds
# them all taken waits PG_POOL_TIMEOUT_S for one, then its work fails as an outage, which
# db.retry waits out (the person told once that their message is held) as it does a lock
# held: SQLAlchemy's own TimeoutError, after 30 s, was no outage, and the person got the
# generic error (tests/faults/test_pool_exhausted.py).
PG_POOL_SIZE = 5
PG_MAX_OVERFLOW = 5
PG_POOL_TIMEOUT_S = 10.0
# A connection for every thread that may hold one at once (the loop, the update, delivery
# and heavy pools of scheduler.workers): past the pool's size each connection is opened and
# closed per use, and opening one runs the pragmas below.
SQLITE_POOL_SIZE = 16
# SQLite's page cache, per connection, in KiB (its default is 2,000): with up to
# SQLITE_POOL_SIZE connections each kept open, the default let the bot's caches grow to
# tens of MB of resident memory. The file's pages stay in the kernel's page cache, which
# every connection shares, so a page not cached here costs a read from memory, not the disk.
SQLITE_CACHE_KIB = 256
# The writers' turn of each SQLite file (db.turn), shared by the engines of this process.
_turns: dict[Path, Turn] = {}
# SQLite transactions are left to Python's sqlite3 (its legacy transaction control, still the
# default of 3.12's `autocommit`): it begins one (deferred) at the first write statement, not
# at a read. So a transaction that reads, then writes (a check-in's last one) pins no snapshot
# while it reads: a commit by another writer meanwhile cannot make SQLite refuse its first
# write at once ("database is locked" with no busy wait, a stale snapshot not upgraded), and
# the write waits for the turn and the lock like any other (tests/db/test_write_turn.py,
# tests/faults/test_write_meanwhile.py). Hence no BEGIN IMMEDIATE for every transaction, and
# no "begin" listener emitting BEGIN at the first statement: either would hold the write lock,
# or a snapshot, through the reads. Two things do pin one: a result left half read (read it
# whole before the transaction's first write), and a savepoint (`begin_nested`) as the first
# statement, which SQLite takes as a deferred BEGIN; that one is begun IMMEDIATE (db.turn).


def shown_url(url: URL | str) -> str:
    """Return a database URL as a person may read it: its password hidden, the one given as
    `?password=` (which libpq reads as well) too."""
    parsed = make_url(url)
    if "password" in parsed.query:
        parsed = parsed.update_query_dict({"password": HIDDEN})
    return parsed.render_as_string().replace(quote(HIDDEN), HIDDEN)


def url_passwords(database_url: str) -> list[str]:
    """Return the passwords a database URL holds: its own and any `?password=`."""
    parsed = make_url(database_url)
    given = parsed.query.get("password", ())
    found = [parsed.password, *([given] if isinstance(given, str) else given)]
    return [str(password) for password in found if password]


def make_engine(database_url: str, *, echo: bool = False) -> Engine:
    """Create the engine: SQLite gets WAL, foreign keys and a busy timeout; PostgreSQL timeouts.

    Every engine hides its statements' parameters (`hide_parameters`): an error logged says
    its kind and statement, not the values (an official's words, a name), which a day's logs
    must not hold (tests/faults/test_log_no_words.py)."""
    url = _psycopg_url(database_url)
    engine = _sqlite_engine(url, echo=echo) if url.startswith("sqlite") else _pg_engine(url, echo)
    count_commits(engine)  # what db.retry.not_repeated reads
    return engine


def _pg_engine(url: str, echo: bool) -> Engine:
    """Create a PostgreSQL engine with the timeouts the bot relies on."""
    options = (
        f"-c lock_timeout={PG_LOCK_TIMEOUT_MS} -c statement_timeout={PG_STATEMENT_TIMEOUT_MS}"
    )
    given = make_url(url).query
    connect_args = {k: v for k, v in PG_CONNECTION_ARGS.items() if k not in given}
    return create_engine(
        url,
        echo=echo,
        hide_parameters=True,
        poolclass=OutagePool,
        pool_pre_ping=True,
        pool_size=PG_POOL_SIZE,
        max_overflow=PG_MAX_OVERFLOW,
        pool_timeout=PG_POOL_TIMEOUT_S,
        connect_args={"options": options, **connect_args},
    )


class OutagePool(QueuePool):
    """A QueuePool whose wait for a connection, when every one is taken, ends as an outage
    (OperationalError), not as SQLAlchemy's TimeoutError, which nothing waits out."""

    def _do_get(self) -> ConnectionPoolEntry:
        try:
            return super()._do_get()
        except PoolTimeoutError as exc:
            raise OperationalError("waiting for a pooled connection", None, exc) from exc


def _psycopg_url(url: str) -> str:
    """Use psycopg 3 for plain postgresql:// URLs (SQLAlchemy would pick psycopg2)."""
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def _sqlite_engine(url: str, *, echo: bool) -> Engine:
    """Create an SQLite engine with the pragmas the bot relies on."""
    db_file = sqlite_file(url)
    kwargs: dict[str, Any] = {
        "connect_args": {"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
    }
    if db_file is None:
        kwargs["poolclass"] = StaticPool  # one shared in-memory database
    else:
        # A folder that cannot be made is said by the first connection ("unable to open"),
        # an OperationalError the commands report in one line, not a traceback here.
        with suppress(OSError):
            db_file.parent.mkdir(parents=True, exist_ok=True)
        kwargs |= {"pool_size": SQLITE_POOL_SIZE, "max_overflow": SQLITE_POOL_SIZE}
        path = db_file.resolve()
        turn = _turns.setdefault(path, Turn(path.with_name(f"{path.name}-writers")))
        kwargs["connect_args"]["factory"] = turn_factory(turn, SQLITE_BUSY_TIMEOUT_MS / 1000)
    engine = create_engine(url, echo=echo, hide_parameters=True, **kwargs)
    event.listen(engine, "connect", _sqlite_pragmas)
    if db_file is not None:
        event.listen(engine, "before_cursor_execute", take_turn)
    return engine


def writers_waiting(engine: Engine) -> int:
    """Tell how many of this process's writers wait for their turn on an SQLite file."""
    db_file = sqlite_file(engine.url.render_as_string())
    turn = _turns.get(db_file.resolve()) if db_file is not None else None
    return turn.waiting if turn is not None else 0


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Turn on WAL and foreign keys, and bound the page cache, on every new SQLite connection."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    cursor.close()


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """Open a session that commits on success and rolls back on error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@contextmanager
def session_in(engine: Engine, db: Session | None) -> Iterator[Session]:
    """Return the caller's session `db`, in its transaction (the caller commits it), or,
    without one, a new session committed when the block ends (`session_scope`).

    A use case given a session writes everything in it: run again after the database
    failed, it finds nothing of the earlier try kept.
    """
    if db is not None:
        yield db
        return
    with session_scope(engine) as session:
        yield session


def as_connection(db: Session | Connection) -> Connection:
    """Return the connection to run Core statements on: a session's own, in its transaction.

    The per-update queries take either, so a handler with only Core work opens a plain
    connection (a fraction of a session's cost) and one inside an ORM session joins it.
    """
    return db.connection() if isinstance(db, Session) else db


def sqlite_file(database_url: str) -> Path | None:
    """Return the file of an SQLite URL, or None for memory and other databases."""
    if not database_url.startswith("sqlite"):
        return None
    path = database_url.split("://", 1)[1]
    if path.startswith("/"):
        path = path[1:]
    if path in ("", ":memory:") or path.startswith(":memory:"):
        return None
    return Path(path.split("?", 1)[0])
