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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.i18n import Catalog
from core.calendar import WorkingCalendar
from core.reminders import Occasion, Plan, Policy, Workdays
from core.workhours import WorkHours
from db.engine import session_scope
from db.queries import reminders as q
from db.queries.outbox import (
    PRIORITY_REMINDER,
    NewMessage,
    cancel_pending,
    enqueue,
    enqueue_many,
)
from scheduler.messages import MAX_LIST_LINES, Item, Part, compose, escalation_list, late_list

log = logging.getLogger(__name__)

CHUNK = 1000
# Each batch is one write transaction; the bot's own writes wait for it, so keep it short.
CONTACT_BATCH = 20
# A pause after each write batch and chunk. The sweep runs in a thread and is now mostly
# Python, not SQLite: without a gap it holds the GIL and takes the write lock again before
# the bot's own writes (which back off while waiting) get it, and answers to taps stall.
PAUSE_S = 0.02
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


# A coordinator's list shows at most MAX_LIST_LINES lines; one more entry than that,
# first by task and unit, is all it needs besides the counts.
KEEP = MAX_LIST_LINES + 1


@dataclass
class _Kept:
    """The first entries of a list by task and unit, and how many there were in all."""

    entries: list[tuple[tuple[int, str, int], Item, list[date]]] = field(default_factory=list)
    count: int = 0
    tasks: set[int] = field(default_factory=set)
    least_seq: int = 0

    def add(self, item: Item, days: list[date]) -> None:
        """Count an entry, keeping it while it may be among the first."""
        self.least_seq = min(self.least_seq, item.seq) if self.count else item.seq
        self.count += 1
        self.tasks.add(item.task_id)
        self.entries.append(((item.task_id, item.unit, item.assignment_id), item, days))
        if len(self.entries) >= 4 * KEEP:
            self.entries = self._sorted()

    def first(self) -> list[tuple[Item, list[date]]]:
        """Return the first entries, in the list's order."""
        return [(item, days) for _, item, days in self._sorted()]

    def _sorted(self) -> list[tuple[tuple[int, str, int], Item, list[date]]]:
        """Return the first KEEP entries, sorted."""
        return sorted(self.entries, key=lambda entry: entry[0])[:KEEP]


@dataclass
class _Lists:
    """A coordinator, the units they follow, and their lists of escalated and missed."""

    person: q.Recipient
    scope: set[int]
    escalated: _Kept = field(default_factory=_Kept)
    missed: _Kept = field(default_factory=_Kept)


@dataclass
class _Due:
    """Everything due today, gathered before anything is queued.

    Only reachable contacts' items are held in full: a country's sweep finds hundreds of
    thousands of escalated or missed reminders, and the coordinators' lists show the first.
    """

    lists: list[_Lists]
    by_contact: dict[int, tuple[q.Recipient, list[Item]]] = field(default_factory=dict)
    escalated: int = 0
    folded: int = 0

    def note(self, item: Item, occasion: Occasion, missed: list[date]) -> None:
        """Count an escalated or missed reminder and add it to its coordinators' lists."""
        self.escalated += occasion.escalate
        self.folded += len(missed)
        for lists in self.lists:
            if item.unit_id in lists.scope:
                if occasion.escalate:
                    lists.escalated.add(item, [])
                if missed:
                    lists.missed.add(item, missed)


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
    """Read the candidates chunk by chunk, record today's reminders, gather the items.

    Memory stays bounded on a country's data: only reachable contacts' items and the first
    lines of each coordinator's lists are kept, not every candidate.
    """
    known = _Known(Workdays(calendar), ctx, now, today)
    with session_scope(ctx.engine) as session:
        due = _Due(lists=[_Lists(p, scope) for p, scope in q.coordinators(session)])
    while True:
        if not ctx.keep_going():
            raise SweepStopped
        with session_scope(ctx.engine) as session:
            chunk = q.candidates(session, after_id=after_id, limit=CHUNK)
            if not chunk:
                return due
            after_id = chunk[-1].assignment_id
            _collect_chunk(session, chunk, known, today, due)
        clock.sleep(PAUSE_S)


