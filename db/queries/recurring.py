"""Recurring task rules and the tasks they create ahead of time, one per occurrence."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta, tzinfo

from sqlmodel import Session, col, select

from core.calendar import WorkingCalendar
from core.recurrence import Rule, occurrences, parse_rule, period_label
from core.textnorm import fold
from db.models import RecurringTask, Task
from db.queries.assignees import lasting_spec, resolve_assignees
from db.queries.audit import record
from db.queries.taskadmin import audit_created
from db.queries.tasks import create_task

log = logging.getLogger(__name__)

DEFAULT_AHEAD_DAYS = 30
# A nominal day on a weekend just before today can still have a deadline today or later.
LOOK_BACK = timedelta(days=7)
ACTOR_LABEL = "recurring"


def create_rule(
    session: Session,
    *,
    title: str,
    rule: Rule,
    assignees: str,
    actor_id: int | None,
    directive_id: int | None = None,
    description: str = "",
    create_ahead_days: int = DEFAULT_AHEAD_DAYS,
) -> RecurringTask:
    """Store a recurring rule (its tasks are created by `generate`); audited."""
    row = RecurringTask(
        title=" ".join(title.split()),
        description=description,
        directive_id=directive_id,
        rule=str(rule),
        assignees=assignees,
        create_ahead_days=create_ahead_days,
        created_by_id=actor_id,
    )
    session.add(row)
    session.flush()
    record(
        session,
        actor_id=actor_id,
        action="recurring.created",
        object_type="recurring_task",
        object_id=row.id,
        details={"title": row.title, "rule": row.rule, "assignees": assignees},
    )
    return row


def same_rule(
    session: Session, *, title: str, rule: Rule, unit_ids: list[int]
) -> tuple[RecurringTask, int] | None:
    """Return the active rule of this title (folded) and rule that would make tasks for some
    of these units too, and how many of them: each would get the same task twice (an admin
    typing the command again). None when there is none."""
    wanted = set(unit_ids)
    for row in rules(session):
        if fold(row.title) != fold(title) or row.rule != str(rule):
            continue
        both = wanted & set(resolve_assignees(session, row.assignees).unit_ids)
        if both:
            return row, len(both)
    return None


def rules(session: Session, *, active_only: bool = True) -> list[RecurringTask]:
    """Return the recurring rules, oldest first."""
    query = select(RecurringTask).order_by(col(RecurringTask.id))
    if active_only:
        query = query.where(col(RecurringTask.active).is_(True))
    return list(session.exec(query))


def stop_rule(session: Session, *, rule_id: int, actor_id: int | None) -> RecurringTask | None:
    """Stop a rule creating tasks (the tasks it made stay); audited. None when unknown."""
    row = session.get(RecurringTask, rule_id)
    if row is None or not row.active:
        return None
    row.active = False
    session.add(row)
    record(
        session,
        actor_id=actor_id,
        action="recurring.stopped",
        object_type="recurring_task",
        object_id=rule_id,
    )
    return row


def generate(
    session: Session,
    *,
    today: date,
    tz: tzinfo,
    calendar: WorkingCalendar,
    now: datetime | None = None,
) -> list[Task]:
    """Create the tasks of every active rule's occurrences due within its horizon, once."""
    created: list[Task] = []
    # The rules are locked for the transaction (PostgreSQL): a second run at the same time
    # (two leaders for a moment, WORKERS=multi) waits, then sees the tasks made here.
    locked = select(RecurringTask).where(col(RecurringTask.active).is_(True))
    for row in list(session.exec(locked.order_by(col(RecurringTask.id)).with_for_update())):
        created.extend(_generate_rule(session, row, today, tz, calendar, now))
    return created


def _generate_rule(
    session: Session,
    row: RecurringTask,
    today: date,
    tz: tzinfo,
    calendar: WorkingCalendar,
    now: datetime | None,
) -> list[Task]:
    """Create the missing occurrences of one rule up to today + its horizon."""
    rule = parse_rule(row.rule)
    if rule is None or row.id is None:
        log.warning("recurring task %s has an unreadable rule %r", row.id, row.rule)
        return []
    _keep_by_code(session, row)
    start = today - LOOK_BACK
    if row.generated_until is not None:
        start = max(start, row.generated_until + timedelta(days=1))
    end = today + timedelta(days=row.create_ahead_days)
    existing = set(session.exec(select(col(Task.occurrence)).where(Task.recurring_id == row.id)))
    created = []
    for nominal in occurrences(rule, start, end):
        deadline, _moved = calendar.roll_forward(nominal)
        if nominal in existing or deadline < today:
            continue
        task = _create_occurrence(session, row, rule, (nominal, deadline), tz, now)
        if task is not None:
            created.append(task)
    row.generated_until = end
    session.add(row)
    return created


def _keep_by_code(session: Session, row: RecurringTask) -> None:
    """Keep a rule's units by their codes (`lasting_spec`), a rule stored by name before
    rules were kept so included, while every item still names what it did: a unit renamed
    or a new one of a like name would later leave them out of its tasks, unsaid."""
    if resolve_assignees(session, row.assignees).unmatched:
        return  # what an item meant is no longer known: left as typed
    kept = lasting_spec(session, row.assignees)
    if kept != row.assignees:
        row.assignees = kept
        session.add(row)


def _create_occurrence(
    session: Session,
    row: RecurringTask,
    rule: Rule,
    dates: tuple[date, date],
    tz: tzinfo,
    now: datetime | None,
) -> Task | None:
    """Create one occurrence's task (its nominal day, its deadline) for the rule's units as
    they are today."""
    nominal, deadline = dates
    resolution = resolve_assignees(session, row.assignees)
    if not resolution.unit_ids:
        log.warning("recurring task %s names no unit today: %r", row.id, row.assignees)
        return None
    task = create_task(
        session,
        title=f"{row.title} ({period_label(rule, nominal)})",
        deadline=deadline,
        unit_ids=resolution.unit_ids,
        tz=tz,
        directive_id=row.directive_id,
        description=row.description,
        created_by_id=row.created_by_id,
        now=now,
    )
    task.recurring_id, task.occurrence = row.id, nominal
    session.add(task)
    session.flush()
    audit_created(
        session, task=task, unit_ids=resolution.unit_ids, actor_id=None, label=ACTOR_LABEL
    )
    return task
