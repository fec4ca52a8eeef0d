"""Onboarding a province end to end: import its units, invite, register through deep links."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

from sqlmodel import col, select

from bench import hostile_files
from db.models import AuditLog, Invite, InviteFailure, Unit, UnitContact
from db.queries.contacts import find_contact
from devtools.fakebotapi import ChatMessage
from tests.core.test_spreadsheet import UNITS, hostile
from tests.factories import identity, make_contact, make_unit, person
from tests.harness import ADMIN_ID, BotUnderTest, button_data

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
LINK = re.compile(r"https://t\.me/dondoc_test_bot\?start=([A-Za-z0-9_-]+)")


async def send_file(bot: BotUnderTest, user_id: int, content: bytes, name: str) -> ChatMessage:
    """Have a user send a document and return the bot's next message."""
    after = bot.server.last_message_id(user_id)
    bot.server.send_document(user_id, content, name, "text/csv")
    return await bot.server.wait_for_message(user_id, after=after)


async def import_big_file(bot: BotUnderTest, content: bytes, name: str) -> ChatMessage:
    """Have the admin send a file of over 20 rows, apply its preview, return the report."""
    preview = await send_file(bot, ADMIN_ID, content, name)
    assert "Xem trước tệp" in (preview.text or ""), preview.text
    await bot.press(ADMIN_ID, button_data(preview, "Áp dụng"), preview.message_id)
    return await bot.server.wait_for_message(ADMIN_ID, after=preview.message_id)


async def invite_code(bot: BotUnderTest, text: str) -> str:
    """Have the admin run /invite and return the code of the link it answers with."""
    reply = await bot.send(ADMIN_ID, f"/invite {text}")
    match = LINK.search(reply.text or "")
    assert match is not None, reply.text
    return match.group(1)


async def test_admin_onboards_the_sample_province_and_three_users_register(
    bot: BotUnderTest,
) -> None:
    """The 2021 Quảng Nam file imports, and three officials register with their links."""
    content = (EXAMPLES / "units_quang_nam_2021.csv").read_bytes()
    report = await import_big_file(bot, content, "units_quang_nam_2021.csv")
    assert "thêm mới 56" in (report.text or "")
    codes = [
        await invite_code(bot, "so y te"),
        await invite_code(bot, "Thang Binh coordinator leader"),
        await invite_code(bot, "TB-BINHMINH"),
    ]
    for user_id, code in zip((3001, 3002, 3003), codes, strict=True):
        bot.user(user_id, f"Cán bộ {user_id}")
        welcome = await bot.send(user_id, f"/start {code}")
        assert "Chào mừng" in (welcome.text or "")
    assert "Huyện Thăng Bình" in (bot.server.messages(3002)[-1].text or "")
    with bot.session() as s:
        coordinator = person(s, "3002")
        links = s.exec(select(UnitContact)).all()
        actions = {a.action for a in s.exec(select(AuditLog))}
    assert coordinator.role == "coordinator"
    assert {link.function for link in links} == {"focal", "leader"}
    assert len(links) == 3
    assert {"units.imported", "invite.created", "invite.redeemed"} <= actions
    await bot.server.wait_until(
        lambda: bool(bot.server.commands(scope={"type": "chat", "chat_id": 3002}))
    )


async def test_same_file_again_changes_nothing(bot: BotUnderTest) -> None:
    """Sending the province file a second time reports every unit unchanged."""
    content = (EXAMPLES / "units_two_tier_province.csv").read_bytes()
    await import_big_file(bot, content, "province.csv")
    again = await import_big_file(bot, content, "province.csv")
    assert "thêm mới 0, cập nhật 0, không đổi 34" in (again.text or "")


async def test_file_with_bad_rows_reports_row_numbers(bot: BotUnderTest) -> None:
    """A row with an unknown kind is rejected with its row number; the others apply."""
    content = "code,name,kind\nA1,Xã A,xã\nB1,Xã B,làng\n".encode()
    reply = await send_file(bot, ADMIN_ID, content, "bad.csv")
    assert "Dòng 3" in (reply.text or "")
    assert "làng" in (reply.text or "")


async def test_file_that_is_not_a_spreadsheet_changes_nothing(bot: BotUnderTest) -> None:
    """A binary file named .xlsx is refused with a clear answer and nothing applied."""
    after = bot.server.last_message_id(ADMIN_ID)
    bot.server.send_document(ADMIN_ID, b"PK\x03\x04garbage", "units.xlsx", "application/zip")
    reply = await bot.server.wait_for_message(ADMIN_ID, after=after)
    assert "Không đọc được tệp" in (reply.text or "")


