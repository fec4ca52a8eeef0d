"""Units in chat: the list, adding, editing, deactivating, and who may do it."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import event
from sqlmodel import select

from app.signing import sign
from db.models import Assignment, AuditLog, Outbox, Unit
from db.queries.taskcounts import drift, stored_counts
from devtools.fakebotapi import ChatMessage
from tests.factories import VN, identity, make_contact, make_task, make_unit
from tests.harness import ADMIN_ID, BotUnderTest, button_data, buttons


def attach(bot: BotUnderTest, user_id: int, message: ChatMessage, data: str) -> None:
    """Put a button with this data on a bot message the user can press."""
    bot.server.state.chats[user_id].messages[message.message_id].reply_markup = {
        "inline_keyboard": [[{"text": "x", "callback_data": data}]]
    }


def unit(bot: BotUnderTest, code: str) -> Unit:
    """Return the unit with this code."""
    with bot.session() as s:
        return s.exec(select(Unit).where(Unit.code == code)).one()


async def test_units_are_grouped_by_kind_with_contacts_and_flags(bot: BotUnderTest) -> None:
    """Each kind has a heading; a unit nobody can be reached at is flagged."""
    with bot.session() as s:
        health = make_unit(s, "SYT", "Sở Y tế", kind="department")
        silent = make_unit(s, "X1", "Xã Tam Xuân")
        make_unit(s, "X2", "Xã Tam Anh")
        make_contact(s, 4001, units=[health])
        make_contact(s, 4002, units=[silent], reachable=False)
    text = (await bot.send(ADMIN_ID, "/units")).text or ""
    assert (
        text.index("Sở, ban, ngành")
        < text.index("Sở Y tế")
        < text.index("Xã")
        < text.index("Xã Tam Anh")
    )
    assert "SYT Sở Y tế: 1 liên hệ" in text
    assert "⚠️ X1 Xã Tam Xuân: 1 liên hệ, không liên lạc được" in text
    assert "⚠️ X2 Xã Tam Anh: chưa có liên hệ" in text
    assert "chưa liên lạc được: 2" in text


async def test_units_and_the_card_flag_a_contact_whose_zalo_is_unreadable(
    bot: BotUnderTest,
) -> None:
    """Hoa writes on a Zalo account Zalo protects (her messages unreadable since 02/12):
    /units flags her commune, and its card her, as /contacts does; they said nothing of it."""
    with bot.session() as s:
        tam = make_unit(s, "X1", "Xã Tam Xuân")
        make_contact(s, 0, units=[tam], name="Hoa", channel="zalo", external_id="a1b2c3d4")
        make_contact(s, 4001, units=[make_unit(s, "X2", "Xã Tam Anh")])
        identity(s, "a1b2c3d4", "zalo").unreadable_since = datetime(2026, 12, 2, 1, 0, tzinfo=VN)
        s.commit()
    text = (await bot.send(ADMIN_ID, "/units")).text or ""
    assert "⚠️ X1 Xã Tam Xuân: 1 liên hệ, bot không đọc được tin nhắn Zalo của 1 người" in text
    assert "• X2 Xã Tam Anh: 1 liên hệ" in text
    assert "có người bot không đọc được tin nhắn Zalo: 1 (⚠️)" in text
    card = await bot.send(ADMIN_ID, "/editunit X1")
    assert "⚠️ Hoa (đầu mối), bot không đọc được tin nhắn Zalo từ 02/12/2026" in (card.text or "")


async def test_long_unit_list_is_paged_with_buttons(bot: BotUnderTest) -> None:
    """Thirty units take two pages; the next button turns the page in place."""
    with bot.session() as s:
        for n in range(30):
            make_unit(s, f"X{n:02}", f"Xã Số {n:02}")
    first = await bot.send(ADMIN_ID, "/units")
    assert "Trang 1/2" in (first.text or "")
    assert "Xã Số 29" not in (first.text or "")
    await bot.press(ADMIN_ID, button_data(first, "Sau"), first.message_id)
    await bot.server.wait_until(
        lambda: "Trang 2/2" in (bot.server.messages(ADMIN_ID)[-1].text or "")
    )
    assert "Xã Số 29" in (bot.server.messages(ADMIN_ID)[-1].text or "")


async def test_addunit_in_one_line_adds_and_audits(bot: BotUnderTest) -> None:
    """`/addunit code | name | kind | parent | groups` adds the unit under its parent."""
    with bot.session() as s:
        make_unit(s, "NUITHANH", "Huyện Núi Thành", kind="district")
    reply = await bot.send(
        ADMIN_ID, "/addunit X-TAMXUAN | Xã Tam Xuân 1 | xã | nuithanh | Ven biển; Thí điểm"
    )
    assert "Đã thêm Xã Tam Xuân 1" in (reply.text or "")
    added = unit(bot, "X-TAMXUAN")
    assert added.parent_id == unit(bot, "NUITHANH").id
    with bot.session() as s:
        assert s.exec(select(AuditLog).where(AuditLog.action == "unit.added")).first()


async def test_addunit_refuses_an_unknown_kind_and_an_existing_code(bot: BotUnderTest) -> None:
    """Bad input gets a clear answer and creates nothing."""
    with bot.session() as s:
        make_unit(s, "X1")
    assert "loại đơn vị «làng»" in (
        (await bot.send(ADMIN_ID, "/addunit X9 | A | làng")).text or ""
    )
    assert "Đã có đơn vị mã x1" in ((await bot.send(ADMIN_ID, "/addunit x1 | B | xã")).text or "")
    assert "Cách dùng" in ((await bot.send(ADMIN_ID, "/addunit X9 only")).text or "")
    with bot.session() as s:
        assert len(s.exec(select(Unit)).all()) == 1


async def test_addunit_guided_form_asks_each_field(bot: BotUnderTest) -> None:
    """Without arguments the bot asks code, name, kind, parent and groups, then saves."""
    assert "Mã của đơn vị" in ((await bot.send(ADMIN_ID, "/addunit")).text or "")
    assert "Tên đơn vị" in ((await bot.send(ADMIN_ID, "P-ANHAI")).text or "")
    assert "Loại đơn vị" in ((await bot.send(ADMIN_ID, "Phường An Hải")).text or "")
    # An unknown kind is named, with the kinds there are (it was the question again).
    unknown = (await bot.send(ADMIN_ID, "làng")).text or ""
    assert "Không có loại đơn vị «làng»" in unknown
    assert "Phường" in unknown
    assert "cấp trên" in ((await bot.send(ADMIN_ID, "phuong")).text or "")
    assert "Nhóm" in ((await bot.send(ADMIN_ID, "-")).text or "")
    done = await bot.send(ADMIN_ID, "Phường ven biển")
    assert "Đã thêm Phường An Hải" in (done.text or "")
    assert unit(bot, "P-ANHAI").kind_key == "ward"


async def test_addunit_form_keeps_a_unit_another_admin_added_meanwhile(
    bot: BotUnderTest,
) -> None:
    """The code was free when typed; another admin adds it before the form ends: the form
    is told who stands there and writes nothing over it."""
    with bot.session() as s:
        make_contact(s, 4501, role="admin")
    bot.user(4501)
    await bot.send(ADMIN_ID, "/addunit")
    await bot.send(ADMIN_ID, "X-TAMXUAN")
    await bot.send(4501, "/addunit X-TAMXUAN | Xã Tam Xuân | xã")
    for answer in ("Xã Tam Xuân Một", "phuong", "-"):
        await bot.send(ADMIN_ID, answer)
    done = await bot.send(ADMIN_ID, "Ven biển")
    assert (done.sent_text or "") == (
        "Đơn vị mã X-TAMXUAN vừa được người khác thêm: <b>Xã Tam Xuân</b> (Xã). "
        "Không thay đổi gì; dùng /editunit X-TAMXUAN nếu cần sửa."
    )
    stands = unit(bot, "X-TAMXUAN")
    assert (stands.name, stands.kind_key) == ("Xã Tam Xuân", "commune")


async def test_addunit_form_can_be_cancelled(bot: BotUnderTest) -> None:
    """/cancel ends the form and nothing is saved."""
    await bot.send(ADMIN_ID, "/addunit")
    await bot.send(ADMIN_ID, "X1")
    assert "Đã hủy" in ((await bot.send(ADMIN_ID, "/cancel")).text or "")
    with bot.session() as s:
        assert s.exec(select(Unit)).all() == []


async def test_editunit_by_name_without_diacritics_shows_the_card(bot: BotUnderTest) -> None:
    """`/editunit so y te` finds Sở Y tế and shows its card with actions."""
    with bot.session() as s:
        make_unit(s, "SYT", "Sở Y tế", kind="department")
    card = await bot.send(ADMIN_ID, "/editunit so y te")
    assert "<b>Sở Y tế</b>" in (card.sent_text or "")
    assert {"Ngừng theo dõi", "Tạo lời mời", "Liên hệ"} <= {label for label, _ in buttons(card)}


async def test_editunit_changes_only_the_given_fields(bot: BotUnderTest) -> None:
    """An empty field keeps its value; the new name is saved and audited."""
    with bot.session() as s:
        make_unit(s, "SYT", "Sở Y tế", kind="department", groups=["Khối văn xã"])
    reply = await bot.send(ADMIN_ID, "/editunit SYT | Sở Y tế tỉnh Quảng Nam")
    assert "Đã cập nhật" in (reply.text or "")
    changed = unit(bot, "SYT")
    assert (changed.name, changed.kind_key) == ("Sở Y tế tỉnh Quảng Nam", "department")
    with bot.session() as s:
        assert s.exec(select(AuditLog).where(AuditLog.action == "unit.edited")).first()


async def test_ambiguous_name_lists_units_to_choose_from(bot: BotUnderTest) -> None:
    """`/editunit tam` matches two communes: the bot asks which one with buttons."""
    with bot.session() as s:
        make_unit(s, "X1", "Xã Tam Xuân")
        make_unit(s, "X2", "Xã Tam Anh")
    question = await bot.send(ADMIN_ID, "/editunit tam")
    assert "Có 2 đơn vị khớp" in (question.text or "")
    after = bot.server.last_message_id(ADMIN_ID)
    await bot.press(ADMIN_ID, button_data(question, "Tam Xuân"), question.message_id)
    card = await bot.server.wait_for_message(ADMIN_ID, after=after)
    assert "Xã Tam Xuân" in (card.text or "")


async def test_deactivate_keeps_the_unit_and_its_history(bot: BotUnderTest) -> None:
    """The card's button deactivates; the unit stays, inactive, and can be reactivated."""
    with bot.session() as s:
        make_unit(s, "X1", "Xã Tam Xuân")
    card = await bot.send(ADMIN_ID, "/editunit X1")
    after = bot.server.last_message_id(ADMIN_ID)
    await bot.press(ADMIN_ID, button_data(card, "Ngừng"), card.message_id)
    said = await bot.server.wait_for_message(ADMIN_ID, after=after)
    assert "Đã ngừng theo dõi Xã Tam Xuân" in (said.text or "")
    assert not unit(bot, "X1").active
    assert "Xã Tam Xuân" not in ((await bot.send(ADMIN_ID, "/units")).text or "")
    assert "Kích hoạt lại" in str(buttons(await bot.send(ADMIN_ID, "/editunit X1")))
    with bot.session() as s:
        assert s.exec(select(AuditLog).where(AuditLog.action == "unit.deactivated")).first()


