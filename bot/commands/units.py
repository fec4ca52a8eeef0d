"""`dondoc units import FILE`: load units from a CSV or XLSX file; `dondoc units merge OLD...
--into NEW`: units merged into one (`app.unit_merge`).

Import's exit status: 0 every row applied, 1 some rows rejected (the others applied), 2 the
file could not be read (nothing applied) or the settings are wrong. Merge's: 0 merged, 1 not
(a unit unknown or deactivated, one into itself, the answer no), 2 no terminal to ask on and
no --yes, as `contacts merge`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from app.i18n import load_catalog
from app.services import Services
from app.unit_merge import merge, plan
from bot.commands.contacts import refusal
from bot.commands.importing import import_file
from bot.console import (
    EXIT_FAILED,
    EXIT_OK,
    cli_language,
    help_text,
    load_settings,
    print_plain,
)
from core.clock import clock_from
from core.markup import to_plain
from db.engine import make_engine
from db.imports.units import import_units
from db.migrate import upgrade


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
    merge = units_sub.add_parser(
        "merge", help=help_text("units_merge"), description=help_text("units_merge")
    )
    merge.add_argument(
        "old", nargs="+", metavar=help_text("metavar_old"), help=help_text("units_merge_old")
    )
    merge.add_argument(
        "--into",
        required=True,
        metavar=help_text("metavar_new"),
        help=help_text("units_merge_into"),
    )
    merge.add_argument("--yes", action="store_true", help=help_text("units_merge_yes"))
    merge.set_defaults(func=units_merge)


def units_import(args: argparse.Namespace) -> int:
    """Import the file and print the report; the exit status tells what happened."""
    return import_file(args.file, import_units)


def units_merge(args: argparse.Namespace) -> int:
    """Show what merging the OLD units into NEW does, ask (unless --yes), then merge (a large
    merge a slice of its work a transaction, `app.unit_merge.merge`). Exit 1 when it cannot
    be made or the answer was no; 2 when there is no terminal to ask on and no --yes."""
    settings = load_settings()
    catalog, lang = load_catalog(), cli_language()
    engine = make_engine(settings.database_url)
    services = Services(settings, engine, catalog, clock_from(settings.fake_clock_start))
    try:
        upgrade(engine)
        planned = plan(services, lang, old=args.old, into=args.into, actor_id=None)
        if not planned.possible:
            print_plain(planned.text, err=True)
            return EXIT_FAILED
        print_plain(planned.text)
        refused = refusal(args.yes, to_plain(catalog.get(lang, "cli.units_merge_ask")))
        if refused is not None:
            return refused
        done = merge(
            services,
            lang,
            old_ids=planned.old_ids,
            new_id=planned.new_id,
            actor_id=None,
            actor_label="cli",
        )
    finally:
        engine.dispose()
    print_plain(done.text, err=not done.possible)
    return EXIT_OK if done.possible else EXIT_FAILED
