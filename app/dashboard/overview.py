"""The overview page: the open tasks in scope with their counts."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from app.dashboard.filters import Filters, narrowed
from app.dashboard.viewer import Viewer
from core.summary import TaskCounts, in_force_order
from db.queries import summary as sq


def overview(
    session: Session, viewer: Viewer, *, now: datetime, filters: Filters
) -> list[TaskCounts]:
    """Return the open tasks with their counts in scope, nearest deadline in force first
    (`in_force_order`: what the page says of each deadline)."""
    scope = narrowed(session, viewer, filters)
    tasks = sq.task_counts(session, now=now, scope=scope, directive_id=filters.directive_id)
    return sorted(
        tasks, key=lambda t: in_force_order(t.due or t.deadline, t.deadline, t.title, t.task_id)
    )
