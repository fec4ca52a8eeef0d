"""Admins' typed commands on Zalo: /tasks, /calendar, /scope, /contacts, /recurring,
/editunit, /import, each refused to those whose role may not use it; /help by role."""

from __future__ import annotations

import re
from datetime import date

from sqlmodel import select

from core.roles import Access
from db.models import CalendarOverride, RecurringTask, Task, Unit
from handlers.zalo.commands import ACCESS
from tests.factories import make_contact, make_task, make_unit
from tests.handlers.telegram.test_tasks import LISTED, TIED_ORDER, make_tied_tasks
from tests.zalo.conftest import ZALO_ADMIN, ZaloBot

HOA, CHI = "7f3a9c0e51d24b8e", "0c9d2e7a6b514f33"
COMMAND = re.compile(r"(?<![\w/])/([a-z]+)")


def province(zbot: ZaloBot, tasks: int = 1) -> list[int]:
    """Two communes in a group, Hoa (member of the first), Chi (coordinator); the task ids."""
    with zbot.session() as s:
        first = make_unit(s, "X000", "Xã An Hòa", groups=["Xã thí điểm"])
        second = make_unit(s, "X001", "Xã Bình Minh", groups=["Xã thí điểm"])
        ids = [
            make_task(s, f"Nhiệm vụ số {n:02d}", date(2026, 12, 1), [first, second]).id or 0
            for n in range(1, tasks + 1)
        ]
        make_contact(s, 0, units=[first], name="Hoa", channel="zalo", external_id=HOA)
        make_contact(s, 0, role="coordinator", name="Chi", channel="zalo", external_id=CHI)
    zbot.zalo.add_user(HOA, "Hoa", wrote=True)
    zbot.zalo.add_user(CHI, "Chi", wrote=True)
    return ids


async def test_help_lists_exactly_the_commands_of_each_role(zbot: ZaloBot) -> None:
    """A member, a coordinator and an admin each get the commands their role may use."""
    province(zbot)
    for person, access in ((HOA, Access.MEMBER), (CHI, Access.COORDINATOR)):
        shown = "\n".join(await zbot.say(person, "/help"))  # a long list comes in parts
        allowed = {name for name, needed in ACCESS.items() if needed <= access}
        assert set(COMMAND.findall(shown)) == allowed, person
    admin = "\n".join(await zbot.say(ZALO_ADMIN, "/help"))
    assert set(COMMAND.findall(admin)) == set(ACCESS)


async def test_a_member_or_coordinator_is_refused_the_admin_commands(zbot: ZaloBot) -> None:
    """Every admin command answers "not allowed" to a member and a coordinator."""
    province(zbot)
    admin_only = sorted(name for name, needed in ACCESS.items() if needed == Access.ADMIN)
    for command in admin_only:
        [member] = await zbot.say(HOA, f"/{command} X000")
        [coordinator] = await zbot.say(CHI, f"/{command}")
        assert "không có quyền" in member, command
        assert "không có quyền" in coordinator, command
    [summary] = await zbot.say(HOA, "/summary")
    assert "không có quyền" in summary
    with zbot.session() as s:
        assert s.exec(select(CalendarOverride)).all() == []


async def test_tasks_pages_with_tiep_and_shows_one_task(zbot: ZaloBot) -> None:
    """/tasks lists ten open tasks, "tiếp" the rest; /tasks #N one task's card."""
    ids = province(zbot, tasks=12)
    [first] = await zbot.say(ZALO_ADMIN, "/tasks")
    assert "Nhiệm vụ số 01" in first
    assert "Nhiệm vụ số 12" not in first
    assert "tiếp" in first
    [second] = await zbot.say(ZALO_ADMIN, "tiếp")
    assert "Nhiệm vụ số 12" in second
    [card] = await zbot.say(ZALO_ADMIN, f"/tasks #{ids[2]}")
    assert "Nhiệm vụ số 03" in card
    assert "0/2" in card
    [unknown] = await zbot.say(ZALO_ADMIN, "/tasks #9999")
    assert "#9999" in unknown


