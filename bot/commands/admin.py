"""`dondoc admin add|remove <telegram-user-id>`, `admin list`, `admin invite` (a one-time code)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import timedelta

from sqlmodel import Session

from bot.console import EXIT_CONFIG, EXIT_OK, help_text, load_settings, say
from core.clock import SystemClock
from core.roles import Role
from db.engine import make_engine, session_scope
from db.migrate import upgrade
from db.queries.admin_codes import create_admin_code
from db.queries.audit import record
from db.queries.contact_admin import change_role, lock_admins
from db.queries.contacts import (
    contacts_with_role_at_least,
    ensure_admin,
    find_contact,
    identities_by_person,
)

EXIT_NOT_ADMIN = 1


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `admin add`, `admin list` and `admin remove`."""
    parser = sub.add_parser("admin", help=help_text("admin"), description=help_text("admin"))
    admin_sub = parser.add_subparsers(
        dest="admin_command", required=True, metavar=help_text("argparse_command")
    )
    add = admin_sub.add_parser(
        "add", help=help_text("admin_add"), description=help_text("admin_add")
    )
    add.add_argument(
        "user_id", metavar=help_text("metavar_user_id"), help=help_text("admin_user_id_example")
    )
    add.set_defaults(func=admin_add)
    listing = admin_sub.add_parser(
        "list", help=help_text("admin_list"), description=help_text("admin_list")
    )
    listing.set_defaults(func=admin_list)
    remove = admin_sub.add_parser(
        "remove", help=help_text("admin_remove"), description=help_text("admin_remove")
    )
    remove.add_argument(
        "user_id", metavar=help_text("metavar_user_id"), help=help_text("admin_user_id")
    )
    remove.set_defaults(func=admin_remove)
    invite = admin_sub.add_parser(
        "invite", help=help_text("admin_invite"), description=help_text("admin_invite")
    )
    invite.set_defaults(func=admin_invite)


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


def admin_invite(_args: argparse.Namespace) -> int:
    """Create a one-time admin code valid INVITE_TTL_DAYS days and print how to use it."""
    settings = load_settings()
    engine = make_engine(settings.database_url)
    try:
        upgrade(engine)
        with session_scope(engine) as session:
            now = SystemClock().now()
            code = create_admin_code(
                session, now=now, ttl=timedelta(days=settings.invite_ttl_days)
            )
            record(
                session,
                actor_id=None,
                actor_label="cli",
                action="admin_code.created",
                object_type="app_state",
                details={"days": settings.invite_ttl_days},
            )
    finally:
        engine.dispose()
    say("cli.admin_code", code=code, days=settings.invite_ttl_days)
    return EXIT_OK


def admin_list(args: argparse.Namespace) -> int:
    """Print every admin: Telegram user id, name, and whether the bot can write to them."""
    lines: list[tuple[str, str, bool]] = []

    def read(session: Session) -> None:
        admins = contacts_with_role_at_least(session, roles=(Role.ADMIN.value,))
        found = identities_by_person(session, contact_ids=[c.id for c in admins if c.id])
        for contact in admins:
            identities = found[contact.id or 0]
            lines.append((identities.external_id, contact.display_name, identities.deliverable))

    _with_database(read)
    if not lines:
        say("cli.admin_none")
        return EXIT_OK
    for user_id, name, reachable in lines:
        key = "cli.admin_line" if reachable else "cli.admin_line_unreachable"
        say(key, user_id=user_id, name=name or "-")
    return EXIT_OK


def admin_remove(args: argparse.Namespace) -> int:
    """Make an admin a member again (their units stay); 1 when they are not an admin, or
    the last one (the province would have none until a restart read ADMIN_IDS)."""
    user_id = str(args.user_id).strip()
    if not user_id.lstrip("-").isdigit():
        say("cli.bad_user_id", err=True, value=user_id)
        return EXIT_CONFIG
    outcome: list[str] = []

    def demote(session: Session) -> None:
        admins = lock_admins(session)  # the check and the change see the same admins
        contact = find_contact(session, channel="telegram", external_id=user_id)
        if contact is None or contact.id not in admins:
            return
        done = change_role(
            session, contact_id=contact.id, role=Role.MEMBER, actor_id=None, actor_label="cli"
        )
        outcome.append(done.problem or "removed")

    admin_ids = _with_database(demote)
    if not outcome:
        say("cli.admin_not_found", err=True, user_id=user_id)
        return EXIT_NOT_ADMIN
    if outcome == ["last_admin"]:
        say("cli.admin_last", err=True, user_id=user_id)
        return EXIT_NOT_ADMIN
    say("cli.admin_removed", user_id=user_id)
    if int(user_id) in admin_ids:
        say("cli.admin_still_in_settings", err=True, user_id=user_id)
    return EXIT_OK


def _with_database(work: Callable[[Session], None]) -> list[int]:
    """Run `work` in one transaction on the migrated database; return ADMIN_IDS."""
    settings = load_settings()
    engine = make_engine(settings.database_url)
    try:
        upgrade(engine)
        with session_scope(engine) as session:
            work(session)
    finally:
        engine.dispose()
    return list(settings.admin_ids)