async def test_a_table_of_unknown_columns_is_answered_with_the_columns_in_vietnamese(
    bot: BotUnderTest,
) -> None:
    """A list whose header names none of our columns: the answer gives the Vietnamese
    column names of both lists (and the appendix's), and nothing is applied."""
    content = "STT,Họ và tên,Chức vụ\n1,Nguyễn Văn A,Chủ tịch\n".encode()
    reply = await send_file(bot, ADMIN_ID, content, "danh-sach.csv")
    text = reply.text or ""
    assert "tiêu đề, hạn, đơn vị" in text
    assert "mã, tên, loại" in text
    assert "Cơ quan chủ trì" in text
    assert "Không có gì thay đổi" in text
    with bot.session() as s:
        assert s.exec(select(Unit)).all() == []


async def test_xlsx_declaring_a_huge_dimension_imports_its_rows(bot: BotUnderTest) -> None:
    """A small workbook whose sheet claims A1:XFD1048576 imports just the rows it has."""
    reply = await send_file(bot, ADMIN_ID, hostile(UNITS), "units.xlsx")
    assert "thêm mới 2" in (reply.text or "")
    with bot.session() as s:
        assert sorted(u.code for u in s.exec(select(Unit))) == ["X1", "X2"]


async def test_file_over_the_import_limit_is_refused_with_what_to_do(bot: BotUnderTest) -> None:
    """A file larger than IMPORT_MAX_BYTES is refused before download, saying how to split it."""
    bot.configure(import_max_bytes=2 * 2**20)
    content = b"code,name,kind\n" + b"X1,Xa Mot,xa\n" * 250_000  # 3.1 MB
    reply = await send_file(bot, ADMIN_ID, content, "units.csv")
    assert "Tệp quá lớn (3,1 MB; tối đa 2 MB)" in (reply.text or "")
    assert "chia thành nhiều tệp" in (reply.text or "")
    assert bot.server.calls("getFile") == []
    with bot.session() as s:
        assert s.exec(select(Unit)).all() == []


async def test_xlsx_of_a_million_shared_strings_is_refused_saying_what_is_too_large(
    bot: BotUnderTest,
) -> None:
    """A 75 KB workbook that unpacks to 30 MB of shared strings is refused unparsed, with
    the size, the bound and what to do; nothing is applied."""
    content = hostile_files.shared_strings_bomb(1_800_000)
    reply = await send_file(bot, ADMIN_ID, content, "nhiem-vu.xlsx")
    text = reply.text or ""
    assert "Tệp XLSX chứa quá nhiều chữ (29,2 MB sau khi giải nén; tối đa 16 MB)" in text
    assert "chỉ với trang tính cần nhập" in text
    assert "«CSV UTF-8»" in text


async def test_spent_expired_and_unknown_codes_get_the_same_answer(bot: BotUnderTest) -> None:
    """Whether a code was used, has expired or never existed, the answer is the same."""
    with bot.session() as s:
        make_unit(s, "X01", "Xã Tam Xuân")
    spent = await invite_code(bot, "X01")
    expired = await invite_code(bot, "X01")
    bot.user(3101)
    await bot.send(3101, f"/start {spent}")
    with bot.session() as s:
        for invite in s.exec(select(Invite).where(col(Invite.used_at).is_(None))):
            invite.expires_at = bot.clock.now() - timedelta(seconds=1)
            s.add(invite)
        s.commit()
    bot.user(3102)
    answers = [
        (await bot.send(3102, f"/start {code}")).text
        for code in (spent, expired, "A" * 32, "nonsense")
    ]
    assert len(set(answers)) == 1
    assert "không dùng được" in (answers[0] or "")
    with bot.session() as s:
        unit_links = s.exec(select(UnitContact)).all()
        refused = find_contact(s, channel="telegram", external_id="3102")
    assert len(unit_links) == 1
    assert refused is None  # a wrong code does not make a stranger a contact


async def test_repeated_wrong_codes_are_rate_limited(bot: BotUnderTest) -> None:
    """After five wrong codes within an hour, even a valid code must wait."""
    with bot.session() as s:
        make_unit(s, "X02", "Xã Tam Anh")
    good = await invite_code(bot, "X02")
    bot.user(3201)
    for n in range(5):
        await bot.send(3201, f"/start {'B' * 31}{n}")
    refused = await bot.send(3201, f"/start {good}")
    assert "quá nhiều" in (refused.text or "")
    bot.clock.advance(timedelta(hours=1, minutes=1))
    welcome = await bot.send(3201, f"/start {good}")
    assert "Xã Tam Anh" in (welcome.text or "")


