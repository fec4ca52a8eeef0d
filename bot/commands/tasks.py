"""`dondoc tasks import FILE`: load tasks from a CSV or XLSX file.

Header: code,title,deadline,assignees,directive,description (code, directive and
description optional). Exit status: 0 every row applied, 1 some rows rejected (the others
applied), 2 the file could not be read (nothing applied) or the settings are wrong.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.commands.importing import import_file
from bot.console import help_text
from db.imports.tasks import import_tasks


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `tasks import`."""
    parser = sub.add_parser("tasks", help=help_text("tasks"), description=help_text("tasks"))
    tasks_sub = parser.add_subparsers(
        dest="tasks_command", required=True, metavar=help_text("argparse_command")
    )
    imp = tasks_sub.add_parser(
        "import",
        help=help_text("tasks_import"),
        description=help_text("tasks_import"),
    )
    imp.add_argument(
        "file", type=Path, metavar=help_text("metavar_file"), help=help_text("import_file")
    )
    imp.set_defaults(func=tasks_import)


def tasks_import(args: argparse.Namespace) -> int:
    """Import the file and print the report; the exit status tells what happened."""
    return import_file(args.file, import_tasks)
