"""`dondoc serve`'s wiring: the bot taking updates by webhook, inside the web application."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from urllib.parse import urlparse

from starlette.applications import Starlette
from telegram import Update
from telegram.error import InvalidToken, NetworkError

from app.links import derive_webhook_secret
from app.miniapp import derive_miniapp_key
from app.services import Services
from bot.app import App
from bot.settings import Settings
from bot.telegram_link import reached
from bot.zalo import ZaloRuntime
from handlers.telegram.webhook import sink_of
from scheduler.delivery import wake
from web.deps import WebDeps, Webhook
from web.server import create_app

log = logging.getLogger(__name__)

TELEGRAM_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Zalo's webhook (when ZALO_BOT_TOKEN is set): POST /webhook/zalo, this header, the poller's sink.
ZALO_HEADER = "X-Bot-Api-Secret-Token"


def telegram_secret(settings: Settings) -> str:
    """Return the secret Telegram sends with each webhook call (derived, never configured)."""
    secret = settings.link_secret
    if secret is None:
        raise ValueError("WEB_SECRET or BOT_TOKEN is required to serve webhooks")
    return derive_webhook_secret(secret, "telegram")


def zalo_secret(settings: Settings) -> str:
    """Return the secret Zalo sends with each webhook call: ZALO_WEBHOOK_SECRET, or derived.

    Derived as Telegram's is, from WEB_SECRET or BOT_TOKEN, else (Zalo alone) ZALO_BOT_TOKEN.
    """
    if settings.zalo_webhook_secret is not None:
        return settings.zalo_webhook_secret.get_secret_value()
    secret = settings.link_secret
    if secret is None and settings.zalo_bot_token is not None:
        secret = settings.zalo_bot_token.get_secret_value()
    if not secret:
        raise ValueError("WEB_SECRET, BOT_TOKEN or ZALO_BOT_TOKEN is required to serve webhooks")
    return derive_webhook_secret(secret, "zalo")


def zalo_webhook_takeable(settings: Settings) -> bool:
    """Tell whether Zalo can take this server's webhook: an https PUBLIC_BASE_URL (setWebhook's
    url is "URL nhận thông báo dạng HTTPS", https://bot.zaloplatforms.com/docs), or any, for a
    Zalo on this machine (the fake one of tests and trials). Zalo refuses another, and was
    asked again every 30 s while no message was read."""
    host = urlparse(settings.zalo_base_url).hostname or ""
    local = host in ("127.0.0.1", "localhost", "::1")
    return local or settings.public_base_url.startswith("https://")


def zalo_serve_app(settings: Settings, services: Services, runtime: ZaloRuntime) -> Starlette:
    """Return the web application of a province on Zalo alone (no BOT_TOKEN).

    Zalo's runtime takes its events by webhook and runs the periodic jobs itself
    (`standalone_jobs`); it starts and stops with the web server.
    """
    secret = zalo_secret(settings)
    runtime.use_webhook(settings.public_base_url.rstrip("/") + "/webhook/zalo", secret)
    deps = WebDeps(
        services=services,
        link_key=services.link_key,
        secure_cookies=settings.public_base_url.startswith("https://"),
        webhooks={"zalo": Webhook(ZALO_HEADER, secret, runtime.accept)},
        wake_senders=runtime.wake,
    )

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        await runtime.start()
        services.metrics.channel_ok("zalo", services.clock.now())
        try:
            yield
        finally:
            await runtime.stop()

    return create_app(deps, lifespan=lifespan)


def web_deps(settings: Settings, application: App) -> WebDeps:
    """Return what the web adapter needs from the running bot (Zalo set to webhook mode)."""
    services = application.bot_data.services
    probe = application.bot_data.loop_probe
    webhooks = {
        "telegram": Webhook(TELEGRAM_HEADER, telegram_secret(settings), sink_of(application))
    }
    runtime = application.bot_data.zalo
    if runtime is not None:
        secret = zalo_secret(settings)
        runtime.use_webhook(settings.public_base_url.rstrip("/") + "/webhook/zalo", secret)
        webhooks["zalo"] = Webhook(ZALO_HEADER, secret, runtime.accept)
    return WebDeps(
        services=services,
        link_key=services.link_key,
        secure_cookies=settings.public_base_url.startswith("https://"),
        webhooks=webhooks,
        loop_lag=probe.figures if probe is not None else None,
        wake_senders=lambda: wake(application),
        miniapp_key=derive_miniapp_key(application.bot.token),
    )


def serve_app(settings: Settings, application: App) -> Starlette:
    """Return the web application that starts the bot, sets its webhook and stops it."""
    deps = web_deps(settings, application)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        try:
            await start_bot(settings, application)
        except (InvalidToken, NetworkError) as exc:  # said in one line once the server ends
            application.bot_data.start_error = exc
            raise
        try:
            yield
        finally:
            await stop_bot(application)

    return create_app(deps, lifespan=lifespan)


async def start_bot(settings: Settings, application: App) -> None:
    """Start the bot's jobs and senders as `dondoc run` does, and point Telegram here."""
    await application.initialize()
    if application.post_init is not None:
        await application.post_init(application)
    await application.start()
    point = partial(set_webhook, settings, application)
    link = getattr(application, "link", None)
    if reached(application.bot) or link is None:
        await point()
    else:  # beside Zalo, Telegram out of reach: set once it answers (bot.telegram_link)
        link.start(point)


async def set_webhook(settings: Settings, application: App) -> None:
    """Point Telegram at this server's webhook."""
    url = settings.public_base_url.rstrip("/") + "/webhook/telegram"
    await application.bot.set_webhook(
        url=url, secret_token=telegram_secret(settings), allowed_updates=Update.ALL_TYPES
    )
    services = application.bot_data.services
    services.metrics.channel_ok("telegram", services.clock.now())
    log.info("Telegram webhook set to %s", url)


async def stop_bot(application: App) -> None:
    """Stop the bot's jobs and senders and release what it holds, in order."""
    await application.stop()
    await application.shutdown()
    if application.post_shutdown is not None:
        await application.post_shutdown(application)
