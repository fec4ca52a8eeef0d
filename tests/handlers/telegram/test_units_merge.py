"""Units merged on Telegram: `/mergeunits OLD1, OLD2 | NEW` shows what it would do, with
Merge and Cancel buttons; Merge moves the open work and contacts, once."""

from __future__ import annotations

import threading
from datetime import date
from typing import Any

import pytest
from sqlmodel import select
from telegram import CallbackQuery, Update, User

from app import unit_merge
from app.unit_merge import MergeAsked, merge
from db.models import Assignment, Unit, UnitContact
from devtools.fakebotapi import ChatMessage
from handlers.telegram.flows import flows
from handlers.telegram.lanes import HeavyUpdates
from tests.factories import VN, make_contact, make_task, make_unit, person
from tests.handlers.telegram.checkin_world import (
    OFFICIAL,
    OTHER_OFFICIAL,
    assignment,
    remind,
    reports,
    scene,
)
from tests.handlers.telegram.test_checkin import data
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


async def test_the_merge_press_runs_heavy_and_the_unit_pages_presses_do_not(
    bot: BotUnderTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The plan's Merge moves every open task of the units merged (a minute for 200 communes):
    the lanes take it for heavy, as /mergeunits, and it runs in the heavy pool, not in the
    update pool whose threads answer the taps; Cancel and the unit pages' presses, which
    share its "un", stay light."""
    with bot.session() as s:
        make_unit(s, "XA-AH", "Xã An Hòa"), make_unit(s, "XA-HB", "Xã Hòa Bình")
    ran_in: list[str] = []

    def merging(*args: Any, **kwargs: Any) -> MergeAsked:
        ran_in.append(threading.current_thread().name)
        return merge(*args, **kwargs)

    monkeypatch.setattr(unit_merge, "merge", merging)
    asked = await bot.send(ADMIN_ID, "/mergeunits XA-AH | XA-HB")
    pressed = button_data(asked, "Gộp")
    lanes = HeavyUpdates.of(flows())

    def press(data: str) -> Update:
        return Update(2, callback_query=CallbackQuery("q", User(1, "A", False), "c", data=data))

    assert lanes(press(pressed))
    cancel = button_data(asked, "Thôi")
    assert not any(lanes(press(d)) for d in (cancel, "un:pg:2", "un:card:7", "un:off:7"))
    after = bot.server.last_message_id(ADMIN_ID)
    await bot.press(ADMIN_ID, pressed, asked.message_id)
    said = await bot.server.wait_for_message(ADMIN_ID, after=after)
    assert "Đã gộp Xã An Hòa (XA-AH) vào Xã Hòa Bình (XA-HB)" in (said.text or "")
    assert [name.rsplit("_", 1)[0] for name in ran_in] == ["dondoc-heavy"]


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


async def merged_scene(bot: BotUnderTest) -> tuple[ChatMessage, int, int]:
    """Xã Tam Xuân's official Lan reminded of a task Xã Tam Bình is on too (at 50%); then
    both merged into Xã Tam Hòa, Tam Bình's row kept, Tam Xuân's taken off. Return the
    reminder sent before the merge, the row it names and the kept one."""
    world = await scene(bot)
    dropped, kept = world.assignments[0], world.other_assignment
    with bot.session() as s:
        new_id = make_unit(s, "XA-TH", "Xã Tam Hòa").id or 0
        row = s.get_one(Assignment, kept)
        row.state, row.percent, row.last_report_at = "in_progress", 50, bot.clock.now()
        s.add(row)
        s.commit()
    reminder = await remind(bot, OFFICIAL, [dropped])
    old_ids = (world.unit.id or 0, world.other_unit.id or 0)
    done = merge(bot.services, "vi", old_ids=old_ids, new_id=new_id, actor_id=None)
    assert done.possible
    return reminder, dropped, kept


async def test_a_reminder_s_button_pressed_after_the_merge_counts_for_the_kept_row(
    bot: BotUnderTest,
) -> None:
    """ "Hoàn thành" on yesterday's reminder, about Tam Xuân's row the merge took off, is
    recorded for Xã Tam Hòa's assignment of the task, not refused as not her unit's."""
    reminder, dropped, kept = await merged_scene(bot)
    answer = await bot.press(OFFICIAL, button_data(reminder, "Hoàn thành"), reminder.message_id)
    assert "Đã ghi nhận: Hoàn thành" in answer
    assert [r.state for r in reports(bot, kept)] == ["done"]
    assert reports(bot, dropped) == []
    assert assignment(bot, kept).state == "done"


async def test_an_old_button_of_a_row_taken_off_still_checks_who_presses(
    bot: BotUnderTest,
) -> None:
    """After the merge, a button signed for someone else is refused as forged, and a person
    no longer a contact of Xã Tam Hòa (moved to another commune) pressing the old button is
    refused as the task not her unit's."""
    reminder, dropped, kept = await merged_scene(bot)
    stolen = data(bot, OTHER_OFFICIAL, "st", "done", dropped)
    bot.server.state.chats[OFFICIAL].messages[reminder.message_id].reply_markup = {
        "inline_keyboard": [[{"text": "x", "callback_data": stolen}]]
    }
    assert "không hợp lệ" in await bot.press(OFFICIAL, stolen, reminder.message_id)
    with bot.session() as s:  # Lan is now Xã Tam Phú's contact, no longer Tam Hòa's
        lan = person(s, str(OFFICIAL)).id or 0
        s.delete(s.exec(select(UnitContact).where(UnitContact.contact_id == lan)).one())
        s.add(UnitContact(unit_id=make_unit(s, "XA-TP", "Xã Tam Phú").id or 0, contact_id=lan))
        s.commit()
    press = data(bot, OFFICIAL, "st", "done", dropped)
    bot.server.state.chats[OFFICIAL].messages[reminder.message_id].reply_markup = {
        "inline_keyboard": [[{"text": "x", "callback_data": press}]]
    }
    assert "không phải của đơn vị" in await bot.press(OFFICIAL, press, reminder.message_id)
    assert reports(bot) == []
    assert assignment(bot, kept).state == "in_progress"


async def test_unit_of_a_merged_unit_says_whom_it_was_merged_from_and_into(
    bot: BotUnderTest,
) -> None:
    """`/unit` of Xã Tam Hòa says it was merged from Tam Bình and Tam Xuân and when; that of
    Tam Xuân, which it was merged into."""
    await merged_scene(bot)
    day = bot.clock.now().astimezone(VN).strftime("%d/%m/%Y")
    new = await bot.send(ADMIN_ID, "/unit XA-TH")
    assert f"Gộp từ Xã Tam Bình (TB), Xã Tam Xuân (TX) ngày {day}" in (new.text or "")
    old = await bot.send(ADMIN_ID, "/unit TX")
    assert f"Đã gộp vào Xã Tam Hòa (XA-TH) ngày {day}." in (old.text or "")


async def test_a_blocker_pressed_on_an_old_reminder_is_asked_and_kept_for_the_kept_row(
    bot: BotUnderTest,
) -> None:
    """ "Vướng mắc" on the reminder sent before the merge asks the blocker, and the reason
    typed next is Xã Tam Hòa's report on the task."""
    reminder, dropped, kept = await merged_scene(bot)
    await bot.press(OFFICIAL, button_data(reminder, "Vướng mắc"), reminder.message_id)
    said = await bot.send(
        OFFICIAL, "Thiếu kinh phí", match=lambda m: "nội dung vướng mắc" not in (m.text or "")
    )
    assert "Đã" in (said.text or "")
    assert [(r.state, r.reason) for r in reports(bot, kept)] == [("blocked", "Thiếu kinh phí")]
    assert reports(bot, dropped) == []
