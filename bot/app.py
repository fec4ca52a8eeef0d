"""The composition root: build the application from settings, and nothing at import time."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import Callable, Coroutine
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from telegram import Bot
from telegram.constants import ParseMode
from telegram.ext import Application, ApplicationBuilder, Defaults
from telegram.request import BaseRequest

from app import import_files
from app.i18n import load_catalog
from app.links import derive_link_key
from app.menus import MenuOf, contact_menu, staff_menus
from app.services import Services
from app.signing import derive_button_key
from app.turns import SharedTurns, Turns
from bot.settings import Settings
from bot.stopping import BotApplication
from bot.telegram_link import PatientBot, PatientUpdater, TelegramLink, reached, say_missing
from bot.zalo import ZaloRuntime
from core.clock import Clock, clock_from
from db.engine import make_engine, session_scope
from db.queries.contacts import ensure_admin
from db.retry import is_outage
from handlers.telegram import inbox_recovery, transport
from handlers.telegram.admission import admit_fetched
from handlers.telegram.context import CONTEXT_TYPES
from handlers.telegram.flows import flows as telegram_flows_of
from handlers.telegram.flows import register as register_telegram
from handlers.telegram.form_store import FormStore
from handlers.telegram.forms import ADDUNIT, form_conversations
from handlers.telegram.inbox_notices import tell_queued
from handlers.telegram.lanes import HeavyUpdates, PersonLanes, sent_to_chat
from handlers.telegram.menus import refresh_marked, set_contact_menu, set_default_menus
from handlers.telegram.raw_updates import RawUpdates
from handlers.telegram.unitform import FORM_TIMEOUT_S
from scheduler.loopprobe import LoopProbe
from scheduler.periodic import install as install_jobs
from scheduler.ratelimit import DeliveryRateLimiter
from scheduler.roles import LEADER
from scheduler.sender import new_owner
from scheduler.workers import in_update_worker, stop_processes

log = logging.getLogger(__name__)

App = Application[Any, Any, Any, Any, Any, Any]

RESCUE_JOB = "inbox.rescue"
RESCUE_EVERY_S = 5.0  # the leader looks for updates of dead workers (WORKERS=multi)
MENUS_JOB = "menus.refresh"
MENUS_EVERY_S = 30.0  # the leader resets the menus of people whose role changed elsewhere
BOT_POOL = 256  # the bot's calls at once (python-telegram-bot's default)
# A form is brought back after a restart only while its conversation would still wait.
FORMS_FRESH_FOR = {ADDUNIT: timedelta(seconds=FORM_TIMEOUT_S)}


def build_application(
    settings: Settings, *, clock: Clock | None = None, engine: Engine | None = None
) -> App:
    """Build the bot: Telegram client, services, handlers, start-up and shutdown hooks."""
    if settings.bot_token is None:
        raise ValueError("BOT_TOKEN is required to build the application")
    token = settings.bot_token.get_secret_value()
    zalo: list[ZaloRuntime] = []  # built with the services, started and stopped by the hooks
    # Keeps each update's JSON for the inbox, to run it again after a crash.
    raw_updates = RawUpdates(telegram_request(settings, connection_pool_size=1))
    telegram_flows = telegram_flows_of()
    # Built before the application (PTB takes the lanes then), to know the heavy updates.
    lanes = PersonLanes(heavy=HeavyUpdates.of(telegram_flows))
    # Its getUpdates returns once what it fetched is in the inbox (handlers.telegram.admission).
    bot = PatientBot(
        token,
        base_url=settings.telegram_base_url,
        base_file_url=settings.telegram_base_file_url,
        defaults=Defaults(tzinfo=settings.tz, parse_mode=ParseMode.HTML),
        # One sending budget for all calls: replies jump ahead of a reminder fan-out.
        rate_limiter=(limiter := DeliveryRateLimiter(settings.send_rate_per_s)),
        request=telegram_request(settings, connection_pool_size=BOT_POOL),
        get_updates_request=raw_updates,
    )
    # Beside Zalo, a Telegram out of reach at start is reached later (bot.telegram_link).
    bot.be_patient(settings.zalo_bot_token is not None)
    updater = PatientUpdater(bot=bot, update_queue=asyncio.Queue())
    builder = (
        ApplicationBuilder()
        .context_types(CONTEXT_TYPES)
        .application_class(BotApplication)
        .updater(updater)
        .post_init(_post_init_of(settings, zalo))
        .post_shutdown(_post_shutdown_of(zalo))
        # Different people's updates concurrently, each person's in order.
        .concurrent_updates(lanes)
    )
    application = builder.build()
    assert isinstance(application, BotApplication)
    bot.store_with(partial(admit_fetched, application))
    application.others = zalo  # stopped beside Telegram, not after it (`bot.stopping`)
    application.link = TelegramLink(bot, partial(_telegram_up, application))
    updater.on_missing = application.link.start
    application.bot_data.raw_updates = raw_updates
    # A heavy update waiting for a slot tells its person it is queued.
    lanes.on_queued = partial(tell_queued, application.bot, application.bot_data)
    # When a person's answer went: what they send after it is no repeat (core.repeats).
    limiter.on_sent = partial(sent_to_chat, application.bot_data.answered_texts)
    status = Path(settings.loop_probe_file) if settings.loop_probe_file else None
    application.bot_data.loop_probe = LoopProbe(
        status_file=status, describe=lanes.handling, stall_ms=settings.loop_probe_stall_ms
    )
    services = build_services(settings, token, clock=clock, engine=engine)
    application.bot_data.services = services
    if settings.zalo_bot_token is not None:
        zalo.append(ZaloRuntime(settings, services, standalone_jobs=False))
        application.bot_data.zalo = zalo[0]
    application.bot_data.owns_engine = engine is None
    register_telegram(application, telegram_flows)
    # The guided forms live in the database, read and written around each admin's update.
    application.bot_data.forms = FormStore(
        services.engine, services.clock, form_conversations(application), fresh_for=FORMS_FRESH_FOR
    )
    install_jobs(application)
    if services.worker is not None and application.job_queue is not None:
        every = RESCUE_EVERY_S
        application.job_queue.run_repeating(_rescue, interval=every, first=every, name=RESCUE_JOB)
    if application.job_queue is not None:
        every = MENUS_EVERY_S
        application.job_queue.run_repeating(_menus, interval=every, first=1.0, name=MENUS_JOB)
    application.bot_data.refresh_menu = _refresh_menu_of(application)
    return application


def telegram_request(settings: Settings, *, connection_pool_size: int) -> BaseRequest:
    """Return the Bot API's transport the settings name (TELEGRAM_HTTP, HTTPS_PROXY)."""
    return transport.telegram_request(
        settings.telegram_http,
        connection_pool_size=connection_pool_size,
        proxy=settings.https_proxy,
    )


