"""Tasks: the directives that assign them, recurring rules, the assignments to units and
the counts kept per task."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from db.models.columns import _created, _when
from db.types import UTCDateTime


class Directive(SQLModel, table=True):
    """A document that assigns tasks: an official dispatch, a decision, a plan."""

    __tablename__ = "directive"

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=80)  # "4824/UBND-KGVX"
    number_folded: str = Field(max_length=80, unique=True)
    issued_on: date | None = None
    issuer: str = Field(default="", max_length=200)
    title: str = Field(default="", max_length=500)
    file_path: str | None = Field(default=None, max_length=500)
    created_by_id: int | None = Field(default=None, foreign_key="contact.id")
    created_at: datetime = _created()


class RecurringTask(SQLModel, table=True):
    """A rule that creates one task per occurrence ahead of time (monthly report, ...)."""

    __tablename__ = "recurring_task"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=300)
    description: str = Field(default="")
    directive_id: int | None = Field(default=None, foreign_key="directive.id")
    rule: str = Field(max_length=200)  # e.g. "monthly:20", "weekly:fri", "quarterly:15"
    assignees: str = Field(default="")  # the assignee spec as an admin wrote it
    create_ahead_days: int = 30
    generated_until: date | None = None
    active: bool = True
    created_by_id: int | None = Field(default=None, foreign_key="contact.id")
    created_at: datetime = _created()


class Task(SQLModel, table=True):
    """A piece of work assigned to units; its id is the short number shown as #12."""

    __tablename__ = "task"

    id: int | None = Field(default=None, primary_key=True)
    code: str | None = Field(default=None, max_length=80, unique=True)  # import key
    title: str = Field(max_length=300)
    title_folded: str = Field(max_length=300, index=True)
    description: str = Field(default="")
    directive_id: int | None = Field(default=None, foreign_key="directive.id", index=True)
    deadline: date = Field(index=True)
    status: str = Field(default="open", max_length=20, index=True)  # open|closed|cancelled
    recurring_id: int | None = Field(default=None, foreign_key="recurring_task.id")
    occurrence: date | None = None
    days_before: str | None = Field(default=None, max_length=60)  # policy override
    overdue_every_days: int | None = None
    escalate_after: int | None = None
    created_by_id: int | None = Field(default=None, foreign_key="contact.id")
    created_at: datetime = _created()
    closed_at: datetime | None = _when()


class Assignment(SQLModel, table=True):
    """A task assigned to one unit, with its current status kept for fast counting.

    `deadline` is the one in force for this unit (after an approved extension), `due_at`
    the end of that day in local time as UTC, so on-time is simply `done_at < due_at`.
    """

    __tablename__ = "assignment"
    __table_args__ = (
        UniqueConstraint("task_id", "unit_id"),
        # Covers the summary counts (db/queries/summary/counts.py): no table reads on SQLite.
        Index(
            "ix_assignment_task_state",
            *("task_id", "active", "state", "due_at", "done_at", "last_report_at"),
        ),
        Index("ix_assignment_unit_due", "unit_id", "due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="task.id")
    unit_id: int = Field(foreign_key="unit.id")
    active: bool = True  # False once removed from the task (history stays)
    original_deadline: date
    deadline: date
    due_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    state: str = Field(default="none", max_length=20)  # none|in_progress|blocked|done
    percent: int | None = None
    done_at: datetime | None = _when()
    # When the unit last answered: a status report, or (while it has none) the first
    # extension request or written explanation. NULL is "Chưa báo cáo", decided here alone.
    last_report_at: datetime | None = _when()
    overdue_reminders: int = 0
    created_at: datetime = _created()
    # Units merged (`db.queries.unit_merge`): the assignment an old unit's work on the task
    # went on in (a join taken off, or the history left on an old unit's copy), so a button
    # or a number of a reminder sent before the merge reaches it (migration 0016).
    merged_into_id: int | None = Field(default=None, foreign_key="assignment.id", index=True)


class TaskCount(SQLModel, table=True):
    """A task's active assignments with one `due_at`, counted in the taxonomy.

    Kept by triggers on `assignment` in the same transaction as each change (migration
    0007), read by the all-tasks summary (`db/queries/taskcounts.py`), rebuilt by
    `dondoc db recount`. Not done splits into in time and overdue by `due_at` when read.
    """

    __tablename__ = "task_count"

    task_id: int = Field(foreign_key="task.id", primary_key=True)
    due_at: datetime = Field(sa_type=UTCDateTime, primary_key=True)
    n: int = 0
    done_on_time: int = 0
    done_late: int = 0
    not_done: int = 0
    no_report: int = 0
    blocked: int = 0
