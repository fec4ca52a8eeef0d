"""/calendar: the province's days off and worked days, and deadlines that follow them."""

from __future__ import annotations

from datetime import date, datetime

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


async def test_a_day_that_already_is_what_is_asked_is_said_so_and_not_set(
    bot: BotUnderTest,
) -> None:
    """/calendar add of a Saturday or of New Year's Day, /calendar work of an ordinary
    Friday: each answers that the day already is so and sets nothing (it answered "is now a
    day off", as if a deadline or a reminder had changed)."""
    saturday = (await bot.send(ADMIN_ID, "/calendar add 28/11/2026 nghỉ")).text or ""
    new_year = (await bot.send(ADMIN_ID, "/calendar add 01/01/2027")).text or ""
    friday = (await bot.send(ADMIN_ID, "/calendar work 11/12/2026 họp")).text or ""
    assert saturday == "28/11/2026 (Thứ Bảy) đã là ngày nghỉ; không có gì thay đổi."
    assert new_year == (
        "01/01/2027 (Thứ Sáu) đã là ngày nghỉ: Tết Dương lịch; không có gì thay đổi."
    )
    assert friday == "11/12/2026 (Thứ Sáu) đã là ngày làm việc; không có gì thay đổi."
    with bot.session() as s:
        assert s.exec(select(CalendarOverride)).all() == []
        assert s.exec(select(AuditLog)).all() == []


async def test_a_public_holiday_is_named_in_the_admins_language(bot: BotUnderTest) -> None:
    """An English admin adding New Year's Day read "is already a day off: Tết Dương lịch":
    the holiday's name is the `holidays` package's in their language."""
    await bot.send(ADMIN_ID, "/lang en")
    new_year = (await bot.send(ADMIN_ID, "/calendar add 01/01/2027")).text or ""
    assert new_year == "01/01/2027 (Friday) is already a day off: New Year's Day; nothing changed."


async def test_work_on_a_weekday_the_province_gave_off_removes_that_day_off(
    bot: BotUnderTest,
) -> None:
    """/calendar work of a Friday the province had made a day off removes that day off, as
    /calendar remove does, and says so: it set a "working day" over it, left in the list
    (and on the Friday, if the day off went); a Saturday is still a make-up working day."""
    with bot.session() as s:
        make_task(s, "Báo cáo tuần", date(2026, 11, 27), [make_unit(s, "X1")])
    await bot.send(ADMIN_ID, "/calendar add 27/11/2026 bão")
    worked = (await bot.send(ADMIN_ID, "/calendar work 27/11/2026 hết bão")).text or ""
    assert worked.startswith(
        "27/11/2026 (Thứ Sáu) không phải ngày nghỉ cuối tuần hay lễ, Tết: chỉ bỏ ngày nghỉ"
    )
    assert "Đã bỏ ngày 27/11/2026 khỏi lịch riêng của tỉnh." in worked
    assert "được trả lại ngày 27/11/2026: #1" in worked
    made_up = (await bot.send(ADMIN_ID, "/calendar work 28/11/2026 làm bù")).text or ""
    assert made_up == "Đã đặt 28/11/2026 (Thứ Bảy) là ngày làm việc: làm bù."
    with bot.session() as s:
        assert [(r.day, r.working) for r in s.exec(select(CalendarOverride))] == [
            (date(2026, 11, 28), True)
        ]
        assert s.exec(select(Task)).one().deadline == date(2026, 11, 27)


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


async def test_removing_a_day_off_moves_back_what_it_moved_unless_changed_since(
    bot: BotUnderTest,
) -> None:
    """Removed again, a day off gives its day back to the tasks and extensions it moved;
    a task whose deadline was changed since, or that was closed, keeps its deadline, and
    the answer names both."""
    friday, monday = date(2026, 11, 27), date(2026, 11, 30)
    with bot.session() as s:
        units = [make_unit(s, "X1", "Xã Một"), make_unit(s, "X2", "Xã Hai")]
        back = make_task(s, "Báo cáo chuyển đổi số", friday, units)
        changed = make_task(s, "Báo cáo quý", friday, units[:1])
        closing = make_task(s, "Việc sắp đóng", friday, units[:1])
        extended_task = make_task(s, "Việc gia hạn", date(2026, 11, 25), units[:1])
        extension = s.exec(select(Assignment).where(Assignment.task_id == extended_task.id)).one()
        extension.deadline, extension.due_at = friday, due_at(friday, VN)  # an extension
        s.add(extension)
        s.commit()
    await bot.send(ADMIN_ID, "/calendar add 27/11/2026 Lễ hội tỉnh")
    await bot.send(ADMIN_ID, f"/deadline #{changed.id} 03/12/2026")
    await bot.send(ADMIN_ID, f"/closetask #{closing.id}")
    said = (await bot.send(ADMIN_ID, "/calendar remove 27/11/2026")).text or ""
    assert said == (
        "Đã bỏ ngày 27/11/2026 khỏi lịch riêng của tỉnh.\n"
        f"Hạn của 2 nhiệm vụ đã dời khi thêm ngày nghỉ này được trả lại ngày 27/11/2026: "
        f"#{back.id}, #{extended_task.id}.\n"
        "Giữ nguyên hạn của 2 nhiệm vụ đã được thay đổi sau khi dời (đổi hạn, đóng hoặc hủy): "
        f"#{changed.id}, #{closing.id}."
    )
    with bot.session() as s:
        deadlines = {t.id: t.deadline for t in s.exec(select(Task))}
        assigned = s.exec(select(Assignment).where(Assignment.task_id == back.id)).all()
        extension = s.exec(select(Assignment).where(Assignment.task_id == extended_task.id)).one()
    assert deadlines == {
        back.id: friday,
        changed.id: date(2026, 12, 3),
        closing.id: monday,
        extended_task.id: date(2026, 11, 25),
    }
    assert [(a.deadline, a.due_at) for a in assigned] == [(friday, due_at(friday, VN))] * 2
    assert (extension.deadline, extension.due_at) == (friday, due_at(friday, VN))


