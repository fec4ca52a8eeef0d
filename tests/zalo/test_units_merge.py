"""Units merged on Zalo: `/mergeunits OLD1, OLD2 | NEW` shows what it would do with numbered
choices; a typed "1" merges, "2" does not, as Telegram's buttons."""

from __future__ import annotations

import threading
from datetime import date
from typing import Any

import pytest
from sqlmodel import select

from app import unit_merge
from app.unit_merge import MergeAsked, merge
from db.models import Assignment, Unit, UnitContact
from handlers.zalo import commands
from tests.factories import VN, make_contact, make_task, make_unit
from tests.zalo.conftest import ZALO_ADMIN, ZaloBot

DUE = date(2026, 12, 18)
HOA = "b1c2d3e4f5a6b7c8"
CHI = "c1d2e3f4a5b6c7d8"


async def test_mergeunits_typed_one_merges_the_units_shown(zbot: ZaloBot) -> None:
    """The plan names what moves and offers 1 (merge) and 2 (cancel); "1" moves An Hòa's
    open task and its contact to Hòa Bình and deactivates An Hòa."""
    with zbot.session() as s:
        an_hoa, hoa_binh = make_unit(s, "XA-AH", "Xã An Hòa"), make_unit(s, "XA-HB", "Xã Hòa Bình")
        hoa = make_contact(s, 0, units=[an_hoa], name="Hoa", channel="zalo", external_id=HOA)
        task = make_task(s, "Kế hoạch chuyển đổi số", DUE, [an_hoa])
        ids = task.id, hoa_binh.id, hoa.id
    [asked] = await zbot.say(ZALO_ADMIN, "/mergeunits XA-AH | XA-HB")
    assert "Gộp Xã An Hòa (XA-AH) vào Xã Hòa Bình (XA-HB)" in asked
    assert "1 = ✅ Gộp" in asked
    assert "2 = Thôi" in asked
    [done] = await zbot.say(ZALO_ADMIN, "1")
    assert "Đã gộp Xã An Hòa (XA-AH) vào Xã Hòa Bình (XA-HB)" in done
    with zbot.session() as s:
        live = s.exec(
            select(Assignment.unit_id).where(
                Assignment.task_id == ids[0],
                Assignment.active == True,  # noqa: E712
            )
        ).all()
        assert live == [ids[1]]
        assert s.exec(
            select(UnitContact.unit_id).where(UnitContact.contact_id == ids[2])
        ).all() == [ids[1]]
        assert not s.get_one(Unit, an_hoa.id).active


async def test_the_typed_one_that_merges_runs_in_zalos_heavy_lane(
    zbot: ZaloBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The "1" that confirms a merge moves every open task of the units merged (a minute for
    200 communes): it runs in Zalo's heavy lane, as /mergeunits does, not in the update pool
    whose threads answer the officials' replies; a "1" typed after anything else does not."""
    with zbot.session() as s:
        make_unit(s, "XA-AH", "Xã An Hòa"), make_unit(s, "XA-HB", "Xã Hòa Bình")
    ran_in: list[str] = []

    def merging(*args: Any, **kwargs: Any) -> MergeAsked:
        ran_in.append(threading.current_thread().name)
        return merge(*args, **kwargs)

    monkeypatch.setattr(unit_merge, "merge", merging)
    await zbot.say(ZALO_ADMIN, "/mergeunits XA-AH | XA-HB")
    [done] = await zbot.say(ZALO_ADMIN, "1")
    assert "Đã gộp Xã An Hòa (XA-AH) vào Xã Hòa Bình (XA-HB)" in done
    assert [name.rsplit("_", 1)[0] for name in ran_in] == ["dondoc-heavy-zalo"]
    assert not commands.is_heavy("1")


async def test_mergeunits_typed_two_changes_nothing(zbot: ZaloBot) -> None:
    """ "2" on the plan leaves the units as they were."""
    with zbot.session() as s:
        make_unit(s, "XA-AH", "Xã An Hòa")
        make_unit(s, "XA-HB", "Xã Hòa Bình")
    await zbot.say(ZALO_ADMIN, "/mergeunits XA-AH | XA-HB")
    [said] = await zbot.say(ZALO_ADMIN, "2")
    assert "Không gộp; không có gì thay đổi." in said
    with zbot.session() as s:
        assert all(s.exec(select(Unit.active)).all())


async def test_mergeunits_refuses_a_deactivated_unit_and_a_coordinator(zbot: ZaloBot) -> None:
    """A deactivated old unit is refused in words, no choices; a coordinator may not merge."""
    with zbot.session() as s:
        make_unit(s, "XA-CU", "Xã Cũ").active = False
        make_unit(s, "XA-HB", "Xã Hòa Bình")
        make_contact(s, 0, role="coordinator", name="Chi", channel="zalo", external_id=CHI)
        s.commit()
    [refused] = await zbot.say(ZALO_ADMIN, "/mergeunits XA-CU | XA-HB")
    assert "Xã Cũ (XA-CU) đã ngừng theo dõi" in refused
    assert "1 = " not in refused
    [coordinator] = await zbot.say(CHI, "/mergeunits XA-CU | XA-HB")
    assert "không có quyền" in coordinator, coordinator
    with zbot.session() as s:
        assert [u.code for u in s.exec(select(Unit).where(Unit.active == True))] == ["XA-HB"]  # noqa: E712


async def test_unit_after_a_merge_says_whom_the_unit_was_merged_from(zbot: ZaloBot) -> None:
    """Merged by "1", Xã Hòa Bình's `/unit` says it was merged from Xã An Hòa and when."""
    with zbot.session() as s:
        an_hoa = make_unit(s, "XA-AH", "Xã An Hòa")
        make_unit(s, "XA-HB", "Xã Hòa Bình")
        make_task(s, "Kế hoạch chuyển đổi số", DUE, [an_hoa])
    await zbot.say(ZALO_ADMIN, "/mergeunits XA-AH | XA-HB")
    await zbot.say(ZALO_ADMIN, "1")
    day = zbot.services.clock.now().astimezone(VN).strftime("%d/%m/%Y")
    said = "\n".join(await zbot.say(ZALO_ADMIN, "/unit XA-HB"))
    assert f"Gộp từ Xã An Hòa (XA-AH) ngày {day}" in said
