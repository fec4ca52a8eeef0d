"""The dashboard names a deadline stored on a day off as the chat does: the day in force
first (the next working day, Civil Code art. 148), the deadline as given beside it."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from core.taskdates import due_at
from db.models import Assignment
from tests.factories import VN, make_task, make_unit
from tests.web.conftest import COORDINATOR, Served

STORED = date(2026, 12, 12)  # a Saturday
IN_FORCE = date(2026, 12, 14)  # the Monday after
SAID = "14/12/2026 (hạn ghi 12/12/2026 là ngày nghỉ)"


async def test_every_page_says_the_deadline_in_force(served: Served) -> None:
    """The overview, the matrix, the task's page and the unit's page: Monday 14/12, and
    12/12 said to be a day off, not "12/12/2026" alone, nor in brackets within brackets."""
    with served.bot.session() as s:
        unit = make_unit(s, "NN", "Xã Ngày Nghỉ")
        task = make_task(s, "Báo cáo ngày nghỉ", STORED, [unit])
        for row in s.exec(select(Assignment).where(Assignment.task_id == task.id)):
            row.due_at = due_at(IN_FORCE, VN)  # as the day's first sweep leaves it
            s.add(row)
        s.commit()
        pages = ("/", "/matrix", f"/tasks/{task.id}", f"/units/{unit.id}")
    async with served.signed_in(COORDINATOR) as browser:
        for path in pages:
            page = await browser.get(path)
            assert page.status_code == 200
            assert SAID in page.text, path
            assert "ngày nghỉ))" not in page.text, path  # one pair of brackets, not two


async def test_overview_and_matrix_list_tasks_by_the_deadline_in_force(served: Served) -> None:
    """The overview and the matrix list a Saturday's tasks (due Monday) before Monday's, one
    deadline's by title in Vietnamese order ("Dự thảo" before "Đánh giá"), not by number."""
    with served.bot.session() as s:
        unit = make_unit(s, "NN", "Xã Ngày Nghỉ")
        for title, deadline in (
            ("Đánh giá mức độ chuyển đổi số", STORED),
            ("Ban hành kế hoạch", IN_FORCE),
            ("Dự thảo quy chế", STORED),
        ):
            make_task(s, title, deadline, [unit])
    order = ["Dự thảo quy chế", "Đánh giá mức độ chuyển đổi số", "Ban hành kế hoạch"]
    async with served.signed_in(COORDINATOR) as browser:
        for path in ("/", "/matrix"):
            page = await browser.get(path)
            assert page.status_code == 200
            found = [page.text.index(title) for title in order]
            assert found == sorted(found), path
