"""/mytasks (/viec): open tasks of the sender's units, nearest deadline first, paged."""

from __future__ import annotations

from datetime import date

from db.models import Unit
from tests.factories import make_task
from tests.handlers.telegram.checkin_world import COORDINATOR, OFFICIAL, reports, scene
from tests.harness import BotUnderTest, button_data, buttons


async def test_mytasks_lists_nearest_deadline_first_with_pages(bot: BotUnderTest) -> None:
    """Seven open tasks show five per page, nearest deadline first; the next page has two."""
    world = await scene(bot, tasks=0)
    with bot.session() as s:
        for day in (25, 20, 27, 21, 30, 19, 26):
            make_task(s, f"Việc ngày {day}", date(2026, 12, day), [world.unit])
    first = await bot.send(OFFICIAL, "/mytasks")
    text = first.text or ""
    order = [text.index(f"Việc ngày {d}") for d in (19, 20, 21, 25, 26)]
    assert order == sorted(order)
    assert "Việc ngày 27" not in text
    assert "Trang 1/2" in text
    await bot.press(OFFICIAL, button_data(first, "Sau"), first.message_id)
    await bot.server.wait_until(
        lambda: "Trang 2/2" in (bot.server.messages(OFFICIAL)[-1].text or "")
    )
    second = bot.server.messages(OFFICIAL)[-1]
    assert "Việc ngày 27" in (second.text or "")
    assert "Việc ngày 30" in (second.text or "")


async def test_mytasks_with_a_number_is_that_task_and_trang_a_page(bot: BotUnderTest) -> None:
    """ "/mytasks 2" is the sender's task #2 with its buttons, as "/tasks 2" is task #2 (it
    was page 2); "/mytasks trang 2" is page 2; a task not theirs says so."""
    world = await scene(bot, tasks=0)
    with bot.session() as s:
        ids = [
            make_task(s, f"Việc ngày {day}", date(2026, 12, day), [world.unit]).id
            for day in (19, 20, 21, 25, 26, 27, 30)
        ]
    one = await bot.send(OFFICIAL, f"/mytasks {ids[1]}")
    assert "Việc ngày 20" in (one.text or "")
    assert "Việc ngày 19" not in (one.text or "")
    assert "Trang" not in (one.text or "")
    assert len(buttons(one)) == 4
    page = await bot.send(OFFICIAL, "/mytasks trang 2")
    assert "Trang 2/2" in (page.text or "")
    assert "Việc ngày 30" in (page.text or "")
    not_theirs = await bot.send(OFFICIAL, "/mytasks 999")
    assert "#999 không phải nhiệm vụ đang mở" in (not_theirs.text or "")


async def test_mytasks_buttons_record_a_report(bot: BotUnderTest) -> None:
    """A status button under a /viec item records for that item and leaves the others."""
    world = await scene(bot, tasks=2)
    listing = await bot.send(OFFICIAL, "/viec")
    task = world.tasks[1].id
    answer = await bot.press(OFFICIAL, button_data(listing, f"#{task} ✅"), listing.message_id)
    assert "Đã ghi nhận: Hoàn thành đúng hạn" in answer
    assert [r.assignment_id for r in reports(bot)] == [world.assignments[1]]
    await bot.server.wait_until(lambda: len(buttons(bot.server.messages(OFFICIAL)[-1])) == 4)


async def test_mytasks_without_a_unit_says_so(bot: BotUnderTest) -> None:
    """A coordinator with no unit is told there is nothing to report on."""
    await scene(bot)

    reply = await bot.send(COORDINATOR, "/mytasks")
    assert "chưa thuộc đơn vị nào" in (reply.text or "")


async def test_mytasks_when_everything_is_done(bot: BotUnderTest) -> None:
    """A unit whose tasks are all done gets a short, happy answer."""
    await scene(bot)
    await bot.send(OFFICIAL, "xong")
    reply = await bot.send(OFFICIAL, "/mytasks")
    assert "không còn nhiệm vụ nào đang mở" in (reply.text or "")


async def test_a_deactivated_units_tasks_are_not_listed_nor_asked_about(
    bot: BotUnderTest,
) -> None:
    """Deactivated, a unit's tasks leave /mytasks (their buttons would be refused) and a file
    from its contact is not asked "which task?": both say it is no longer followed up."""
    world = await scene(bot, tasks=2)
    with bot.session() as s:
        unit = s.get(Unit, world.unit.id)
        assert unit is not None
        unit.active = False
        s.add(unit)
        s.commit()
    listing = await bot.send(OFFICIAL, "/mytasks")
    assert "đã ngừng được theo dõi" in (listing.text or "")
    assert "Kế hoạch CĐS" not in (listing.text or "")
    after = bot.server.last_message_id(OFFICIAL)
    bot.server.send_photo(OFFICIAL, b"\x89PNG\r\n\x1a\n" + b"0" * 64)
    reply = await bot.server.wait_for_message(OFFICIAL, after=after)
    assert "đã ngừng được theo dõi" in (reply.text or "")
