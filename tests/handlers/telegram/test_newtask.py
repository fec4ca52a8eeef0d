"""/newtask through the fake Bot API server: one line, guided, deadlines, refusals."""

from __future__ import annotations

import warnings
from datetime import date, datetime, timedelta

from sqlmodel import col, select

from core.clock import ManualClock
from core.textnorm import fold
from db.models import Assignment, AuditLog, Directive, Task
from devtools.fakebotapi import ChatMessage
from handlers.telegram.newtask import conversation
from tests.factories import make_contact, make_unit
from tests.harness import ADMIN_ID, VN, BotUnderTest, button_data, buttons


def _province(bot: BotUnderTest) -> dict[str, int]:
    """Create a department, a district with two communes, a ward, a group; ids by code."""
    with bot.session() as s:
        dist = make_unit(s, "DB", "Thị xã Điện Bàn", kind="district")
        units = [
            make_unit(s, "SYT", "Sở Y tế", kind="department"),
            make_unit(s, "X1", "Xã Điện Hòa", parent=dist, groups=["Xã thí điểm"]),
            make_unit(s, "X2", "Xã Điện Thắng", parent=dist),
            make_unit(s, "P1", "Phường An Mỹ", kind="ward", groups=["Xã thí điểm"]),
            make_unit(s, "X3", "Xã Tam Xuân"),
            dist,
        ]
        return {u.code: u.id for u in units if u.id is not None}


def _units_of(bot: BotUnderTest, task_id: int) -> set[int]:
    """Return the ids of the units a task is actively assigned to."""
    with bot.session() as s:
        query = select(Assignment.unit_id).where(
            Assignment.task_id == task_id, col(Assignment.active).is_(True)
        )
        return set(s.exec(query))


def _latest(bot: BotUnderTest) -> ChatMessage:
    """Return the admin chat's newest bot message, as it is now (edits included)."""
    return bot.server.messages(ADMIN_ID)[-1]


def _only_task(bot: BotUnderTest) -> Task:
    """Return the one task in the database."""
    with bot.session() as s:
        return s.exec(select(Task)).one()


async def test_newtask_one_line_by_kind_group_parent_and_unit(bot: BotUnderTest) -> None:
    """The one-line form names units four ways, confirms, then creates and audits the task."""
    ids = _province(bot)
    spec = "sở, xã thí điểm, thuộc Điện Bàn, Tam Xuân"
    confirm = await bot.send(ADMIN_ID, f"/newtask Báo cáo CĐS | 15/12/2026 | {spec} | 4824/UBND")
    text = confirm.text or ""
    assert "Xác nhận" in text
    assert "4824/UBND (văn bản mới" in text
    assert "Đơn vị (5)" in text  # the pilot commune under Điện Bàn counts once
    with bot.session() as s:
        assert s.exec(select(Task)).first() is None  # nothing before confirming
    await bot.press(ADMIN_ID, button_data(confirm, "Tạo nhiệm vụ"))
    done = await bot.server.wait_for_message(ADMIN_ID, lambda m: "#1" in (m.text or ""))
    assert "5 đơn vị" in (done.text or "")
    task = _only_task(bot)
    assert task.deadline == date(2026, 12, 15)
    assert _units_of(bot, task.id or 0) == {ids[c] for c in ("SYT", "X1", "P1", "X2", "X3")}
    with bot.session() as s:
        assert s.exec(select(Directive)).one().number == "4824/UBND"
        actions = {e.action for e in s.exec(select(AuditLog))}
    assert {"task.created", "directive.created"} <= actions


async def test_newtask_one_line_names_what_did_not_match(bot: BotUnderTest) -> None:
    """Unknown and ambiguous assignees are listed and nothing is created."""
    _province(bot)
    reply = await bot.send(ADMIN_ID, "/newtask Việc | 15/12/2026 | Xã Không Có, Điện")
    text = reply.text or ""
    assert "Xã Không Có" in text
    assert "Xã Điện Hòa" in text  # a candidate of the ambiguous 'Điện'
    with bot.session() as s:
        assert s.exec(select(Task)).first() is None


