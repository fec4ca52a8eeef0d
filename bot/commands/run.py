"""`dondoc run`: migrate, take the single-instance lock, poll Telegram (or Zalo alone)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal

from sqlalchemy.engine import Engine
from telegram import Update
from telegram.error import InvalidToken, NetworkError

from bot.app import build_application, build_services
from bot.commands import demo
from bot.commands.startup import (
    already_running,
    evidence_folder_usable,
    migrated_engine,
    start_process,
    telegram_refused,
)
from bot.console import (
    EXIT_CONFIG,
    EXIT_FAILED,
    EXIT_OK,
    help_text,
    load_settings,
    say,
)
from bot.lock import AlreadyRunning, single_instance
from bot.settings import Settings
from bot.zalo import ZaloRuntime
from db.checkpoints import checkpoints_in_background
from zalo import ZaloError

log = logging.getLogger(__name__)


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `run`."""
    parser = sub.add_parser("run", help=help_text("run"), description=help_text("run"))
    parser.add_argument(
        "--demo-if-no-token",
        action="store_true",
        help=help_text("run_demo_if_no_token"),
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
    if settings.workers == "multi":
        say("cli.workers_need_serve", err=True)
        return EXIT_CONFIG
    start_process(settings)
    engine = migrated_engine(settings)
    if engine is None:
        return EXIT_CONFIG
    if not evidence_folder_usable(settings):
        engine.dispose()
        return EXIT_CONFIG
    try:
        with single_instance(settings, engine), checkpoints_in_background(engine):
            if settings.bot_token is None:
                return asyncio.run(run_zalo_only(settings, engine))
            application = build_application(settings, engine=engine)
            try:
                application.run_polling(allowed_updates=Update.ALL_TYPES, close_loop=False)
            except (InvalidToken, NetworkError) as exc:
                return telegram_refused(settings, exc)
            return application.bot_data.exit_code or EXIT_OK
    except AlreadyRunning as exc:
        return already_running(exc)
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