async def test_a_person_can_register_for_two_units(bot: BotUnderTest) -> None:
    """An official who covers two communes redeems two invites and belongs to both."""
    with bot.session() as s:
        make_unit(s, "X03", "Xã Bình Minh")
        make_unit(s, "X04", "Xã Bình Triều")
    first, second = await invite_code(bot, "X03"), await invite_code(bot, "X04")
    bot.user(3301)
    await bot.send(3301, f"/start {first}")
    await bot.send(3301, f"/start {second}")
    whoami = await bot.send(3301, "/whoami")
    assert "Xã Bình Minh" in (whoami.text or "")
    assert "Xã Bình Triều" in (whoami.text or "")


async def test_invite_by_name_without_diacritics(bot: BotUnderTest) -> None:
    """`/invite so y te` finds Sở Y tế."""
    with bot.session() as s:
        make_unit(s, "SYT", "Sở Y tế", kind="department")
    reply = await bot.send(ADMIN_ID, "/invite so y te leader")
    assert "Sở Y tế" in (reply.text or "")
    assert "lãnh đạo phụ trách" in (reply.text or "")


async def test_invite_with_a_word_that_is_no_role_names_the_word_and_makes_nothing(
    bot: BotUnderTest,
) -> None:
    """`/invite SYT boss`: "boss" is no role; the bot says so with the roles there are (it
    said there was no unit «SYT boss»), makes no invite, and in English too."""
    with bot.session() as s:
        make_unit(s, "SYT", "Sở Y tế", kind="department")
    reply = (await bot.send(ADMIN_ID, "/invite SYT boss lãnh đạo")).text or ""
    assert "«boss» không phải vai trò" in reply
    assert "điều phối viên" in reply
    assert "/invite SYT điều phối viên" in reply
    await bot.send(ADMIN_ID, "/lang en")
    english = (await bot.send(ADMIN_ID, "/invite so y te chief")).text or ""
    assert "chief" in english
    assert "Roles: member, coordinator, admin" in english
    with bot.session() as s:
        assert s.exec(select(Invite)).all() == []


async def test_ambiguous_unit_name_offers_buttons(bot: BotUnderTest) -> None:
    """`/invite binh` matches two communes: the bot asks which, and the button creates it."""
    with bot.session() as s:
        make_unit(s, "X05", "Xã Bình Minh")
        make_unit(s, "X06", "Xã Bình Triều")
    question = await bot.send(ADMIN_ID, "/invite binh")
    assert "2 đơn vị" in (question.text or "")
    labels = [label for label, _ in _buttons(question)]
    assert labels == ["Xã Bình Minh (X05)", "Xã Bình Triều (X06)"]
    after = bot.server.last_message_id(ADMIN_ID)
    await bot.press(ADMIN_ID, _buttons(question)[1][1], question.message_id)
    created = await bot.server.wait_for_message(ADMIN_ID, after=after)
    assert "Xã Bình Triều" in (created.text or "")


async def test_invites_sheet_lists_units_without_contact(bot: BotUnderTest) -> None:
    """/invites sends an XLSX with one link per unit that has no contact yet, expiry a date."""
    from openpyxl import load_workbook

    with bot.session() as s:
        covered = make_unit(s, "X07", "Xã Có Người")
        make_unit(s, "X08", "Xã Chưa Có")
        make_contact(s, 3401, units=[covered])
    sheet = await bot.send(ADMIN_ID, "/invites", match=lambda m: m.document is not None)
    assert sheet.document is not None
    import io

    content = bot.server.file_content(sheet.document["file_id"])
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["Lời mời"]
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == ["X08"]
    assert LINK.match(str(rows[1][5]))
    assert rows[1][7] == datetime(2026, 12, 2, 9, 0)  # INVITE_TTL_DAYS (14) after 09:00 18/11
    assert book.worksheets[0]["H2"].number_format == "HH:MM DD/MM/YYYY"


