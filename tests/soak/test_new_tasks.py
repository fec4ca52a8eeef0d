"""A task is new when the application's clock says so: the digest counts it in its week."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlmodel import Session

from db.queries.summary import changes_since
from db.queries.tasks import create_task
from tests.factories import VN, make_unit


def test_a_task_made_at_the_apps_moment_is_new_in_the_window_around_it(session: Session) -> None:
    """Made at 10:00 on Tuesday 17/11 by the application's clock (a demo's, a test's, behind
    the wall clock), the task is one of the new tasks of the week the digest tells of; it
    was stamped with the wall clock, and the Monday digest said "0 nhiệm vụ mới"."""
    unit = make_unit(session, "XA", "Xã A")
    made = datetime(2026, 11, 17, 10, 0, tzinfo=VN)
    task = create_task(
        session,
        title="Báo cáo số hóa",
        deadline=date(2026, 11, 27),
        unit_ids=[unit.id or 0],
        tz=VN,
        now=made,
    )
    session.commit()
    assert task.created_at == made
    week = changes_since(session, since=made - timedelta(days=1), until=made + timedelta(days=6))
    assert week["new_tasks"] == 1
