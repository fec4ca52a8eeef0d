"""The official status taxonomy of assigned tasks, and the rates reports give.

Government reports split assignments in two stages: done (on time or late) and not done
(within the deadline or overdue, with "quá hạn N ngày"). An assignment's deadline is the one
in force for its unit (after an approved extension); it is met when the unit reported done
before the end of that day, local time (`due_at`, the next local midnight, as UTC). A
deadline on a day off is met on the next working day (Civil Code 2015, art. 148): `due_at`
is the end of that day, and days overdue or late count from it (`effective_deadline`).
Rates leave out what is not yet due: done / (done + not done and overdue).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from enum import StrEnum
from fractions import Fraction
from functools import lru_cache
from typing import Protocol

from core.taskdates import effective_deadline, local_day

# A country's assignments share a few deadlines: each day in force worked out once (an
# export or a report classifies 52,000 of them).
_in_force = lru_cache(maxsize=4096)(effective_deadline)

DONE = "done"
BLOCKED = "blocked"


class Status(StrEnum):
    """Where an assignment stands at a moment, in the official taxonomy."""

    DONE_ON_TIME = "done_on_time"  # Đã hoàn thành đúng hạn
    DONE_LATE = "done_late"  # Đã hoàn thành quá hạn
    IN_TIME = "in_time"  # Chưa hoàn thành trong hạn
    OVERDUE = "overdue"  # Chưa hoàn thành quá hạn

    @property
    def done(self) -> bool:
        """Tell whether this is one of the two done statuses."""
        return self in (Status.DONE_ON_TIME, Status.DONE_LATE)


def taxonomy_rank(status: Status, *, never_reported: bool) -> int:
    """Return where a status comes in the taxonomy's order (done on time, done late, within
    the deadline, overdue), a unit not done that never reported ("no report") last."""
    if never_reported and not status.done:
        return len(TAXONOMY_ORDER)
    return TAXONOMY_ORDER.index(status)


TAXONOMY_ORDER = (Status.DONE_ON_TIME, Status.DONE_LATE, Status.IN_TIME, Status.OVERDUE)


@dataclass(frozen=True)
class AssignmentStatus:
    """An assignment's status, its days overdue (or late) and whether it ever reported."""

    status: Status
    days_overdue: int
    never_reported: bool


def classify(
    *,
    state: str,
    deadline: date,
    due_at: datetime,
    done_at: datetime | None,
    last_report_at: datetime | None,
    now: datetime,
    tz: tzinfo,
) -> AssignmentStatus:
    """Return the status of one assignment at `now`."""
    never = last_report_at is None
    due = _in_force(deadline, due_at, tz)
    if state == DONE and done_at is not None:
        if done_at < due_at:
            return AssignmentStatus(Status.DONE_ON_TIME, 0, never)
        return AssignmentStatus(Status.DONE_LATE, days_late(due, done_at, tz), never)
    if now < due_at:
        return AssignmentStatus(Status.IN_TIME, 0, never)
    return AssignmentStatus(Status.OVERDUE, _overdue_days(due, now, tz), never)


class Reportable(Protocol):
    """What the status of an assignment is read from (an Assignment, a summary line...)."""

    @property
    def state(self) -> str: ...
    @property
    def deadline(self) -> date: ...
    @property
    def due_at(self) -> datetime: ...
    @property
    def done_at(self) -> datetime | None: ...
    @property
    def last_report_at(self) -> datetime | None: ...


def status_of(item: Reportable, *, now: datetime, tz: tzinfo) -> AssignmentStatus:
    """Return the status of an assignment (or anything shaped like one) at `now`."""
    return classify(
        state=item.state,
        deadline=item.deadline,
        due_at=item.due_at,
        done_at=item.done_at,
        last_report_at=item.last_report_at,
        now=now,
        tz=tz,
    )


def days_late(deadline: date, moment: datetime, tz: tzinfo) -> int:
    """Return the calendar days from the deadline day to the local day of moment (>= 0)."""
    return max(0, (local_day(moment, tz) - deadline).days)


# The days overdue of many assignments at one moment, among a few days in force.
_overdue_days = lru_cache(maxsize=4096)(days_late)


@dataclass(frozen=True)
class Counts:
    """How many assignments are in each status; `no_report` and `blocked` are not done."""

    done_on_time: int = 0
    done_late: int = 0
    in_time: int = 0
    overdue: int = 0
    no_report: int = 0
    blocked: int = 0

    @property
    def done(self) -> int:
        """Return how many are done, on time or late."""
        return self.done_on_time + self.done_late

    @property
    def not_done(self) -> int:
        """Return how many are not done."""
        return self.in_time + self.overdue

    @property
    def total(self) -> int:
        """Return how many assignments were counted."""
        return self.done + self.not_done

    @property
    def due(self) -> int:
        """Return the denominator of the rates: done plus not done and overdue."""
        return self.done + self.overdue

    @property
    def completion_rate(self) -> Fraction | None:
        """Return done / due, or None when nothing is due."""
        return Fraction(self.done, self.due) if self.due else None

    @property
    def on_time_rate(self) -> Fraction | None:
        """Return done on time / due, or None when nothing is due."""
        return Fraction(self.done_on_time, self.due) if self.due else None

    def __add__(self, other: Counts) -> Counts:
        """Return the sum of two counts."""
        return Counts(
            self.done_on_time + other.done_on_time,
            self.done_late + other.done_late,
            self.in_time + other.in_time,
            self.overdue + other.overdue,
            self.no_report + other.no_report,
            self.blocked + other.blocked,
        )


def count(statuses: list[tuple[AssignmentStatus, str]]) -> Counts:
    """Count (status, state) pairs into the taxonomy; for checks and small lists."""
    by = dict.fromkeys(Status, 0)
    no_report = blocked = 0
    for item, state in statuses:
        by[item.status] += 1
        if not item.status.done:
            no_report += item.never_reported
            blocked += state == BLOCKED
    return Counts(
        by[Status.DONE_ON_TIME],
        by[Status.DONE_LATE],
        by[Status.IN_TIME],
        by[Status.OVERDUE],
        no_report,
        blocked,
    )
