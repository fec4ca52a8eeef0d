"""The one sender: drain the outbox through the rate limiter, a few sends at a time.

Each message is claimed with a lease, marked `sending` (committed) just before the call and
`sent` with Telegram's message id (committed) right after it, that write retried through a
brief database outage. So a crash, or a timeout after Telegram accepted, can at worst repeat
the messages that were in flight; everything else is sent exactly once. An unexpected error
is logged and the message retried later. A 429 makes every send wait (the rate limiter)
and this message retry; 5xx and network errors retry with backoff; 403 marks the contact
unreachable.
Reminders (the bulk lane) go out only in working hours on working days.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy.exc import OperationalError
from sqlmodel import Session
from telegram import InlineKeyboardMarkup, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import ExtBot

from app.choices import rows_from_json, rows_to_json
from app.notices import office_moment, work_hours
from app.services import Services
from core.markup import to_html
from core.states import SendStatus
from db.engine import session_scope
from db.models import Outbox
from db.queries import outbox_claim as claims
from db.queries import outbox_leases as leases
from db.queries import outbox_marks as marks
from db.queries.calendar import working_calendar
from db.queries.outbox import EDIT_OF, MARKUP, PRIORITY_INTERACTIVE, PRIORITY_REMINDER, TELEGRAM
from db.queries.outbox_claim import Claimed
from db.queries.outbox_held import hold_left_over
from db.queries.outbox_merged import merged_out
from db.queries.recipients import identity_reachable, mark_unreachable, recipient
from db.queries.reminder_outbox import drop_items, to_chase
from db.retry import retry_db_async
from render.telegram import buttons
from scheduler import channel_down
from scheduler.dispatcher.stale import expire_stale, stale
from scheduler.groupcommit import GroupCommit
from scheduler.messages import recompose, redated, said_deadlines
from scheduler.pacing import Lane
from scheduler.ratelimit import DeliveryRateLimiter, seconds_of
from scheduler.roles import sender_role
from scheduler.split import split_html
from scheduler.workers import in_worker

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)
# Messages being delivered at once: marked `sending` and waiting for their turn, or in a
# call; of these, at most CALLS between their call and their `sent` commit.
POOL = 16
CALLS = 8
BACKOFF_S = (0.5, 1.0, 2.0, 4.0, 8.0)
FLOOD_RETRIES = 10
MAX_ATTEMPTS = 8  # claims that reached the call, across restarts
REPORT_AFTER = 100  # a drain that sent this many says the rate it held
RETRY_LATER = timedelta(minutes=5)
EDIT_WAIT = timedelta(minutes=1)  # an edit put off while its message is still to go
# Marking a delivered row sent is retried through a brief outage ("database is locked"), but
# not past half its lease: an expired lease would let the row be claimed and sent again.
MARK_SENT_WAIT_S = LEASE.total_seconds() / 2
CAPTION_LIMIT = 1024
OFFICE_KINDS = ("nudge",)  # kept to office time besides the reminders' priority
CHASING = ("reminder", "nudge")  # dropped when nothing they chase is followed up any more
# A stop waits this long for the messages being delivered; those still waiting (for a 429's
# retry_after, or its call) are cancelled: each marked `sending` goes at the next start once
# its lease ends, as after a crash (twice only if its call had reached the channel).
STOP_WAIT_S = 10.0
SLOT_CHECK_S = 0.5  # how often a drain waiting for a slot looks whether it is told to stop
STILL_HELD = "%d messages still waiting %.0f s into the stop: they go at the next start"
# Logged for a call whose outcome is unknown, sent again (tests/faults/test_workers.py reads it).
UNKNOWN_OUTCOME = "outbox %s: no answer from Telegram (%s); sent again, it may arrive twice"
UNREACHABLE_HINTS = ("chat not found", "user is deactivated", "bot was blocked")


def new_owner() -> str:
    """Return a lease owner name unique to this process."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def lane_of(priority: int) -> Lane:
    """Return the rate limiter's lane for an outbox priority."""
    if priority <= PRIORITY_INTERACTIVE:
        return Lane.DIRECT
    return Lane.NOTICE if priority < PRIORITY_REMINDER else Lane.BULK


