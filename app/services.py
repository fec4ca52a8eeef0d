"""What handlers and jobs share: built once by the composition root."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from app.i18n import Catalog
from app.metrics import Metrics
from app.turns import Turns
from core.clock import Clock


class ReportSettings(Protocol):
    """The settings the formal report reads: who reports, and the Word template."""

    @property
    def org_parent(self) -> str: ...
    @property
    def org_name(self) -> str: ...
    @property
    def org_symbol(self) -> str: ...
    @property
    def org_place(self) -> str: ...
    @property
    def report_signer_title(self) -> str: ...
    @property
    def report_signer_name(self) -> str: ...
    @property
    def report_template(self) -> Path | None: ...


class Config(ReportSettings, Protocol):
    """The settings that use cases, adapters and jobs read (the composition root's Settings)."""

    @property
    def tz(self) -> ZoneInfo: ...
    @property
    def default_language(self) -> Literal["vi", "en"]: ...
    @property
    def invite_ttl_days(self) -> int: ...
    @property
    def outbox_keep_days(self) -> int: ...
    @property
    def work_hours(self) -> str: ...
    @property
    def evidence_path(self) -> Path: ...
    @property
    def send_rate_per_s(self) -> float: ...
    @property
    def reminder_days_before(self) -> list[int]: ...
    @property
    def overdue_every_days(self) -> int: ...
    @property
    def escalate_after(self) -> int: ...
    @property
    def forward_blockers(self) -> bool: ...
    @property
    def digest_cron(self) -> str: ...
    @property
    def import_max_bytes(self) -> int: ...
    @property
    def telegram_file_max_bytes(self) -> int: ...
    @property
    def zalo_file_max_bytes(self) -> int: ...
    @property
    def evidence_quota_mb(self) -> int: ...
    @property
    def channels(self) -> tuple[str, ...]: ...
    @property
    def public_base_url(self) -> str: ...
    @property
    def public_base_url_set(self) -> bool: ...
    @property
    def miniapp_frame_origins(self) -> list[str]: ...


class Roles(Protocol):
    """What this process may do among several workers (scheduler/roles.WorkerRoles)."""

    def holds(self, role: str) -> bool: ...
    def term(self, role: str) -> int: ...
    def held(self) -> list[str]: ...


class OneProcess:
    """The roles of a single process (the default): it holds every one, for good."""

    def holds(self, role: str) -> bool:
        """Tell that this process may act in any role."""
        return True

    def term(self, role: str) -> int:
        """Return 1: won once, at start, for good."""
        return 1

    def held(self) -> list[str]:
        """Return no role by name: a single process does everything."""
        return []


@dataclass
class Services:
    """The settings, database, catalogs and clock of one running bot."""

    settings: Config
    engine: Engine
    catalog: Catalog
    clock: Clock
    button_key: bytes = field(repr=False, default=b"")
    link_key: bytes = field(repr=False, default=b"")  # signs download links (app.links)
    bot_username: str = ""
    metrics: Metrics = field(default_factory=Metrics)  # what /metrics and /healthz show
    turns: Turns = field(default_factory=Turns)  # one export or report at a time per person
    # Under WORKERS=multi: this worker's name (in the inbox rows it takes) and its roles.
    worker: str | None = None
    roles: Roles = field(default_factory=OneProcess)
    # The channels out of reach (their sender holds the queue), with the error that said so.
    unreached: dict[str, str] = field(default_factory=dict)

    def now_local(self) -> datetime:
        """Return the current local time in the configured time zone."""
        return self.clock.now().astimezone(self.settings.tz)

    def today(self) -> date:
        """Return today's local date."""
        return self.now_local().date()


class ChannelRuntime(Protocol):
    """Another channel's part of the running bot (Zalo's runtime, `bot/zalo.py`).

    What the Telegram application keeps of it, so that `dondoc serve` can switch it to a
    webhook and hand the web adapter its sink; the adapters below `bot` know it only so.
    """

    def use_webhook(self, url: str, secret: str) -> None:
        """Take events by webhook at `url` instead of long polling."""

    async def accept(self, payload: dict[str, Any]) -> None:
        """Store a webhook's events in the inbox, then handle them (ValueError: none in it)."""


class Shared:
    """What every callback and job of the running bot shares: PTB's bot_data, typed."""

    def __init__(self) -> None:
        self._services: Services | None = None
        self.owns_engine = False
        self.dispatching = False  # a reminder sweep is running
        self.sender_task: asyncio.Task[None] | None = None
        self.sender_owner: str | None = None
        self.sender_term = 0  # the sender role's term its leases were taken over in
        self.dispatch_pace: object = None  # among several workers, scheduler.roles.LeaderPace

    @property
    def services(self) -> Services:
        """Return the services the composition root built."""
        if self._services is None:
            raise RuntimeError("the composition root has not set the services yet")
        return self._services

    @services.setter
    def services(self, value: Services) -> None:
        self._services = value