def _collect_chunk(
    session: Session, chunk: list[q.Candidate], known: _Known, today: date, due: _Due
) -> None:
    """Plan one chunk of candidates, record its reminders and add its items to `due`."""
    ids = [c.assignment_id for c in chunk]
    last, todays = q.reminder_history(session, assignment_ids=ids, today=today)
    known.read(session, chunk)
    records: list[q.NewReminder] = []
    overdue: dict[int, int] = {}
    for c in chunk:
        planned = known.planned(c, todays.get(c.assignment_id), last.get(c.assignment_id))
        if planned is None:
            continue
        occasion, missed = planned.occasion, planned.missed
        item = known.item(c, planned)
        to = known.people[c.unit_id].for_reminder(escalate=occasion.escalate)
        records += _records(c.assignment_id, occasion, today, missed, reached=bool(to))
        for person in to:
            due.by_contact.setdefault(person.contact_id, (person, []))[1].append(item)
        due.note(item, occasion, [m.day for m in missed])
        if occasion.kind == "overdue":
            overdue[c.assignment_id] = occasion.seq
    q.add_reminders(session, records)
    q.set_overdue_counts(session, counts=overdue)


@dataclass(frozen=True, slots=True)
class _Planned:
    """An assignment's reminder today: the occasion, the misses folded in, the day counts."""

    occasion: Occasion
    missed: tuple[Occasion, ...]
    days_left: int
    days_overdue: int


class _Known:
    """What one sweep reads or works out once and reuses across its chunks.

    Names and recipients are few (one per unit or task); plans repeat, since a task's
    units share its deadline, start day and policy. The memos of start days and plans are
    emptied when they grow, so a country's sweep holds a bounded number of them.
    """

    MEMO = 20_000

    def __init__(self, workdays: Workdays, ctx: Context, now: datetime, today: date) -> None:
        self.workdays, self.ctx, self.now, self.today = workdays, ctx, now, today
        self.horizon = today - MISSED_HORIZON
        self.people: dict[int, q.UnitRecipients] = {}
        self.tasks: dict[int, q.TaskInfo] = {}
        self.units: dict[int, str] = {}
        self._policies: dict[tuple[str | None, int | None, int | None], Policy] = {}
        self._starts: dict[datetime, date] = {}
        self._plans: dict[tuple[date, date, Policy, date], _Planned | None] = {}

    def read(self, session: Session, chunk: list[q.Candidate]) -> None:
        """Read the recipients and names of the chunk's units and tasks not read yet."""
        units = {c.unit_id for c in chunk} - self.people.keys()
        if units:
            found = q.recipients_of_units(session, unit_ids=units)
            self.people |= {u: found[u] for u in units}
            self.units |= q.unit_names(session, unit_ids=units)
        tasks = {c.task_id for c in chunk} - self.tasks.keys()
        if tasks:
            self.tasks |= q.task_infos(session, task_ids=tasks)

    def planned(
        self, c: q.Candidate, recorded: q.Recorded | None, last: date | None
    ) -> _Planned | None:
        """Return the candidate's reminder today (recorded, planned or missed), if any."""
        policy = self._policy(c)
        start = self._start(c.created_at)
        since = last if last is not None and last > self.horizon else self.horizon
        key = (c.deadline, start, policy, since)
        if key not in self._plans:
            if len(self._plans) >= self.MEMO:
                self._plans.clear()
            plan = Plan(deadline=c.deadline, start=start, policy=policy, workdays=self.workdays)
            self._plans[key] = _plan(plan, self.today, since)
        planned = self._plans[key]
        if recorded is None:
            return planned
        if planned is None:
            plan = Plan(deadline=c.deadline, start=start, policy=policy, workdays=self.workdays)
            left, late = plan.working_days_left(self.today), plan.days_overdue(self.today)
        else:
            left, late = planned.days_left, planned.days_overdue
        escalate = recorded.kind == "overdue" and recorded.seq >= policy.escalate_after
        occasion = Occasion(recorded.kind, self.today, recorded.seq, escalate)
        return _Planned(occasion, (), left, late)

    def item(self, c: q.Candidate, planned: _Planned) -> Item:
        """Return what a reminder tells about the candidate."""
        task, occasion, missed = self.tasks[c.task_id], planned.occasion, planned.missed
        return Item(
            assignment_id=c.assignment_id,
            task_id=c.task_id,
            title=task.title,
            directive=task.directive,
            unit_id=c.unit_id,
            unit=self.units.get(c.unit_id, str(c.unit_id)),
            deadline=c.deadline,
            kind=occasion.kind,
            seq=occasion.seq,
            escalate=occasion.escalate,
            days_left=planned.days_left,
            days_overdue=planned.days_overdue,
            late_from=missed[-1].day if missed and occasion.day != self.today else None,
        )

    def _policy(self, c: q.Candidate) -> Policy:
        """Return the policy with the candidate's task settings applied."""
        key = (c.days_before, c.overdue_every_days, c.escalate_after)
        if key not in self._policies:
            self._policies[key] = self.ctx.policy.with_overrides(
                days_before=c.days_before,
                overdue_every_days=c.overdue_every_days,
                escalate_after=c.escalate_after,
            )
        return self._policies[key]

    def _start(self, created_at: datetime) -> date:
        """Return the start day of an assignment made at the moment."""
        if created_at not in self._starts:
            if len(self._starts) >= self.MEMO:
                self._starts.clear()
            self._starts[created_at] = start_day(
                created_at, self.now, self.ctx, self.workdays.calendar
            )
        return self._starts[created_at]


