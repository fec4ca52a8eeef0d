"""The deadlines due on a new day off moved to the next working day, and moved back.

A transaction at a time, each followed by a pause, so that the officials' reports written
meanwhile are not held behind one long write. The contacts of the units whose deadline
moved (not done) are told as `/deadline` tells them (`app.task_notices`): in the
transaction that moves the task itself, so a move is never without its notice. The notices
of the rows a transaction moves are composed before the move takes the write lock (reads
do not take it) and queued in it: on a task of 3,000 units, each with a contact, the
longest transaction held SQLite's write lock 0.07 to 0.2 s (0.05 s without notices; 0.2 to
0.55 s when they were read and composed after the move's first write). A scratch timing
on a busy 2-core machine, three runs each.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from app.services import Services
from app.task_notices import (
    Prepared,
    calendar_key,
    prepare_calendar_move,
    prepare_told,
    rolled_words,
    send_told,
)
from core.taskdates import due_at
from db.engine import session_scope
from db.models import Assignment, Task
from db.queries.calendar import working_calendar
from db.queries.dayoff import Move, MovedBack, finished
from db.queries.dayoff import move_back as move_back_rows
from db.queries.due_times import rolled_across, set_due
from db.queries.task_deadlines import move_extended_off_day, move_task_off_day, next_due
from db.queries.task_notices import rows_due

# A new day off moves a task (or MOVE_ROWS_AT_ONCE of its assignments) a transaction, each
# then pausing three times as long as it held the write lock. All in one transaction, a
# day's tasks (46,000 assignments of a country's cut) held SQLite's lock about 2 s, and
# every official's status report waited for it (tap p99 1.2 to 1.7 s). Committed back to
# back, or pausing only as long, the taps did worse: each makes several writes, four
# updates at a time, and their backlog did not drain between two tasks (bench/README.md,
# "The other heavy commands"). A task's assignments move ahead of the task itself (its
# deadline and audit entry move with the last of them): the largest task of that cut, in
# one statement, still held the lock 0.68 s (tap p99 387 to 410 ms). Removing a day off
# moves back the same way ("A day off's rows a few thousand at a time").
MOVE_ROWS_AT_ONCE = 2000
PAUSE_PER_HELD = 3.0


@dataclass
class Told:
    """How many contacts the moves queued a notice to, and when they go."""

    count: int = 0
    moment: datetime | None = None

    def add(self, told: tuple[int, datetime] | None) -> None:
        """Count one task's notices."""
        if told is not None:
            self.count += told[0]
            self.moment = told[1]


def move_off(
    services: Services, *, day: date, to: date, actor_id: int, told: Told | None = None
) -> list[int]:
    """Move what is due on the new day off `day` to `to`, a transaction per task or per
    MOVE_ROWS_AT_ONCE of its assignments, each pausing after (the day off is already set: a
    failure midway leaves the rest for `/calendar add` again, which moves only what is still
    due that day, a task's rows included); return the tasks moved, in order, the notices
    queued counted in `told`."""
    tz, moved, ahead, of = services.settings.tz, set(), 0, None
    told = Told() if told is None else told
    while True:
        started = time.monotonic()
        with session_scope(services.engine) as session:
            task = next_due(session, day=day)
            if task is None:
                break
            ahead = ahead if task.id == of else 0  # rows of this task moved before
            # The notices of the rows this transaction moves are composed before the move
            # takes the write lock, and queued with it: a move is never without its notice.
            ids = rows_due(session, task_id=task.id or 0, day=day, limit=MOVE_ROWS_AT_ONCE)
            key = calendar_key(session, day=day, task_id=task.id or 0)
            notices = prepare_calendar_move(
                session, services, task=task, key=key, old=day, new=to, assignment_ids=ids
            )
            more = move_task_off_day(
                session,
                task,
                day=day,
                to=to,
                tz=tz,
                actor_id=actor_id,
                rows=MOVE_ROWS_AT_ONCE,
                ahead=ahead,
            )
            told.add(send_told(session, services, notices))
            ahead, of = (0, None) if more == 0 else (ahead + more, task.id)
            if more == 0:
                moved.add(task.id or 0)
        _pause(started)
    with session_scope(services.engine) as session:
        extended = move_extended_off_day(session, day=day, to=to, tz=tz, actor_id=actor_id)
        for task_id in extended:  # a few units' own deadlines: told of after the move
            told.add(_tell(services, session, task_id, day, day, to))
        moved.update(extended)
    return sorted(moved)


