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
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.i18n import Catalog
from core.calendar import WorkingCalendar
from core.reminders import Occasion, Plan, Policy, Workdays
from core.workhours import WorkHours
from db.engine import session_scope
from db.models import Reminder
from db.queries import reminders as q
from db.queries.outbox import PRIORITY_REMINDER, cancel_pending, enqueue
from scheduler.messages import Item, Part, compose, escalation_list, late_list

log = logging.getLogger(__name__)

CHUNK = 1000
# Each batch is one write transaction; the bot's own writes wait for it, so keep it short.
CONTACT_BATCH = 20
MISSED_HORIZON = timedelta(days=14)
SWEPT_ON = "reminders.swept_on"
SWEPT_MAX = "reminders.swept_max_id"


@dataclass(frozen=True)
class Context:
    """What the dispatcher needs from the running bot."""

    engine: Engine
    catalog: Catalog
    button_key: bytes
    policy: Policy
    hours: WorkHours
    tz: tzinfo
    # Asked between chunks: a sweep of a whole country takes minutes, and stopping the bot
    # must not wait for it (what was not done is done by the next run).
    keep_going: Callable[[], bool] = lambda: True


class SweepStopped(Exception):  # noqa: N818  (a request, not a failure)
    """The bot is stopping; the sweep gave up between chunks."""


@dataclass
class Result:
    """What one run queued."""

    items: int = 0
    messages: int = 0
    folded: int = 0
    escalated: int = 0


@dataclass
class _Due:
    """Everything due today, gathered before anything is queued."""

    by_contact: dict[int, tuple[q.Recipient, list[Item]]] = field(default_factory=dict)
    escalated: list[Item] = field(default_factory=list)
    missed: list[tuple[Item, list[date]]] = field(default_factory=list)


def dispatch(ctx: Context, now: datetime) -> Result | None:
    """Queue the reminders due now; None outside working hours (nothing is done then)."""
    local = now.astimezone(ctx.tz)
    today = local.date()
    with session_scope(ctx.engine) as session:
        calendar = q.calendar_of(session)
        if not (calendar.is_working_day(today) and ctx.hours.contains(local.time())):
            return None
        full = q.get_state(session, SWEPT_ON) != today.isoformat()
        after_id = 0 if full else int(q.get_state(session, SWEPT_MAX) or 0)
        top = q.max_assignment_id(session)
        if full:
            expire_stale(session, today=today, tz=ctx.tz)
    try:
        due = _collect(ctx, calendar, now, today, after_id)
        result = _queue(ctx, due, now, today, tag="" if full else f":{after_id}")
    except SweepStopped:
        log.info("reminder sweep stopped with the bot; the next run completes it")
        return None
    with session_scope(ctx.engine) as session:
        q.set_state(session, SWEPT_ON, today.isoformat(), now=now)
        q.set_state(session, SWEPT_MAX, str(max(top, after_id)), now=now)
    if result.items:
        log.info(
            "queued %d reminders in %d messages (today %s)", result.items, result.messages, today
        )
    return result


def expire_stale(session: Session, *, today: date, tz: tzinfo) -> int:
    """Cancel reminders of earlier days never sent; their occasions then count as missed."""
    midnight = start_of_day(today, tz)
    cancelled = cancel_pending(session, kind="reminder", created_before=midnight)
    q.forget_reminders_of(session, outbox_ids=cancelled, before=today)
    return len(cancelled)


def start_of_day(day: date, tz: tzinfo) -> datetime:
    """Return local midnight of the day, in UTC."""
    return datetime.combine(day, time(0, 0), tzinfo=tz).astimezone(UTC)


def start_day(created_at: datetime, now: datetime, ctx: Context, cal: WorkingCalendar) -> date:
    """Return the day a unit is first told: the first office moment after the assignment."""
    moment = ctx.hours.next_send_moment(min(created_at, now), cal, ctx.tz)
    return moment.astimezone(ctx.tz).date()


