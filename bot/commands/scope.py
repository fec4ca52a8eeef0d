"""`dondoc scope show|set PERSON [GROUP ...]`: a coordinator's groups, from the server."""

from __future__ import annotations

import argparse

from bot.console import EXIT_FAILED, EXIT_OK, help_text, load_settings, say
from db.engine import make_engine, session_scope
from db.migrate import upgrade
from db.queries.contact_admin import change_scope, find_people
from db.queries.contacts import described, name_of


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `scope show` and `scope set`."""
    parser = sub.add_parser("scope", help=help_text("scope"), description=help_text("scope"))
    scope_sub = parser.add_subparsers(
        dest="scope_command", required=True, metavar=help_text("argparse_command")
    )
    show = scope_sub.add_parser(
        "show", help=help_text("scope_show"), description=help_text("scope_show")
    )
    show.add_argument(
        "person", metavar=help_text("metavar_person"), help=help_text("scope_person")
    )
    show.set_defaults(func=scope_command, groups=None)
    put = scope_sub.add_parser(
        "set", help=help_text("scope_set"), description=help_text("scope_set")
    )
    put.add_argument("person", metavar=help_text("metavar_person"), help=help_text("scope_person"))
    put.add_argument(
        "groups", nargs="+", metavar=help_text("metavar_group"), help=help_text("scope_groups")
    )
    put.set_defaults(func=scope_command)


def scope_command(args: argparse.Namespace) -> int:
    """Show or set the scope of the named coordinator; exit 1 when nothing could be done."""
    settings = load_settings()
    engine = make_engine(settings.database_url)
    try:
        upgrade(engine)
        with session_scope(engine) as session:
            people = find_people(session, text=args.person)
            person = people[0] if len(people) == 1 else None
            result = (
                change_scope(
                    session, contact=person, groups=args.groups, actor_id=None, actor_label="cli"
                )
                if person is not None
                else None
            )
            name = name_of(session, person)
            who = "\n".join(described(session, people))
    finally:
        engine.dispose()
    if not people:
        say("contacts.scope_person_not_found", err=True, text=args.person)
    elif result is None:
        say("contacts.scope_which_person", err=True, people=who)
    elif result.problem:
        key = f"contacts.scope_{result.problem}"
        known = ", ".join(result.known) or "-"
        say(key, err=True, name=name, group=result.missing, groups=known)
    else:
        verb = "shown" if args.groups is None else "set"
        kind = "groups" if result.groups else "all"
        say(f"contacts.scope_{verb}_{kind}", name=name, groups=", ".join(result.groups))
        if result.empty:
            say("contacts.scope_empty_groups", groups=", ".join(result.empty))
        return EXIT_OK
    return EXIT_FAILED