def build_services(
    settings: Settings, token: str, *, clock: Clock | None = None, engine: Engine | None = None
) -> Services:
    """Return the services of a running bot (buttons are signed with a key from `token`)."""
    engine = engine or make_engine(settings.database_url)
    clock = clock or clock_from(settings.fake_clock_start)
    multi = settings.workers == "multi"
    return Services(
        settings=settings,
        engine=engine,
        catalog=load_catalog(),
        clock=clock,
        button_key=derive_button_key(token),
        link_key=derive_link_key(settings.link_secret or token),
        # Among several workers, this one's name; its roles are set by `dondoc serve`.
        worker=new_owner() if multi else None,
        # Among several workers, a person's turn is leased in the database (app/turns.py).
        turns=Turns(SharedTurns(engine, clock, in_update_worker) if multi else None),
    )


def _post_init_of(
    settings: Settings, zalo: list[ZaloRuntime]
) -> Callable[[App], Coroutine[Any, Any, None]]:
    """Return the start-up hook: the admins named in these settings, then Zalo if set."""

    async def post_init(application: App) -> None:
        await _post_init(application, settings.admin_ids, settings.telegram_base_url)
        for runtime in zalo:
            await runtime.start()

    return post_init


def _post_shutdown_of(zalo: list[ZaloRuntime]) -> Callable[[App], Coroutine[Any, Any, None]]:
    """Return the shutdown hook: Zalo's stop (begun beside Telegram's) ends, then the
    database is released."""

    async def post_shutdown(application: App) -> None:
        for runtime in zalo:
            await runtime.stop()
        await _post_shutdown(application)

    return post_shutdown


