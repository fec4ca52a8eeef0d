"""Units merged on Telegram: `/mergeunits OLD1, OLD2 | NEW` shows what it would do, with
Merge and Cancel buttons; Merge moves the open work and contacts, once."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from db.models import Assignment, Unit, UnitContact
from tests.factories import make_contact, make_task, make_unit, person
from tests.handlers.telegram.test_units import attach
from tests.harness import ADMIN_ID, BotUnderTest, button_data, buttons

DUE = date(2026, 12, 18)


async def test_mergeunits_shows_the_plan_then_merges_once_on_the_button(
    bot: BotUnderTest,
) -> None:
    """Xã An Hòa and Xã Bình Minh into Xã Hòa Bình: the plan names the tasks and people that
    move; Merge moves them and deactivates the old units; a second press merges nothing."""
    with bot.session() as s:
        an_hoa, binh_minh = (
            make_unit(s, "XA-AH", "Xã An Hòa"),
            make_unit(s, "XA-BM", "Xã Bình Minh"),
        )
        hoa_binh = make_unit(s, "XA-HB", "Xã Hòa Bình")
        make_contact(s, 4501, units=[an_hoa], name="Lan")
        make_contact(s, 4502, units=[binh_minh], name="Minh")
        task = make_task(s, "Kế hoạch chuyển đổi số", DUE, [an_hoa, binh_minh])
        task_id, new_id = task.id, hoa_binh.id
    asked = await bot.send(ADMIN_ID, "/mergeunits XA-AH, xa binh minh | XA-HB")
    text = asked.text or ""
    assert "Gộp Xã An Hòa (XA-AH), Xã Bình Minh (XA-BM) vào Xã Hòa Bình (XA-HB)" in text
    assert f"1 nhiệm vụ đang mở chuyển sang Xã Hòa Bình (XA-HB): #{task_id}" in text
    assert "2 người liên hệ chuyển sang" in text
    with bot.session() as s:  # shown, not done
        assert all(s.exec(select(Unit.active)).all())
    after = bot.server.last_message_id(ADMIN_ID)
    merge = button_data(asked, "Gộp")
    await bot.press(ADMIN_ID, merge, asked.message_id)
    said = await bot.server.wait_for_message(ADMIN_ID, after=after)
    assert "Đã gộp Xã An Hòa (XA-AH), Xã Bình Minh (XA-BM) vào Xã Hòa Bình (XA-HB)" in (
        said.text or ""
    )
    with bot.session() as s:
        live = s.exec(
            select(Assignment.unit_id).where(
                Assignment.task_id == task_id,
                Assignment.active == True,  # noqa: E712
            )
        ).all()
        assert live == [new_id]
        theirs = s.exec(select(UnitContact.contact_id).where(UnitContact.unit_id == new_id))
        assert sorted(theirs) == sorted(person(s, user).id or 0 for user in ("4501", "4502"))
        assert [u.code for u in s.exec(select(Unit).where(Unit.active == True))] == ["XA-HB"]  # noqa: E712
    assert not buttons(bot.server.state.chats[ADMIN_ID].messages[asked.message_id])
    # A second press (the press delivered twice, another device's copy): nothing again.
    attach(bot, ADMIN_ID, asked, merge)
    after = bot.server.last_message_id(ADMIN_ID)
    await bot.press(ADMIN_ID, merge, asked.message_id)
    again = await bot.server.wait_for_message(ADMIN_ID, after=after)
    assert "không còn chờ xác nhận" in (again.text or "")


async def test_mergeunits_cancel_changes_nothing(bot: BotUnderTest) -> None:
    """Cancel on the plan leaves every unit, task and contact as it was."""
    with bot.session() as s:
        an_hoa = make_unit(s, "XA-AH", "Xã An Hòa")
        make_unit(s, "XA-HB", "Xã Hòa Bình")
        make_task(s, "Kế hoạch chuyển đổi số", DUE, [an_hoa])
    asked = await bot.send(ADMIN_ID, "/mergeunits XA-AH | XA-HB")
    after = bot.server.last_message_id(ADMIN_ID)
    await bot.press(ADMIN_ID, button_data(asked, "Thôi"), asked.message_id)
    said = await bot.server.wait_for_message(ADMIN_ID, after=after)
    assert "Không gộp; không có gì thay đổi." in (said.text or "")
    with bot.session() as s:
        assert all(s.exec(select(Unit.active)).all())
        assert s.exec(select(Assignment.unit_id)).all() == [an_hoa.id]


async def test_mergeunits_refuses_a_unit_into_itself_and_a_coordinator(bot: BotUnderTest) -> None:
    """A unit into itself is refused in words, no buttons; a coordinator may not merge."""
    with bot.session() as s:
        make_unit(s, "XA-AH", "Xã An Hòa")
        make_contact(s, 4601, role="coordinator")
    itself = await bot.send(ADMIN_ID, "/mergeunits XA-AH | XA-AH")
    assert "không thể gộp vào chính nó" in (itself.text or "")
    assert itself.reply_markup is None
    bot.user(4601)
    assert "không có quyền" in ((await bot.send(4601, "/mergeunits XA-AH | XA-HB")).text or "")
