"""The stored per-task counts (`task_count`) equal the live count after every kind of change.

Each step changes assignments the way the bot does (a report, an amended percentage, an
approved extension, a task's new deadline, units removed and brought back, a unit
deactivated and so taken off its open tasks, a task closed or cancelled, an import's rows,
a row deleted by hand), then compares the stored rows with
the assignments, and the summary's counts with the live query's at moments before, between
and after the deadlines, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, inspect, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bench.generate import REFERENCE_NOW, VN, generate
from core.states import ReportState, TaskStatus
from core.taskdates import due_at
from db.migrate import current_revision, downgrade, upgrade
from db.models import Assignment, Task, TaskCount
from db.queries import summary as q
from db.queries.reports import amend_percent, record_report
from db.queries.task_deadlines import change_deadline
from db.queries.taskadmin import add_assignees, end_task, remove_assignees
from db.queries.taskcounts import drift, rebuild, stored_counts
from db.queries.unit_admin import set_active, take_off_open_tasks
from db.schema import HEAD
from tests.factories import make_task, make_unit

NOW = REFERENCE_NOW
MOMENTS = (NOW - timedelta(days=400), NOW, NOW + timedelta(days=3), NOW + timedelta(days=400))


def check(session: Session) -> None:
    """Fail unless the stored counts equal the assignments' at every moment tried."""
    session.commit()
    assert drift(session) == []
    every = [int(i or 0) for i in session.exec(select(Task.id))]
    for now in MOMENTS:
        live = q.live_task_counts(session, now=now, tasks=every)
        assert stored_counts(session, now=now, tasks=every) == live
        opened = {t.task_id: t.counts for t in q.task_counts(session, now=now)}
        open_ids = set(session.exec(select(Task.id).where(Task.status == TaskStatus.OPEN)))
        assert opened == {tid: c for tid, c in live.items() if tid in open_ids}
    session.commit()


def report(
    session: Session, assignment_id: int, state: str, at: datetime, **extra: object
) -> None:
    """Record a report as a reply does, on the session's connection."""
    record_report(session, assignment_id=assignment_id, state=state, now=at, **extra)  # type: ignore[arg-type]


def exercise(engine: Engine) -> None:
    """Make every kind of change and check the stored counts after each."""
    generate(engine, size="tiny", progress=None)
    with Session(engine, expire_on_commit=False) as session:
        check(session)
        units = [make_unit(session, f"TC{i}") for i in range(4)]
        session.commit()
        deadline = NOW.astimezone(VN).date() + timedelta(days=2)
        task = make_task(session, "Báo cáo đếm", deadline, units)
        check(session)
        ids = [a.id for a in session.exec(select(Assignment).where(Assignment.task_id == task.id))]
        a0, a1, a2, a3 = (int(i or 0) for i in ids)
        report(session, a0, ReportState.IN_PROGRESS, NOW, dedup_key="k0")
        check(session)
        assert amend_percent(session, assignment_id=a0, dedup_key="k0", percent=40) is not None
        check(session)
        report(session, a1, ReportState.BLOCKED, NOW, reason="thiếu kinh phí")
        check(session)
        report(session, a2, ReportState.DONE, NOW)  # on time
        check(session)
        report(session, a3, ReportState.DONE, NOW + timedelta(days=5))  # late
        check(session)
        report(session, a1, ReportState.DONE, NOW + timedelta(days=1))  # blocked, then done
        check(session)
        # An approved extension moves one unit's deadline (app.extensions.decide's write).
        extended = session.get(Assignment, a0)
        assert extended is not None
        extended.deadline = deadline + timedelta(days=30)
        extended.due_at = due_at(extended.deadline, VN)
        session.add(extended)
        check(session)
        change_deadline(
            session, task=task, deadline=deadline - timedelta(days=10), tz=VN, actor_id=None
        )
        check(session)
        remove_assignees(session, task=task, unit_ids=[units[2].id or 0], actor_id=None)
        check(session)
        extra = make_unit(session, "TC9")
        session.commit()
        add_assignees(
            session, task=task, unit_ids=[units[2].id or 0, extra.id or 0], tz=VN, actor_id=None
        )
        check(session)
        # A unit deactivated (a commune merged away) leaves its open tasks.
        gone = units[3].id or 0
        set_active(session, unit_id=gone, active=False, actor_id=None, now=NOW)
        assert task.id in take_off_open_tasks(session, unit_id=gone, actor_id=None).task_ids
        check(session)
        end_task(session, task=task, status=TaskStatus.CLOSED, now=NOW, actor_id=None)
        check(session)
        other = session.exec(select(Task).where(Task.status == TaskStatus.OPEN)).first()
        assert other is not None
        end_task(session, task=other, status=TaskStatus.CANCELLED, now=NOW, actor_id=None)
        check(session)
        # Statements no use case makes today are kept too: a bulk update, a row deleted.
        session.connection().execute(
            text("UPDATE assignment SET state = 'none', done_at = NULL WHERE task_id = :t"),
            {"t": other.id},
        )
        check(session)
        session.connection().execute(
            text("DELETE FROM assignment WHERE task_id = :t AND unit_id = :u"),
            {"t": task.id, "u": extra.id},
        )
        check(session)


