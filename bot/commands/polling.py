"""`dondoc run`'s bot itself: poll Telegram (or serve Zalo alone) until Ctrl+C or SIGTERM.

Imported by `bot.commands.run` only once the database is migrated and locked and a large
database's sweep process is started: these modules (python-telegram-bot's application,
every flow) take a second or two to import, which that process spends importing its own
on the other core.
"""

from __future__ import annotations

import asyncio
import logging
import signal

from sqlalchemy.engine import Engine
from telegram import Update
from telegram.error import InvalidToken, NetworkError

from bot.app import build_application, build_services
from bot.commands.startup import telegram_refused
from bot.console import EXIT_CONFIG, EXIT_FAILED, EXIT_OK, say
from bot.settings import Settings
from bot.zalo import ZaloRuntime
from zalo import ZaloError

log = logging.getLogger(__name__)

UNAUTHORIZED = 401


def poll(settings: Settings, engine: Engine) -> int:
    """Run the bot on Telegram, or on Zalo alone without BOT_TOKEN; return the exit code."""
    if settings.bot_token is None:
        return asyncio.run(run_zalo_only(settings, engine))
    application = build_application(settings, engine=engine)
    try:
        application.run_polling(allowed_updates=Update.ALL_TYPES, close_loop=False)
    except (InvalidToken, NetworkError) as exc:
        return telegram_refused(settings, exc)
    return application.bot_data.exit_code or EXIT_OK


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