def office_bound(
    services: Services, now: datetime, session: Session
) -> tuple[int | None, tuple[str, ...], bool]:
    """Return what a claim leaves out now: out of office time, the reminders (by priority),
    the nudges (by kind: a notice's priority, but a reminder typed by a coordinator, held to
    office time when typed out of it) and the notices flagged for office time (a notice to
    an official about their task, `outbox.OFFICE`). One of those nudges or notices still
    queued when office time ended is held until the next office moment, as one typed then is."""
    if office_time(services, now, session):
        return None, (), False
    moment = partial(
        office_moment,
        session,
        now=now,
        hours=services.settings.work_hours,
        tz=services.settings.tz,
    )
    held = hold_left_over(session, kinds=OFFICE_KINDS, now=now, to=moment, flagged=True)
    if held:
        log.info("%d nudges and notices left past office time wait for office time", held)
    return PRIORITY_REMINDER - 1, OFFICE_KINDS, True


def office_time(services: Services, now: datetime, session: Session) -> bool:
    """Tell whether reminders may go out now (working hours on a working day).

    Read in the claim's own session: the sender asks every second, busy or not.
    """
    local = now.astimezone(services.settings.tz)
    calendar = working_calendar(session)
    hours = work_hours(services.settings.work_hours)
    return calendar.is_working_day(local.date()) and hours.contains(local.time())


async def take_over(services: Services, channel: str, seen_term: int) -> int:
    """Free the leases of the sender before this one, once per term won; return the term.

    Only among several workers, where one sender per channel is elected
    (scheduler/roles.py): its predecessor is dead or cut off, or was this worker in a term
    whose drain has ended. A single process leaves leases to run out as they always did.
    """
    term = services.roles.term(sender_role(channel))
    if services.worker is None or term == seen_term:
        return term

    def free() -> int:
        with session_scope(services.engine) as session:
            return leases.take_over_leases(session, channel=channel)

    freed = await retry_db_async(lambda: in_worker(free), "taking over the leases")
    if freed:
        log.warning("%s sender: took over %d messages leased by the one before", channel, freed)
    return term


async def drain(
    bot: ExtBot[Any], services: Services, *, owner: str, keep_going: Callable[[], bool]
) -> int:
    """Send every message that is due, until none is left or told to stop; return how many.

    The next batch is claimed while the last rows of this one go out, so the pacer never
    waits for a claim. A claim holds back a row while an earlier one to its chat is to be
    sent (`outbox_heads.heads`): when it finds nothing while messages are being delivered,
    the drain claims again once one of them has ended, which may have let the next of its
    chat go.
    """
    run = Run(bot, services, owner, GroupCommit(services.engine), asyncio.Semaphore(CALLS))
    slots = asyncio.Semaphore(POOL)
    inflight: set[asyncio.Task[bool]] = set()
    sent = 0
    started = time.monotonic()
    batch = max(10, int(services.settings.send_rate_per_s))
    rows: deque[Claimed] = deque()
    claiming: asyncio.Future[list[Claimed]] | None = None
    ended = claimed_at = 0  # deliveries ended: in all, and when the last claim began

    def done(task: asyncio.Task[bool]) -> None:
        nonlocal sent, ended
        inflight.discard(task)
        slots.release()
        ended += 1
        if not task.cancelled() and task.exception() is None and task.result():
            sent += 1

    def claim() -> asyncio.Future[list[Claimed]]:
        nonlocal claimed_at
        claimed_at = ended
        return asyncio.ensure_future(in_worker(_claim, services, owner, batch))

    if keep_going() and TELEGRAM in services.unreached:  # one asks if it answers; the rest wait
        probe = await in_worker(_claim, services, owner, 1)
        if not probe or not await guarded(run, probe[0]):
            return 0
        sent += 1

    try:
        claiming = claim()
        # Telegram out of reach: what is claimed goes back, tried again at the next drain.
        while keep_going() and not run.down.is_set():
            if not rows:
                if claiming is None:
                    break
                rows.extend(await claiming)
                claiming = None
                if not rows:
                    if ended == claimed_at and not await one_ended(inflight, keep_going):
                        break
                    claiming = claim()
                    continue
            if claiming is None and len(rows) <= POOL:
                claiming = claim()
            if not await acquire_while(slots, keep_going):
                break
            task = asyncio.create_task(guarded(run, rows.popleft()))
            inflight.add(task)
            task.add_done_callback(done)
    finally:
        if claiming is not None:
            with contextlib.suppress(Exception):  # a claim that failed leased nothing
                rows.extend(await claiming)
        if rows:
            await in_worker(_release, services, owner, [r.id for r in rows])
        await finish(inflight, stopping=not keep_going())
    if sent >= REPORT_AFTER:
        report_rate(bot, sent, time.monotonic() - started)
    return sent


