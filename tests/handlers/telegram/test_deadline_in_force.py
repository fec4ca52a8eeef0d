"""Coordinators read a deadline stored on a day off as the units do: the day it is in force
first (the next working day, Civil Code art. 148), the deadline as given beside it.

A task due Saturday 12/12/2026 (old data) is due Monday 14/12: its reminders said so, and
the summaries counted its days from it, yet /tasks, /summary, /unit, the export and the
formal report said "hạn 12/12/2026".
"""

from __future__ import annotations

import io
from datetime import date, datetime

from docx import Document
from openpyxl import load_workbook
from sqlmodel import select

from core.taskdates import due_at
from db.models import Assignment, Unit
from tests.factories import VN, make_contact, make_task, make_unit
from tests.handlers.telegram.test_report import all_text, appendix
from tests.harness import ADMIN_ID, BotUnderTest

COORDINATOR = 3101
STORED = date(2026, 12, 12)  # a Saturday
IN_FORCE = date(2026, 12, 14)  # the Monday after
SAID = "14/12/2026 (hạn ghi 12/12/2026 là ngày nghỉ)"


def province(bot: BotUnderTest) -> int:
    """A commune with a task due on a Saturday, its due time rolled to Monday as the day's
    first sweep leaves it; return the task's id."""
    with bot.session() as s:
        unit = make_unit(s, "X01", "Xã An Hòa")
        make_contact(s, COORDINATOR, role="coordinator", name="Điều phối")
        task = make_task(s, "Báo cáo ngày nghỉ", STORED, [unit])
        for row in s.exec(select(Assignment).where(Assignment.task_id == task.id)):
            row.due_at = due_at(IN_FORCE, VN)
            s.add(row)
        s.commit()
        assert task.id is not None
    return task.id


async def test_chat_lists_say_the_deadline_in_force_beside_the_one_given(
    bot: BotUnderTest,
) -> None:
    """/tasks, a task's card, /summary #task and /unit: "14/12/2026 (hạn ghi 12/12/2026 là
    ngày nghỉ)", never the Saturday alone."""
    task_id = province(bot)
    bot.user(COORDINATOR)
    for command in ("/tasks", f"/tasks #{task_id}"):  # an admin's
        reply = await bot.send(ADMIN_ID, command)
        assert SAID in (reply.text or ""), (command, reply.text)
    for command in (f"/summary #{task_id}", "/unit X01"):
        reply = await bot.send(COORDINATOR, command)
        assert SAID in (reply.text or ""), (command, reply.text)


async def test_export_holds_the_day_in_force_as_a_date_and_notes_the_day_off(
    bot: BotUnderTest,
) -> None:
    """The appendix's deadline is a date cell of Monday 14/12, and its notes say the
    deadline as given was a day off."""
    task_id = province(bot)
    bot.user(COORDINATOR)
    reply = await bot.send(COORDINATOR, f"/export #{task_id}", match=lambda m: bool(m.document))
    assert reply.document is not None
    book = load_workbook(io.BytesIO(bot.server.file_content(reply.document["file_id"])))
    row = [c.value for c in book["Phụ lục"][4]]
    assert row[4] == datetime(2026, 12, 14)
    assert "Hạn ghi 12/12/2026 là ngày nghỉ" in str(row[9])


async def test_formal_report_says_the_deadline_in_force(bot: BotUnderTest) -> None:
    """The report's opening and its task's figures name Monday beside the Saturday given,
    within one pair of brackets; the appendix's deadline column is Monday, noted."""
    task_id = province(bot)
    bot.user(COORDINATOR)
    reply = await bot.send(
        COORDINATOR, f"/report #{task_id}", match=lambda m: bool(m.document), timeout=30
    )
    assert reply.document is not None
    doc = Document(io.BytesIO(bot.server.file_content(reply.document["file_id"])))
    text = all_text(doc)
    assert "(thời hạn 14/12/2026; hạn ghi 12/12/2026 là ngày nghỉ)" in text
    assert "ngày nghỉ))" not in text  # no brackets of its own within the deadline's
    [row] = appendix(doc)[1:]
    assert row[4] == "14/12/2026"
    assert "Hạn ghi 12/12/2026 là ngày nghỉ" in row[9]
    with bot.session() as s:  # a second task: the report of both lists each one's figures
        make_task(s, "Báo cáo tháng", date(2026, 12, 18), [s.exec(select(Unit)).one()])
    reply = await bot.send(COORDINATOR, "/report", match=lambda m: bool(m.document), timeout=30)
    assert reply.document is not None
    doc = Document(io.BytesIO(bot.server.file_content(reply.document["file_id"])))
    text = all_text(doc)
    assert "“Báo cáo ngày nghỉ” (thời hạn 14/12/2026; hạn ghi 12/12/2026 là ngày nghỉ):" in text
    assert "ngày nghỉ))" not in text
