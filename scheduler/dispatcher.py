"""The dispatcher: move today's due reminders from the plan into the outbox, once.

It runs only in working hours on working days. The first run of a day sweeps every
remindable assignment; later runs that day look only at assignments created since. Each
assignment's occasion today comes from core.reminders; occasions missed since its last
reminder (the bot was down, or the message was never sent) are folded into today's
reminder, and the coordinators get the list. Everything due for one contact goes into one
message. Re-running is harmless: a contact never gets an assignment twice in a day.
"""

from __future__ import annotations

import logging
import time as clock
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.choices import rows_to_json
from app.i18n import Catalog
from core.reminders import Policy
from core.workhours import WorkHours
from db.engine import session_scope
from db.queries import reminder_outbox as queued
from db.queries import reminders as q
from db.queries import state
from db.queries import swept_days as swept
from db.queries.outbox import (
    PRIORITY_REMINDER,
    NewMessage,
    cancel_pending,
    enqueue,
    enqueue_many,
)
from db.queries.recipients import Recipient
from scheduler.messages import Item, Part, compose, escalation_list, late_list
from scheduler.sweep import (
    MISSED_HORIZON,
    PAUSE_S,
    Context,
    Due,
    SweepStopped,
    collect,
    start_day,
)
from scheduler.workers import opened, still_wanted

__all__ = [
    "Context",
    "Job",
    "Result",
    "dispatch",
    "expire_stale",
    "run_dispatch",
    "start_day",
    "start_of_day",
]

log = logging.getLogger(__name__)

# Each batch is one write transaction; the bot's own writes wait for it, so keep it short.
CONTACT_BATCH = 20
SWEPT_ON = "reminders.swept_on"
SWEPT_MAX = "reminders.swept_max_id"
# The days the sweep ran, each with the highest assignment id it covered that day: an
# occasion of one of those days with no record was not missed, it was not due then (the
# unit had reported done, the deadline was later, the task was closed). Kept a little longer
# than the sweep looks back for missed reminders.
SWEPT_DAYS = swept.ONE_VALUE  # a row per day under its prefix (db.queries.swept_days)
SWEPT_KEEP = MISSED_HORIZON + timedelta(days=7)
# What the dispatcher queues for one day only: a contact's reminder and the coordinators'
# lists of escalated and missed. Left unsent past midnight, each is cancelled: the next
# day's sweep says it again, up to date (a reminder's occasions fold into the next one).
DAILY_KINDS = ("reminder", "escalation", "late")


@dataclass
class Result:
    """What one run queued."""

    items: int = 0
    messages: int = 0
    folded: int = 0
    escalated: int = 0


@dataclass(frozen=True)
class Job:
    """A dispatch as a worker process receives it: the context but the engine, and the moment."""

    catalog: Catalog
    button_key: bytes
    policy: Policy
    hours: WorkHours
    tz: tzinfo
    now: datetime

    @classmethod
    def of(cls, ctx: Context, now: datetime) -> Job:
        """Return the job of a dispatch at `now` in the context."""
        return cls(ctx.catalog, ctx.button_key, ctx.policy, ctx.hours, ctx.tz, now)

    def context(self, engine: Engine) -> Context:
        """Return the context back, on the engine the job runs with."""
        return Context(
            engine, self.catalog, self.button_key, self.policy, self.hours, self.tz, still_wanted
        )


def run_dispatch(database: str | Engine, job: Job) -> Result | None:
    """Run a dispatch in a worker process (`scheduler.workers.in_process`).

    A country's sweep is minutes of Python: in a thread of the bot it would hold the GIL
    the bot needs to answer people. The process opens its own engine on the database's URL
    and gives up between chunks once the bot stops (`still_wanted`).
    """
    with opened(database) as engine:
        return dispatch(job.context(engine), job.now)


def dispatch(ctx: Context, now: datetime) -> Result | None:
    """Queue the reminders due now; None outside working hours (nothing is done then)."""
    local = now.astimezone(ctx.tz)
    today = local.date()
    with session_scope(ctx.engine) as session:
        calendar = q.calendar_of(session)
        if not (calendar.is_working_day(today) and ctx.hours.contains(local.time())):
            return None
        full = state.value(session, SWEPT_ON) != today.isoformat()
        after_id = 0 if full else int(state.value(session, SWEPT_MAX) or 0)
        top = q.max_assignment_id(session)
        if full:
            expire_stale(session, today=today, tz=ctx.tz)
        swept = swept_days(session)
    result = Result()

    def reached(due: Due) -> None:  # queued while the sweep goes on: the sender starts
        _queue(ctx, due, now, today, result)
        due.by_contact.clear()

    try:
        due = collect(ctx, calendar, now, today, after_id, reached, swept)
        _queue(ctx, due, now, today, result)
        result.escalated, result.folded = due.escalated, due.folded
        if any(lists.escalated.count or lists.missed.count for lists in due.lists):
            with session_scope(ctx.engine) as session:
                _tell_coordinators(session, ctx, due, now, today, "" if full else f":{after_id}")
    except SweepStopped:
        log.info("reminder sweep stopped with the bot; the next run completes it")
        return None
    with session_scope(ctx.engine) as session:
        state.write(session, SWEPT_ON, today.isoformat(), now=now)
        state.write(session, SWEPT_MAX, str(max(top, after_id)), now=now)
        record_swept(session, today, max(top, after_id), now=now)
    if result.items:
        log.info(
            "queued %d reminders in %d messages (today %s)", result.items, result.messages, today
        )
    return result