async def acquire_while(slots: asyncio.Semaphore, keep_going: Callable[[], bool]) -> bool:
    """Take a delivery slot; False when told to stop first (every slot may be held for a
    429's minute: a stop is not kept waiting for one)."""
    while keep_going():
        try:
            await asyncio.wait_for(slots.acquire(), SLOT_CHECK_S)
        except TimeoutError:
            continue
        return True
    return False


async def one_ended(inflight: set[asyncio.Task[bool]], keep_going: Callable[[], bool]) -> bool:
    """Wait until one of the messages being delivered has ended; False when none is being
    delivered, or when told to stop first."""
    while inflight and keep_going():
        ended, _ = await asyncio.wait(
            set(inflight), timeout=SLOT_CHECK_S, return_when=asyncio.FIRST_COMPLETED
        )
        if ended:
            return True
    return False


async def finish(inflight: set[asyncio.Task[bool]], *, stopping: bool) -> None:
    """Wait for the messages being delivered; at a stop, STOP_WAIT_S at most.

    A 429's `retry_after` (a minute, every send held) kept a stop waiting that long (and
    systemd kills at 30 s): what is still held then is cancelled, left as a crash leaves it.
    """
    tasks = set(inflight)  # the set shrinks as they end
    if not tasks:
        return
    if not stopping:
        await asyncio.gather(*tasks, return_exceptions=True)
        return
    _, held = await asyncio.wait(tasks, timeout=STOP_WAIT_S)
    if held:
        log.warning(STILL_HELD, len(held), STOP_WAIT_S)
        for task in held:
            task.cancel()
        await asyncio.gather(*held, return_exceptions=True)


def report_rate(bot: ExtBot[Any], sent: int, seconds: float) -> None:
    """Log the rate a long drain held, and the pacer's own account of it."""
    limiter = bot.rate_limiter
    pace = f"; {limiter.pacer.report()}" if isinstance(limiter, DeliveryRateLimiter) else ""
    log.info("sent %d messages in %.1f s: %.2f/s%s", sent, seconds, sent / seconds, pace)


def _claim(services: Services, owner: str, limit: int, channel: str = TELEGRAM) -> list[Claimed]:
    """Lease the next messages of a channel; reminders and nudges only in office time."""
    now = services.clock.now()
    with session_scope(services.engine) as session:
        most, held, flagged = office_bound(services, now, session)
        return claims.claim(
            session,
            owner=owner,
            now=now,
            limit=limit,
            lease=LEASE,
            max_priority=most,
            kinds_held=held,
            office_held=flagged,
            channel=channel,
        )


def _release(services: Services, owner: str, ids: list[int]) -> None:
    """Give back messages claimed but not started."""
    with session_scope(services.engine) as session:
        leases.release(session, outbox_ids=ids, owner=owner)


@dataclass(frozen=True)
class Run:
    """What every delivery of one drain shares."""

    bot: ExtBot[Any]
    services: Services
    owner: str
    writes: GroupCommit  # the marks `sending` and `sent`, committed in groups
    calls: asyncio.Semaphore  # calls made and not yet marked sent
    # Set when a call found Telegram out of reach: the drain claims no more (the next tries).
    down: asyncio.Event = field(default_factory=asyncio.Event)


async def guarded(run: Run, row: Claimed) -> bool:
    """Deliver one message; an unexpected error is logged and the row retried later."""
    services = run.services
    try:
        return await deliver(run, row)
    except OperationalError as exc:
        # The database is out of reach (not the message's fault): give the row back for the
        # next claim rather than put it off for RETRY_LATER; if that fails too, its lease
        # runs out (or the next sender's term frees it, scheduler/roles.py).
        log.warning("outbox %s: the database is out of reach (%s); tried again", row.id, exc)
        with contextlib.suppress(Exception):
            await in_worker(_release, services, run.owner, [row.id])
        return False
    except Exception as exc:
        log.exception("delivering outbox %s failed", row.id)
        try:
            await in_worker(_later, services, row, f"{type(exc).__name__}: {exc}")
        except Exception:
            log.exception(
                "outbox %s: the failure could not be recorded; its lease expires", row.id
            )
        return False


async def deliver(run: Run, row: Claimed) -> bool:
    """Send one claimed message with retries; return whether it was delivered.

    Marking it `sending` and `sent` are committed with other messages' (group commit), and
    this waits for each commit. At most CALLS messages are between their call and their
    `sent` commit, so a crash repeats at most that many.
    """
    services = run.services
    if not await run.writes.run(partial(_start, services, run.owner, row)):
        return False
    async with run.calls:
        return await _deliver(run, row)


