"""A unit's page: its tasks, its history (reports, and extension requests decided with the
decider's words), its contacts and their channels."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo
from typing import NamedTuple

from sqlalchemy import ColumnElement, or_
from sqlmodel import Session, col, select

from app.dashboard.cells import Cell, cell_of
from app.dashboard.viewer import Viewer
from app.unit_reports import MergeNotes, merge_notes
from core.numbers import is_id
from core.states import ReportState
from core.status import Counts
from core.summary import Line, in_force_order
from core.taskdates import effective_deadline
from core.textnorm import vi_sort_key
from db.models import Assignment, Contact, ContactIdentity, StatusReport, Task, Unit, UnitContact
from db.queries import summary as sq
from db.queries.contacts import identities_of
from db.queries.extension_history import Decided, decided
from db.queries.unit_merge_history import carried_rows
from db.queries.units import unit_names

HISTORY_SHOWN = 50  # the newest entries of a unit's history on its page


class Reported(NamedTuple):
    """A report as the unit's history shows it: when, on which task, the status reported
    (its catalog key), the percentage of one in progress, and the unit's words (a blocker's
    reason once, when it is also the report's text), and the admin who set it by hand
    (`/setstatus`, its words the reason), else ""."""

    at: datetime
    title: str
    state: str  # a catalog key: "export.state_done", as the workbook's history says it
    percent: int | None
    words: str
    by: str = ""
    unit: str = ""  # an old unit's, whose work on the task goes on in this unit's (a merge)
    asked: date | None = None  # an extension request decided: the date it asked for


def decision(found: Decided, title: str, unit: str = "") -> Reported:
    """Return an extension request decided as the history shows it: to which date, and the
    decider's words (a rejection's reason, an approval's note); `unit`, the old unit whose
    request it was, for one made before a merge."""
    at = found.at or datetime.min.replace(tzinfo=UTC)
    key = f"web.history_extension_{found.status}"
    return Reported(at, title, key, None, found.reason, unit=unit, asked=found.asked)


def decisions(
    session: Session, theirs: ColumnElement[bool], old: dict[int, str]
) -> list[Reported]:
    """Return the requests decided on the unit's rows (`theirs`) as its history shows them:
    every row, as its reports are, not only those of its tasks listed (a task cancelled since,
    the unit taken off it, an old unit's row carried on here by a merge, named by `old`)."""
    rows = session.exec(
        select(Assignment.id, Task.title, Assignment.unit_id)
        .join(Task, col(Task.id) == col(Assignment.task_id))
        .where(theirs)
    ).all()
    about = {aid: (str(title), of) for aid, title, of in rows if aid is not None}
    made = decided(session, assignment_ids=list(about))
    return [
        decision(d, about[d.assignment_id][0], old.get(about[d.assignment_id][1], ""))
        for found in made.values()
        for d in found
    ]


def reported(report: StatusReport, title: str, by: str | None = None, unit: str = "") -> Reported:
    """Return a report as the history shows it (a button's report has no words of its own:
    its status says what it was); `by` names who made it, shown for an admin's; `unit`, the
    old unit whose report it was, for one made before a merge."""
    words = [w for w in (report.text, report.reason) if w]
    percent = report.percent if report.state == ReportState.IN_PROGRESS else None
    return Reported(
        report.created_at,
        title,
        f"export.state_{report.state}",
        percent,
        " — ".join(dict.fromkeys(words)),
        (by or "?") if report.source == "admin" else "",
        unit,
    )


@dataclass(frozen=True)
class UnitPage:
    """A unit: its tasks, its report history (the old units' on the work it carries on, when
    units were merged into it), its contacts and whether they are reachable, its counts (the
    on-time rate /unit gives) and the merges it was made from or into."""

    unit: Unit
    rows: list[tuple[Line, Cell, str]]
    history: list[Reported]
    contacts: list[tuple[Contact, str, list[ContactIdentity]]]
    counts: Counts = field(default_factory=Counts)
    merges: MergeNotes = field(default_factory=lambda: MergeNotes([]))


def unit_page(
    session: Session, viewer: Viewer, *, unit_id: int, now: datetime, tz: tzinfo
) -> UnitPage | None:
    """Return a unit in scope with its tasks, history and contacts; None outside scope."""
    unit = session.get(Unit, unit_id) if is_id(unit_id) else None
    covered = select(Unit.id).where(Unit.id == unit_id, viewer.scope.covers(Unit.id))
    if unit is None or session.exec(covered).first() is None:
        return None
    lines = sq.lines(session, scope=viewer.scope, unit_id=unit_id)
    titles = sq.task_titles(session, task_ids=[ln.task_id for ln in lines])
    rows = [(ln, cell_of(ln, now, tz), titles.get(ln.task_id, "")) for ln in lines]
    rows.sort(
        key=lambda r: in_force_order(
            effective_deadline(r[0].deadline, r[0].due_at, tz), r[0].deadline, r[2], r[0].task_id
        )
    )
    carried = carried_rows(session, unit_id=unit_id)  # the old units' rows, after a merge
    mine = col(Assignment.unit_id) == unit_id
    theirs = or_(mine, col(Assignment.id).in_(list(carried))) if carried else mine
    history = session.exec(
        select(StatusReport, Task.title, Contact.display_name, Assignment.unit_id)
        .join(Assignment, col(Assignment.id) == col(StatusReport.assignment_id))
        .join(Task, col(Task.id) == col(Assignment.task_id))
        .outerjoin(Contact, col(Contact.id) == col(StatusReport.contact_id))
        .where(theirs)
        # Newest first by when it was said (a report that waited counts from when it was
        # sent, stored after newer ones), as the workbook's history is by time.
        .order_by(col(StatusReport.created_at).desc(), col(StatusReport.id).desc())
        .limit(HISTORY_SHOWN)
    ).all()
    contacts = session.exec(
        select(Contact, UnitContact.function)
        .join(UnitContact, col(UnitContact.contact_id) == col(Contact.id))
        .where(UnitContact.unit_id == unit_id)
    ).all()
    people = [
        (c, str(f), identities_of(session, contact_id=c.id or 0))
        for c, f in sorted(contacts, key=lambda c: vi_sort_key(c[0].display_name))
    ]
    counts = sq.unit_counts(session, now=now, unit_ids=[unit_id], scope=viewer.scope)
    old = unit_names(session, unit_ids=carried.values())
    said = [reported(r, str(t), by, old.get(of, "")) for r, t, by, of in history]
    said += decisions(session, theirs, old)
    said.sort(key=lambda item: item.at, reverse=True)  # newest first, as the reports were
    return UnitPage(
        unit,
        rows,
        said[:HISTORY_SHOWN],
        people,
        counts.get(unit_id, Counts()),
        merge_notes(session, unit_id=unit_id, tz=tz),
    )