async def test_invites_sheet_is_readable_on_screen_and_in_print(bot: BotUnderTest) -> None:
    """Every column of the sheet is as wide as its texts (the last rows' too, not only the
    first 200's), a text past the widest column is wrapped (a unit's long name and a link
    were cut off at the next cell's edge on screen and in print), and it prints landscape,
    one page wide, its header on every page."""
    import io

    from openpyxl import load_workbook

    long_name = "Xã Yên Bình thuộc huyện " + "rất dài " * 15
    with bot.session() as s:
        for n in range(210):
            make_unit(s, f"X{n:03d}", f"Xã {n:03d}")
        make_unit(s, "YB", long_name.strip())
    sheet = await bot.send(ADMIN_ID, "/invites", match=lambda m: m.document is not None)
    assert sheet.document is not None
    book = load_workbook(io.BytesIO(bot.server.file_content(sheet.document["file_id"])))
    table = book.worksheets[0]
    rows = list(table.iter_rows(min_row=2))
    assert rows[-1][1].value == long_name.strip()  # past the first 200 rows
    for cell in (c for row in rows for c in row if isinstance(c.value, str)):
        width = table.column_dimensions[cell.column_letter].width
        assert width >= 10, cell.coordinate
        if len(str(cell.value)) > width:
            assert cell.alignment.wrap_text, cell.coordinate
    assert rows[-1][1].alignment.wrap_text
    assert table.column_dimensions["F"].width >= len(str(rows[0][5].value))  # the link
    assert table.page_setup.orientation == "landscape"
    assert (table.page_setup.fitToWidth, table.page_setup.fitToHeight) == (1, 0)
    fit = table.sheet_properties.pageSetUpPr
    assert fit is not None
    assert fit.fitToPage
    assert table.print_title_rows == "$1:$1"


async def test_invites_sheet_takes_a_unit_name_with_a_control_character(
    bot: BotUnderTest,
) -> None:
    """A unit's name holding a control character (Word's line break, a stray \\x01) makes a
    sheet: the character left out (the line break kept as one), not an error."""
    import io

    from openpyxl import load_workbook

    with bot.session() as s:
        make_unit(s, "X09", "Xã\x01 Tam\x0bXuân")
    sheet = await bot.send(ADMIN_ID, "/invites", match=lambda m: m.document is not None)
    assert sheet.document is not None
    content = bot.server.file_content(sheet.document["file_id"])
    rows = list(load_workbook(io.BytesIO(content)).worksheets[0].iter_rows(values_only=True))
    assert [r[1] for r in rows[1:]] == ["Xã Tam\nXuân"]


def _buttons(message: ChatMessage) -> list[tuple[str, str]]:
    """Return the buttons of a message."""
    from tests.harness import buttons

    return buttons(message)


async def test_stranger_becomes_a_contact_by_redeeming_an_invite(bot: BotUnderTest) -> None:
    """A stranger who wrote before has a contact row, with their private chat, once registered."""
    with bot.session() as s:
        make_unit(s, "X09", "Xã Tam Hiệp")
    code = await invite_code(bot, "X09")
    bot.user(3601, "Phương")
    await bot.send(3601, "xin chào")
    welcome = await bot.send(3601, f"/start {code}")
    assert "Xã Tam Hiệp" in (welcome.text or "")
    with bot.session() as s:
        contact = person(s, "3601")
        chat = identity(s, "3601")
    assert (chat.chat_id, contact.display_name, chat.started) == ("3601", "Phương", True)


async def test_a_stranger_who_pastes_the_code_alone_is_registered(bot: BotUnderTest) -> None:
    """The code came by SMS or on the invite sheet: pasted without /start, after a greeting
    (a stranger's second text within the minute), it registers them all the same."""
    with bot.session() as s:
        make_unit(s, "X10", "Xã Tam Hòa")
    code = await invite_code(bot, "X10")
    bot.user(3602, "Quân")
    assert "liên kết mời" in ((await bot.send(3602, "xin chào")).text or "")
    welcome = await bot.send(3602, f"  {code} ")
    assert "Xã Tam Hòa" in (welcome.text or "")
    with bot.session() as s:
        assert person(s, "3602").display_name == "Quân"


async def test_a_code_split_where_its_message_wrapped_registers_once(bot: BotUnderTest) -> None:
    """The code copied from a message that wrapped arrives in two pieces: it registers (it
    was refused); used once, the same pieces are refused as a used code is."""
    with bot.session() as s:
        make_unit(s, "X14", "Xã Tam Xuân")
    code = await invite_code(bot, "X14")
    bot.user(3607, "Nhi")
    bot.user(3608, "Oanh")
    welcome = await bot.send(3607, f"{code[:14]} {code[14:]}")
    assert "Xã Tam Xuân" in (welcome.text or "")
    again = await bot.send(3608, f"/start {code[:14]}\n{code[14:]}")
    assert "Xã Tam Xuân" not in (again.text or "")
    assert "không dùng được" in (again.text or "")


