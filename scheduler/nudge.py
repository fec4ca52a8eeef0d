"""Remind now, whatever the hour: every unit of a task that has not reported done.

A person asked for it (/nudge), so it goes out at once, outside working hours too, ahead
of the daily reminders; each contact gets one message about the task.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from app.choices import rows_to_json
from core.reminders import Plan, Workdays
from db.models import Task
from db.queries import reminders as q
from db.queries.outbox import PRIORITY_NOTICE, NewMessage, enqueue_many
from scheduler.dispatcher import Context, start_day
from scheduler.messages import Item, compose

ALL = 1_000_000_000
BATCH = 500


@dataclass
class NudgeResult:
    """How many units and contacts were reminded, and which units nobody could be told."""

    units: int = 0
    contacts: int = 0
    unreached: list[str] = field(default_factory=list)


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
    calendar = q.calendar_of(session)
    workdays = Workdays(calendar)
    today = now.astimezone(ctx.tz).date()
    found = q.candidates(session, after_id=0, limit=ALL, task_id=task.id)
    found = [c for c in found if scope is None or c.unit_id in scope]
    people = q.recipients_of_units(session, unit_ids=[c.unit_id for c in found])
    names = q.unit_names(session, unit_ids=[c.unit_id for c in found])
    info = q.task_infos(session, task_ids=[task.id])[task.id]
    result = NudgeResult()
    by_contact: dict[int, tuple[q.Recipient, list[Item]]] = {}
    for c in found:
        to = people[c.unit_id].for_reminder(escalate=False)
        if not to:
            result.unreached.append(names.get(c.unit_id, str(c.unit_id)))
            continue
        start = start_day(c.created_at, now, ctx, calendar)
        plan = Plan(deadline=c.deadline, start=start, policy=ctx.policy, workdays=workdays)
        item = Item(
            assignment_id=c.assignment_id,
            task_id=task.id,
            title=info.title,
            directive=info.directive,
            unit_id=c.unit_id,
            unit=names.get(c.unit_id, str(c.unit_id)),
            deadline=c.deadline,
            kind="nudge",
            seq=0,
            escalate=False,
            days_left=max(0, plan.working_days_left(today)),
            days_overdue=plan.days_overdue(today),
        )
        result.units += 1
        for person in to:
            by_contact.setdefault(person.contact_id, (person, []))[1].append(item)
    # Composed first, then queued in one batch: the write lock is held for one statement,
    # not for a savepoint and flush per message (others' updates wait on it in SQLite).
    messages: list[NewMessage] = []
    for contact_id, (person, items) in by_contact.items():
        parts = compose(
            items,
            person,
            catalog=ctx.catalog,
            day=today,
            header_key="nudge.header",
        )
        messages += [
            NewMessage(
                key=f"nudge:{task.id}:{contact_id}:{request}:{n}",
                chat_id=person.chat_id,
                contact_id=contact_id,
                kind="nudge",
                text=part.text,
                choices=rows_to_json(part.choices),
                priority=PRIORITY_NOTICE,
                assignment_ids=part.assignment_ids,
            )
            for n, part in enumerate(parts)
        ]
    for first in range(0, len(messages), BATCH):
        enqueue_many(session, messages[first : first + BATCH], now=now)
        if checkpoint is not None:
            checkpoint()
    result.contacts = len(by_contact)
    return result
