"""The Zalo sender: drain the outbox rows of channel "zalo" through Zalo's rate limits.

The same guarantees as Telegram's sender (`scheduler/sender.py`, whose bookkeeping it
reuses): each row is claimed with a lease, marked `sending` before the call and `sent`
after it, and the parts of a split text already delivered are not sent again. The text is
rendered for Zalo (`render/zalo.py`: plain, 2000 characters a message, split between lines);
its choices become the person's pending numbered choices once it is delivered, so that a
typed "1" answers it. Zalo's `ok:false` is read by its code: 5xx, 429 and timeouts are
retried, 403/404 (blocked, never wrote to the bot, unknown) mark the person unreachable on
Zalo, 401 (the token refused: revoked, expired) holds every row for later, anything else
fails the row. Zalo sends no documents: a file's row sends its text.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable
from datetime import datetime
from functools import partial

from sqlalchemy.exc import OperationalError

from app.choices import rows_from_json
from app.offers import OUTBOX, keep_sent
from app.services import Services
from app.unsent import PARTS
from db.engine import session_scope
from db.models import Contact
from db.queries import outbox_marks as marks
from db.queries.outbox_claim import Claimed
from db.retry import retry_db_async
from render.text import numbered
from render.zalo import show
from scheduler import channel_down
from scheduler.budget import SharedBudget
from scheduler.pacing import Lane, Pacer, Turn, Window
from scheduler.roles import sender_role
from scheduler.sender import (
    BACKOFF_S,
    MARK_SENT_WAIT_S,
    RETRY_LATER,
    Progress,
    _claim,
    _fail,
    _later,
    _put_back,
    _release,
    _start,
    _unreachable,
    acquire_while,
    finish,
    lane_of,
    one_ended,
    take_over,
)
from scheduler.workers import in_worker
from zalo import ZaloClient, ZaloError

log = logging.getLogger(__name__)

CHANNEL = "zalo"
POOL = 8
UNAUTHORIZED = 401  # Zalo refused the bot's token
TOKEN_TOLD_EVERY_S = 60.0
_token_told = -TOKEN_TOLD_EVERY_S  # when the operator was last told of a refused token
PER_PERSON_S = 1.0
WAIT_STEP_S = 0.05


class ZaloPacer:
    """At most `rate` sends in any second overall, and one a second to each person.

    The overall pace is the channel-neutral pacer's (`scheduler/pacing.Pacer`): turns on a
    grid at `rate`, and a window of `rate` calls a second counted by when they can have
    reached Zalo (an answered call has; one in flight may yet), which the sender cannot see
    otherwise; lower lanes first (a person's answer before the outbox's reminders). On top,
    a person's next send waits a second from Zalo's answer to the previous one.
    """

    def __init__(self, rate: float, per_person_s: float = PER_PERSON_S) -> None:
        self.pacer = Pacer(rate, window=Window(max(1, int(rate)), 1.0))
        self.per_person_s = per_person_s
        self._person_next: dict[str, float] = {}
        self._turns: dict[str, Turn] = {}
        # Among several workers, the channel's budget they share (scheduler/budget.py).
        self.shared: SharedBudget | None = None
        self._slots: dict[str, int | None] = {}

    async def wait(self, chat_id: str, lane: int = Lane.DIRECT) -> None:
        """Return when a message to this person may go out; call `done` once answered."""
        while True:
            free = self._person_next.get(chat_id, 0.0) - time.monotonic()
            if free > 0:
                await asyncio.sleep(min(free, WAIT_STEP_S))
                continue
            turn = await self.pacer.slot(lane)
            if self._person_next.get(chat_id, 0.0) > time.monotonic():
                self.pacer.done(turn)  # unused: another send to the person went first
                continue
            self._person_next[chat_id] = float("inf")  # until Zalo answers this one
            self._turns[chat_id] = turn
            if self.shared is not None:
                self._slots[chat_id] = await self.shared.acquire()
            return

    def done(self, chat_id: str) -> None:
        """Record Zalo's answer (or failure) to the send `wait` let through."""
        now = time.monotonic()
        turn = self._turns.pop(chat_id, None)
        if turn is not None:
            self.pacer.done(turn)
        if self.shared is not None:
            self.shared.release(self._slots.pop(chat_id, None))
        self._person_next[chat_id] = now + self.per_person_s
        if len(self._person_next) > 10_000:  # forget people whose second is long past
            self._person_next = {k: v for k, v in self._person_next.items() if v > now}


