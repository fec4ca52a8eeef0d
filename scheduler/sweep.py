"""A reminder sweep's reading and planning: who is due what today, chunk by chunk.

The candidates are read a chunk at a time by assignment id; each gets its occasion today
from core.reminders (plans are shared by the assignments of one task), its reminder records
are written in bulk, and its items are gathered per reachable contact. Coordinators' lists
keep their first lines and counts only, so memory stays bounded on a whole country's data.
scheduler.dispatcher queues what this gathers.
"""

from __future__ import annotations

import time as clock
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, tzinfo

from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.i18n import Catalog
from core.calendar import WorkingCalendar
from core.reminders import Occasion, Plan, Policy, Workdays
from core.textnorm import SortKey, vi_sort_key
from core.workhours import WorkHours
from db.engine import session_scope
from db.queries import reminder_candidates as candidates_q
from db.queries import reminder_recipients as recipients_q
from db.queries import reminder_records as records_q
from db.queries.recipients import Recipient
from db.queries.units import unit_names
from scheduler.messages import MAX_LIST_LINES, Item

CHUNK = 1000
# Units read at a time by a day's first sweep: one query by the assignment's unit index,
# a few thousand candidates on a country's data (a unit has hundreds of assignments).
UNIT_BATCH = 100
# A pause after each write batch and chunk. The sweep runs in a thread and is now mostly
# Python, not SQLite: without a gap it holds the GIL and takes the write lock again before
# the bot's own writes (which back off while waiting) get it, and answers to taps stall.
PAUSE_S = 0.02
MISSED_HORIZON = timedelta(days=14)


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
    # Called in the sweep's thread after each batch of reminders is queued: the bot wakes its
    # sender then, not at its next tick (up to a second later; bench/README.md, issue 20).
    queued: Callable[[], None] = lambda: None


class SweepStopped(Exception):  # noqa: N818  (a request, not a failure)
    """The bot is stopping; the sweep gave up between chunks."""


# A coordinator's list shows at most MAX_LIST_LINES lines; one more entry than that,
# first by task and unit, is all it needs besides the counts.
KEEP = MAX_LIST_LINES + 1


@dataclass
class Kept:
    """The first entries of a list by task and unit, and how many there were in all."""

    entries: list[tuple[tuple[int, SortKey, int], Item, list[date]]] = field(default_factory=list)
    count: int = 0
    tasks: set[int] = field(default_factory=set)
    least_seq: int = 0

    def add(self, item: Item, days: list[date]) -> None:
        """Count an entry, keeping it while it may be among the first."""
        self.least_seq = min(self.least_seq, item.seq) if self.count else item.seq
        self.count += 1
        self.tasks.add(item.task_id)
        self.entries.append(
            ((item.task_id, vi_sort_key(item.unit), item.assignment_id), item, days)
        )
        if len(self.entries) >= 4 * KEEP:
            self.entries = self._sorted()

    def first(self) -> list[tuple[Item, list[date]]]:
        """Return the first entries, in the list's order."""
        return [(item, days) for _, item, days in self._sorted()]

    def _sorted(self) -> list[tuple[tuple[int, SortKey, int], Item, list[date]]]:
        """Return the first KEEP entries, sorted."""
        return sorted(self.entries, key=lambda entry: entry[0])[:KEEP]


@dataclass
class Lists:
    """A coordinator, the units they follow, and their lists of escalated and missed."""

    person: Recipient
    scope: set[int]
    escalated: Kept = field(default_factory=Kept)
    missed: Kept = field(default_factory=Kept)


@dataclass
class Due:
    """Everything due today, gathered before anything is queued.

    Only reachable contacts' items are held in full: a country's sweep finds hundreds of
    thousands of escalated or missed reminders, and the coordinators' lists show the first.
    """

    lists: list[Lists]
    by_contact: dict[int, tuple[Recipient, list[Item]]] = field(default_factory=dict)
    escalated: int = 0
    folded: int = 0
    # Planned again for a deadline moved since the day's first sweep: queued again unless
    # the contact was told today with the deadline now in force.
    replanned: set[int] = field(default_factory=set)

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


