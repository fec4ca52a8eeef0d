"""`dondoc db upgrade`: bring the database to the newest schema; `db recount`: the counts;
`db backup`: a copy of a live SQLite database (PostgreSQL's is pg_dump's)."""

from __future__ import annotations

import argparse
import sqlite3
from pathlib import Path

from sqlalchemy.exc import DatabaseError
from sqlmodel import Session

from bot.commands.dbwait import not_answering, once_it_answers
from bot.console import (
    EXIT_CONFIG,
    EXIT_FAILED,
    EXIT_OK,
    help_text,
    load_settings,
    say,
    say_db_error,
)
from core.clock import SystemClock
from db.backup import backup_sqlite
from db.engine import make_engine, shown_url, sqlite_file
from db.migrate import current_revision, upgrade
from db.queries.taskcounts import rebuild


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `db upgrade`."""
    parser = sub.add_parser("db", help=help_text("db"), description=help_text("db"))
    db_sub = parser.add_subparsers(
        dest="db_command", required=True, metavar=help_text("argparse_command")
    )
    up = db_sub.add_parser(
        "upgrade", help=help_text("db_upgrade"), description=help_text("db_upgrade")
    )
    up.set_defaults(func=db_upgrade)
    recount = db_sub.add_parser(
        "recount", help=help_text("db_recount"), description=help_text("db_recount")
    )
    recount.set_defaults(func=db_recount)
    backup = db_sub.add_parser(
        "backup", help=help_text("db_backup"), description=help_text("db_backup_description")
    )
    backup.add_argument(
        "--out", type=Path, metavar=help_text("metavar_out"), help=help_text("db_backup_out")
    )
    backup.set_defaults(func=db_backup)


def db_upgrade(_args: argparse.Namespace) -> int:
    """Apply migrations and say which revision the database is at. A database that does not
    answer yet is waited out, as `dondoc serve` does: `dondoc-migrate.service` runs this at
    boot, perhaps before PostgreSQL answers, and the workers require it."""
    settings = load_settings()
    engine = make_engine(settings.database_url)
    try:
        once_it_answers(engine, lambda: upgrade(engine))
        say("cli.db_upgraded", revision=current_revision(engine) or "-")
    except DatabaseError as exc:
        if not not_answering(exc):
            raise  # a wrong setting is said by bot.cli.main, in one line, status 2
        say_db_error(shown_url(engine.url), exc.orig)
        return EXIT_FAILED  # not a setting: systemd may start it again
    finally:
        engine.dispose()
    return EXIT_OK


def db_recount(_args: argparse.Namespace) -> int:
    """Rebuild the stored per-task counts from the assignments and say how many rows."""
    settings = load_settings()
    engine = make_engine(settings.database_url)
    try:
        with Session(engine) as session:
            rows = rebuild(session)
            session.commit()
        say("cli.db_recounted", rows=rows)
    finally:  # a database that does not answer is said by bot.cli.main, in one line
        engine.dispose()
    return EXIT_OK


def db_backup(args: argparse.Namespace) -> int:
    """Copy the SQLite database, live, into one file (`--out`, or a dated name here)."""
    settings = load_settings()
    source = sqlite_file(settings.database_url)
    if source is None:  # PostgreSQL: pg_dump takes a consistent dump of a live database
        say("cli.db_backup_postgresql", err=True)
        return EXIT_CONFIG
    if not source.is_file():
        say("cli.db_backup_no_database", err=True, path=str(source))
        return EXIT_CONFIG
    stamp = SystemClock().now().astimezone(settings.tz).strftime("%Y%m%d-%H%M")
    out: Path = args.out or Path(f"dondoc-{stamp}.sqlite3")
    try:
        size = backup_sqlite(source, out)  # another OSError (no folder) is said by bot.cli
    except FileExistsError:
        say("cli.db_backup_exists", err=True, path=str(out))
        return EXIT_FAILED
    except sqlite3.Error as exc:
        say_db_error(str(source), exc)
        return EXIT_FAILED
    say("cli.db_backed_up", source=str(source), path=str(out), mb=f"{size / 1_048_576:.1f}")
    return EXIT_OK