async def drain(
    client: ZaloClient,
    services: Services,
    pacer: ZaloPacer,
    *,
    owner: str,
    keep_going: Callable[[], bool],
) -> int:
    """Send every Zalo message that is due, until none is left or told to stop.

    A claim holds back a row while an earlier one to its chat is to be sent (as Telegram's
    drain, `scheduler.sender.drain`, claims again once a delivery has ended).
    """
    slots = asyncio.Semaphore(POOL)
    inflight: set[asyncio.Task[bool]] = set()
    sent = ended = 0
    batch = max(10, int(pacer.pacer.ceiling))
    down = asyncio.Event()  # set when a call found Zalo out of reach: claim no more
    if keep_going() and CHANNEL in services.unreached:  # one asks if it answers; the rest wait
        probe = await in_worker(_claim, services, owner, 1, CHANNEL)
        if not probe or not await guarded(client, services, pacer, owner, probe[0], down=down):
            return 0
        sent += 1

    def done(task: asyncio.Task[bool]) -> None:
        nonlocal sent, ended
        inflight.discard(task)
        slots.release()
        ended += 1
        if not task.cancelled() and task.exception() is None and task.result():
            sent += 1

    try:
        while keep_going() and not down.is_set():
            claimed_at = ended
            rows = deque(await in_worker(_claim, services, owner, batch, CHANNEL))
            if not rows:
                if ended == claimed_at and not await one_ended(inflight, keep_going):
                    break
                continue
            while rows and not down.is_set() and await acquire_while(slots, keep_going):
                row = rows.popleft()
                sending = guarded(client, services, pacer, owner, row, down=down)
                task = asyncio.create_task(sending)
                inflight.add(task)
                task.add_done_callback(done)
            if rows:
                await in_worker(_release, services, owner, [r.id for r in rows])
    finally:
        await finish(inflight, stopping=not keep_going())
    return sent


async def guarded(
    client: ZaloClient,
    services: Services,
    pacer: ZaloPacer,
    owner: str,
    row: Claimed,
    *,
    down: asyncio.Event | None = None,
) -> bool:
    """Deliver one message; an unexpected error is logged and the row retried later."""
    try:
        return await deliver(client, services, pacer, owner, row, down=down)
    except OperationalError as exc:
        # The database out of reach is not the message's fault: as Telegram's sender does,
        # the row goes back for the next claim once the database answers (one marked
        # `sending` waits for its lease). Put off by RETRY_LATER instead, with a traceback, a
        # reminder of 16:56 went past office time, to the next day's reminder.
        log.warning("outbox %s: the database is out of reach (%s); tried again", row.id, exc.orig)
        with contextlib.suppress(OperationalError):
            await retry_db_async(
                partial(in_worker, _release, services, owner, [row.id]),
                f"giving outbox {row.id} back",
                max_wait=MARK_SENT_WAIT_S,
            )
        return False
    except Exception as exc:
        log.exception("delivering outbox %s on Zalo failed", row.id)
        try:
            await in_worker(_later, services, row, type(exc).__name__)
        except Exception:
            log.exception("outbox %s: the failure could not be recorded", row.id)
        return False


async def deliver(
    client: ZaloClient,
    services: Services,
    pacer: ZaloPacer,
    owner: str,
    row: Claimed,
    *,
    down: asyncio.Event | None = None,
) -> bool:
    """Send one claimed row in parts, with retries; return whether it was delivered.
    Zalo out of reach (no connection made), the row goes back as it was, its try not
    counted, and `down` is set (scheduler/channel_down.py)."""
    if not await in_worker(_begin, services, owner, row):
        return False
    lang = await in_worker(_language, services, row)
    parts = _parts(services, row, lang)
    progress = Progress(services, row)
    failures = 0
    message_id = ""
    started = None  # when its first call began: an answer's choices kept since go after it
    while progress.done < len(parts):
        await pacer.wait(row.chat_id, lane_of(row.priority))
        started = started or services.clock.now()
        try:
            sent = await client.send_message(row.chat_id, parts[progress.done], retry=False)
        except ZaloError as exc:
            failed: ZaloError | None = exc
        else:
            failed = None
        finally:
            pacer.done(row.chat_id)
        _count(services, failed)
        if failed is not None:
            if failed.code == UNAUTHORIZED:  # the bot's token, not this message: held
                await in_worker(_held, services, row, str(failed))
                return False
            if failed.unreachable:
                await in_worker(_unreachable, services, row, str(failed))
                return False
            if channel_down.never_sent(failed):  # Zalo is down, not the message
                channel_down.held(services, CHANNEL, "Zalo", failed)
                if down is not None:
                    down.set()
                await in_worker(_put_back, services, row, str(failed))
                return False
            if not failed.retryable:
                log.warning("outbox %s refused by Zalo: %s", row.id, failed)
                await in_worker(_fail, services, row, str(failed))
                return False
            failures += 1
            if failures > len(BACKOFF_S):
                await in_worker(_later, services, row, str(failed))
                return False
            if unknown_outcome(failed):  # said, as Telegram's sender says it
                log.warning(UNKNOWN_OUTCOME, row.id, failed)
            await asyncio.sleep(BACKOFF_S[failures - 1])
            continue
        channel_down.answered(services, CHANNEL, "Zalo")
        message_id = sent.message_id
        if progress.done + 1 < len(parts):
            await progress.delivered(progress.done + 1)
        else:
            progress.done += 1
    await retry_db_async(
        partial(in_worker, _sent, services, row, message_id, started or services.clock.now()),
        f"marking outbox {row.id} sent",
        max_wait=MARK_SENT_WAIT_S,
    )
    return True


