"""What the reminder sweep reads and writes: due candidates, recipients, records.

What the outbox holds of reminders already queued is `db/queries/reminder_outbox.py`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import and_, bindparam, func, not_, or_, update
from sqlalchemy import select as columns
from sqlmodel import Session, col, select

from core.calendar import WorkingCalendar
from core.roles import Function, Role
from core.states import TaskStatus
from db.models import (
    Assignment,
    AuditLog,
    Contact,
    Directive,
    Outbox,
    Reminder,
    Task,
    Unit,
    UnitContact,
)
from db.queries.calendar import working_calendar
from db.queries.recipients import Recipient, reachable_unit_ids, recipients, recipients_in_order
from db.queries.scope import unit_ids_in_scope
from db.queries.task_notices import UNTOLD
from db.types import utcnow
from db.upsert import insert_new

INSERT_BATCH = 500  # rows per INSERT statement


@dataclass(frozen=True, slots=True)
class Candidate:
    """An assignment that may be reminded: open task, active, not done."""

    assignment_id: int
    task_id: int
    unit_id: int
    deadline: date
    created_at: datetime
    days_before: str | None
    overdue_every_days: int | None
    escalate_after: int | None
    last_report_at: datetime | None


@dataclass
class UnitRecipients:
    """A unit's reachable focal points and leaders."""

    focal: list[Recipient] = field(default_factory=list)
    leaders: list[Recipient] = field(default_factory=list)

    def for_reminder(self, *, escalate: bool) -> list[Recipient]:
        """Return who gets the reminder: focal points (else leaders), leaders too if escalated."""
        if escalate:
            return list({r.contact_id: r for r in self.focal + self.leaders}.values())
        return list(self.focal or self.leaders)


def calendar_of(session: Session) -> WorkingCalendar:
    """Return the working calendar with the province's overrides."""
    return working_calendar(session)


def max_assignment_id(session: Session) -> int:
    """Return the highest assignment id so far (0 when none)."""
    return int(session.exec(select(func.max(Assignment.id))).one() or 0)


# What moves a deadline: `/deadline` and a day off (a task's), an extension or a day off
# moving one unit's (an assignment's); db.queries.taskadmin audits each.
DEADLINE_MOVES = ("task.deadline_changed", "assignment.deadline_changed")


def max_audit_id(session: Session) -> int:
    """Return the highest audit entry id so far (0 when none)."""
    return int(session.exec(select(func.max(AuditLog.id))).one() or 0)


def tasks_moved(session: Session, *, after: int, upto: int) -> list[int]:
    """Return the tasks a deadline of which moved in the audit entries (after, upto], by id,
    or whose notice of a moved deadline was given up on (`UNTOLD`: its reader is reminded)."""
    entries = session.exec(
        select(AuditLog.object_type, AuditLog.object_id).where(
            col(AuditLog.id) > after,
            col(AuditLog.id) <= upto,
            col(AuditLog.action).in_((*DEADLINE_MOVES, UNTOLD)),
        )
    ).all()
    tasks = {int(i) for kind, i in entries if kind == "task" and i.isdigit()}
    assignments = {int(i) for kind, i in entries if kind == "assignment" and i.isdigit()}
    if assignments:
        found = select(Assignment.task_id).where(col(Assignment.id).in_(assignments))
        tasks |= set(session.exec(found))
    return sorted(tasks)