async def test_deactivate_command_by_name(bot: BotUnderTest) -> None:
    """`/deactivate tam xuan` deactivates the one unit it names."""
    with bot.session() as s:
        make_unit(s, "X1", "Xã Tam Xuân")
    reply = await bot.send(ADMIN_ID, "/deactivate tam xuan")
    assert "Đã ngừng theo dõi" in (reply.text or "")
    assert not unit(bot, "X1").active


async def test_a_unit_followed_again_before_its_people_heard_it_was_not_hears_neither(
    bot: BotUnderTest,
) -> None:
    """/deactivate X1 at 19:00 (its contact's notice held for the morning), /activate X1 at
    19:05: the notice is withdrawn and the admin told so."""
    with bot.session() as s:
        x1 = make_unit(s, "X1", "Xã Tam Xuân")
        make_task(s, "Báo cáo quý", date(2026, 12, 10), [x1])
        make_contact(s, 4301, units=[x1], name="Lan")
    bot.clock.set(datetime(2026, 11, 18, 19, 0, tzinfo=VN))
    off = (await bot.send(ADMIN_ID, "/deactivate X1")).text or ""
    assert "Đã báo cho 1 người phụ trách" in off
    bot.clock.set(datetime(2026, 11, 18, 19, 5, tzinfo=VN))
    back = (await bot.send(ADMIN_ID, "/activate X1")).text or ""
    assert "Thông báo ngừng theo dõi đơn vị chưa kịp gửi đến 1 người" in back
    with bot.session() as s:
        notices = s.exec(select(Outbox).where(Outbox.kind == "notice")).all()
    assert [(o.chat_id, o.status) for o in notices] == [("4301", "cancelled")]


