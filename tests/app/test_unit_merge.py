"""Units merged into one (communes merged by the 2025 reform), on SQLite and PostgreSQL.

Xã An Hòa and Xã Bình Minh became Xã Hòa Bình: their open work and people move to it, the
old units are deactivated with their history, and a task two of them were on becomes one
assignment of the new unit with the most advanced status.
"""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import event, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, col, func, select

from app.i18n import load_catalog
from app.services import Services
from app.unit_merge import merge, parse_typed, plan
from bot.settings import Settings
from core.clock import ManualClock
from db.models import (
    Assignment,
    AuditLog,
    Outbox,
    OutboxItem,
    Reminder,
    StatusReport,
    Unit,
    UnitContact,
)
from db.queries import unit_merge as unit_merge_queries
from db.queries.outbox import enqueue
from db.queries.reminder_outbox import to_chase
from db.queries.taskcounts import drift
from tests.factories import VN, make_contact, make_task, make_unit
from tests.harness import DEFAULT_NOW

NOW = DEFAULT_NOW
# The tables whose rows about an assignment taken off follow the kept one.
FOLLOWING = re.compile(r"\b(reminder|outbox_item|extension_request|explanation)\b")
DUE = date(2026, 12, 18)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest) -> Engine:
    """Return this test's SQLite database, or a fresh PostgreSQL one."""
    engine: Engine = request.getfixturevalue(
        "engine" if request.param == "sqlite" else "pg_engine"
    )
    return engine


def services_on(db: Engine, settings: Settings) -> Services:
    """Return the services of a province on this database."""
    return Services(settings, db, load_catalog(), ManualClock(NOW))


def reported(s: Session, assignment: Assignment, state: str, percent: int | None = None) -> None:
    """Record a unit's report on its assignment, as a check-in does."""
    when = NOW - timedelta(days=1)
    assignment.state, assignment.percent, assignment.last_report_at = state, percent, when
    s.add(assignment)
    s.add(StatusReport(assignment_id=assignment.id or 0, state=state, percent=percent))
    s.commit()


def of(s: Session, task_id: int | None, unit: Unit | int | None) -> Assignment:
    """Return a unit's assignment of a task."""
    unit_id = unit.id if isinstance(unit, Unit) else unit
    query = select(Assignment).where(Assignment.task_id == task_id, Assignment.unit_id == unit_id)
    return s.exec(query).one()


