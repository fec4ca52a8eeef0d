"""Typed commands on Zalo: /help, /whoami, /lang, /mytasks, /summary with "tiếp", /nudge;
a command that fails."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import text
from sqlmodel import select

from core.taskdates import due_at
from db.models import Assignment, Directive, Explanation, Inbox, Outbox, Task, Unit
from render.text import units
from tests.factories import make_contact, make_task, make_unit
from tests.handlers.telegram.summary_data import VN, make_province
from tests.harness import ADMIN_ID
from tests.zalo.conftest import ZALO_ADMIN, ZaloBot

HOA, CHI = "7f3a9c0e51d24b8e", "0c9d2e7a6b514f33"
DEADLINE = date(2026, 11, 30)


def province(zbot: ZaloBot, tasks: int = 1, units: int = 1) -> list[int]:
    """Hoa (member of the first commune) and Chi (coordinator) on Zalo; return the task ids."""
    with zbot.session() as s:
        made = [make_unit(s, f"X{i:03d}", f"Xã số {i:03d}") for i in range(units)]
        ids = [
            make_task(s, f"Nhiệm vụ thứ {n} về chuyển đổi số", DEADLINE, made).id or 0
            for n in range(1, tasks + 1)
        ]
        make_contact(s, 0, units=made[:1], name="Hoa", channel="zalo", external_id=HOA)
        make_contact(s, 0, role="coordinator", name="Chi", channel="zalo", external_id=CHI)
    zbot.zalo.add_user(HOA, "Hoa", wrote=True)
    zbot.zalo.add_user(CHI, "Chi", wrote=True)
    return ids


async def test_help_lists_the_commands_of_the_role(zbot: ZaloBot) -> None:
    """A member's /help has /mytasks but not /summary; a coordinator's has both."""
    province(zbot)
    [member] = await zbot.say(HOA, "/help")
    [coordinator] = await zbot.say(CHI, "/help")
    assert "/mytasks" in member
    assert "/summary" not in member
    assert "/summary" in coordinator
    assert "/nudge" in coordinator


async def test_help_ends_with_how_to_answer_a_reminder(zbot: ZaloBot) -> None:
    """/help closes, for every role, with how to answer a reminder: /link (offered when the
    bot is on Telegram too) and the staff's commands come before it, never after."""
    province(zbot)
    for person in (HOA, CHI, ZALO_ADMIN):
        shown = "\n".join(await zbot.say(person, "/help"))  # a long list comes in parts
        lines = shown.splitlines()
        assert lines[-1].startswith("Trả lời nhắc việc bằng số"), person
        assert "/link" in shown


@pytest.mark.parametrize("text", ["help", "Trợ giúp", "tro giup", "MENU", " hướng dẫn. ", "Help?"])
async def test_help_typed_without_the_slash_is_the_help(zbot: ZaloBot, text: str) -> None:
    """ "trợ giúp", "menu", "hướng dẫn" typed alone are answered as /help, not with the
    question of what the official reports."""
    province(zbot)
    [shown] = await zbot.say(HOA, text)
    assert shown.startswith("Các lệnh dùng được trên Zalo")
    assert "/mytasks" in shown


async def test_a_help_word_inside_a_reply_leaves_it_a_reply(zbot: ZaloBot) -> None:
    """ "xong, cảm ơn hướng dẫn" is a status reply that says done, not a call for help."""
    province(zbot)
    [answer] = await zbot.say(HOA, "xong, cảm ơn hướng dẫn")
    assert answer.startswith("Đã ghi nhận: Hoàn thành")


async def test_whoami_and_lang(zbot: ZaloBot) -> None:
    """/whoami names the unit; /lang en switches the answers to English."""
    province(zbot)
    [who] = await zbot.say(HOA, "/whoami")
    assert "Xã số 000" in who
    assert HOA in who
    [switched] = await zbot.say(HOA, "/lang en")
    [help_en] = await zbot.say(HOA, "/help")
    assert "English" in switched or "language" in switched.lower()
    assert "Commands available on Zalo" in help_en


async def test_lang_takes_the_language_named(zbot: ZaloBot) -> None:
    """ "/lang tiếng Anh" and "/lang Tiếng Việt" switch as "/lang en" and "/lang vi" do: they
    got the usage."""
    province(zbot)
    assert await zbot.say(HOA, "/lang tiếng Anh") == ["Language set to English."]
    assert await zbot.say(HOA, "/lang Tiếng Việt") == ["Đã chuyển sang tiếng Việt."]


