"""One task given to two units of the same official: every answer says which unit it is for.

An official (or a leader in charge of several communes) may be a contact of two units that
both got task #12. A reminder names the unit on the task's line; a typed answer to it ("2
60%", "#12 1") is about that reminder's unit; "#12 xong" typed without an offer asks which
unit, by number.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import col, select

from db.models import Assignment, StatusReport
from tests.factories import make_contact, make_task, make_unit
from tests.scheduler.support import assigned_at
from tests.zalo.conftest import ZaloBot
from tests.zalo.test_reminders import DEADLINE, HOA, remind


def two_units(zbot: ZaloBot) -> tuple[int, dict[str, int]]:
    """Hoa is the focal point of Xã Tam Xuân and Xã Tam Bình, both given one task; return the
    task's number and its assignment of each commune."""
    with zbot.session() as s:
        first, second = make_unit(s, "X1", "Xã Tam Xuân"), make_unit(s, "X2", "Xã Tam Bình")
        task = make_task(s, "Kế hoạch chuyển đổi số", DEADLINE, [first, second])
        assigned_at(s, task, zbot.tg.clock.now() - timedelta(days=3))
        make_contact(s, 0, units=[first, second], name="Hoa", channel="zalo", external_id=HOA)
        rows = s.exec(select(Assignment).where(Assignment.task_id == task.id)).all()
        names = {first.id: first.name, second.id: second.name}
        by_unit = {names[a.unit_id]: a.id or 0 for a in rows}
    zbot.zalo.add_user(HOA, "Hoa", wrote=True)
    return task.id or 0, by_unit


def recorded(zbot: ZaloBot) -> list[tuple[int, str, int | None]]:
    """Return every status report as (assignment, state, percent), oldest first."""
    with zbot.session() as s:
        rows = s.exec(select(StatusReport).order_by(col(StatusReport.id))).all()
    return [(r.assignment_id, r.state, r.percent) for r in rows]


def close(zbot: ZaloBot, assignment_id: int) -> None:
    """Mark one assignment done, so that the morning's reminder is about the other alone."""
    with zbot.session() as s:
        assignment = s.get(Assignment, assignment_id)
        assert assignment is not None
        assignment.state = "done"
        s.add(assignment)
        s.commit()


@pytest.mark.parametrize(
    ("typed", "state", "percent"), [("2 50%", "in_progress", 50), ("#{task} 1", "done", 100)]
)
async def test_a_typed_answer_to_a_reminder_is_for_its_unit(
    zbot: ZaloBot, typed: str, state: str, percent: int
) -> None:
    """ "2 50%" or "#12 1" answering a reminder about Xã Tam Xuân's #12 records for Xã Tam
    Xuân: it was asked again which commune, though the reminder had named it."""
    task, by_unit = two_units(zbot)
    close(zbot, by_unit["Xã Tam Bình"])
    [reminder] = await remind(zbot)
    assert "Xã Tam Xuân" in reminder
    [answer] = await zbot.say(HOA, typed.format(task=task))
    assert "Đã ghi nhận" in answer
    assert recorded(zbot) == [(by_unit["Xã Tam Xuân"], state, percent)]


async def test_a_task_typed_for_two_units_is_asked_by_unit(zbot: ZaloBot) -> None:
    """ "#12 2 50%" after a reminder naming #12 for both communes asks which commune, by
    number; the number chosen records for that commune alone."""
    task, by_unit = two_units(zbot)
    [reminder] = await remind(zbot)
    assert "(Xã Tam Xuân)" in reminder
    assert "(Xã Tam Bình)" in reminder
    [asked] = await zbot.say(HOA, f"#{task} 2 50%")
    assert "đơn vị nào" in asked
    assert recorded(zbot) == []
    line = next(x for x in asked.splitlines() if "Xã Tam Bình" in x)
    await zbot.say(HOA, line.split(" = ")[0])
    assert recorded(zbot) == [(by_unit["Xã Tam Bình"], "in_progress", 50)]
