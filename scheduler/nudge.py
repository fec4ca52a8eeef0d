"""Remind now: every unit of a task that has not reported done.

A coordinator asked for it (/nudge), so it goes out at once in office time, ahead of the
daily reminders; asked at 22:00, on a Sunday or on Tết, it is held until the next working
window (the outbox row's `not_before`) and the coordinator is told when it goes out: the
officials did not ask for it. Each contact gets one message about the task. A province-wide task
is thousands of messages to compose: on a large database that runs in a worker process
(as the reminder sweep does), so the bot keeps the GIL to answer people meanwhile.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from functools import partial

from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.actor import Actor
from app.choices import rows_to_json
from app.services import Services
from core.calendar import WorkingCalendar
from core.markup import Markup
from core.reminders import Plan, Workdays
from core.states import TaskStatus
from core.textnorm import vi_sort_key
from db.engine import session_scope
from db.models import Task
from db.queries import reminder_candidates as candidates_q
from db.queries import reminder_recipients as recipients_q
from db.queries.outbox import PRIORITY_NOTICE, NewMessage, enqueue_many
from db.queries.recipients import Recipient
from db.queries.reminder_outbox import nudged_since
from db.queries.scope import unit_ids_in_scope, visible_tasks
from db.queries.tasks import find_tasks
from db.queries.units import unit_names
from scheduler.delivery import assignments_past, dispatch_context
from scheduler.dispatcher.run import Job
from scheduler.messages import Item, compose
from scheduler.prestart import SWEEP_PROCESS_FROM
from scheduler.sweep import Context, reported_on, start_day
from scheduler.workers import in_process_blocking, opened

log = logging.getLogger(__name__)

ALL = 1_000_000_000
BATCH = 500
# The sweep's bound: past it, the bot starts its worker process with it (`delivery.warm_job`).
NUDGE_PROCESS_FROM = SWEEP_PROCESS_FROM
# A person nudged about a task is not nudged about it again by another /nudge this soon: a
# command typed twice, or two coordinators nudging the same task, remind each person once.
NUDGE_AGAIN_AFTER = timedelta(hours=1)


@dataclass
class NudgeResult:
    """How many units and contacts were reminded, and which units nobody could be told."""

    units: int = 0
    contacts: int = 0
    unreached: list[str] = field(default_factory=list)
    recent: int = 0  # units whose every contact was nudged about the task a moment ago
    last_at: datetime | None = None  # when the last of those nudges was queued
    goes_at: datetime | None = None  # office time's start, when the nudge is held until then


def nudge_task(
    session: Session,
    ctx: Context,
    *,
    task: Task,
    now: datetime,
    request: str,
    scope: set[int] | None = None,
    checkpoint: Callable[[], None] | None = None,
) -> NudgeResult:
    """Queue a reminder now to every not-done unit of the task (within scope, if given).

    The messages go in batches of BATCH; `checkpoint`, when given, is called after each (the
    bot commits there, so the SQLite write lock is never held long and the sender can start
    on the first batch). Each message's key makes a rerun queue only what is missing.
    """
    assert task.id is not None
    calendar = candidates_q.calendar_of(session)
    workdays = Workdays(calendar)
    moment = ctx.hours.next_send_moment(now, calendar, ctx.tz)
    today = moment.astimezone(ctx.tz).date()  # worded as of the day it is read
    found = candidates_q.candidates(session, after_id=0, limit=ALL, task_id=task.id)
    found = [c for c in found if scope is None or c.unit_id in scope]
    people = recipients_q.recipients_of_units(session, unit_ids=[c.unit_id for c in found])
    names = unit_names(session, unit_ids=[c.unit_id for c in found])
    info = recipients_q.task_infos(session, task_ids=[task.id])[task.id]
    recent = nudged_since(session, task_id=task.id, since=now - NUDGE_AGAIN_AFTER, request=request)
    result = NudgeResult(goes_at=moment if moment > now else None)
    item_of = partial(
        _item, ctx=ctx, info=info, now=now, today=today, calendar=calendar, workdays=workdays
    )
    by_contact: dict[int, tuple[Recipient, list[Item]]] = {}
    for c in found:
        everyone = people[c.unit_id].for_reminder(escalate=False)
        if not everyone:
            result.unreached.append(names.get(c.unit_id, str(c.unit_id)))
            continue
        to = [person for person in everyone if person.contact_id not in recent]
        if not to:
            result.recent += 1
            last = max(recent[person.contact_id] for person in everyone)
            result.last_at = max(last, result.last_at or last)
            continue
        item = item_of(c, names.get(c.unit_id, str(c.unit_id)))
        result.units += 1
        for person in to:
            by_contact.setdefault(person.contact_id, (person, []))[1].append(item)
    # Composed first, then queued in one batch: the write lock is held for one statement,
    # not for a savepoint and flush per message (others' updates wait on it in SQLite).
    key = f"nudge:{task.id}"
    messages = _messages(ctx, by_contact, key=key, request=request, day=today, moment=moment)
    for first in range(0, len(messages), BATCH):
        enqueue_many(session, messages[first : first + BATCH], now=now)
        if checkpoint is not None:
            checkpoint()
    result.contacts = len(by_contact)
    return result


def _item(
    c: candidates_q.Candidate,
    unit: str,
    *,
    ctx: Context,
    info: recipients_q.TaskInfo,
    now: datetime,
    today: date,
    calendar: WorkingCalendar,
    workdays: Workdays,
) -> Item:
    """Return what a nudge says of one unit's assignment, as of `today` by its plan."""
    start = start_day(c.created_at, now, ctx, calendar)
    plan = Plan(deadline=c.deadline, start=start, policy=ctx.policy, workdays=workdays)
    return Item(
        assignment_id=c.assignment_id,
        task_id=c.task_id,
        title=info.title,
        directive=info.directive,
        unit_id=c.unit_id,
        unit=unit,
        deadline=c.deadline,
        due=plan.due_day,
        kind="nudge",
        seq=0,
        escalate=False,
        days_left=max(0, plan.working_days_left(today)),
        days_overdue=plan.days_overdue(today),
        state=c.state,
        percent=c.percent,
        reported_on=reported_on(c, ctx.tz),
    )