def test_merging_moves_open_work_and_people_and_keeps_the_old_units_history(
    db: Engine, settings: Settings
) -> None:
    """An Hòa's open task goes to Hòa Bình with its status, deadline and reminders; a task
    An Hòa and Bình Minh were both on becomes one assignment of Hòa Bình with the most
    advanced status (Bình Minh's 60%); An Hòa's done work stays its own; both old units are
    deactivated, their reports kept on their assignments; their people are Hòa Bình's, a
    person of both once; it is audited and the people are told in office time."""
    with Session(db) as s:
        admin = make_contact(s, 9000, role="admin")
        an_hoa, binh_minh = (
            make_unit(s, "XA-AH", "Xã An Hòa"),
            make_unit(s, "XA-BM", "Xã Bình Minh"),
        )
        hoa_binh = make_unit(s, "XA-HB", "Xã Hòa Bình")
        lan = make_contact(s, 2001, units=[an_hoa], name="Lan")
        minh = make_contact(s, 2002, units=[an_hoa, binh_minh], name="Minh")
        ha = make_contact(s, 2003, units=[hoa_binh], name="Hà")
        alone = make_task(s, "Kế hoạch chuyển đổi số", DUE, [an_hoa])
        both = make_task(s, "Ban chỉ đạo cấp xã", DUE, [an_hoa, binh_minh])
        done = make_task(s, "Báo cáo quý", DUE, [an_hoa])
        reported(s, of(s, alone.id, an_hoa), "in_progress", 30)
        reported(s, of(s, both.id, an_hoa), "blocked")
        reported(s, of(s, both.id, binh_minh), "in_progress", 60)
        reported(s, of(s, done.id, an_hoa), "done")
        old_alone = of(s, alone.id, an_hoa)
        s.add(Reminder(key=f"r:{old_alone.id}:2026-11-18", assignment_id=old_alone.id or 0,
                       kind="assigned", due_on=NOW.date(), status="queued"))  # fmt: skip
        s.commit()
        ids = admin.id, lan.id, minh.id, old_alone.id
        alone_id, both_id, done_id = alone.id, both.id, done.id
        old_deadline, old_due = old_alone.deadline, old_alone.due_at
        units = an_hoa.id, binh_minh.id, hoa_binh.id
        ha_id = ha.id
    services = services_on(db, settings)

    asked = plan(services, "vi", old=["XA-AH", "xa binh minh"], into="XA-HB", actor_id=ids[0])
    assert asked.possible
    assert "Gộp Xã An Hòa (XA-AH), Xã Bình Minh (XA-BM) vào Xã Hòa Bình (XA-HB)" in asked.text
    assert f"2 nhiệm vụ đang mở chuyển sang Xã Hòa Bình (XA-HB): #{alone_id}, #{both_id}" in (
        asked.text
    )
    assert f"#{both_id}: thành một nhiệm vụ của đơn vị mới" in asked.text
    assert "«Đang thực hiện 60%» (của Xã Bình Minh (XA-BM))" in asked.text
    with Session(db) as s:  # the plan changed nothing
        assert of(s, alone_id, units[0]).active
        assert s.get_one(Unit, units[0]).active

    done_text = merge(
        services, "vi", old_ids=asked.old_ids, new_id=asked.new_id, actor_id=ids[0]
    ).text
    assert "Đã gộp Xã An Hòa (XA-AH), Xã Bình Minh (XA-BM) vào Xã Hòa Bình (XA-HB)" in done_text
    assert "2 người liên hệ" in done_text
    with Session(db) as s:
        moved = of(s, alone_id, units[2])
        assert (moved.active, moved.state, moved.percent) == (True, "in_progress", 30)
        assert (moved.deadline, moved.due_at) == (old_deadline, old_due)
        assert s.exec(select(Reminder.key).where(Reminder.assignment_id == moved.id)).all() == [
            f"r:{moved.id}:2026-11-18"
        ]
        joined = of(s, both_id, units[2])
        assert (joined.active, joined.state, joined.percent) == (True, "in_progress", 60)
        assert not of(s, both_id, units[0]).active
        assert not of(s, both_id, units[1]).active
        # History stays the old units': their reports on their own (inactive) assignments.
        assert moved.id == ids[3]  # handed over whole: its reminders and messages go on
        [history] = s.exec(
            select(Assignment).where(
                Assignment.task_id == alone_id, Assignment.unit_id == units[0]
            )
        ).all()
        assert (history.active, history.state, history.percent) == (False, "in_progress", 30)
        reports = s.exec(select(StatusReport).where(StatusReport.assignment_id == history.id))
        assert [r.percent for r in reports] == [30]
        assert not s.exec(select(StatusReport).where(StatusReport.assignment_id == moved.id)).all()
        kept_done = of(s, done_id, units[0])
        assert (kept_done.active, kept_done.state) == (True, "done")
        assert (
            s.exec(
                select(Assignment).where(
                    Assignment.task_id == done_id, Assignment.unit_id == units[2]
                )
            ).all()
            == []
        )
        assert not s.get_one(Unit, units[0]).active
        assert not s.get_one(Unit, units[1]).active
        links = s.exec(select(UnitContact.unit_id, UnitContact.contact_id)).all()
        assert sorted(c for u, c in links if u == units[2]) == sorted(
            i or 0 for i in (*ids[1:3], ha_id)
        )
        assert [u for u, _ in links if u in (units[0], units[1])] == []
        assert drift(s) == []  # the summaries' counts follow the move
        actions = s.exec(select(AuditLog.action).order_by(col(AuditLog.id))).all()
        assert actions.count("task.units_merged") == 2
        assert actions.count("unit.deactivated") == 2
        assert "unit.merged" in actions
        notices = s.exec(select(Outbox).where(Outbox.kind == "notice")).all()
        assert sorted(n.contact_id or 0 for n in notices) == sorted(i or 0 for i in ids[1:3])
        assert all("đã được gộp vào Xã Hòa Bình" in n.payload["text"] for n in notices)


