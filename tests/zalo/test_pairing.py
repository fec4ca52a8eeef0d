"""Pairing on Zalo: an admin's /invite gives a code; the official sends it and is registered."""

from __future__ import annotations

from sqlmodel import select

from db.models import Contact, UnitContact
from tests.factories import make_unit
from tests.zalo.conftest import ZALO_ADMIN, ZaloBot

HOA, LAN = "7f3a9c0e51d24b8e", "0c9d2e7a6b514f33"


def code_of(answer: str) -> str:
    """Return the pairing code an /invite answer shows (the word after `/start`)."""
    return answer.split("/start ", 1)[1].split()[0]


async def test_an_official_pairs_with_start_and_the_code(zbot: ZaloBot) -> None:
    """A Zalo admin's /invite shows a code; /start <code> registers Hoa, greeted by unit."""
    with zbot.session() as s:
        make_unit(s, "XA", "Xã Điện Bàn Tây")
    zbot.zalo.add_user(HOA, "Hoa")
    [invite] = await zbot.say(ZALO_ADMIN, "/invite XA")
    assert "Xã Điện Bàn Tây" in invite
    assert "Trên Zalo" in invite
    [welcome] = await zbot.say(HOA, f"/start {code_of(invite)}")
    assert "Chào mừng Hoa" in welcome
    assert "Xã Điện Bàn Tây" in welcome
    with zbot.session() as s:
        hoa = s.exec(select(Contact).where(Contact.external_id == HOA)).one()
        links = s.exec(select(UnitContact).where(UnitContact.contact_id == hoa.id)).all()
    assert (hoa.channel, hoa.chat_id, len(links)) == ("zalo", HOA, 1)
    notice = await zbot.zalo.wait_for_messages(ZALO_ADMIN, after=1)
    assert "Hoa" in notice[0].text


async def test_the_code_alone_pairs_and_a_used_code_is_refused(zbot: ZaloBot) -> None:
    """Sending just the code works; the same code again, from someone else, is refused."""
    with zbot.session() as s:
        make_unit(s, "XB", "Xã B")
    [invite] = await zbot.say(ZALO_ADMIN, "/invite XB")
    code = code_of(invite)
    [welcome] = await zbot.say(HOA, code)
    assert "Xã B" in welcome
    [refused] = await zbot.say(LAN, f"/start {code}")
    assert "không dùng được" in refused
    with zbot.session() as s:
        assert s.exec(select(Contact).where(Contact.external_id == LAN)).first() is None


async def test_a_stranger_is_told_how_to_join_and_cannot_invite(zbot: ZaloBot) -> None:
    """Someone unknown gets how to join on Zalo; a member's /invite is refused."""
    [hello] = await zbot.say(LAN, "xin chào")
    assert "mã mời" in hello
    with zbot.session() as s:
        make_unit(s, "XC", "Xã C")
    [invite] = await zbot.say(ZALO_ADMIN, "/invite XC")
    await zbot.say(HOA, code_of(invite))
    [refused] = await zbot.say(HOA, "/invite XC")
    assert "không có quyền" in refused
