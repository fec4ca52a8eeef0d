"""`dondoc contacts merge KEEP OTHER`: one person registered twice, made one from the server."""

from __future__ import annotations

import argparse

from app.i18n import load_catalog
from app.link_merge import merge_named
from bot.console import EXIT_FAILED, EXIT_OK, cli_language, help_text, load_settings, print_plain
from core.clock import SystemClock
from db.engine import make_engine, session_scope
from db.migrate import upgrade


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `contacts merge`."""
    parser = sub.add_parser(
        "contacts", help=help_text("contacts"), description=help_text("contacts")
    )
    contacts_sub = parser.add_subparsers(dest="contacts_command", required=True, metavar="COMMAND")
    merge = contacts_sub.add_parser(
        "merge", help=help_text("contacts_merge"), description=help_text("contacts_merge")
    )
    merge.add_argument("keep", help=help_text("contacts_merge_keep"))
    merge.add_argument("other", help=help_text("contacts_merge_other"))
    merge.set_defaults(func=contacts_merge)


def contacts_merge(args: argparse.Namespace) -> int:
    """Merge OTHER into KEEP in one transaction; exit 1 when nothing could be done."""
    settings = load_settings()
    engine = make_engine(settings.database_url)
    try:
        upgrade(engine)
        with session_scope(engine) as session:
            asked = merge_named(
                session,
                load_catalog(),
                cli_language(),
                keep=args.keep,
                other=args.other,
                now=SystemClock().now(),
            )
    finally:
        engine.dispose()
    print_plain(asked.text, err=not asked.made)
    return EXIT_OK if asked.made else EXIT_FAILED