async def test_newtask_guided_with_new_directive_holiday_and_every_way_of_choosing(
    bot: BotUnderTest,
) -> None:
    """The guided form walks every step; a holiday deadline moves and the bot says why."""
    ids = _province(bot)
    assert "bước 1/5" in ((await bot.send(ADMIN_ID, "/newtask")).text or "")
    assert "Văn bản" in ((await bot.send(ADMIN_ID, "Kế hoạch CĐS 2027")).text or "")
    line = "4824/UBND-KGVX | 15/11/2026 | UBND tỉnh | Về chuyển đổi số"
    assert "Hạn" in ((await bot.send(ADMIN_ID, line)).text or "")
    # 24/11/2026 is Vietnamese Culture Day, a public holiday from 2026.
    moved = await bot.send(ADMIN_ID, "24/11/2026")
    assert "Ngày Văn hóa Việt Nam" in (moved.text or "")
    assert "25/11/2026" in (moved.text or "")
    menu = await bot.server.wait_for_message(ADMIN_ID, lambda m: "Bước 4/5" in (m.text or ""))
    await bot.press(ADMIN_ID, button_data(menu, "xã, phường"))  # communes and wards: 4
    groups = await bot.server.wait_for_message(ADMIN_ID, lambda m: "(4)" in (m.text or ""))
    await bot.press(ADMIN_ID, button_data(groups, "Theo nhóm"))
    listing = await bot.server.wait_for_message(ADMIN_ID, lambda m: "Chọn nhóm" in (m.text or ""))
    await bot.press(ADMIN_ID, button_data(listing, "Xã thí điểm"))
    menu = await bot.server.wait_for_message(ADMIN_ID, lambda m: "thí điểm (2)" in (m.text or ""))
    await bot.press(ADMIN_ID, button_data(menu, "cấp trên"))
    await bot.server.wait_for_message(ADMIN_ID, lambda m: "cấp trên" in (m.text or ""))
    after = bot.server.last_message_id(ADMIN_ID)
    await bot.send(ADMIN_ID, "Điện Bàn")
    menu = await bot.server.wait_for_message(
        ADMIN_ID, lambda m: "thuộc Thị xã Điện Bàn (2)" in (m.text or ""), after=after
    )
    await bot.press(ADMIN_ID, button_data(menu, "Chọn từng"))
    picker = await bot.server.wait_for_message(ADMIN_ID, lambda m: "Trang 1/" in (m.text or ""))
    await bot.send(ADMIN_ID, "y tế")  # search by name
    found = await bot.server.wait_for_message(
        ADMIN_ID, lambda m: "Tìm: y tế" in (m.text or ""), after=picker.message_id
    )
    await bot.press(ADMIN_ID, button_data(found, "Sở Y tế"))
    # The page is edited in place: the unit's button now shows it picked.
    await bot.server.wait_until(
        lambda: any(label.startswith("✅ Sở Y tế") for label, _ in buttons(_latest(bot)))
    )
    picked = _latest(bot)
    await bot.press(ADMIN_ID, button_data(picked, "Xong (5)"))
    ask = await bot.server.wait_for_message(ADMIN_ID, lambda m: "Bước 5/5" in (m.text or ""))
    await bot.press(ADMIN_ID, button_data(ask, "Bỏ qua"))
    confirm = await bot.server.wait_for_message(ADMIN_ID, lambda m: "Xác nhận" in (m.text or ""))
    assert "Điều 148" in (confirm.text or "")
    await bot.press(ADMIN_ID, button_data(confirm, "Tạo nhiệm vụ"))
    await bot.server.wait_for_message(ADMIN_ID, lambda m: "Đã giao" in (m.text or ""))
    task = _only_task(bot)
    assert task.deadline == date(2026, 11, 25)
    assert _units_of(bot, task.id or 0) == {ids["X1"], ids["X2"], ids["X3"], ids["P1"], ids["SYT"]}
    with bot.session() as s:
        directive = s.exec(select(Directive)).one()
    assert (directive.issuer, directive.issued_on) == ("UBND tỉnh", date(2026, 11, 15))
    assert task.directive_id == directive.id


