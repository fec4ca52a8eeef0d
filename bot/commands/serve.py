"""`dondoc serve`: migrate, take the single-instance lock, run the web server and the bot."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `serve`."""
    parser = sub.add_parser(
        "serve",
        help="apply migrations and run the web server: Telegram webhook, dashboard, "
        "download links, /healthz and /metrics (WEB_HOST, WEB_PORT, PUBLIC_BASE_URL)",
    )
    parser.set_defaults(func=serve)


def serve(args: argparse.Namespace) -> int:
    """Serve until Ctrl+C or SIGTERM (the web server's modules are imported only here)."""
    from bot.commands.serving import serve as serving

    return serving(args)