async def test_mytasks_pages_with_tiep(zbot: ZaloBot) -> None:
    """/mytasks shows five tasks and says "tiếp"; "tiếp" shows the rest."""
    province(zbot, tasks=7)
    [first] = await zbot.say(HOA, "/mytasks")
    assert "tiếp" in first
    assert "Nhiệm vụ thứ 1 " in first
    assert "Nhiệm vụ thứ 7 " not in first
    [second] = await zbot.say(HOA, "tiếp")
    assert "Nhiệm vụ thứ 7 " in second
    [done] = await zbot.say(HOA, "tiếp")
    assert "Không còn trang" in done


async def test_mytasks_with_a_number_is_that_task_and_trang_a_page(zbot: ZaloBot) -> None:
    """ "/mytasks 2" is Hoa's task #2, as "/tasks 2" is task #2 (it was page 2); "/mytasks
    trang 2" is page 2; a task not hers says so and how to ask for a page."""
    ids = province(zbot, tasks=7)
    [one] = await zbot.say(HOA, f"/mytasks {ids[1]}")
    assert f"#{ids[1]} Nhiệm vụ thứ 2 " in one
    assert "Nhiệm vụ thứ 1 " not in one
    assert "Trang" not in one
    assert await zbot.say(HOA, f"/viec #{ids[1]}") == [one]
    [page] = await zbot.say(HOA, "/mytasks trang 2")
    assert "Nhiệm vụ thứ 7 " in page
    assert "Trang 2/2" in page
    [not_hers] = await zbot.say(HOA, "/mytasks 999")
    assert "#999 không phải nhiệm vụ đang mở" in not_hers
    assert "/mytasks trang 2" in not_hers
    [member] = await zbot.say(HOA, "/help")
    assert "/mytasks trang 2" in member


async def test_a_space_after_the_slash_is_the_same_command(zbot: ZaloBot) -> None:
    """ "/ mytasks" lists the tasks, and "/ cancel" (the text channel's) is /cancel: neither
    is answered "Bot không hiểu lệnh /"."""
    province(zbot)
    [listed] = await zbot.say(HOA, "/ mytasks")
    assert "Nhiệm vụ thứ 1 " in listed
    [cancelled] = await zbot.say(HOA, "/  cancel")
    [plain] = await zbot.say(HOA, "/cancel")
    assert cancelled == plain
    assert "không hiểu lệnh" not in cancelled


async def test_mytasks_names_the_unit_of_each_item_for_a_person_of_two_units(
    zbot: ZaloBot,
) -> None:
    """A contact of two units given the same task sees it once per unit, each with its unit
    (as on Telegram); it came twice, word for word the same."""
    with zbot.session() as s:
        units = [make_unit(s, "X-AI", "Xã Ái"), make_unit(s, "X-AI2", "Xã Aí")]
        make_task(s, "Nhiệm vụ chung", DEADLINE, units)
        make_contact(s, 0, units=units, name="Hoa", channel="zalo", external_id=HOA)
    zbot.zalo.add_user(HOA, "Hoa", wrote=True)
    [listed] = await zbot.say(HOA, "/mytasks")
    assert "Nhiệm vụ chung · Xã Ái\n" in listed
    assert "Nhiệm vụ chung · Xã Aí\n" in listed


async def test_mytasks_shows_an_explanation_asked_and_the_one_given(zbot: ZaloBot) -> None:
    """An item whose explanation was asked says so, and then what was answered, on Zalo as
    on Telegram (one use case, app.my_tasks, words both)."""
    [task_id] = province(zbot)
    with zbot.session() as s:
        assignment = s.exec(select(Assignment).where(Assignment.task_id == task_id)).one()
        asked = Explanation(assignment_id=assignment.id or 0)
        s.add(asked)
        s.commit()
    [waiting] = await zbot.say(HOA, "/mytasks")
    assert "📝 Đang được yêu cầu giải trình." in waiting
    with zbot.session() as s:
        answered = s.get(Explanation, asked.id)
        assert answered is not None
        answered.text = "chờ kinh phí"
        s.add(answered)
        s.commit()
    [given] = await zbot.say(HOA, "/mytasks")
    assert "📝 Đã giải trình: chờ kinh phí" in given


