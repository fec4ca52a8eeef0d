"""/newtask on Zalo as admins type it: a directive named with its kind, titles of no words."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import select

from core.clock import ManualClock
from core.textnorm import fold
from db.models import Directive, Task
from tests.factories import make_unit
from tests.harness import VN
from tests.zalo.conftest import ZALO_ADMIN, ZaloBot


def province(zbot: ZaloBot) -> None:
    """One commune and the known directive 4824/UBND-KGVX."""
    with zbot.session() as s:
        make_unit(s, "X000", "Xã An Hòa")
        s.add(Directive(number="4824/UBND-KGVX", number_folded=fold("4824/UBND-KGVX")))
        s.commit()


async def test_guided_directive_step_takes_the_number_typed_with_its_kind(zbot: ZaloBot) -> None:
    """At step 4, "CV 4824/UBND-KGVX" is the known directive, not "unknown, type it again"."""
    province(zbot)
    for typed in ("/newtask", "Báo cáo CĐS", "15/12/2026", "X000"):
        await zbot.say(ZALO_ADMIN, typed)
    [confirm] = await zbot.say(ZALO_ADMIN, "CV 4824/UBND-KGVX")
    assert "Văn bản: 4824/UBND-KGVX\n" in confirm
    await zbot.say(ZALO_ADMIN, "1")
    with zbot.session() as s:
        [directive] = s.exec(select(Directive)).all()
        assert s.exec(select(Task)).one().directive_id == directive.id


async def test_one_line_directive_with_its_kind_makes_no_second_directive(zbot: ZaloBot) -> None:
    """ "Công văn số 4824/UBND-KGVX" in the one-line form is the known directive, kept once."""
    province(zbot)
    line = "/newtask Báo cáo CĐS | 15/12/2026 | X000 | Công văn số 4824/UBND-KGVX"
    [confirm] = await zbot.say(ZALO_ADMIN, line)
    assert "Văn bản: 4824/UBND-KGVX\n" in confirm
    assert "văn bản mới" not in confirm
    await zbot.say(ZALO_ADMIN, "1")
    with zbot.session() as s:
        assert len(s.exec(select(Directive)).all()) == 1


async def test_guided_title_of_no_words_is_asked_again_at_step_one(zbot: ZaloBot) -> None:
    """A blank or emoji-only title is refused in words, and step 1/4 (not 1/5) asked again."""
    province(zbot)
    await zbot.say(ZALO_ADMIN, "/newtask")
    for typed in ("", "🔥🔥🔥"):
        [again] = await zbot.say(ZALO_ADMIN, typed)
        assert "cần có chữ hoặc số" in again
        assert "bước 1/4" in again
        assert "1/5" not in again
    [deadline] = await zbot.say(ZALO_ADMIN, "Báo cáo CĐS 🔥")
    assert "Bước 2/4" in deadline


async def test_one_line_and_recurring_titles_of_no_words_create_nothing(zbot: ZaloBot) -> None:
    """ "/newtask 🔥 | …" and "/recurring add … | …" with a title of signs alone are refused."""
    province(zbot)
    [line] = await zbot.say(ZALO_ADMIN, "/newtask 🔥🔥 | 15/12/2026 | X000")
    assert "cần có chữ hoặc số" in line
    await zbot.say(ZALO_ADMIN, "1")  # no confirmation was offered: nothing to create
    [rule] = await zbot.say(ZALO_ADMIN, "/recurring add ... | monthly:20 | X000")
    assert "cần có chữ hoặc số" in rule
    with zbot.session() as s:
        assert s.exec(select(Task)).first() is None


async def test_confirmation_says_what_to_type_not_what_to_press(zbot: ZaloBot) -> None:
    """Zalo shows no buttons: the confirmation says to type 1 or "ok", 2 or "huỷ"."""
    province(zbot)
    [confirm] = await zbot.say(ZALO_ADMIN, "/newtask Báo cáo CĐS | 15/12/2026 | X000")
    assert "Gõ 1 (hoặc «ok») để giao, 2 (hoặc «huỷ») để bỏ." in confirm
    assert "Bấm" not in confirm
    await zbot.say(ZALO_ADMIN, "/lang en")
    [confirm_en] = await zbot.say(ZALO_ADMIN, "/newtask Digital report | 15/12/2026 | X000")
    assert 'Type 1 (or "ok") to assign it' in confirm_en
    assert "Press" not in confirm_en


async def test_units_named_ambiguously_are_listed_with_their_codes(zbot: ZaloBot) -> None:
    """ "An" fits two communes: the answer asks for a code and shows each one's."""
    with zbot.session() as s:
        make_unit(s, "X000", "Xã An Hòa")
        make_unit(s, "X001", "Xã An Hải")
    [asked] = await zbot.say(ZALO_ADMIN, "/newtask Báo cáo CĐS | 15/12/2026 | An")
    assert "Xã An Hải (X001), Xã An Hòa (X000)" in asked
    [confirm] = await zbot.say(ZALO_ADMIN, "X001")
    assert "Đơn vị (1): Xã An Hải" in confirm


async def test_next_page_asked_mid_form_is_the_page_not_an_answer(zbot: ZaloBot) -> None:
    """/units mid-form, then "tiếp": the list's next page; the form waits at its step."""
    with zbot.session() as s:
        for i in range(40):
            make_unit(s, f"X{i:03d}", f"Xã {i}")
    await zbot.say(ZALO_ADMIN, "/newtask")
    await zbot.say(ZALO_ADMIN, "Báo cáo CĐS")
    [first] = await zbot.say(ZALO_ADMIN, "/units")
    assert "Trang 1/2" in first
    [second] = await zbot.say(ZALO_ADMIN, "tiếp")
    assert "Trang 2/2" in second
    [units] = await zbot.say(ZALO_ADMIN, "15/12/2026")  # the form goes on at step 2
    assert "Bước 3/4" in units