async def test_newtask_deadline_forms_through_the_bot(bot: BotUnderTest) -> None:
    """31/02 is refused, a past d/m proposes next year, working days skip the holiday."""
    _province(bot)
    await bot.send(ADMIN_ID, "/newtask")
    await bot.send(ADMIN_ID, "Việc thử")
    await bot.send(ADMIN_ID, "-")
    assert "31/02" in ((await bot.send(ADMIN_ID, "31/02/2027")).text or "")
    assert "không hiểu" in ((await bot.send(ADMIN_ID, "sớm nhất có thể")).text or "").lower()
    past = await bot.send(ADMIN_ID, "15/11")
    assert "15/11/2027" in (past.text or "")
    assert "15/11/2026" in (past.text or "")
    await bot.send(ADMIN_ID, "/cancel")
    await bot.send(ADMIN_ID, "/newtask")
    await bot.send(ADMIN_ID, "Việc thử")
    await bot.send(ADMIN_ID, "-")
    # From Wed 18/11/2026: Thu 19, Fri 20, Mon 23, (Tue 24 holiday), Wed 25, Thu 26.
    set_ = await bot.send(ADMIN_ID, "5 ngày làm việc")
    assert "26/11/2026" in (set_.text or "")


async def test_newtask_past_day_proposal_can_be_pressed(bot: BotUnderTest) -> None:
    """The proposed date of a past 'd/m' is one press away."""
    _province(bot)
    await bot.send(ADMIN_ID, "/newtask")
    await bot.send(ADMIN_ID, "Việc thử")
    await bot.send(ADMIN_ID, "-")
    past = await bot.send(ADMIN_ID, "16/11")
    await bot.press(ADMIN_ID, button_data(past, "16/11/2027"))
    accepted = await bot.server.wait_for_message(
        ADMIN_ID, lambda m: "Hạn: " in (m.text or ""), after=past.message_id
    )
    assert "16/11/2027" in (accepted.text or "")


async def test_newtask_cancel_leaves_and_creates_nothing(bot: BotUnderTest) -> None:
    """/cancel in the middle says so; the next text is not taken as a title."""
    await bot.send(ADMIN_ID, "/newtask")
    assert "hủy" in ((await bot.send(ADMIN_ID, "/cancel")).text or "").lower()
    with bot.session() as s:
        assert s.exec(select(Task)).first() is None


async def test_newtask_by_member_is_refused(bot: BotUnderTest) -> None:
    """A unit's member cannot use /newtask, in either form."""
    with bot.session() as s:
        make_contact(s, 2101, units=[make_unit(s, "X9")])
    bot.user(2101)
    assert "không có quyền" in ((await bot.send(2101, "/newtask")).text or "")
    assert "không có quyền" in ((await bot.send(2101, "/newtask A | 15/12/2026 | xã")).text or "")
    with bot.session() as s:
        assert s.exec(select(Task)).first() is None


async def test_newtask_working_days_across_tet(bot: BotUnderTest) -> None:
    """'5 ngày làm việc' typed just before Tết 2027 skips the whole holiday."""
    _province(bot)
    bot.clock.set(datetime(2027, 2, 1, 9, 0, tzinfo=VN))  # Monday; Tết is off 04-10/02
    reply = await bot.send(ADMIN_ID, "/newtask Báo cáo trước Tết | 5 ngày làm việc | sở")
    # Tue 2, Wed 3, then Thu 11, Fri 12, Mon 15.
    assert "Hạn: 15/02/2027" in (reply.text or "")


