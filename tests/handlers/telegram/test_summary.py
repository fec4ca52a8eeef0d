"""/summary (/tonghop), /unit and /ranking through the fake Bot API server."""

from __future__ import annotations

import threading
from datetime import date
from functools import partial
from typing import Any

import pytest
from sqlmodel import col, select

from app import unit_reports
from app.summary_text import Entry, Report
from core.markup import to_plain
from core.ranking import Ranked, rank
from core.taskdates import due_at
from core.textnorm import fold
from db.models import Assignment, ContactScope, Directive, Task, UnitGroup
from db.queries.due_times import due_time
from db.queries.reports import record_report
from db.queries.tasks import assign_units
from devtools.fakebotapi import ChatMessage
from handlers.telegram import report_pages
from tests.factories import make_contact, make_task, make_unit, person
from tests.handlers.telegram.summary_data import (
    COORDINATOR,
    MEMBER,
    VN,
    Province,
    at,
    make_province,
)
from tests.harness import ADMIN_ID, BotUnderTest, button_data, buttons

AS_OF = "Số liệu tính đến 09:00 ngày 18/11/2026"


async def arrange(bot: BotUnderTest) -> Province:
    """Make the hand-counted province and let the coordinator and member write first."""
    with bot.session() as s:
        province = make_province(s)
    bot.user(COORDINATOR, "Điều phối")
    bot.user(MEMBER, "Cán bộ")
    return province


async def test_summary_lists_open_tasks_overdue_first(bot: BotUnderTest) -> None:
    """/summary gives every open task with its counts and rate, the overdue task first."""
    await arrange(bot)
    text = (await bot.send(COORDINATOR, "/summary")).text or ""
    assert text.index("#1 Ban hành") < text.index("#2 Báo cáo")
    assert "Hoàn thành 2/5 (đúng hạn 1, quá hạn 1)" in text
    assert "chưa báo cáo 1; tỷ lệ hoàn thành trên số đã đến hạn: 2/5 = 40,0%" in text
    assert "chưa báo cáo 1; chưa có đơn vị nào đến hạn, chưa tính tỷ lệ" in text
    assert "Tỷ lệ hoàn thành/đến hạn: 2/5 = 40,0%." in text
    assert AS_OF in text


async def test_summary_rate_says_it_is_over_the_units_due(bot: BotUnderTest) -> None:
    """One of two done and the other within its deadline reads 1/2, then 1/1 of those due."""
    province = await arrange(bot)
    with bot.session() as s:
        xa = s.exec(
            select(Assignment)
            .where(Assignment.task_id == province.task2)
            .order_by(col(Assignment.id))
        ).first()
        assert xa is not None
        assert xa.id is not None
        record_report(s, assignment_id=xa.id, state="done", now=at(17))
        s.commit()
    text = (await bot.send(COORDINATOR, "/summary")).text or ""
    assert "Hoàn thành 1/2 (đúng hạn 1, quá hạn 0)" in text
    assert "tỷ lệ hoàn thành trên số đã đến hạn: 1/1 = 100,0%" in text
    assert "; tỷ lệ 100,0%" not in text
    bot.user(3003, "Admin EN", language="en")
    with bot.session() as s:
        make_contact(s, 3003, role="admin", language="en")
    text = (await bot.send(3003, "/summary")).text or ""
    assert "rate over those due: 1/1 = 100.0%" in text


async def test_summary_of_a_task_shows_each_group(bot: BotUnderTest) -> None:
    """/summary #1 gives totals, overdue units with days (and the percentage one in progress
    reported), no report, blockers, explanations."""
    province = await arrange(bot)
    reply = await bot.send(COORDINATOR, "/summary #1")
    text = reply.text or ""
    assert "5 đơn vị: Đã hoàn thành 2 (đúng hạn 1, quá hạn 1); Chưa hoàn thành 3" in text
    assert "(trong hạn 0; quá hạn 3)" in text
    assert "Chưa hoàn thành quá hạn (3):" in text
    assert "• Xã C: quá 8 ngày (40%)" in text  # how far it got, as the dashboard's page says
    assert "• Xã D: quá 8 ngày\n" in text
    assert "Chưa báo cáo (1):\n• Xã D" in text
    assert "• Sở Y tế: Thiếu kinh phí" in text
    assert "• Sở Y tế: Chờ bổ sung dự toán" in text
    assert "• Xã B: trễ 2 ngày" in text
    assert "Tỷ lệ hoàn thành/đến hạn: 2/5 = 40,0%." in text
    assert AS_OF in text
    data = button_data(reply, "Yêu cầu giải trình: Xã C")
    assert data.startswith(f"ex:req:{province.assignments['XC']}~")
    assert len([b for b in buttons(reply) if b[1].startswith("ex:req:")]) == 3