async def _deliver(run: Run, row: Claimed) -> bool:
    """Make the calls, retrying what may be retried, and record the outcome."""
    services = run.services
    failures = floods = 0
    progress = Progress(services, row)
    while True:
        try:
            message = await _call(run.bot, row, progress, services.button_key)
        except RetryAfter as exc:
            services.metrics.sent(TELEGRAM, "rate_limited")
            floods += 1
            if floods > FLOOD_RETRIES:
                await in_worker(_later, services, row, "flood control")
                return False
            await asyncio.sleep(seconds_of(exc.retry_after))
            continue
        except Forbidden as exc:
            services.metrics.sent(TELEGRAM, "unreachable")
            await in_worker(_unreachable, services, row, str(exc))
            return False
        except BadRequest as exc:
            services.metrics.sent(TELEGRAM, "refused")
            if any(hint in str(exc).lower() for hint in UNREACHABLE_HINTS):
                await in_worker(_unreachable, services, row, str(exc))
            else:
                log.warning("outbox %s refused by Telegram: %s", row.id, exc)
                await in_worker(_fail, services, row, str(exc))
            return False
        except (NetworkError, TelegramError) as exc:  # 5xx, timeouts, connection errors
            services.metrics.sent(TELEGRAM, "error")
            if channel_down.never_sent(exc):  # the channel is down, not the message: no try spent
                channel_down.held(services, TELEGRAM, "Telegram", exc)
                run.down.set()
                await in_worker(_put_back, services, row, str(exc))
                return False
            failures += 1
            if failures > len(BACKOFF_S):
                await in_worker(_later, services, row, str(exc))
                return False
            if isinstance(exc, NetworkError):
                # No answer: Telegram may have taken it, and what is sent again may arrive
                # twice (sendMessage has no de-duplication). Said, as that is the one way
                # besides a crash that a person gets a message twice.
                log.warning(UNKNOWN_OUTCOME, row.id, exc)
            await asyncio.sleep(BACKOFF_S[failures - 1])
            continue
        services.metrics.sent(TELEGRAM, "sent", at=services.clock.now())
        channel_down.answered(services, TELEGRAM, "Telegram")
        await retry_db_async(
            partial(run.writes.run, partial(_sent, services, row, message)),
            f"marking outbox {row.id} sent",
            max_wait=MARK_SENT_WAIT_S,
        )
        return True


class Progress:
    """The parts of a message split for length that were delivered, kept in its payload.

    A retry (or another sender after a crash) goes on from the first part not delivered, so
    a split message repeats at most the part that was in flight, as a whole one would.
    """

    def __init__(self, services: Services, row: Claimed) -> None:
        self.services, self.row = services, row
        self.done = int(row.payload.get("parts_sent", 0))

    async def delivered(self, parts: int, message_id: int | None = None) -> None:
        """Record that the first `parts` parts were delivered, the last as `message_id` (a
        reaction to it is one to the whole message, `app.checkin.reaction`)."""
        self.done = parts
        await retry_db_async(
            partial(in_worker, self._save, parts, message_id),
            f"recording the parts of outbox {self.row.id} sent",
            max_wait=MARK_SENT_WAIT_S,
        )

    def _save(self, parts: int, message_id: int | None) -> None:
        """Write the count (blocking)."""
        with session_scope(self.services.engine) as session:
            marks.mark_parts_sent(
                session, outbox_id=self.row.id, parts=parts, message_id=message_id
            )


async def _call(bot: ExtBot[Any], row: Claimed, progress: Progress, button_key: bytes) -> Message:
    """Make the Bot API calls the outbox row describes; a text too long goes in parts."""
    payload = row.payload
    text = _html(payload)
    markup = _markup(bot, row, button_key)
    chat_id: int | str = int(row.chat_id) if row.chat_id.lstrip("-").isdigit() else row.chat_id
    lane = int(lane_of(row.priority)) or None
    document = payload.get("document")
    if EDIT_OF in payload:  # an earlier message's text and buttons replaced (`_to_edit`)
        edited = await bot.edit_message_text(
            text, chat_id=chat_id, message_id=int(payload["edit"]), parse_mode=ParseMode.HTML
        )
        assert isinstance(edited, Message)  # a bot's message in a chat, not an inline one
        return edited
    if document is None:
        *leading, last = split_html(text)
        await _send_parts(bot, chat_id, leading, lane, progress)
        return await bot.send_message(
            chat_id, last, parse_mode=ParseMode.HTML, reply_markup=markup, rate_limit_args=lane
        )
    content = await in_worker(Path(document["path"]).read_bytes)
    caption = text if len(text) <= CAPTION_LIMIT else None
    if text and caption is None:
        await _send_parts(bot, chat_id, split_html(text), lane, progress)
    return await bot.send_document(
        chat_id,
        content,
        filename=document.get("file_name"),
        caption=caption,
        parse_mode=ParseMode.HTML,
        reply_markup=markup,
        rate_limit_args=lane,
    )