def _plan(plan: Plan, today: date, since: date) -> _Planned | None:
    """Return today's occasion (planned, or the latest missed since `since`), if any.

    Missed reminders are looked for since the last one sent, but no further back than
    MISSED_HORIZON: after a long outage, or on the first run over imported history, a unit
    gets today's reminder (and the recent misses), not months of them.
    """
    occasion = plan.on(today)
    missed = tuple(plan.between(since, today))
    if occasion is None and not missed:
        return None
    left, late = max(0, plan.working_days_left(today)), plan.days_overdue(today)
    return _Planned(occasion or missed[-1], missed, left, late)


def _records(
    assignment_id: int,
    occasion: Occasion,
    today: date,
    missed: Sequence[Occasion],
    *,
    reached: bool,
) -> list[q.NewReminder]:
    """Return the reminder records of one assignment: today's, and the folded ones."""
    rows = [
        q.NewReminder(
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
        q.NewReminder(
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
    result = Result(escalated=due.escalated, folded=due.folded)
    since = start_of_day(today, ctx.tz)
    contacts = list(due.by_contact.items())
    for start in range(0, len(contacts), CONTACT_BATCH):
        if not ctx.keep_going():
            raise SweepStopped
        batch = contacts[start : start + CONTACT_BATCH]
        with session_scope(ctx.engine) as session:
            done = q.sent_today(session, contact_ids=[c for c, _ in batch], since=since)
        messages: list[NewMessage] = []
        for contact_id, (person, items) in batch:
            fresh = [i for i in items if (contact_id, i.assignment_id) not in done]
            if fresh:
                parts = compose(fresh, person, catalog=ctx.catalog, key=ctx.button_key, day=today)
                messages += _reminder_messages(person, fresh, parts, today)
                result.items += len(fresh)
        if messages:
            with session_scope(ctx.engine) as session:
                result.messages += len(enqueue_many(session, messages, now=now))
            clock.sleep(PAUSE_S)
    if any(lists.escalated.count or lists.missed.count for lists in due.lists):
        with session_scope(ctx.engine) as session:
            _tell_coordinators(session, ctx, due, now, today, tag)
    return result


def _reminder_messages(
    person: q.Recipient, items: list[Item], parts: list[Part], today: date
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
            reply_markup=part.reply_markup,
            priority=PRIORITY_REMINDER,
            assignment_ids=part.assignment_ids,
        )
        for n, part in enumerate(parts)
    ]


def _tell_coordinators(
    session: Session, ctx: Context, due: _Due, now: datetime, today: date, tag: str
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
