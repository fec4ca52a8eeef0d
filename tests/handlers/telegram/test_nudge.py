"""/nudge: a coordinator reminds every not-done unit now, whatever the hour; members may not."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import select

from db.models import Assignment, Outbox
from db.queries.reports import record_report
from tests.factories import make_contact, make_unit
from tests.harness import ADMIN_ID, BotUnderTest
from tests.scheduler.support import VN, at, start_users, task_for

WED = date(2026, 11, 18)


async def test_nudge_in_the_evening_reminds_every_unit_not_done(bot: BotUnderTest) -> None:
    """At 20:00 /nudge is held until office time, then goes to the units not done."""
    bot.clock.set(at(WED, 20))
    with bot.session() as s:
        units = [make_unit(s, f"N{i}", f"Xã Nhắc {i}") for i in range(3)]
        for i, unit in enumerate(units):
            make_contact(s, 6000 + i, units=[unit])
        make_contact(s, 6010, units=[units[0]], function="leader")
        task = task_for(s, units, date(2026, 11, 16), at(date(2026, 11, 2)), "Kế hoạch CĐS")
        done = s.exec(
            select(Assignment).where(
                Assignment.task_id == task.id, Assignment.unit_id == units[2].id
            )
        ).one()
        record_report(s, assignment_id=done.id or 0, state="done", now=at(WED, 10))
        s.commit()
    start_users(bot.server, [6000, 6001, 6002, 6010])
    reply = await bot.send(ADMIN_ID, f"/nudge #{task.id}")
    assert "2 đơn vị chưa hoàn thành, sẽ nhắc 2 (2 người nhận)" in (reply.text or "")
    assert "sẽ gửi lúc 07:30 19/11/2026" in (reply.text or "")
    assert bot.server.messages(6000) == []
    bot.clock.set(at(date(2026, 11, 19), 7, 30))
    for user in (6000, 6001):
        message = await bot.server.wait_for_message(user, timeout=5)
        assert f"#{task.id} Kế hoạch CĐS" in (message.text or "")
        assert "Quá hạn 3 ngày" in (message.text or "")  # as of Thursday, when it is read
        assert len(message.button_data()) == 4
    assert bot.server.messages(6002) == []
    assert bot.server.messages(6010) == []  # the focal point is told, not the leader
    assert bot.clock.now().astimezone(VN).hour == 7


def nudges_to(bot: BotUnderTest, contact_id: int) -> int:
    """Return how many nudge messages were queued to a person."""
    with bot.session() as s:
        rows = s.exec(
            select(Outbox).where(Outbox.kind == "nudge", Outbox.contact_id == contact_id)
        )
        return len(rows.all())


async def test_nudge_typed_twice_reminds_each_person_once_within_the_hour(
    bot: BotUnderTest,
) -> None:
    """A second /nudge of the same task a moment later queues nothing and says so plainly (not
    "reminded now … reminded 0"), when each unit was reminded and from when it can be again;
    an hour later it reminds them again."""
    with bot.session() as s:
        unit = make_unit(s, "N1", "Xã Hòa An")
        official = make_contact(s, 6000, units=[unit])
        task = task_for(s, [unit], date(2026, 11, 16), at(date(2026, 11, 2)), "Kế hoạch CĐS")
    start_users(bot.server, [6000])
    first = (await bot.send(ADMIN_ID, f"/nudge #{task.id}")).text or ""
    assert "đã nhắc 1 (1 người nhận)" in first
    second = (await bot.send(ADMIN_ID, f"/nudge #{task.id}")).text or ""
    assert second.startswith(
        f"📣 Nhiệm vụ #{task.id} «Kế hoạch CĐS»: 1 đơn vị chưa hoàn thành, lần này không gửi"
        " tin nhắc nào."
    )
    assert "Đã nhắc ngay" not in second
    assert "đã nhắc 0" not in second
    assert "1 đơn vị vừa được nhắc nhiệm vụ này lúc 09:00 18/11/2026" in second
    assert "nhắc lại được từ 10:00 18/11/2026" in second
    assert nudges_to(bot, official.id or 0) == 1
    bot.clock.advance(timedelta(hours=1))  # from 10:00, as the answer said
    third = (await bot.send(ADMIN_ID, f"/nudge #{task.id}")).text or ""
    assert "đã nhắc 1 (1 người nhận)" in third
    assert nudges_to(bot, official.id or 0) == 2


async def test_nudge_names_units_nobody_can_be_told_about(bot: BotUnderTest) -> None:
    """A unit without a registered contact is named in the answer, which does not claim to
    have reminded anyone."""
    with bot.session() as s:
        unit = make_unit(s, "N1", "Xã Vắng")
        task = task_for(s, [unit], date(2026, 11, 20), at(WED, 8))
    reply = await bot.send(ADMIN_ID, f"/nudge {task.id}")
    assert "1 đơn vị chưa hoàn thành, lần này không gửi tin nhắc nào." in (reply.text or "")
    assert "đã nhắc" not in (reply.text or "").lower()
    assert "• Xã Vắng" in (reply.text or "")


async def test_nudge_counts_every_unit_not_done_and_lists_the_unreachable(
    bot: BotUnderTest,
) -> None:
    """19 units not done, one reachable: the answer says 19, 1 reminded, 18 unreachable."""
    with bot.session() as s:
        units = [make_unit(s, f"U{i:02d}", f"Xã Điện {chr(0x41 + i)}") for i in range(19)]
        units.append(make_unit(s, "UTC", "Sở Tài chính"))
        units.append(make_unit(s, "UTT", "Sở Thông tin"))
        make_contact(s, 6000, units=[units[0]])
        task = task_for(s, units, date(2026, 11, 20), at(WED, 8), "Kế hoạch số")
        for unit in units[19:]:
            row = s.exec(
                select(Assignment).where(
                    Assignment.task_id == task.id, Assignment.unit_id == unit.id
                )
            ).one()
            record_report(s, assignment_id=row.id or 0, state="done", now=at(WED, 8))
        s.commit()
    start_users(bot.server, [6000])
    text = (await bot.send(ADMIN_ID, f"/nudge #{task.id}")).text or ""
    assert "19 đơn vị chưa hoàn thành: đã nhắc 1 (1 người nhận), 18 chưa liên lạc được" in text
    listed = [line[2:] for line in text.splitlines() if line.startswith("• ")]
    assert listed == [f"Xã Điện {chr(0x41 + i)}" for i in range(1, 19)]


async def test_nudge_of_many_unreachable_units_tells_a_coordinator_who_can_list_them(
    bot: BotUnderTest,
) -> None:
    """Past twenty unreachable units, a coordinator is told an administrator lists them all
    (/units), not sent to /units themselves, which is refused to them."""
    from tests.handlers.telegram.summary_data import COORDINATOR

    with bot.session() as s:
        units = [make_unit(s, f"U{i:02d}", f"Xã Vắng {i:02d}") for i in range(22)]
        task = task_for(s, units, date(2026, 11, 20), at(WED, 8), "Kế hoạch số")
        make_contact(s, COORDINATOR, role="coordinator", name="Điều phối")
    bot.user(COORDINATOR)
    text = (await bot.send(COORDINATOR, f"/nudge #{task.id}")).text or ""
    assert "… và 2 đơn vị khác. Quản trị viên xem đủ danh sách bằng /units" in text
    assert "(xem /units)" not in text


async def test_member_using_nudge_is_told_it_is_not_for_them(bot: BotUnderTest) -> None:
    """A unit's official gets a clear refusal, and nobody is reminded."""
    with bot.session() as s:
        unit = make_unit(s, "N1")
        make_contact(s, 6000, units=[unit])
        task = task_for(s, [unit], date(2026, 11, 20), at(WED, 8))
    bot.user(6000)
    reply = await bot.send(6000, f"/nudge #{task.id}")
    assert "không có quyền" in (reply.text or "")