async def test_summary_says_an_extension_of_an_overdue_unit_too(bot: BotUnderTest) -> None:
    """An approved extension is shown whether the unit is still within it or overdue past it."""
    province = await arrange(bot)
    with bot.session() as s:
        for code, deadline in (("XC", date(2026, 11, 15)), ("XD", date(2026, 11, 25))):
            a = s.get(Assignment, province.assignments[code])
            assert a is not None
            a.deadline, a.due_at = deadline, due_at(deadline, VN)  # the original stays 10/11
            s.add(a)
        s.commit()
    text = (await bot.send(COORDINATOR, "/summary #1")).text or ""
    assert "• Xã C: quá 3 ngày (40%) (gia hạn đến 15/11/2026)" in text
    assert "• Xã D (gia hạn đến 25/11/2026)" in text


async def test_an_extension_to_a_day_off_is_said_as_the_day_it_is_met(bot: BotUnderTest) -> None:
    """Xã D extended to Saturday 21/11 is met on Monday 23/11: the in-time list names that day
    and the Saturday beside it, as the appendix does (it said "gia hạn đến 21/11/2026", a day
    that passes while the unit is still listed within its deadline), and so does an overdue
    unit's extension to Sunday 15/11, met on Monday 16/11."""
    province = await arrange(bot)
    with bot.session() as s:
        for code, deadline in (("XC", date(2026, 11, 15)), ("XD", date(2026, 11, 21))):
            a = s.get(Assignment, province.assignments[code])
            assert a is not None
            a.deadline, a.due_at = deadline, due_time(s, deadline, VN)
            s.add(a)
        s.commit()
    text = (await bot.send(COORDINATOR, "/summary #1")).text or ""
    assert "• Xã D (gia hạn đến 23/11/2026; hạn ghi 21/11/2026 là ngày nghỉ)" in text
    assert (
        "• Xã C: quá 2 ngày (40%) (gia hạn đến 16/11/2026; hạn ghi 15/11/2026 là ngày nghỉ)"
        in text
    )
    await bot.send(COORDINATOR, "/lang en")
    text = (await bot.send(COORDINATOR, "/summary #1")).text or ""
    assert "• Xã D (extended to 23/11/2026; 21/11/2026 is a day off)" in text


async def test_summary_of_a_closed_task_says_so_and_offers_no_explanation(
    bot: BotUnderTest,
) -> None:
    """After /closetask, /summary #1 still gives its figures, says at the top that the task is
    closed, and offers no "ask for an explanation" button."""
    await arrange(bot)
    closed = await bot.send(ADMIN_ID, "/closetask #1")
    assert "#1" in (closed.text or "")
    reply = await bot.send(COORDINATOR, "/summary #1")
    text = reply.text or ""
    assert text.splitlines()[1] == "Nhiệm vụ đã đóng: không còn đôn đốc."
    assert "• Xã C: quá 8 ngày" in text
    assert [b for b in buttons(reply) if b[1].startswith("ex:req:")] == []


async def test_a_cancelled_task_named_by_number_is_said_cancelled_not_missing(
    bot: BotUnderTest,
) -> None:
    """After /canceltask #2, /summary #2 and /export #2 say the task was cancelled (a "not
    found" made the coordinator doubt the number)."""
    await arrange(bot)
    await bot.send(ADMIN_ID, "/canceltask #2")
    for command in ("/summary #2", "/export #2", "/chart #2", "/report #2"):
        reply = await bot.send(COORDINATOR, command)
        assert reply.text == (
            "Nhiệm vụ #2 «Báo cáo cải cách hành chính» đã bị hủy, "
            "nên không còn được theo dõi hay tổng hợp."
        )


@pytest.mark.parametrize("command", ["/summary", "/export", "/chart"])
async def test_a_period_given_to_a_command_that_takes_none_points_to_report(
    bot: BotUnderTest, command: str
) -> None:
    """A period typed to /summary, /export or /chart is named a period and /report offered."""
    await arrange(bot)
    reply = await bot.send(COORDINATOR, f"{command} 30/11/2026-01/11/2026")
    assert "“30/11/2026-01/11/2026” là một kỳ (khoảng ngày)" in (reply.text or "")
    assert "/report 01/11/2026-30/11/2026" in (reply.text or "")


async def test_tonghop_by_directive_number_covers_its_tasks(bot: BotUnderTest) -> None:
    """/tonghop with a directive number (any case) summarises that directive's tasks."""
    await arrange(bot)
    text = (await bot.send(COORDINATOR, "/tonghop 4824/ubnd-kgvx")).text or ""
    assert "Văn bản 4824/UBND-KGVX: 1 nhiệm vụ" in text
    assert "#1 Xã C: quá 8 ngày" in text
    assert AS_OF in text


async def test_summary_by_a_directive_number_said_short(bot: BotUnderTest) -> None:
    """ "/summary 4824", as people say "công văn 4824", summarises 4824/UBND-KGVX when no task
    has that number; a number naming neither is still not found."""
    await arrange(bot)
    text = (await bot.send(COORDINATOR, "/summary 4824")).text or ""
    assert "Văn bản 4824/UBND-KGVX: 1 nhiệm vụ" in text
    unknown = (await bot.send(COORDINATOR, "/summary 4825")).text or ""
    assert "Không tìm thấy nhiệm vụ hay văn bản “4825”" in unknown