def test_a_reminder_queued_to_the_old_unit_goes_on_for_the_new_one(
    db: Engine, settings: Settings
) -> None:
    """A reminder queued to An Hòa's official before the merge is still theirs to get after
    it (about Hòa Bình's assignment now), not dropped as about a unit taken off."""
    with Session(db) as s:
        an_hoa, hoa_binh = make_unit(s, "XA-AH", "Xã An Hòa"), make_unit(s, "XA-HB", "Xã Hòa Bình")
        lan = make_contact(s, 2001, units=[an_hoa], name="Lan")
        task = make_task(s, "Kế hoạch chuyển đổi số", DUE, [an_hoa])
        old = of(s, task.id, an_hoa)
        message = enqueue(s, key="rem:test", chat_id="2001", kind="reminder", text="Nhắc việc",
                          now=NOW, contact_id=lan.id, assignment_ids=[old.id or 0])  # fmt: skip
        s.commit()
        assert message is not None
        outbox_id, task_id, new_unit = message.id or 0, task.id, hoa_binh.id
    services = services_on(db, settings)
    asked = plan(services, "vi", old=["XA-AH"], into="XA-HB", actor_id=None)
    merge(services, "vi", old_ids=asked.old_ids, new_id=asked.new_id, actor_id=None)
    with Session(db) as s:
        new = of(s, task_id, new_unit)
        assert to_chase(s, outbox_id=outbox_id) == ({new.id}, {new.id})
        assert s.exec(select(OutboxItem.assignment_id)).all() == [new.id]


def test_one_unit_merged_into_two_at_once_goes_to_one(db: Engine, settings: Settings) -> None:
    """An Hòa merged into Hòa Bình by one admin and into Bình Minh by another, both
    confirmed at the same moment: one merge is made, the other refused as An Hòa is
    deactivated, and its open task is on one unit."""
    with Session(db) as s:
        an_hoa = make_unit(s, "XA-AH", "Xã An Hòa")
        targets = [make_unit(s, code).id or 0 for code in ("XA-HB", "XA-BM")]
        task_id = make_task(s, "Kế hoạch chuyển đổi số", DUE, [an_hoa]).id
        old_id = an_hoa.id or 0
    services = services_on(db, settings)
    ready = threading.Barrier(2, timeout=10)  # a guard against a hang, not a measure

    def attempt(new_id: int) -> str:
        ready.wait()
        return merge(services, "vi", old_ids=(old_id,), new_id=new_id, actor_id=None).text

    with ThreadPoolExecutor(2) as pool:
        said = list(pool.map(attempt, targets))
    assert sum("Đã gộp" in words for words in said) == 1
    assert sum("Xã An Hòa (XA-AH) đã ngừng theo dõi" in words for words in said) == 1
    with Session(db) as s:
        query = select(Assignment.unit_id).where(
            Assignment.task_id == task_id, col(Assignment.active).is_(True)
        )
        assert len(s.exec(query).all()) == 1


@pytest.mark.parametrize(
    ("old", "into", "said"),
    [
        (["XA-AH"], "XA-AH", "không thể gộp vào chính nó"),
        (["XA-ZZ"], "XA-HB", "Không tìm thấy đơn vị «XA-ZZ»"),
        (["XA-CU"], "XA-HB", "Xã Cũ (XA-CU) đã ngừng theo dõi"),
        (["XA-AH"], "XA-CU", "Xã Cũ (XA-CU) đã ngừng theo dõi"),
    ],
)
def test_merging_refuses_a_unit_into_itself_unknown_or_deactivated(
    engine: Engine, settings: Settings, old: list[str], into: str, said: str
) -> None:
    """A unit into itself, a unit unknown or deactivated: refused in words, nothing moved."""
    with Session(engine) as s:
        an_hoa = make_unit(s, "XA-AH", "Xã An Hòa")
        make_unit(s, "XA-HB", "Xã Hòa Bình")
        make_unit(s, "XA-CU", "Xã Cũ").active = False
        make_task(s, "Kế hoạch chuyển đổi số", DUE, [an_hoa])
        s.commit()
        an_hoa_id = an_hoa.id
    asked = plan(services_on(engine, settings), "vi", old=old, into=into, actor_id=None)
    assert not asked.possible
    assert said in asked.text
    with Session(engine) as s:
        assert s.exec(select(Assignment.unit_id)).all() == [an_hoa_id]


