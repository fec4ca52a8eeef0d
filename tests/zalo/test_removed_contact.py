"""A person an admin removes from their only unit, writing again on Zalo."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from db.models import StatusReport
from tests.factories import make_contact, make_task, make_unit
from tests.harness import ADMIN_ID, button_data
from tests.zalo.conftest import ZALO_ADMIN, ZaloBot
from tests.zalo.test_reminders import HOA as REMINDED
from tests.zalo.test_reminders import official, remind

HOA = "b1b2b3b4b5b6b7b8"


async def test_removed_from_the_only_unit_is_told_how_to_join_on_zalo(zbot: ZaloBot) -> None:
    """Removed on Telegram from her one unit, Hoa's report and /mytasks on Zalo are answered
    with Zalo's way to join (an invite code), not Telegram's link, and nothing is recorded."""
    with zbot.session() as s:
        unit = make_unit(s, "XA", "Xã A")
        task = make_task(s, "Kế hoạch CĐS", date(2026, 12, 15), [unit])
        make_contact(s, 0, units=[unit], name="Hoa", channel="zalo", external_id=HOA)
    zbot.zalo.add_user(HOA, "Hoa", wrote=True)
    tg = zbot.tg
    listing = await tg.send(ADMIN_ID, "/contacts XA")
    after = tg.server.last_message_id(ADMIN_ID)
    await tg.press(ADMIN_ID, button_data(listing, "Hoa"), listing.message_id)
    card = await tg.server.wait_for_message(ADMIN_ID, after=after)
    after = tg.server.last_message_id(ADMIN_ID)
    await tg.press(ADMIN_ID, button_data(card, "Gỡ khỏi XA"), card.message_id)
    await tg.server.wait_for_message(ADMIN_ID, after=after)
    for typed in (f"#{task.id} xong", "/mytasks"):
        [answer] = await zbot.say(HOA, typed)
        assert "/start" in answer
        assert "mã mời" in answer
        assert "liên kết" not in answer
    with zbot.session() as s:
        assert s.exec(select(StatusReport)).first() is None


async def test_removed_after_her_reminder_a_typed_1_is_told_what_to_do(zbot: ZaloBot) -> None:
    """Reminded of Xã A's task, then removed from Xã A by an admin, Hoa types "1" (the
    reminder's "done"): nothing is recorded, and she is told how to see her units' tasks and
    whom to tell if her unit is wrong (it said only that the task was not her unit's)."""
    official(zbot)
    await remind(zbot)
    [removed] = await zbot.say(ZALO_ADMIN, "/contacts remove Hoa XA")
    assert removed == "Đã gỡ Hoa khỏi Xã A."
    [answer] = await zbot.say(REMINDED, "1")
    assert "không ghi nhận gì" in answer
    assert "/mytasks" in answer
    assert "quản trị viên" in answer
    with zbot.session() as s:
        assert s.exec(select(StatusReport)).first() is None