def reroll(services: Services, *, day: date, told: Told | None = None) -> list[int]:
    """Give the current assignments whose deadline, on a day off, rolled onto or past `day`
    the day due in effect the calendar now gives (the day a day off made a working day, the
    working day past a day off added) and tell their units not done, a transaction per task
    and days, each pausing after; return those tasks, in order.

    Their deadline stays the one given (a public holiday's, a weekend's): only the day it is
    met by moves. Without this the status, the counts and the reminders' day went apart until
    the next morning's sweep, and a unit told "due 11/02" was due 04/02 untold."""
    tz, moved = services.settings.tz, set()
    told = Told() if told is None else told
    with session_scope(services.engine) as session:
        calendar = working_calendar(session)
        found = rolled_across(session, day=day, calendar=calendar, tz=tz)
    for group in found:
        for start in range(0, len(group.assignment_ids), MOVE_ROWS_AT_ONCE):
            ids = list(group.assignment_ids[start : start + MOVE_ROWS_AT_ONCE])
            started = time.monotonic()
            with session_scope(services.engine) as session:
                task = session.get(Task, group.task_id)
                if task is None:
                    continue
                key = f"{calendar_key(session, day=day, task_id=group.task_id)}:due{group.new}"
                notices = prepare_told(
                    session,
                    services,
                    task_id=group.task_id,
                    key=key,
                    words=rolled_words(services, task.id or 0, task.title, group.old, group.new),
                    deadline=group.new,
                    assignment_ids=ids,
                )
                if set_due(session, assignment_ids=ids, due=due_at(group.new, tz)):
                    told.add(send_told(session, services, notices))
                    moved.add(group.task_id)
            _pause(started)
    return sorted(moved)


def move_back(
    services: Services,
    day: date,
    moves: list[Move],
    result: MovedBack,
    *,
    actor_id: int,
    told: Told | None = None,
) -> MovedBack:
    """Undo a day off's moves as `move_off` made them, a transaction per move (and per few
    thousand of a task's assignments), pausing between; return what moved back and was kept.
    The day off is already removed or changed: a failure midway leaves the rest where the
    day off moved them (a task's rows split between the days: `/deadline` sets them all).
    The notices queued are counted in `told`."""
    tz = services.settings.tz
    told = Told() if told is None else told
    for move in moves:
        while True:
            started = time.monotonic()
            with session_scope(services.engine) as session:
                before = len(result.moved)
                notices = _prepare_back(services, session, move, day)
                more = move_back_rows(
                    session,
                    move,
                    day=day,
                    tz=tz,
                    actor_id=actor_id,
                    result=result,
                    rows=MOVE_ROWS_AT_ONCE,
                )
                if more or len(result.moved) > before:  # moved back (not kept): tell
                    told.add(send_told(session, services, notices))
            _pause(started)
            if more == 0:
                break
    return finished(result)


def _tell(
    services: Services, session: Session, task_id: int, day: date, old: date, new: date
) -> tuple[int, datetime] | None:
    """Queue the notices of a task's deadline moved from `old` to `new` by the day `day`,
    to its units not done now due `new`."""
    task = session.get(Task, task_id)
    if task is None:
        return None
    key = calendar_key(session, day=day, task_id=task_id)
    notices = prepare_calendar_move(session, services, task=task, key=key, old=old, new=new)
    return send_told(session, services, notices)


def _prepare_back(services: Services, session: Session, move: Move, day: date) -> Prepared | None:
    """Compose the notices of what this transaction of `move_back` moves back to `day`, before
    it moves (the rows of a task it moves next, or the assignment)."""
    if move.object_type == "task":
        task = session.get(Task, int(move.object_id))
        ids = rows_due(session, task_id=int(move.object_id), day=move.to, limit=MOVE_ROWS_AT_ONCE)
    else:
        assignment = session.get(Assignment, int(move.object_id))
        task = None if assignment is None else session.get(Task, assignment.task_id)
        ids = [int(move.object_id)]
    if task is None:
        return None
    key = calendar_key(session, day=day, task_id=task.id or 0)
    return prepare_calendar_move(
        session, services, task=task, key=key, old=move.to, new=day, assignment_ids=ids
    )


def _pause(started: float) -> None:
    """Pause three times as long as the transaction begun at `started` held the lock."""
    time.sleep(PAUSE_PER_HELD * (time.monotonic() - started))  # the others write then
