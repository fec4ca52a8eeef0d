"""An old reminder's buttons pressed after an admin changed its task: what the official is told.

The reminder was sent; then the task was closed, or the unit taken off it (/unassign), and
the official presses its button. Each is refused with the reason that is true of it.
"""

from __future__ import annotations

from sqlmodel import select

from db.models import Task
from db.models.contacts import UnitContact
from tests.handlers.telegram.checkin_world import (
    OFFICIAL,
    OTHER_OFFICIAL,
    assignment,
    remind,
    reports,
    scene,
)
from tests.harness import ADMIN_ID, BotUnderTest, button_data


async def test_a_button_of_a_task_the_unit_was_taken_off_says_so_not_that_it_ended(
    bot: BotUnderTest,
) -> None:
    """/unassign of the unit, then its reminder's "done": the task is open for others, so the
    official is told their unit no longer has it (it said the task was closed or cancelled)."""
    world = await scene(bot)
    task = world.tasks[0].id
    reminder = await remind(bot, OFFICIAL, [world.assignments[0]])
    taken = await bot.send(ADMIN_ID, f"/unassign #{task} Xã Tam Xuân")
    assert "còn 1" in (taken.text or "")
    answer = await bot.press(OFFICIAL, button_data(reminder, "Hoàn thành"), reminder.message_id)
    assert answer == (
        f"Đơn vị của anh/chị không còn được giao nhiệm vụ #{task} (đã được rút khỏi nhiệm vụ); "
        "không ghi nhận gì. Gõ /mytasks để xem việc đang mở."
    )
    assert reports(bot) == []
    assert assignment(bot, world.assignments[0]).state == "none"
    with bot.session() as s:
        still = s.get(Task, task)
        assert still is not None
        assert still.status == "open"


async def test_a_button_of_a_closed_task_says_it_ended(bot: BotUnderTest) -> None:
    """/closetask, then its reminder's "done": the task is over, and said so."""
    world = await scene(bot)
    task = world.tasks[0].id
    reminder = await remind(bot, OFFICIAL, [world.assignments[0]])
    await bot.send(ADMIN_ID, f"/closetask #{task}")
    answer = await bot.press(OFFICIAL, button_data(reminder, "Hoàn thành"), reminder.message_id)
    assert answer == (
        f"Nhiệm vụ #{task} đã kết thúc; không ghi nhận gì. Nếu báo cáo trước đây của đơn vị "
        "bị nhầm, nhờ quản trị viên (Quản trị) sửa."
    )
    assert reports(bot) == []


async def test_a_reply_to_the_reminder_of_a_task_the_unit_was_taken_off_says_so(
    bot: BotUnderTest,
) -> None:
    """ "xong" answering the reminder of a task the unit was taken off: told it is no longer
    the unit's (it said the message's task was closed or cancelled), nothing recorded."""
    world = await scene(bot)
    task = world.tasks[0].id
    reminder = await remind(bot, OFFICIAL, [world.assignments[0]])
    await bot.send(ADMIN_ID, f"/unassign #{task} Xã Tam Xuân")
    # The answer, not the notice that the task needs no more report from Tam Xuân.
    answer = await bot.send(
        OFFICIAL,
        "xong",
        reply_to=reminder.message_id,
        match=lambda m: "không ghi" in (m.text or ""),
    )
    assert answer.text == (
        f"Đơn vị của anh/chị không còn được giao nhiệm vụ #{task} (đã được rút khỏi nhiệm vụ); "
        "không ghi nhận gì. Gõ /mytasks để xem việc đang mở."
    )
    assert reports(bot) == []


async def test_a_reply_to_the_reminder_of_a_closed_task_says_it_ended(bot: BotUnderTest) -> None:
    """ "xong" answering the reminder of a closed task: the task is over, and said so."""
    world = await scene(bot)
    reminder = await remind(bot, OFFICIAL, [world.assignments[0]])
    await bot.send(ADMIN_ID, f"/closetask #{world.tasks[0].id}")
    # The answer, not the notice that the task was closed (sent in office time, at once).
    answer = await bot.send(
        OFFICIAL,
        "xong",
        reply_to=reminder.message_id,
        match=lambda m: "không ghi" in (m.text or "") or "tin nhắn này" in (m.text or ""),
    )
    assert "Nhiệm vụ của tin nhắn này đã kết thúc hoặc bị hủy" in (answer.text or "")
    assert reports(bot) == []


async def test_a_reply_to_a_reminder_of_the_unit_the_official_left_says_it_is_not_theirs(
    bot: BotUnderTest,
) -> None:
    """An official moved from Tam Bình to Tam Xuân answers Tam Bình's old reminder "xong":
    the task goes on, it is just not their unit's (it said the task was closed or
    cancelled), as its button says; nothing is recorded for either commune."""
    world = await scene(bot)
    reminder = await remind(bot, OTHER_OFFICIAL, [world.other_assignment])
    with bot.session() as s:
        link = s.exec(select(UnitContact).where(UnitContact.unit_id == world.other_unit.id)).one()
        link.unit_id = world.unit.id or 0
        s.add(link)
        s.commit()
    answer = await bot.send(OTHER_OFFICIAL, "xong", reply_to=reminder.message_id)
    said = answer.text or ""
    assert said.startswith("Nhiệm vụ này không phải của đơn vị anh/chị; không ghi nhận gì.")
    assert "Gõ /mytasks để xem việc của đơn vị mình" in said  # what to do next
    assert len(said) <= 200  # a button's pop-up shows as much
    pressed = await bot.press(
        OTHER_OFFICIAL, button_data(reminder, "Hoàn thành"), reminder.message_id
    )
    assert pressed == answer.text
    assert reports(bot) == []


async def test_a_button_pressed_by_an_official_taken_off_every_unit_says_how_to_join(
    bot: BotUnderTest,
) -> None:
    """An official removed from their only unit presses its old reminder: told, as their words
    are, that the bot serves registered units and how to join (an invite link), not that they
    may not use this and should type /help."""
    world = await scene(bot)
    reminder = await remind(bot, OFFICIAL, [world.assignments[0]])
    with bot.session() as s:
        s.delete(s.exec(select(UnitContact).where(UnitContact.unit_id == world.unit.id)).one())
        s.commit()
    after = bot.server.last_message_id(OFFICIAL)
    pressed = await bot.press(OFFICIAL, button_data(reminder, "Hoàn thành"), reminder.message_id)
    assert pressed == ""
    told = await bot.server.wait_for_message(OFFICIAL, after=after)
    assert "liên kết mời" in (told.text or "")
    assert reports(bot) == []
