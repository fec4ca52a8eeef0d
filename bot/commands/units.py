"""`dondoc units import FILE`: load units from a CSV or XLSX file.

Exit status: 0 every row applied, 1 some rows rejected (the others applied), 2 the file
could not be read (nothing applied) or the settings are wrong.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.commands.importing import import_file
from bot.console import help_text
from db.imports.units import import_units


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `units import`."""
    parser = sub.add_parser("units", help=help_text("units"), description=help_text("units"))
    units_sub = parser.add_subparsers(
        dest="units_command", required=True, metavar=help_text("argparse_command")
    )
    imp = units_sub.add_parser(
        "import",
        help=help_text("units_import"),
        description=help_text("units_import"),
    )
    imp.add_argument(
        "file", type=Path, metavar=help_text("metavar_file"), help=help_text("import_file")
    )
    imp.set_defaults(func=units_import)


def units_import(args: argparse.Namespace) -> int:
    """Import the file and print the report; the exit status tells what happened."""
    return import_file(args.file, import_units)
