"""`dondoc outbox purge [--days N] [--dry-run]`: delete the outbox's finished old messages."""

from __future__ import annotations

import argparse
from datetime import timedelta

from bot.console import EXIT_OK, help_text, load_settings, say
from bot.settings_fields import OUTBOX_KEEP_DAYS
from bot.settings_fields import OUTBOX_KEEP_FEWEST as FEWEST_DAYS
from bot.settings_fields import OUTBOX_KEEP_MOST as MOST_DAYS
from core.clock import SystemClock
from db.engine import make_engine
from db.migrate import upgrade
from db.queries.outbox_purge import count_old, purge


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `outbox purge`."""
    parser = sub.add_parser("outbox", help=help_text("outbox"), description=help_text("outbox"))
    outbox_sub = parser.add_subparsers(
        dest="outbox_command", required=True, metavar=help_text("argparse_command")
    )
    purge_parser = outbox_sub.add_parser(
        "purge",
        help=help_text("outbox_purge"),
        description=help_text("outbox_purge"),
    )
    purge_parser.add_argument(
        "--days",
        type=days,
        default=None,
        metavar=help_text("metavar_days"),
        help=help_text(
            "outbox_days", fewest=str(FEWEST_DAYS), most=str(MOST_DAYS), keep=str(OUTBOX_KEEP_DAYS)
        ),
    )
    purge_parser.add_argument("--dry-run", action="store_true", help=help_text("outbox_dry_run"))
    purge_parser.set_defaults(func=run_purge)


def days(value: str) -> int:
    """Read --days: a whole number of days within the setting's bounds."""
    try:
        number = int(value)
    except ValueError:
        number = 0
    if not FEWEST_DAYS <= number <= MOST_DAYS:
        raise argparse.ArgumentTypeError(
            help_text(
                "days_invalid", fewest=str(FEWEST_DAYS), most=str(MOST_DAYS), value=repr(value)
            )
        )
    return number


def run_purge(args: argparse.Namespace) -> int:
    """Delete (or count, with --dry-run) the finished messages older than the days kept."""
    settings = load_settings()
    keep: int = args.days if args.days is not None else settings.outbox_keep_days
    before = SystemClock().now() - timedelta(days=keep)
    day = before.astimezone(settings.tz).strftime("%d/%m/%Y")
    engine = make_engine(settings.database_url)
    try:
        upgrade(engine)
        if args.dry_run:
            with engine.connect() as connection:
                count = count_old(connection, before=before)
            say("cli.outbox_would_purge", count=count, day=day, days=keep)
        else:
            say("cli.outbox_purged", count=purge(engine, before=before), day=day, days=keep)
    finally:
        engine.dispose()
    return EXIT_OK
