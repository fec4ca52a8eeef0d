"""/recurring: define a rule in chat, see its first occurrence created, list and stop it."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select

from db.models import Assignment, AuditLog, RecurringTask, Task, Unit
from scheduler.recurring import create_occurrences
from tests.factories import VN, make_unit
from tests.harness import ADMIN_ID, BotUnderTest


async def test_recurring_add_creates_first_occurrence_then_list_and_stop(
    bot: BotUnderTest,
) -> None:
    """A monthly rule creates this month's task at once; it is listed, then stopped."""
    with bot.session() as s:
        make_unit(s, "A1")
        make_unit(s, "A2")
    reply = await bot.send(ADMIN_ID, "/recurring add Báo cáo CĐS tháng | hàng tháng 20 | xã")
    text = reply.text or ""
    assert "hằng tháng, ngày 20" in text
    assert "#1 (hạn 20/11/2026)" in text
    with bot.session() as s:
        task = s.exec(select(Task)).one()
        rule = s.exec(select(RecurringTask)).one()
    assert task.title == "Báo cáo CĐS tháng (11/2026)"
    assert rule.rule == "monthly:20"
    listing = (await bot.send(ADMIN_ID, "/recurring")).text or ""
    assert "Báo cáo CĐS tháng" in listing
    assert "Đã dừng" in ((await bot.send(ADMIN_ID, f"/recurring stop {rule.id}")).text or "")
    assert "Chưa có" in ((await bot.send(ADMIN_ID, "/recurring")).text or "")
    with bot.session() as s:
        actions = {e.action for e in s.exec(select(AuditLog))}
    assert {"recurring.created", "task.created", "recurring.stopped"} <= actions


async def test_recurring_add_refuses_a_bad_rule(bot: BotUnderTest) -> None:
    """An unreadable rule is explained and nothing is stored."""
    with bot.session() as s:
        make_unit(s, "A1")
    reply = await bot.send(ADMIN_ID, "/recurring add Báo cáo | mỗi khi cần | xã")
    assert "monthly:20" in (reply.text or "")
    with bot.session() as s:
        assert s.exec(select(RecurringTask)).first() is None


async def test_the_same_rule_added_again_is_refused_naming_the_one_there_is(
    bot: BotUnderTest,
) -> None:
    """A rule typed again (in other words, another case) for units it covers already is
    refused, naming the rule there is: no unit gets the same monthly task twice; the same
    title for other units, or by another rule, is a rule of its own."""
    with bot.session() as s:
        make_unit(s, "A1")
        make_unit(s, "A2")
        make_unit(s, "B1", "Sở Y tế", kind="department")
    await bot.send(ADMIN_ID, "/recurring add Báo cáo CĐS tháng | hàng tháng 20 | xã")
    again = await bot.send(ADMIN_ID, "/recurring add báo cáo cđs THÁNG | monthly:20 | A1")
    assert "Đã có nhiệm vụ định kỳ số 1 «Báo cáo CĐS tháng»" in (again.text or "")
    assert "hằng tháng, ngày 20" in (again.text or "")
    assert "cho 1 đơn vị trong số này" in (again.text or "")
    with bot.session() as s:
        assert len(s.exec(select(RecurringTask)).all()) == 1
        assert len(s.exec(select(Task)).all()) == 1
    other_units = await bot.send(ADMIN_ID, "/recurring add Báo cáo CĐS tháng | monthly:20 | B1")
    assert "Đã tạo nhiệm vụ định kỳ số 2" in (other_units.text or "")
    other_rule = await bot.send(ADMIN_ID, "/recurring add Báo cáo CĐS tháng | monthly:25 | A1")
    assert "Đã tạo nhiệm vụ định kỳ số 3" in (other_rule.text or "")


async def test_a_rule_keeps_its_units_through_a_rename_and_a_new_unit_of_a_like_name(
    bot: BotUnderTest,
) -> None:
    """Units typed by name, a part of it, or as an appendix cites them stay the rule's when
    one is renamed (the 2025 mergers) and a new unit's name holds another's: next month's
    task goes to all three, not silently to the one whose name still reads the same; the
    list names them as they are now, with their codes."""
    with bot.session() as s:
        make_unit(s, "X01", "Xã An Hòa")
        make_unit(s, "X02", "Xã An Phú")
        make_unit(s, "X03", "Xã Cẩm Phô")
    await bot.send(
        ADMIN_ID, "/recurring add Báo cáo tháng | monthly:20 | Xã An Hòa, An Phú, UBND xã Cẩm Phô"
    )
    await bot.send(ADMIN_ID, "/editunit X01 | Phường An Hòa | phường")
    await bot.send(ADMIN_ID, "/addunit X04 | Xã An Phú Tây | xã")
    assert create_occurrences(bot.engine, now=bot.clock.now() + timedelta(days=25), tz=VN) == 1
    with bot.session() as s:
        task = s.exec(select(Task).order_by(col(Task.id).desc())).first()
        assert task is not None
        assert task.title == "Báo cáo tháng (12/2026)"
        given = s.exec(
            select(Unit.code).join(Assignment).where(Assignment.task_id == task.id)
        ).all()
    assert sorted(given) == ["X01", "X02", "X03"]
    listing = (await bot.send(ADMIN_ID, "/recurring")).text or ""
    assert "Phường An Hòa (X01), Xã An Phú (X02), Xã Cẩm Phô (X03)" in listing


async def test_a_rule_whose_units_are_all_deactivated_is_flagged_in_the_list(
    bot: BotUnderTest,
) -> None:
    """Both communes of a rule merged into a new one (deactivated): the rule would make no
    task any more, with nobody told; /recurring flags it, naming how to replace it."""
    with bot.session() as s:
        make_unit(s, "X01", "Xã An Hòa")
        make_unit(s, "X02", "Xã An Phú")
    await bot.send(ADMIN_ID, "/recurring add Báo cáo tháng | monthly:20 | X01, X02")
    assert "⚠️" not in ((await bot.send(ADMIN_ID, "/recurring")).text or "")
    await bot.send(ADMIN_ID, "/deactivate X01")
    assert "⚠️" not in ((await bot.send(ADMIN_ID, "/recurring")).text or "")
    await bot.send(ADMIN_ID, "/deactivate X02")
    listing = (await bot.send(ADMIN_ID, "/recurring")).text or ""
    assert "nay không còn đơn vị nào đang theo dõi" in listing
    assert "/recurring stop 1" in listing
