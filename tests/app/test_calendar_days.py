"""/calendar as a use case: overrides of one day that replace each other."""

from __future__ import annotations

from datetime import date

from sqlalchemy.engine import Engine
from sqlmodel import Session

from app import calendar_days
from app.i18n import load_catalog
from app.services import Services
from bot.settings import Settings
from core.clock import ManualClock
from db.models import Task
from tests.factories import make_contact, make_task, make_unit
from tests.harness import DEFAULT_NOW


def test_a_day_off_made_a_working_day_gives_back_the_deadlines_it_moved(
    settings: Settings, engine: Engine
) -> None:
    """`/calendar work` over a day off (the storm did not come) moves its tasks back to the
    day, as `/calendar remove` would, and says so: nothing is left a day late."""
    services = Services(settings, engine, load_catalog(), ManualClock(DEFAULT_NOW))
    friday = date(2026, 11, 27)
    with Session(engine) as s:
        admin = make_contact(s, 9101, role="admin")
        task = make_task(s, "Báo cáo tuần", friday, [make_unit(s, "X1")])
        admin_id, task_id = admin.id or 0, task.id
    calendar_days.change(services, "vi", admin_id, "add 27/11/2026 bão")
    said = calendar_days.change(services, "vi", admin_id, "work 27/11/2026 hết bão")
    assert "được trả lại ngày 27/11/2026: #1" in said
    with Session(engine) as s:
        found = s.get(Task, task_id)
        assert found is not None
        assert found.deadline == friday
