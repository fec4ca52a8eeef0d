"""A province's task page: a task given to thousands of units is read by the query that
finds its rows, not by thousands of numbers bound into each statement.

A task given to 3,000 communes bound the 3,000 numbers of its assignments into each of the
five statements that read their reports, requests, decisions and files (SQLAlchemy's
compiling of them alone took 0,6 s of the page's worker thread), and read every report the
units ever sent to keep the latest of each. `bench.pages --units 3000` measures it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlmodel import select

from db.models import Assignment, StatusReport
from tests.factories import make_task, make_unit
from tests.web.conftest import COORDINATOR, DEADLINE, Served

UNITS = 40
# The tables whose rows the page reads for each of its units (their report, their requests
# pending and decided, their evidence files).
ROW_TABLES = ("status_report", "extension_request", "evidence")


async def test_a_task_pages_statements_bind_no_number_per_unit(served: Served) -> None:
    """A task given to 40 communes, each of which reported twice: the page shows each
    commune's latest report, and none of the statements reading the units' reports,
    requests and files binds a number per unit (each bound all 40 assignments' numbers)."""
    with served.bot.session() as s:
        units = [make_unit(s, f"XS{i:02}", f"Xã Số {i}") for i in range(UNITS)]
        task = make_task(s, "Kế hoạch của cả tỉnh", DEADLINE, units)
        rows = s.exec(select(Assignment).where(Assignment.task_id == task.id)).all()
        for words in ("lần đầu đang làm", "lần sau đang làm"):
            for row in rows:
                s.add(
                    StatusReport(
                        assignment_id=row.id or 0,
                        state="in_progress",
                        percent=50,
                        text=words,
                        created_at=served.bot.clock.now(),
                    )
                )
            s.commit()
    bound: list[tuple[str, int]] = []

    def count(_c: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if any(f"FROM {table}" in statement for table in ROW_TABLES):
            bound.append((statement, len(parameters or ())))

    async with served.signed_in(COORDINATOR) as browser:
        event.listen(served.bot.engine, "before_cursor_execute", count)
        try:
            page = await browser.get(f"/tasks/{task.id}")
        finally:
            event.remove(served.bot.engine, "before_cursor_execute", count)
    assert page.status_code == 200
    assert page.text.count("lần sau đang làm") == UNITS
    assert "lần đầu đang làm" not in page.text
    assert bound, "no statement read the units' rows"
    assert [(sql, n) for sql, n in bound if n >= UNITS] == []
