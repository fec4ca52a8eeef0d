"""The reminders in the outbox: who was queued what and when, and what is left to chase.

The records of reminders cancelled unsent are forgotten here too (they then count as
missed). So are the nudges of a task sent lately (`nudged_since`). What the sweep plans from
is `db/queries/reminder_candidates.py`, `reminder_recipients.py` and `reminder_records.py`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, tzinfo

from sqlalchemy import ColumnElement, and_, delete, func, or_
from sqlalchemy import select as columns
from sqlmodel import Session, col, select

from core.states import ReportState, SendStatus, TaskStatus
from core.taskdates import local_day
from db.models import Assignment, Outbox, OutboxItem, Reminder, Task, Unit, UnitContact
from db.queries.task_notices import CHANGED, TOLD


def sent_today(
    session: Session, *, contact_ids: Sequence[int], since: datetime
) -> set[tuple[int, int]]:
    """Return (contact, assignment) pairs already in a reminder or a nudge of today.

    A reminder counts from when it was queued (since `since`, the day's start); a nudge from
    when it goes out: one typed last night was held until this morning's office time
    (`not_before`), and the morning's reminder of the same task would reach the official
    beside it. So does a notice of a deadline moved to the day it goes, which says it is
    due that day (`app.task_notices.queue_told`: the only notices about assignments).
    """
    if not contact_ids:
        return set()
    query = (
        select(Outbox.contact_id, OutboxItem.assignment_id)
        .join(OutboxItem, col(OutboxItem.outbox_id) == col(Outbox.id))
        .where(
            col(Outbox.contact_id).in_(contact_ids),
            col(Outbox.status) != "cancelled",
            _of_today(since),
        )
    )
    return {(c, a) for c, a in session.exec(query) if c is not None}


def _of_today(since: datetime) -> ColumnElement[bool]:
    """Select the messages about assignments that count as today's (see `sent_today`)."""
    return or_(
        and_(col(Outbox.kind) == "reminder", col(Outbox.created_at) >= since),
        and_(col(Outbox.kind) == "nudge", col(Outbox.not_before) >= since),
        and_(
            col(Outbox.kind) == "notice",
            col(Outbox.key).startswith(f"{CHANGED}:"),
            col(Outbox.not_before) >= since,
        ),
    )


def said_today(
    session: Session,
    *,
    contact_ids: Sequence[int],
    assignment_ids: Sequence[int],
    since: datetime,
    afresh: Mapping[int, datetime] | None = None,
) -> dict[tuple[int, int], set[str]]:
    """Return, for each (contact, assignment) of these in a reminder or a nudge of today (as
    `sent_today` counts them) or told of a new deadline by today's notice of it, the
    deadlines those messages gave it (ISO dates, from their recipes; none for a message
    queued without one).

    `afresh`: assignments started afresh today (a unit taken off its task and brought back),
    each with its moment: what was said of one before then does not count."""
    if not contact_ids or not assignment_ids:
        return {}
    afresh = afresh or {}
    query = (
        select(Outbox.contact_id, OutboxItem.assignment_id, Outbox.payload, Outbox.created_at)
        .join(OutboxItem, col(OutboxItem.outbox_id) == col(Outbox.id))
        .where(
            col(Outbox.contact_id).in_(contact_ids),
            col(OutboxItem.assignment_id).in_(assignment_ids),
            col(Outbox.status) != "cancelled",
            # a notice given up on told nothing (`_told_by_notices`)
            or_(col(Outbox.kind) != "notice", col(Outbox.status) != SendStatus.FAILED),
            _of_today(since),
        )
    )
    said: dict[tuple[int, int], set[str]] = {}
    for contact, assignment, payload, made in session.exec(query):
        if contact is None or _before(made, afresh.get(assignment)):
            continue
        recipe = payload.get("recipe") if isinstance(payload, dict) else None
        items = recipe.get("items", []) if isinstance(recipe, dict) else []
        deadlines = {
            str(i.get("deadline"))
            for i in items
            if isinstance(i, dict) and i.get("assignment_id") == assignment
        }
        said.setdefault((contact, assignment), set()).update(deadlines)
    _told_by_notices(
        session,
        said,
        contact_ids=contact_ids,
        assignment_ids=assignment_ids,
        since=since,
        afresh=afresh,
    )
    return said


def _before(made: datetime | None, start: datetime | None) -> bool:
    """Tell whether a message made at `made` came before an assignment's fresh `start`."""
    return made is not None and start is not None and made < start


def _told_by_notices(
    session: Session,
    said: dict[tuple[int, int], set[str]],
    *,
    contact_ids: Sequence[int],
    assignment_ids: Sequence[int],
    since: datetime,
    afresh: Mapping[int, datetime],
) -> None:
    """Add to `said` the new deadlines today's notices of a moved deadline give (their
    recipes' `TOLD`, whether or not the notice is about the assignments as a reminder), but
    those made before an assignment of `afresh` started afresh.

    Not a notice cancelled or given up on (failed): the contact was not told, and the
    sweep's re-plan reminds them of the new deadline. One still queued counts: it goes in
    office time, as the reminder would (within the minute the sweep runs after the move)."""
    query = select(Outbox.contact_id, Outbox.payload, Outbox.created_at).where(
        col(Outbox.contact_id).in_(contact_ids),
        col(Outbox.kind) == "notice",
        col(Outbox.key).startswith(f"{CHANGED}:"),
        col(Outbox.not_before) >= since,
        col(Outbox.status).not_in((SendStatus.CANCELLED, SendStatus.FAILED)),
    )
    wanted = set(assignment_ids)
    for contact, payload, made in session.exec(query):
        recipe = payload.get("recipe") if isinstance(payload, dict) else None
        told = recipe.get(TOLD) if isinstance(recipe, dict) else None
        if contact is None or not isinstance(told, list):
            continue
        for item in told:
            assignment = item.get("assignment_id") if isinstance(item, dict) else None
            if (
                isinstance(assignment, int)
                and assignment in wanted
                and not _before(made, afresh.get(assignment))
            ):
                said.setdefault((contact, assignment), set()).add(str(item["deadline"]))


def previous_reminders(
    session: Session, *, contact_ids: Sequence[int], before: datetime
) -> dict[int, datetime]:
    """Return when each contact was last queued a reminder or a nudge before `before`."""
    if not contact_ids:
        return {}
    query = (
        select(Outbox.contact_id, func.max(Outbox.created_at))
        .where(
            col(Outbox.contact_id).in_(contact_ids),
            col(Outbox.kind).in_(("reminder", "nudge")),
            col(Outbox.status) != "cancelled",
            col(Outbox.created_at) < before,
        )
        .group_by(col(Outbox.contact_id))
    )
    return {c: at for c, at in session.exec(query) if c is not None and at is not None}


def forget_reminders_of(
    session: Session, *, outbox_ids: Sequence[int], before: date, tz: tzinfo
) -> set[date]:
    """Delete the records of reminders whose messages were cancelled, so they count as missed.

    Only each message's own day (the local day it was queued, its records' `due_on`): the
    assignment's earlier reminders went out, and counted as missed they were listed to the
    coordinators as never sent and folded into the unit's next message. Returns the days
    whose records were forgotten.
    """
    if not outbox_ids:
        return set()
    items = (
        select(OutboxItem.assignment_id, Outbox.created_at)
        .join(Outbox, col(Outbox.id) == col(OutboxItem.outbox_id))
        .where(col(OutboxItem.outbox_id).in_(outbox_ids))
    )
    days = {(a, local_day(at, tz)) for a, at in session.exec(items) if at is not None}
    rows = session.exec(
        select(Reminder).where(
            col(Reminder.assignment_id).in_({a for a, _ in days}),
            col(Reminder.due_on) < before,
            col(Reminder.status) == "queued",
        )
    ).all()
    forgotten = [row for row in rows if (row.assignment_id, row.due_on) in days]
    for row in forgotten:
        session.delete(row)
    return {row.due_on for row in forgotten}


def to_chase(
    session: Session, *, outbox_id: int, deadlines: Mapping[int, date] | None = None
) -> tuple[set[int], set[int]]:
    """Return the assignments a queued message is about, and those still the recipient's to chase.

    One is not when its unit reported it done, it was taken off the task, its task was
    closed or cancelled, its unit was deactivated, or the recipient was removed from the unit:
    what the sweep would not remind them of; nor when its deadline is no longer the one the
    message says (`deadlines`, by assignment: moved by /deadline, an extension, a day off).
    """
    said = deadlines or {}
    linked = and_(
        col(UnitContact.unit_id) == col(Assignment.unit_id),
        col(UnitContact.contact_id) == col(Outbox.contact_id),
    )
    query = (
        columns(
            col(Assignment.id),
            col(Assignment.state),
            col(Assignment.active),
            col(Task.status),
            col(Unit.active),
            col(UnitContact.contact_id),
            col(Assignment.deadline),
        )
        .join(OutboxItem, col(OutboxItem.assignment_id) == col(Assignment.id))
        .join(Outbox, col(Outbox.id) == col(OutboxItem.outbox_id))
        .join(Task, col(Task.id) == col(Assignment.task_id))
        .join(Unit, col(Unit.id) == col(Assignment.unit_id))
        .join(UnitContact, linked, isouter=True)
        .where(col(OutboxItem.outbox_id) == outbox_id)
    )
    rows = list(session.execute(query))
    chased = {
        assignment_id
        for assignment_id, state, active, status, unit_active, member, deadline in rows
        if state != ReportState.DONE
        and active
        and status == TaskStatus.OPEN
        and unit_active
        and member is not None
        and said.get(assignment_id, deadline) == deadline
    }
    return {row[0] for row in rows}, chased


def drop_items(session: Session, *, outbox_id: int, assignment_ids: Sequence[int]) -> None:
    """Take assignments off a queued message (no longer what it is about)."""
    session.execute(
        delete(OutboxItem).where(
            col(OutboxItem.outbox_id) == outbox_id,
            col(OutboxItem.assignment_id).in_(assignment_ids),
        )
    )


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
