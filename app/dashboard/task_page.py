"""A task's page: every unit in scope with its status, last report, blocker, extension
requests (the pending one, and those decided with the decider's words) and evidence; what
its buttons and files may name."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from typing import Any

from sqlalchemy import Select, func, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from app.dashboard.cells import Cell, cell_of
from app.dashboard.viewer import Viewer
from core.numbers import is_id
from core.states import ReportState, RequestStatus, TaskStatus
from core.status import Counts
from core.summary import Line
from db.models import Assignment, Evidence, ExtensionRequest, StatusReport, Task
from db.queries import summary as sq
from db.queries.extension_history import Decided, decided
from db.queries.scope import units_in_scope
from db.queries.unit_merge_history import carried_into, carried_on_units


@dataclass(frozen=True)
class UnitRow:
    """One unit on a task page: its status, last report, blocker and requests."""

    line: Line
    cell: Cell
    last_report: str | None
    blocker: str | None
    extensions: list[ExtensionRequest]  # pending, oldest first: a unit may send a second
    evidence: list[Evidence] = field(default_factory=list)
    by_admin: bool = False  # the last report is an admin's /setstatus, its words the reason
    decided: list[Decided] = field(default_factory=list)  # oldest first, with their reasons

    @property
    def extended(self) -> bool:
        """Tell whether the unit was given a deadline of its own (an extension granted)."""
        return self.line.deadline != self.line.original_deadline


@dataclass(frozen=True)
class TaskPage:
    """A task with every unit in scope."""

    task: Task
    directive: str | None
    counts: Counts
    rows: list[UnitRow]
    due: date | None = None  # the day the task's deadline is in force (off a day off)


def task_page(
    session: Session, viewer: Viewer, *, task_id: int, now: datetime, tz: tzinfo
) -> TaskPage | None:
    """Return a task with its units in scope; None when it has nothing in scope."""
    task = session.get(Task, task_id) if is_id(task_id) else None
    if task is None or task.status == TaskStatus.CANCELLED:
        return None
    found = sq.task_counts(
        session, now=now, scope=viewer.scope, task_ids=[task_id], open_only=False
    )
    if not found:
        return None
    lines = sq.lines(session, scope=viewer.scope, task_ids=[task_id])
    ids = [ln.assignment_id for ln in lines]
    # An old unit's row whose work a line carries on (units merged): its report and files
    # are the line's until the new unit reports (`carried_into`).
    carried = {row: line for row, (line, _) in carried_into(session, assignment_ids=ids).items()}
    # The lines' rows named by the query that finds them, not by their numbers: a task given
    # to a province's 3,000 units bound 3,000 numbers a query, five queries (0,6 s of SQL
    # compiling alone, on the page's worker thread).
    shown = _rows_of(task_id, viewer)
    reports = _last_reports(session, shown, carried)
    pending: dict[int, list[ExtensionRequest]] = {}
    for request in session.exec(
        select(ExtensionRequest)
        .where(
            col(ExtensionRequest.assignment_id).in_(shown),
            ExtensionRequest.status == RequestStatus.PENDING,
        )
        .order_by(col(ExtensionRequest.id))
    ):
        pending.setdefault(request.assignment_id, []).append(request)
    decisions = decided(session, assignment_ids=shown)
    evidence: dict[int, list[Evidence]] = {}
    for item in session.exec(
        select(Evidence)
        .where(_of(Evidence.assignment_id, shown, carried))
        .order_by(col(Evidence.id))
    ):
        evidence.setdefault(carried.get(item.assignment_id, item.assignment_id), []).append(item)
    rows = []
    for ln in lines:
        report = reports.get(ln.assignment_id)
        blocker = report.reason if report is not None and ln.state == ReportState.BLOCKED else None
        rows.append(
            UnitRow(
                ln,
                cell_of(ln, now, tz),
                report.text if report is not None else None,
                blocker,
                pending.get(ln.assignment_id, []),
                evidence.get(ln.assignment_id, []),
                report is not None and report.source == "admin",
                decisions.get(ln.assignment_id, []),
            )
        )
    return TaskPage(task, found[0].directive, found[0].counts, rows, found[0].due)


def _rows_of(task_id: int, viewer: Viewer) -> Select[tuple[int | None]]:
    """Return the query of a task's current assignments in the viewer's scope: the rows
    `summary.lines` lists, named in a statement as one subquery."""
    return sa_select(col(Assignment.id)).where(
        col(Assignment.task_id) == task_id,
        col(Assignment.active).is_(True),
        viewer.scope.covers(Assignment.unit_id),
    )


def _of(column: Any, shown: Select[tuple[int | None]], carried: Mapping[int, int]) -> Any:
    """Return the condition that a row is of the lines shown, or of a row they carry on."""
    return (
        or_(col(column).in_(shown), col(column).in_(carried))
        if carried
        else col(column).in_(shown)
    )


def _last_reports(
    session: Session, shown: Select[tuple[int | None]], carried: Mapping[int, int]
) -> dict[int, StatusReport]:
    """Return each assignment's latest status report (of a row it carries on, `carried`'s,
    when none of its own is later): the latest of each row alone is read, not a year's
    history of 3,000 units."""
    newest = (
        sa_select(func.max(StatusReport.id))
        .where(_of(StatusReport.assignment_id, shown, carried))
        .group_by(col(StatusReport.assignment_id))
    )
    latest: dict[int, StatusReport] = {}
    query = (
        select(StatusReport).where(col(StatusReport.id).in_(newest)).order_by(col(StatusReport.id))
    )
    for report in session.exec(query):
        latest[carried.get(report.assignment_id, report.assignment_id)] = report
    return latest


def request_of_task(session: Session, *, request_id: int, task_id: int) -> bool:
    """Tell whether an extension request is about one of this task's assignments."""
    if not (is_id(request_id) and is_id(task_id)):
        return False
    query = (
        select(ExtensionRequest.id)
        .join(Assignment, col(Assignment.id) == col(ExtensionRequest.assignment_id))
        .where(ExtensionRequest.id == request_id, Assignment.task_id == task_id)
    )
    return session.exec(query).first() is not None


def request_in_scope(session: Session, viewer: Viewer, *, request_id: int) -> bool:
    """Tell whether an extension request is about a unit the viewer may see (a decision on
    any other is refused before the use case runs, so that the page can say 403)."""
    if not is_id(request_id):
        return False
    query = (
        select(ExtensionRequest.id)
        .join(Assignment, col(Assignment.id) == col(ExtensionRequest.assignment_id))
        .where(ExtensionRequest.id == request_id, viewer.scope.covers(Assignment.unit_id))
    )
    return session.exec(query).first() is not None


def evidence_in_scope(session: Session, viewer: Viewer, *, evidence_id: int) -> Evidence | None:
    """Return an evidence file whose unit the viewer may see, or the unit an old unit's
    work went on in (`Assignment.merged_into_id`: the new unit's coordinator is shown the
    old unit's files among its own, `evidence_of`); None otherwise."""
    if not is_id(evidence_id):
        return None
    query = (
        select(Evidence)
        .join(Assignment, col(Assignment.id) == col(Evidence.assignment_id))
        .where(Evidence.id == evidence_id, viewer.scope.covers(Assignment.unit_id))
    )
    found = session.exec(query).first()
    if found is not None or viewer.scope.everything:
        return found
    evidence = session.get(Evidence, evidence_id)
    if evidence is None:
        return None
    went_on = carried_on_units(session, assignment_id=evidence.assignment_id)
    seen = went_on and units_in_scope(session, unit_ids=went_on, scope=viewer.scope)
    return evidence if seen else None