async def test_member_trying_an_admin_command_is_refused(bot: BotUnderTest) -> None:
    """A member's /addunit and /invite are refused and change nothing."""
    with bot.session() as s:
        make_contact(s, 4101, units=[make_unit(s, "X1")])
    bot.user(4101)
    for command in ("/addunit X2 | Xã Hai | xã", "/invite X1", "/units", "/contacts"):
        assert "không có quyền" in ((await bot.send(4101, command)).text or "")
    with bot.session() as s:
        assert len(s.exec(select(Unit)).all()) == 1


async def test_coordinator_trying_an_admin_command_is_refused(bot: BotUnderTest) -> None:
    """A coordinator may follow up but not manage units, contacts or invites."""
    with bot.session() as s:
        make_unit(s, "X1")
        make_contact(s, 4201, role="coordinator")
    bot.user(4201)
    for command in ("/invite X1", "/deactivate X1", "/invites"):
        assert "không có quyền" in ((await bot.send(4201, command)).text or "")
    assert unit(bot, "X1").active


async def test_forged_callback_is_refused(bot: BotUnderTest) -> None:
    """A deactivate button signed for the admin, pressed by a member, does nothing."""
    with bot.session() as s:
        target = make_unit(s, "X1")
        make_contact(s, 4301, units=[target])
    bot.user(4301)
    shown = await bot.send(4301, "/start")
    forged = sign(bot.services.button_key, str(ADMIN_ID), "un", "off", target.id)
    attach(bot, 4301, shown, forged)
    assert "không hợp lệ" in await bot.press(4301, forged, shown.message_id)
    own = sign(bot.services.button_key, "4301", "un", "off", target.id)
    attach(bot, 4301, shown, own)
    assert "không có quyền" in await bot.press(4301, own, shown.message_id)
    assert unit(bot, "X1").active


