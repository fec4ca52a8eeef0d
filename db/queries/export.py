"""What an export holds: the assignments of some tasks, their evidence, notes (extension
requests decided among them) and history."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from core.states import TaskStatus
from core.summary import Line
from db.models import Contact, Directive, Evidence, StatusReport, Task
from db.queries import summary as q
from db.queries.calendar import working_calendar
from db.queries.extension_history import Decided, decided
from db.queries.unit_merge_history import carried_into
from db.queries.units import unit_names


@dataclass(frozen=True)
class TaskInfo:
    """A task as the appendix names it; `due`, the day its deadline is in force (the next
    working day when the deadline is on a day off, Civil Code art. 148)."""

    task_id: int
    title: str
    directive: str
    deadline: date
    due: date | None = None
    closed: bool = False  # no longer followed up (a directive's or a period's may be)


@dataclass(frozen=True)
class HistoryRow:
    """One status report with who sent it."""

    at: datetime
    unit: str
    task_id: int
    state: str
    percent: int | None
    text: str
    reason: str
    evidence_number: str
    evidence_date: date | None
    reporter: str
    source: str


@dataclass
class ExportData:
    """Everything the workbook shows, loaded once."""

    tasks: dict[int, TaskInfo] = field(default_factory=dict)
    lines: list[Line] = field(default_factory=list)
    documents: dict[int, list[tuple[str, date | None]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    files: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    blockers: dict[int, str] = field(default_factory=dict)
    explanations: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    history: list[HistoryRow] = field(default_factory=list)
    decided: dict[int, list[Decided]] = field(default_factory=dict)  # extension requests


def task_ids_for(
    session: Session, *, task_id: int | None = None, directive_id: int | None = None
) -> list[int]:
    """Return the tasks to export: one, a directive's, or every open task."""
    if task_id is not None:
        return [task_id]
    query = select(Task.id)
    if directive_id is not None:
        query = query.where(Task.directive_id == directive_id, Task.status != TaskStatus.CANCELLED)
    else:
        query = query.where(Task.status == TaskStatus.OPEN)
    return [tid for tid in session.exec(query.order_by(col(Task.deadline), col(Task.id))) if tid]


def load(
    session: Session, *, task_ids: Sequence[int], scope: q.Scope = q.EVERY, history: bool = True
) -> ExportData:
    """Load the tasks' current assignments in scope, with evidence, notes and history (the
    formal report, `history=False`, shows the documents the reports named, not the reports:
    only those are read)."""
    data = ExportData()
    query = (
        sa_select(
            col(Task.id),
            col(Task.title),
            col(Directive.number),
            col(Task.deadline),
            col(Task.status),
        )
        .outerjoin(Directive, col(Directive.id) == col(Task.directive_id))
        .where(col(Task.id).in_(task_ids))
    )
    roll = working_calendar(session).roll_forward
    for tid, title, number, deadline, status in session.execute(query):
        closed = status == TaskStatus.CLOSED
        data.tasks[tid] = TaskInfo(tid, title, number or "", deadline, roll(deadline)[0], closed)
    data.lines = q.lines(session, scope=scope, task_ids=task_ids)
    seen = {ln.task_id for ln in data.lines}  # a task with nothing in scope is not named
    data.tasks = {tid: info for tid, info in data.tasks.items() if tid in seen}
    ids = [ln.assignment_id for ln in data.lines]
    # The old units' rows whose work a line carries on (units merged): their reports and
    # files are the line's history and evidence too, said as the old unit's.
    carried = carried_into(session, assignment_ids=ids)
    if history:
        _load_reports(session, data, ids, carried)
    else:
        _load_documents(session, data, ids, carried)
    for note in q.blocker_notes(session, task_ids=task_ids, scope=scope):
        data.blockers[note.assignment_id] = note.text
    for note in q.explanation_notes(session, task_ids=task_ids, scope=scope):
        data.explanations[note.assignment_id].append(note.text)
    data.decided = decided(session, assignment_ids=ids)
    files = select(Evidence.assignment_id, Evidence.file_name).where(
        col(Evidence.assignment_id).in_([*ids, *carried])
    )
    for aid, name in session.exec(files.order_by(col(Evidence.id))):
        data.files[carried[aid][0] if aid in carried else aid].append(name)
    return data


def _load_reports(
    session: Session, data: ExportData, ids: list[int], carried: dict[int, tuple[int, int]]
) -> None:
    """Fill the history and the evidence documents named in reports (an old unit's on a row
    a line carries on: the line's, said as the old unit's)."""
    units = {ln.assignment_id: (ln.unit_name, ln.task_id) for ln in data.lines}
    names = unit_names(session, unit_ids=[u for _, u in carried.values()])
    for row, (line, unit_id) in carried.items():
        units[row] = (names.get(unit_id, units[line][0]), units[line][1])
    query = (
        sa_select(
            col(StatusReport.assignment_id),
            col(StatusReport.created_at),
            col(StatusReport.state),
            col(StatusReport.percent),
            col(StatusReport.text),
            col(StatusReport.reason),
            col(StatusReport.evidence_number),
            col(StatusReport.evidence_date),
            col(Contact.display_name),
            col(StatusReport.source),
        )
        .outerjoin(Contact, col(Contact.id) == col(StatusReport.contact_id))
        .where(col(StatusReport.assignment_id).in_([*ids, *carried]))
        .order_by(col(StatusReport.created_at), col(StatusReport.id))
    )
    for aid, at, state, pct, text, reason, number, ev_date, who, source in session.execute(query):
        unit, task_id = units[aid]
        data.history.append(
            HistoryRow(
                at,
                unit,
                task_id,
                state,
                pct,
                text,
                reason or "",
                number or "",
                ev_date,
                who or "",
                source,
            )
        )
        if number:
            data.documents[carried[aid][0] if aid in carried else aid].append((number, ev_date))


def _load_documents(
    session: Session, data: ExportData, ids: list[int], carried: dict[int, tuple[int, int]]
) -> None:
    """Fill the evidence documents named in reports, as `_load_reports` does, alone (an old
    unit's on a row a line carries on: the line's)."""
    query = (
        sa_select(
            col(StatusReport.assignment_id),
            col(StatusReport.evidence_number),
            col(StatusReport.evidence_date),
        )
        .where(col(StatusReport.assignment_id).in_([*ids, *carried]))
        .where(
            col(StatusReport.evidence_number).is_not(None), col(StatusReport.evidence_number) != ""
        )
        .order_by(col(StatusReport.created_at), col(StatusReport.id))
    )
    for aid, number, ev_date in session.execute(query):
        data.documents[carried[aid][0] if aid in carried else aid].append((number, ev_date))
