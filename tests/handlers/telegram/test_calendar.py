"""/calendar: the province's days off and worked days, and deadlines that follow them."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from core.taskdates import due_at
from db.models import Assignment, AuditLog, CalendarOverride, Task
from tests.factories import VN, make_task, make_unit
from tests.harness import ADMIN_ID, BotUnderTest


async def test_calendar_add_work_list_and_remove(bot: BotUnderTest) -> None:
    """Days are added, listed with their weekday, removed, and every change is audited."""
    off = await bot.send(ADMIN_ID, "/calendar add 27/11/2026 Lễ hội tỉnh")
    assert "27/11/2026 (Thứ Sáu)" in (off.text or "")
    worked = await bot.send(ADMIN_ID, "/calendar work 28/11/2026 làm bù")
    assert "ngày làm việc" in (worked.text or "")
    listing = (await bot.send(ADMIN_ID, "/calendar")).text or ""
    assert "27/11/2026 (Thứ Sáu): nghỉ, Lễ hội tỉnh" in listing
    assert "28/11/2026 (Thứ Bảy): làm việc, làm bù" in listing
    assert "Đã bỏ" in ((await bot.send(ADMIN_ID, "/calendar remove 28/11/2026")).text or "")
    assert "chưa được đặt" in (
        (await bot.send(ADMIN_ID, "/calendar remove 28/11/2026")).text or ""
    )
    with bot.session() as s:
        assert [r.day for r in s.exec(select(CalendarOverride))] == [date(2026, 11, 27)]
        actions = [e.action for e in s.exec(select(AuditLog))]
    assert actions == ["calendar.set", "calendar.set", "calendar.removed"]


async def test_calendar_bad_input_gets_usage(bot: BotUnderTest) -> None:
    """An impossible date or an unknown verb is explained."""
    assert "dd/mm/yyyy" in ((await bot.send(ADMIN_ID, "/calendar add 31/02/2027")).text or "")
    assert "/calendar add" in ((await bot.send(ADMIN_ID, "/calendar frobnicate")).text or "")


async def test_province_day_off_moves_a_new_deadline(bot: BotUnderTest) -> None:
    """A deadline on the province's own day off moves to the next working day, with the reason."""
    await bot.send(ADMIN_ID, "/calendar add 27/11/2026 Lễ hội tỉnh")
    await bot.send(ADMIN_ID, "/newtask")
    await bot.send(ADMIN_ID, "Việc thử")
    await bot.send(ADMIN_ID, "-")
    moved = (await bot.send(ADMIN_ID, "27/11/2026")).text or ""
    assert "Lễ hội tỉnh" in moved
    assert "30/11/2026" in moved  # Friday off, then the weekend


async def test_a_day_off_added_moves_the_open_tasks_due_that_day(bot: BotUnderTest) -> None:
    """A task due on a day made a day off later is due the next working day (Civil Code
    art. 148), its units' deadlines too; the answer names it. A closed task keeps its day."""
    friday, monday = date(2026, 11, 27), date(2026, 11, 30)
    with bot.session() as s:
        units = [make_unit(s, "X1", "Xã Một"), make_unit(s, "X2", "Xã Hai")]
        due = make_task(s, "Báo cáo chuyển đổi số", friday, units)
        closed = make_task(s, "Việc đã đóng", friday, units[:1])
        closed.status = "closed"
        s.add(closed)
        s.commit()
        other = make_task(s, "Việc hạn thứ Năm", date(2026, 11, 26), units[:1])
    said = (await bot.send(ADMIN_ID, "/calendar add 27/11/2026 Lễ hội tỉnh")).text or ""
    assert f"#{due.id}" in said
    assert "30/11/2026" in said
    with bot.session() as s:
        deadlines = {t.id: t.deadline for t in s.exec(select(Task))}
        assigned = s.exec(select(Assignment).where(Assignment.task_id == due.id)).all()
    assert deadlines == {due.id: monday, closed.id: friday, other.id: date(2026, 11, 26)}
    assert [a.deadline for a in assigned] == [monday, monday]
    assert all(a.due_at == due_at(monday, VN) for a in assigned)


async def test_a_day_out_of_the_calendars_range_is_refused_with_the_range(
    bot: BotUnderTest,
) -> None:
    """31/12/9999 (a typo) and 01/01/0001 are refused with the days one may set; nothing kept."""
    for typed in ("31/12/9999", "01/01/0001"):
        said = (await bot.send(ADMIN_ID, f"/calendar add {typed} thử")).text or ""
        assert "01/01/2026" in said, said
        assert "31/12/2036" in said
    with bot.session() as s:
        assert s.exec(select(CalendarOverride)).all() == []
