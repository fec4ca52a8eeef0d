"""Zalo in the running process: its client, polling loop and sender, started and stopped.

Beside Telegram, the Telegram application's JobQueue runs the reminder jobs and this adds
only Zalo's polling and sender; for a province on Zalo only, it runs the jobs too
(`scheduler/standalone.py`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from app import import_files
from app.services import Services
from bot.settings import Settings
from db.engine import session_scope
from db.queries.contacts import ensure_admin
from handlers.zalo.channel import CHANNEL
from handlers.zalo.poller import ZaloPoller
from scheduler.sender import new_owner
from scheduler.standalone import run_jobs
from scheduler.workers import in_worker
from scheduler.zalo_sender import ZaloPacer, run_sender
from zalo import ZaloClient

log = logging.getLogger(__name__)

RESCUE_EVERY_S = 5.0


class ZaloRuntime:
    """Zalo's part of one running bot."""

    def __init__(
        self,
        settings: Settings,
        services: Services,
        *,
        standalone_jobs: bool,
        poll_timeout: int | None = None,
    ) -> None:
        if settings.zalo_bot_token is None:
            raise ValueError("ZALO_BOT_TOKEN is required to run Zalo")
        self.settings, self.services = settings, services
        token = settings.zalo_bot_token.get_secret_value()
        self.client = ZaloClient(token, settings.zalo_base_url)
        self.pacer = ZaloPacer(settings.zalo_send_rate_per_s, settings.zalo_send_per_person_s)
        self.standalone_jobs = standalone_jobs
        self.poller = ZaloPoller(
            services,
            self.client,
            self.pacer,
            wake_sender=self.wake,
            account=token.partition(":")[0],
            poll_timeout=settings.zalo_poll_timeout_s if poll_timeout is None else poll_timeout,
        )
        self.webhook: tuple[str, str] | None = None  # (url, secret) under `dondoc serve`
        self.stopping = asyncio.Event()
        self.woken = asyncio.Event()
        self._tasks: list[asyncio.Task[Any]] = []
        self._stopped: asyncio.Task[None] | None = None  # the one stop, however often asked

    def use_webhook(self, url: str, secret: str) -> None:
        """Take events by webhook at `url` (set at start) instead of long polling."""
        self.webhook = (url, secret)

    async def accept(self, payload: dict[str, Any]) -> None:
        """Take a webhook's events (the web adapter's sink): stored, then handled."""
        await self.poller.accept(payload)

    async def start(self) -> None:
        """Make the bootstrap admins, then poll (or set the webhook), send, (alone) run jobs."""
        await in_worker(self._admins)
        owner = new_owner()
        stop, woken = self.stopping, self.woken
        taking = (
            self.poller.run(stop)
            if self.webhook is None
            else self.poller.run_webhook(stop, *self.webhook)
        )
        runs = [
            taking,
            run_sender(
                self.client, self.services, self.pacer, stop=stop, woken=woken, owner=owner
            ),
        ]
        if self.standalone_jobs:
            runs.append(run_jobs(self.services, stop, self.wake))
        if self.services.worker is not None:
            runs.append(self._rescue(stop))
        self._tasks = [asyncio.create_task(run, name="dondoc-zalo") for run in runs]
        log.info("dondoc serves Zalo at %s", self.settings.zalo_base_url)

    async def _rescue(self, stop: asyncio.Event) -> None:
        """Among several workers: as leader, take over dead workers' events, every few seconds."""
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), RESCUE_EVERY_S)
            if stop.is_set():
                return
            try:
                await self.poller.rescue()
            except Exception:
                log.exception("taking over Zalo events of dead workers failed; retried")

    def wake(self) -> None:
        """Have the sender look at the outbox now."""
        self.woken.set()

    async def wait(self) -> None:
        """Return when every Zalo task has ended (once stopped)."""
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def begin_stop(self) -> None:
        """Tell polling, sending and the jobs to stop, without waiting (a signal's handler)."""
        self.stopping.set()
        self.woken.set()  # the sender, between two drains, waits on this: not a second more

    async def stop(self) -> None:
        """Stop polling and sending (messages in flight finish), close the client; asked
        again (the stop beside Telegram's, then the shutdown hook), wait for the same stop."""
        if self._stopped is None:
            self._stopped = asyncio.ensure_future(self._stop())
        await self._stopped

    async def _stop(self) -> None:
        """Stop and wait for every Zalo task, then close the client."""
        self.begin_stop()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.client.aclose()

    def _admins(self) -> None:
        """Make the admins named in ZALO_ADMIN_IDS; alone (no Telegram, one process), tell
        the admins whose import the process killed cut short (Telegram's start does else)."""
        with session_scope(self.services.engine) as session:
            for admin_id in self.settings.zalo_admin_ids:
                ensure_admin(session, channel=CHANNEL, external_id=admin_id)
        if self.standalone_jobs and self.services.worker is None:
            import_files.tell_cut_short(self.services)