def drift_is_found_and_rebuilt(engine: Engine) -> None:
    """A damaged aggregate shows as drift, and the rebuild makes it equal again."""
    generate(engine, size="tiny", progress=None)
    with Session(engine) as session:
        session.connection().execute(text("UPDATE task_count SET not_done = not_done + 1"))
        session.connection().execute(text("DELETE FROM task_count WHERE task_id = 1"))
        session.commit()
        assert drift(session) != []
        every = [int(i or 0) for i in session.exec(select(Task.id))]
        live = q.live_task_counts(session, now=NOW, tasks=every)
        assert stored_counts(session, now=NOW, tasks=every) != live
        assert rebuild(session) > 0
        session.commit()
        check(session)


def test_stored_counts_follow_every_change_on_sqlite(engine: Engine) -> None:
    """On SQLite, each change leaves the stored counts equal to the live query."""
    exercise(engine)


@pytest.mark.postgres
def test_stored_counts_follow_every_change_on_postgresql(pg_engine: Engine) -> None:
    """On PostgreSQL (plpgsql trigger), each change leaves them equal too."""
    exercise(pg_engine)


def test_drift_is_found_and_rebuilt_on_sqlite(engine: Engine) -> None:
    """On SQLite, a damaged aggregate is seen and rebuilt."""
    drift_is_found_and_rebuilt(engine)


@pytest.mark.postgres
def test_drift_is_found_and_rebuilt_on_postgresql(pg_engine: Engine) -> None:
    """On PostgreSQL, a damaged aggregate is seen and rebuilt."""
    drift_is_found_and_rebuilt(pg_engine)


def test_a_task_with_no_active_assignment_is_left_out(engine: Engine) -> None:
    """A task whose units were all removed has no counts, as with the live query."""
    with Session(engine, expire_on_commit=False) as session:
        unit = make_unit(session, "TC1")
        session.commit()
        task = make_task(session, "Một đơn vị", date(2026, 12, 1), [unit])
        assert [t.task_id for t in q.task_counts(session, now=NOW)] == [task.id]
        remove_assignees(session, task=task, unit_ids=[unit.id or 0], actor_id=None)
        session.commit()
        assert q.task_counts(session, now=NOW) == []
        check(session)


def migration_fills_from_existing_rows(engine: Engine) -> None:
    """Going back to 0006 drops the table and triggers; 0007 counts the rows there are."""
    generate(engine, size="tiny", progress=None)
    downgrade(engine, "0006")
    assert "task_count" not in inspect(engine).get_table_names()
    with Session(engine) as session:  # a report under 0006: nothing to keep it
        # Its columns by name: the model has columns a later migration adds.
        first = session.exec(select(Assignment.id).where(Assignment.state != "done")).first()
        assert first is not None
        report(session, int(first), ReportState.DONE, NOW)
        session.commit()
    upgrade(engine)
    assert current_revision(engine) == HEAD
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(TaskCount)).one() > 0
        check(session)


def test_migration_fills_the_counts_on_sqlite(engine: Engine) -> None:
    """On SQLite, 0007 fills task_count from the assignments already there."""
    migration_fills_from_existing_rows(engine)


@pytest.mark.postgres
def test_migration_fills_the_counts_on_postgresql(pg_engine: Engine) -> None:
    """On PostgreSQL, 0007 fills task_count from the assignments already there."""
    migration_fills_from_existing_rows(pg_engine)