async def test_a_yearless_day_typed_in_december_is_next_january(
    zbot: ZaloBot, clock: ManualClock
) -> None:
    """On 06/12/2026, "15/01" is 15/01/2027 (one line and /deadline), while "05/12", a
    day just past, is still refused with next year's day offered."""
    province(zbot)
    clock.set(datetime(2026, 12, 6, 9, 0, tzinfo=VN))
    [confirm] = await zbot.say(ZALO_ADMIN, "/newtask Báo cáo CĐS | 15/01 | X000")
    assert "Hạn: 15/01/2027" in confirm
    await zbot.say(ZALO_ADMIN, "1")
    with zbot.session() as s:
        task = s.exec(select(Task)).one()
    assert task.deadline == date(2027, 1, 15)
    [moved] = await zbot.say(ZALO_ADMIN, f"/deadline {task.id} 20/1")
    assert "20/01/2027" in moved
    [past] = await zbot.say(ZALO_ADMIN, f"/deadline {task.id} 05/12")
    assert "05/12/2027" in past  # offered, not taken
    with zbot.session() as s:
        assert s.exec(select(Task)).one().deadline == date(2027, 1, 20)


async def test_deadlines_in_words_are_read_on_zalo(zbot: ZaloBot, clock: ManualClock) -> None:
    """On Sunday 06/12/2026, "thứ 6" is Friday 11/12, "/deadline <n> cuối tháng" 31/12 and
    "cuối tháng 2" the end of next February."""
    province(zbot)
    clock.set(datetime(2026, 12, 6, 9, 0, tzinfo=VN))
    [confirm] = await zbot.say(ZALO_ADMIN, "/newtask Báo cáo tuần | thứ 6 | X000")
    assert "Hạn: 11/12/2026" in confirm
    await zbot.say(ZALO_ADMIN, "1")
    with zbot.session() as s:
        task = s.exec(select(Task)).one()
    assert task.deadline == date(2026, 12, 11)
    [moved] = await zbot.say(ZALO_ADMIN, f"/deadline {task.id} cuối tháng")
    assert "31/12/2026" in moved
    [february] = await zbot.say(ZALO_ADMIN, f"/deadline {task.id} cuối tháng 2")
    assert "01/03/2027" in february  # the end of next February, a Sunday
    with zbot.session() as s:
        assert s.exec(select(Task)).one().deadline == date(2027, 3, 1)


async def test_a_deadline_given_with_its_time_is_that_day_on_zalo(zbot: ZaloBot) -> None:
    """ "17h00 ngày 18/12/2026" in the one-line form and "15/01/2027 17:00" at the guided
    step are those days, as a tasks file reads them (Zalo refused them as no date)."""
    province(zbot)
    [confirm] = await zbot.say(ZALO_ADMIN, "/newtask Báo cáo CĐS | 17h00 ngày 18/12/2026 | X000")
    assert "Hạn: 18/12/2026" in confirm
    await zbot.say(ZALO_ADMIN, "1")
    with zbot.session() as s:
        assert s.exec(select(Task)).one().deadline == date(2026, 12, 18)
    for typed in ("/newtask", "Báo cáo quý"):
        await zbot.say(ZALO_ADMIN, typed)
    answer = "\n".join(await zbot.say(ZALO_ADMIN, "15/01/2027 17:00"))
    assert "15/01/2027" in answer
    assert "không hiểu" not in answer.lower()


async def test_the_same_task_entered_again_is_pointed_out_before_it_is_created(
    zbot: ZaloBot,
) -> None:
    """The line sent again (the title in other case and spacing) names open task #1 in the
    confirmation; another deadline, or the first task closed, does not."""
    province(zbot)
    await zbot.say(ZALO_ADMIN, "/newtask Báo cáo CĐS | 15/12/2026 | X000")
    await zbot.say(ZALO_ADMIN, "1")
    [again] = await zbot.say(ZALO_ADMIN, "/newtask báo cáo  CĐS | 15/12/2026 | X000")
    assert "Đã có nhiệm vụ #1 cùng tên, cùng hạn, đang mở (1 đơn vị)" in again
    await zbot.say(ZALO_ADMIN, "2")
    [later] = await zbot.say(ZALO_ADMIN, "/newtask Báo cáo CĐS | 16/12/2026 | X000")
    assert "Đã có nhiệm vụ" not in later
    await zbot.say(ZALO_ADMIN, "2")
    await zbot.say(ZALO_ADMIN, "/closetask 1")
    [closed] = await zbot.say(ZALO_ADMIN, "/newtask Báo cáo CĐS | 15/12/2026 | X000")
    assert "Đã có nhiệm vụ" not in closed
    with zbot.session() as s:
        assert len(s.exec(select(Task)).all()) == 1


async def test_a_confirmation_typed_twice_is_told_nothing_waits_not_how_to_report(
    zbot: ZaloBot,
) -> None:
    """ "1" typed again after the task was made (a button pressed twice, on a channel
    without buttons) makes no second task, and the admin, who reports for no unit, is told
    that no choice waits and where the commands are, not how to answer a reminder."""
    province(zbot)
    await zbot.say(ZALO_ADMIN, "/newtask Báo cáo CĐS | 15/12/2026 | X000")
    [made] = await zbot.say(ZALO_ADMIN, "1")
    assert "Đã giao nhiệm vụ" in made
    for again in ("1", "ok"):
        [said] = await zbot.say(ZALO_ADMIN, again)
        assert "không có lựa chọn nào đang chờ" in said, said
        assert "/help" in said
        assert "nhắc việc" not in said
    with zbot.session() as s:
        assert len(s.exec(select(Task)).all()) == 1
