"""`dondoc serve`: migrate, take the single-instance lock, run the web server and the bot."""

from __future__ import annotations

import argparse

from bot.console import help_text


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `serve`."""
    parser = sub.add_parser("serve", help=help_text("serve"), description=help_text("serve"))
    parser.set_defaults(func=serve)


def serve(args: argparse.Namespace) -> int:
    """Serve until Ctrl+C or SIGTERM (the web server's modules are imported only here)."""
    from bot.commands.serving import serve as serving

    return serving(args)
