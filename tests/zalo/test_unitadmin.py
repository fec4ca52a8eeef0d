"""Deactivating a unit on Zalo, typed as on Telegram: /deactivate <unit code or name>;
audited, a name fitting several units answered by number."""

from __future__ import annotations

from sqlmodel import col, select

from db.models import AuditLog, Unit
from tests.factories import make_contact, make_unit
from tests.zalo.conftest import ZALO_ADMIN, ZaloBot

HOA = "7f3a9c0e51d24b8e"


def province(zbot: ZaloBot) -> None:
    """Communes X01 Xã An Hòa, X02 Xã An Phú, X03 Xã Cẩm Phô; Hoa a member of X01 on Zalo."""
    with zbot.session() as s:
        first = make_unit(s, "X01", "Xã An Hòa")
        make_unit(s, "X02", "Xã An Phú")
        make_unit(s, "X03", "Xã Cẩm Phô")
        make_contact(s, 0, units=[first], name="Hoa", channel="zalo", external_id=HOA)
    zbot.zalo.add_user(HOA, "Hoa", wrote=True)


def active(zbot: ZaloBot) -> dict[str, bool]:
    """Return whether each unit is active, by code."""
    with zbot.session() as s:
        return {u.code: u.active for u in s.exec(select(Unit))}


def audited(zbot: ZaloBot) -> list[str]:
    """Return the audit actions, oldest first."""
    with zbot.session() as s:
        return [e.action for e in s.exec(select(AuditLog).order_by(col(AuditLog.id)))]


async def test_deactivate_by_code_keeps_the_unit_and_audits(zbot: ZaloBot) -> None:
    """/deactivate X03 stops following that commune only, and the change is audited."""
    province(zbot)
    [answer] = await zbot.say(ZALO_ADMIN, "/deactivate X03")
    assert "Đã ngừng theo dõi Xã Cẩm Phô" in answer
    assert active(zbot) == {"X01": True, "X02": True, "X03": False}
    assert audited(zbot) == ["unit.deactivated"]


async def test_deactivate_without_a_unit_or_with_an_unknown_one_explains(zbot: ZaloBot) -> None:
    """No unit gets the usage; a unit that does not exist is named back; nothing changes."""
    province(zbot)
    [usage] = await zbot.say(ZALO_ADMIN, "/deactivate")
    assert usage.startswith("Cách dùng: /deactivate")
    [unknown] = await zbot.say(ZALO_ADMIN, "/deactivate X99")
    assert "Không tìm thấy đơn vị «X99»" in unknown
    assert all(active(zbot).values())


async def test_a_name_fitting_two_units_is_answered_by_number(zbot: ZaloBot) -> None:
    """ "Xã An" fits two communes: they are offered numbered, and "2" deactivates the second."""
    province(zbot)
    [offer] = await zbot.say(ZALO_ADMIN, "/deactivate Xã An")
    lines = offer.splitlines()
    assert "1 = Xã An Hòa (X01)" in lines
    assert "2 = Xã An Phú (X02)" in lines
    [answer] = await zbot.say(ZALO_ADMIN, "2")
    assert "Đã ngừng theo dõi Xã An Phú" in answer
    assert active(zbot) == {"X01": True, "X02": False, "X03": True}


async def test_a_member_is_refused_deactivate(zbot: ZaloBot) -> None:
    """A unit's member typing /deactivate is refused and the unit stays."""
    province(zbot)
    [answer] = await zbot.say(HOA, "/deactivate X01")
    assert "không có quyền" in answer
    assert all(active(zbot).values())
    assert audited(zbot) == []