async def _post_init(application: App, admin_ids: list[int], url: str) -> None:
    """Make bootstrap admins, then (Telegram answering) learn the bot's name, set the
    command menus and run the updates kept; freeze the heap."""
    services: Services = application.bot_data.services

    def admins() -> None:
        with session_scope(services.engine) as session:
            for admin_id in admin_ids:
                ensure_admin(session, channel="telegram", external_id=str(admin_id))

    await in_update_worker(admins)
    if services.worker is None:  # one process: no apply runs but what it starts
        await in_update_worker(partial(import_files.tell_cut_short, services))
    if reached(application.bot):
        await _telegram_up(application)
        log.info("dondoc started as @%s", services.bot_username)
    else:  # beside Zalo: the link tries again once polling or the webhook would begin
        assert isinstance(application.bot, PatientBot)
        say_missing(application.bot, url)
    if application.bot_data.loop_probe is not None:
        application.bot_data.loop_probe.start()
    # What is loaded by now (modules, catalogs, mappers, handlers) lives as long as the bot:
    # keep it out of the collector's full passes, which otherwise walk it on every one.
    gc.freeze()


async def _telegram_up(application: App) -> None:
    """Telegram's side of the start, once it answers: the bot's name, the command menus,
    then the updates kept from before (run once)."""
    services: Services = application.bot_data.services
    services.bot_username = application.bot.username
    flows = application.bot_data.flows

    def menus() -> list[MenuOf]:
        with session_scope(services.engine) as session:
            return staff_menus(session)

    staff = await in_update_worker(menus)
    await set_default_menus(application.bot, flows, services.catalog)
    for one in staff:
        await set_contact_menu(application.bot, flows, services.catalog, one)
    if not application.bot_data.recovered:
        await inbox_recovery.recover(application)
        application.bot_data.recovered = True


async def _post_shutdown(application: App) -> None:
    """Hand the long-lived objects back to the collector; release the database connections."""
    gc.unfreeze()
    stop_processes()  # a sweep in a worker process gives up at its next step
    if application.bot_data.loop_probe is not None:
        await application.bot_data.loop_probe.stop()
    services: Services = application.bot_data.services
    if application.bot_data.owns_engine:
        services.engine.dispose()


async def _rescue(context: Any) -> None:
    """Run the updates dead workers left (the leader's job; a failure waits for the next)."""
    if not reached(context.bot):  # Telegram out of reach: its updates wait for it
        return
    try:
        await inbox_recovery.rescue(context.application)
    except OperationalError as exc:
        _waited("taking over the updates of dead workers", exc)
    except Exception:
        log.exception("taking over the updates of dead workers failed; the next run retries")


async def _menus(context: Any) -> None:
    """Reset the menus of people whose role changed on another channel or the command line."""
    services: Services = context.application.bot_data.services
    if not services.roles.holds(LEADER) or not reached(context.bot):
        return
    try:
        flows = context.application.bot_data.flows
        await refresh_marked(context.bot, flows, services.catalog, services.engine)
    except OperationalError as exc:
        _waited("resetting the changed menus", exc)
    except Exception:
        log.exception("resetting the changed menus failed; the next run retries")


def _waited(what: str, exc: OperationalError) -> None:
    """Log a job's database outage (out of reach, a lock held, every pooled connection
    taken) in one line, a fault of the work with its traceback; the next run retries."""
    if is_outage(exc):
        log.warning("%s waited for the database (%s); the next run retries", what, exc.orig)
    else:
        log.exception("%s failed; the next run retries", what)


def _refresh_menu_of(application: App) -> Any:
    """Return a coroutine function that resets one contact's menu after a change."""

    async def refresh(bot: Bot, contact_id: int) -> None:
        services: Services = application.bot_data.services

        menu_for = await in_update_worker(contact_menu, services.engine, contact_id)
        if menu_for is not None:
            await set_contact_menu(bot, application.bot_data.flows, services.catalog, menu_for)

    return refresh
