"""`dondoc serve`'s work: migrate, take the single-instance lock, run the web server and the bot.

Imported only when `serve` runs (bot.commands.serve): uvicorn, Starlette and Jinja2 are
no part of a polling bot's memory.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
from types import FrameType

import uvicorn

from app.services import Services
from bot import console
from bot.app import App, build_application, build_services
from bot.commands.startup import (
    already_running,
    ready_engine,
    start_process,
    telegram_refused,
)
from bot.console import EXIT_CONFIG, EXIT_FAILED, EXIT_OK, load_settings, say
from bot.lock import AlreadyRunning, single_instance
from bot.settings import Settings
from bot.web import serve_app, zalo_serve_app, zalo_webhook_takeable
from bot.zalo import ZaloRuntime
from db.checkpoints import checkpoints_in_background
from scheduler.budget import SharedBudget
from scheduler.ratelimit import TELEGRAM_WINDOW, DeliveryRateLimiter
from scheduler.roles import LEADER, WorkerRoles, sender_role
from scheduler.workers import end_processes, stop_processes
from web.deps import WebDeps

log = logging.getLogger(__name__)


def worker_roles(
    settings: Settings, services: Services, application: App | None, zalo: ZaloRuntime | None
) -> WorkerRoles | None:
    """Under WORKERS=multi: set this worker's roles in its services and share the channels'
    sending budgets with the other workers; return the roles (None: a single process)."""
    if services.worker is None:
        return None
    wanted = [LEADER, *(sender_role(channel) for channel in settings.channels)]
    roles = WorkerRoles(services.engine, worker=services.worker, wanted=wanted)
    services.roles = roles
    if application is not None and isinstance(application.bot.rate_limiter, DeliveryRateLimiter):
        application.bot.rate_limiter.shared = SharedBudget(
            services.engine, "telegram", settings.send_rate_per_s, calls=TELEGRAM_WINDOW.calls
        )
    if zalo is not None:
        rate = settings.zalo_send_rate_per_s
        zalo.pacer.shared = SharedBudget(services.engine, "zalo", rate, calls=max(1, int(rate)))
    log.info("worker %s of several (WORKERS=multi)", services.worker)
    return roles


class Server(uvicorn.Server):
    """uvicorn's server, ending with status 0 on SIGTERM or Ctrl+C as `dondoc run` does.

    uvicorn raises a signal it caught again once shut down (the process then dies of it);
    the bot has stopped in order by then, so the signal has done its work.
    """

    def __init__(self, config: uvicorn.Config, stopping: asyncio.Event | None = None) -> None:
        super().__init__(config)
        # The web adapter's (`WebDeps.stopping`): its downloads being built are abandoned.
        self.stopping = stopping if stopping is not None else asyncio.Event()

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        """Begin the shutdown, without raising the signal again afterwards; an import being
        applied (a request uvicorn waits for) stops at its next slice (`stop_processes`), a
        download being built is abandoned (`WebDeps.stopping`)."""
        with contextlib.suppress(RuntimeError):  # in the loop, not in the signal's handler
            loop = asyncio.get_running_loop()
            loop.call_soon_threadsafe(stop_processes)
            loop.call_soon_threadsafe(self.stopping.set)
        super().handle_exit(sig, frame)
        self._captured_signals.clear()


def serve(_args: argparse.Namespace) -> int:
    """Serve until Ctrl+C or SIGTERM; refuse a second instance and a missing token."""
    settings = load_settings()
    if settings.bot_token is None and settings.zalo_bot_token is None:
        say("cli.no_token", err=True, env_file=str(console.env_file_chosen))
        return EXIT_CONFIG
    start_process(settings)
    if settings.zalo_bot_token is not None and not zalo_webhook_takeable(settings):
        say("cli.zalo_webhook_https", err=True, url=settings.public_base_url)
        return EXIT_CONFIG
    if settings.workers == "multi" and settings.is_sqlite:
        say("cli.workers_need_postgresql", err=True)
        return EXIT_CONFIG
    # Evidence files are on disk: every worker must store into, and serve from, one folder,
    # not the default beside the working directory of each.
    if settings.workers == "multi" and not (
        settings.evidence_dir is not None and settings.evidence_dir.is_absolute()
    ):
        say("cli.workers_need_evidence_dir", err=True)
        return EXIT_CONFIG
    engine = ready_engine(settings)
    if isinstance(engine, int):
        return engine
    try:
        with single_instance(settings, engine), checkpoints_in_background(engine):
            application: App | None = None
            runtime: ZaloRuntime | None = None
            if settings.bot_token is not None:
                application = build_application(settings, engine=engine)
                web_app = serve_app(settings, application)
            else:  # Zalo alone: its runtime runs the jobs and takes events by webhook
                assert settings.zalo_bot_token is not None
                zalo_token = settings.zalo_bot_token.get_secret_value()
                services = build_services(settings, zalo_token, engine=engine)
                runtime = ZaloRuntime(settings, services, standalone_jobs=True)
                web_app = zalo_serve_app(settings, services, runtime)
            if application is not None:
                services = application.bot_data.services
                runtime = application.bot_data.zalo
            roles = worker_roles(settings, services, application, runtime)
            config = uvicorn.Config(
                web_app,
                host=settings.web_host,
                port=settings.web_port,
                log_config=None,  # ours (setup_logging), which redacts secrets
                access_log=False,  # paths carry sign-in codes and signed links
                lifespan="on",
                proxy_headers=True,
                server_header=False,
            )
            deps: WebDeps = web_app.state.deps
            server = Server(config, deps.stopping)
            if roles is not None:
                roles.start()
            try:
                asyncio.run(server.serve())
            except SystemExit:  # uvicorn's way to end a failed start (logged, or said below)
                server.started = False
            finally:
                if roles is not None:
                    roles.stop()
                end_processes()  # an abandoned download's, which the exit would wait for
            if not server.started:
                failure = application.bot_data.start_error if application else None
                return EXIT_FAILED if failure is None else telegram_refused(settings, failure)
            return (application.bot_data.exit_code if application else 0) or EXIT_OK
    except AlreadyRunning as exc:
        return already_running(exc)
    finally:
        engine.dispose()
