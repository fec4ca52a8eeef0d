"""`dondoc tasks import FILE`: load tasks from a CSV or XLSX file.

Header: code,title,deadline,assignees,directive,description (code, directive and
description optional). Exit status: 0 every row applied, 1 some rows rejected (the others
applied), 2 the file could not be read (nothing applied) or the settings are wrong.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from bot.console import EXIT_CONFIG, cli_language, load_settings, say
from bot.i18n import load_catalog
from bot.import_report import report_lines, unreadable_text
from core.clock import SystemClock
from core.spreadsheet import UnreadableFile, read_table
from db.engine import make_engine, session_scope
from db.imports.tasks import import_tasks
from db.migrate import upgrade


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `tasks import`."""
    parser = sub.add_parser("tasks", help="manage tasks")
    tasks_sub = parser.add_subparsers(dest="tasks_command", required=True, metavar="COMMAND")
    imp = tasks_sub.add_parser(
        "import",
        help="add or update tasks from a CSV/XLSX file "
        "(code,title,deadline,assignees,directive,description)",
    )
    imp.add_argument("file", type=Path, help="the CSV (UTF-8) or XLSX file")
    imp.set_defaults(func=tasks_import)


def tasks_import(args: argparse.Namespace) -> int:
    """Import the file and print the report; the exit status tells what happened."""
    path: Path = args.file
    if not path.is_file():
        say("imports.file_missing", err=True, path=str(path))
        return EXIT_CONFIG
    settings = load_settings()
    catalog, lang = load_catalog(), cli_language()
    try:
        table = read_table(path.read_bytes(), path.name)
    except UnreadableFile as exc:
        _print(unreadable_text(catalog, lang, exc.code), err=True)
        return EXIT_CONFIG
    engine = make_engine(settings.database_url)
    try:
        upgrade(engine)
        with session_scope(engine) as session:
            report = import_tasks(
                session,
                table,
                actor_id=None,
                actor_label="cli",
                now=SystemClock().now(),
                tz=settings.tz,
            )
    except UnreadableFile as exc:
        _print(unreadable_text(catalog, lang, exc.code), err=True)
        return EXIT_CONFIG
    finally:
        engine.dispose()
    for line in report_lines(catalog, lang, report):
        _print(line)
    return report.exit_status


def _print(text: str, *, err: bool = False) -> None:
    """Print catalog output without its HTML markup."""
    plain = re.sub(r"</?[a-z]+>", "", text)
    plain = plain.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    print(plain, file=sys.stderr if err else sys.stdout, flush=True)
