"""Zalo's dispatch: each event taken (by polling or the webhook) stored, answered, finished.

An event is stored in the inbox (`inbox.py`) before it is handled, so a redelivered one
records nothing twice, and one a crash interrupted is handled once more at the next start.
The flood guard judges each in the order they came, those kept unanswered at a stop or a
crash too, when the next start takes them; a few people are answered at a time,
each person's messages in order. A heavy command (`app.heavy`'s list: summaries, files,
lists over many units) takes one of HEAVY_AT_ONCE slots first, so one slot is always left
to the others: officials' replies do not wait behind many coordinators' summaries; its
answer is worked out in threads of its own (`in_heavy_zalo`), not the update pool. How
events are fetched is `poller.py`; how one is answered in its chat, `answers.py`.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from functools import partial
from typing import Any, TypeVar

from app.services import Services
from core.busy import BusyError
from core.repeats import AnsweredTexts, NewestWords
from core.textnorm import without_nul
from db.retry import PartlyDoneError, retry_db_async
from handlers.zalo.answers import answer
from handlers.zalo.channel import CHANNEL, ZaloChannel
from handlers.zalo.commands import is_heavy, is_number, offers_heavy
from handlers.zalo.flood import Verdict, ZaloFlood
from handlers.zalo.inbox import ZaloInbox
from handlers.zalo.notes import ZaloNotes
from scheduler.groupcommit import GroupCommit
from scheduler.roles import LEADER, wait_turn
from scheduler.workers import in_heavy_lane, in_update_worker, in_worker
from scheduler.zalo_sender import ZaloPacer
from zalo import Event, ZaloClient, parse_events

log = logging.getLogger(__name__)

AT_ONCE = 4
HEAVY_AT_ONCE = AT_ONCE - 1  # heavy commands leave a slot to everyone else
MAX_WAITING = 500  # events stored and not yet handled: past it, a webhook's call gets 503
TAKEN_KEPT = 10_000  # Zalo redelivers within minutes; older copies meet the inbox
LANES_KEPT = 1_000  # idle people's locks are dropped past this many

T = TypeVar("T")


async def in_heavy_zalo(function: Callable[..., T], *args: Any) -> T:
    """Run a heavy command's answer in Zalo's heavy lane: as many threads as heavy slots, so
    its slots, not a pool shared with Telegram, say how many run at once; off the update
    pool, whose threads every official's reply needs (bench.stall: fifty `/ranking year`
    there held Telegram's taps 509 ms at p99, against 68 ms idle)."""
    return await in_heavy_lane(CHANNEL, HEAVY_AT_ONCE, function, *args)


