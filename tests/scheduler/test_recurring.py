"""Recurring rules create one task per occurrence ahead of time, once each."""

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from core.recurrence import parse_rule
from db.models import Assignment, AuditLog, Task, Unit
from db.queries.recurring import create_rule
from scheduler.recurring import JOB_NAME, create_occurrences
from tests.factories import VN, make_unit
from tests.harness import BotUnderTest


def _monthly_rule(engine: Engine, rule: str = "monthly:20") -> None:
    """Create two communes and a monthly report rule for them."""
    with Session(engine) as s:
        make_unit(s, "A1")
        make_unit(s, "A2")
        parsed = parse_rule(rule)
        assert parsed is not None
        create_rule(s, title="Báo cáo tháng", rule=parsed, assignees="xã", actor_id=None)
        s.commit()


def _tasks(engine: Engine) -> list[Task]:
    """Return every task, oldest first."""
    with Session(engine) as s:
        return list(s.exec(select(Task).order_by(col(Task.id))))


def test_monthly_rule_creates_occurrences_ahead_and_once(engine: Engine) -> None:
    """A monthly rule creates the coming month's task now and the next one a month later."""
    check_monthly(engine)


@pytest.mark.postgres
def test_monthly_rule_on_postgresql(pg_engine: Engine) -> None:
    """The same on PostgreSQL."""
    check_monthly(pg_engine)


def check_monthly(engine: Engine) -> None:
    """Run the monthly rule's job on three days and check what it created."""
    _monthly_rule(engine)
    now = datetime(2026, 11, 18, 5, 30, tzinfo=VN)
    assert create_occurrences(engine, now=now, tz=VN) == 1
    assert create_occurrences(engine, now=now, tz=VN) == 0  # the daily job runs again
    assert create_occurrences(engine, now=now + timedelta(days=25), tz=VN) == 1
    tasks = _tasks(engine)
    assert [t.title for t in tasks] == ["Báo cáo tháng (11/2026)", "Báo cáo tháng (12/2026)"]
    assert [t.occurrence for t in tasks] == [date(2026, 11, 20), date(2026, 12, 20)]
    # 20/12/2026 is a Sunday: the deadline moves to Monday 21/12 (Civil Code art. 148).
    assert [t.deadline for t in tasks] == [date(2026, 11, 20), date(2026, 12, 21)]
    with Session(engine) as s:
        labels = [e.actor_label for e in s.exec(select(AuditLog)) if e.action == "task.created"]
    assert labels == ["recurring", "recurring"]


def test_weekly_rule_skips_occurrences_already_past(engine: Engine) -> None:
    """A new weekly rule starts with this week's Friday, not last week's."""
    _monthly_rule(engine, "weekly:fri")
    create_occurrences(engine, now=datetime(2026, 11, 18, 9, 0, tzinfo=VN), tz=VN)
    deadlines = [t.deadline for t in _tasks(engine)]
    assert deadlines[0] == date(2026, 11, 20)
    assert all(d.weekday() == 4 for d in deadlines)
    assert len(deadlines) == 5  # 20/11 to 18/12: 30 days ahead


async def test_daily_job_creates_occurrences_off_the_event_loop(bot: BotUnderTest) -> None:
    """The bot's daily job creates the rule's task in a worker thread, not on the loop.

    A rule may name every commune of a country: thousands of rows written on the loop would
    stall every person's update (the bot's loop guard fails this test then).
    """
    _monthly_rule(bot.engine)
    job = bot.app.job_queue.get_jobs_by_name(JOB_NAME)[0]  # type: ignore[union-attr]
    await job.run(bot.app)
    assert [t.title for t in _tasks(bot.engine)] == ["Báo cáo tháng (11/2026)"]


def test_a_rule_kept_by_name_keeps_its_units_by_code_from_its_next_run(engine: Engine) -> None:
    """A rule stored before rules kept their units by code ("Xã An Hòa, An Phú") is kept so
    at the daily job's next run: a rename and a new unit of a like name after it leave both
    in the next month's task."""
    with Session(engine) as s:
        make_unit(s, "X01", "Xã An Hòa")
        make_unit(s, "X02", "Xã An Phú")
        parsed = parse_rule("monthly:20")
        assert parsed is not None
        create_rule(s, title="Báo cáo", rule=parsed, assignees="Xã An Hòa, An Phú", actor_id=None)
        s.commit()
    now = datetime(2026, 11, 18, 5, 30, tzinfo=VN)
    assert create_occurrences(engine, now=now, tz=VN) == 1
    with Session(engine) as s:
        renamed = s.exec(select(Unit).where(Unit.code == "X01")).one()
        renamed.name, renamed.name_folded = "Phường An Hòa", "phuong an hoa"
        s.add(renamed)
        make_unit(s, "X03", "Xã An Phú Tây")
    assert create_occurrences(engine, now=now + timedelta(days=25), tz=VN) == 1
    with Session(engine) as s:
        latest = s.exec(select(Task).order_by(col(Task.id).desc())).first()
        assert latest is not None
        given = s.exec(select(Assignment.unit_id).where(Assignment.task_id == latest.id)).all()
        codes = sorted(s.exec(select(Unit.code).where(col(Unit.id).in_(given))).all())
    assert codes == ["X01", "X02"]