def _html(payload: dict[str, Any]) -> str:
    """Return the row's text as Telegram HTML (rows queued before markup hold HTML already)."""
    text: str = payload.get("text", "")
    return to_html(text) if payload.get("format") == MARKUP else text


def _markup(bot: ExtBot[Any], row: Claimed, button_key: bytes) -> InlineKeyboardMarkup | None:
    """Return the row's choices as buttons signed for its recipient (a private chat's id)."""
    choices = row.payload.get("choices")
    if choices:
        return buttons(button_key, row.chat_id, rows_from_json(choices))
    legacy = row.payload.get("reply_markup")  # queued before choices were stored
    return InlineKeyboardMarkup.de_json(legacy, bot) if legacy else None


async def _send_parts(
    bot: ExtBot[Any], chat_id: int | str, parts: list[str], lane: int | None, progress: Progress
) -> None:
    """Send the parts not delivered yet, recording each one as it is delivered."""
    for number, part in enumerate(parts, 1):
        if number <= progress.done:
            continue
        sent = await bot.send_message(
            chat_id, part, parse_mode=ParseMode.HTML, rate_limit_args=lane
        )
        await progress.delivered(number, sent.message_id)


def _start(services: Services, owner: str, row: Claimed, session: Session) -> bool:
    """Mark the row as being sent; skip it when the contact is unreachable or all is done.

    A reminder (or a coordinators' list) of an earlier day is cancelled with the others of
    its day, as the day's first sweep would: between the first office moment and that
    sweep (up to a minute) the sender would otherwise send yesterday's, then today's.
    """
    now = services.clock.now()
    tz = services.settings.tz
    today = now.astimezone(tz).date()
    if stale(row.kind, row.created_at, today=today, tz=tz):
        expire_stale(session, today=today, tz=tz)
        marks.cancel(session, outbox_id=row.id, reason="superseded")  # if it was in flight
        return False
    if not identity_reachable(session, channel=row.channel, chat_id=row.chat_id):
        _elsewhere(session, row, "unreachable")
        return False
    if EDIT_OF in row.payload and not _to_edit(services, row, session):
        return False
    about, chased = (
        to_chase(session, outbox_id=row.id, deadlines=said_deadlines(row.payload))
        if row.kind in CHASING
        else (set(), set())
    )
    chased -= merged_out(row.payload)  # a merge kept its copy in another of the person's
    if about and not chased:
        marks.cancel(session, outbox_id=row.id, reason="nothing left to chase")
        return False
    if not marks.mark_sending(session, outbox_id=row.id, owner=owner, now=now, lease=LEASE):
        return False
    if row.kind == "nudge":
        _as_of(services, row, session, today)
    if chased != about:
        _leave_out(services, row, session, about - chased)
    return True


def _to_edit(services: Services, row: Claimed, session: Session) -> bool:
    """Tell whether the message an edit is for went (its id then kept on the claimed copy);
    one still to go puts the edit off a while, one that never went drops it."""
    edited = session.get(Outbox, int(row.payload[EDIT_OF]))
    message_id = edited.channel_message_id if edited is not None else None
    if edited is not None and edited.status == SendStatus.SENT and message_id is not None:
        if edited.channel != TELEGRAM or edited.chat_id != row.chat_id:  # went elsewhere
            marks.cancel(session, outbox_id=row.id, reason="nothing to edit")
            return False
        row.payload["edit"] = message_id
        return True
    if edited is None or edited.status in (SendStatus.FAILED, SendStatus.CANCELLED):
        marks.cancel(session, outbox_id=row.id, reason="nothing to edit")
        return False
    later = services.clock.now() + EDIT_WAIT
    marks.retry_later(session, outbox_id=row.id, not_before=later, error="its message to go first")
    return False