def _collect(
    ctx: Context, calendar: WorkingCalendar, now: datetime, today: date, after_id: int
) -> _Due:
    """Read the candidates chunk by chunk, record today's reminders, gather the items."""
    workdays = Workdays(calendar)
    due = _Due()
    while True:
        if not ctx.keep_going():
            raise SweepStopped
        with session_scope(ctx.engine) as session:
            chunk = q.candidates(session, after_id=after_id, limit=CHUNK)
            if not chunk:
                return due
            after_id = chunk[-1].assignment_id
            _collect_chunk(session, ctx, chunk, workdays, now, today, due)


def _collect_chunk(
    session: Session,
    ctx: Context,
    chunk: list[q.Candidate],
    workdays: Workdays,
    now: datetime,
    today: date,
    due: _Due,
) -> None:
    """Plan one chunk of candidates, record its reminders and add its items to `due`."""
    ids = [c.assignment_id for c in chunk]
    last, todays = q.reminder_history(session, assignment_ids=ids, today=today)
    people = q.recipients_of_units(session, unit_ids=[c.unit_id for c in chunk])
    tasks = q.task_infos(session, task_ids=[c.task_id for c in chunk])
    units = q.unit_names(session, unit_ids=[c.unit_id for c in chunk])
    records: list[Reminder] = []
    overdue: dict[int, int] = {}
    for c in chunk:
        policy = ctx.policy.with_overrides(
            days_before=c.days_before,
            overdue_every_days=c.overdue_every_days,
            escalate_after=c.escalate_after,
        )
        start = start_day(c.created_at, now, ctx, workdays.calendar)
        plan = Plan(deadline=c.deadline, start=start, policy=policy, workdays=workdays)
        found = _occasion(plan, today, todays.get(c.assignment_id), last.get(c.assignment_id))
        if found is None:
            continue
        occasion, missed = found
        task = tasks[c.task_id]
        item = Item(
            assignment_id=c.assignment_id,
            task_id=c.task_id,
            title=task.title,
            directive=task.directive,
            unit_id=c.unit_id,
            unit=units.get(c.unit_id, str(c.unit_id)),
            deadline=c.deadline,
            kind=occasion.kind,
            seq=occasion.seq,
            escalate=occasion.escalate,
            days_left=max(0, plan.working_days_left(today)),
            days_overdue=plan.days_overdue(today),
            late_from=missed[-1].day if missed and occasion.day != today else None,
        )
        to = people[c.unit_id].for_reminder(escalate=occasion.escalate)
        records += _records(c.assignment_id, occasion, today, missed, reached=bool(to))
        for person in to:
            due.by_contact.setdefault(person.contact_id, (person, []))[1].append(item)
        if occasion.escalate:
            due.escalated.append(item)
        if missed:
            due.missed.append((item, [m.day for m in missed]))
        if occasion.kind == "overdue":
            overdue[c.assignment_id] = occasion.seq
    q.add_reminders(session, records)
    q.set_overdue_counts(session, counts=overdue)


def _occasion(
    plan: Plan, today: date, recorded: Reminder | None, last: date | None
) -> tuple[Occasion, list[Occasion]] | None:
    """Return today's occasion (recorded, planned or the latest missed) and the missed ones.

    Missed reminders are looked for since the last one sent, but no further back than
    MISSED_HORIZON: after a long outage, or on the first run over imported history, a unit
    gets today's reminder (and the recent misses), not months of them.
    """
    if recorded is not None:
        escalate = recorded.kind == "overdue" and recorded.seq >= plan.policy.escalate_after
        return Occasion(recorded.kind, today, recorded.seq, escalate), []
    occasion = plan.on(today)
    horizon = today - MISSED_HORIZON
    missed = plan.between(last if last is not None and last > horizon else horizon, today)
    if occasion is None and not missed:
        return None
    return (occasion or missed[-1]), missed


