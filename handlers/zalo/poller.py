"""Zalo's long polling: deleteWebhook, then one event per getUpdates, each answered once.

An event is stored in the inbox (`inbox.py`) before it is handled, so a redelivered one
records nothing twice, and one a crash interrupted is handled once more at the next start.
Errors back off (1 s doubling to 30 s); an idle poll (408) is not one. A few people are
answered at a time, each person's messages in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Callable, Coroutine
from functools import partial
from typing import Any

from app.services import Services
from core.markup import to_plain
from core.textnorm import without_nul
from db.retry import retry_db_async
from handlers.zalo.channel import CHANNEL, ZaloChannel
from handlers.zalo.evidence import MAX_PHOTO
from handlers.zalo.files import PhotoSaid
from handlers.zalo.flood import Verdict, ZaloFlood
from handlers.zalo.inbox import ZaloInbox
from scheduler.roles import LEADER, wait_turn
from scheduler.workers import in_update_worker, in_worker
from scheduler.zalo_sender import ZaloPacer
from zalo import TOO_LARGE, Event, ZaloClient, ZaloError, parse_events

log = logging.getLogger(__name__)

POLL_TIMEOUT_S = 30
BACKOFF_FIRST_S, BACKOFF_MAX_S = 1.0, 30.0
AT_ONCE = 4
UNAUTHORIZED = 401
TAKEN_KEPT = 10_000  # Zalo redelivers within minutes; older copies meet the inbox


class ZaloPoller:
    """Fetch Zalo events and answer them through the Zalo channel."""

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
        self.services, self.client, self.pacer = services, client, pacer
        self.inbox = ZaloInbox(services, account)
        self.channel = ZaloChannel(services)
        self.wake_sender = wake_sender
        self.poll_timeout = poll_timeout
        self._slots = asyncio.Semaphore(AT_ONCE)
        self._lanes: dict[str, asyncio.Lock] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self.flood = ZaloFlood()
        self._taken: dict[str, None] = {}  # the message ids taken lately, oldest first
        # The people told their message waits for the database, until one of theirs is kept.
        self._told_unavailable: set[str] = set()

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until stopped (or until Zalo refuses the token)."""
        await self._delete_webhook(stop)
        await self.recover()
        delay = BACKOFF_FIRST_S
        while not stop.is_set():
            poll = asyncio.ensure_future(self.client.get_updates(self.poll_timeout))
            stopping = asyncio.ensure_future(stop.wait())
            await asyncio.wait({poll, stopping}, return_when=asyncio.FIRST_COMPLETED)
            stopping.cancel()
            if not poll.done():
                poll.cancel()
                break
            try:
                events = poll.result()
            except Exception as exc:  # an unreadable answer too: polling goes on for everyone
                code = exc.code if isinstance(exc, ZaloError) else None  # None: not Zalo's error
                if code == UNAUTHORIZED:
                    log.error("Zalo refused the bot token (401): polling stops")
                    return
                log.warning(
                    "Zalo getUpdates failed (%s); again in %.0f s",
                    exc,
                    delay,
                    exc_info=code is None,
                )
                await _sleep(stop, delay)
                delay = min(delay * 2, BACKOFF_MAX_S)
                continue
            delay = BACKOFF_FIRST_S
            for event in _without_nul(events):
                self._start(event)
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def run_webhook(self, stop: asyncio.Event, url: str, secret: str) -> None:
        """Take events by webhook instead of polling: point Zalo at `url`, wait until stopped.

        The events come through `accept` (the web adapter's sink); setWebhook is retried
        with backoff, and a refused token (401) ends it as it ends polling.
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
                    log.error("Zalo refused the bot token (401): no webhook")
                    return
                log.warning("Zalo setWebhook failed (%s); again in %.0f s", exc, delay)
                await _sleep(stop, delay)
                delay = min(delay * 2, BACKOFF_MAX_S)
        await stop.wait()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def accept(self, payload: dict[str, Any]) -> None:
        """Store a webhook's events in the inbox, then handle them in the background.

        Returns once each is stored (so the 200 means kept); a redelivered one stops at the
        inbox. ValueError when the body holds no event (the web adapter drops it, answering 200).
        """
        events = parse_events(without_nul(payload))  # PostgreSQL refuses NUL in text
        if not events:
            raise ValueError("no Zalo event in the body")
        for event in events:
            if self._taken_before(event):
                continue
            verdict = self.flood.judge(event.sender_id)
            try:
                if await self._admitted(event, verdict) and await self._stored(event):
                    self._start(event, stored=True)
            except Exception:
                self._taken.pop(event.message_id, None)  # not kept: Zalo's next try is taken
                raise

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

    def _start(self, event: Event, *, stored: bool = False, taken: bool = False) -> None:
        """Handle an event in the background, after the person's earlier ones (unless flooding).

        The flood guard judges it here, in the order the events came.
        """
        if not stored and self._taken_before(event):
            return
        verdict = Verdict.PASS if stored else self.flood.judge(event.sender_id)
        self._spawn(self.handle(event, stored=stored, taken=taken, verdict=verdict))

    def _taken_before(self, event: Event) -> bool:
        """Tell whether this process took the event already: Zalo delivering it again.

        Zalo's message ids never repeat, so such a copy is dropped before the flood guard
        counts it (the inbox stops the copies of events taken before a restart).
        """
        if event.message_id in self._taken:
            log.info("dropped Zalo event %s delivered again", event.message_id)
            return True
        self._taken[event.message_id] = None
        if len(self._taken) > TAKEN_KEPT:
            del self._taken[next(iter(self._taken))]
        return False

    async def _admitted(self, event: Event, verdict: Verdict) -> bool:
        """Tell whether an event the flood guard judged goes on; tell a person going too fast.

        One over the person's budget is dropped; the inbox is read only before a warning (at
        most once a minute a person): one it knows is Zalo delivering it again, not the person
        writing, dropped silently.
        """
        if verdict is not Verdict.WARN:
            return verdict is Verdict.PASS
        try:
            known = await in_update_worker(self.inbox.known, event)
        except Exception:  # over budget either way: dropped as a flood's
            log.warning("inbox not read for Zalo event %s", event.message_id, exc_info=True)
            known = False
        if known:
            self.flood.undo(event.sender_id, verdict)
        else:
            self._spawn(self._slow_down(event))
        return False

    async def _stored(self, event: Event, *, waiting: bool = False) -> bool:
        """Record the event in the inbox; False for a duplicate, whose token is given back.

        `waiting` (a polled event, which Zalo does not give again): a database that does
        not answer is waited for, its sender told once that the message is held. A webhook's
        is not (Zalo sends it again when the call fails).
        """
        store = partial(in_update_worker, self.inbox.store, event)
        if waiting:
            tell = partial(self._tell_unavailable, event) if event.private else None
            kept = await retry_db_async(store, "recording a Zalo event", on_wait=tell)
            self._told_unavailable.discard(event.sender_id)
        else:
            kept = await store()
        if kept:
            return True
        self.flood.undo(event.sender_id, Verdict.PASS)
        return False

    async def _tell_unavailable(self, event: Event) -> None:
        """Tell a person their message waits for the database (once, until one is kept)."""
        if event.sender_id in self._told_unavailable:
            return
        self._told_unavailable.add(event.sender_id)
        lang = self.services.settings.default_language
        text = to_plain(self.services.catalog.get(lang, "common.database_unavailable"))
        await self._tell(event, text, "database-unavailable note to a Zalo person not sent")

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        """Run `work` in the background, kept until it ends (the stop waits for it)."""
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def handle(
        self,
        event: Event,
        *,
        stored: bool = False,
        taken: bool = False,
        verdict: Verdict = Verdict.PASS,
    ) -> None:
        """Store, answer and finish one event; a duplicate is dropped; no error escapes.

        `taken`: one taken over from a dead worker, which goes first in its person's turn;
        `verdict`: the flood guard's on it (one over budget is dropped).
        """
        if not await self._admitted(event, verdict):
            return
        lane = self._lanes.setdefault(event.sender_id, asyncio.Lock())
        async with lane, self._slots:  # a slot only in the person's turn: else one person's
            # messages waiting behind their slow one held every slot, and froze the others
            try:
                if not stored and not await self._stored(event, waiting=True):
                    return
                if self.services.worker is not None and not taken:
                    key = self.inbox.key(event)
                    await wait_turn(self.services, CHANNEL, key, event.sender_id)
                await self._answer(event)
                await in_update_worker(self.inbox.finish, event)
            except Exception:
                ref = secrets.token_hex(3)
                log.exception("error %s while handling Zalo event %s", ref, event.message_id)
                await self._apologise(event, ref)
            finally:
                if not lane.locked() and len(self._lanes) > 1_000:
                    self._lanes.pop(event.sender_id, None)
        self.wake_sender()

    async def _slow_down(self, event: Event) -> None:
        """Tell a person who sends too fast to slow down (their message was dropped)."""
        lang = self.services.settings.default_language
        text = to_plain(self.services.catalog.get(lang, "common.slow_down"))
        await self._tell(event, text, "slow-down note to a Zalo person not sent")

    async def _apologise(self, event: Event, ref: str) -> None:
        """Tell the person their message could not be handled, with the error's reference.

        It stays unfinished in the inbox, so a restart handles it once more.
        """
        if not event.private:
            return
        lang = self.services.settings.default_language
        text = to_plain(self.services.catalog.get(lang, "common.internal_error", ref=ref))
        await self._tell(event, text, f"could not tell a Zalo person about error {ref}")

    async def _tell(self, event: Event, text: str, unsent: str) -> None:
        """Send a note to the event's chat at the pacer's pace; log `unsent` if Zalo refuses."""
        await self.pacer.wait(event.chat_id)
        try:
            await self.client.send_message(event.chat_id, text)
        except ZaloError as exc:
            log.warning("%s: %s", unsent, exc)
        finally:
            self.pacer.done(event.chat_id)

    async def _answer(self, event: Event) -> None:
        """Answer the event in its chat (nothing for a group: bots do not join them)."""
        if not event.private:
            return
        photo, oversized = None, False
        if event.name == "message.image.received" and event.photo_url:
            try:
                photo = await self.client.download(event.photo_url, max_bytes=MAX_PHOTO)
            except ZaloError as exc:
                log.warning("photo of Zalo event %s not fetched: %s", event.message_id, exc)
                oversized = exc.code == TOO_LARGE
        reply = partial(self.channel.answer, event, photo, oversized=oversized)
        answers = await in_update_worker(reply)
        for answer in answers:
            await self.pacer.wait(event.chat_id)
            try:
                if isinstance(answer, PhotoSaid):
                    await self.client.send_photo(event.chat_id, answer.photo_url, answer.caption)
                else:
                    await self.client.send_message(event.chat_id, answer)
            except ZaloError as exc:
                log.warning("answer to Zalo event %s not sent: %s", event.message_id, exc)
                return
            finally:
                self.pacer.done(event.chat_id)

    async def recover(self) -> None:
        """Handle once more the events a crash left unfinished (each only once).

        Among several workers, the leader takes over those of dead workers (`rescue`).
        """
        if self.services.worker is not None:
            return
        started = self.services.clock.now()
        for event in await in_worker(self.inbox.unfinished, started):
            self._start(event, stored=True)

    async def rescue(self) -> int:
        """As leader among several workers: handle the events dead workers left unfinished."""
        me = self.services.worker
        if me is None or not self.services.roles.holds(LEADER):
            return 0
        events = await in_worker(self.inbox.orphans, me)
        if events:
            log.warning("taking over %d Zalo events of workers gone", len(events))
        for event in events:
            self._start(event, stored=True, taken=True)
        return len(events)


def _without_nul(events: list[Event]) -> list[Event]:
    """Return the events read again without NUL characters (PostgreSQL refuses them)."""
    raw = [event.raw for event in events]
    return parse_events(without_nul(raw)) if all(raw) else events


async def _sleep(stop: asyncio.Event, seconds: float) -> None:
    """Wait `seconds`, or less if stopped."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