def test_merging_refuses_a_person_not_an_admin(engine: Engine, settings: Settings) -> None:
    """A coordinator who names units to merge is refused, planned or confirmed."""
    with Session(engine) as s:
        make_unit(s, "XA-AH", "Xã An Hòa")
        make_unit(s, "XA-HB", "Xã Hòa Bình")
        coordinator = make_contact(s, 3001, role="coordinator").id
    services = services_on(engine, settings)
    asked = plan(services, "vi", old=["XA-AH"], into="XA-HB", actor_id=coordinator)
    assert asked.text.startswith("Chỉ quản trị viên mới gộp được đơn vị")
    refused = merge(services, "vi", old_ids=(1,), new_id=2, actor_id=coordinator)
    assert not refused.possible
    with Session(engine) as s:
        assert all(s.exec(select(Unit.active)).all())


def test_typed_merge_reads_old_units_before_the_bar_and_the_new_after() -> None:
    """`/mergeunits XA-A, Xã B | XA-C` names two old units and the new one; no bar, none."""
    assert parse_typed("XA-A, Xã  B | XA-C") == (["XA-A", "Xã  B"], "XA-C")
    assert parse_typed("XA-A XA-C") is None
    assert parse_typed("| XA-C") is None


def test_a_task_the_new_unit_has_done_stays_done_and_the_old_units_are_taken_off(
    engine: Engine, settings: Settings
) -> None:
    """Hòa Bình reported the task done; An Hòa, also on it, had not: Hòa Bình's done report
    is the status kept, as it was (its moment too), and An Hòa is taken off it."""
    with Session(engine) as s:
        an_hoa, hoa_binh = make_unit(s, "XA-AH", "Xã An Hòa"), make_unit(s, "XA-HB", "Xã Hòa Bình")
        task = make_task(s, "Kế hoạch chuyển đổi số", DUE, [an_hoa, hoa_binh])
        reported(s, of(s, task.id, hoa_binh), "done")
        reported(s, of(s, task.id, an_hoa), "in_progress", 80)
        late = of(s, task.id, an_hoa)
        late.last_report_at = NOW
        s.add(late)
        s.commit()
        task_id, units = task.id, (an_hoa.id, hoa_binh.id)
    services = services_on(engine, settings)
    asked = plan(services, "vi", old=["XA-AH"], into="XA-HB", actor_id=None)
    assert "giữ trạng thái tiến triển nhất «Hoàn thành» (của Xã Hòa Bình (XA-HB))" in asked.text
    merge(services, "vi", old_ids=asked.old_ids, new_id=asked.new_id, actor_id=None)
    with Session(engine) as s:
        kept = of(s, task_id, units[1])
        assert (kept.active, kept.state) == (True, "done")
        assert kept.last_report_at == NOW - timedelta(days=1)
        assert not of(s, task_id, units[0]).active


def test_people_of_units_merged_in_the_evening_are_told_the_next_morning(
    engine: Engine, settings: Settings
) -> None:
    """Merged at 19:00 on Wednesday: An Hòa's official is told on Thursday at 07:30, when
    office time opens, not in the evening."""
    with Session(engine) as s:
        an_hoa = make_unit(s, "XA-AH", "Xã An Hòa")
        make_unit(s, "XA-HB", "Xã Hòa Bình")
        make_contact(s, 2001, units=[an_hoa], name="Lan")
        make_task(s, "Kế hoạch chuyển đổi số", DUE, [an_hoa])
    evening = datetime(2026, 11, 18, 19, 0, tzinfo=VN)
    services = Services(settings, engine, load_catalog(), ManualClock(evening))
    asked = plan(services, "vi", old=["XA-AH"], into="XA-HB", actor_id=None)
    said = merge(services, "vi", old_ids=asked.old_ids, new_id=asked.new_id, actor_id=None)
    assert "Đã báo cho 1 người phụ trách" in said.text
    with Session(engine) as s:
        [notice] = s.exec(select(Outbox).where(Outbox.kind == "notice")).all()
    assert notice.not_before == datetime(2026, 11, 19, 7, 30, tzinfo=VN)