async def test_removing_a_day_off_that_moved_nothing_says_nothing_moved(
    bot: BotUnderTest,
) -> None:
    """A task set to the next working day after the day off was added is not the day off's
    doing: removing the day off leaves it, and says no deadline was moved back."""
    monday = date(2026, 11, 30)
    await bot.send(ADMIN_ID, "/calendar add 27/11/2026 Lễ hội tỉnh")
    with bot.session() as s:
        later = make_task(s, "Việc giao sau", monday, [make_unit(s, "X1")])
    said = (await bot.send(ADMIN_ID, "/calendar remove 27/11/2026")).text or ""
    assert said == (
        "Đã bỏ ngày 27/11/2026 khỏi lịch riêng của tỉnh.\n"
        "Không dời lại hạn nhiệm vụ nào về ngày 27/11/2026."
    )
    with bot.session() as s:
        assert s.get(Task, later.id).deadline == monday  # type: ignore[union-attr]


async def test_removing_a_day_off_already_past_keeps_the_deadlines_it_moved(
    bot: BotUnderTest,
) -> None:
    """A day off removed after it passed leaves the tasks it moved where they are (their
    reports were judged by that deadline), and says so."""
    with bot.session() as s:
        task = make_task(s, "Báo cáo tuần", date(2026, 11, 13), [make_unit(s, "X1")])
    now = bot.clock.now()
    bot.clock.set(datetime(2026, 11, 12, 9, tzinfo=VN))  # set while still to come
    await bot.send(ADMIN_ID, "/calendar add 13/11/2026 Lễ hội tỉnh")
    bot.clock.set(now)
    said = (await bot.send(ADMIN_ID, "/calendar remove 13/11/2026")).text or ""
    assert "Không dời lại hạn nhiệm vụ nào về ngày 13/11/2026." in said
    assert "Ngày này đã qua: giữ nguyên hạn đã dời của 1 nhiệm vụ" in said
    assert f"#{task.id}" in said
    with bot.session() as s:
        assert s.get(Task, task.id).deadline == date(2026, 11, 16)  # type: ignore[union-attr]


async def test_calendar_takes_the_ways_people_write_a_day(bot: BotUnderTest) -> None:
    """d/m/yyyy, dd-mm-yyyy, dd.mm.yyyy and a yearless dd/mm (the nearer year: in November,
    January is next year's) each set the day; they were refused as not dd/mm/yyyy."""
    for typed, said in (
        ("4/1/2027", "04/01/2027 (Thứ Hai)"),
        ("05-01-2027", "05/01/2027 (Thứ Ba)"),
        ("06.01.2027", "06/01/2027 (Thứ Tư)"),
        ("07/01", "07/01/2027 (Thứ Năm)"),
    ):
        reply = (await bot.send(ADMIN_ID, f"/calendar add {typed} nghỉ bù")).text or ""
        assert said in reply, reply
    with bot.session() as s:
        days = sorted(r.day for r in s.exec(select(CalendarOverride)))
    assert days == [date(2027, 1, d) for d in (4, 5, 6, 7)]