async def test_summary_for_a_coordinator_pages_with_tiep(zbot: ZaloBot) -> None:
    """A long /tonghop comes a page at a time, each within 2000 characters."""
    province(zbot, tasks=40, units=3)
    [first] = await zbot.say(CHI, "/tonghop")
    assert len(first) <= 2000
    assert "tiếp" in first
    [second] = await zbot.say(CHI, "tiếp")
    assert "Trang 2/" in second
    [refused] = await zbot.say(HOA, "/summary")
    assert "không có quyền" in refused


async def test_summary_in_english_says_to_type_next_and_next_works(zbot: ZaloBot) -> None:
    """In English a long summary says "Type next for more" (not the Vietnamese word), and
    "next" shows page 2."""
    province(zbot, tasks=40, units=3)
    await zbot.say(CHI, "/lang en")
    [first] = await zbot.say(CHI, "/summary")
    assert "Type next for more." in first
    assert "tiếp" not in first
    [second] = await zbot.say(CHI, "next")
    assert "Page 2/" in second


async def test_a_title_fitting_many_tasks_says_the_newest_are_listed_on_zalo(
    zbot: ZaloBot,
) -> None:
    """ "/summary Nhiệm vụ thứ" fits ten tasks: the eight newest, and how to reach the others."""
    province(zbot, tasks=10)
    [offer] = await zbot.say(CHI, "/summary Nhiệm vụ thứ")
    assert "#10 Nhiệm vụ thứ 10" in offer
    assert "#2 Nhiệm vụ thứ 2" not in offer
    assert "Chỉ liệt kê 8 nhiệm vụ mới nhất" in offer


async def test_nudge_from_zalo_queues_zalo_reminders(zbot: ZaloBot) -> None:
    """A coordinator's /nudge #N on Zalo reminds the unit's Zalo official on Zalo."""
    [task] = province(zbot)
    [answer] = await zbot.say(CHI, f"/nudge #{task}")
    assert answer
    nudge = await zbot.zalo.wait_for_messages(HOA, after=0, timeout=10)
    assert "Nhiệm vụ thứ 1" in nudge[0].text

    def queued() -> list[tuple[str, str, str]]:
        with zbot.session() as s:
            rows = s.exec(select(Outbox).where(Outbox.kind == "nudge")).all()
        return [(r.channel, r.chat_id, r.status) for r in rows]

    await zbot.zalo.wait_until(lambda: queued() == [("zalo", HOA, "sent")])


async def test_a_nudge_from_telegram_then_from_zalo_reminds_the_official_once(
    zbot: ZaloBot,
) -> None:
    """The admin nudges on Telegram, Chi the same task on Zalo a moment later: Hoa is reminded
    once, and Chi is told when and from when a nudge goes again."""
    [task] = province(zbot)
    reply = await zbot.tg.send(ADMIN_ID, f"/nudge #{task}")
    assert "đã nhắc 1 (1 người nhận)" in (reply.text or "")
    [answer] = await zbot.say(CHI, f"/nudge #{task}")
    assert answer.startswith(f"📣 Nhiệm vụ #{task} «Nhiệm vụ thứ 1 về chuyển đổi số»: 1 đơn")
    assert "lần này không gửi tin nhắc nào" in answer
    assert "đã nhắc 0" not in answer
    assert "vừa được nhắc nhiệm vụ này lúc 09:00 18/11/2026" in answer
    with zbot.session() as s:
        rows = s.exec(select(Outbox).where(Outbox.kind == "nudge")).all()
    assert [(r.channel, r.chat_id) for r in rows] == [("zalo", HOA)]


async def test_a_cancelled_task_and_a_period_are_named_for_what_they_are(zbot: ZaloBot) -> None:
    """On Zalo, /summary #2 of a cancelled task says it was cancelled; /export and /chart of a
    period say it is a period and offer /report, and /report of one day asks for two; no link
    is made."""
    zbot.tg.configure(public_base_url="https://dondoc.example")
    [_, cancelled] = province(zbot, tasks=2)
    await zbot.say(ZALO_ADMIN, f"/canceltask #{cancelled}")
    [summary] = await zbot.say(CHI, f"/summary #{cancelled}")
    assert f"Nhiệm vụ #{cancelled} «Nhiệm vụ thứ 2 về chuyển đổi số» đã bị hủy" in summary
    for command in ("/export", "/chart"):
        [answer] = await zbot.say(CHI, f"{command} 01/11/2026-30/11/2026")
        assert "là một kỳ (khoảng ngày)" in answer
        assert "/files/" not in answer
    [one_day] = await zbot.say(CHI, "/report 01/11/2026")
    assert "“01/11/2026” chỉ là một ngày" in one_day
    [no_year] = await zbot.say(CHI, "/report 30/11")  # not a title: no task to look up
    assert "“30/11” chỉ là một ngày; kỳ báo cáo cần ngày bắt đầu" in no_year
    [impossible] = await zbot.say(CHI, "/report 31/02")
    assert "“31/02” không phải là ngày hợp lệ. Kỳ báo cáo ghi dạng" in impossible


