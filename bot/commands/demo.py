"""`dondoc demo`: the sample province on simulated Telegram and Zalo, in the browser.

Also what `dondoc run --demo-if-no-token` (./scripts/run) starts when no channel has a
token. Never in production.
"""

from __future__ import annotations

import argparse

from bot.console import EXIT_CONFIG, help_text, load_settings, say
from bot.settings import Settings


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `demo`."""
    parser = sub.add_parser("demo", help=help_text("demo"), description=help_text("demo"))
    parser.add_argument(
        "--port", type=_port, metavar=help_text("metavar_port"), help=help_text("demo_port")
    )
    parser.add_argument("--fresh", action="store_true", help=help_text("demo_fresh"))
    parser.set_defaults(func=demo)


def demo(args: argparse.Namespace) -> int:
    """Run the demo until Ctrl+C."""
    return start(load_settings(), port=args.port, fresh=args.fresh)


def start(settings: Settings, *, port: int | None = None, fresh: bool = False) -> int:
    """Run the demo (on WEB_PORT unless `port`), or refuse in production (exit status 2)."""
    if settings.env == "production":
        say("demo.production", err=True)
        return EXIT_CONFIG
    # The web server and the fake servers are imported only when the demo runs; the
    # fakes' aiohttp comes with the development packages (./scripts/setup installs them).
    try:
        from bot.demo.run import run_demo
    except ModuleNotFoundError as exc:
        if exc.name != "aiohttp":
            raise
        say("demo.needs_dev", err=True)
        return EXIT_CONFIG

    return run_demo(settings, port=port or settings.web_port, fresh=fresh)


def _port(text: str) -> int:
    """Parse a TCP port number."""
    try:
        port = int(text)
    except ValueError:
        port = 0
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(help_text("port_invalid", value=repr(text)))
    return port