async def test_a_range_of_days_off_is_set_at_once_and_moves_deadlines_past_it(
    bot: BotUnderTest,
) -> None:
    """A week off ("07/12-11/12/2026", or "dd/mm/yyyy - dd/mm/yyyy") sets each day; a task
    due inside it moves once, to the Monday after, and the answer names it. It was refused."""
    with bot.session() as s:
        due = make_task(s, "Báo cáo tuần", date(2026, 12, 9), [make_unit(s, "X1", "Xã Một")])
    said = (await bot.send(ADMIN_ID, "/calendar add 07/12-11/12/2026 Lễ hội tỉnh")).text or ""
    assert "5 ngày từ 07/12/2026 đến 11/12/2026" in said, said
    assert "09/12/2026: Hạn của 1 nhiệm vụ" in said
    assert f"#{due.id}" in said
    assert "14/12/2026" in said
    worked = (await bot.send(ADMIN_ID, "/calendar work 19/12/2026 - 20/12/2026 làm bù")).text
    assert "2 ngày từ 19/12/2026 đến 20/12/2026" in (worked or "")
    with bot.session() as s:
        rows = {r.day: (r.working, r.reason) for r in s.exec(select(CalendarOverride))}
        deadline = s.get(Task, due.id).deadline  # type: ignore[union-attr]
    assert rows == {
        **{date(2026, 12, d): (False, "Lễ hội tỉnh") for d in range(7, 12)},
        **{date(2026, 12, d): (True, "làm bù") for d in (19, 20)},
    }
    assert deadline == date(2026, 12, 14)
    removed = (await bot.send(ADMIN_ID, "/calendar remove 07/12-11/12/2026")).text or ""
    assert removed.count("Đã bỏ") == 5


async def test_impossible_days_and_ranges_are_refused_with_the_reason(bot: BotUnderTest) -> None:
    """31/02, a range ending before it starts and one over 31 days are each told why;
    nothing is set."""
    impossible = (await bot.send(ADMIN_ID, "/calendar add 31/02/2027")).text or ""
    backwards = (await bot.send(ADMIN_ID, "/calendar add 10/02/2027 - 04/02/2027")).text or ""
    too_long = (await bot.send(ADMIN_ID, "/calendar add 01/01-15/03/2027")).text or ""
    assert "không có trong lịch" in impossible
    assert "kết thúc (04/02/2027) trước khi bắt đầu (10/02/2027)" in backwards
    assert "dài quá 31 ngày" in too_long
    with bot.session() as s:
        assert s.exec(select(CalendarOverride)).all() == []


async def test_a_deadline_on_a_public_holiday_names_it_in_the_readers_language(
    bot: BotUnderTest,
) -> None:
    """A deadline moved onto Tết goes to the next working day: an English admin is told it
    is Lunar New Year, a Vietnamese one Tết Nguyên Đán; the province's own day off keeps the
    reason its admin typed, in either language."""
    with bot.session() as s:
        task = make_task(s, "Việc thử", date(2026, 12, 15), [make_unit(s, "X1", "Xã Một")])
    await bot.send(ADMIN_ID, "/calendar add 27/11/2026 Lễ hội tỉnh")
    said = {}
    for lang, day in (("en", "06/02/2027"), ("vi", "07/02/2027"), ("en", "27/11/2026")):
        await bot.send(ADMIN_ID, f"/lang {lang}")
        said[lang, day] = (await bot.send(ADMIN_ID, f"/deadline #{task.id} {day}")).text or ""
    assert "06/02/2027 is a day off (Lunar New Year)" in said["en", "06/02/2027"]
    assert "Tết Nguyên Đán" not in said["en", "06/02/2027"]
    assert "07/02/2027 là ngày nghỉ (Mùng hai Tết Nguyên Đán)" in said["vi", "07/02/2027"]
    assert "27/11/2026 is a day off (Lễ hội tỉnh)" in said["en", "27/11/2026"]


async def test_a_day_set_without_a_reason_is_said_and_listed_without_one(
    bot: BotUnderTest,
) -> None:
    """The reason is optional: a day set without one is answered and listed with none (it
    said "là ngày nghỉ của tỉnh: -." and listed "nghỉ, -"); one with a reason names it."""
    off = (await bot.send(ADMIN_ID, "/calendar add 27/11/2026")).text or ""
    assert off.startswith("Đã đặt 27/11/2026 (Thứ Sáu) là ngày nghỉ của tỉnh.\n")
    worked = (await bot.send(ADMIN_ID, "/calendar work 28/11/2026")).text or ""
    assert worked == "Đã đặt 28/11/2026 (Thứ Bảy) là ngày làm việc."
    span = (await bot.send(ADMIN_ID, "/calendar add 03/12-04/12/2026")).text or ""
    assert span.startswith("Đã đặt 2 ngày từ 03/12/2026 đến 04/12/2026 là ngày nghỉ của tỉnh.\n")
    await bot.send(ADMIN_ID, "/calendar add 11/12/2026 Lễ hội tỉnh")
    listing = (await bot.send(ADMIN_ID, "/calendar")).text or ""
    assert "• 27/11/2026 (Thứ Sáu): nghỉ\n" in listing
    assert "• 28/11/2026 (Thứ Bảy): làm việc\n" in listing
    assert "• 11/12/2026 (Thứ Sáu): nghỉ, Lễ hội tỉnh\n" in listing
    await bot.send(ADMIN_ID, "/lang en")
    listing = (await bot.send(ADMIN_ID, "/calendar")).text or ""
    assert "• 27/11/2026 (Friday): day off\n" in listing
    assert ", -" not in listing