class ZaloDispatch:
    """Store Zalo events and answer them through the Zalo channel."""

    def __init__(
        self,
        services: Services,
        client: ZaloClient,
        pacer: ZaloPacer,
        *,
        wake_sender: Callable[[], None],
        account: str,
    ) -> None:
        self.services, self.client, self.pacer = services, client, pacer
        self.inbox = ZaloInbox(services, account)
        self.channel = ZaloChannel(services)
        self.notes = ZaloNotes(services, client, pacer)
        self.wake_sender = wake_sender
        self._slots = asyncio.Semaphore(AT_ONCE)
        self._heavy_slots = asyncio.Semaphore(HEAVY_AT_ONCE)  # taken before a common one
        self._lanes: dict[str, asyncio.Lock] = {}
        # The people whose last text was a command whose numbered choices run heavy work
        # (`app.heavy.HEAVY_OFFERS`): a number they type next is heavy (a merge's "1").
        self._offered_heavy: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self.flood = ZaloFlood()
        self._taken: dict[str, float] = {}  # the message ids taken lately, oldest first,
        # and when each came (time.monotonic)
        self._answered = AnsweredTexts(LANES_KEPT)  # a person's last text answered, and when
        self._newest = NewestWords(LANES_KEPT)  # a person's latest words read, by Zalo's date
        self._records: GroupCommit | None = None  # events recorded many a transaction

    async def accept(self, payload: dict[str, Any]) -> None:
        """Store a webhook's events in the inbox, then handle them in the background.

        Returns once each is stored (so the 200 means kept); a redelivered one stops at the
        inbox. ValueError when the body holds no event (the web adapter drops it, answering 200);
        BusyError, before storing the next event, while MAX_WAITING events wait to be handled
        (the web adapter answers 503: Zalo sends it again; a burst of 1,000 made as many
        tasks, and nothing bounded them).
        """
        events = parse_events(without_nul(payload))  # PostgreSQL refuses NUL in text
        if not events:
            raise ValueError("no Zalo event in the body")
        for event in events:
            if len(self._tasks) >= MAX_WAITING:
                raise BusyError(f"{len(self._tasks)} Zalo events wait to be handled")
            if self._taken_before(event):
                continue
            verdict = self.flood.judge(event.sender_id)
            try:
                if await self._admitted(event, verdict) and await self._stored(event):
                    self._start(event, stored=True, verdict=Verdict.PASS)
            except Exception:
                self._taken.pop(event.message_id, None)  # not kept: Zalo's next try is taken
                raise

    def _heavy(self, event: Event) -> bool:
        """Tell whether a text is heavy, from the text and the sender's text before it
        alone (no database): a heavy command, or a number typed after a command whose
        numbered choices run heavy work (a merge's "1": every open task of 200 communes
        moved; "2", its cancel, heavy too, for a moment)."""
        sender, text = event.sender_id, event.text
        offered = sender in self._offered_heavy
        self._offered_heavy.discard(sender)
        if offers_heavy(text) and len(self._offered_heavy) < LANES_KEPT:
            self._offered_heavy.add(sender)
        return is_heavy(text) or (offered and is_number(text))

    async def recover(self) -> None:
        """Handle once more the events a crash left unfinished (each only once), and those a
        stop kept unanswered, each judged by the flood guard in the order they came.

        A person who sent 40 messages the second before a restart is answered as if there had
        been none: their budget's worth, told once to slow down, the rest finished unanswered.
        Among several workers, the leader takes over those of dead workers (`rescue`).
        """
        if self.services.worker is not None:
            return
        started = self.services.clock.now()
        for event in await in_worker(self.inbox.unfinished, started):
            self._start(event, stored=True)

    async def rescue(self) -> int:
        """As leader among several workers: handle the events dead workers left unfinished,
        judged by the flood guard as `recover`'s are."""
        me = self.services.worker
        if me is None or not self.services.roles.holds(LEADER):
            return 0
        events = await in_worker(self.inbox.orphans, me)
        if events:
            log.warning("taking over %d Zalo events of workers gone", len(events))
        for event in events:
            self._start(event, stored=True, taken=True)
        return len(events)

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
        `verdict`: the flood guard's on it (one over budget is dropped: finished unanswered,
        when `stored` already).
        """
        if not await self._admitted(event, verdict, stored=stored):
            if stored:
                await self._finish_unanswered(event)
            return
        lane = self._lanes.setdefault(event.sender_id, asyncio.Lock())
        is_heavy_text = event.is_text and self._heavy(event)
        heavy: AbstractAsyncContextManager[Any] = (
            self._heavy_slots if is_heavy_text else nullcontext()
        )
        async with lane, self._queued(event, heavy=is_heavy_text), heavy, self._slots:
            # A slot only in the person's turn: else one person's messages waiting behind
            # their slow one held every slot, froze the others.
            try:
                if not stored and not await self._stored(event, waiting=True):
                    return
                if self.services.worker is not None and not taken:
                    key = self.inbox.key(event)
                    await wait_turn(self.services, CHANNEL, key, event.sender_id)
                if self._late(event):
                    await self.notes.arrived_late(event)
                elif not self._repeated(event):
                    held = partial(self.notes.tell_unavailable, event)
                    went = await answer(
                        event,
                        self.channel,
                        self.client,
                        self.pacer,
                        held,
                        worker=in_heavy_zalo if is_heavy_text else in_update_worker,
                    )
                    self._said(event, went)
                self.notes.kept(event.sender_id)
                # Answered: a failure now would answer it again at the next start.
                finish = partial(in_update_worker, self.inbox.finish, event)
                await retry_db_async(finish, "finishing a Zalo event")
            except PartlyDoneError:  # not run again: the person checks and sends it again
                log.warning("Zalo event %s done in part for the database", event.message_id)
                self.notes.kept(event.sender_id)  # told: a next wait is told again
                await self.notes.busy(event)
                await self._finish_unanswered(event)
            except Exception:
                ref = secrets.token_hex(3)
                log.exception("error %s while handling Zalo event %s", ref, event.message_id)
                await self.notes.apologise(event, ref)
            finally:
                if not lane.locked() and len(self._lanes) > LANES_KEPT:
                    self._lanes.pop(event.sender_id, None)
        self.wake_sender()

    @asynccontextmanager
    async def _queued(self, event: Event, *, heavy: bool) -> AsyncIterator[None]:
        """In the person's turn: a heavy command that finds every heavy slot taken tells its
        person at once that it is queued (fifty coordinators' /export waited minutes unsaid)."""
        if heavy and self._heavy_slots.locked():
            await self.notes.queued(event)
        yield

    async def _finish_unanswered(self, event: Event) -> None:
        """Finish an event not to be run again at the next start: its person was asked to send
        it again, or it was over their budget; one that cannot be finished is logged, run
        again at the next start."""
        try:
            await retry_db_async(
                partial(in_update_worker, self.inbox.finish, event), "finishing a Zalo event"
            )
        except Exception:
            log.warning("Zalo event %s not finished", event.message_id, exc_info=True)

    def _repeated(self, event: Event) -> bool:
        """Tell whether a text repeats the person's last one answered and came before that
        answer went (`core.repeats`, the rule Telegram's inbox applies too): it is finished
        unanswered."""
        came = self._taken.get(event.message_id)
        if not self._answered.repeats(event.sender_id, event.text, came, event.date_ms):
            return False
        log.info(
            "Zalo event %s repeats the last text before its answer: not read", event.message_id
        )
        return True

    def _late(self, event: Event) -> bool:
        """Tell whether a person's words (no command) came after words of theirs Zalo dated
        later (a webhook's call refused, sent again after the next): read, they would undo
        the newer, "50%" recorded over "xong". Dates are Zalo's own: no clock is compared
        with another."""
        if not event.is_text or not event.private or event.date_ms <= 0:
            return False  # a group's is not answered: no note goes before the group either
        if event.text.lstrip().startswith("/"):
            return False
        if not self._newest.late(event.sender_id, event.date_ms):
            return False
        log.info("Zalo event %s came after a later one of its sender: not read", event.message_id)
        return True

    def _said(self, event: Event, went_ms: int) -> None:
        """Remember the person's text just answered, and when its answers had gone (`went_ms`:
        by Zalo's clock)."""
        self._answered.answered(event.sender_id, event.text, went_ms)

    async def finished(self) -> None:
        """Wait for the events still being handled (at stop), and what they set off (a note
        to slow down)."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    def _start(
        self,
        event: Event,
        *,
        stored: bool = False,
        taken: bool = False,
        verdict: Verdict | None = None,
    ) -> None:
        """Handle an event in the background, after the person's earlier ones (unless flooding).

        The flood guard judges it here, in the order the events came, unless it did already
        (`verdict`: a webhook's event, judged before it was stored).
        """
        if not stored and self._taken_before(event):
            return
        if verdict is None:
            verdict = self.flood.judge(event.sender_id)
        self._spawn(self.handle(event, stored=stored, taken=taken, verdict=verdict))

    def _taken_before(self, event: Event) -> bool:
        """Tell whether this process took the event already: Zalo delivering it again.

        Zalo's message ids never repeat, so such a copy is dropped before the flood guard
        counts it (the inbox stops the copies of events taken before a restart).
        """
        if event.message_id in self._taken:
            log.info("dropped Zalo event %s delivered again", event.message_id)
            return True
        self._taken[event.message_id] = time.monotonic()
        if len(self._taken) > TAKEN_KEPT:
            del self._taken[next(iter(self._taken))]
        return False

    async def _admitted(self, event: Event, verdict: Verdict, *, stored: bool = False) -> bool:
        """Tell whether an event the flood guard judged goes on; tell a person going too fast.

        One over the person's budget is dropped; the inbox is read only before a warning (at
        most once a minute a person): one it knows is Zalo delivering it again, not the person
        writing, dropped silently. One `stored` (kept unanswered at a stop or a crash) the
        inbox knows by its own doing: its warning is the person's.
        """
        if verdict is not Verdict.WARN:
            return verdict is Verdict.PASS
        if stored:
            self._spawn(self.notes.slow_down(event))
            return False
        try:
            known = await in_update_worker(self.inbox.known, event)
        except Exception:  # over budget either way: dropped as a flood's
            log.warning("inbox not read for Zalo event %s", event.message_id, exc_info=True)
            known = False
        if known:
            self.flood.undo(event.sender_id, verdict)
        else:
            self._spawn(self.notes.slow_down(event))
        return False

    async def _stored(self, event: Event, *, waiting: bool = False) -> bool:
        """Record the event in the inbox; False for a duplicate, whose token is given back.

        `waiting` (a polled event, which Zalo does not give again): a database that does
        not answer is waited for, its sender told once that the message is held. A webhook's
        is not (Zalo sends it again when the call fails).
        """
        store = partial(self.inbox.keep, event, self._writes())
        if waiting:
            tell = partial(self.notes.tell_unavailable, event) if event.private else None
            kept = await retry_db_async(store, "recording a Zalo event", on_wait=tell)
            self.notes.kept(event.sender_id)
        else:
            kept = await store()
        if kept:
            return True
        self.flood.undo(event.sender_id, Verdict.PASS)
        return False

    def _writes(self) -> GroupCommit:
        """Return the group commit of inbox records (created on first use, on the loop)."""
        if self._records is None:
            self._records = GroupCommit(self.services.engine)
        return self._records

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        """Run `work` in the background, kept until it ends (the stop waits for it)."""
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
