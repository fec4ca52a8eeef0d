"""getUpdates long polling, with Telegram's one-poller-per-token rule.

As on Telegram, a new getUpdates request terminates the one still waiting, which gets
409 Conflict; so two bot instances polling the same token both keep seeing conflicts.
Lives on the server's event loop; other threads wake it through `notify_threadsafe`.
"""

from __future__ import annotations

import asyncio
import time

from devtools.fakebotapi.errors import CONFLICT_OTHER_POLLER, CONFLICT_WEBHOOK, ApiError
from devtools.fakebotapi.params import Params
from devtools.fakebotapi.records import JsonDict
from devtools.fakebotapi.state import BotState


class Poller:
    """Serve getUpdates calls from the state's update queue."""

    def __init__(self, state: BotState, loop: asyncio.AbstractEventLoop) -> None:
        self._state = state
        self._loop = loop
        self._wakeups: set[asyncio.Future[None]] = set()
        self._current: asyncio.Future[None] | None = None
        self._closing = False

    def notify_threadsafe(self) -> None:
        """Wake the waiting poller from any thread."""
        if not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._wake_all)

    def close(self) -> None:
        """Make waiting and future polls return at once (on the server loop)."""
        self._closing = True
        self._wake_all()

    def _wake_all(self) -> None:
        """Resolve every pending wakeup future."""
        for future in self._wakeups:
            if not future.done():
                future.set_result(None)
        self._wakeups.clear()

    async def get_updates(self, params: Params) -> list[JsonDict]:
        """Return pending updates, waiting up to `timeout` seconds for some to arrive."""
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = max(float(params.get("timeout") or 0), 0.0)
        with self._state.lock:
            if self._state.webhook.url:
                raise ApiError(409, CONFLICT_WEBHOOK)
            self._state.updates.confirm(int(params.get("offset") or 0), time.monotonic())
            allowed = params.get("allowed_updates")
            self._state.updates.set_allowed(allowed if isinstance(allowed, list) else None)
        previous, me = self._current, self._loop.create_future()
        self._current = me
        if previous is not None and not previous.done():
            previous.set_result(None)
        with self._state.lock:
            self._state.polls_waiting += 1
        try:
            return await self._wait_for_batch(me, limit, time.monotonic() + timeout)
        finally:
            with self._state.lock:
                self._state.polls_waiting -= 1
            if self._current is me:
                self._current = None

    async def _wait_for_batch(
        self, me: asyncio.Future[None], limit: int, deadline: float
    ) -> list[JsonDict]:
        """Loop until updates exist, the deadline passes, or a newer poll terminates this one."""
        while True:
            with self._state.lock:
                batch = self._state.updates.take(limit, time.monotonic())
            remaining = deadline - time.monotonic()
            if batch or remaining <= 0 or self._closing:
                return batch
            wakeup = self._loop.create_future()
            self._wakeups.add(wakeup)
            await asyncio.wait({wakeup, me}, timeout=remaining, return_when="FIRST_COMPLETED")
            self._wakeups.discard(wakeup)
            if me.done():
                raise ApiError(409, CONFLICT_OTHER_POLLER)
