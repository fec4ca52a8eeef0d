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

from db.models import Assignment, StatusReport, Unit
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
    number; the number chosen records for that commune alone, and the confirmation names it
    (it named the task alone: the official could not tell which commune's was recorded)."""
    task, by_unit = two_units(zbot)
    [reminder] = await remind(zbot)
    assert "(Xã Tam Xuân)" in reminder
    assert "(Xã Tam Bình)" in reminder
    [asked] = await zbot.say(HOA, f"#{task} 2 50%")
    assert "đơn vị nào" in asked
    assert recorded(zbot) == []
    line = next(x for x in asked.splitlines() if "Xã Tam Bình" in x)
    [confirmed] = await zbot.say(HOA, line.split(" = ")[0])
    assert recorded(zbot) == [(by_unit["Xã Tam Bình"], "in_progress", 50)]
    assert f"#{task} Xã Tam Bình: " in confirmed


async def test_a_reminder_of_a_task_for_two_units_says_the_unit_is_asked_next(
    zbot: ZaloBot,
) -> None:
    """A reminder naming #12 for both communes says that "#12 1" is followed by the unit's
    question; doing as it says records for the unit chosen."""
    task, by_unit = two_units(zbot)
    [reminder] = await remind(zbot)
    hint = zbot.services.catalog.plain(
        "vi", "zalo.status_by_unit", tasks=f"#{task}", task=str(task)
    )
    assert hint in reminder
    [asked] = await zbot.say(HOA, f"#{task} 1")
    assert "đơn vị nào" in asked
    line = next(x for x in asked.splitlines() if "Xã Tam Xuân" in x)
    await zbot.say(HOA, line.split(" = ")[0])
    assert recorded(zbot) == [(by_unit["Xã Tam Xuân"], "done", 100)]


async def test_a_reminder_suggests_a_task_listed_once_for_its_example(zbot: ZaloBot) -> None:
    """A reminder about #12 for both communes and #13 for one gives "#13 1" as its example,
    which records at once."""
    task, _ = two_units(zbot)
    with zbot.session() as s:
        [unit] = s.exec(select(Unit).where(Unit.code == "X1")).all()
        other = make_task(s, "Báo cáo an toàn thông tin", DEADLINE + timedelta(days=7), [unit])
        assigned_at(s, other, zbot.tg.clock.now() - timedelta(days=3))
        [assignment] = s.exec(select(Assignment).where(Assignment.task_id == other.id)).all()
    [reminder] = await remind(zbot)
    assert reminder.index(f"#{task} ") < reminder.index(f"#{other.id} ")
    legend = reminder.split("\n\n")[-1]
    assert f"#{other.id} 1" in legend
    assert f"#{task} 1" not in legend.splitlines()[0]
    [answer] = await zbot.say(HOA, f"#{other.id} 1")
    assert "Đã ghi nhận" in answer
    assert recorded(zbot) == [(assignment.id, "done", 100)]
