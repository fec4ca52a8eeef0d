"""Units merged into one (communes merged by the 2025 reform): their open work and people moved.

Each old unit's open assignments (not done, on an open task) go to the new unit. One the
new unit is not on is handed over whole, the same row: its status, deadline, reminder
records and messages go on (the sweep, having read it today already, does not remind the new
unit again; a reminder queued to an old unit's official, now the new unit's, still goes); its
history (reports, evidence, decided requests, answered explanations) stays the old unit's on
an inactive copy, as a unit taken off a task keeps it. A task several of them were on (the
new unit among them) becomes one assignment of the new unit with the most advanced status
(done, then in progress by percent, then blocked, then nothing; the latest report breaks a
tie); the others are taken off as /unassign does, their reminder records of a day and
messages the kept one's unless it has its own (a reminder of the day sent to an old unit
counts for the new one), a pending extension request or unanswered explanation too. An old
unit's done work stays its own. Each row an old unit keeps (taken off, or its history's copy)
names the one its work went on in (`merged_into_id`): a reminder's button sent before the
merge names the row taken off, and is taken for the kept one (`db.queries.checkin`).

On PostgreSQL the rows moved are locked as they are read (a slice's, in its transaction): a
report being written on one is waited out and its status read, and a report checked just
before the merge (its slice) committed waits for it and goes to the kept row
(`app.reporting.record_in`, `checkin.taken_off_meanwhile`).

The old units' contacts become the new unit's (a person of both is one contact of it, with
the function they had there). Their groups, the units under them, their open invites, the
recurring rules naming them and the questions asked about an assignment taken off follow
too (`db.queries.unit_merge_carried`). The caller deactivates the old units and audits the
merge; a large one it makes a slice of tasks a transaction (`next_slice`, `move_work`), the
people and the rest with the last (`merge_units`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import bindparam, delete, update
from sqlmodel import Session, col, func, select

from core.states import ReportState, TaskStatus
from db.models import (
    Assignment,
    Evidence,
    Explanation,
    ExtensionRequest,
    OutboxItem,
    Reminder,
    StatusReport,
    Task,
    UnitContact,
)
from db.queries import menu_marks
from db.queries import unit_merge_carried as carried
from db.queries.audit import record

RANK = {
    ReportState.NONE: 0,
    ReportState.BLOCKED: 1,
    ReportState.IN_PROGRESS: 2,
    ReportState.DONE: 3,
}
EARLIEST = datetime.min.replace(tzinfo=UTC)
# A bulk UPDATE or DELETE of rows no object of the session holds: SQLAlchemy's default
# ("evaluate") matches it against every object the session holds, thousands of assignments
# in a large merge, once a statement (a third of 60 units' merge, 22 s of 78, went there).
UNSYNCED = {"synchronize_session": False}
CHUNK = 500  # assignments named in one statement
# The old units' open assignments one transaction of a merge moves (`next_slice`): 200 units'
# 8,600 moved at once held the write lock 7 to 17 s on SQLite (and their rows on PostgreSQL),
# a slice of 200 a few tenths of a second, under the 2 s a reply waits for the lock.
SLICE_ROWS = 200
R = TypeVar("R", Reminder, ExtensionRequest, Explanation)


@dataclass(frozen=True)
class TaskMoved:
    """One open task's work moved: from which old units, the status kept and whose it was
    (a unit's id), and whether several assignments became one."""

    task_id: int
    from_units: tuple[int, ...]
    state: str
    percent: int | None
    kept_from: int
    joined: bool


@dataclass(frozen=True)
class UnitsMerged:
    """What a merge moves (or would): the tasks, the people moved or already there, the
    groups the new unit joins, the units put under it, the old units' open invites revoked,
    the recurring rules renamed (or stopped: a twin names the new unit) and the questions
    asked about an assignment taken off."""

    tasks: tuple[TaskMoved, ...]
    contacts_moved: tuple[int, ...]
    contacts_joined: tuple[int, ...]
    groups: tuple[int, ...] = ()
    children: tuple[int, ...] = ()
    invites: int = 0
    rules: tuple[int, ...] = ()
    rules_stopped: tuple[int, ...] = ()
    questions: int = 0


@dataclass(frozen=True)
class _Move:
    """One task's assignments: the old units' open ones, and the new unit's (any, or none)."""

    task_id: int
    sources: list[Assignment]
    target: Assignment | None

    def best(self) -> Assignment:
        """Return the assignment whose status is kept: the most advanced of them."""
        live = [*self.sources, *([self.target] if self.target and self.target.active else [])]
        return max(live, key=advance)

    def moved(self) -> TaskMoved:
        """Return what moving this task's work does."""
        best = self.best()
        joined = len(self.sources) > 1 or bool(self.target and self.target.active)
        units = tuple(sorted(a.unit_id for a in self.sources))
        return TaskMoved(self.task_id, units, best.state, best.percent, best.unit_id, joined)

    def dropped(self) -> dict[int, int]:
        """Return the old units' assignments a merge takes off, each with the one kept."""
        kept = self.target if self.target is not None else self.best()
        return {a.id or 0: kept.id or 0 for a in self.sources if a is not kept}


def advance(assignment: Assignment) -> tuple[int, int, datetime]:
    """Return how far an assignment's status went, to compare (higher is further)."""
    rank = RANK.get(ReportState(assignment.state), 0) if assignment.state in RANK else 0
    return rank, assignment.percent or 0, assignment.last_report_at or EARLIEST


def _open_work(query: Any, old_ids: Sequence[int]) -> Any:
    """Return the query of the old units' open assignments (not done, on an open task)."""
    return query.join(Task, col(Task.id) == col(Assignment.task_id)).where(
        col(Assignment.unit_id).in_(list(old_ids)),
        col(Assignment.active).is_(True),
        col(Assignment.state) != ReportState.DONE,
        col(Task.status) == TaskStatus.OPEN,
    )


def next_slice(session: Session, *, old_ids: Sequence[int]) -> tuple[list[int], bool]:
    """Return the next tasks whose open work of the old units one transaction moves (the
    first ones, about SLICE_ROWS assignments, one task at least), and whether they are all."""
    rows = SLICE_ROWS
    query = _open_work(select(Assignment.task_id, func.count()), old_ids)
    tasks: list[int] = []
    total = 0
    for task_id, count in session.exec(
        query.group_by(col(Assignment.task_id)).order_by(col(Assignment.task_id))
    ):
        if tasks and total + count > rows:
            return tasks, False
        tasks.append(task_id)
        total += count
    return tasks, True


def _moves(
    session: Session,
    *,
    old_ids: Sequence[int],
    new_id: int,
    tasks: Sequence[int] | None = None,
    lock: bool = False,
) -> list[_Move]:
    """Return, by task (of `tasks`, else all), the old units' open assignments and the new
    unit's of the task; `lock`: their rows locked until the transaction ends (a merge's, not
    a plan's)."""
    open_work = _open_work(select(Assignment), old_ids)
    if tasks is not None:
        open_work = open_work.where(col(Assignment.task_id).in_(list(tasks)))
    open_work = open_work.order_by(col(Assignment.task_id), col(Assignment.id))
    if lock:  # PostgreSQL: a report in flight on one is waited out, its status then read
        open_work = open_work.with_for_update(of=Assignment)
    by_task: dict[int, list[Assignment]] = {}
    for assignment in session.exec(open_work):
        by_task.setdefault(assignment.task_id, []).append(assignment)
    theirs = select(Assignment).where(
        Assignment.unit_id == new_id, col(Assignment.task_id).in_(list(by_task))
    )
    targets = {a.task_id: a for a in session.exec(theirs.with_for_update() if lock else theirs)}
    return [_Move(task, sources, targets.get(task)) for task, sources in by_task.items()]


def _people(session: Session, *, old_ids: Sequence[int], new_id: int) -> tuple[list[int], ...]:
    """Return the old units' people not yet the new unit's, and those already its."""
    held = set(session.exec(select(UnitContact.contact_id).where(UnitContact.unit_id == new_id)))
    query = select(UnitContact.contact_id).where(col(UnitContact.unit_id).in_(list(old_ids)))
    theirs = sorted(set(session.exec(query)))
    return [c for c in theirs if c not in held], [c for c in theirs if c in held]


def preview(
    session: Session, *, old_ids: Sequence[int], new_id: int, now: datetime
) -> UnitsMerged:
    """Return what merging the old units into the new one would do, changing nothing."""
    moved, joined = _people(session, old_ids=old_ids, new_id=new_id)
    moves = _moves(session, old_ids=old_ids, new_id=new_id)
    dropped = {a: k for m in moves for a, k in m.dropped().items()}
    questions = carried.questions_of(session, contact_ids=[*moved, *joined], dropped=dropped)
    rules = carried.rules_of(session, old_ids=old_ids, new_id=new_id)
    return UnitsMerged(
        tuple(m.moved() for m in moves),
        tuple(moved),
        tuple(joined),
        groups=tuple(carried.groups_of(session, old_ids=old_ids, new_id=new_id)),
        children=tuple(carried.children_of(session, old_ids=old_ids, new_id=new_id)),
        invites=carried.invites_of(session, old_ids=old_ids, now=now),
        rules=tuple(r.id or 0 for r, spec in rules if spec),
        rules_stopped=tuple(r.id or 0 for r, spec in rules if not spec),
        questions=len(questions),
    )


def move_work(
    session: Session,
    *,
    old_ids: Sequence[int],
    new_id: int,
    actor_id: int | None,
    tasks: Sequence[int] | None = None,
) -> tuple[list[TaskMoved], dict[int, int]]:
    """Move the old units' open work of `tasks` (else of every task) to the new unit, in the
    session's transaction (each task's change audited); return what moved, and the
    assignments taken off, each with the one kept."""
    moved: list[TaskMoved] = []
    dropped: dict[int, int] = {}
    pairs: list[tuple[int, int]] = []
    for move in _moves(session, old_ids=old_ids, new_id=new_id, tasks=tasks, lock=True):
        moved.append(move.moved())
        kept = _keep(session, move, new_id=new_id)
        others = [a for a in move.sources if a is not kept]
        dropped |= {a.id or 0: kept.id or 0 for a in others}
        for source in others:
            source.active, source.merged_into_id = False, kept.id
            session.add(source)
        pairs += [(source.id or 0, kept.id or 0) for source in others]
        record(
            session,
            actor_id=actor_id,
            action="task.units_merged",
            object_type="task",
            object_id=move.task_id,
            details={
                "from": list(moved[-1].from_units),
                "into": new_id,
                "state": kept.state,
                "kept_from": moved[-1].kept_from,
            },
        )
    session.flush()
    _follow_all(session, pairs)
    return moved, dropped


def merge_units(
    session: Session,
    *,
    old_ids: Sequence[int],
    new_id: int,
    actor_id: int | None,
    now: datetime,
    before: Sequence[TaskMoved] = (),
    dropped_before: Mapping[int, int] | None = None,
) -> UnitsMerged:
    """Move the old units' open work (what is left of it: `before`, what earlier
    transactions of this merge moved, `move_work`, and the assignments they took off), people
    and what follows them to the new unit, in the session's transaction (`task_count`
    follows by its triggers)."""
    moved, joined = _people(session, old_ids=old_ids, new_id=new_id)
    tasks, dropped = move_work(session, old_ids=old_ids, new_id=new_id, actor_id=actor_id)
    dropped |= dict(dropped_before or {})
    _move_people(session, old_ids=old_ids, new_id=new_id)
    asked = carried.repoint_questions(session, contact_ids=[*moved, *joined], dropped=dropped)
    changed, stopped = carried.rename_in_rules(
        session, old_ids=old_ids, new_id=new_id, actor_id=actor_id
    )
    return UnitsMerged(
        (*before, *tasks),
        tuple(moved),
        tuple(joined),
        groups=tuple(carried.join_groups(session, old_ids=old_ids, new_id=new_id)),
        children=tuple(carried.adopt_children(session, old_ids=old_ids, new_id=new_id, now=now)),
        invites=carried.revoke_old_invites(session, old_ids=old_ids, now=now, actor_id=actor_id),
        rules=tuple(changed),
        rules_stopped=tuple(stopped),
        questions=len(asked),
    )


def _keep(session: Session, move: _Move, *, new_id: int) -> Assignment:
    """Return the new unit's assignment of the task, carrying the most advanced status."""
    best, target = move.best(), move.target
    everyone = [*move.sources, *([target] if target is not None and target.active else [])]
    reported = [a.last_report_at for a in everyone if a.last_report_at is not None]
    if target is not None and target.active:
        if best is target:
            return target  # its own status is the most advanced (done, say): left as it is
        target.state, target.percent = best.state, best.percent
        target.last_report_at = max(reported) if reported else None
        target.overdue_reminders = max(a.overdue_reminders for a in everyone)
        session.add(target)
        session.flush()
        return target
    if target is None:
        return _handed_over(session, best, new_id=new_id, reported=max(reported, default=None))
    # One taken off the task before: the old unit's work goes on in it (its deadline, its
    # reminders' count, when it began: not a newly assigned unit).
    kept = target
    kept.original_deadline, kept.deadline = best.original_deadline, best.deadline
    kept.due_at, kept.created_at = best.due_at, best.created_at
    kept.active, kept.state, kept.percent, kept.done_at = True, best.state, best.percent, None
    kept.last_report_at = max(reported) if reported else None
    kept.overdue_reminders = best.overdue_reminders
    session.add(kept)
    session.flush()
    return kept


def _handed_over(
    session: Session, best: Assignment, *, new_id: int, reported: datetime | None
) -> Assignment:
    """Give the old unit's assignment to the new unit, the same row (its reminder records,
    its messages, a question about it: the sweep, which has read it today already, does not
    remind the new unit again), its history (reports, evidence, decided requests, answered
    explanations) left to the old unit on an inactive copy."""
    old_unit = best.unit_id
    best.unit_id, last_report = new_id, best.last_report_at
    session.add(best)
    session.flush()  # the old unit's place on the task is free for its history
    history = Assignment(
        task_id=best.task_id,
        unit_id=old_unit,
        active=False,
        original_deadline=best.original_deadline,
        deadline=best.deadline,
        due_at=best.due_at,
        state=best.state,
        percent=best.percent,
        last_report_at=last_report,
        overdue_reminders=best.overdue_reminders,
        created_at=best.created_at,
        merged_into_id=best.id,
    )
    session.add(history)
    session.flush()
    assert best.id is not None
    for table, kept_by_live in (
        (StatusReport, None),
        (Evidence, None),
        (ExtensionRequest, col(ExtensionRequest.status) == "pending"),
        (Explanation, col(Explanation.answered_at).is_(None)),
    ):
        query = update(table).where(col(table.assignment_id) == best.id)
        if kept_by_live is not None:
            query = query.where(~kept_by_live)
        session.execute(query.values(assignment_id=history.id), execution_options=UNSYNCED)
    best.last_report_at = reported
    session.add(best)
    session.flush()
    return best


def _follow_all(session: Session, pairs: Sequence[tuple[int, int]]) -> None:
    """Give each kept assignment its sources' reminder records and messages (where it has
    none of that day or message), and a pending extension request and unanswered explanation
    (where it has none), the (source, kept) pairs taken in order: the first source's wins.

    A few statements for the whole merge, not a few per assignment taken off: 200 units'
    thousands of them held the write lock, and every reply, for most of a minute."""
    if not pairs:
        return
    ids = sorted({a for pair in pairs for a in pair})
    reminders = _by_assignment(_rows_of(session, Reminder, ids))
    days = {a: {r.due_on for r in rows} for a, rows in reminders.items()}
    items: dict[int, set[int]] = {}
    for outbox_id, assignment_id in _chunked(
        session, select(OutboxItem.outbox_id, OutboxItem.assignment_id), OutboxItem, ids
    ):
        items.setdefault(assignment_id, set()).add(outbox_id)
    requests = _rows_of(session, ExtensionRequest, ids, ExtensionRequest.status == "pending")
    asked = _rows_of(session, Explanation, ids, col(Explanation.answered_at).is_(None))
    pending: list[dict[int, list[Any]]] = [_by_assignment(requests), _by_assignment(asked)]
    moved_items: list[dict[str, int]] = []
    for source, kept in pairs:
        kept_days = days.setdefault(kept, set())
        for reminder in reminders.get(source, []):
            if reminder.due_on not in kept_days:
                kept_days.add(reminder.due_on)
                reminder.assignment_id = kept
                reminder.key = reminder.key.replace(f"r:{source}:", f"r:{kept}:", 1)
                session.add(reminder)
        kept_items = items.setdefault(kept, set())
        for outbox_id in sorted(items.pop(source, set()) - kept_items):
            kept_items.add(outbox_id)
            moved_items.append({"o": outbox_id, "s": source, "k": kept})
        for rows in pending:
            if not rows.get(kept) and rows.get(source):
                rows[kept] = rows.pop(source)
                for row in rows[kept]:
                    row.assignment_id = kept
                    session.add(row)
    session.flush()
    if moved_items:
        repoint = (
            update(OutboxItem)
            .where(
                col(OutboxItem.outbox_id) == bindparam("o"),
                col(OutboxItem.assignment_id) == bindparam("s"),
            )
            .values(assignment_id=bindparam("k"))
        )
        session.connection().execute(repoint, moved_items)
    sources = [source for source, _ in pairs]
    for chunk in _chunks(sources):  # what is left of theirs is the kept one's already
        gone = delete(OutboxItem).where(col(OutboxItem.assignment_id).in_(chunk))
        session.execute(gone, execution_options=UNSYNCED)


def _rows_of(session: Session, table: type[R], ids: Sequence[int], *where: Any) -> list[R]:
    """Return the rows of a table about the assignments, by id, in chunks of a statement."""
    return list(_chunked(session, select(table).where(*where), table, ids))


def _by_assignment(rows: Sequence[R]) -> dict[int, list[R]]:
    """Return the rows by the assignment they are about, in their order."""
    found: dict[int, list[R]] = {}
    for row in rows:
        found.setdefault(row.assignment_id, []).append(row)
    return found


def _chunked(session: Session, query: Any, table: Any, ids: Sequence[int]) -> Iterator[Any]:
    """Run the query about the assignments, a chunk of them a statement, in the ids' order."""
    for chunk in _chunks(ids):
        wanted = col(table.assignment_id).in_(chunk)
        yield from session.exec(query.where(wanted).order_by(col(table.assignment_id)))


def _chunks(ids: Sequence[int]) -> Iterator[list[int]]:
    """Yield the ids CHUNK at a time (SQLite's bound of a statement's variables)."""
    for at in range(0, len(ids), CHUNK):
        yield list(ids[at : at + CHUNK])


def _move_people(session: Session, *, old_ids: Sequence[int], new_id: int) -> None:
    """Make the old units' contacts the new unit's (once each; a function they had with the
    new unit kept), and mark their menus changed."""
    held = set(session.exec(select(UnitContact.contact_id).where(UnitContact.unit_id == new_id)))
    links = session.exec(
        select(UnitContact)
        .where(col(UnitContact.unit_id).in_(list(old_ids)))
        .order_by(col(UnitContact.created_at))
    ).all()
    for link in links:
        if link.contact_id not in held:
            held.add(link.contact_id)
            session.add(
                UnitContact(unit_id=new_id, contact_id=link.contact_id, function=link.function)
            )
        session.delete(link)
        menu_marks.mark(session, contact_id=link.contact_id)
    session.flush()