async def test_newtask_accepts_every_date_form(bot: BotUnderTest) -> None:
    """dd/mm/yyyy, d/m/yyyy, d/m, 'ngày …' and English working days all read."""
    _province(bot)
    for typed, shown in [
        ("15/12/2026", "15/12/2026"),
        ("7/1/2027", "07/01/2027"),
        ("ngày 16/12", "16/12/2026"),
        ("3 working days", "23/11/2026"),
    ]:
        reply = await bot.send(ADMIN_ID, f"/newtask Việc | {typed} | sở")
        assert f"Hạn: {shown}" in (reply.text or ""), typed
        await bot.send(ADMIN_ID, "/cancel")


async def test_newtask_takes_a_deadline_given_with_its_time_as_that_day(
    bot: BotUnderTest,
) -> None:
    """ "15/01/2027 17:00" and "17h00 ngày 18/12/2026" are those days, in the one-line form
    and at the guided step, as a tasks file reads them (chat refused them as no date)."""
    _province(bot)
    for typed, shown in [
        ("15/01/2027 17:00", "15/01/2027"),
        ("17h00 ngày 18/12/2026", "18/12/2026"),
    ]:
        reply = await bot.send(ADMIN_ID, f"/newtask Việc | {typed} | sở")
        assert f"Hạn: {shown}" in (reply.text or ""), typed
        await bot.send(ADMIN_ID, "/cancel")
    await bot.send(ADMIN_ID, "/newtask")
    await bot.send(ADMIN_ID, "Việc thử")
    await bot.send(ADMIN_ID, "-")
    asked = await bot.send(ADMIN_ID, "17h00 ngày 18/12/2026")
    assert "18/12/2026" in (asked.text or "")
    assert "không hiểu" not in (asked.text or "").lower()


async def test_newtask_guided_by_typing_only(bot: BotUnderTest) -> None:
    """Every step can be answered by typing (chats without buttons), description included."""
    ids = _province(bot)
    await bot.send(ADMIN_ID, "/newtask")
    await bot.send(ADMIN_ID, "Rà soát thủ tục")
    await bot.send(ADMIN_ID, "-")
    await bot.send(ADMIN_ID, "15/12/2026")
    await bot.server.wait_for_message(ADMIN_ID, lambda m: "Bước 4/5" in (m.text or ""))
    await bot.send(ADMIN_ID, "sở")
    menu = await bot.server.wait_for_message(ADMIN_ID, lambda m: "Đã chọn: 1 " in (m.text or ""))
    await bot.press(ADMIN_ID, button_data(menu, "Xong (1)"))
    await bot.server.wait_for_message(ADMIN_ID, lambda m: "Bước 5/5" in (m.text or ""))
    confirm = await bot.send(ADMIN_ID, "Gửi danh mục thủ tục trước hạn")
    assert "Mô tả: Gửi danh mục" in (confirm.text or "")
    assert "Đã giao" in ((await bot.send(ADMIN_ID, "ok")).text or "")
    task = _only_task(bot)
    assert task.description == "Gửi danh mục thủ tục trước hạn"
    assert _units_of(bot, task.id or 0) == {ids["SYT"]}


async def test_newtask_confirmation_lists_units_in_vietnamese_order(bot: BotUnderTest) -> None:
    """The confirmation names "Sở Tài chính" before "Sở Thông tin", and Đ after D."""
    with bot.session() as s:
        for code, name in (
            ("STT", "Sở Thông tin"),
            ("STC", "Sở Tài chính"),
            ("SDL", "Sở Du lịch"),
        ):
            make_unit(s, code, name, kind="department")
        make_unit(s, "SDT", "Sở Đào tạo", kind="department")
    text = (await bot.send(ADMIN_ID, "/newtask Việc | 15/12/2026 | sở")).text or ""
    assert "Sở Du lịch, Sở Đào tạo, Sở Tài chính, Sở Thông tin" in text