async def test_summary_by_title_part_or_english(bot: BotUnderTest) -> None:
    """A unique part of a title finds the task; the answer follows the reader's language."""
    await arrange(bot)
    bot.user(3003, "Admin EN", language="en")
    with bot.session() as s:
        make_contact(s, 3003, role="admin", language="en")
    text = (await bot.send(3003, "/summary chuyen doi so")).text or ""
    assert "Completed/due: 2/5 = 40.0%." in text
    assert "Figures as of 09:00 on 18/11/2026." in text


async def test_summary_of_an_ambiguous_title_offers_a_choice(bot: BotUnderTest) -> None:
    """A title part matching two tasks lists them as buttons; picking one shows it."""
    await arrange(bot)
    reply = await bot.send(COORDINATOR, "/summary hành")
    assert "khớp nhiều nhiệm vụ" in (reply.text or "")
    after = bot.server.last_message_id(COORDINATOR)
    await bot.press(COORDINATOR, button_data(reply, "#2"))
    shown = await bot.server.wait_for_message(COORDINATOR, after=after)
    assert "Chưa hoàn thành trong hạn (2):" in (shown.text or "")


async def test_summary_of_an_unknown_task_says_so(bot: BotUnderTest) -> None:
    """An unknown task number gets a clear answer, not silence or an error."""
    await arrange(bot)
    text = (await bot.send(COORDINATOR, "/summary #999")).text or ""
    assert "Không tìm thấy nhiệm vụ hay văn bản “#999”" in text


async def test_an_unknown_task_points_a_coordinator_to_a_command_they_may_use(
    bot: BotUnderTest,
) -> None:
    """The "not found" answer sends a coordinator to /summary, which lists the open tasks with
    their numbers, not to /tasks, which is an admin's and refused to them."""
    await arrange(bot)
    unknown = (await bot.send(COORDINATOR, "/summary #77")).text or ""
    assert "/tasks" not in unknown
    assert "Gõ /summary để xem các nhiệm vụ đang thực hiện" in unknown
    listed = (await bot.send(COORDINATOR, "/summary")).text or ""
    assert "#1 Ban hành" in listed


async def test_a_title_fitting_more_tasks_than_buttons_says_the_newest_are_listed(
    bot: BotUnderTest,
) -> None:
    """ "Báo cáo tháng" fits ten tasks: eight buttons, the newest, and a word on reaching the
    others."""
    await arrange(bot)
    with bot.session() as s:
        unit = make_unit(s, "XM", "Xã Mười")
        for month in range(1, 11):
            make_task(s, f"Báo cáo tháng {month}", date(2026, 12, month), [unit])
    reply = await bot.send(COORDINATOR, "/summary Báo cáo tháng")
    assert "Chỉ liệt kê 8 nhiệm vụ mới nhất" in (reply.text or "")
    labels = [label for label, _ in buttons(reply)]
    assert len(labels) == 8
    assert labels[0] == "#12 Báo cáo tháng 10"


async def test_member_trying_summary_is_refused(bot: BotUnderTest) -> None:
    """An official of a unit is refused by the access layer."""
    await arrange(bot)
    text = (await bot.send(MEMBER, "/summary")).text or ""
    assert "không có quyền" in text


async def test_scoped_coordinator_counts_only_their_groups(bot: BotUnderTest) -> None:
    """A coordinator limited to the pilot communes sees only Xã A and Xã B."""
    await arrange(bot)
    with bot.session() as s:
        group = s.exec(select(UnitGroup)).one()
        s.add(ContactScope(contact_id=_contact_id(bot, COORDINATOR), group_id=group.id or 0))
        s.commit()
    text = (await bot.send(COORDINATOR, "/summary #1")).text or ""
    assert "2 đơn vị: Đã hoàn thành 2 (đúng hạn 1, quá hạn 1); Chưa hoàn thành 0" in text
    assert "Xã C" not in text
    text = (await bot.send(COORDINATOR, "/unit Xã C")).text or ""
    assert "Không tìm thấy đơn vị" in text


def _contact_id(bot: BotUnderTest, user_id: int) -> int:
    """Return the contact id of a Telegram user."""

    with bot.session() as s:
        contact = person(s, str(user_id))
    assert contact.id is not None
    return contact.id