async def test_nudge_without_a_task_explains_how(bot: BotUnderTest) -> None:
    """No argument gives the usage; an unknown task says so."""
    usage = await bot.send(ADMIN_ID, "/nudge")
    assert "/nudge #12" in (usage.text or "")
    unknown = await bot.send(ADMIN_ID, "/nudge #9999")
    assert "Không tìm thấy" in (unknown.text or "")


async def test_nudge_of_a_finished_task_reminds_nobody(bot: BotUnderTest) -> None:
    """When every unit is done, the answer says there is nobody to remind."""
    with bot.session() as s:
        unit = make_unit(s, "N1")
        make_contact(s, 6000, units=[unit])
        task = task_for(s, [unit], date(2026, 11, 20), at(WED, 8))
        assignment = s.exec(select(Assignment).where(Assignment.task_id == task.id)).one()
        record_report(s, assignment_id=assignment.id or 0, state="done", now=at(WED, 8, 30))
        s.commit()
    reply = await bot.send(ADMIN_ID, f"/nudge #{task.id}")
    assert "đã báo cáo hoàn thành" in (reply.text or "")


async def test_nudge_of_a_task_outside_scope_is_not_found_nor_named(bot: BotUnderTest) -> None:
    """A scoped coordinator nudging a task with nothing in scope is told it is not found."""
    from tests.handlers.telegram.summary_data import COORDINATOR as SCOPED
    from tests.handlers.telegram.summary_data import make_province
    from tests.handlers.telegram.test_summary import limit_to

    with bot.session() as s:
        province = make_province(s)
    bot.user(SCOPED, "Điều phối")
    limit_to(bot, SCOPED, "vùng c", ["XC"])
    reply = (await bot.send(SCOPED, f"/nudge #{province.task2}")).text or ""
    assert "Không tìm thấy nhiệm vụ" in reply
    assert "cải cách" not in reply
    listing = (await bot.send(SCOPED, "/nudge hành")).text or ""
    assert "Báo cáo cải cách hành chính" not in listing