async def test_chart_of_a_date_says_it_takes_none_and_of_an_impossible_one_says_so(
    zbot: ZaloBot,
) -> None:
    """/chart 31/02 says the date is not on any calendar, /chart 30/11 and /chart 15/12/2026
    that it takes no date (they read "no task or directive 30/11", and a date "a period");
    /chart with words names no task; no link is made."""
    zbot.tg.configure(public_base_url="https://dondoc.example")
    province(zbot, tasks=1)
    [impossible] = await zbot.say(CHI, "/chart 31/02")
    assert "“31/02” có một ngày không có thật trên lịch" in impossible
    for typed in ("30/11", "15/12/2026"):
        [one_day] = await zbot.say(CHI, f"/chart {typed}")
        assert f"“{typed}” là một ngày, lệnh này không nhận ngày" in one_day
        assert "/files/" not in one_day
    [words] = await zbot.say(CHI, "/chart tuần trước")
    assert "Không tìm thấy nhiệm vụ hay văn bản “tuần trước”" in words


async def test_a_period_no_calendar_has_is_refused_on_zalo_by_every_command(
    zbot: ZaloBot,
) -> None:
    """On Zalo, /chart, /summary and /export of "tháng 13/2026" (a month, a quarter or a year
    that does not exist) say there is no such period, with the right form, not that a day
    does not exist; /report says there is no such period; no link is made."""
    zbot.tg.configure(public_base_url="https://dondoc.example")
    province(zbot, tasks=1)
    typed_periods = ("tháng 13/2026", "tháng 0/2026", "tháng 13", "tháng 2/20261", "quý 5/2026")
    for command in ("/chart", "/summary", "/export"):
        for typed in typed_periods:
            [answer] = await zbot.say(CHI, f"{command} {typed}")
            assert f"Không có kỳ “{typed}”: tháng từ 1 đến 12" in answer
            assert "Báo cáo theo kỳ: /report tháng 11/2026." in answer
            assert "ngày không có thật" not in answer
            assert "/files/" not in answer
    for typed in typed_periods:
        [answer] = await zbot.say(CHI, f"/report {typed}")
        assert f"Không có kỳ “{typed}”: tháng từ 1 đến 12" in answer
        assert "/files/" not in answer


async def test_tiep_of_a_task_cancelled_since_its_first_page_says_it_was_cancelled(
    zbot: ZaloBot,
) -> None:
    """A task's long summary asked by its title, then cancelled: "tiếp" says it was cancelled
    (as Telegram's next page does), not that no task is named so."""
    [task] = province(zbot, tasks=1, units=100)
    [first] = await zbot.say(CHI, "/summary Nhiệm vụ thứ 1 về chuyển đổi số")
    assert "tiếp" in first
    await zbot.say(ZALO_ADMIN, f"/canceltask #{task}")
    [then] = await zbot.say(CHI, "tiếp")
    assert f"Nhiệm vụ #{task} «Nhiệm vụ thứ 1 về chuyển đổi số» đã bị hủy" in then


async def test_summary_on_zalo_says_an_extension_of_an_overdue_unit_too(zbot: ZaloBot) -> None:
    """/summary #1 names the extension of a unit overdue past it, as of one within it."""
    [task] = province(zbot, units=2)
    with zbot.session() as s:
        extended = {"X000": date(2026, 11, 16), "X001": date(2026, 11, 25)}
        for a in s.exec(select(Assignment).where(Assignment.task_id == task)):
            unit = s.get(Unit, a.unit_id)
            assert unit is not None
            a.original_deadline = date(2026, 11, 10)
            a.deadline = extended[unit.code]
            a.due_at = due_at(a.deadline, VN)
            s.add(a)
        s.commit()
    text = "\n".join(await zbot.say(CHI, f"/summary #{task}"))
    assert "• Xã số 000: quá 2 ngày (gia hạn đến 16/11/2026)" in text
    assert "• Xã số 001 (gia hạn đến 25/11/2026)" in text