async def test_tasks_with_a_bare_number_shows_that_task_as_summary_does(zbot: ZaloBot) -> None:
    """`/tasks 2` is task #2's card (as `/summary 2`, `/deadline 2`, `/closetask 2` read it),
    not page 2; `/tasks trang 2` is page 2; "tiếp" still goes on to the next page."""
    ids = province(zbot, tasks=12)
    [card] = await zbot.say(ZALO_ADMIN, f"/tasks {ids[1]}")
    assert "Nhiệm vụ số 02" in card
    assert "0/2" in card
    assert "Nhiệm vụ số 01" not in card
    [page] = await zbot.say(ZALO_ADMIN, "/tasks trang 2")
    assert "Nhiệm vụ số 12" in page
    assert "Nhiệm vụ số 01" not in page
    await zbot.say(ZALO_ADMIN, "/tasks")
    [second] = await zbot.say(ZALO_ADMIN, "tiếp")
    assert "Nhiệm vụ số 12" in second


async def test_tasks_of_one_deadline_are_listed_by_title_across_pages_on_zalo(
    zbot: ZaloBot,
) -> None:
    """On Zalo too, tasks due the same day are listed by title in Vietnamese order, not by
    number; "tiếp" goes on where the first page ended."""
    with zbot.session() as s:
        make_tied_tasks(s)
    [first] = await zbot.say(ZALO_ADMIN, "/tasks")
    [second] = await zbot.say(ZALO_ADMIN, "tiếp")
    assert [LISTED.findall(first), LISTED.findall(second)] == TIED_ORDER


async def test_calendar_adds_lists_and_removes_a_day(zbot: ZaloBot) -> None:
    """A bad date is refused; a day off is added, listed and removed."""
    province(zbot)
    [bad] = await zbot.say(ZALO_ADMIN, "/calendar add 31/02/2027")
    assert "Ngày không đúng" in bad
    [added] = await zbot.say(ZALO_ADMIN, "/calendar add 04/01/2027 nghỉ bù")
    assert "04/01/2027" in added
    [listed] = await zbot.say(ZALO_ADMIN, "/calendar")
    assert "nghỉ bù" in listed
    [removed] = await zbot.say(ZALO_ADMIN, "/calendar remove 04/01/2027")
    assert "04/01/2027" in removed
    with zbot.session() as s:
        assert s.exec(select(CalendarOverride)).all() == []


async def test_calendar_add_of_a_weekend_says_it_already_is_a_day_off(zbot: ZaloBot) -> None:
    """On Zalo too, /calendar add of a Sunday and /calendar work of a Monday say the day
    already is so, and set nothing."""
    [sunday] = await zbot.say(ZALO_ADMIN, "/calendar add 03/01/2027")
    [monday] = await zbot.say(ZALO_ADMIN, "/calendar work 04/01/2027")
    assert sunday == "03/01/2027 (Chủ Nhật) đã là ngày nghỉ; không có gì thay đổi."
    assert monday == "04/01/2027 (Thứ Hai) đã là ngày làm việc; không có gì thay đổi."
    with zbot.session() as s:
        assert s.exec(select(CalendarOverride)).all() == []


async def test_calendar_work_on_a_day_the_province_gave_off_removes_it(zbot: ZaloBot) -> None:
    """On Zalo too, /calendar work of a Monday the province had made a day off removes that
    day off and says so, rather than listing a working day over it."""
    await zbot.say(ZALO_ADMIN, "/calendar add 04/01/2027 nghỉ bù")
    [worked] = await zbot.say(ZALO_ADMIN, "/calendar work 04/01/2027")
    assert worked.startswith("04/01/2027 (Thứ Hai) không phải ngày nghỉ cuối tuần hay lễ, Tết")
    assert "Đã bỏ ngày 04/01/2027 khỏi lịch riêng của tỉnh." in worked
    with zbot.session() as s:
        assert s.exec(select(CalendarOverride)).all() == []


