"""The province's calendar as the reminders live it: a make-up Saturday taken back.

A deadline set on a Saturday the province made a working day (`/calendar work`, "làm bù")
is due that Saturday. When the admin takes the Saturday back (`/calendar remove`), the day
is a day off again: what was due then is due the next working day (Civil Code 2015, art.
148), as a new day off moves it, else the units are counted late from Sunday and Monday's
reminder says "due today" and "2 days overdue" at once.
"""

from __future__ import annotations

import asyncio
from datetime import date

from sqlmodel import select

from core.taskdates import due_at
from db.models import Assignment, Outbox, Task
from db.queries.calendar import set_override
from scheduler.delivery import DISPATCH_JOB, SENDER_JOB, dispatch_context
from scheduler.dispatcher.run import dispatch
from tests.factories import VN, make_contact, make_task, make_unit
from tests.harness import ADMIN_ID, BotUnderTest
from tests.scheduler.support import at
from tests.scheduler.test_sender import stop_jobs

SATURDAY, MONDAY = date(2026, 12, 12), date(2026, 12, 14)
FOCAL = 5000


async def test_a_make_up_saturday_taken_back_moves_its_deadlines_to_monday(
    bot: BotUnderTest,
) -> None:
    """Saturday 12/12 made a working day, a task due then; the Saturday removed again: the
    task (and its assignments) are due Monday 14/12, the answer says so, and Monday's
    reminder says due today, not overdue. (The sender is stopped too: the unit is told of the
    move at once, and this test's contact has no chat the fake server knows, so a send would
    mark them unreachable and Monday's reminder be skipped, as for anyone unreachable.)"""
    stop_jobs(bot, DISPATCH_JOB, SENDER_JOB)
    worked = (await bot.send(ADMIN_ID, "/calendar work 12/12/2026 làm bù")).text or ""
    assert "ngày làm việc" in worked
    with bot.session() as s:
        unit = make_unit(s, "X1", "Xã Một")
        make_contact(s, FOCAL, units=[unit])
        task = make_task(s, "Báo cáo tuần", SATURDAY, [unit])
    said = (await bot.send(ADMIN_ID, "/calendar remove 12/12/2026")).text or ""
    assert "Đã bỏ ngày 12/12/2026" in said
    assert "dời sang 14/12/2026" in said
    assert f"#{task.id}" in said
    with bot.session() as s:
        found = s.get(Task, task.id)
        assert found is not None
        assert found.deadline == MONDAY
        [assignment] = s.exec(select(Assignment)).all()
    assert (assignment.deadline, assignment.due_at) == (MONDAY, due_at(MONDAY, VN))
    bot.clock.set(at(MONDAY, 8))
    await asyncio.to_thread(dispatch, dispatch_context(bot.services), bot.clock.now())
    with bot.session() as s:
        [reminder] = s.exec(select(Outbox).where(Outbox.kind == "reminder")).all()
    text = reminder.payload["text"]
    assert "Đến hạn hôm nay" in text
    assert "Quá hạn" not in text


async def test_a_make_up_day_taken_back_that_stays_a_working_day_moves_nothing(
    bot: BotUnderTest,
) -> None:
    """A weekday set as a working day (it was one anyway) and removed: nothing moves.

    `/calendar work` no longer sets an ordinary weekday (it says it already is one); a
    database from before that change may still hold such a day."""
    friday = date(2026, 12, 11)
    with bot.session() as s:
        set_override(s, day=friday, working=True, reason="họp", actor_id=None)
        s.commit()
        task = make_task(s, "Báo cáo tuần", friday, [make_unit(s, "X1")])
    said = (await bot.send(ADMIN_ID, "/calendar remove 11/12/2026")).text or ""
    assert said == "Đã bỏ ngày 11/12/2026 khỏi lịch riêng của tỉnh."
    with bot.session() as s:
        assert s.get(Task, task.id).deadline == friday  # type: ignore[union-attr]
