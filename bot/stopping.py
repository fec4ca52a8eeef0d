"""The running bot's stop: Telegram's and the other channels' at once, not one after the other.

Zalo's stop waits out its open long poll (up to 25 s, `handlers.zalo.poller.STOP_BUDGET_S`)
so that an event handed to it is kept; Telegram's waits for the updates and jobs under way.
Run one after the other, a stop took the sum; here Zalo is told to stop with the signal (or
with Telegram's stop, under `dondoc serve` and the tests), and the stop takes the longer of
the two. The shutdown hook (`bot.app`) then waits for the same Zalo stop before releasing the
database.
"""

from __future__ import annotations

import asyncio
from typing import Any, NoReturn

from bot.telegram_link import TelegramLink
from bot.zalo import ZaloRuntime
from handlers.telegram.inbox_app import InboxApplication


class BotApplication(InboxApplication):
    """The Telegram application, stopping the other channels' runtimes beside itself."""

    # The other channels' runtimes (Zalo's), filled once the services are built.
    others: list[ZaloRuntime]
    # Tries Telegram again when it was out of reach at start (beside Zalo).
    link: TelegramLink | None

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.others = []
        self.link = None

    def _raise_system_exit(self) -> NoReturn:  # type: ignore[override]
        """On SIGTERM or Ctrl+C: tell the other channels to stop now, then stop as Telegram
        does (its poll, then its updates and jobs), meanwhile."""
        for runtime in self.others:
            runtime.begin_stop()
        InboxApplication._raise_system_exit()

    async def stop(self) -> None:
        """Stop Telegram's updates and jobs and the other channels together (and stop
        trying Telegram again, if it was out of reach)."""
        if self.link is not None:
            await self.link.stop()
        await asyncio.gather(super().stop(), *(runtime.stop() for runtime in self.others))