RATE_LIMITED = 429
NETWORK = 0  # zalo.types: no answer at all
# No answer, or one that could not be read (a cut JSON, a proxy's page): Zalo may have taken
# the message, and what is sent again may arrive twice (sendMessage has no de-duplication).
UNKNOWN_OUTCOME = "outbox %s: no readable answer from Zalo (%s); sent again, it may arrive twice"


def unknown_outcome(failed: ZaloError) -> bool:
    """Tell whether a failed send may have reached the person all the same."""
    return failed.code == NETWORK or (failed.code >= 500 and not failed.description)


def _count(services: Services, failed: ZaloError | None) -> None:
    """Count one call's result in /metrics under the Zalo channel, as Telegram's sender does
    (sent, rate_limited, unreachable, error for what is retried, refused for the rest)."""
    if failed is None:
        result = "sent"
    elif failed.code == RATE_LIMITED:
        result = "rate_limited"
    elif failed.unreachable:
        result = "unreachable"
    elif failed.retryable:
        result = "error"
    else:
        result = "refused"
    services.metrics.sent(CHANNEL, result, at=services.clock.now() if failed is None else None)


def _held(services: Services, row: Claimed, error: str) -> None:
    """Put the row back for later while Zalo refuses the token (never failed for it), and
    tell the operator, once a minute at most."""
    global _token_told
    with session_scope(services.engine) as session:
        not_before = services.clock.now() + RETRY_LATER
        marks.retry_later(session, outbox_id=row.id, not_before=not_before, error=error)
    if time.monotonic() - _token_told >= TOKEN_TOLD_EVERY_S:
        _token_told = time.monotonic()
        log.error("Zalo refused the bot token (401): Zalo messages are held until it is fixed")


def _begin(services: Services, owner: str, row: Claimed) -> bool:
    """Mark the row as being sent (committed before the call), unless it must not go."""
    with session_scope(services.engine) as session:
        return _start(services, owner, row, session)


def _language(services: Services, row: Claimed) -> str:
    """Return the recipient's language (the default for a row without a contact)."""
    with session_scope(services.engine) as session:
        contact = session.get(Contact, row.contact_id) if row.contact_id else None
        return contact.language if contact is not None else services.settings.default_language


def _parts(services: Services, row: Claimed, lang: str) -> list[str]:
    """Return the row's text as Zalo messages (every Zalo row holds markup; an answer Zalo
    refused for now holds its messages as they were shown, `app.unsent`)."""
    payload = row.payload
    shown = payload.get(PARTS)
    if isinstance(shown, list) and shown:
        return [str(part) for part in shown]
    text: str = payload.get("text", "")
    rows = rows_from_json(payload.get("choices") or [])
    return show(services.catalog, lang, text, rows)


def _sent(services: Services, row: Claimed, message_id: str, started: datetime) -> None:
    """Record the delivery; its choices become what a typed number answers, unless those of
    an answer worked out since its first call `started` (sent after it: `offers.keep_sent`)."""
    now = services.clock.now()
    rows = rows_from_json(row.payload.get("choices") or [])
    with session_scope(services.engine) as session:
        marks.mark_sent(session, outbox_id=row.id, now=now, message_id=message_id)
        if rows and row.contact_id is not None:
            data = {
                "offer": f"{OUTBOX}{row.id}",
                "choices": [list(c.data) for c in numbered(rows)],
            }
            keep_sent(session, contact_id=row.contact_id, data=data, started=started, now=now)


SEND_EVERY_S = 1.0


async def run_sender(
    client: ZaloClient,
    services: Services,
    pacer: ZaloPacer,
    *,
    stop: asyncio.Event,
    woken: asyncio.Event,
    owner: str,
) -> None:
    """Drain the Zalo outbox every second, or at once when woken, until stopped.

    Among several workers, only the one elected Zalo's sender drains (scheduler/roles.py).
    """
    roles, role, term = services.roles, sender_role(CHANNEL), 0

    def keep_going() -> bool:
        return not stop.is_set() and roles.holds(role)

    while not stop.is_set():
        try:
            if roles.holds(role):
                term = await take_over(services, CHANNEL, term)
                await drain(client, services, pacer, owner=owner, keep_going=keep_going)
        except OperationalError as exc:  # out of reach: a line a second, not a traceback
            log.warning("the Zalo sender waits for the database (%s)", exc.orig)
        except Exception:
            log.exception("the Zalo sender stopped on an error; it restarts within a second")
        woken.clear()
        if stop.is_set():  # a stop wakes the sender too (after it set `stop`): it ends now
            break
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(woken.wait(), SEND_EVERY_S)
