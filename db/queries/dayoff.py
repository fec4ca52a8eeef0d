"""Undoing what a day off moved, when the day off is removed again.

Adding a day off moves what was due that day to the next working day
(`taskadmin.move_off_day`), each move audited with the day off's date (`day_off`). Removing
the day off moves back exactly those moves of its latest addition that nothing changed
since: the task still open and still due where it was moved, no later deadline change of
it in the audit log (a `/deadline`, an import, another day off). A day already past is
left alone: its reports were judged against the deadline then in force.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, tzinfo

from sqlmodel import Session, col, select

from core.states import TaskStatus
from db.models import Assignment, AuditLog, Task
from db.queries.taskadmin import change_deadline, move_assignment

MOVES = ("task.deadline_changed", "assignment.deadline_changed")


@dataclass
class MovedBack:
    """The tasks moved back to the day, and those its day off moved that were kept."""

    moved: list[int] = field(default_factory=list)
    kept: list[int] = field(default_factory=list)


def move_back_to_day(
    session: Session, *, day: date, today: date, tz: tzinfo, actor_id: int | None
) -> MovedBack:
    """Move back to `day` what its latest day off moved, where nothing changed it since."""
    moves = _moves_of_day_off(session, day)
    result = MovedBack()
    if day < today:  # what was due then was judged by the deadline then in force
        result.kept = sorted({_task_of(session, entry) for entry in moves} - {0})
        return result
    if not moves:
        return result
    latest = _latest_change(session, after=moves[0].id or 0)
    cause = {"day_off_removed": day.isoformat()}
    for entry in moves:
        to = date.fromisoformat(str(entry.details.get("to", "")))
        untouched = latest[(entry.object_type, entry.object_id)] == entry.id
        if entry.object_type == "task":
            task = session.get(Task, int(entry.object_id))
            if task is None:
                continue
            if untouched and task.status == TaskStatus.OPEN and task.deadline == to:
                change_deadline(
                    session, task=task, deadline=day, tz=tz, actor_id=actor_id, cause=cause
                )
                result.moved.append(task.id or 0)
            else:
                result.kept.append(task.id or 0)
        else:
            _move_back_assignment(session, entry, day, to, untouched, actor_id, tz, result)
    result.moved = sorted(set(result.moved))
    result.kept = sorted(set(result.kept) - set(result.moved))
    return result


def _moves_of_day_off(session: Session, day: date) -> list[AuditLog]:
    """Return the audited moves of the day's latest addition as a day off, in order.

    A day off set again (a new reason typed) is the same day off: its moves are those
    since the first of the day's settings as a day off in a row, after the last removal.
    """
    entries = session.exec(
        select(AuditLog)
        .where(
            col(AuditLog.action).in_(("calendar.set", "calendar.removed")),
            AuditLog.object_id == day.isoformat(),
        )
        .order_by(col(AuditLog.id).desc())
    )
    added: AuditLog | None = None
    for entry in entries:
        if entry.action == "calendar.removed" and added is None:
            continue  # the removal being undone, when the caller removed the day first
        if entry.action != "calendar.set" or entry.details.get("working", True):
            break
        added = entry
    if added is None:
        return []
    since = session.exec(
        select(AuditLog)
        .where(col(AuditLog.action).in_(MOVES), col(AuditLog.id) > added.id)
        .order_by(col(AuditLog.id))
    )
    return [e for e in since if e.details.get("day_off") == day.isoformat()]


def _task_of(session: Session, entry: AuditLog) -> int:
    """Return the task an audited move is of (0 when it is gone)."""
    if entry.object_type == "task":
        return int(entry.object_id)
    assignment = session.get(Assignment, int(entry.object_id))
    return assignment.task_id if assignment is not None else 0


def _latest_change(session: Session, *, after: int) -> dict[tuple[str, str], int]:
    """Return the id of the latest deadline change of each task and assignment since `after`."""
    query = select(AuditLog.object_type, AuditLog.object_id, AuditLog.id).where(
        col(AuditLog.action).in_(MOVES), col(AuditLog.id) >= after
    )
    latest: dict[tuple[str, str], int] = {}
    for object_type, object_id, entry_id in session.exec(query):
        key = (object_type, object_id)
        latest[key] = max(latest.get(key, 0), entry_id or 0)
    return latest


def _move_back_assignment(
    session: Session,
    entry: AuditLog,
    day: date,
    to: date,
    untouched: bool,
    actor_id: int | None,
    tz: tzinfo,
    result: MovedBack,
) -> None:
    """Move one assignment's extended deadline back to the day, or note its task as kept."""
    assignment = session.get(Assignment, int(entry.object_id))
    if assignment is None:
        return
    task = session.get(Task, assignment.task_id)
    still = assignment.active and assignment.deadline == to
    if not (untouched and still and task is not None and task.status == TaskStatus.OPEN):
        result.kept.append(assignment.task_id)
        return
    why = {"day_off_removed": day.isoformat()}
    move_assignment(session, assignment, to=day, tz=tz, actor_id=actor_id, why=why)
    result.moved.append(assignment.task_id)
