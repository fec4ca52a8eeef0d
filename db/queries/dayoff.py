"""Undoing what a day off moved, when the day off is removed again.

Adding a day off moves what was due that day to the next working day
(`task_deadlines.move_off_day`), each move audited with the day off's date (`day_off`). Removing
the day off moves back exactly those moves of its latest addition that nothing changed
since: the task still open and still due where it was moved, no later deadline change of
it in the audit log (a `/deadline`, an import, another day off). A day already past is
left alone: its reports were judged against the deadline then in force.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, tzinfo

from sqlmodel import Session, col, func, select

from core.states import TaskStatus
from db.models import Assignment, AuditLog, Task
from db.queries.task_deadlines import change_deadline, move_assignment, move_task_rows

MOVES = ("task.deadline_changed", "assignment.deadline_changed")


@dataclass
class MovedBack:
    """The tasks moved back to the day, and those its day off moved that were kept."""

    moved: list[int] = field(default_factory=list)
    kept: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class Move:
    """One audited move of a day off to undo: the entry, what it moved and where to."""

    entry_id: int
    object_type: str
    object_id: str
    to: date


def move_back_to_day(
    session: Session, *, day: date, today: date, tz: tzinfo, actor_id: int | None
) -> MovedBack:
    """Move back to `day` what its latest day off moved, where nothing changed it since.

    In one transaction; `app.calendar_days.moves` plans (`moves_to_undo`) and then commits a move
    (or a few thousand of a task's assignments) at a time (`move_back`)."""
    moves, result = moves_to_undo(session, day=day, today=today)
    for move in moves:
        while move_back(session, move, day=day, tz=tz, actor_id=actor_id, result=result):
            pass
    return finished(result)


def moves_to_undo(session: Session, *, day: date, today: date) -> tuple[list[Move], MovedBack]:
    """Return the moves of the day's latest day off to undo, in order, and the tasks kept (all
    of them when the day is past: what was due then was judged by the deadline then in force).
    Read before the day off's removal or change is audited, or just after its removal."""
    entries = _moves_of_day_off(session, day)
    result = MovedBack()
    if day < today:
        result.kept = sorted({_task_of(session, entry) for entry in entries} - {0})
        return [], result
    moves = [
        Move(e.id or 0, e.object_type, e.object_id, date.fromisoformat(str(e.details.get("to"))))
        for e in entries
    ]
    return moves, result


def move_back(
    session: Session,
    move: Move,
    *,
    day: date,
    tz: tzinfo,
    actor_id: int | None,
    result: MovedBack,
    rows: int | None = None,
) -> int:
    """Undo one move, where nothing changed what it moved since (read again here: another
    admin may have changed it since the plan), noting its task in `result`; return 0 when
    done, else how many of a task's assignments moved ahead of it (at most `rows`: call again)."""
    untouched = _latest_change(session, move) == move.entry_id
    if move.object_type != "task":
        _move_back_assignment(session, move, day, untouched, actor_id, tz, result)
        return 0
    task = session.get(Task, int(move.object_id))
    if task is None:
        return 0
    if not (untouched and task.status == TaskStatus.OPEN and task.deadline == move.to):
        result.kept.append(task.id or 0)
        return 0
    if rows is not None:
        ahead = move_task_rows(session, task=task, deadline=day, tz=tz, limit=rows)
        if ahead == rows:
            return ahead
    cause = {"day_off_removed": day.isoformat()}
    change_deadline(session, task=task, deadline=day, tz=tz, actor_id=actor_id, cause=cause)
    result.moved.append(task.id or 0)
    return 0


def finished(result: MovedBack) -> MovedBack:
    """Return the result in order, a task moved back for one move not named as kept."""
    moved = sorted(set(result.moved))
    return MovedBack(moved, sorted(set(result.kept) - set(moved)))


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


def _latest_change(session: Session, move: Move) -> int:
    """Return the id of the latest audited deadline change of what the move moved."""
    query = select(func.max(AuditLog.id)).where(
        col(AuditLog.action).in_(MOVES),
        AuditLog.object_type == move.object_type,
        AuditLog.object_id == move.object_id,
        col(AuditLog.id) >= move.entry_id,
    )
    return session.exec(query).one() or 0


def _move_back_assignment(
    session: Session,
    move: Move,
    day: date,
    untouched: bool,
    actor_id: int | None,
    tz: tzinfo,
    result: MovedBack,
) -> None:
    """Move one assignment's extended deadline back to the day, or note its task as kept."""
    assignment = session.get(Assignment, int(move.object_id))
    if assignment is None:
        return
    task = session.get(Task, assignment.task_id)
    still = assignment.active and assignment.deadline == move.to
    if not (untouched and still and task is not None and task.status == TaskStatus.OPEN):
        result.kept.append(assignment.task_id)
        return
    why = {"day_off_removed": day.isoformat()}
    move_assignment(session, assignment, to=day, tz=tz, actor_id=actor_id, why=why)
    result.moved.append(assignment.task_id)