def _messages(
    ctx: Context,
    by_contact: dict[int, tuple[Recipient, list[Item]]],
    *,
    key: str,
    request: str,
    day: date,
    moment: datetime,
) -> list[NewMessage]:
    """Compose each contact's nudge (in parts when long), held until `moment`."""
    messages: list[NewMessage] = []
    for contact_id, (person, items) in by_contact.items():
        parts = compose(items, person, catalog=ctx.catalog, day=day, header_key="nudge.header")
        messages += [
            NewMessage(
                key=f"{key}:{contact_id}:{request}:{n}",
                chat_id=person.chat_id,
                contact_id=contact_id,
                kind="nudge",
                text=part.text,
                choices=rows_to_json(part.choices),
                priority=PRIORITY_NOTICE,
                channel=person.channel,
                assignment_ids=part.assignment_ids,
                recipe=part.recipe,
                not_before=moment,
            )
            for n, part in enumerate(parts)
        ]
    return messages


MAX_CHOICES = 8
MAX_UNREACHED = 20


@dataclass(frozen=True)
class NudgeJob:
    """A nudge as a worker process receives it: the dispatch's job, who asks, what, and once."""

    dispatch: Job
    actor: Actor
    text: str
    request: str


def nudge(
    services: Services,
    actor: Actor,
    text: str,
    request: str,
    *,
    process_from: int = NUDGE_PROCESS_FROM,
) -> str:
    """Nudge the task a coordinator named (`request`: what asked, once); return the answer.

    Blocking: run it off the event loop (every channel's one way in). On a database past
    `process_from` assignments the messages are composed in a worker process; a broken
    process pool (a worker killed) is tried once more in a new one: the request's keys queue
    nothing twice. Other errors reach the channel's own error path (logged with a
    reference, the person told).
    """
    job = NudgeJob(Job.of(dispatch_context(services), services.clock.now()), actor, text, request)
    if not text.strip() or not assignments_past(services, process_from):
        return run_nudge(services.engine, job)
    try:
        return in_process_blocking(services.engine, run_nudge, job)
    except BrokenProcessPool:
        log.warning("the nudge's worker process died; once more in a new one")
        return in_process_blocking(services.engine, run_nudge, job)