def start_day(created_at: datetime, now: datetime, ctx: Context, cal: WorkingCalendar) -> date:
    """Return the day a unit is first told: the first office moment after the assignment."""
    moment = ctx.hours.next_send_moment(min(created_at, now), cal, ctx.tz)
    return moment.astimezone(ctx.tz).date()


def reported_on(c: candidates_q.Candidate, tz: tzinfo) -> date | None:
    """Return the local day the candidate's unit last reported, if it did."""
    return c.last_report_at.astimezone(tz).date() if c.last_report_at is not None else None


def collect(
    ctx: Context,
    calendar: WorkingCalendar,
    now: datetime,
    today: date,
    after_id: int,
    reached: Callable[[Due], None] = lambda due: None,
    swept: Mapping[date, int] | None = None,
    moved: Sequence[int] = (),
) -> Due:
    """Read the candidates chunk by chunk, record today's reminders, gather the items.

    A day's first sweep (`after_id` 0) reads by unit, the units someone can be written to
    first (a few thousand on a country's data, where most people never started the bot):
    every item of a reachable contact is of such a unit, so once they are read each
    contact's message is whole, and `reached` is called to queue them while the other
    units are read for their reminder records and the coordinators' lists only. What the
    second part still finds for a contact (one who started the bot meanwhile) stays in
    `due.by_contact`. Later sweeps read the few new assignments by id, and those of the
    tasks in `moved` (a deadline of which moved since the last run, or a unit put back on
    which: planned again today).

    Memory stays bounded on a country's data: only reachable contacts' items and the first
    lines of each coordinator's lists are kept, not every candidate. `swept` gives the days
    the sweep ran with the highest assignment id it covered: an occasion of such a day left
    without a record was not due then (the unit had reported done, the deadline was later),
    so it is not missed.
    """
    known = _Known(Workdays(calendar), ctx, now, today, swept or {})
    with session_scope(ctx.engine) as session:
        due = Due(lists=[Lists(p, scope) for p, scope in recipients_q.coordinators(session)])
        if after_id:
            first, rest = [], []
        else:
            reachable = recipients_q.reachable_units(session)
            units = candidates_q.active_units(session)
            first = [u for u in units if u in reachable]
            rest = [u for u in units if u not in reachable]
    if not after_id:
        for group in (first, rest):
            for start in range(0, len(group), UNIT_BATCH):
                _units(ctx, known, today, due, group[start : start + UNIT_BATCH])
            if group is first:
                reached(due)
        return due
    _pass(ctx, known, today, due, after_id)
    for task_id in moved:
        _moved(ctx, known, today, due, task_id, after_id)
    return due


def _moved(ctx: Context, known: _Known, today: date, due: Due, task_id: int, upto: int) -> None:
    """Plan again the task's assignments up to `upto` (those above it the pass by id read)."""
    if not ctx.keep_going():
        raise SweepStopped
    with session_scope(ctx.engine) as session:
        found = candidates_q.candidates(session, after_id=0, limit=None, task_id=task_id)
    found = [c for c in found if c.assignment_id <= upto]
    for start in range(0, len(found), CHUNK):
        if not ctx.keep_going():
            raise SweepStopped
        with session_scope(ctx.engine) as session:
            chunk = found[start : start + CHUNK]
            _collect_chunk(session, chunk, known, today, due, replanned=True)
        clock.sleep(PAUSE_S)


def _pass(ctx: Context, known: _Known, today: date, due: Due, after_id: int) -> None:
    """Read the candidates above `after_id` by id, a chunk at a time."""
    while True:
        if not ctx.keep_going():
            raise SweepStopped
        with session_scope(ctx.engine) as session:
            chunk = candidates_q.candidates(session, after_id=after_id, limit=CHUNK)
            if not chunk:
                return
            after_id = chunk[-1].assignment_id
            _collect_chunk(session, chunk, known, today, due)
        clock.sleep(PAUSE_S)


def _units(ctx: Context, known: _Known, today: date, due: Due, units: list[int]) -> None:
    """Read the units' candidates (one query), then record and gather them a chunk at a time."""
    if not ctx.keep_going():
        raise SweepStopped
    with session_scope(ctx.engine) as session:
        found = candidates_q.candidates(session, after_id=0, limit=None, unit_ids=units)
    for start in range(0, len(found), CHUNK):
        if not ctx.keep_going():
            raise SweepStopped
        with session_scope(ctx.engine) as session:
            _collect_chunk(session, found[start : start + CHUNK], known, today, due)
        clock.sleep(PAUSE_S)


