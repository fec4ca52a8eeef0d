"""Units merged during the day: their reminders neither lost nor sent twice.

Xã An Hòa and Xã Bình Minh, told of a task at 07:30, become Xã Hòa Bình at 09:00
(`app.unit_merge`). The new unit's assignment is a new row: without the old one's reminder
records and messages, the next run saw a task newly assigned and told every official of it
again; with them, the day's reminder counts for the new unit, and the next reminder day
reaches each of its people once.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.i18n import load_catalog
from app.services import Services
from app.unit_merge import merge, plan
from bot.settings import Settings
from core.clock import ManualClock
from db.models import Assignment, Reminder
from scheduler.dispatcher.run import dispatch
from tests.factories import make_contact, make_unit
from tests.scheduler.support import at, context, deliver_all, items_of, messages_to, task_for

WED = date(2026, 11, 18)
THU = date(2026, 11, 19)
FRI = date(2026, 11, 20)


def test_units_merged_after_the_morning_run_are_not_reminded_again_that_day(
    engine: Engine, session: Session, settings: Settings
) -> None:
    """Reminded at 07:30 and merged at 09:00: the later runs of the day tell nobody again
    (the old units' officials, now Hòa Bình's, nor Hòa Bình's own), nothing is missed the
    next morning, and Thursday's reminder reaches each of the three once, about Hòa Bình's
    assignment."""
    an_hoa, binh_minh = make_unit(session, "XA-AH", "Xã An Hòa"), make_unit(session, "XA-BM")
    hoa_binh = make_unit(session, "XA-HB", "Xã Hòa Bình")
    make_contact(session, 2001, units=[an_hoa])
    make_contact(session, 2002, units=[binh_minh])
    make_contact(session, 2003, units=[hoa_binh])
    make_contact(session, 2009, role="coordinator")
    task = task_for(session, [an_hoa, binh_minh], FRI, at(WED, 7), "Kế hoạch CĐS")
    dispatch(context(engine), at(WED, 7, 30))
    deliver_all(session)
    assert [len(messages_to(session, c)) for c in (2001, 2002, 2003)] == [1, 1, 0]
    services = Services(settings, engine, load_catalog(), ManualClock(at(WED, 9)))
    asked = plan(services, "vi", old=["XA-AH", "XA-BM"], into="XA-HB", actor_id=None)
    merge(services, "vi", old_ids=asked.old_ids, new_id=asked.new_id, actor_id=None)
    for minute in (1, 2):
        dispatch(context(engine), at(WED, 10, minute))
        deliver_all(session)
    assert [len(messages_to(session, c)) for c in (2001, 2002, 2003)] == [1, 1, 0]
    morning = dispatch(context(engine), at(THU, 7, 30))
    assert morning is not None
    assert morning.folded == 0
    assert messages_to(session, 2009, "late") == []
    assert session.exec(select(Reminder).where(Reminder.status == "folded")).all() == []
    [kept] = session.exec(
        select(Assignment.id).where(
            Assignment.task_id == task.id, Assignment.unit_id == hoa_binh.id
        )
    ).all()
    for contact in (2001, 2002, 2003):
        *_, thursday = messages_to(session, contact)
        assert items_of(session, thursday) == {kept}
    assert [len(messages_to(session, c)) for c in (2001, 2002, 2003)] == [2, 2, 1]
