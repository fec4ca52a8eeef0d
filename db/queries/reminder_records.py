"""The reminder records: what the sweep recorded before today and today, and what it adds.

Each reminder of an assignment on a day is a row with a unique key, inserted in batches
(a repeated run adds nothing); an overdue reminder raises the assignment's count, which
escalation reads. What the outbox holds of them is `db/queries/reminder_outbox.py`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, bindparam, func, not_, update
from sqlmodel import Session, col, select

from db.models import Assignment, Reminder
from db.types import utcnow
from db.upsert import insert_new

INSERT_BATCH = 500  # rows per INSERT statement


@dataclass(frozen=True, slots=True)
class Recorded:
    """A reminder already recorded for an assignment on a day."""

    kind: str
    seq: int
    status: str = "queued"


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
    todays = select(
        col(Reminder.assignment_id), col(Reminder.kind), col(Reminder.seq), col(Reminder.status)
    ).where(col(Reminder.assignment_id).in_(assignment_ids), Reminder.due_on == today)
    found = session.exec(todays)
    return last, {aid: Recorded(kind, seq, status) for aid, kind, seq, status in found}


def overdue_sent(
    session: Session, *, assignment_ids: Sequence[int], today: date
) -> dict[int, list[date]]:
    """Return the days before today each assignment's unit was sent an overdue reminder.

    Only those queued to someone count: a day folded into a later message, or skipped as
    nobody could be written to, reached nobody on its own (`core.reminders.Occasion.counted`)."""
    if not assignment_ids:
        return {}
    # The status is compared through a function: given it plainly, SQLite searched the index
    # by status and day (every assignment's queued reminders) instead of these assignments':
    # 0,42 s a chunk of 1,000 on 300,000 reminders, 0,035 s this way, read without the ORM.
    query = select(col(Reminder.assignment_id), col(Reminder.due_on)).where(
        col(Reminder.assignment_id).in_(assignment_ids),
        col(Reminder.due_on) < today,
        Reminder.kind == "overdue",
        func.coalesce(Reminder.status, "") == "queued",
    )
    sent: dict[int, list[date]] = {}
    for aid, day in session.connection().execute(query):
        sent.setdefault(aid, []).append(day)
    return sent


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