def _collect_chunk(
    session: Session,
    chunk: list[candidates_q.Candidate],
    known: _Known,
    today: date,
    due: Due,
    *,
    replanned: bool = False,
) -> None:
    """Plan one chunk of candidates, record its reminders and add its items to `due`.

    `replanned`: a deadline of theirs moved since the day's first sweep. Each is planned
    from the deadline in force, also one reminded this morning (of the deadline then): it
    is said again when the new plan has a reminder today, and the coordinators are not told
    again of what the morning listed (its escalation, its misses)."""
    ids = [c.assignment_id for c in chunk]
    last, todays = records_q.reminder_history(
        session, assignment_ids=ids, today=today, folded_since=known.midnight
    )
    late = [c.assignment_id for c in chunk if c.deadline < today]  # the others have none
    sent = records_q.overdue_sent(session, assignment_ids=late, today=today)
    known.read(session, chunk)
    records: list[records_q.NewReminder] = []
    overdue: dict[int, int] = {}
    for c in chunk:
        told = replanned and c.assignment_id in todays
        recorded = None if told else todays.get(c.assignment_id)
        planned = known.planned(c, recorded, last.get(c.assignment_id), sent.get(c.assignment_id))
        if planned is None or (told and planned.occasion.day != today):
            continue
        if told:
            planned = replace(planned, missed=())  # folded into the morning's, and listed
        occasion, missed = planned.occasion, planned.missed
        item = known.item(c, planned)
        to = known.people[c.unit_id].for_reminder(escalate=occasion.escalate)
        records += _records(c.assignment_id, occasion, today, missed, reached=bool(to))
        for person in to:
            due.by_contact.setdefault(person.contact_id, (person, []))[1].append(item)
        if replanned:
            due.replanned.add(c.assignment_id)
        if not told:
            due.note(item, occasion, [m.day for m in missed])
        if occasion.kind == "overdue" and to:
            overdue[c.assignment_id] = occasion.seq
    records_q.add_reminders(session, records, now=known.now)
    records_q.set_overdue_counts(session, counts=overdue)


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

    def __init__(
        self,
        workdays: Workdays,
        ctx: Context,
        now: datetime,
        today: date,
        swept: Mapping[date, int],
    ) -> None:
        self.workdays, self.ctx, self.now, self.today = workdays, ctx, now, today
        self.swept = swept
        self.horizon = today - MISSED_HORIZON
        self.midnight = datetime.combine(today, time(), tzinfo=ctx.tz)
        self.people: dict[int, recipients_q.UnitRecipients] = {}
        self.tasks: dict[int, recipients_q.TaskInfo] = {}
        self.units: dict[int, str] = {}
        self._policies: dict[tuple[str | None, int | None, int | None], Policy] = {}
        self._starts: dict[datetime, date] = {}
        self._plans: dict[tuple[date, date, Policy, date], _Planned | None] = {}

    def read(self, session: Session, chunk: list[candidates_q.Candidate]) -> None:
        """Read the recipients and names of the chunk's units and tasks not read yet."""
        units = {c.unit_id for c in chunk} - self.people.keys()
        if units:
            found = recipients_q.recipients_of_units(session, unit_ids=units)
            self.people |= {u: found[u] for u in units}
            self.units |= unit_names(session, unit_ids=units)
        tasks = {c.task_id for c in chunk} - self.tasks.keys()
        if tasks:
            self.tasks |= recipients_q.task_infos(session, task_ids=tasks)

    def planned(
        self,
        c: candidates_q.Candidate,
        recorded: records_q.Recorded | None,
        last: date | None,
        sent: Sequence[date] | None = None,
    ) -> _Planned | None:
        """Return the candidate's reminder today (recorded, planned or missed), if any,
        an overdue one numbered by the overdue reminders `sent` to the unit before today
        (`Occasion.counted`)."""
        planned = self._planned(c, recorded, last)
        if planned is None or recorded is not None:
            return planned
        due = self.workdays.roll(c.deadline)
        received = sum(1 for day in sent or () if day > due)
        reached = bool(self.people[c.unit_id].for_reminder(escalate=False))
        occasion = planned.occasion.counted(
            received=received, reached=reached, policy=self._policy(c)
        )
        return replace(planned, occasion=occasion)

    def _planned(
        self, c: candidates_q.Candidate, recorded: records_q.Recorded | None, last: date | None
    ) -> _Planned | None:
        """Return the candidate's reminder today (recorded, planned or missed), if any."""
        policy = self._policy(c)
        start = self._start(c)
        since = last if last is not None and last > self.horizon else self.horizon
        key = (c.deadline, start, policy, since)
        if key not in self._plans:
            if len(self._plans) >= self.MEMO:
                self._plans.clear()
            plan = Plan(deadline=c.deadline, start=start, policy=policy, workdays=self.workdays)
            self._plans[key] = _plan(plan, self.today, since)
        planned = self._plans[key]
        if recorded is None:
            return self._unswept(c, planned)
        if planned is None:
            plan = Plan(deadline=c.deadline, start=start, policy=policy, workdays=self.workdays)
            left, late = plan.working_days_left(self.today), plan.days_overdue(self.today)
        else:
            left, late = planned.days_left, planned.days_overdue
        # As `Occasion.counted` escalated it: a reminder sent by what was sent, one nobody
        # could be written to by the plan's number (working days overdue).
        escalate = recorded.kind == "overdue" and recorded.seq >= policy.escalate_after
        if recorded.kind == "overdue" and recorded.status == "skipped":
            escalate = planned is not None and planned.occasion.seq >= policy.escalate_after
        occasion = Occasion(recorded.kind, self.today, recorded.seq, escalate)
        # Recorded by an earlier run today, perhaps cut off before it queued the lists: the
        # days it folded are found again (the latest reminder before them is the same), for
        # the coordinators' list; their records are there already and are not written twice.
        again = self._unswept(c, planned)
        return _Planned(occasion, again.missed if again is not None else (), left, late)

    def _unswept(self, c: candidates_q.Candidate, planned: _Planned | None) -> _Planned | None:
        """Keep of the missed occasions those of days the sweep did not cover the candidate."""
        if planned is None or not planned.missed:
            return planned
        missed = tuple(m for m in planned.missed if c.assignment_id > self.swept.get(m.day, 0))
        if len(missed) == len(planned.missed):
            return planned
        if planned.occasion.day == self.today:
            return replace(planned, missed=missed)
        if not missed:
            return None
        return replace(planned, occasion=missed[-1], missed=missed)

    def item(self, c: candidates_q.Candidate, planned: _Planned) -> Item:
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
            due=self.workdays.roll(c.deadline),
            kind=occasion.kind,
            seq=occasion.seq,
            escalate=occasion.escalate,
            days_left=planned.days_left,
            days_overdue=planned.days_overdue,
            late_from=missed[-1].day if missed and occasion.day != self.today else None,
            created_at=c.created_at,
            reported=c.last_report_at is not None,
            state=c.state,
            percent=c.percent,
            reported_on=reported_on(c, self.ctx.tz),
        )

    def _policy(self, c: candidates_q.Candidate) -> Policy:
        """Return the policy with the candidate's task settings applied."""
        key = (c.days_before, c.overdue_every_days, c.escalate_after)
        if key not in self._policies:
            self._policies[key] = self.ctx.policy.with_overrides(
                days_before=c.days_before,
                overdue_every_days=c.overdue_every_days,
                escalate_after=c.escalate_after,
            )
        return self._policies[key]

    def _start(self, c: candidates_q.Candidate) -> date:
        """Return the start day of the candidate: the day of the first office moment after
        it was made, or the working day after when that day's last run was over by then
        (made in the last minute before office time ended): its notice goes the next
        morning, as newly assigned, not a day late as if the bot had missed it (nor listed
        to the coordinators as missed)."""
        start = self._made(c.created_at)
        if start < self.today and self.swept.get(start, c.assignment_id) < c.assignment_id:
            return self.workdays.shift(start, 1)
        return start

    def _made(self, created_at: datetime) -> date:
        """Return the day of the first office moment after the moment."""
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
) -> list[records_q.NewReminder]:
    """Return the reminder records of one assignment: today's, and the folded ones."""
    rows = [
        records_q.NewReminder(
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
        records_q.NewReminder(
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