def candidates(
    session: Session,
    *,
    after_id: int,
    limit: int | None,
    task_id: int | None = None,
    unit_ids: Sequence[int] | None = None,
) -> list[Candidate]:
    """Return the next `limit` (or all) remindable assignments with ids above `after_id`, by id.

    Plain columns, not entities: a country's first sweep reads hundreds of thousands.
    With `unit_ids`, only those units' (read by the index on the assignment's unit).
    """
    query = (
        columns(
            col(Assignment.id),
            col(Assignment.task_id),
            col(Assignment.unit_id),
            col(Assignment.deadline),
            col(Assignment.created_at),
            col(Task.days_before),
            col(Task.overdue_every_days),
            col(Task.escalate_after),
            col(Assignment.last_report_at),
        )
        # "+ 0" keeps the assignment's own indexes out of the joins: on a country's data
        # SQLite otherwise started from the units, read every open assignment and sorted
        # them, for each chunk; by id it reads just the chunk.
        .join(Task, col(Task.id) == col(Assignment.task_id) + 0)
        .join(Unit, col(Unit.id) == col(Assignment.unit_id) + 0)
        .where(
            col(Assignment.active).is_(True),
            col(Assignment.state) != "done",
            col(Task.status) == TaskStatus.OPEN,
            col(Unit.active).is_(True),
        )
        .order_by(col(Assignment.id))
        .limit(limit)
    )
    if task_id is not None:
        query = query.where(col(Assignment.task_id) == task_id)
    if unit_ids is not None:
        query = query.where(col(Assignment.unit_id).in_(unit_ids))
    if unit_ids is None or after_id:
        # Not for units from the start: with it, SQLite walked every assignment by id
        # (0.27 s for a hundred units of a country) instead of the units' index (0.04 s).
        query = query.where(col(Assignment.id) > after_id)
    return [Candidate(*row) for row in session.execute(query)]


def active_units(session: Session) -> list[int]:
    """Return the ids of the active units, in order."""
    query = select(Unit.id).where(col(Unit.active).is_(True)).order_by(col(Unit.id))
    return [u for u in session.exec(query) if u is not None]


def reachable_units(session: Session) -> set[int]:
    """Return the units with a focal point or leader the bot can write to."""
    return set(session.connection().execute(reachable_unit_ids()).scalars())


@dataclass(frozen=True, slots=True)
class Recorded:
    """A reminder already recorded for an assignment on a day."""

    kind: str
    seq: int


def reminder_history(
    session: Session,
    *,
    assignment_ids: Sequence[int],
    today: date,
    folded_since: datetime | None = None,
) -> tuple[dict[int, date], dict[int, Recorded]]:
    """Return each assignment's latest reminder day before today, and today's reminder.

    The days folded by a run since `folded_since` (today's local midnight) do not count as
    the latest: a run cut off (kill -9) after recording today's reminder and its folds must
    find the same days again, to list them for the coordinators."""
    if not assignment_ids:
        return {}, {}
    earlier = [col(Reminder.assignment_id).in_(assignment_ids), col(Reminder.due_on) < today]
    if folded_since is not None:
        folded_today = and_(
            col(Reminder.status) == "folded", col(Reminder.created_at) >= folded_since
        )
        earlier.append(not_(folded_today))
    query = (
        select(Reminder.assignment_id, func.max(Reminder.due_on))
        .where(*earlier)
        .group_by(col(Reminder.assignment_id))
    )
    last = {aid: day for aid, day in session.exec(query) if day is not None}
    todays = select(Reminder.assignment_id, Reminder.kind, Reminder.seq).where(
        col(Reminder.assignment_id).in_(assignment_ids), Reminder.due_on == today
    )
    return last, {aid: Recorded(kind, seq) for aid, kind, seq in session.exec(todays)}


@dataclass(frozen=True, slots=True)
class NewReminder:
    """A reminder record to insert (a plain value: building ORM rows cost more than the SQL)."""

    key: str
    assignment_id: int
    kind: str
    due_on: date
    seq: int
    status: str


def add_reminders(
    session: Session, rows: Iterable[NewReminder], *, now: datetime | None = None
) -> None:
    """Insert reminder records whose key is new (a repeated run adds nothing), made at `now`
    (the sweep's moment; the wall clock when not given).

    Batched INSERT ... ON CONFLICT DO NOTHING (executemany): a first sweep over a country
    writes hundreds of thousands of rows, and one savepoint per row took minutes.
    """
    now = now or utcnow()
    values = [
        {
            "key": r.key,
            "assignment_id": r.assignment_id,
            "kind": r.kind,
            "due_on": r.due_on,
            "seq": r.seq,
            "status": r.status,
            "created_at": now,
        }
        for r in rows
    ]
    if not values:
        return
    table = Reminder.__table__  # type: ignore[attr-defined]
    statement = insert_new(session, table, key="key")
    for start in range(0, len(values), INSERT_BATCH):
        session.execute(statement, values[start : start + INSERT_BATCH])