async def test_newtask_one_line_skip_word_is_no_directive(bot: BotUnderTest) -> None:
    """A "-" typed as the directive is none, as at the guided step and on Zalo."""
    _province(bot)
    confirm = await bot.send(ADMIN_ID, "/newtask Việc | 15/12/2026 | Tam Xuân | -")
    assert "Văn bản: không có" in (confirm.text or "")
    await bot.press(ADMIN_ID, button_data(confirm, "Tạo nhiệm vụ"))
    await bot.server.wait_for_message(ADMIN_ID, lambda m: "#1" in (m.text or ""))
    with bot.session() as s:
        assert s.exec(select(Directive)).first() is None
        assert s.exec(select(Task)).one().directive_id is None


async def test_newtask_known_directive_is_named_as_kept(bot: BotUnderTest) -> None:
    """A known directive typed in other case is that one, shown as kept; "bỏ qua" skips it."""
    _province(bot)
    with bot.session() as s:
        s.add(Directive(number="4824/UBND", number_folded=fold("4824/UBND")))
        s.commit()
    line = await bot.send(ADMIN_ID, "/newtask Việc | 15/12/2026 | Tam Xuân | 4824/ubnd")
    assert "Văn bản: 4824/UBND\n" in (line.text or "")
    await bot.send(ADMIN_ID, "/newtask")
    await bot.send(ADMIN_ID, "Việc hai")
    assert "Hạn" in ((await bot.send(ADMIN_ID, "bỏ qua")).text or "")


def test_newtask_conversation_is_built_without_a_warning() -> None:
    """Buttons and typed answers share one per-chat conversation and PTB has nothing to say."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        conversation()
    assert [str(w.message) for w in caught] == []


def _tasks(bot: BotUnderTest) -> list[Task]:
    """Return every task in the database."""
    with bot.session() as s:
        return list(s.exec(select(Task)))


def _message(bot: BotUnderTest, message_id: int) -> ChatMessage:
    """Return one of the admin chat's messages as it is now (edits included)."""
    return next(m for m in bot.server.messages(ADMIN_ID) if m.message_id == message_id)


async def test_newtask_old_confirmation_does_not_create_the_current_draft(
    bot: BotUnderTest,
) -> None:
    """ "Create" on an earlier task's confirmation is refused; only the current one creates."""
    _province(bot)
    first = await bot.send(ADMIN_ID, "/newtask Việc A | 15/12/2026 | sở")
    second = await bot.send(ADMIN_ID, "/newtask Việc B | 16/12/2026 | sở")
    answer = await bot.press(ADMIN_ID, button_data(first, "Tạo nhiệm vụ"), first.message_id)
    assert "không còn hiệu lực" in answer
    assert _tasks(bot) == []
    await bot.server.wait_until(lambda: buttons(_message(bot, first.message_id)) == [])
    await bot.press(ADMIN_ID, button_data(second, "Tạo nhiệm vụ"), second.message_id)
    await bot.server.wait_for_message(ADMIN_ID, lambda m: "Đã giao" in (m.text or ""))
    assert [t.title for t in _tasks(bot)] == ["Việc B"]
    await bot.server.wait_until(lambda: buttons(_message(bot, second.message_id)) == [])


async def test_newtask_old_cancel_does_not_drop_the_current_draft(bot: BotUnderTest) -> None:
    """ "Cancel" on an earlier confirmation is refused; the current draft can still be created."""
    _province(bot)
    first = await bot.send(ADMIN_ID, "/newtask Việc A | 15/12/2026 | sở")
    await bot.send(ADMIN_ID, "/newtask Việc B | 16/12/2026 | sở")
    answer = await bot.press(ADMIN_ID, button_data(first, "Hủy"), first.message_id)
    assert "không còn hiệu lực" in answer
    assert "Đã giao" in ((await bot.send(ADMIN_ID, "ok")).text or "")
    assert [t.title for t in _tasks(bot)] == ["Việc B"]


async def test_newtask_old_confirmation_is_refused_at_another_step(bot: BotUnderTest) -> None:
    """An old confirmation pressed while a guided form asks for a title changes nothing."""
    _province(bot)
    first = await bot.send(ADMIN_ID, "/newtask Việc A | 15/12/2026 | sở")
    await bot.send(ADMIN_ID, "/newtask")
    answer = await bot.press(ADMIN_ID, button_data(first, "Tạo nhiệm vụ"), first.message_id)
    assert "không còn hiệu lực" in answer
    assert _tasks(bot) == []
    assert "Văn bản" in ((await bot.send(ADMIN_ID, "Việc C")).text or "")  # form goes on