async def test_calendar_remove_gives_a_day_off_back_to_the_tasks_it_moved(
    zbot: ZaloBot,
) -> None:
    """On Zalo too, removing a day off moves back the task it moved, and says so."""
    with zbot.session() as s:
        task = make_task(s, "Báo cáo tháng", date(2027, 1, 4), [make_unit(s, "X9")])
    [added] = await zbot.say(ZALO_ADMIN, "/calendar add 04/01/2027 nghỉ bù")
    assert "05/01/2027" in added
    [removed] = await zbot.say(ZALO_ADMIN, "/calendar remove 04/01/2027")
    assert f"được trả lại ngày 04/01/2027: #{task.id}" in removed
    with zbot.session() as s:
        assert s.exec(select(Task)).one().deadline == date(2027, 1, 4)


async def test_scope_sets_a_coordinators_groups(zbot: ZaloBot) -> None:
    """/scope Chi Xã thí điểm limits Chi; an unknown group is named; a member is refused."""
    province(zbot)
    [unknown] = await zbot.say(ZALO_ADMIN, "/scope Chi Nhóm Không Có")
    assert "Nhóm Không Có" in unknown
    [limited] = await zbot.say(ZALO_ADMIN, "/scope Chi Xã thí điểm")
    assert "Xã thí điểm" in limited
    [not_coordinator] = await zbot.say(ZALO_ADMIN, "/scope Hoa Xã thí điểm")
    assert "Hoa" in not_coordinator
    [shown] = await zbot.say(ZALO_ADMIN, "/scope Chi")
    assert "Xã thí điểm" in shown


async def test_contacts_of_everyone_and_of_a_unit(zbot: ZaloBot) -> None:
    """/contacts names Hoa and Chi; /contacts X000 only the unit's Hoa."""
    province(zbot)
    [everyone] = await zbot.say(ZALO_ADMIN, "/contacts")
    assert "Hoa" in everyone
    assert "Chi" in everyone
    [unit] = await zbot.say(ZALO_ADMIN, "/contacts X000")
    assert "Xã An Hòa" in unit
    assert "Hoa" in unit
    assert "Chi" not in unit
    [missing] = await zbot.say(ZALO_ADMIN, "/contacts Xã Không Có")
    assert "Xã Không Có" in missing


async def test_recurring_add_list_and_stop(zbot: ZaloBot) -> None:
    """A rule is added (its first tasks made), listed and stopped; a bad rule is named."""
    province(zbot)
    [bad] = await zbot.say(ZALO_ADMIN, "/recurring add Báo cáo tháng | mỗi khi | X000")
    assert "mỗi khi" in bad
    [added] = await zbot.say(ZALO_ADMIN, "/recurring add Báo cáo tháng | monthly:20 | X000")
    with zbot.session() as s:
        rule = s.exec(select(RecurringTask)).one()
        made = s.exec(select(Task).where(Task.recurring_id == rule.id)).all()
    assert "Báo cáo tháng" in added
    assert made
    [listed] = await zbot.say(ZALO_ADMIN, "/recurring")
    assert "Báo cáo tháng" in listed
    [stopped] = await zbot.say(ZALO_ADMIN, f"/recurring stop {rule.id}")
    assert "Đã dừng" in stopped


async def test_editunit_shows_the_card_and_changes_the_name(zbot: ZaloBot) -> None:
    """/editunit X000 shows the card with its contact; `| new name` renames it."""
    province(zbot)
    [card] = await zbot.say(ZALO_ADMIN, "/editunit X000")
    assert "Xã An Hòa" in card
    assert "Hoa" in card
    [changed] = await zbot.say(ZALO_ADMIN, "/editunit X000 | Xã An Hòa Mới")
    assert "Đã cập nhật" in changed
    [ambiguous] = await zbot.say(ZALO_ADMIN, "/editunit Xã")
    assert "X000" in ambiguous
    with zbot.session() as s:
        assert s.exec(select(Unit).where(Unit.code == "X000")).one().name == "Xã An Hòa Mới"