async def test_summary_pages_a_long_list_with_buttons(bot: BotUnderTest) -> None:
    """A task over 150 silent communes is paged; the next button edits to page 2."""
    await arrange(bot)
    with bot.session() as s:
        units = [make_unit(s, f"L{i:03d}", f"Xã Dài {i:03d}") for i in range(150)]
        make_task(s, "Nhiệm vụ nhiều xã", date(2026, 11, 2), units)
    reply = await bot.send(COORDINATOR, "/summary #3")
    assert "Trang 1/" in (reply.text or "")
    assert len(reply.text or "") <= 4096
    await bot.press(COORDINATOR, button_data(reply, "Sau"))
    edited = await bot.server.wait_for(lambda: _edited(bot, reply.message_id), what="edit")
    assert "Trang 2/" in (edited.text or "")
    files = [m.document for m in _all_pages(bot, reply) if m.document is not None]
    assert files, "a list of many pages is also sent whole as a file"
    content = bot.server.file_content(files[0]["file_id"]).decode()
    assert "• Xã Dài 000: quá 16 ngày" in content
    assert "• Xã Dài 149: quá 16 ngày" in content


async def test_a_page_button_of_a_task_cancelled_since_says_it_was_cancelled(
    bot: BotUnderTest,
) -> None:
    """The next-page button of a summary whose task was cancelled meanwhile says so, not that
    the task is outside the coordinator's scope."""
    await arrange(bot)
    with bot.session() as s:
        units = [make_unit(s, f"L{i:03d}", f"Xã Dài {i:03d}") for i in range(150)]
        make_task(s, "Nhiệm vụ nhiều xã", date(2026, 11, 2), units)
    reply = await bot.send(COORDINATOR, "/summary #3")
    await bot.send(ADMIN_ID, "/canceltask #3")
    await bot.press(COORDINATOR, button_data(reply, "Sau"), reply.message_id)
    said = await bot.server.wait_for_message(
        COORDINATOR, lambda m: "#3" in (m.text or ""), after=reply.message_id
    )
    assert said.text == (
        "Nhiệm vụ #3 «Nhiệm vụ nhiều xã» đã bị hủy, nên không còn được theo dõi hay tổng hợp."
    )