def _records(
    assignment_id: int, occasion: Occasion, today: date, missed: list[Occasion], *, reached: bool
) -> list[Reminder]:
    """Return the reminder records of one assignment: today's, and the folded ones."""
    rows = [
        Reminder(
            key=f"r:{assignment_id}:{today.isoformat()}",
            assignment_id=assignment_id,
            kind=occasion.kind,
            due_on=today,
            seq=occasion.seq,
            status="queued" if reached else "skipped",
        )
    ]
    if not reached:
        return rows  # nobody to tell: today's row says so; the misses stay unrecorded
    rows += [
        Reminder(
            key=f"r:{assignment_id}:{m.day.isoformat()}",
            assignment_id=assignment_id,
            kind=m.kind,
            due_on=m.day,
            seq=m.seq,
            status="folded",
        )
        for m in missed
    ]
    return rows


def _queue(ctx: Context, due: _Due, now: datetime, today: date, *, tag: str) -> Result:
    """Queue one message (or its parts) per contact, then the coordinators' lists.

    Messages are composed before the write transaction opens: this runs in a thread, and
    SQLite's write lock held while composing would stall the bot's own writes (and so its
    answers to people) for as long as a batch takes.
    """
    result = Result(escalated=len(due.escalated), folded=sum(len(d) for _, d in due.missed))
    since = start_of_day(today, ctx.tz)
    contacts = list(due.by_contact.items())
    for start in range(0, len(contacts), CONTACT_BATCH):
        if not ctx.keep_going():
            raise SweepStopped
        batch = contacts[start : start + CONTACT_BATCH]
        with session_scope(ctx.engine) as session:
            done = q.sent_today(session, contact_ids=[c for c, _ in batch], since=since)
        composed = []
        for contact_id, (person, items) in batch:
            fresh = [i for i in items if (contact_id, i.assignment_id) not in done]
            if fresh:
                parts = compose(fresh, person, catalog=ctx.catalog, key=ctx.button_key, day=today)
                composed.append((person, fresh, parts))
        with session_scope(ctx.engine) as session:
            for person, fresh, parts in composed:
                result.messages += _enqueue_reminder(session, person, fresh, parts, now, today)
                result.items += len(fresh)
    if due.escalated or due.missed:
        with session_scope(ctx.engine) as session:
            _tell_coordinators(session, ctx, due, now, today, tag)
    return result


def _enqueue_reminder(
    session: Session,
    person: q.Recipient,
    items: list[Item],
    parts: list[Part],
    now: datetime,
    today: date,
) -> int:
    """Queue one contact's composed reminder for today; return how many messages it took."""
    first = min(i.assignment_id for i in items)
    queued = 0
    for n, part in enumerate(parts):
        row = enqueue(
            session,
            key=f"rem:{person.contact_id}:{today.isoformat()}:{first}:{n}",
            chat_id=person.chat_id,
            contact_id=person.contact_id,
            kind="reminder",
            text=part.text,
            reply_markup=part.reply_markup,
            priority=PRIORITY_REMINDER,
            now=now,
            assignment_ids=part.assignment_ids,
        )
        queued += row is not None
    return queued


def _tell_coordinators(
    session: Session, ctx: Context, due: _Due, now: datetime, today: date, tag: str
) -> None:
    """Queue each coordinator's list of escalated units and of missed reminders."""
    for person, scope in q.coordinators(session):
        lang = person.language
        escalated = [i for i in due.escalated if i.unit_id in scope]
        if escalated:
            times = min(i.seq for i in escalated)
            text = escalation_list(
                escalated, lang=lang, catalog=ctx.catalog, day=today, times=times
            )
            _enqueue_list(session, person, "escalation", f"esc:{today}{tag}", text, now)
        missed = [(i, days) for i, days in due.missed if i.unit_id in scope]
        if missed:
            text = late_list(missed, lang=lang, catalog=ctx.catalog, day=today)
            _enqueue_list(session, person, "late", f"late:{today}{tag}", text, now)


def _enqueue_list(
    session: Session,
    person: q.Recipient,
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
        contact_id=person.contact_id,
        kind=kind,
        text=text,
        priority=PRIORITY_REMINDER,
        now=now,
    )
