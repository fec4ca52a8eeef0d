"""How Zalo's events come in: long polling (deleteWebhook, then getUpdates), or a webhook.

What happens to each event taken is the dispatch's (`dispatch.py`): stored, answered once,
finished. Errors back off (1 s doubling to 30 s); an idle poll (408) is not one; a token
Zalo refuses (401) is one too, told as an error at most once a minute: the sender holds its
messages for the same (`scheduler.zalo_sender`), and polling ended for good left a bot that
sent reminders and read no answer until restarted. At a stop the open getUpdates is not
dropped: Zalo has no offset nor acknowledgement, so an event it hands to that poll would be
lost. No new poll is asked; the open one is let end, however long Zalo holds it (a Zalo that
does not read the `timeout` asked holds it its own 30 s), within the stop's budget
(STOP_BUDGET_S of the 30 s systemd and compose give a stop), and what it brings is stored in
the inbox unhandled, for the next start's `recover()` to answer (through the flood guard, as
if they had come then).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable

from app.services import Services
from core.textnorm import without_nul
from handlers.zalo.dispatch import ZaloDispatch
from scheduler.zalo_sender import ZaloPacer
from zalo import Event, ZaloClient, ZaloError, parse_events

log = logging.getLogger(__name__)

POLL_TIMEOUT_S = 10  # how long a getUpdates asks Zalo to hold it (an idle poll costs nothing)
# How long a stop waits for the open poll: systemd's and compose's 30 s, less what follows
# (storing what the poll brought, the client closed, the database released). A poll waited
# for its 12 s (asked, plus 2) only lost what a Zalo holding it 30 s handed it after.
STOP_BUDGET_S = 25.0
BACKOFF_FIRST_S, BACKOFF_MAX_S = 1.0, 30.0
UNAUTHORIZED = 401
TOKEN_TOLD_EVERY_S = 60.0


class ZaloPoller(ZaloDispatch):
    """Fetch Zalo events (or take them from the webhook) and dispatch them."""

    def __init__(
        self,
        services: Services,
        client: ZaloClient,
        pacer: ZaloPacer,
        *,
        wake_sender: Callable[[], None],
        account: str,
        poll_timeout: int = POLL_TIMEOUT_S,
    ) -> None:
        super().__init__(services, client, pacer, wake_sender=wake_sender, account=account)
        self.poll_timeout = poll_timeout
        self.stop_budget_s = STOP_BUDGET_S
        self._token_told = -TOKEN_TOLD_EVERY_S  # when a refused token was last told

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until stopped."""
        await self._delete_webhook(stop)
        await self.recover()
        delay = BACKOFF_FIRST_S
        while not stop.is_set():
            poll = asyncio.ensure_future(self.client.get_updates(self.poll_timeout))
            stopping = asyncio.ensure_future(stop.wait())
            await asyncio.wait({poll, stopping}, return_when=asyncio.FIRST_COMPLETED)
            stopping.cancel()
            if stop.is_set():
                await self._keep_for_next_start(poll)
                break
            try:
                events = poll.result()
            except Exception as exc:  # an unreadable answer too: polling goes on for everyone
                await self._failed_poll(exc, stop, delay)
                delay = min(delay * 2, BACKOFF_MAX_S)
                continue
            delay = BACKOFF_FIRST_S
            for event in _without_nul(events):
                self._start(event)
        await self.finished()

    async def _keep_for_next_start(self, poll: asyncio.Future[list[Event]]) -> None:
        """At a stop: let the open poll end (within the stop's budget, not the timeout asked,
        which Zalo may not read) and store what it brings, unhandled.

        Answering it now would race the stop; stored, the next start's `recover()` answers it.
        """
        try:
            events = await asyncio.wait_for(poll, self.stop_budget_s)
        except TimeoutError:
            log.warning(
                "Zalo getUpdates still open after %.1f s of the stop: given up (an event Zalo"
                " hands it now is lost)",
                self.stop_budget_s,
            )
            return
        except Exception as exc:  # nothing taken: nothing to keep
            log.info("Zalo getUpdates failed at stop (%s): no event to keep", exc)
            return
        kept = 0
        for event in _without_nul(events):
            if self._taken_before(event):
                continue
            try:
                if await self.inbox.keep(event, self._writes()):
                    kept += 1
            except Exception:
                log.exception("Zalo event %s not stored at stop: lost", event.message_id)
        log.info("Zalo polling stopped: %d event(s) kept for the next start", kept)

    async def run_webhook(self, stop: asyncio.Event, url: str, secret: str) -> None:
        """Take events by webhook instead of polling: point Zalo at `url`, wait until stopped.

        The events come through `accept` (the web adapter's sink); setWebhook is retried
        with backoff, a refused token (401) too, as polling is.
        """
        await self.recover()
        delay = BACKOFF_FIRST_S
        while not stop.is_set():
            try:
                await self.client.set_webhook(url, secret)
                log.info("Zalo webhook set to %s", url)
                break
            except ZaloError as exc:
                if exc.code == UNAUTHORIZED:
                    self._token_refused("no webhook yet")
                else:
                    log.warning("Zalo setWebhook failed (%s); again in %.0f s", exc, delay)
                await _sleep(stop, delay)
                delay = min(delay * 2, BACKOFF_MAX_S)
        await stop.wait()
        await self.finished()

    async def _failed_poll(self, exc: Exception, stop: asyncio.Event, delay: float) -> None:
        """Log a failed getUpdates and wait `delay`."""
        code = exc.code if isinstance(exc, ZaloError) else None  # None: not Zalo's error
        if code == UNAUTHORIZED:
            self._token_refused("no message is read until it is fixed")
        else:
            log.warning(
                "Zalo getUpdates failed (%s); again in %.0f s", exc, delay, exc_info=code is None
            )
        await _sleep(stop, delay)

    def _token_refused(self, effect: str) -> None:
        """Tell the operator that Zalo refuses the bot token, at most once a minute."""
        now = time.monotonic()
        if now - self._token_told >= TOKEN_TOLD_EVERY_S:
            self._token_told = now
            log.error("Zalo refused the bot token (401): %s; tried again", effect)

    async def _delete_webhook(self, stop: asyncio.Event) -> None:
        """Remove a webhook (getUpdates does not work while one is set), retrying."""
        delay = BACKOFF_FIRST_S
        while not stop.is_set():
            try:
                await self.client.delete_webhook()
                return
            except ZaloError as exc:
                log.warning("Zalo deleteWebhook failed (%s); again in %.0f s", exc, delay)
                await _sleep(stop, delay)
                delay = min(delay * 2, BACKOFF_MAX_S)


def _without_nul(events: list[Event]) -> list[Event]:
    """Return the events read again without NUL characters (PostgreSQL refuses them)."""
    raw = [event.raw for event in events]
    return parse_events(without_nul(raw)) if all(raw) else events


async def _sleep(stop: asyncio.Event, seconds: float) -> None:
    """Wait `seconds`, or less if stopped."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
