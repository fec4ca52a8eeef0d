"""`dondoc run`: migrate, take the single-instance lock, poll Telegram."""

from __future__ import annotations

import argparse
import logging
import sys

from sqlalchemy.exc import OperationalError
from telegram import Update
from telegram.error import InvalidToken, NetworkError

from bot.app import build_application
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
from db.engine import make_engine
from db.migrate import upgrade

log = logging.getLogger(__name__)

# The reminder sweep runs in a worker thread, mostly Python. With the default 5 ms switch
# interval, each time the event loop waits on a socket the busy worker may keep the GIL for
# 5 ms, and answering a tap takes many such turns; 1 ms keeps answers prompt during a sweep.
SWITCH_INTERVAL_S = 0.001


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `run`."""
    parser = sub.add_parser("run", help="apply migrations and run the bot (long polling)")
    parser.set_defaults(func=run)


def run(_args: argparse.Namespace) -> int:
    """Run the bot until Ctrl+C; refuse a second instance and a missing token."""
    settings = load_settings()
    if settings.bot_token is None:
        say("cli.no_token", err=True, env_file=".env")
        return EXIT_CONFIG
    token = settings.bot_token.get_secret_value()
    # PTB logs a rejected token with a traceback that names it; we say it in one line.
    setup_logging(settings.log_level, [token], reported=(InvalidToken,))
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    engine = make_engine(settings.database_url)
    try:
        upgrade(engine)
    except OperationalError as exc:
        say("cli.db_error", err=True, url=engine.url.render_as_string(), error=exc.orig)
        return EXIT_CONFIG
    try:
        with single_instance(settings, engine):
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