async def test_a_stranger_who_pastes_the_whole_invite_link_is_registered(
    bot: BotUnderTest,
) -> None:
    """The invite link pasted as text (not opened) registers too, typed full-width or not."""
    with bot.session() as s:
        make_unit(s, "X11", "Xã Tam Ngọc")
        make_unit(s, "X12", "Xã Tam Thăng")
    first, second = await invite_code(bot, "X11"), await invite_code(bot, "X12")
    bot.user(3603, "Hà")
    bot.user(3604, "Vy")
    pasted = await bot.send(3603, f"https://t.me/dondoc_test_bot?start={first}")
    full_width = "".join(chr(ord(c) + 0xFEE0) if c.isalnum() else c for c in second)
    typed = await bot.send(3604, full_width)
    assert "Xã Tam Ngọc" in (pasted.text or "")
    assert "Xã Tam Thăng" in (typed.text or "")


async def test_a_code_typed_after_start_with_its_quotes_and_full_stop_registers(
    bot: BotUnderTest,
) -> None:
    """ "/start «CODE»." copied from the admin's message with what was around it registers."""
    with bot.session() as s:
        make_unit(s, "X13", "Xã Tam Phú")
    code = await invite_code(bot, "X13")
    bot.user(3606, "Tâm")
    welcome = await bot.send(3606, f"/start «{code}».")
    assert "Xã Tam Phú" in (welcome.text or "")


async def test_a_strangers_word_that_is_no_code_still_learns_how_to_join(
    bot: BotUnderTest,
) -> None:
    """Two words, or a long word of other characters, are no code: the joining hint."""
    bot.user(3605)
    reply = await bot.send(3605, "baocao_tien_do_thang_mot_2026 xong")
    assert "liên kết mời" in (reply.text or "")


async def test_stranger_learns_how_to_join(bot: BotUnderTest) -> None:
    """A stranger typing /whoami is told they are not registered and how to get an invite."""
    bot.user(3501)
    reply = await bot.send(3501, "/whoami")
    assert "chưa được đăng ký" in (reply.text or "")
    assert "3501" in (reply.text or "")


async def test_unit_import_by_member_is_not_taken(bot: BotUnderTest) -> None:
    """A member's spreadsheet is not imported (it goes on to the other flows)."""
    with bot.session() as s:
        make_contact(s, 3601, units=[make_unit(s, "X09")])
    bot.user(3601)
    content = "code,name,kind\nZ1,Xã Z,xã\n".encode()
    await send_file(bot, 3601, content, "units.csv")
    with bot.session() as s:
        assert s.exec(select(Unit).where(Unit.code == "Z1")).first() is None


async def test_invites_all_as_csv_covers_every_unit(bot: BotUnderTest) -> None:
    """`/invites all csv` sends a CSV with a link for every active unit."""
    with bot.session() as s:
        covered = make_unit(s, "X10", "Xã Mười")
        make_unit(s, "X11", "Xã Mười Một")
        make_contact(s, 3701, units=[covered])
    sheet = await bot.send(ADMIN_ID, "/invites all csv", match=lambda m: m.document is not None)
    assert sheet.document is not None
    assert sheet.document["file_name"].endswith(".csv")
    text = bot.server.file_content(sheet.document["file_id"]).decode("utf-8-sig")
    assert "X10" in text
    assert "X11" in text


async def test_invites_revoke_unit_makes_its_open_links_answer_like_expired(
    bot: BotUnderTest,
) -> None:
    """Revoking a unit's invites stops its unused links at once; a used one stays as it was."""
    with bot.session() as s:
        make_unit(s, "SYT", "Sở Y tế", kind="department")
    used, first, second = [await invite_code(bot, "SYT") for _ in range(3)]
    bot.user(3001, "Cán bộ 3001")
    assert "Chào mừng" in ((await bot.send(3001, f"/start {used}")).text or "")
    reply = await bot.send(ADMIN_ID, "/invites revoke so y te")
    assert "Đã thu hồi 2 lời mời" in (reply.text or "")
    for user_id, code in ((3002, first), (3003, second)):
        bot.user(user_id, f"Cán bộ {user_id}")
        refused = await bot.send(user_id, f"/start {code}")
        assert "không dùng được" in (refused.text or "")
    with bot.session() as s:
        linked = {c for c in s.exec(select(UnitContact.contact_id))}
        actions = [a.action for a in s.exec(select(AuditLog))]
    assert len(linked) == 1
    assert actions.count("invite.revoked") == 2