async def test_newtask_used_confirmation_loses_its_buttons(bot: BotUnderTest) -> None:
    """Once a confirmation is answered by typing, its buttons are gone; /cancel too."""
    _province(bot)
    created = await bot.send(ADMIN_ID, "/newtask Việc A | 15/12/2026 | sở")
    await bot.send(ADMIN_ID, "ok")
    await bot.server.wait_until(lambda: buttons(_message(bot, created.message_id)) == [])
    cancelled = await bot.send(ADMIN_ID, "/newtask Việc B | 15/12/2026 | sở")
    await bot.send(ADMIN_ID, "/cancel")
    await bot.server.wait_until(lambda: buttons(_message(bot, cancelled.message_id)) == [])
    assert [t.title for t in _tasks(bot)] == ["Việc A"]


async def test_newtask_one_line_takes_the_deadline_alone_after_an_impossible_date(
    bot: BotUnderTest,
) -> None:
    """After "31/02/2027" is refused, "28/02/2027" alone completes the one-line form."""
    ids = _province(bot)
    refused = await bot.send(ADMIN_ID, "/newtask Báo cáo quý | 31/02/2027 | Tam Xuân | 4824/UBND")
    assert "31/02/2027" in (refused.text or "")
    assert "chỉ hạn" in (refused.text or "")
    confirm = await bot.send(ADMIN_ID, "28/02/2027")  # a Sunday: moves to Monday 01/03
    text = confirm.text or ""
    assert "Xác nhận" in text
    assert "Báo cáo quý" in text
    assert "4824/UBND" in text
    assert "01/03/2027" in text
    assert "Đã giao" in ((await bot.send(ADMIN_ID, "ok")).text or "")
    task = _only_task(bot)
    assert task.deadline == date(2027, 3, 1)
    assert _units_of(bot, task.id or 0) == {ids["X3"]}


async def test_newtask_one_line_asks_again_for_a_deadline_still_wrong(bot: BotUnderTest) -> None:
    """A deadline still wrong is refused again, and the proposed next-year date is a button."""
    _province(bot)
    await bot.send(ADMIN_ID, "/newtask Việc | 31/02/2027 | sở")
    again = await bot.send(ADMIN_ID, "sớm nhất có thể")
    assert "không hiểu" in (again.text or "").lower()
    assert "chỉ hạn" in (again.text or "")
    past = await bot.send(ADMIN_ID, "16/11")
    await bot.press(ADMIN_ID, button_data(past, "16/11/2027"))
    confirm = await bot.server.wait_for_message(
        ADMIN_ID, lambda m: "Xác nhận" in (m.text or ""), after=past.message_id
    )
    assert "16/11/2027" in (confirm.text or "")


async def test_newtask_one_line_takes_the_units_alone_after_an_unknown_unit(
    bot: BotUnderTest,
) -> None:
    """An unknown unit keeps the title and deadline; the unit list alone completes the form."""
    ids = _province(bot)
    refused = await bot.send(ADMIN_ID, "/newtask Việc | 15/12/2026 | Sở Y tế, Xã Không Có")
    assert "Xã Không Có" in (refused.text or "")
    assert "chỉ danh sách đơn vị" in (refused.text or "")
    confirm = await bot.send(ADMIN_ID, "Sở Y tế, Tam Xuân")
    assert "Đơn vị (2)" in (confirm.text or "")
    assert "15/12/2026" in (confirm.text or "")
    await bot.press(ADMIN_ID, button_data(confirm, "Tạo nhiệm vụ"))
    await bot.server.wait_for_message(ADMIN_ID, lambda m: "Đã giao" in (m.text or ""))
    assert _units_of(bot, _only_task(bot).id or 0) == {ids["SYT"], ids["X3"]}


