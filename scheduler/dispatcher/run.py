"""One run of the dispatcher: today's due reminders queued, in working hours on working days.

The day's first run sweeps every remindable assignment; later runs that day look only at
assignments created since, and at those of tasks a deadline of which moved since, or which
units were put on (one taken off and brought back starts afresh under its old id)
(scheduler.dispatcher.swept). A large database's run goes to a
worker process (`run_dispatch`, its `Job`).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, tzinfo

from sqlalchemy.engine import Engine

from app.i18n import Catalog
from core.calendar import WorkingCalendar
from core.reminders import Policy
from core.workhours import WorkHours
from db.engine import session_scope
from db.queries import reminder_candidates as candidates_q
from db.queries import state
from db.queries.due_times import SLICE, misplaced_due_times, roll_slice
from scheduler.dispatcher.coordinators import tell_coordinators
from scheduler.dispatcher.reminders import queue_reminders
from scheduler.dispatcher.result import Result
from scheduler.dispatcher.stale import expire_stale
from scheduler.dispatcher.swept import (
    ROLLED_FOR,
    SWEPT_AUDIT,
    SWEPT_MAX,
    SWEPT_ON,
    record_swept,
    swept_days,
)
from scheduler.sweep import Context, Due, SweepStopped, collect
from scheduler.workers import opened, still_wanted, tell_bot

log = logging.getLogger(__name__)


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
            engine,
            self.catalog,
            self.button_key,
            self.policy,
            self.hours,
            self.tz,
            keep_going=still_wanted,
            queued=tell_bot,  # the bot wakes its sender
        )


def run_dispatch(database: str | Engine, job: Job) -> Result | None:
    """Run a dispatch in a worker process (`scheduler.workers.in_process`).

    A country's sweep is minutes of Python: in a thread of the bot it would hold the GIL
    the bot needs to answer people. The process opens its own engine on the database's URL
    and gives up between chunks once the bot stops (`still_wanted`).
    """
    with opened(database) as engine:
        return dispatch(job.context(engine), job.now)


def _roll_due_times(ctx: Context, calendar: WorkingCalendar, now: datetime) -> None:
    """Move the stored due times of deadlines on a day off to the working day they roll to
    (and back), once per calendar: the days off come from our own days and the `holidays`
    package, and entering or moving a deadline already rolls it; old data and a newer
    package are what this catches."""
    with session_scope(ctx.engine) as session:
        misplaced = misplaced_due_times(session, calendar=calendar, tz=ctx.tz)
    rolled = 0
    for each in misplaced:
        moved = SLICE
        while moved == SLICE:  # a slice a transaction: taps write between them
            if not ctx.keep_going():
                return  # the bot stops: the next day's first sweep rolls the rest
            started = time.monotonic()
            with session_scope(ctx.engine) as session:
                moved = roll_slice(session, each)
            rolled += moved
            time.sleep(time.monotonic() - started)  # as long again: the lock is free half
    with session_scope(ctx.engine) as session:
        state.write(session, ROLLED_FOR, calendar.fingerprint(), now=now)
    if rolled:
        log.info("%d assignments due on a day off now due the next working day", rolled)


def dispatch(ctx: Context, now: datetime) -> Result | None:
    """Queue the reminders due now; None outside working hours (nothing is done then)."""
    local = now.astimezone(ctx.tz)
    today = local.date()
    with session_scope(ctx.engine) as session:
        calendar = candidates_q.calendar_of(session)
        if not (calendar.is_working_day(today) and ctx.hours.contains(local.time())):
            return None
        full = state.value(session, SWEPT_ON) != today.isoformat()
        after_id = 0 if full else int(state.value(session, SWEPT_MAX) or 0)
        top = candidates_q.max_assignment_id(session)
        audited = candidates_q.max_audit_id(session)
        seen = int(state.value(session, SWEPT_AUDIT) or audited)
        moved = [] if full else candidates_q.tasks_moved(session, after=seen, upto=audited)
        if full:
            expire_stale(session, today=today, tz=ctx.tz)
        roll = full and state.value(session, ROLLED_FOR) != calendar.fingerprint()
        swept = swept_days(session)
    result = Result()

    def reached(due: Due) -> None:  # queued while the sweep goes on: the sender starts
        queue_reminders(ctx, due, now, today, result)
        due.by_contact.clear()

    try:
        due = collect(ctx, calendar, now, today, after_id, reached, swept, moved)
        queue_reminders(ctx, due, now, today, result, f":m{audited}")
        result.escalated, result.folded = due.escalated, due.folded
        if any(lists.escalated.count or lists.missed.count for lists in due.lists):
            with session_scope(ctx.engine) as session:
                tag = "" if full else f":{after_id}:{audited}"
                tell_coordinators(session, ctx, due, now, today, tag)
    except SweepStopped:
        log.info("reminder sweep stopped with the bot; the next run completes it")
        return None
    with session_scope(ctx.engine) as session:
        state.write(session, SWEPT_ON, today.isoformat(), now=now)
        state.write(session, SWEPT_MAX, str(max(top, after_id)), now=now)
        state.write(session, SWEPT_AUDIT, str(max(audited, seen)), now=now)
        record_swept(session, today, max(top, after_id), now=now)
    if roll:  # after the day's reminders: it reads every assignment (1.3 s at a country's)
        _roll_due_times(ctx, calendar, now)
    if result.items:
        log.info(
            "queued %d reminders in %d messages (today %s)", result.items, result.messages, today
        )
    return result