def run_nudge(database: str | Engine, job: NudgeJob) -> str:
    """Run a nudge, in a worker process (on the database's URL) or in a thread (its engine)."""
    with opened(database) as engine:
        return nudge_named(job.dispatch.context(engine), job)


def nudge_named(ctx: Context, job: NudgeJob) -> str:
    """Nudge the task the job names, within the actor's scope; return the answer."""
    actor, text = job.actor, job.text
    t = partial(ctx.catalog.get, actor.lang)
    if not text.strip():
        return t("nudge.usage")
    with session_scope(ctx.engine) as session:
        tasks = visible_tasks(session, tasks=find_tasks(session, text=text), scope=actor.scope)
        if not tasks:
            return t("nudge.not_found", text=text)
        if len(tasks) > 1:
            matches = "\n".join(f"#{x.id} {x.title}" for x in tasks[:MAX_CHOICES])
            return t("nudge.which", text=text, tasks=matches)
        task = tasks[0]
        task_id, title = task.id or 0, task.title
        if task.status != TaskStatus.OPEN:
            return t("nudge.not_open", task=Markup(str(task_id)), title=title)
        scope = None
        if not actor.scope.everything:
            scope = set(unit_ids_in_scope(session, contact_id=actor.contact_id))
        result = nudge_task(
            session,
            ctx,
            task=task,
            now=job.dispatch.now,
            request=job.request,
            scope=scope,
            checkpoint=session.commit,
        )
    if result.units == 0 and not result.unreached and not result.recent:
        return t("nudge.all_done", task=Markup(str(task_id)), title=title)
    return _nudged(t, result, task_id, title, ctx.tz)


def _nudged(
    t: Callable[..., str], result: NudgeResult, task_id: int, title: str, tz: tzinfo
) -> str:
    """Say how many units were nudged, and list those nobody can be reached at."""
    unreached = sorted(result.unreached, key=vi_sort_key)
    later = "_later" if result.goes_at is not None and result.units else ""
    # Nobody reminded this time (all reminded a moment ago, or unreachable): the answer opens
    # with that, not with "reminded now … reminded 0".
    if result.units == 0:
        key = "nudge.none"
    else:
        key = f"nudge.done_unreached{later}" if unreached else f"nudge.done{later}"
    answer = t(
        key,
        task=Markup(str(task_id)),
        title=title,
        total=result.units + len(unreached) + result.recent,
        units=result.units,
        contacts=result.contacts,
        unreached=len(unreached),
        at=result.goes_at.astimezone(tz) if result.goes_at is not None else "",
    )
    if result.recent and result.last_at is not None:
        last = result.last_at.astimezone(tz)
        again = last + NUDGE_AGAIN_AFTER
        answer += "\n" + t("nudge.recent", n=result.recent, at=last, again=again)
    if unreached:
        lines = [t("nudge.unreached")]
        lines += [t("nudge.unreached_unit", unit=u) for u in unreached[:MAX_UNREACHED]]
        if len(unreached) > MAX_UNREACHED:
            lines.append(t("nudge.unreached_more", n=len(unreached) - MAX_UNREACHED))
        answer += "\n" + "\n".join(lines)
    return answer
