"""A database that does not answer yet when dondoc starts: waited out, not taken for a wrong
setting (`dondoc serve`, `dondoc run`, `dondoc db upgrade`)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DatabaseError, OperationalError

from bot.console import EXIT_CONFIG, EXIT_FAILED, one_line, say
from db.engine import shown_url

# A database that does not answer yet at start (PostgreSQL still starting after a reboot or
# restarting, at its max_connections, SQLite locked by a backup) is waited out this long,
# tried again every few seconds; then the process ends with status 1, which systemd restarts
# (status 2, a wrong setting, it does not), and `dondoc-migrate`, which the workers require,
# fails only for an outage longer than this.
START_WAIT_S = 300.0
START_RETRY_S = 5.0
# What a database says when it does not answer for now, as against a wrong setting (a
# database or role that does not exist, a wrong password, a host name that is no host):
# libpq's and PostgreSQL's messages (no SQLSTATE comes with a failed connection), SQLite's.
NOT_ANSWERING = (
    "connection refused",
    "timeout expired",
    "timed out",
    "server closed the connection unexpectedly",
    "the database system is starting up",
    "the database system is shutting down",
    "the database system is in recovery mode",
    "the database system is not yet accepting connections",
    "the database system is not accepting connections",
    "too many clients already",
    "remaining connection slots are reserved",
    "too many connections for",  # a role's or database's CONNECTION LIMIT
    "terminating connection",
    "no route to host",
    "network is unreachable",
    "due to lock timeout",
    "database is locked",
)
T = TypeVar("T")


def once_it_answers(engine: Engine, work: Callable[[], T], wait_s: float = START_WAIT_S) -> T:
    """Run `work` (the migrations), waiting up to `wait_s` for a database that does not
    answer for now, said once in one line; a wrong setting, or an outage longer than that,
    is raised. Started while PostgreSQL was still starting (a reboot), `dondoc serve` and
    `dondoc db upgrade` ended with status 2 at once, which systemd does not restart: the
    bot stayed down until someone started it by hand."""
    deadline = time.monotonic() + wait_s
    said = False
    while True:
        try:
            return work()
        except OperationalError as exc:
            if not not_answering(exc) or time.monotonic() + START_RETRY_S > deadline:
                raise
            if not said:
                url = shown_url(engine.url)
                minutes = round(wait_s / 60)
                say("cli.db_waiting", err=True, url=url, error=one_line(exc.orig), minutes=minutes)
                said = True
            engine.dispose()  # connections the outage left behind
            time.sleep(START_RETRY_S)


def db_error_status(error: DatabaseError) -> int:
    """Return the exit status of a command the database stopped: 1 when it does not answer
    for now (PostgreSQL restarting, failing over, not up yet at boot; SQLite locked: systemd
    starts the unit again), 2 for a wrong setting, which waiting cannot mend (a host that is
    no host, a wrong password, an SQLite file that cannot be opened; the units do not
    restart on 2)."""
    return EXIT_FAILED if not_answering(error) else EXIT_CONFIG


def not_answering(exc: DatabaseError) -> bool:
    """Tell whether the database failed for now (see NOT_ANSWERING), not for a setting."""
    said = " ".join(str(exc.orig).lower().split())
    return isinstance(exc, OperationalError) and any(s in said for s in NOT_ANSWERING)


def write_refused(engine: Engine) -> DatabaseError | None:
    """Return why the database refuses a write, or None: a write of nothing (the schema's
    revision set to itself, rolled back). Started on a database it can read but not write
    (a PostgreSQL standby or `default_transaction_read_only`, an SQLite file the service's
    user may not write), the bot ended in a traceback as it took its first update
    (PostgreSQL), or ran answering nobody, each update retried for minutes (SQLite)."""
    try:
        with engine.connect() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = version_num"))
            connection.rollback()
    except DatabaseError as exc:
        if not_answering(exc):
            raise
        return exc
    return None