async def test_report_of_a_named_period_on_zalo(zbot: ZaloBot) -> None:
    """/report quý 4/2026 links to that quarter's report; tháng 13/2026 is refused by name."""
    zbot.tg.configure(public_base_url="https://dondoc.example")
    province(zbot)
    [answer] = await zbot.say(CHI, "/report quý 4/2026")
    assert "/files/report/p20261001-20261231?" in answer
    [refused] = await zbot.say(CHI, "/report tháng 13/2026")
    assert "Không có kỳ “tháng 13/2026”" in refused
    assert "/files/" not in refused


async def test_units_for_an_admin_page_with_tiep(zbot: ZaloBot) -> None:
    """An admin's /units lists 25 units a page and marks units nobody can be reached at."""
    province(zbot, units=30)
    [first] = await zbot.say(ZALO_ADMIN, "/units")
    assert "X000" in first
    assert "X029" not in first
    assert "tiếp" in first
    [second] = await zbot.say(ZALO_ADMIN, "tiếp")
    assert "X029" in second
    [refused] = await zbot.say(CHI, "/units")
    assert "không có quyền" in refused


async def test_newtask_in_one_line_is_confirmed_by_number(zbot: ZaloBot) -> None:
    """An admin's one-line /newtask asks to confirm; "1" creates it, assigned as named."""
    province(zbot, units=3)
    [asked] = await zbot.say(ZALO_ADMIN, "/newtask Báo cáo CĐS | 15/12/2026 | X000, X002")
    assert "Báo cáo CĐS" in asked
    assert "1 = " in asked
    [created] = await zbot.say(ZALO_ADMIN, "1")
    with zbot.session() as s:
        task = s.exec(select(Task).where(Task.title == "Báo cáo CĐS")).one()
        units = s.exec(select(Assignment).where(Assignment.task_id == task.id)).all()
    assert f"#{task.id}" in created
    assert len(units) == 2
    [wrong] = await zbot.say(ZALO_ADMIN, "/newtask Việc | 99/99 | X000")
    assert "99/99" in wrong
    [refused] = await zbot.say(CHI, "/newtask Việc | 15/12/2026 | X000")
    assert "không có quyền" in refused


async def test_a_command_that_fails_is_answered_with_an_error_code(zbot: ZaloBot) -> None:
    """The outbox gone, /nudge fails: the coordinator reads the error's reference, no traceback,
    and the message stays unfinished in the inbox (a restart handles it once more)."""
    [task] = province(zbot)
    with zbot.services.engine.begin() as connection:
        connection.execute(text("ALTER TABLE outbox RENAME TO outbox_gone"))

    message_id = zbot.zalo.send_text(CHI, f"/nudge #{task}")
    [answer] = await zbot.zalo.wait_for_messages(CHI, after=0)

    assert "Xin lỗi, đã có lỗi khi xử lý yêu cầu" in answer.text
    assert "Xin gửi lại sau ít phút" in answer.text  # it was not recorded: nothing says "not lost"
    assert "không bị mất" not in answer.text
    assert "mã lỗi" in answer.text
    assert "Traceback" not in answer.text
    with zbot.session() as s:
        row = s.exec(select(Inbox).where(Inbox.update_id == message_id)).one()
    assert row.processed_at is None


async def test_a_directive_summary_marks_its_closed_task(zbot: ZaloBot) -> None:
    """/tonghop 4824 on Zalo says which task of the directive is closed, as Telegram does."""
    with zbot.session() as s:
        made = make_province(s)
        task = s.get(Task, made.task1)
        assert task is not None
        task.status = "closed"
        s.add(task)
        make_contact(s, 0, role="coordinator", name="Chi", channel="zalo", external_id=CHI)
    zbot.zalo.add_user(CHI, "Chi", wrote=True)
    [answer] = await zbot.say(CHI, "/tonghop 4824")
    lines = answer.split("\n")
    [title] = [n for n, line in enumerate(lines) if line.startswith(f"#{made.task1} Ban hành")]
    assert lines[title + 1] == "Nhiệm vụ đã đóng: không còn đôn đốc."


