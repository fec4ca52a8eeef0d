"""The `dondoc` command: every subcommand is registered here, in one place.

The console script imports this module before `main` can catch anything: a Ctrl+C while it
loads would print a KeyboardInterrupt traceback. So it imports only what the interpreter
has already loaded; the console, the settings, SQLAlchemy and the command's own module are
imported by `main`, inside the `try` that turns Ctrl+C into a quiet exit (status 130).
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # typing's own, without importing typing (a few ms more to interrupt)
if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence

PRIVATE_UMASK = 0o077
# The exit status of a command stopped by Ctrl+C (SIGINT), as shells report it: 128 + 2.
EXIT_INTERRUPTED = 130
# The settings file a command reads instead of ./.env: on a server, the units' own
# (/etc/dondoc/env), so that `dondoc admin invite` works on the bot's database, not a new one.
ENV_FILE_OPTION = "--env-file"

# Each subcommand and its module, in the order `--help` lists them. Only the module of the
# command given is imported (`build_parser`): `dondoc --help`, `--version` or `admin list`
# no longer import the bot, the web server and the workbooks of every other command.
SUBCOMMANDS: dict[str, str] = {
    "run": "bot.commands.run",
    "serve": "bot.commands.serve",
    "demo": "bot.commands.demo",
    "db": "bot.commands.db",
    "outbox": "bot.commands.outbox",
    "admin": "bot.commands.admin",
    "scope": "bot.commands.scope",
    "contacts": "bot.commands.contacts",
    "units": "bot.commands.units",
    "invites": "bot.commands.invites",
    "tasks": "bot.commands.tasks",
    "export": "bot.commands.export",
    "report": "bot.commands.report",
}


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """Return the argument parser in the console's language: every subcommand named, with
    its help line, and the one `argv` gives (its first word that is not an option) whole,
    its module imported; `argv` None: every subcommand whole."""
    from importlib import import_module
    from typing import cast

    from bot.commands.parsing import CatalogParser
    from bot.console import help_text

    parser = CatalogParser(prog="dondoc", description=help_text("dondoc"))
    parser.add_argument(
        "--version",
        action="version",
        version=f"dondoc {dondoc_version()}",
        help=help_text("argparse_version"),
    )
    parser.add_argument(
        ENV_FILE_OPTION,
        metavar=help_text("metavar_env_file"),
        help=help_text("env_file"),
    )
    sub = cast(
        "argparse._SubParsersAction[argparse.ArgumentParser]",
        parser.add_subparsers(
            dest="command", required=True, metavar=help_text("argparse_command")
        ),
    )
    given = None if argv is None else command_word(argv)
    for name, module in SUBCOMMANDS.items():
        if given is None or name == given:
            import_module(module).add_parser(sub)
        else:  # listed in `--help` and among argparse's choices, not imported
            sub.add_parser(name, help=help_text(name))
    return parser


def command_word(argv: Sequence[str]) -> str:
    """Return the subcommand an argument list names: its first word that is neither an
    option nor the value of `--env-file FILE`."""
    words = iter(argv)
    for word in words:
        if word == ENV_FILE_OPTION:
            next(words, None)
        elif not word.startswith("-"):
            return word
    return ""


def dondoc_version() -> str:
    """Return the installed package's version (the one in pyproject.toml)."""
    from importlib.metadata import PackageNotFoundError, version

    from bot.console import help_text

    try:
        return version("dondoc")
    except PackageNotFoundError:
        return help_text("version_unknown")


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and run the subcommand; settings errors exit with 2, Ctrl+C
    (at any moment, the command's modules still loading included) with 130, quietly."""
    try:
        try:
            return _main(argv)
        finally:  # what is still buffered (argparse's help) is written here, not at exit
            sys.stdout.flush()
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except RuntimeError as exc:
        # Ctrl+C while a module being imported defines a class: Python raises it on as
        # "Error calling __set_name__ ..." (a RuntimeError caused by the KeyboardInterrupt).
        if isinstance(exc.__cause__, KeyboardInterrupt):
            return EXIT_INTERRUPTED
        raise
    except BrokenPipeError:
        # `dondoc tasks import FILE | head`: the reader stopped reading, no traceback for it.
        # What is left to print goes nowhere (the interpreter's flush at exit included), as
        # Python's documentation of SIGPIPE advises; the exit status says it was cut short.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        from bot.console import EXIT_FAILED

        return EXIT_FAILED


def _main(argv: Sequence[str] | None) -> int:
    """`main`, but for its output's reader going away and Ctrl+C."""
    from pathlib import Path

    from sqlalchemy.exc import DatabaseError

    from bot import console
    from bot.commands.dbwait import db_error_status
    from bot.console import (
        EXIT_CONFIG,
        EXIT_FAILED,
        ConfigError,
        load_settings,
        say,
        say_db_error,
    )
    from db.engine import shown_url
    from db.schema import HEAD, BrokenKeysError, UnknownSchemaError

    # PTB 22 otherwise warns on every RetryAfter (429); our sender reads it as a timedelta.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    # The database, its WAL files, lock files and evidence hold officials' data and reports:
    # whatever the bot creates is for its own user only (files 0600, folders 0700).
    os.umask(PRIVATE_UMASK)
    if argv is None:
        argv = sys.argv[1:]
    args = build_parser(argv).parse_args(argv)
    if args.env_file is not None and not Path(args.env_file).is_file():
        say("cli.env_file_missing", err=True, path=args.env_file)
        return EXIT_CONFIG
    console.env_file_chosen = args.env_file or ".env"
    try:
        return int(args.func(args))
    except ConfigError as exc:
        for line in exc.lines:
            print(line, file=sys.stderr)
        return EXIT_CONFIG
    except UnknownSchemaError as exc:  # a newer dondoc migrated it: nothing was changed
        say("cli.schema_unknown", err=True, revision=exc.revision, head=HEAD)
        return EXIT_CONFIG
    except BrokenKeysError as exc:  # rows pointing nowhere: the upgrade changed nothing
        say("cli.schema_broken_keys", err=True, tables=", ".join(exc.tables))
        return EXIT_CONFIG
    except DatabaseError as exc:  # the database does not answer: one line, as `run` says
        database_url = load_settings().database_url
        say_db_error(shown_url(database_url), exc.orig)
        return db_error_status(exc)
    except OSError as exc:  # a file to write or read (--out, an import): say which, and why
        if exc.filename is None:
            raise
        say("cli.file_error", err=True, path=str(exc.filename), error=exc.strerror or str(exc))
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