def one_task_of_units(db: Engine, count: int, code: str) -> tuple[tuple[int, ...], int]:
    """Give a task to `count` old units, each reminded today and messaged once about it;
    return the old units' ids and the new unit's."""
    with Session(db) as s:
        olds = [make_unit(s, f"{code}-{n:03d}") for n in range(count)]
        new = make_unit(s, f"{code}-MOI")
        task = make_task(s, "Kế hoạch chuyển đổi số", DUE, olds)
        for unit in olds:
            work = of(s, task.id, unit)
            s.add(Reminder(key=f"r:{work.id}:2026-11-18", assignment_id=work.id or 0,
                           kind="assigned", due_on=NOW.date(), status="queued"))  # fmt: skip
            enqueue(s, key=f"rem:{work.id}", chat_id="1", kind="reminder", text="Nhắc việc",
                    now=NOW, assignment_ids=[work.id or 0])  # fmt: skip
        s.commit()
        return tuple(u.id or 0 for u in olds), new.id or 0


def statements_of_merge(db: Engine, settings: Settings, count: int) -> int:
    """Return how many statements about reminders, messages, extension requests and
    explanations merging `count` units on one task runs."""
    old_ids, new_id = one_task_of_units(db, count, f"X{count}")
    ran: list[str] = []

    def counted(*args: object) -> None:
        if FOLLOWING.search(str(args[2])):
            ran.append(str(args[2]))

    event.listen(db, "before_cursor_execute", counted)
    try:
        merge(services_on(db, settings), "vi", old_ids=old_ids, new_id=new_id, actor_id=None)
    finally:
        event.remove(db, "before_cursor_execute", counted)
    return len(ran)


def test_merging_forty_units_runs_as_many_statements_as_merging_four(
    engine: Engine, settings: Settings
) -> None:
    """The reminders, messages, requests and explanations of the assignments a merge takes
    off follow the kept one in a few statements for the whole merge, not a few for each:
    200 units' 8,600 assignments held the write lock, and every reply, for most of a
    minute."""
    few = statements_of_merge(engine, settings, 4)
    many = statements_of_merge(engine, settings, 40)
    assert many == few


def test_a_large_merge_moves_its_work_a_slice_at_a_time_and_others_write_between(
    db: Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A merge of more open work than a transaction moves commits a slice of its tasks at a
    time (another person's write goes in after the first, one task moved then), and
    ends as one merge: every task moved, the old units deactivated, audited once."""
    monkeypatch.setattr(unit_merge_queries, "SLICE_ROWS", 2)
    with Session(db) as s:
        an_hoa, binh_minh = make_unit(s, "XA-AH"), make_unit(s, "XA-BM")
        hoa_binh = make_unit(s, "XA-HB")
        tasks = [make_task(s, f"Nhiệm vụ {n}", DUE, [an_hoa, binh_minh]).id for n in range(3)]
        old_ids, new_id = (an_hoa.id or 0, binh_minh.id or 0), hoa_binh.id or 0
    moved_when_others_wrote: list[int] = []

    def another_writer(session: Session) -> None:
        if moved_when_others_wrote:
            return
        with db.begin() as other:  # a reply's write, between the merge's transactions
            other.execute(update(Unit).where(col(Unit.id) == new_id).values(updated_at=NOW))
            query = select(func.count()).where(
                Assignment.unit_id == new_id, col(Assignment.active).is_(True)
            )
            moved_when_others_wrote.append(other.execute(query).scalar_one())

    event.listen(OrmSession, "after_commit", another_writer)
    try:
        done = merge(services_on(db, settings), "vi", old_ids=old_ids, new_id=new_id,
                     actor_id=None)  # fmt: skip
    finally:
        event.remove(OrmSession, "after_commit", another_writer)
    assert moved_when_others_wrote == [1]
    assert f"#{tasks[2]}" in done.text
    with Session(db) as s:
        assert [of(s, t, new_id).active for t in tasks] == [True, True, True]
        assert not s.get_one(Unit, old_ids[0]).active
        actions = s.exec(select(AuditLog.action)).all()
        assert actions.count("unit.merged") == 1
        assert actions.count("task.units_merged") == 3
