"""Summaries as values: a task's counts, an assignment's line, a note, their order.

The wording (catalog texts, pages) is the application's: `app/summary_text.py`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import NamedTuple

from core.status import Counts, Status, status_of
from core.textnorm import vi_sort_key


@dataclass(frozen=True)
class TaskCounts:
    """A task, the number of its directive, and its assignments counted.

    `due` is the day its deadline is in force: the next working day when the deadline is
    on a day off (Civil Code art. 148), else the deadline (None: not looked up)."""

    task_id: int
    title: str
    deadline: date
    status: str
    directive: str | None
    counts: Counts
    due: date | None = None


@dataclass(frozen=True)
class Line:
    """One assignment as a summary lists it."""

    assignment_id: int
    task_id: int
    unit_id: int
    unit_name: str
    state: str
    percent: int | None
    deadline: date
    original_deadline: date
    due_at: datetime
    done_at: datetime | None
    last_report_at: datetime | None

    def status(self, now: datetime, tz: tzinfo) -> tuple[Status, int, bool]:
        """Return (status, days overdue or late, never reported) at now."""
        s = status_of(self, now=now, tz=tz)
        return s.status, s.days_overdue, s.never_reported


@dataclass(frozen=True)
class Note:
    """A blocker reason or an explanation received, for one assignment."""

    assignment_id: int
    unit_name: str
    text: str
    at: datetime


def overdue_first(tasks: Iterable[TaskCounts]) -> list[TaskCounts]:
    """Order tasks: those with overdue units first, then by deadline."""
    return sorted(tasks, key=lambda x: (x.counts.overdue == 0, x.deadline, x.task_id))


class StatusLine(NamedTuple):
    """One assignment classified by the database, as the detail of a task lists it."""

    assignment_id: int
    task_id: int
    unit_name: str
    status: int  # index in STATUS_ORDER
    never: bool
    percent: int | None
    deadline: date
    extended: bool
    done_at: datetime | None  # only when done late, to count the days
    due_at: datetime  # the end of the day due in effect, days overdue or late count from


STATUS_ORDER = (Status.DONE_ON_TIME, Status.DONE_LATE, Status.IN_TIME, Status.OVERDUE)


def in_force_order(due: date, deadline: date, title: str, task_id: int) -> tuple[object, ...]:
    """Return the key that lists tasks (or a unit's assignments) by their deadlines as they
    are read: the day in force, then the deadline as stored (Saturday's before Monday's,
    both due Monday), then the title in Vietnamese alphabetical order, then the number.

    A day in force is the stored deadline rolled forward off days off, which never puts a
    later deadline before an earlier one: so an order by the stored deadline (in SQL, where
    a page is cut) is this order but for the titles of one deadline."""
    return (due, deadline, vi_sort_key(title), task_id)