async def test_newtask_one_line_fix_window_closes_after_ten_minutes(bot: BotUnderTest) -> None:
    """Eleven minutes later the date alone is an ordinary message again; nothing is created."""
    _province(bot)
    await bot.send(ADMIN_ID, "/newtask Việc | 31/02/2027 | sở")
    bot.clock.advance(timedelta(minutes=11))
    reply = await bot.send(ADMIN_ID, "28/02/2027")
    assert "Xác nhận" not in (reply.text or "")
    # the bot's usual answer to stray text from an admin who reports for no unit
    assert "không có lựa chọn nào đang chờ" in (reply.text or "")
    assert "Đã giao" not in ((await bot.send(ADMIN_ID, "ok")).text or "")
    assert _tasks(bot) == []


async def test_an_edited_answer_does_not_answer_the_next_step(bot: BotUnderTest) -> None:
    """The title edited while the form asks for the directive is no directive: it was taken
    as the answer to the step asked; now the form waits, and the edit is said not read."""
    _province(bot)
    await bot.send(ADMIN_ID, "/newtask")
    asked = await bot.send(ADMIN_ID, "Kế hoạch CĐS 2027")
    assert "Văn bản" in (asked.text or "")
    title = max(m.message_id for m in bot.server.history(ADMIN_ID) if not m.from_bot)
    after = bot.server.last_message_id(ADMIN_ID)
    bot.server.edit_text(ADMIN_ID, title, "Kế hoạch chuyển đổi số 2027")
    answer = await bot.server.wait_for_message(ADMIN_ID, after=after)
    assert "tin nhắn mới" in (answer.text or "")
    assert "Hạn" in ((await bot.send(ADMIN_ID, "-")).text or "")  # the directive step still


async def _create_with_directive(bot: BotUnderTest, typed: str, created: str) -> None:
    """Confirm a one-line task naming `typed` as its directive (shown as 4824/UBND-KGVX)."""
    line = await bot.send(ADMIN_ID, f"/newtask Việc | 15/12/2026 | Tam Xuân | {typed}")
    assert "Văn bản: 4824/UBND-KGVX\n" in (line.text or "")
    await bot.press(ADMIN_ID, button_data(line, "Tạo nhiệm vụ"))
    await bot.server.wait_for_message(ADMIN_ID, lambda m: created in (m.text or ""))


async def test_newtask_directive_typed_with_its_kind_is_the_known_one(bot: BotUnderTest) -> None:
    """ "CV 4824/UBND-KGVX" and "Công văn số 4824/UBND-KGVX" are 4824/UBND-KGVX: no copy of it."""
    _province(bot)
    with bot.session() as s:
        s.add(Directive(number="4824/UBND-KGVX", number_folded=fold("4824/UBND-KGVX")))
        s.commit()
    for number, typed in enumerate(("CV 4824/UBND-KGVX", "Công văn số 4824/UBND-KGVX"), 1):
        await _create_with_directive(bot, typed, f"#{number}")
    with bot.session() as s:
        [directive] = s.exec(select(Directive)).all()
        assert {t.directive_id for t in s.exec(select(Task))} == {directive.id}


async def test_newtask_title_of_emoji_alone_is_refused_in_words(bot: BotUnderTest) -> None:
    """An emoji-only title is refused, the title asked again, and a real one goes on."""
    _province(bot)
    await bot.send(ADMIN_ID, "/newtask")
    refused = await bot.send(ADMIN_ID, "🔥🔥🔥")
    assert "cần có chữ hoặc số" in (refused.text or "")
    asked = await bot.send(ADMIN_ID, "Báo cáo CĐS")
    assert "văn bản" in (asked.text or "").lower()


