"""A unit's code, name and card on Zalo: what would keep it from being named or reached."""

from __future__ import annotations

from sqlmodel import select

from db.models import Unit
from tests.factories import make_unit
from tests.zalo.conftest import ZALO_ADMIN, ZaloBot


async def test_addunit_code_with_a_comma_is_asked_again(zbot: ZaloBot) -> None:
    """A code "X,05" is refused at the code step (a list would split it) and asked again."""
    [asked] = await zbot.say(ZALO_ADMIN, "/addunit")
    [again] = await zbot.say(ZALO_ADMIN, "X,05")
    assert "dấu phẩy hoặc chấm phẩy" in again
    assert asked.splitlines()[-1] in again  # the same question
    [one_line] = await zbot.say(ZALO_ADMIN, "/addunit X;06 | Xã Phẩy | xã")
    assert "dấu phẩy hoặc chấm phẩy" in one_line
    with zbot.session() as s:
        assert s.exec(select(Unit)).first() is None


async def test_card_of_a_unit_without_contacts_says_the_command_not_a_button(
    zbot: ZaloBot,
) -> None:
    """Zalo shows no buttons: an empty unit's card says to type /invite with its code."""
    with zbot.session() as s:
        make_unit(s, "X000", "Xã An Hòa")
    [card] = await zbot.say(ZALO_ADMIN, "/editunit X000")
    assert "/invite X000" in card
    assert "nút" not in card


async def test_unit_name_of_no_words_is_refused_everywhere(zbot: ZaloBot) -> None:
    """A name of emoji alone is refused in the guided form, in one line and in /editunit."""
    with zbot.session() as s:
        make_unit(s, "X000", "Xã An Hòa")
    await zbot.say(ZALO_ADMIN, "/addunit")
    await zbot.say(ZALO_ADMIN, "X009")
    [again] = await zbot.say(ZALO_ADMIN, "🔥")
    assert "cần có chữ hoặc số" in again
    await zbot.say(ZALO_ADMIN, "huỷ")
    [line] = await zbot.say(ZALO_ADMIN, "/addunit Y1 | 🔥 | xã")
    assert "không có chữ hay số" in line
    [edit] = await zbot.say(ZALO_ADMIN, "/editunit X000 | 🔥")
    assert "không có chữ hay số" in edit
    with zbot.session() as s:
        assert [u.name for u in s.exec(select(Unit))] == ["Xã An Hòa"]


async def test_newtask_naming_a_deactivated_unit_says_so(zbot: ZaloBot) -> None:
    """/newtask naming a deactivated unit says it is no longer followed and how to follow it
    again, not that no such unit exists."""
    with zbot.session() as s:
        make_unit(s, "X001", "Xã An Hải")
    await zbot.say(ZALO_ADMIN, "/deactivate X001")
    [asked] = await zbot.say(ZALO_ADMIN, "/newtask Báo cáo | 15/12/2026 | X001")
    assert "«X001» là Xã An Hải (X001), đơn vị đã ngừng theo dõi: /activate" in asked
    assert "Không tìm thấy" not in asked


async def test_addunit_code_that_is_a_keyword_is_asked_again(zbot: ZaloBot) -> None:
    """A code "tat ca" (everyone in a list of units) is refused at the code step, with why,
    and asked again; so is "xã" on one line."""
    [asked] = await zbot.say(ZALO_ADMIN, "/addunit")
    [again] = await zbot.say(ZALO_ADMIN, "tat ca")
    assert "là một từ khóa khi chọn đơn vị" in again
    assert asked.splitlines()[-1] in again  # the same question
    await zbot.say(ZALO_ADMIN, "/cancel")
    [one_line] = await zbot.say(ZALO_ADMIN, "/addunit xã | Xã Từ Khóa | xã")
    assert "là một từ khóa khi chọn đơn vị" in one_line
    with zbot.session() as s:
        assert s.exec(select(Unit)).first() is None


async def test_addunit_name_typed_as_the_code_is_asked_again(zbot: ZaloBot) -> None:
    """A name ("Xã Tân Lập") at the code step is no code: refused with what a code looks like, an
    example, asked again (it was added, and /units listed the name twice); so on one line."""
    [asked] = await zbot.say(ZALO_ADMIN, "/addunit")
    [again] = await zbot.say(ZALO_ADMIN, "Xã Tân Lập")
    assert "«Xã Tân Lập» không phải là một mã đơn vị" in again, again
    assert "không có dấu cách, ví dụ X-TAMXUAN" in again
    assert asked.splitlines()[-1] in again  # the same question
    await zbot.say(ZALO_ADMIN, "/cancel")
    [one_line] = await zbot.say(ZALO_ADMIN, "/addunit Xã Tân Lập | Xã Tân Lập | xã")
    assert "không phải là một mã đơn vị" in one_line
    with zbot.session() as s:
        assert s.exec(select(Unit)).first() is None