def set_overdue_counts(session: Session, *, counts: dict[int, int]) -> None:
    """Raise assignments' count of overdue reminders to the given numbers."""
    if not counts:
        return
    statement = (
        update(Assignment)
        .where(
            col(Assignment.id) == bindparam("aid"),
            col(Assignment.overdue_reminders) < bindparam("n"),
        )
        .values(overdue_reminders=bindparam("n"))
        .execution_options(synchronize_session=False)
    )
    session.connection().execute(statement, [{"aid": a, "n": n} for a, n in counts.items()])


def recipients_of_units(session: Session, *, unit_ids: Iterable[int]) -> dict[int, UnitRecipients]:
    """Return each unit's reachable, started focal points and leaders, by contact id.

    Two plain queries, not a join: for a chunk's thousand units SQLite chose to scan every
    contact and probe each against the whole list, seconds a chunk on a country's data.
    """
    ids = list(set(unit_ids))
    found: dict[int, UnitRecipients] = defaultdict(UnitRecipients)
    if not ids:
        return found
    links = session.exec(
        select(UnitContact.unit_id, UnitContact.contact_id, UnitContact.function).where(
            col(UnitContact.unit_id).in_(ids)
        )
    ).all()
    people = recipients(session, contact_ids={contact_id for _, contact_id, _ in links})
    for unit_id, contact_id, function in sorted(links, key=lambda link: link[1]):
        if contact_id in people:
            group = found[unit_id].leaders if function == Function.LEADER else found[unit_id].focal
            group.append(people[contact_id])
    return found


def coordinators(session: Session) -> list[tuple[Recipient, set[int]]]:
    """Return the coordinators the bot may write to, each with the units they follow.

    Admins stand in when the province has no reachable coordinator.
    """
    for roles in ((Role.COORDINATOR.value,), (Role.ADMIN.value,)):
        query = select(Contact).where(col(Contact.role).in_(roles)).order_by(col(Contact.id))
        found = []
        for recipient in recipients_in_order(session, list(session.exec(query))):
            scope = unit_ids_in_scope(session, contact_id=recipient.contact_id)
            found.append((recipient, set(scope)))
        if found:
            return found
    return []


@dataclass(frozen=True)
class TaskInfo:
    """What a reminder shows of a task."""

    title: str
    directive: str | None


def task_infos(session: Session, *, task_ids: Iterable[int]) -> dict[int, TaskInfo]:
    """Return the title and directive number of each task."""
    ids = list(set(task_ids))
    if not ids:
        return {}
    query = (
        select(Task.id, Task.title, Directive.number)
        .join(Directive, col(Directive.id) == col(Task.directive_id), isouter=True)
        .where(col(Task.id).in_(ids))
    )
    return {tid: TaskInfo(title, number) for tid, title, number in session.exec(query) if tid}


def nudged_since(
    session: Session, *, task_id: int, since: datetime, request: str
) -> dict[int, datetime]:
    """Return who was nudged about this task after `since` by another request, and when last.

    A nudge held for office time counts from when it goes out (`not_before`): two nudges
    typed an hour apart at night would otherwise both go out at 07:30. The nudge's own
    request is left out, so a rerun of it (after a crash) still queues what it had not
    queued yet.
    """
    prefix = f"nudge:{task_id}:"
    query = select(Outbox.contact_id, Outbox.key, Outbox.created_at, Outbox.not_before).where(
        Outbox.kind == "nudge",
        col(Outbox.key).startswith(prefix, autoescape=True),
        or_(col(Outbox.created_at) > since, col(Outbox.not_before) > since),
    )
    found: dict[int, datetime] = {}
    for contact_id, key, created_at, not_before in session.exec(query):
        if contact_id is None or key.startswith(f"{prefix}{contact_id}:{request}:"):
            continue
        moment = max(created_at, not_before or created_at)
        found[contact_id] = max(moment, found.get(contact_id, moment))
    return found
