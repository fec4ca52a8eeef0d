"""/recurring: define a rule in chat, see its first occurrence created, list and stop it."""

from __future__ import annotations

from sqlmodel import select

from db.models import AuditLog, RecurringTask, Task
from tests.factories import make_unit
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
