"""A new unit's code on Zalo: what would keep it from being named in a list."""

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