async def test_newtask_yearless_january_day_in_december_is_next_year(
    bot: BotUnderTest, clock: ManualClock
) -> None:
    """On 06/12/2026, "/newtask … | 15/01 | …" confirms and creates 15/01/2027, no question."""
    _province(bot)
    clock.set(datetime(2026, 12, 6, 9, 0, tzinfo=VN))
    confirm = await bot.send(ADMIN_ID, "/newtask Báo cáo năm | 15/01 | Tam Xuân")
    assert "Hạn: 15/01/2027" in (confirm.text or "")
    await bot.press(ADMIN_ID, button_data(confirm, "Tạo nhiệm vụ"))
    await bot.server.wait_for_message(ADMIN_ID, lambda m: "#1" in (m.text or ""))
    assert _only_task(bot).deadline == date(2027, 1, 15)


async def test_newtask_again_with_the_same_title_and_deadline_is_pointed_out(
    bot: BotUnderTest,
) -> None:
    """A second "/newtask Báo cáo | 15/12/2026 | …" confirms naming open task #1."""
    _province(bot)
    first = await bot.send(ADMIN_ID, "/newtask Báo cáo CĐS | 15/12/2026 | Tam Xuân")
    assert "Đã có nhiệm vụ" not in (first.text or "")
    await bot.press(ADMIN_ID, button_data(first, "Tạo nhiệm vụ"))
    await bot.server.wait_for_message(ADMIN_ID, lambda m: "#1" in (m.text or ""))
    again = await bot.send(ADMIN_ID, "/newtask BÁO CÁO CĐS | 15/12/2026 | sở")
    assert "Đã có nhiệm vụ #1 cùng tên, cùng hạn, đang mở (1 đơn vị)" in (again.text or "")


async def test_words_from_an_admin_of_no_unit_say_nothing_waits_not_how_to_report(
    bot: BotUnderTest,
) -> None:
    """ "ok" typed by an admin who reports for no unit (after a form's button, say) is told
    that no choice waits and where the commands are, not how to answer a reminder."""
    said = (await bot.send(ADMIN_ID, "ok")).text or ""
    assert "không có lựa chọn nào đang chờ" in said, said
    assert "nhắc việc" not in said


async def _next_page(bot: BotUnderTest, listing: ChatMessage) -> ChatMessage:
    """Press "Next" under a list; return the list once edited in place to the next page."""
    before = listing.text
    await bot.press(ADMIN_ID, button_data(listing, "Sau"), listing.message_id)
    await bot.server.wait_until(lambda: _latest(bot).text != before)
    return _latest(bot)


async def test_newtask_offers_more_groups_than_a_keyboard_holds_a_page_at_a_time(
    bot: BotUnderTest,
) -> None:
    """A province of 130 named groups: "By group" offers them a page at a time (Telegram
    refuses a keyboard of over 100 buttons), and one on the last page can be chosen."""
    with bot.session() as s:
        for n in range(130):
            make_unit(s, f"N{n:03d}", f"Xã Nhóm {n:03d}", groups=[f"Nhóm thí điểm {n:03d}"])
    await bot.send(ADMIN_ID, "/newtask")
    await bot.send(ADMIN_ID, "Kế hoạch CĐS 2027")
    await bot.send(ADMIN_ID, "4824/UBND-KGVX | 15/11/2026 | UBND tỉnh | Về chuyển đổi số")
    await bot.send(ADMIN_ID, "15/12/2026")
    menu = await bot.server.wait_for_message(ADMIN_ID, lambda m: "Bước 4/5" in (m.text or ""))

    await bot.press(ADMIN_ID, button_data(menu, "Theo nhóm"))
    listing = await bot.server.wait_for_message(ADMIN_ID, lambda m: "Chọn nhóm" in (m.text or ""))
    assert len(buttons(listing)) <= 100
    while "Nhóm thí điểm 129" not in str(buttons(listing)):
        listing = await _next_page(bot, listing)
        assert len(buttons(listing)) <= 100
    await bot.press(ADMIN_ID, button_data(listing, "Nhóm thí điểm 129"))

    await bot.server.wait_for_message(ADMIN_ID, lambda m: "thí điểm 129 (1)" in (m.text or ""))