async def test_task_numbers_past_999_are_listed_as_typed_on_zalo(zbot: ZaloBot) -> None:
    """The tasks a title fits are listed as "#1234", what "/summary #1234" takes (they read
    "#1.234"), and that command gives the task."""
    from core.textnorm import fold
    from db.queries.tasks import assign_units
    from tests.factories import VN

    province(zbot)
    with zbot.session() as s:
        unit = s.exec(select(Assignment)).first()
        assert unit is not None
        for number, quarter in ((1234, "I"), (1235, "II")):
            title = f"Báo cáo quý {quarter} về chuyển đổi số"
            task = Task(id=number, title=title, title_folded=fold(title), deadline=DEADLINE)
            s.add(task)
            s.flush()
            assign_units(s, task=task, unit_ids=[unit.unit_id], tz=VN, new_task=True)
        s.commit()
    [which] = await zbot.say(CHI, "/summary báo cáo quý")
    assert "#1235 Báo cáo quý II về chuyển đổi số" in which
    assert "#1.23" not in which
    [shown] = await zbot.say(CHI, "/summary #1234")
    assert shown.startswith("#1234 Báo cáo quý I về chuyển đổi số")


async def test_unit_with_nothing_due_says_so_rather_than_0_of_0(zbot: ZaloBot) -> None:
    """/unit of a unit whose tasks are all within their deadline reads that nothing is due
    yet (as /summary and the digest do), not "0/0 = -"."""
    province(zbot, tasks=2)
    [shown] = await zbot.say(CHI, "/unit Xã số 000")
    assert "Tỷ lệ hoàn thành đúng hạn: chưa có việc đến hạn." in shown
    assert "0/0" not in shown


async def test_a_long_summary_names_the_export_that_gives_it_whole(zbot: ZaloBot) -> None:
    """A summary of more pages than Telegram sends as a file too says on its first page that
    /export #N links the whole list as one Excel sheet (Zalo sends no file: the coordinator was
    left to type "tiếp" page after page); a short one, and the next pages, do not."""
    zbot.tg.configure(public_base_url="https://dondoc.example")
    [task] = province(zbot, units=400)
    with zbot.session() as s:
        short = make_task(s, "Việc của một xã", DEADLINE, [make_unit(s, "Y001", "Xã Lẻ")]).id
    [first] = await zbot.say(CHI, f"/summary #{task}")
    assert "Trang 1/" in first
    assert first.endswith(f"cả danh sách trong một bảng Excel, gõ /export #{task}")
    [second] = await zbot.say(CHI, "tiếp")
    assert "/export" not in second
    [alone] = await zbot.say(CHI, f"/summary #{short}")
    assert "/export" not in alone
    with zbot.session() as s:
        directive = Directive(number="4824/UBND-KGVX", number_folded="4824/ubnd-kgvx")
        s.add(directive)
        s.flush()
        given = s.get(Task, task)
        assert given is not None
        given.directive_id = directive.id
        s.commit()
    [of_directive] = await zbot.say(CHI, "/summary 4824/UBND-KGVX")
    assert of_directive.endswith("gõ /export 4824/UBND-KGVX")


async def test_a_summary_of_300_units_pages_every_line_whole_in_order(zbot: ZaloBot) -> None:
    """A task given to 300 communes, read to the end with "tiếp": pages 1 to N in order, each
    one message within Zalo's 2000 characters (UTF-16), no markup; every unit's line comes
    whole, once in each list it belongs to (none cut between pages, none lost)."""
    [task] = province(zbot, units=300)
    pages = await zbot.say(CHI, f"/summary #{task}")
    while "tiếp" in pages[-1]:
        pages += await zbot.say(CHI, "tiếp")
    numbers = [re.search(r"Trang (\d+)/(\d+)", page) for page in pages]
    assert [(int(m[1]), int(m[2])) for m in numbers if m] == [
        (n, len(pages)) for n in range(1, len(pages) + 1)
    ]
    assert all(units(page) <= 2000 and "**" not in page and "<b>" not in page for page in pages)
    lines = [line for page in pages for line in page.split("\n") if line.startswith("• ")]
    assert all(re.fullmatch(r"• Xã số \d{3}", line) for line in lines)
    names = sorted(line.removeprefix("• ") for line in lines)
    assert names == sorted(f"Xã số {n:03d}" for n in range(300) for _ in range(2))
