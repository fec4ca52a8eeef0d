"""What the formal report reads besides the export's data: tasks due in a period, directives."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session, col, select

from core.states import TaskStatus
from core.textnorm import vi_sort_key
from db.models import Directive, Task, Unit, UnitGroup
from db.queries.calendar import working_calendar


@dataclass(frozen=True)
class DirectiveInfo:
    """A directive as the report cites it."""

    number: str
    issued_on: date | None
    issuer: str
    title: str


def group_names(session: Session, *, group_ids: tuple[int, ...]) -> list[str]:
    """Return the names of these groups, in Vietnamese alphabetical order."""
    if not group_ids:
        return []
    names = session.exec(select(UnitGroup.name).where(col(UnitGroup.id).in_(group_ids)))
    return sorted(names, key=vi_sort_key)


def unit_names(session: Session, *, unit_ids: tuple[int, ...]) -> list[str]:
    """Return the names of these units, in Vietnamese alphabetical order."""
    if not unit_ids:
        return []
    names = session.exec(select(Unit.name).where(col(Unit.id).in_(unit_ids)))
    return sorted(names, key=vi_sort_key)


def task_ids_due_between(session: Session, *, start: date, end: date) -> list[int]:
    """Return the tasks (not cancelled) whose deadline in force falls in the period, both
    ends in: a deadline on a day off is due the next working day, as the report, the ranking
    and the digest say it (Saturday 31/10 is due Monday 02/11: in November's report, not
    October's, whose ranking does not count it either)."""
    roll = working_calendar(session).roll_forward
    low = start - ROLL_REACH if start - date.min > ROLL_REACH else date.min  # from year 1
    query = (
        select(col(Task.id), col(Task.deadline))
        .where(col(Task.deadline) >= low, col(Task.deadline) <= end)
        .where(Task.status != TaskStatus.CANCELLED)
        .order_by(col(Task.deadline), col(Task.id))
    )
    return [tid for tid, day in session.exec(query) if tid and start <= roll(day)[0] <= end]


# How far before a period a deadline may lie and still be in force in it: Tết's days off
# with their weekends are under two weeks; a month leaves room for days off an admin adds.
ROLL_REACH = timedelta(days=31)


def directive_info(
    session: Session, *, directive_id: int | None = None, task_id: int | None = None
) -> DirectiveInfo | None:
    """Return a directive, or the one that assigned a task; None when there is none."""
    if directive_id is None and task_id is not None:
        task = session.get(Task, task_id)
        directive_id = task.directive_id if task is not None else None
    doc = session.get(Directive, directive_id) if directive_id is not None else None
    if doc is None:
        return None
    return DirectiveInfo(doc.number, doc.issued_on, doc.issuer, doc.title)
