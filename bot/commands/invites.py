"""`dondoc invites export [--all] [--out FILE] [--bot-username NAME]`: a sheet of invite links.

One fresh link per unit (by default only units without a contact), as XLSX or CSV by the
output file's extension, for the province to send out by its usual channels.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import httpx

from app.i18n import load_catalog
from app.invite_sheet import invite_sheet
from bot.console import EXIT_CONFIG, EXIT_OK, cli_language, help_text, load_settings, say
from bot.settings import Settings
from core.clock import SystemClock
from core.tablefile import format_of, write_table
from db.engine import make_engine, session_scope
from db.migrate import upgrade

GETME_TIMEOUT_S = 10.0


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `invites export`."""
    parser = sub.add_parser("invites", help=help_text("invites"), description=help_text("invites"))
    inv_sub = parser.add_subparsers(
        dest="invites_command", required=True, metavar=help_text("argparse_command")
    )
    export = inv_sub.add_parser(
        "export", help=help_text("invites_export"), description=help_text("invites_export")
    )
    export.add_argument("--all", action="store_true", help=help_text("invites_all"))
    export.add_argument(
        "--out", type=Path, metavar=help_text("metavar_out"), help=help_text("invites_out")
    )
    export.add_argument(
        "--bot-username",
        default="",
        metavar=help_text("metavar_bot_username"),
        help=help_text("invites_bot_username"),
    )
    export.set_defaults(func=invites_export)


def invites_export(args: argparse.Namespace) -> int:
    """Create the invites and write the sheet; 2 when the output or bot name is missing."""
    settings = load_settings()
    clock = SystemClock()
    out: Path = args.out or Path(f"invites-{clock.now().astimezone(settings.tz):%Y%m%d}.xlsx")
    fmt = format_of(out.name)
    if fmt is None:
        say("invites.cli_bad_format", err=True, path=str(out))
        return EXIT_CONFIG
    zalo_only = settings.bot_token is None and settings.zalo_bot_token is not None
    username = args.bot_username.strip().lstrip("@")
    if not username and not zalo_only:  # a Zalo-only sheet has no Telegram links
        username = bot_username(settings)
        if not username:
            return EXIT_CONFIG
    lang = cli_language()
    engine = make_engine(settings.database_url)
    try:
        upgrade(engine)
        with session_scope(engine) as session:
            header, rows = invite_sheet(
                session,
                catalog=load_catalog(),
                lang=lang,
                bot_username=username,
                include_covered=args.all,
                actor_id=None,
                actor_label="cli",
                now=clock.now(),
                ttl_days=settings.invite_ttl_days,
                tz=settings.tz,
            )
            title = load_catalog().get(lang, "invites.sheet_title")
            out.write_bytes(write_table(header, rows, fmt, title=title))
    finally:
        engine.dispose()
    say("invites.cli_written", count=len(rows), path=str(out))
    return EXIT_OK


def bot_username(settings: Settings) -> str:
    """Ask the Bot API (getMe) for the bot's username; say why when it cannot."""
    if settings.bot_token is None:
        say("invites.cli_no_username", err=True)
        return ""
    url = f"{settings.telegram_base_url}{settings.bot_token.get_secret_value()}/getMe"
    try:
        with httpx.Client(proxy=settings.https_proxy, timeout=GETME_TIMEOUT_S) as client:
            response = client.get(url)
        username = str(response.json().get("result", {}).get("username", ""))
    except (httpx.HTTPError, ValueError) as exc:
        # The exception text may hold the URL, and the URL holds the token.
        say("invites.cli_getme_failed", err=True, error=type(exc).__name__)
        return ""
    if not username:
        say("invites.cli_getme_failed", err=True, error=f"HTTP {response.status_code}")
    return username
