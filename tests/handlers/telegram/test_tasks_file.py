"""An admin sends a tasks spreadsheet: its header tells it from a units file."""

from __future__ import annotations

from sqlmodel import select

from db.models import Task
from tests.factories import make_unit
from tests.harness import ADMIN_ID, BotUnderTest

CSV = "title,deadline,assignees\nBáo cáo quý IV,15/12/2026,xã\nViệc hỏng,31/02/2027,xã\n"


async def test_tasks_file_sent_in_chat_is_imported_with_row_report(bot: BotUnderTest) -> None:
    """The good row becomes a task; the bad row is named by number; again adds nothing."""
    with bot.session() as s:
        make_unit(s, "A1")
    await bot.send(ADMIN_ID, "/help")
    after = bot.server.last_message_id(ADMIN_ID)
    bot.server.send_document(ADMIN_ID, CSV.encode(), "tasks.csv", "text/csv")
    report = await bot.server.wait_for_message(ADMIN_ID, after=after)
    assert "thêm mới 1" in (report.text or "")
    assert "Dòng 3" in (report.text or "")
    after = report.message_id
    bot.server.send_document(ADMIN_ID, CSV.encode(), "tasks.csv", "text/csv")
    again = await bot.server.wait_for_message(ADMIN_ID, after=after)
    assert "không đổi 1" in (again.text or "")
    with bot.session() as s:
        assert [t.title for t in s.exec(select(Task))] == ["Báo cáo quý IV"]