def _as_of(services: Services, row: Claimed, session: Session, today: date) -> None:
    """Word a nudge composed on an earlier day (held past office time: the bot was down, a
    fan-out ran late) as of today, as one typed at night is worded for the morning it goes."""
    recipe = row.payload.get("recipe")
    if not isinstance(recipe, dict) or row.payload.get("parts_sent"):
        return
    day = recipe.get("day")
    if not isinstance(day, str) or day >= today.isoformat():
        return
    again = redated(recipe, today, working_calendar(session))
    if again is None:
        return
    _recomposed(services, row, session, again, {int(i["assignment_id"]) for i in again["items"]})


def _leave_out(services: Services, row: Claimed, session: Session, dropped: set[int]) -> None:
    """Compose the message again without what is no longer to chase, before it is sent.

    Done under the lease, in the transaction that marks it `sending`, so the text sent is
    the one stored (a retry or another sender after a crash sends the same, or composes it
    again with less). A message of which a part went already, or without a recipe (queued
    before recipes), goes as it is.
    """
    recipe = row.payload.get("recipe")
    if not recipe or row.payload.get("parts_sent"):
        return
    keep = {int(i["assignment_id"]) for i in recipe.get("items", [])} - dropped
    if _recomposed(services, row, session, recipe, keep):
        drop_items(session, outbox_id=row.id, assignment_ids=sorted(dropped))


def _recomposed(
    services: Services, row: Claimed, session: Session, recipe: dict[str, Any], keep: set[int]
) -> bool:
    """Store the message composed again from its recipe with the items kept; False when
    nothing would be left to send (the message goes as it is)."""
    part = recompose(recipe, keep, catalog=services.catalog)
    if part is None:
        return False
    payload = {
        **row.payload,
        "text": part.text,
        "choices": rows_to_json(part.choices),
        "recipe": part.recipe,
    }
    marks.rewrite(session, outbox_id=row.id, payload=payload)
    row.payload.update(payload)  # the claimed copy is what the caller sends
    return True


def _sent(services: Services, row: Claimed, message: Message, session: Session) -> None:
    """Record the delivery and Telegram's message id, for attributing replies."""
    marks.mark_sent(
        session,
        outbox_id=row.id,
        now=services.clock.now(),
        message_id=str(message.message_id),
    )


def _unreachable(services: Services, row: Claimed, error: str) -> None:
    """Mark this identity unreachable (blocked the bot, or gone); send the row elsewhere."""
    with session_scope(services.engine) as session:
        now = services.clock.now()
        mark_unreachable(session, channel=row.channel, chat_id=row.chat_id, now=now)
        _elsewhere(session, row, error)
    log.info("contact %s unreachable on %s: %s", row.contact_id, row.channel, error)


def _elsewhere(session: Session, row: Claimed, error: str) -> None:
    """Queue the row for the person's other reachable identity, or fail it when none is."""
    other = recipient(session, contact_id=row.contact_id)
    if EDIT_OF in row.payload:  # an edit of a Telegram message goes nowhere else
        marks.mark_failed(session, outbox_id=row.id, error=error)
        return
    if other is None or (other.channel, other.chat_id) == (row.channel, row.chat_id):
        marks.mark_failed(session, outbox_id=row.id, error=error)
        return
    marks.reroute(session, outbox_id=row.id, channel=other.channel, chat_id=other.chat_id)
    log.info("outbox %s goes to contact %s on %s", row.id, row.contact_id, other.channel)


def _fail(services: Services, row: Claimed, error: str) -> None:
    """Give up on the row."""
    with session_scope(services.engine) as session:
        marks.mark_failed(session, outbox_id=row.id, error=error)


def _put_back(services: Services, row: Claimed, error: str) -> None:
    """Put the row back as it was (the channel out of reach): its try is not counted (the
    Zalo sender's too)."""
    with session_scope(services.engine) as session:
        marks.put_back(session, outbox_id=row.id, error=error)


def _later(services: Services, row: Claimed, error: str) -> None:
    """Put the row back for a later attempt, or give up after too many."""
    with session_scope(services.engine) as session:
        if row.attempts + 1 >= MAX_ATTEMPTS:
            log.warning("outbox %s failed after %d attempts: %s", row.id, MAX_ATTEMPTS, error)
            marks.mark_failed(session, outbox_id=row.id, error=error)
            return
        not_before = services.clock.now() + RETRY_LATER
        marks.retry_later(session, outbox_id=row.id, not_before=not_before, error=error)
