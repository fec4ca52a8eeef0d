"""/scope when groups are unknown or emptied after the scope was set."""

from __future__ import annotations

from tests.factories import make_contact, make_unit
from tests.zalo.conftest import ZALO_ADMIN, ZaloBot

CHI = "0c9d2e7a6b514f33"


def province(zbot: ZaloBot) -> None:
    """Two communes in "Xã thí điểm", one in "Ven biển"; Chi, a coordinator on Zalo."""
    with zbot.session() as s:
        make_unit(s, "X000", "Xã An Hòa", groups=["Xã thí điểm"])
        make_unit(s, "X001", "Xã Bình Minh", groups=["Xã thí điểm"])
        make_unit(s, "X002", "Xã Cẩm Thanh", groups=["Ven biển"])
        make_contact(s, 0, role="coordinator", name="Chi", channel="zalo", external_id=CHI)


async def test_unknown_group_names_the_groups_there_are(zbot: ZaloBot) -> None:
    """A scope naming no group says which groups exist (the /units list shows none)."""
    province(zbot)
    [refused] = await zbot.say(ZALO_ADMIN, "/scope Chi Nhóm lạ")
    assert "Nhóm lạ" in refused
    assert "Ven biển, Xã thí điểm" in refused
    assert "/units" not in refused


async def test_scope_of_a_group_emptied_since_is_flagged(zbot: ZaloBot) -> None:
    """Chi limited to "Xã thí điểm", whose units all leave it: /scope says she follows nothing
    there, which /scope Chi alone did not tell before."""
    province(zbot)
    [limited] = await zbot.say(ZALO_ADMIN, "/scope Chi Xã thí điểm")
    assert "⚠️" not in limited
    await zbot.say(ZALO_ADMIN, "/editunit X000 | | | | -")
    await zbot.say(ZALO_ADMIN, "/editunit X001 | | | | -")
    [shown] = await zbot.say(ZALO_ADMIN, "/scope Chi")
    assert "Chi chỉ theo dõi các nhóm: Xã thí điểm" in shown
    assert "⚠️ Nhóm không còn đơn vị nào đang theo dõi: Xã thí điểm" in shown