async def test_button_for_a_unit_that_no_longer_exists_is_stale(bot: BotUnderTest) -> None:
    """A genuine button that names a missing unit is answered as out of date."""
    shown = await bot.send(ADMIN_ID, "/units")
    stale = sign(bot.services.button_key, str(ADMIN_ID), "un", "card", 999)
    attach(bot, ADMIN_ID, shown, stale)
    assert "đã cũ" in await bot.press(ADMIN_ID, stale, shown.message_id)


async def test_units_list_reads_no_unit_objects(bot: BotUnderTest) -> None:
    """/units counts and sorts every unit from its columns: no unit is made as an object.

    A country has over ten thousand units; making each an object to show 25 held the bot's
    GIL for half a second a page, and taps waited (p99 310 ms in bench.heavy --more).
    """
    with bot.session() as s:
        for n in range(30):
            make_unit(s, f"X{n:02d}", f"Xã Thử {n:02d}")
    loaded: list[Unit] = []

    def count(target: Unit, _context: object) -> None:
        loaded.append(target)

    event.listen(Unit, "load", count)
    try:
        text = (await bot.send(ADMIN_ID, "/units")).text or ""
    finally:
        event.remove(Unit, "load", count)
    assert "Xã Thử 00" in text
    assert "Xã Thử 24" in text
    assert "Trang 1/2" in text
    assert loaded == []


async def test_addunit_refuses_a_twin_name_and_says_why_a_long_name_is_refused(
    bot: BotUnderTest,
) -> None:
    """ "Xã An Hoà" when Xã An Hòa (X1) is there is refused naming X1; a name past 200
    characters in the guided form is refused saying so, and the name asked again."""
    with bot.session() as s:
        make_unit(s, "X1", "Xã An Hòa")
    twin = await bot.send(ADMIN_ID, "/addunit X2 | XÃ AN HOÀ | xã")
    assert "Chưa lưu" in (twin.text or "")
    assert "/editunit X1" in (twin.text or "")
    await bot.send(ADMIN_ID, "/addunit")
    await bot.send(ADMIN_ID, "X3")
    long_name = await bot.send(ADMIN_ID, "Xã " + "A" * 230)
    assert "Tên đơn vị quá dài (233 ký tự; tối đa 200)" in (long_name.text or "")
    assert "Loại đơn vị" in ((await bot.send(ADMIN_ID, "Xã Tam Xuân")).text or "")
    with bot.session() as s:
        assert s.exec(select(Unit.code)).all() == ["X1"]


