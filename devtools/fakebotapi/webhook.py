"""Delivering updates by webhook, as Telegram does once setWebhook names a URL.

Each pending update is POSTed as JSON, one per request, with the secret in the
X-Telegram-Bot-Api-Secret-Token header when one was set; a 2xx answer confirms it, anything
else (or a connection error) leaves it pending and it is tried again shortly, as Telegram
retries. One request at a time, in update order. Only a loopback URL is called (a fake
never calls out): an https one is recorded, and its updates wait. Lives on the server's
event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass

import aiohttp

from devtools.fakebotapi.state import BotState

RETRY_S = 0.2
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
LOOPBACK = ("http://127.0.0.1:", "http://localhost:")


@dataclass(frozen=True)
class Delivery:
    """One webhook request: which update, the answer's status (0: no answer)."""

    update_id: int
    status: int
    at: float = 0.0  # when it was posted (time.monotonic)
    took_s: float = 0.0  # until the answer came (a bench tells the bot's from its own wait)


class WebhookPusher:
    """POST pending updates to the webhook while one is set."""

    def __init__(self, state: BotState, loop: asyncio.AbstractEventLoop) -> None:
        self._state = state
        self._loop = loop
        self._wake = asyncio.Event()
        self.deliveries: list[Delivery] = []

    def notify_threadsafe(self) -> None:
        """Wake the pusher from any thread (an update arrived, a webhook was set)."""
        if not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._wake.set)

    async def run(self, closing: asyncio.Event) -> None:
        """Deliver until the server closes."""
        timeout = aiohttp.ClientTimeout(total=30)
        async with aiohttp.ClientSession(timeout=timeout) as http:
            while not closing.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), RETRY_S)
                self._wake.clear()
                while not closing.is_set() and await self._deliver_one(http):
                    pass

    async def _deliver_one(self, http: aiohttp.ClientSession) -> bool:
        """POST the first pending update; return whether it was accepted."""
        with self._state.lock:
            hook = self._state.webhook
            local = hook.url.startswith(LOOPBACK)
            batch = self._state.updates.take(1, time.monotonic()) if local else []
        if not batch:
            return False
        payload = batch[0]
        headers = {SECRET_HEADER: hook.secret_token} if hook.secret_token else {}
        posted = time.monotonic()
        try:
            async with http.post(hook.url, json=payload, headers=headers) as response:
                status = response.status
        except (aiohttp.ClientError, TimeoutError):
            status = 0
        took = time.monotonic() - posted
        self.deliveries.append(Delivery(int(payload["update_id"]), status, posted, took))
        if not 200 <= status < 300:
            return False
        with self._state.lock:
            self._state.updates.confirm(int(payload["update_id"]) + 1, time.monotonic())
        return True
