"""/calendar (Telegram's and Zalo's, one use case): overrides of one day that replace each
other, and no day already past.

A day off added after the day moved the deadlines of the open tasks due then, after the
fact: a unit late that day was no longer late. It is refused, saying why; today is fine.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.calendar_days import moves
from app.calendar_days.command import change
from app.i18n import load_catalog
from app.services import Services
from bot.app import build_services
from bot.settings import Settings
from core.clock import ManualClock
from core.taskdates import due_at
from db.models import Assignment, CalendarOverride, Outbox, Task
from db.queries.reports import record_report
from tests.factories import VN, make_contact, make_task, make_unit
from tests.harness import DEFAULT_NOW
from tests.scheduler.support import at

TOKEN = "123456:TEST-token-for-the-fake-bot-api-server"
WED = date(2026, 11, 18)


def test_a_day_off_made_a_working_day_gives_back_the_deadlines_it_moved(
    settings: Settings, engine: Engine
) -> None:
    """`/calendar work` over a day off (the storm did not come) moves its tasks back to the
    day, as `/calendar remove` would, and says so: nothing is left a day late."""
    services = Services(settings, engine, load_catalog(), ManualClock(DEFAULT_NOW))
    friday = date(2026, 11, 27)
    with Session(engine) as s:
        admin = make_contact(s, 9101, role="admin")
        task = make_task(s, "Báo cáo tuần", friday, [make_unit(s, "X1")])
        admin_id, task_id = admin.id or 0, task.id
    change(services, "vi", admin_id, "add 27/11/2026 bão")
    said = change(services, "vi", admin_id, "work 27/11/2026 hết bão")
    assert "được trả lại ngày 27/11/2026: #1" in said
    with Session(engine) as s:
        found = s.get(Task, task_id)
        assert found is not None
        assert found.deadline == friday


def test_a_past_day_off_is_refused_and_moves_no_deadline(
    engine: Engine, session: Session, settings: Settings
) -> None:
    admin = make_contact(session, 90001, role="admin")
    task = make_task(session, "Báo cáo tuần", date(2026, 11, 13), [make_unit(session, "X1")])
    services = build_services(settings, TOKEN, clock=ManualClock(at(WED, 10)), engine=engine)

    said = change(services, "vi", admin.id or 0, "add 13/11/2026 bão")

    assert "Không đặt được ngày 13/11/2026: ngày này đã qua" in said
    assert "hôm nay (18/11/2026)" in said
    session.expire_all()
    assert session.exec(select(CalendarOverride)).all() == []
    assert session.get(Task, task.id).deadline == date(2026, 11, 13)  # type: ignore[union-attr]
    assert "ngày nghỉ" in change(services, "vi", admin.id or 0, "add 18/11/2026 bão")


def test_a_day_off_moves_its_tasks_a_transaction_each(settings: Settings, engine: Engine) -> None:
    """A day off holding many tasks moves them one commit at a time: in one transaction,
    SQLite's write lock was held while every task's assignments moved (tens of thousands at
    a province's scale), and every official's status report waited past its 2 s timeout."""
    services = Services(settings, engine, load_catalog(), ManualClock(DEFAULT_NOW))
    friday = date(2026, 11, 27)
    with Session(engine) as s:
        admin_id = make_contact(s, 9101, role="admin").id or 0
        units = [make_unit(s, f"X{i}") for i in range(2)]
        ids = [make_task(s, f"Báo cáo {i}", friday, units).id for i in range(3)]
    said, moves = _commits_before_moves(
        engine, lambda: change(services, "vi", admin_id, "add 27/11/2026 bão")
    )
    assert "#1, #2, #3" in said
    assert len(set(moves)) == len(ids)
    with Session(engine) as s:
        assert {s.get(Task, i).deadline for i in ids} == {date(2026, 11, 30)}  # type: ignore[union-attr]


def _commits_before_moves(engine: Engine, do: Callable[[], str]) -> tuple[str, list[int]]:
    """Run `do`, returning what it said and, for each UPDATE of assignments, the commits
    made before it."""
    commits = 0
    moves: list[int] = []

    def committed(_conn: object) -> None:
        nonlocal commits
        commits += 1

    def executed(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.lstrip().upper().startswith("UPDATE ASSIGNMENT"):
            moves.append(commits)

    event.listen(engine, "commit", committed)
    event.listen(engine, "before_cursor_execute", executed)
    try:
        return do(), moves
    finally:
        event.remove(engine, "commit", committed)
        event.remove(engine, "before_cursor_execute", executed)


def test_removing_a_day_off_moves_its_tasks_back_a_transaction_each(
    settings: Settings, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A task of many units moves a few rows a transaction, off the day and back; removing
    the day off moves a task back a commit at a time too (in one transaction it held
    SQLite's lock as long as adding it once did), giving back exactly what adding moved."""
    monkeypatch.setattr("app.calendar_days.moves.MOVE_ROWS_AT_ONCE", 2)
    services = Services(settings, engine, load_catalog(), ManualClock(DEFAULT_NOW))
    friday = date(2026, 11, 27)
    with Session(engine) as s:
        admin_id = make_contact(s, 9101, role="admin").id or 0
        units = [make_unit(s, f"X{i}") for i in range(5)]
        ids = [make_task(s, f"Báo cáo {i}", friday, units).id for i in range(2)]
    said, moves = _commits_before_moves(
        engine, lambda: change(services, "vi", admin_id, "add 27/11/2026 bão")
    )
    assert "#1, #2" in said
    assert len(set(moves)) >= 6  # each task's 5 rows in 3 transactions
    said, moves = _commits_before_moves(
        engine, lambda: change(services, "vi", admin_id, "remove 27/11/2026")
    )
    assert "được trả lại ngày 27/11/2026: #1, #2" in said
    assert len(set(moves)) >= 6
    with Session(engine) as s:
        assert {s.get(Task, i).deadline for i in ids} == {friday}  # type: ignore[union-attr]
        rows = s.exec(select(Assignment)).all()
        assert {(a.deadline, a.original_deadline) for a in rows} == {(friday, friday)}
        assert {a.due_at for a in rows} == {due_at(friday, settings.tz)}


def test_a_task_moved_a_few_rows_a_transaction_tells_each_person_once(
    settings: Settings, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A day off moving a task's rows two at a time queues each chunk's notices with it:
    the contact of two units in different chunks is told once, the unit done not at all;
    removing the day off tells them again, once, of the deadline back."""
    monkeypatch.setattr(moves, "MOVE_ROWS_AT_ONCE", 2)
    monkeypatch.setattr(moves, "PAUSE_PER_HELD", 0.0)
    services = Services(settings, engine, load_catalog(), ManualClock(DEFAULT_NOW))
    with Session(engine) as s:
        admin = make_contact(s, 9101, role="admin")
        units = [make_unit(s, f"R{i}") for i in range(5)]
        make_task(s, "Báo cáo tuần", date(2026, 11, 27), units)
        make_contact(s, 9201, units=[units[0], units[4]], name="Lan")
        make_contact(s, 9202, units=[units[2]], name="Mai")
        make_contact(s, 9203, units=[units[3]], name="Tú")
        done = s.exec(select(Assignment).where(Assignment.unit_id == units[3].id)).one()
        record_report(s, assignment_id=done.id or 0, state="done", now=DEFAULT_NOW)
        s.commit()
        admin_id = admin.id or 0

    def told() -> list[str]:
        with Session(engine) as s:
            query = select(Outbox).where(col(Outbox.key).startswith("task-changed:"))
            return sorted(o.chat_id for o in s.exec(query))

    assert "Đã báo cho 2 người" in change(services, "vi", admin_id, "add 27/11/2026 bão")
    assert told() == ["9201", "9202"]
    assert "Đã báo cho 2 người" in change(services, "vi", admin_id, "remove 27/11/2026")
    assert told() == ["9201", "9201", "9202", "9202"]


def _due_and_notices(engine: Engine, task_id: int) -> tuple[set[datetime], list[str]]:
    """Return the task's assignments' `due_at`, and the notices queued so far."""
    with Session(engine) as s:
        dues = {a.due_at for a in s.exec(select(Assignment).where(Assignment.task_id == task_id))}
        notices = s.exec(select(Outbox).where(Outbox.kind == "notice").order_by(col(Outbox.id)))
        return dues, [n.payload["text"] for n in notices]


def test_a_tet_day_made_a_working_day_is_the_day_due_of_a_deadline_rolled_past_it(
    settings: Settings, engine: Engine
) -> None:
    """A deadline on 04/02/2027 (29 Tết, a day off) is due 11/02, after Tết, and its unit is
    told so. The province works that day after all (`/calendar work`): the deadline is met on
    04/02 again. Before, nothing said so, the stored due day stayed 11/02 until the next
    morning's sweep moved it a week earlier unannounced, and the admin was not told the day
    was Tết."""
    services = Services(settings, engine, load_catalog(), ManualClock(at(date(2027, 1, 25))))
    with Session(engine) as s:
        admin_id = make_contact(s, 9101, role="admin").id or 0
        unit = make_unit(s, "X1", "Xã Một")
        make_contact(s, 9201, units=[unit])
        task_id = make_task(s, "Báo cáo trước Tết", date(2027, 2, 4), [unit]).id or 0
    assert _due_and_notices(engine, task_id) == ({due_at(date(2027, 2, 11), VN)}, [])

    said = change(services, "vi", admin_id, "work 04/02/2027 theo công văn của tỉnh")

    assert "04/02/2027 là ngày nghỉ lễ (29 Tết)" in said
    assert "Hạn của 1 nhiệm vụ ghi vào ngày nghỉ liền trước nay tính đến 04/02/2027" in said
    assert f"#{task_id}" in said
    dues, notices = _due_and_notices(engine, task_id)
    assert dues == {due_at(date(2027, 2, 4), VN)}
    [notice] = notices
    assert (
        "ngày 04/02/2027 nay là ngày làm việc, hạn tính đến **04/02/2027** (thay vì 11/02/2027)"
        in notice
    )


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_a_day_off_after_a_weekend_deadline_moves_its_day_due_and_back(
    settings: Settings, database: str, request: pytest.FixtureRequest
) -> None:
    """A deadline on Saturday 28/11 is met on Monday 30/11. The province gives that Monday
    off: the deadline (not on the day itself, so not moved) is met on Tuesday 1/12, its unit
    told; the day off removed, Monday again. Before, the day due stayed Monday (a unit
    done on Tuesday counted late) until the next sweep, and nobody was told either way."""
    engine: Engine = request.getfixturevalue("engine" if database == "sqlite" else "pg_engine")
    services = Services(settings, engine, load_catalog(), ManualClock(DEFAULT_NOW))
    with Session(engine) as s:
        admin_id = make_contact(s, 9101, role="admin").id or 0
        unit = make_unit(s, "X1", "Xã Một")
        make_contact(s, 9201, units=[unit])
        task_id = make_task(s, "Báo cáo tuần", date(2026, 11, 28), [unit]).id or 0

    said = change(services, "vi", admin_id, "add 30/11/2026 bão")

    assert f"nay tính đến 01/12/2026 (Bộ luật Dân sự 2015, điều 148): #{task_id}" in said
    dues, notices = _due_and_notices(engine, task_id)
    assert dues == {due_at(date(2026, 12, 1), VN)}
    assert "hạn lùi sang **01/12/2026**" in notices[-1]

    said = change(services, "vi", admin_id, "remove 30/11/2026")

    assert f"nay tính đến 30/11/2026 (Bộ luật Dân sự 2015, điều 148): #{task_id}" in said
    dues, notices = _due_and_notices(engine, task_id)
    assert dues == {due_at(date(2026, 11, 30), VN)}
    assert "hạn tính đến **30/11/2026** (thay vì 01/12/2026)" in notices[-1]
