"""`dondoc admin add <telegram-user-id>`: make someone an admin from the server."""

from __future__ import annotations

import argparse

from bot.console import EXIT_CONFIG, EXIT_OK, load_settings, say
from db.engine import make_engine, session_scope
from db.migrate import upgrade
from db.queries.audit import record
from db.queries.contacts import ensure_admin


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `admin add`."""
    parser = sub.add_parser("admin", help="manage administrators")
    admin_sub = parser.add_subparsers(dest="admin_command", required=True, metavar="COMMAND")
    add = admin_sub.add_parser("add", help="make a Telegram user an admin")
    add.add_argument("user_id", help="numeric Telegram user id (e.g. from @userinfobot)")
    add.set_defaults(func=admin_add)


def admin_add(args: argparse.Namespace) -> int:
    """Make the given Telegram user id an admin and record it in the audit log."""
    user_id = str(args.user_id).strip()
    if not user_id.lstrip("-").isdigit():
        say("cli.bad_user_id", err=True, value=user_id)
        return EXIT_CONFIG
    settings = load_settings()
    engine = make_engine(settings.database_url)
    try:
        upgrade(engine)
        with session_scope(engine) as session:
            contact, changed = ensure_admin(session, channel="telegram", external_id=user_id)
            if changed:
                record(
                    session,
                    actor_id=None,
                    actor_label="cli",
                    action="role.changed",
                    object_type="contact",
                    object_id=contact.id,
                    details={"role": "admin"},
                )
    finally:
        engine.dispose()
    say("cli.admin_added" if changed else "cli.admin_unchanged", user_id=user_id)
    return EXIT_OK