def expire_stale(session: Session, *, today: date, tz: tzinfo) -> int:
    """Cancel reminders and coordinators' lists of earlier days never sent.

    The reminders' occasions then count as missed, folded into today's reminder: their days
    are taken out of the days swept, where an occasion without a record was not missed.
    """
    midnight = start_of_day(today, tz)
    cancelled = cancel_pending(session, kind="reminder", created_before=midnight)
    forgotten = queued.forget_reminders_of(session, outbox_ids=cancelled, before=today, tz=tz)
    if forgotten:
        swept.forget(session, forgotten, now=midnight)
    lists = [
        cancel_pending(session, kind=kind, created_before=midnight)
        for kind in DAILY_KINDS
        if kind != "reminder"
    ]
    return len(cancelled) + sum(map(len, lists))


def record_swept(session: Session, day: date, top: int, *, now: datetime) -> None:
    """Record that the sweep of `day` covered the assignments up to `top` (the higher of this
    and what was recorded of that day is kept), atomically: another sweep recording at the
    same moment loses nothing (db.queries.swept_days)."""
    swept.record(session, day, top, keep_from=day - SWEPT_KEEP, now=now)


def swept_days(session: Session) -> dict[date, int]:
    """Return the recent days the sweep ran, each with the highest assignment id it covered."""
    return swept.read(session)


def stale(kind: str, created_at: datetime | None, *, today: date, tz: tzinfo) -> bool:
    """Tell whether a queued message is one of an earlier day that expire_stale cancels."""
    return kind in DAILY_KINDS and created_at is not None and created_at < start_of_day(today, tz)


def start_of_day(day: date, tz: tzinfo) -> datetime:
    """Return local midnight of the day, in UTC."""
    return datetime.combine(day, time(0, 0), tzinfo=tz).astimezone(UTC)


def _queue(ctx: Context, due: Due, now: datetime, today: date, result: Result) -> None:
    """Queue one message (or its parts) per contact gathered in `due`, counted in `result`.

    Messages are composed before the write transaction opens: this runs in a thread, and
    SQLite's write lock held while composing would stall the bot's own writes (and so its
    answers to people) for as long as a batch takes.
    """
    since = start_of_day(today, ctx.tz)
    contacts = list(due.by_contact.items())
    for start in range(0, len(contacts), CONTACT_BATCH):
        if not ctx.keep_going():
            raise SweepStopped
        batch = contacts[start : start + CONTACT_BATCH]
        with session_scope(ctx.engine) as session:
            ids = [c for c, _ in batch]
            done = queued.sent_today(session, contact_ids=ids, since=since)
            previous = queued.previous_reminders(session, contact_ids=ids, before=since)
        messages: list[NewMessage] = []
        for contact_id, (person, items) in batch:
            fresh = [i for i in items if (contact_id, i.assignment_id) not in done]
            if fresh:
                parts = compose(
                    fresh,
                    person,
                    catalog=ctx.catalog,
                    day=today,
                    previous=previous.get(contact_id),
                )
                messages += _reminder_messages(person, fresh, parts, today)
                result.items += len(fresh)
        if messages:
            with session_scope(ctx.engine) as session:
                result.messages += len(enqueue_many(session, messages, now=now))
            clock.sleep(PAUSE_S)


def _reminder_messages(
    person: Recipient, items: list[Item], parts: list[Part], today: date
) -> list[NewMessage]:
    """Return one contact's composed reminder for today as messages to queue."""
    first = min(i.assignment_id for i in items)
    return [
        NewMessage(
            key=f"rem:{person.contact_id}:{today.isoformat()}:{first}:{n}",
            chat_id=person.chat_id,
            contact_id=person.contact_id,
            kind="reminder",
            text=part.text,
            choices=rows_to_json(part.choices),
            priority=PRIORITY_REMINDER,
            channel=person.channel,
            assignment_ids=part.assignment_ids,
            recipe=part.recipe,
        )
        for n, part in enumerate(parts)
    ]


def _tell_coordinators(
    session: Session, ctx: Context, due: Due, now: datetime, today: date, tag: str
) -> None:
    """Queue each coordinator's list of escalated units and of missed reminders."""
    for lists in due.lists:
        person, lang = lists.person, lists.person.language
        escalated = lists.escalated
        if escalated.count:
            items = [item for item, _ in escalated.first()]
            shown = len(items) + len({i.task_id for i in items})
            text = escalation_list(
                items,
                lang=lang,
                catalog=ctx.catalog,
                day=today,
                times=escalated.least_seq,
                hidden=escalated.count + len(escalated.tasks) - shown,
            )
            _enqueue_list(session, person, "escalation", f"esc:{today}{tag}", text, now)
        missed = lists.missed
        if missed.count:
            first = missed.first()
            text = late_list(
                first, lang=lang, catalog=ctx.catalog, day=today, hidden=missed.count - len(first)
            )
            _enqueue_list(session, person, "late", f"late:{today}{tag}", text, now)


def _enqueue_list(
    session: Session,
    person: Recipient,
    kind: str,
    key: str,
    text: str,
    now: datetime,
) -> None:
    """Queue a list for one coordinator.

    Not linked to its assignments: a coordinator's reply is not a unit's report, and a
    province's list can name thousands of them.
    """
    enqueue(
        session,
        key=f"{key}:{person.contact_id}",
        chat_id=person.chat_id,
        channel=person.channel,
        contact_id=person.contact_id,
        kind=kind,
        text=text,
        priority=PRIORITY_REMINDER,
        now=now,
    )
