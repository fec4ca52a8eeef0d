"""A unit that answered without a status report (an extension request, a written
explanation) is not "Chưa báo cáo" (no report) in any view: the summaries' counts, stored and
live, and the per-unit lines that the dashboard, the workbook and the report show."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app import explanations, extensions
from app.actor import Actor
from app.i18n import load_catalog
from app.services import Services
from bot.settings import Settings
from core.clock import ManualClock
from db.models import Assignment, Explanation
from db.queries import summary as q
from tests.factories import make_contact, make_task, make_unit
from tests.harness import DEFAULT_NOW


def setup(engine: Engine) -> tuple[Actor, int, int]:
    """Make a unit with a contact and a task due yesterday; return the actor and ids."""
    with Session(engine) as s:
        unit = make_unit(s, "X01")
        contact = make_contact(s, 7001, units=[unit])
        task = make_task(s, "Ban hành kế hoạch", DEFAULT_NOW.date() - timedelta(days=1), [unit])
        assignment = s.exec(select(Assignment)).one()
        actor = Actor(contact.id or 0, "7001", "vi", "member", (unit.id or 0,), ())
        return actor, task.id or 0, assignment.id or 0


def no_report(engine: Engine, task_id: int) -> tuple[int, int, bool]:
    """Return the stored and live no-report counts and whether the unit's line says never."""
    with Session(engine) as s:
        stored = q.task_counts(s, now=DEFAULT_NOW, stored=True)[0].counts.no_report
        live = q.task_counts(s, now=DEFAULT_NOW, stored=False)[0].counts.no_report
        (line,) = q.status_lines(s, now=DEFAULT_NOW, task_ids=[task_id])
        return stored, live, line.never


def test_an_extension_request_is_an_answer(engine: Engine, settings: Settings) -> None:
    """The unit's only answer asked for a later deadline: it has answered."""
    services = Services(settings, engine, load_catalog(), ManualClock(DEFAULT_NOW))
    actor, task_id, assignment_id = setup(engine)
    assert no_report(engine, task_id) == (1, 1, True)
    target = DEFAULT_NOW.date() + timedelta(days=10)
    answer = extensions.request_extension(services, actor, assignment_id, target, "chờ", "k1")
    assert answer.startswith("Đã gửi đề nghị gia hạn")
    assert no_report(engine, task_id) == (0, 0, False)


def test_an_explanation_is_an_answer(engine: Engine, settings: Settings) -> None:
    """The unit's only answer explained the delay: it has answered."""
    services = Services(settings, engine, load_catalog(), ManualClock(DEFAULT_NOW))
    actor, task_id, assignment_id = setup(engine)
    with Session(engine) as s:
        asked = Explanation(assignment_id=assignment_id, requested_at=DEFAULT_NOW)
        s.add(asked)
        s.commit()
        explanation_id = asked.id or 0
    explanations.answer_explanation(services, actor, explanation_id, "Thiếu kinh phí")
    assert no_report(engine, task_id) == (0, 0, False)