async def test_invites_revoke_code_stops_only_that_link(bot: BotUnderTest) -> None:
    """Revoking by code (or by the link itself) stops that invite and no other."""
    with bot.session() as s:
        make_unit(s, "SYT", "Sở Y tế", kind="department")
    revoked, kept = await invite_code(bot, "SYT"), await invite_code(bot, "SYT")
    link = f"https://t.me/dondoc_test_bot?start={revoked}"
    reply = await bot.send(ADMIN_ID, f"/invites revoke {link}")
    assert "Đã thu hồi lời mời này của Sở Y tế" in (reply.text or "")
    again = await bot.send(ADMIN_ID, f"/invites revoke {revoked}")
    assert "không có gì để thu hồi" in (again.text or "")
    bot.user(3001, "Cán bộ 3001")
    assert "không dùng được" in ((await bot.send(3001, f"/start {revoked}")).text or "")
    assert "Chào mừng" in ((await bot.send(3001, f"/start {kept}")).text or "")


async def test_invites_sheet_writes_formula_like_names_as_text(bot: BotUnderTest) -> None:
    """A unit named like a formula is plain text in the XLSX and quoted in the CSV."""
    import io

    from openpyxl import load_workbook

    with bot.session() as s:
        make_unit(s, "X12", "=1+1")
        make_unit(s, "X13", "@SUM(A1:A2)")
    sheet = await bot.send(ADMIN_ID, "/invites", match=lambda m: m.document is not None)
    assert sheet.document is not None
    book = load_workbook(io.BytesIO(bot.server.file_content(sheet.document["file_id"])))
    names = {row[1].value: row[1].data_type for row in book.worksheets[0].iter_rows(min_row=2)}
    assert names == {"=1+1": "s", "@SUM(A1:A2)": "s"}
    sheet = await bot.send(ADMIN_ID, "/invites all csv", match=lambda m: m.document is not None)
    assert sheet.document is not None
    text = bot.server.file_content(sheet.document["file_id"]).decode("utf-8-sig")
    assert ",'=1+1," in text
    assert ",'@SUM(A1:A2)," in text

    assert ",09:00 02/12/2026,/start " in text  # the expiry, then the Zalo column


async def test_the_admin_who_made_an_invite_is_told_when_it_is_used(bot: BotUnderTest) -> None:
    """When Mai registers with the link, the admin who made it gets "Mai đã đăng ký cho …"."""
    with bot.session() as s:
        make_unit(s, "X01", "Xã Điện Hòa")
        make_contact(s, 3201, role="admin", name="Quản trị khác")
    code = await invite_code(bot, "X01")
    bot.user(3301, "Mai")
    await bot.send(3301, f"/start {code}")
    notice = await bot.server.wait_for_message(ADMIN_ID, lambda m: "đã đăng ký" in (m.text or ""))
    assert notice.text == "Mai đã đăng ký cho Xã Điện Hòa (đầu mối)."
    assert bot.server.messages(3201) == []


async def test_an_invite_link_tapped_again_by_its_user_says_they_are_registered(
    bot: BotUnderTest,
) -> None:
    """The official who joined with a link taps it again: told they are the focal point of
    the unit already, not sent to the admin for a new link; no wrong try counted."""
    with bot.session() as s:
        make_unit(s, "X01", "Xã Tam Xuân")
    code = await invite_code(bot, "X01")
    bot.user(3103)
    await bot.send(3103, f"/start {code}")
    again = (await bot.send(3103, f"/start {code}")).text or ""
    assert "đã dùng lời mời này rồi" in again
    assert "Xã Tam Xuân" in again
    assert "liên kết mới" not in again
    with bot.session() as s:
        assert s.exec(select(InviteFailure)).first() is None


async def test_revoking_a_used_link_names_who_used_it(bot: BotUnderTest) -> None:
    """/invites revoke <used link> names its user and /contacts, the way to undo it."""
    with bot.session() as s:
        make_unit(s, "SYT", "Sở Y tế", kind="department")
    used = await invite_code(bot, "SYT")
    bot.user(3004, "Cán bộ 3004")
    await bot.send(3004, f"/start {used}")
    reply = (await bot.send(ADMIN_ID, f"/invites revoke {used}")).text or ""
    assert "đã được Cán bộ 3004 dùng ngày 18/11/2026" in reply
    assert "/contacts" in reply