async def test_invite_for_a_deactivated_unit_names_it_with_activate(bot: BotUnderTest) -> None:
    """ "/invite X9" of a deactivated unit says it is no longer followed and how to follow
    it again, not that there is no such unit; /activate X9 does it."""
    with bot.session() as s:
        old = make_unit(s, "X9", "Xã Cũ")
        old.active = False
        s.add(old)
        s.commit()
    said = (await bot.send(ADMIN_ID, "/invite X9")).text or ""
    assert "Xã Cũ (X9), đơn vị đã ngừng theo dõi" in said
    assert "/activate X9" in said
    # /activate, which the answer names, is a command on Telegram too
    assert "Đã kích hoạt lại Xã Cũ" in ((await bot.send(ADMIN_ID, "/activate X9")).text or "")
    assert "đang được theo dõi" in ((await bot.send(ADMIN_ID, "/activate X9")).text or "")
    assert "Cách dùng: /activate" in ((await bot.send(ADMIN_ID, "/activate")).text or "")
    assert unit(bot, "X9").active


async def test_deactivate_takes_the_unit_off_open_tasks_so_counts_agree(bot: BotUnderTest) -> None:
    """The card's button on a commune overdue on an open task: it leaves the task (row kept,
    audited), the summary, the ranking and the stored counts stop counting it overdue."""
    with bot.session() as s:
        merged, kept = make_unit(s, "X1", "Xã Tam Xuân"), make_unit(s, "X2", "Xã Tam Anh")
        task_id = make_task(s, "Kế hoạch CĐS", date(2026, 11, 10), [merged, kept]).id or 0
    before = (await bot.send(ADMIN_ID, f"/summary #{task_id}")).text or ""
    assert "Xã Tam Xuân" in before
    assert "Xã Tam Xuân" in ((await bot.send(ADMIN_ID, "/ranking")).text or "")
    card = await bot.send(ADMIN_ID, "/editunit X1")
    after = bot.server.last_message_id(ADMIN_ID)
    await bot.press(ADMIN_ID, button_data(card, "Ngừng"), card.message_id)
    said = (await bot.server.wait_for_message(ADMIN_ID, after=after)).text or ""
    assert f"Đã bớt đơn vị khỏi 1 nhiệm vụ đang mở (#{task_id})" in said
    assert "Không còn đơn vị nào" not in said
    summary = (await bot.send(ADMIN_ID, f"/summary #{task_id}")).text or ""
    assert "Xã Tam Xuân" not in summary
    assert "Xã Tam Anh" in summary
    ranked = (await bot.send(ADMIN_ID, "/ranking")).text or ""
    assert "Xã Tam Xuân" not in ranked
    assert "Xã Tam Anh" in ranked
    with bot.session() as s:
        assert drift(s) == []
        [counts] = stored_counts(s, now=bot.clock.now(), tasks=[task_id]).values()
        assert (counts.overdue, counts.no_report) == (1, 1)  # Xã Tam Anh alone
        rows = s.exec(select(Assignment.active).where(Assignment.task_id == task_id)).all()
        assert sorted(rows) == [False, True]
    again = (await bot.send(ADMIN_ID, "/activate X1")).text or ""
    assert "không tự giao lại" in again


async def test_units_with_words_lists_the_units_they_fit(bot: BotUnderTest) -> None:
    """`/units tam` lists the units whose name, code or kind has a word beginning "tam"
    (it listed every unit whatever was typed); words that fit none say so and how to list
    them all; `/units 2` is still page 2."""
    with bot.session() as s:
        make_unit(s, "SYT", "Sở Y tế", kind="department")
        make_unit(s, "X1", "Xã Tam Xuân")
        make_unit(s, "X2", "Xã Tam Anh")
        make_unit(s, "X3", "Xã Thanh Tâm")
    found = await bot.send(ADMIN_ID, "/units tam")
    text = found.text or ""
    assert "Đơn vị khớp «tam»: 3" in text
    assert "Xã Tam Xuân" in text
    assert "Xã Thanh Tâm" in text
    assert "Sở Y tế" not in text
    assert buttons(found) == []
    assert "Sở Y tế" in ((await bot.send(ADMIN_ID, "/units so")).text or "")  # the kind's word
    none = (await bot.send(ADMIN_ID, "/units xyz")).text or ""
    assert "Không có đơn vị nào khớp «xyz»" in none
    assert "/units" in none
    assert "Sở Y tế" in ((await bot.send(ADMIN_ID, "/units 2")).text or "")