async def test_summary_pages_and_file_are_written_off_the_event_loop(
    bot: BotUnderTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A long summary is cut into pages and its file written in the update pool.

    A directive over every commune of a country is megabytes of text: cut and stripped of
    its markup on the loop's thread, it held up every person's update meanwhile.
    """
    await arrange(bot)
    with bot.session() as s:
        units = [make_unit(s, f"L{i:03d}", f"Xã Dài {i:03d}") for i in range(150)]
        make_task(s, "Nhiệm vụ nhiều xã", date(2026, 11, 2), units)
    threads: dict[str, list[int]] = {"pages": [], "plain": []}
    cut = Report.pages

    def pages(self: Report, *args: Any) -> list[list[Entry]]:
        threads["pages"].append(threading.get_ident())
        return cut(self, *args)

    def plain(text: str) -> str:
        threads["plain"].append(threading.get_ident())
        return to_plain(text)

    monkeypatch.setattr(Report, "pages", pages)
    monkeypatch.setattr(report_pages, "to_plain", plain)
    reply = await bot.send(COORDINATOR, "/summary #3")
    await bot.server.wait_for(
        lambda: next((m for m in _all_pages(bot, reply) if m.document is not None), None),
        what="the file",
    )
    assert threads["pages"]
    assert threads["plain"]
    loop = threading.get_ident()  # the test runs on the bot's loop
    assert loop not in threads["pages"] + threads["plain"]


def _edited(bot: BotUnderTest, message_id: int) -> ChatMessage | None:
    """Return the message once it has been edited."""
    found = [m for m in bot.server.messages(COORDINATOR) if m.message_id == message_id]
    return found[0] if found and found[0].edits else None


def _edited_times(bot: BotUnderTest, message_id: int, times: int) -> ChatMessage | None:
    """Return the message once it has been edited that many times."""
    found = _edited(bot, message_id)
    return found if found is not None and found.edits >= times else None


def _all_pages(bot: BotUnderTest, first: ChatMessage) -> list[ChatMessage]:
    """Return the summary message and what followed it."""
    return [m for m in bot.server.messages(COORDINATOR) if m.message_id >= first.message_id]


async def test_unit_shows_its_tasks_and_on_time_rate(bot: BotUnderTest) -> None:
    """/unit Xã A lists both its tasks with statuses and its on-time rate."""
    await arrange(bot)
    text = (await bot.send(COORDINATOR, "/unit Xã A")).text or ""
    assert "Xã A: 2 nhiệm vụ được giao" in text
    assert "#1 Ban hành Kế hoạch chuyển đổi số, hạn 10/11/2026: Đã hoàn thành đúng hạn" in text
    assert "#2 Báo cáo cải cách hành chính, hạn 30/11/2026: Chưa hoàn thành trong hạn" in text
    assert "Tỷ lệ hoàn thành đúng hạn: 1/1 = 100,0%." in text


async def test_unit_of_a_deactivated_unit_shows_its_history_and_says_it_stopped(
    bot: BotUnderTest,
) -> None:
    """/unit of a commune merged away (deactivated) shows the closed task it did and says it is
    no longer followed: it answered that no such unit was in the coordinator's scope, while
    the dashboard showed its page."""
    province = await arrange(bot)
    await bot.send(ADMIN_ID, f"/closetask #{province.task1}")
    assert "Đã ngừng theo dõi" in ((await bot.send(ADMIN_ID, "/deactivate XA")).text or "")
    text = (await bot.send(COORDINATOR, "/unit Xã A")).text or ""
    assert "Xã A: 1 nhiệm vụ được giao" in text
    assert "Xã A đã ngừng theo dõi (sáp nhập, giải thể)" in text
    assert "#1 Ban hành Kế hoạch chuyển đổi số, hạn 10/11/2026: Đã hoàn thành đúng hạn" in text
    assert "#2 " not in text  # taken off the open task when deactivated


async def test_unit_fitting_more_units_than_buttons_says_only_the_first_are_listed(
    bot: BotUnderTest,
) -> None:
    """ "Phường" fits nine wards: eight buttons, in Vietnamese order, and a word to narrow it."""
    await arrange(bot)
    names = ["Ưu Tú", "Ê Đê", "Ái Nghĩa", "Ô Loan", "Ơn Trên", "An Hòa", "Đại Lộc", "Bình Dương"]
    with bot.session() as s:
        for i, name in enumerate([*names, "Yên Bái"]):
            make_unit(s, f"P{i}", f"Phường {name}", kind="ward")
    reply = await bot.send(COORDINATOR, "/unit Phường")
    assert "Chỉ liệt kê 8 đơn vị đầu" in (reply.text or "")
    labels = [label.removeprefix("Phường ") for label, _ in buttons(reply)]
    assert labels == [
        "Ái Nghĩa",
        "An Hòa",
        "Bình Dương",
        "Đại Lộc",
        "Ê Đê",
        "Ô Loan",
        "Ơn Trên",
        "Ưu Tú",
    ]


async def test_ranking_orders_units_by_on_time_rate(bot: BotUnderTest) -> None:
    """/ranking (this year) puts Xã A first and the others at 0%; a bad period is explained."""
    await arrange(bot)
    text = (await bot.send(COORDINATOR, "/ranking")).text or ""
    assert "1. Xã A: 100,0% (1/1)" in text
    assert "2. " in text
    assert "0,0% (0/1)" in text
    assert "từ 01/01/2026 đến 31/12/2026" in text
    text = (await bot.send(COORDINATOR, "/ranking tháng")).text or ""
    assert "từ 01/11/2026 đến 30/11/2026" in text
    text = (await bot.send(COORDINATOR, "/ranking tuần")).text or ""
    assert "/ranking năm" in text


async def test_ranking_over_a_typed_period_or_a_wrong_one_explained(bot: BotUnderTest) -> None:
    """/ranking takes a period as /report does: the tasks due in it are ranked; a wrong one
    is said so, with /ranking's example."""
    await arrange(bot)
    text = (await bot.send(COORDINATOR, "/ranking 01/11/2026-15/11/2026")).text or ""
    assert "từ 01/11/2026 đến 15/11/2026" in text
    assert "1. Xã A: 100,0% (1/1)" in text
    later = (await bot.send(COORDINATOR, "/ranking 20/11/2026-31/12/2026")).text or ""
    assert "từ 20/11/2026 đến 31/12/2026" in later
    assert "Chưa có nhiệm vụ nào đến hạn trong kỳ này." in later
    bad = (await bot.send(COORDINATOR, "/ranking 31/02/2026-30/06/2026")).text or ""
    assert "“31/02/2026” không phải là ngày hợp lệ" in bad
    assert "/ranking 01/01/2026-30/06/2026" in bad
    named = (await bot.send(COORDINATOR, "/ranking tháng 11/2026")).text or ""
    assert "từ 01/11/2026 đến 30/11/2026" in named
    none = (await bot.send(COORDINATOR, "/ranking quý 5")).text or ""
    assert "Không có kỳ “quý 5”" in none
    assert "/ranking quý 4/2026" in none


async def test_a_ranking_over_a_typed_period_pages_over_the_same_period(
    bot: BotUnderTest,
) -> None:
    """The next-page button of a ranking over a typed period shows page 2 of that period."""
    await arrange(bot)
    with bot.session() as s:
        units = [make_unit(s, f"L{i:03d}", f"Xã Dài {i:03d}") for i in range(250)]
        make_task(s, "Nhiệm vụ nhiều xã", date(2026, 11, 2), units)
    reply = await bot.send(COORDINATOR, "/ranking 01/11/2026-05/11/2026")
    assert "Trang 1/" in (reply.text or "")
    await bot.press(COORDINATOR, button_data(reply, "Sau"))
    edited = await bot.server.wait_for(lambda: _edited(bot, reply.message_id), what="edit")
    assert "Trang 2/" in (edited.text or "")
    assert "từ 01/11/2026 đến 05/11/2026" in (edited.text or "")


async def test_ranking_is_sorted_and_worded_off_the_event_loop_and_the_update_pool(
    bot: BotUnderTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The units are ranked in the heavy pool: neither on the loop's thread nor in the
    update pool, whose threads answer the officials' replies and taps.

    A country ranks thousands of units: sorted and worded on the loop, they stalled every
    person's update for a quarter of a second (bench.heavy --more). In the update pool,
    fifty coordinators' `/ranking year` at once held up the officials' taps, queued for its
    first thread, up to 5 s (bench.stall), as fifty summaries, built in the heavy pool, did not.
    """
    await arrange(bot)
    threads: list[threading.Thread] = []

    def spy(*args: Any) -> list[Ranked]:
        threads.append(threading.current_thread())
        return rank(*args)

    monkeypatch.setattr(unit_reports, "rank", spy)
    text = (await bot.send(COORDINATOR, "/ranking")).text or ""
    assert "1. Xã A: 100,0% (1/1)" in text
    assert threads
    loop = threading.current_thread()  # the test runs on the bot's loop
    assert all(t is not loop for t in threads)
    assert all(t.name.startswith("dondoc-heavy") for t in threads), [t.name for t in threads]


def limit_to(bot: BotUnderTest, user_id: int, group: str, codes: list[str]) -> None:
    """Put the units into a new group and limit the person to it, as /scope does."""
    from db.models import Unit, UnitGroupMember
    from db.queries.scope import set_scope

    with bot.session() as s:
        made = UnitGroup(name=group, name_folded=group.lower())
        s.add(made)
        s.flush()
        for code in codes:
            unit = s.exec(select(Unit).where(Unit.code == code)).one()
            s.add(UnitGroupMember(group_id=made.id or 0, unit_id=unit.id or 0))
        set_scope(s, contact_id=_contact_id(bot, user_id), group_ids=[made.id or 0])
        s.commit()


async def test_summary_of_a_scoped_coordinator_includes_their_own_unit(
    bot: BotUnderTest,
) -> None:
    """A coordinator limited to groups also counts their own unit, as /evidence lets them see."""
    await arrange(bot)
    with bot.session() as s:
        from db.models import Unit, UnitContact

        syt = s.exec(select(Unit).where(Unit.code == "SYT")).one()
        s.add(UnitContact(unit_id=syt.id or 0, contact_id=_contact_id(bot, COORDINATOR)))
        s.commit()
    limit_to(bot, COORDINATOR, "vùng c", ["XC"])
    text = (await bot.send(COORDINATOR, "/summary #1")).text or ""
    assert "2 đơn vị: Đã hoàn thành 0" in text
    assert "Sở Y tế" in text
    assert "Xã A" not in text


async def test_summary_ambiguous_name_offers_only_tasks_in_scope(bot: BotUnderTest) -> None:
    """A name matching a task outside the coordinator's scope does not list that task."""
    await arrange(bot)
    limit_to(bot, COORDINATOR, "vùng c", ["XC"])
    reply = await bot.send(COORDINATOR, "/summary hành")
    text = reply.text or ""
    assert "cải cách hành chính" not in text
    assert "khớp nhiều nhiệm vụ" not in text
    assert "1 đơn vị" in text
    hidden = (await bot.send(COORDINATOR, "/summary #2")).text or ""
    assert "Không tìm thấy nhiệm vụ" in hidden
    assert "cải cách" not in hidden


async def test_summary_lists_units_in_vietnamese_order(bot: BotUnderTest) -> None:
    """A task's units come in the Vietnamese alphabet's order, as /units gives them."""
    await arrange(bot)
    with bot.session() as s:
        units = [make_unit(s, c, n) for c, n in (("T1", "Sở Thông tin"), ("T2", "Sở Tài chính"))]
        make_task(s, "Nhiệm vụ hai sở", date(2026, 11, 30), units)
    text = (await bot.send(COORDINATOR, "/summary #3")).text or ""
    assert "Chưa báo cáo (2):\n• Sở Tài chính\n• Sở Thông tin" in text


async def test_a_directive_summary_marks_its_closed_tasks(bot: BotUnderTest) -> None:
    """A directive's summary says which of its tasks is closed, as a task's summary does,
    and offers no explanation request for the overdue units of that task; it is laid out
    as the summary of all tasks is."""
    province = await arrange(bot)
    with bot.session() as s:
        for task_id in (province.task1, province.task2):
            task = s.get(Task, task_id)
            assert task is not None
            task.directive_id = province.directive
            task.status = "closed" if task_id == province.task1 else "open"
            s.add(task)
        s.commit()
    reply = await bot.send(COORDINATOR, "/summary 4824")
    text = reply.text or ""
    lines = text.split("\n")
    [closed] = [n for n, line in enumerate(lines) if line.startswith(f"#{province.task1} Ban")]
    [open_] = [n for n, line in enumerate(lines) if line.startswith(f"#{province.task2} Báo")]
    assert "Văn bản 4824/UBND-KGVX: 2 nhiệm vụ" in text
    assert lines[closed + 1] == "Nhiệm vụ đã đóng: không còn đôn đốc."
    assert "Nhiệm vụ đã đóng" not in lines[open_ + 1]
    assert text.count("Nhiệm vụ đã đóng") == 1
    assert f"#{province.task1} Xã C: quá 8 ngày" in text
    assert buttons(reply) == []
    # One blank line after the header and before each task and group: there was none after
    # the header, and two between the last task and the first group.
    as_of = next(n for n, line in enumerate(lines) if line.startswith("Số liệu tính đến"))
    assert lines[as_of + 1] == ""
    assert "\n\n\n" not in text


async def test_every_page_of_a_task_with_a_long_title_fits_telegram(bot: BotUnderTest) -> None:
    """A task's title of 300 characters (the most /newtask takes) repeated atop each page, over
    150 silent communes: every page, the first sent and the next edited in, stays within
    Telegram's 4,096 characters (the next page's edit was refused as too long)."""
    await arrange(bot)
    title = "Triển khai " + "chuyển đổi số cấp xã " * 14
    title = title[:300]
    number = "1234/KH-UBND-" + "BCĐCĐS" * 11  # a directive's number: up to 80 characters
    with bot.session() as s:
        doc = Directive(number=number, number_folded=fold(number))
        s.add(doc)
        s.commit()
        units = [make_unit(s, f"L{i:03d}", f"Xã Dài Tên Rất Dài Số {i:03d}") for i in range(150)]
        make_task(s, title, date(2026, 12, 2), units, directive_id=doc.id)
    reply = await bot.send(COORDINATOR, "/summary #3", match=lambda m: bool(buttons(m)))
    assert [m.message_id for m in bot.server.messages(COORDINATOR)] == [reply.message_id]
    assert (reply.text or "").startswith("#3 Triển khai")
    assert "Trang 1/" in (reply.text or "")
    await bot.press(COORDINATOR, button_data(reply, "Sau"))
    edited = await bot.server.wait_for(lambda: _edited(bot, reply.message_id), what="edit")
    assert "Trang 2/" in (edited.text or "")
    assert len(edited.text or "") <= 4096


async def test_a_blocker_of_4000_characters_is_paged_whole(bot: BotUnderTest) -> None:
    """A unit's blocker of 4,000 characters (what a report keeps) goes over two pages, every
    one a single message within Telegram's limit, and nothing of the reason is lost."""
    await arrange(bot)
    reason = " ".join(f"Lý do {i:03d} thiếu kinh phí *và* nhân lực;" for i in range(100))[:4000]
    with bot.session() as s:
        units = [make_unit(s, f"B{i}", f"Xã Vướng {i}") for i in range(3)]
        task = make_task(s, "Nhiệm vụ có vướng mắc dài", date(2026, 12, 2), units)
        blocked = s.exec(select(Assignment).where(Assignment.task_id == task.id)).first()
        assert blocked is not None
        assert blocked.id is not None
        record_report(s, assignment_id=blocked.id, state="blocked", reason=reason, now=at(17))
        s.commit()
    reply = await bot.send(COORDINATOR, "/summary #3", match=lambda m: bool(buttons(m)))
    assert [m.message_id for m in bot.server.messages(COORDINATOR)] == [reply.message_id]
    shown, message_id = [reply.text or ""], reply.message_id
    while any("Sau" in label for label, _ in buttons(reply)):
        await bot.press(COORDINATOR, button_data(reply, "Sau"))
        reply = await bot.server.wait_for(
            partial(_edited_times, bot, message_id, len(shown)), what="the next page"
        )
        shown.append(reply.text or "")
    assert len(shown) >= 2
    assert all(len(text) <= 4096 for text in shown)
    assert all(not text.split("\n\nTrang")[0].endswith("):") for text in shown)
    words = " ".join(" ".join(text.split("\n")) for text in shown)
    assert "Lý do 000 thiếu kinh phí *và* nhân lực;" in words
    assert reason[-40:] in words


def big_numbered_tasks(bot: BotUnderTest) -> None:
    """Add tasks #1234 and #1235 ("Báo cáo quý ..."), Xã A's, as a province has after years of
    recurring tasks."""
    from db.models import Unit
    from db.queries.tasks import assign_units
    from tests.factories import VN

    with bot.session() as s:
        xa = s.exec(select(Unit).where(Unit.code == "XA")).one()
        for number, quarter in ((1234, "I"), (1235, "II")):
            title = f"Báo cáo quý {quarter} về chuyển đổi số"
            task = Task(
                id=number, title=title, title_folded=fold(title), deadline=date(2026, 12, 2)
            )
            s.add(task)
            s.flush()
            assign_units(s, task=task, unit_ids=[xa.id or 0], tz=VN, new_task=True)
        s.commit()


async def test_task_numbers_past_999_are_written_as_typed(bot: BotUnderTest) -> None:
    """Task #1234 is offered, listed and named as "#1234", the way /summary #1234 is typed
    (it read "#1.234", a number nothing takes)."""
    await arrange(bot)
    big_numbered_tasks(bot)
    reply = await bot.send(COORDINATOR, "/summary báo cáo quý")
    labels = [label for label, _ in buttons(reply)]
    assert labels == [
        "#1235 Báo cáo quý II về chuyển đổi số",
        "#1234 Báo cáo quý I về chuyển đổi số",
    ]
    text = (await bot.send(COORDINATOR, "/unit Xã A")).text or ""
    assert "• #1234 Báo cáo quý I về chuyển đổi số, hạn 02/12/2026" in text
    assert "#1.234" not in text
    await bot.send(ADMIN_ID, "/canceltask #1235")
    text = (await bot.send(COORDINATOR, "/summary #1235")).text or ""
    assert text.startswith("Nhiệm vụ #1235 «Báo cáo quý II")


async def test_a_rate_short_of_all_never_reads_100_percent(bot: BotUnderTest) -> None:
    """1,999 of 2,000 communes done on time and one overdue: the rate is 99,9%, not the
    100,0% rounding gave next to "quá hạn 1"."""
    from sqlalchemy import insert, update

    from db.models import Unit

    await arrange(bot)
    with bot.session() as s:
        s.execute(
            insert(Unit),
            [
                {
                    "code": f"R{i:04d}",
                    "code_folded": f"r{i:04d}",
                    "name": f"Xã Số {i:04d}",
                    "name_folded": f"xã số {i:04d}",
                    "kind_key": "commune",
                }
                for i in range(2000)
            ],
        )
        units = list(s.exec(select(Unit).where(col(Unit.code).like("R%"))))
        task = make_task(s, "Nhiệm vụ hai nghìn xã", date(2026, 11, 10), units)
        s.execute(
            update(Assignment)
            .where(col(Assignment.task_id) == task.id, col(Assignment.unit_id) != units[0].id)
            .values(state="done", percent=100, done_at=at(9), last_report_at=at(9))
        )
        s.commit()
    text = (await bot.send(COORDINATOR, "/summary #3")).text or ""
    assert "Chưa hoàn thành 1 (trong hạn 0; quá hạn 1)" in text
    assert "Tỷ lệ hoàn thành/đến hạn: 1.999/2.000 = 99,9%." in text


async def test_totals_over_several_tasks_count_assignments_not_units(bot: BotUnderTest) -> None:
    """Two tasks given to 5 and 2 of the province's 5 units: the totals are of 7 assignments,
    "7 lượt đơn vị" as the formal report says (it read "7 đơn vị"); one task's stay units."""
    await arrange(bot)
    text = (await bot.send(COORDINATOR, "/summary")).text or ""
    assert "\n7 lượt đơn vị: Đã hoàn thành 2 (đúng hạn 1, quá hạn 1); Chưa hoàn thành 5" in text
    assert "7 đơn vị" not in text
    await bot.send(COORDINATOR, "/lang en")
    text = (await bot.send(COORDINATOR, "/summary")).text or ""
    assert "\nAssignments to units: 7. Completed 2 (on time 1, late 1)" in text
    text = (await bot.send(COORDINATOR, "/summary #1")).text or ""
    assert "\nUnits: 5. Completed 2" in text


async def test_a_directive_summary_says_which_task_each_blocker_is_of(bot: BotUnderTest) -> None:
    """Sở Y tế blocked on both tasks of a directive: each reason is listed with its task's
    number, as the units' lines above it are, and so is the explanation (it read "Sở Y tế:
    Thiếu kinh phí" and "Sở Y tế: Thiếu nhân lực", of which task neither said)."""
    province = await arrange(bot)
    with bot.session() as s:
        task = s.get(Task, province.task2)
        first = s.get(Assignment, province.assignments["SYT"])
        assert task is not None
        assert first is not None
        task.directive_id = province.directive
        assign_units(s, task=task, unit_ids=[first.unit_id], tz=VN)
        s.commit()
        [second] = s.exec(
            select(Assignment).where(
                Assignment.task_id == province.task2, Assignment.unit_id == first.unit_id
            )
        ).all()
        assert second.id is not None
        record_report(
            s, assignment_id=second.id, state="blocked", reason="Thiếu nhân lực", now=at(17)
        )
        s.commit()
    text = (await bot.send(COORDINATOR, "/summary 4824")).text or ""
    one, two = province.task1, province.task2
    assert (
        f"Vướng mắc (2):\n• #{one} Sở Y tế: Thiếu kinh phí\n• #{two} Sở Y tế: Thiếu nhân lực"
        in text
    )
    assert f"Giải trình đã nhận (1):\n• #{one} Sở Y tế: Chờ bổ sung dự toán" in text
    text = (await bot.send(COORDINATOR, f"/summary #{two}")).text or ""
    assert "Vướng mắc (1):\n• Sở Y tế: Thiếu nhân lực" in text
