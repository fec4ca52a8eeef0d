"""What handlers and jobs share: built once by the composition root."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.engine import Engine

from bot.i18n import Catalog
from bot.settings import Settings
from core.clock import Clock


@dataclass
class Services:
    """The settings, database, catalogs and clock of one running bot."""

    settings: Settings
    engine: Engine
    catalog: Catalog
    clock: Clock
    button_key: bytes = field(repr=False, default=b"")
    bot_username: str = ""

    def now_local(self) -> datetime:
        """Return the current local time in the configured time zone."""
        return self.clock.now().astimezone(self.settings.tz)

    def today(self) -> date:
        """Return today's local date."""
        return self.now_local().date()


def derive_button_key(token: str) -> bytes:
    """Derive the key that signs button data from the bot token (never stored)."""
    return hmac.new(token.encode(), b"dondoc-buttons-v1", hashlib.sha256).digest()