async def test_import_says_how_to_import_a_file(zbot: ZaloBot) -> None:
    """Zalo brings no files: /import names the other ways (Telegram, the command line), and
    each file's columns."""
    province(zbot)
    [how] = await zbot.say(ZALO_ADMIN, "/import")
    assert "dondoc units import" in how
    assert "Telegram" in how
    assert "PUBLIC_BASE_URL" in how  # the way that gives a Zalo admin the upload page
    # The columns said where the admin reads them, not in a README they cannot open.
    assert "mã,tên,loại" in how
    assert "mã,tiêu đề,hạn,đơn vị" in how
    assert "README" not in how


async def test_import_on_zalo_alone_names_no_telegram(zbot: ZaloBot) -> None:
    """With no BOT_TOKEN, /import (without PUBLIC_BASE_URL) does not send the admin to a
    Telegram the province does not have; it says PUBLIC_BASE_URL brings the upload page."""
    province(zbot)
    zbot.tg.configure(bot_token=None)  # the running bot stays; the province is Zalo's alone
    [how] = await zbot.say(ZALO_ADMIN, "/import")
    assert "Telegram" not in how
    assert "PUBLIC_BASE_URL" in how
    assert "dondoc units import" in how


async def test_calendar_takes_other_date_forms_and_ranges(zbot: ZaloBot) -> None:
    """On Zalo too: d/m/yyyy, dd-mm-yyyy, dd.mm.yyyy and a yearless dd/mm set their day, a
    range sets each of its days, and an impossible range is told why (all were refused)."""
    province(zbot)
    for typed, day in (("4/1/2027", "04/01/2027"), ("05-01-2027", "05/01/2027")):
        [added] = await zbot.say(ZALO_ADMIN, f"/calendar add {typed} nghỉ bù")
        assert day in added, added
    [dotted] = await zbot.say(ZALO_ADMIN, "/calendar add 06.01.2027")
    [yearless] = await zbot.say(ZALO_ADMIN, "/calendar add 07/01")
    assert "06/01/2027" in dotted
    assert "07/01/2027" in yearless
    [ranged] = await zbot.say(ZALO_ADMIN, "/calendar add 04/02/2027 - 10/02/2027 Tết")
    assert "7 ngày từ 04/02/2027 đến 10/02/2027" in ranged
    [backwards] = await zbot.say(ZALO_ADMIN, "/calendar add 10/02-04/02/2027")
    [too_long] = await zbot.say(ZALO_ADMIN, "/calendar add 01/03/2027 - 30/04/2027")
    assert "trước khi bắt đầu" in backwards
    assert "dài quá 31 ngày" in too_long
    with zbot.session() as s:
        days = {r.day for r in s.exec(select(CalendarOverride))}
    assert days == {date(2027, 1, d) for d in (4, 5, 6, 7)} | {
        date(2027, 2, d) for d in range(4, 11)
    }


async def test_a_task_card_longer_than_a_message_is_split_between_words(zbot: ZaloBot) -> None:
    """A description of 2,900 characters (one line, as a spreadsheet's cell brings it) goes
    in two messages cut at a space: it was cut at the 2,000th character, "phư" | "ờng"."""
    description = ("Triển khai chuyển đổi số tại các xã, phường trên địa bàn tỉnh; " * 50)[:2900]
    with zbot.session() as s:
        unit = make_unit(s, "X000", "Xã An Hòa")
        task = make_task(s, "Kế hoạch", date(2026, 12, 1), [unit], description=description)
    await zbot.say(ZALO_ADMIN, f"/tasks #{task.id}")
    *_, first, second = [m.text for m in zbot.zalo.messages(ZALO_ADMIN)]
    assert len(first) <= 2000
    assert first.startswith("Mô tả: Triển khai")
    assert f"{first.removeprefix('Mô tả: ')} {second}" == description.strip()
