"""`dondoc contacts merge KEEP OTHER`: one person registered twice, made one from the server.

What the merge would do (both people, their channels, units and scope; the joined role and
scope) is printed first, and asked on a terminal; `--yes` skips the question, and without
a terminal it is required: a merge cannot be undone.
"""

from __future__ import annotations

import argparse
import sys

from app.i18n import load_catalog
from app.link_merge import MergeAsked, merge_named, plan_named
from bot.console import (
    EXIT_CONFIG,
    EXIT_FAILED,
    EXIT_OK,
    cli_language,
    help_text,
    load_settings,
    print_plain,
    say,
)
from core.clock import SystemClock
from core.markup import to_plain
from core.textnorm import fold
from db.engine import make_engine, session_scope
from db.migrate import upgrade

YES = ("y", "yes", "c", "co")  # "có"


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `contacts merge`."""
    parser = sub.add_parser(
        "contacts", help=help_text("contacts"), description=help_text("contacts")
    )
    contacts_sub = parser.add_subparsers(
        dest="contacts_command", required=True, metavar=help_text("argparse_command")
    )
    merge = contacts_sub.add_parser(
        "merge", help=help_text("contacts_merge"), description=help_text("contacts_merge")
    )
    merge.add_argument(
        "keep", metavar=help_text("metavar_keep"), help=help_text("contacts_merge_keep")
    )
    merge.add_argument(
        "other", metavar=help_text("metavar_other"), help=help_text("contacts_merge_other")
    )
    merge.add_argument("--yes", action="store_true", help=help_text("contacts_merge_yes"))
    merge.set_defaults(func=contacts_merge)


def contacts_merge(args: argparse.Namespace) -> int:
    """Show what merging OTHER into KEEP does, ask (unless --yes), then merge in one
    transaction. Exit 1 when nothing could be done or the answer was no; 2 when there is no
    terminal to ask on and no --yes."""
    settings = load_settings()
    catalog, lang = load_catalog(), cli_language()
    engine = make_engine(settings.database_url)
    try:
        upgrade(engine)
        with session_scope(engine) as session:
            plan = plan_named(session, catalog, lang, keep=args.keep, other=args.other)
        if isinstance(plan, MergeAsked):
            print_plain(plan.text, err=True)
            return EXIT_FAILED
        print_plain(plan.text)
        refused = refusal(args.yes, to_plain(catalog.get(lang, "cli.merge_ask")))
        if refused is not None:
            return refused
        with session_scope(engine) as session:
            asked = merge_named(
                session,
                catalog,
                lang,
                keep=args.keep,
                other=args.other,
                now=SystemClock().now(),
                planned=plan,
            )
    finally:
        engine.dispose()
    print_plain(asked.text, err=not asked.made)
    return EXIT_OK if asked.made else EXIT_FAILED


def refusal(yes: bool, question: str) -> int | None:
    """Ask on the terminal before a merge that cannot be undone (unless `--yes`); return the
    exit status when it is not to be done: no terminal to ask on, or not agreed."""
    if yes:
        return None
    if not sys.stdin.isatty():
        say("cli.merge_needs_yes", err=True)
        return EXIT_CONFIG
    if not agreed(question):
        say("cli.merge_declined", err=True)
        return EXIT_FAILED
    return None


def agreed(question: str) -> bool:
    """Ask on the terminal; True when the answer is yes (y, yes, có)."""
    try:
        answer = input(question)
    except EOFError:
        return False
    return fold(answer.strip()) in YES
