"""The matrix page: units (rows) by open tasks (columns), a page of each at a time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from sqlmodel import Session

from app.dashboard.cells import Cell, cell_of
from app.dashboard.filters import Filters, narrowed
from app.dashboard.overview import overview
from app.dashboard.viewer import Viewer
from core.status import Status
from core.summary import TaskCounts
from core.textnorm import vi_sort_key
from db.queries import summary as sq
from db.queries.scope import Scope

MATRIX_UNITS = 100  # a matrix page's units (rows)
MATRIX_TASKS = 25  # a matrix page's tasks (columns): a page is at most 2,500 cells


@dataclass(frozen=True)
class Matrix:
    """Units (rows) by open tasks (columns), each cell an assignment or nothing: a page of
    units (`page`) of a page of tasks (`task_page`), both from 1."""

    tasks: list[TaskCounts]
    units: list[tuple[int, str]]
    cells: dict[tuple[int, int], Cell]
    page: int = 1
    more: bool = False  # a next page of units
    task_page: int = 1
    task_total: int = 0  # the open tasks of every task page
    first_task: int = 1  # the number of the page's first task among them, from 1
    last_page: int = 1  # the last page of units holding one (when known: `page` past it)

    @property
    def last_task_page(self) -> int:
        """Return the last page of tasks holding one (1 when none is open)."""
        return max(1, -(-self.task_total // MATRIX_TASKS))

    def previous_page(self) -> int:
        """Return the page of units before this one: the last holding one when this one is
        past it (a link edited by hand, kept from a larger province), not the page before."""
        return min(self.page - 1, self.last_page)

    def previous_task_page(self) -> int:
        """Return the page of tasks before this one, the last holding one when past it."""
        return min(self.task_page - 1, self.last_task_page)

    @property
    def more_tasks(self) -> bool:
        """Tell whether a next page of tasks follows."""
        return self.first_task - 1 + len(self.tasks) < self.task_total


def matrix(
    session: Session,
    viewer: Viewer,
    *,
    now: datetime,
    tz: tzinfo,
    filters: Filters,
    page: int = 1,
    task_page: int = 1,
) -> Matrix:
    """Return units by open tasks in scope, narrowed by the filters: MATRIX_TASKS tasks a
    page, nearest deadline first (the overview's order), by MATRIX_UNITS of their units a
    page, in name order (`task_page` and `page` from 1).

    Only the page's units of the page's tasks are read (with overdue only, units overdue
    in one of the page's tasks, read a page's worth at a time until the page is full): the
    whole country's grid was a page of 100 MB, and 100 units by its 589 tasks 1.8 MB.
    """
    page, task_page = max(page, 1), max(task_page, 1)
    every = overview(session, viewer, now=now, filters=filters)
    first = (task_page - 1) * MATRIX_TASKS
    tasks = every[first : first + MATRIX_TASKS]
    task_ids = [t.task_id for t in tasks]
    named = sq.units_of(session, scope=narrowed(session, viewer, filters), task_ids=task_ids)
    named.sort(key=lambda u: vi_sort_key(u[1]))
    skip = (page - 1) * MATRIX_UNITS
    if filters.overdue_only:
        units, cells, more, seen = _overdue_page(session, named, skip, task_ids, now, tz)
    else:
        units = named[skip : skip + MATRIX_UNITS]
        cells = _cells(session, [u for u, _ in units], task_ids, now, tz)
        more, seen = len(named) > skip + MATRIX_UNITS, len(named)
    last = max(1, -(-seen // MATRIX_UNITS))
    return Matrix(tasks, units, cells, page, more, task_page, len(every), first + 1, last)


def _overdue_page(
    session: Session,
    named: list[tuple[int, str]],
    skip: int,
    task_ids: list[int],
    now: datetime,
    tz: tzinfo,
) -> tuple[list[tuple[int, str]], dict[tuple[int, int], Cell], bool, int]:
    """Return the page after `skip` of the units (in name order) overdue in one of these
    tasks, their cells, whether more follow, and how many overdue units were met (all of
    them when the page is past the last); read a page's worth at a time until full."""
    late: list[tuple[int, str]] = []  # the overdue units met so far, in name order
    cells: dict[tuple[int, int], Cell] = {}
    for start in range(0, len(named), MATRIX_UNITS):
        if len(late) > skip + MATRIX_UNITS:
            break
        chunk = named[start : start + MATRIX_UNITS]
        found = _cells(session, [u for u, _ in chunk], task_ids, now, tz)
        overdue = {u for (u, _), c in found.items() if c.status is Status.OVERDUE}
        for unit in chunk:
            if unit[0] in overdue:
                late.append(unit)
                if skip < len(late) <= skip + MATRIX_UNITS:  # on the page: its cells kept
                    cells |= {k: c for k, c in found.items() if k[0] == unit[0]}
    return late[skip : skip + MATRIX_UNITS], cells, len(late) > skip + MATRIX_UNITS, len(late)


def _cells(
    session: Session, unit_ids: list[int], task_ids: list[int], now: datetime, tz: tzinfo
) -> dict[tuple[int, int], Cell]:
    """Return the cells of these units in these tasks."""
    lines = sq.lines(session, scope=Scope(False, (), tuple(unit_ids)), task_ids=task_ids)
    return {(ln.unit_id, ln.task_id): cell_of(ln, now, tz) for ln in lines}
