"""`dondoc run`: migrate, take the single-instance lock, poll Telegram."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys

from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from telegram import Update
from telegram.error import InvalidToken, NetworkError

from bot.app import build_application, build_services
from bot.commands import demo
from bot.console import (
    EXIT_CONFIG,
    EXIT_FAILED,
    EXIT_OK,
    REDACTED,
    load_settings,
    say,
    setup_logging,
)
from bot.lock import AlreadyRunning, single_instance
from bot.settings import Settings
from bot.zalo import ZaloRuntime
from db.engine import make_engine
from db.migrate import upgrade
from zalo import ZaloError

log = logging.getLogger(__name__)

# The reminder sweep runs in a worker thread, mostly Python. With the default 5 ms switch
# interval, each time the event loop waits on a socket the busy worker may keep the GIL for
# 5 ms, and answering a tap takes many such turns; 1 ms keeps answers prompt during a sweep.
SWITCH_INTERVAL_S = 0.001


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `run`."""
    parser = sub.add_parser("run", help="apply migrations and run the bot (long polling)")
    parser.add_argument(
        "--demo-if-no-token",
        action="store_true",
        help="without BOT_TOKEN and ZALO_BOT_TOKEN, outside production, run the demo "
        "instead (what ./scripts/run does)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the bot until Ctrl+C; refuse a second instance and a missing token."""
    settings = load_settings()
    if not settings.channels and args.demo_if_no_token and settings.env != "production":
        return demo.start(settings)
    if not settings.channels:
        say("cli.no_token", err=True, env_file=".env")
        return EXIT_CONFIG
    secrets = [t.get_secret_value() for t in (settings.bot_token, settings.zalo_bot_token) if t]
    # PTB logs a rejected token with a traceback that names it; we say it in one line.
    setup_logging(settings.log_level, secrets, reported=(InvalidToken,))
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    engine = make_engine(settings.database_url)
    try:
        upgrade(engine)
    except OperationalError as exc:
        say("cli.db_error", err=True, url=engine.url.render_as_string(), error=exc.orig)
        return EXIT_CONFIG
    try:
        with single_instance(settings, engine):
            if settings.bot_token is None:
                return asyncio.run(run_zalo_only(settings, engine))
            token = settings.bot_token.get_secret_value()
            application = build_application(settings, engine=engine)
            try:
                application.run_polling(allowed_updates=Update.ALL_TYPES, close_loop=False)
            except InvalidToken:
                say("cli.unauthorized", err=True)
                return EXIT_CONFIG
            except NetworkError as exc:
                error = str(exc).replace(token, REDACTED)
                say("cli.network_error", err=True, url=settings.telegram_base_url, error=error)
                return EXIT_FAILED
            return application.bot_data.exit_code or EXIT_OK
    except AlreadyRunning as exc:
        if exc.kind == "token":
            say("cli.already_running_token", err=True)
        else:
            say("cli.already_running_database", err=True, database=exc.where)
        return EXIT_FAILED
    finally:
        engine.dispose()


async def run_zalo_only(settings: Settings, engine: Engine) -> int:
    """Serve Zalo alone (no BOT_TOKEN) until Ctrl+C or SIGTERM."""
    assert settings.zalo_bot_token is not None
    services = build_services(settings, settings.zalo_bot_token.get_secret_value(), engine=engine)
    runtime = ZaloRuntime(settings, services, standalone_jobs=True)
    try:
        me = await runtime.client.get_me()
    except ZaloError as exc:
        await runtime.client.aclose()
        if exc.code == UNAUTHORIZED:
            say("cli.zalo_unauthorized", err=True)
            return EXIT_CONFIG
        say("cli.zalo_network_error", err=True, url=settings.zalo_base_url, error=exc.description)
        return EXIT_FAILED
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, runtime.stopping.set)
    await runtime.start()
    log.info("dondoc started on Zalo as %s", me.account_name)
    await runtime.wait()
    await runtime.stop()
    return EXIT_OK


UNAUTHORIZED = 401
