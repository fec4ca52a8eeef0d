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
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import event, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, col, func, select

from app.actor import Actor
from app.evidence_files import find, kept_file
from app.i18n import load_catalog
from app.reporting import Recorded, Report, record
from app.services import Services
from app.unit_merge import merge, parse_typed, plan
from bot.settings import Settings
from core.clock import ManualClock
from db.models import (
    Assignment,
    AuditLog,
    Evidence,
    Outbox,
    OutboxItem,
    Reminder,
    StatusReport,
    Unit,
    UnitContact,
    UnitGroup,
)
from db.queries import unit_merge as unit_merge_queries
from db.queries.checkin import Check, check_reportable
from db.queries.evidence import evidence_of
from db.queries.export import load
from db.queries.outbox import enqueue
from db.queries.reminder_outbox import to_chase
from db.queries.reports import record_report
from db.queries.scope import contact_scope, set_scope
from db.queries.taskcounts import drift
from db.queries.unit_merge import merge_units
from tests.factories import VN, make_contact, make_task, make_unit
from tests.harness import DEFAULT_NOW
from tests.locks import waiting_for_a_lock

NOW = DEFAULT_NOW
# The tables whose rows about an assignment taken off follow the kept one.
FOLLOWING = re.compile(r"\b(reminder|outbox_item|extension_request|explanation)\b")
DUE = date(2026, 12, 18)
UNIT_WRITES = re.compile(r"^\s*(UPDATE unit\b|INSERT INTO audit_log\b)")


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
    assert sum("Xã An Hòa (XA-AH) đã được gộp vào" in words for words in said) == 1
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


def test_a_row_taken_off_by_merges_one_after_another_leads_to_the_last_kept_one(
    db: Engine, settings: Settings
) -> None:
    """An Hòa and Bình Minh became Hòa Bình (An Hòa's row of the task taken off, Bình Minh's
    60% kept), then Hòa Bình and Tân An became Tân Hòa (Tân An's 80% kept, Hòa Bình's row
    taken off): a button naming An Hòa's row reaches Tân Hòa's assignment, for Tân Hòa's
    people only."""
    with Session(db) as s:
        an_hoa, binh_minh, tan_an = (
            make_unit(s, code, name)
            for code, name in (("XA-AH", "Xã An Hòa"), ("XA-BM", "Xã Bình Minh"),
                               ("XA-TA", "Xã Tân An"))
        )  # fmt: skip
        hoa_binh, tan_hoa = (
            make_unit(s, "XA-HB", "Xã Hòa Bình"),
            make_unit(s, "XA-TH", "Xã Tân Hòa"),
        )
        task = make_task(s, "Ban chỉ đạo cấp xã", DUE, [an_hoa, binh_minh, tan_an])
        reported(s, of(s, task.id, binh_minh), "in_progress", 60)
        reported(s, of(s, task.id, tan_an), "in_progress", 80)
        first = an_hoa.id or 0, binh_minh.id or 0, hoa_binh.id or 0
        second = hoa_binh.id or 0, tan_an.id or 0, tan_hoa.id or 0
        pressed, task_id = of(s, task.id, an_hoa).id or 0, task.id
    services = services_on(db, settings)
    assert merge(services, "vi", old_ids=first[:2], new_id=first[2], actor_id=None).possible
    assert merge(services, "vi", old_ids=second[:2], new_id=second[2], actor_id=None).possible
    with Session(db) as s:
        last = of(s, task_id, second[2])
        check, target = check_reportable(s, assignment_id=pressed, unit_ids=[second[2]])
        assert (check, target and target.assignment_id) == (Check.OK, last.id)
        assert (last.active, last.percent) == (True, 80)
        theirs, _ = check_reportable(s, assignment_id=pressed, unit_ids=[first[0]])
        assert theirs == Check.NOT_YOURS


def test_the_new_unit_named_among_the_old_ones_takes_the_others_in(
    engine: Engine, settings: Settings
) -> None:
    """`/mergeunits Xã An Hòa, Xã Hòa Bình | Xã Hòa Bình` (every unit of the merge listed)
    was refused as a unit into itself: it merges An Hòa into Hòa Bình."""
    with Session(engine) as s:
        an_hoa = make_unit(s, "XA-AH", "Xã An Hòa")
        hoa_binh_id = make_unit(s, "XA-HB", "Xã Hòa Bình").id
        task_id = make_task(s, "Kế hoạch chuyển đổi số", DUE, [an_hoa]).id
        an_hoa_id = an_hoa.id
    asked = plan(services_on(engine, settings), "vi", old=["XA-AH", "XA-HB"], into="XA-HB",
                 actor_id=None)  # fmt: skip
    assert asked.text.startswith("Gộp Xã An Hòa (XA-AH) vào Xã Hòa Bình (XA-HB):")
    assert (asked.old_ids, asked.new_id) == ((an_hoa_id,), hoa_binh_id)
    merge(services_on(engine, settings), "vi", old_ids=asked.old_ids, new_id=asked.new_id,
          actor_id=None)  # fmt: skip
    with Session(engine) as s:
        assert of(s, task_id, hoa_binh_id).active


def test_a_unit_merged_before_is_refused_naming_the_unit_it_became(
    engine: Engine, settings: Settings
) -> None:
    """An Hòa, merged into Hòa Bình, named again in a later merge (as old or new): refused
    naming Hòa Bình and the day, not as a deactivated unit to /activate."""
    with Session(engine) as s:
        ids = [make_unit(s, c, n).id or 0 for c, n in (("XA-AH", "Xã An Hòa"),
               ("XA-HB", "Xã Hòa Bình"), ("XA-TA", "Xã Tân An"))]  # fmt: skip
    services = services_on(engine, settings)
    assert merge(services, "vi", old_ids=ids[:1], new_id=ids[1], actor_id=None).possible
    day = NOW.astimezone(VN).strftime("%d/%m/%Y")
    for old, into in ((["XA-AH"], "XA-TA"), (["XA-TA"], "XA-AH")):
        said = plan(services, "vi", old=old, into=into, actor_id=None).text
        assert f"Xã An Hòa (XA-AH) đã được gộp vào Xã Hòa Bình (XA-HB) ngày {day}" in said
        assert "/activate" not in said


def test_a_plan_with_nothing_to_move_says_so_without_zeros(
    engine: Engine, settings: Settings
) -> None:
    """A unit with no open task and no contact merged: the plan says there is nothing to
    move, not "0 nhiệm vụ …: -" and "0 người … (0 người …)", and no word of reminders."""
    with Session(engine) as s:
        make_unit(s, "XA-AH", "Xã An Hòa")
        make_unit(s, "XA-HB", "Xã Hòa Bình")
    said = plan(services_on(engine, settings), "vi", old=["XA-AH"], into="XA-HB", actor_id=None)
    assert said.text.splitlines() == [
        "Gộp Xã An Hòa (XA-AH) vào Xã Hòa Bình (XA-HB):",
        "• Không có nhiệm vụ đang mở nào để chuyển.",
        "• Đơn vị cũ không có người liên hệ nào.",
        "• Xã An Hòa (XA-AH) sẽ ngừng theo dõi; lịch sử báo cáo và việc đã hoàn thành vẫn là"
        " của đơn vị cũ.",
    ]


def racing_units(s: Session) -> tuple[int, int, int, int, int]:
    """Return An Hòa (20% reported) and Bình Minh (50%) on one task, Hòa Bình, An Hòa's row
    and Lan, An Hòa's official."""
    an_hoa, binh_minh = make_unit(s, "XA-AH", "Xã An Hòa"), make_unit(s, "XA-BM", "Xã Bình Minh")
    hoa_binh = make_unit(s, "XA-HB", "Xã Hòa Bình")
    lan = make_contact(s, 2001, units=[an_hoa], name="Lan")
    task = make_task(s, "Ban chỉ đạo cấp xã", DUE, [an_hoa, binh_minh])
    reported(s, of(s, task.id, an_hoa), "in_progress", 20)
    reported(s, of(s, task.id, binh_minh), "in_progress", 50)
    row = of(s, task.id, an_hoa).id or 0
    return an_hoa.id or 0, binh_minh.id or 0, hoa_binh.id or 0, row, lan.id or 0


@pytest.mark.postgres
def test_a_report_in_flight_when_a_merge_begins_is_waited_for_and_carried(
    pg_engine: Engine, settings: Settings
) -> None:
    """Lan's 90% on An Hòa's row is being written when the merge reads the rows: the merge
    waits for it and keeps it (the most advanced), not the 50% it would have read before."""
    with Session(pg_engine) as s:
        an_hoa, binh_minh, hoa_binh, row, _ = racing_units(s)
    services = services_on(pg_engine, settings)
    done = threading.Event()

    def merging() -> None:
        merge(services, "vi", old_ids=(an_hoa, binh_minh), new_id=hoa_binh, actor_id=None)
        done.set()

    with pg_engine.connect() as report:
        writing = report.begin()
        record_report(report, assignment_id=row, state="in_progress", percent=90, now=NOW)
        with ThreadPoolExecutor(1) as pool:
            merged = pool.submit(merging)
            waiting_for_a_lock(pg_engine, done)
            writing.commit()
            merged.result(timeout=30)
    with Session(pg_engine) as s:
        kept = s.exec(
            select(Assignment).where(Assignment.unit_id == hoa_binh, col(Assignment.active))
        ).one()
        assert (kept.state, kept.percent) == ("in_progress", 90)


@pytest.mark.postgres
def test_a_report_checked_before_a_merge_committed_counts_for_the_kept_row(
    pg_engine: Engine, settings: Settings
) -> None:
    """Lan presses "done" on An Hòa's row while the merge that takes it off (Bình Minh's 50%
    kept) has not committed: her report waits for it and is recorded for Hòa Bình's row,
    not on the row taken off, where nobody would see it."""
    with Session(pg_engine) as s:
        an_hoa, binh_minh, hoa_binh, row, lan = racing_units(s)
    services = services_on(pg_engine, settings)
    actor = Actor(lan, "2001", "vi", "member", (an_hoa,), ())  # as read before the merge
    done = threading.Event()

    def pressing() -> Recorded:
        try:
            return record(services, actor, Report(row, "done", "button", "press:1"))
        finally:
            done.set()

    with Session(pg_engine) as merging:
        merge_units(merging, old_ids=(an_hoa, binh_minh), new_id=hoa_binh, actor_id=None, now=NOW)
        with ThreadPoolExecutor(1) as pool:
            pressed = pool.submit(pressing)
            waiting_for_a_lock(pg_engine, done)
            merging.commit()
            recorded = pressed.result(timeout=30)
    assert recorded.check == Check.OK
    with Session(pg_engine) as s:
        kept = s.exec(
            select(Assignment).where(Assignment.unit_id == hoa_binh, col(Assignment.active))
        ).one()
        assert kept.state == "done"
        [report] = s.exec(select(StatusReport).where(StatusReport.dedup_key == "press:1")).all()
        assert report.assignment_id == kept.id


def test_a_merge_with_no_open_task_says_so_to_the_admin_and_the_people_moved(
    engine: Engine, settings: Settings
) -> None:
    """An Hòa with a contact and no open task merged: the admin reads that no task had to
    move, and Lan is told she is Hòa Bình's contact, not of "0 nhiệm vụ đang mở (-)"."""
    with Session(engine) as s:
        an_hoa = make_unit(s, "XA-AH", "Xã An Hòa")
        make_unit(s, "XA-HB", "Xã Hòa Bình")
        make_contact(s, 2001, units=[an_hoa], name="Lan")
    services = services_on(engine, settings)
    asked = plan(services, "vi", old=["XA-AH"], into="XA-HB", actor_id=None)
    done = merge(services, "vi", old_ids=asked.old_ids, new_id=asked.new_id, actor_id=None)
    assert "không có nhiệm vụ đang mở nào phải chuyển, 1 người liên hệ đã chuyển sang" in done.text
    with Session(engine) as s:
        [notice] = s.exec(select(Outbox).where(Outbox.kind == "notice")).all()
    told = notice.payload["text"]
    assert "Anh/chị nay là người liên hệ của Xã Hòa Bình (XA-HB)" in told
    assert "(-)" not in told


def test_an_export_after_a_merge_keeps_the_old_units_reports_and_files_with_the_work(
    db: Engine, settings: Settings
) -> None:
    """An Hòa filed a plan (a file, "số 12/KH") on a task Bình Minh was on too, and the merge
    kept An Hòa's row as Hòa Bình's: the export and the formal report read from it list
    Hòa Bình's row with An Hòa's file and document as its evidence, and An Hòa's report in
    the history as An Hòa's, and `/evidence` lists the file; they had vanished, left on rows
    no export reads."""
    with Session(db) as s:
        an_hoa, binh_minh = (
            make_unit(s, "XA-AH", "Xã An Hòa"),
            make_unit(s, "XA-BM", "Xã Bình Minh"),
        )
        hoa_binh_id = make_unit(s, "XA-HB", "Xã Hòa Bình").id or 0
        task = make_task(s, "Ban chỉ đạo cấp xã", DUE, [an_hoa, binh_minh])
        row = of(s, task.id, an_hoa)
        row_id, task_id = row.id or 0, task.id or 0
        record_report(s, assignment_id=row_id, state="in_progress", percent=80, now=NOW,
                      evidence_number="12/KH")  # fmt: skip
        s.add(Evidence(assignment_id=row_id, file_name="ke-hoach.pdf", size=10, sha256="ab",
                       storage_path="1/ab.pdf"))  # fmt: skip
        s.commit()
        old_ids = (an_hoa.id or 0, binh_minh.id or 0)
    merge(services_on(db, settings), "vi", old_ids=old_ids, new_id=hoa_binh_id, actor_id=None)
    with Session(db) as s:
        data = load(s, task_ids=[task_id])
        [line] = data.lines
        assert (line.unit_id, line.assignment_id) == (hoa_binh_id, row_id)  # handed over
        assert data.files[row_id] == ["ke-hoach.pdf"]
        assert data.documents[row_id] == [("12/KH", None)]
        assert [(h.unit, h.percent) for h in data.history] == [("Xã An Hòa", 80)]
        assert [e.file_name for e in evidence_of(s, assignment_id=row_id)] == ["ke-hoach.pdf"]


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


def statements_of_merge(
    db: Engine, settings: Settings, count: int, about: re.Pattern[str] = FOLLOWING
) -> int:
    """Return how many statements `about` some tables (by default those of reminders,
    messages, extension requests and explanations) merging `count` units on one task runs."""
    old_ids, new_id = one_task_of_units(db, count, f"X{count}")
    ran: list[str] = []

    def counted(*args: object) -> None:
        if about.search(str(args[2])):
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


def test_merging_forty_units_deactivates_them_in_as_many_statements_as_four(
    engine: Engine, settings: Settings
) -> None:
    """The old units are deactivated (each audited) in one statement for them all, not one
    each: 200 communes' last slice spent 1.2 s on them, holding the write lock."""
    few = statements_of_merge(engine, settings, 4, UNIT_WRITES)
    many = statements_of_merge(engine, settings, 40, UNIT_WRITES)
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


def test_a_merge_made_in_slices_links_every_row_the_old_units_keep_to_the_kept_one(
    db: Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Three tasks of An Hòa and Bình Minh merged into Hòa Bình a task a transaction: on
    each, the row taken off and the history's copy name Hòa Bình's row (a reminder's button
    naming them reaches it), the first slices' as the last's."""
    monkeypatch.setattr(unit_merge_queries, "SLICE_ROWS", 2)
    with Session(db) as s:
        an_hoa, binh_minh = make_unit(s, "XA-AH"), make_unit(s, "XA-BM")
        new_id = make_unit(s, "XA-HB").id or 0
        tasks = [make_task(s, f"Nhiệm vụ {n}", DUE, [an_hoa, binh_minh]).id for n in range(3)]
        old_ids = (an_hoa.id or 0, binh_minh.id or 0)
    merge(services_on(db, settings), "vi", old_ids=old_ids, new_id=new_id, actor_id=None)
    with Session(db) as s:
        for task_id in tasks:
            kept = of(s, task_id, new_id).id
            kept_by_old = s.exec(
                select(Assignment.merged_into_id).where(
                    Assignment.task_id == task_id, col(Assignment.unit_id).in_(old_ids)
                )
            ).all()
            assert kept_by_old == [kept, kept]


def test_a_report_between_two_slices_ends_on_the_kept_row_with_its_history(
    db: Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Lan reports 80% on An Hòa's row of the last task after the merge's first slice
    committed, before the slice that moves it: the row goes on as Hòa Bình's with her 80%
    (the most advanced), and her report stays An Hòa's history, on the copy that names it."""
    monkeypatch.setattr(unit_merge_queries, "SLICE_ROWS", 2)
    with Session(db) as s:
        an_hoa, binh_minh = make_unit(s, "XA-AH"), make_unit(s, "XA-BM")
        new_id = make_unit(s, "XA-HB").id or 0
        lan = make_contact(s, 2001, units=[an_hoa], name="Lan").id or 0
        tasks = [make_task(s, f"Nhiệm vụ {n}", DUE, [an_hoa, binh_minh]).id for n in range(3)]
        old_ids = (an_hoa.id or 0, binh_minh.id or 0)
        row = of(s, tasks[2], an_hoa).id or 0
    services = services_on(db, settings)
    actor = Actor(lan, "2001", "vi", "member", (old_ids[0],), ())
    said: list[Recorded] = []

    def reporting(_session: Session) -> None:
        if not said:  # after the first slice, once (the report's own commit comes here too)
            said.append(Recorded(Check.OK, ""))
            said[0] = record(services, actor, Report(row, "in_progress", "button", "p:1", 80))

    event.listen(OrmSession, "after_commit", reporting)
    try:
        merge(services, "vi", old_ids=old_ids, new_id=new_id, actor_id=None)
    finally:
        event.remove(OrmSession, "after_commit", reporting)
    assert said[0].check == Check.OK
    with Session(db) as s:
        kept = of(s, tasks[2], new_id)
        assert (kept.id, kept.active, kept.state, kept.percent) == (row, True, "in_progress", 80)
        [report] = s.exec(select(StatusReport).where(StatusReport.dedup_key == "p:1")).all()
        history = s.get_one(Assignment, report.assignment_id)
        assert (history.unit_id, history.active) == (old_ids[0], False)
        assert (history.merged_into_id, history.percent) == (row, 80)


def test_an_old_units_file_is_the_new_units_coordinators_to_download_and_nobody_elses(
    db: Engine, settings: Settings, tmp_path: Path
) -> None:
    """Chi follows Hòa Bình only: after An Hòa became it, /evidence of Hòa Bình (either
    channel) lists An Hòa's file, and its download (the web's, Zalo's link) is hers through
    the merge; Dung, who follows Tam Xuân, is still refused it."""
    (tmp_path / "1").mkdir()
    (tmp_path / "1" / "ab.pdf").write_bytes(b"%PDF-ah")
    with Session(db) as s:
        an_hoa = make_unit(s, "XA-AH", "Xã An Hòa")
        hoa_binh = make_unit(s, "XA-HB", "Xã Hòa Bình", groups=["Cụm Hòa Bình"])
        make_unit(s, "XA-TX", "Xã Tam Xuân", groups=["Cụm Tam Xuân"])
        task = make_task(s, "Kế hoạch chuyển đổi số", DUE, [an_hoa])
        row = of(s, task.id, an_hoa).id or 0
        file = Evidence(assignment_id=row, file_name="ke-hoach.pdf", size=7, sha256="ab",
                        storage_path="1/ab.pdf")  # fmt: skip
        s.add(file)
        chi = make_contact(s, 3001, role="coordinator", name="Chi").id or 0
        dung = make_contact(s, 3002, role="coordinator", name="Dung").id or 0
        for person, group in ((chi, "Cụm Hòa Bình"), (dung, "Cụm Tam Xuân")):
            found = s.exec(select(UnitGroup).where(UnitGroup.name == group)).one()
            set_scope(s, contact_id=person, group_ids=[found.id or 0])
        s.commit()
        ids = file.id or 0, an_hoa.id or 0, hoa_binh.id or 0, task.id
    merge(services_on(db, settings), "vi", old_ids=(ids[1],), new_id=ids[2], actor_id=None)
    with Session(db) as s:
        t = partial(load_catalog().get, "vi")
        scope = contact_scope(s, contact_id=chi)
        listed = find(s, t, text=f"#{ids[3]} Xã Hòa Bình", scope=scope, contact_id=chi)
        assert [f.id for f in listed.files] == [ids[0]]
    kept = kept_file(db, tmp_path, contact_id=chi, evidence_id=ids[0])
    assert kept is not None
    assert kept.path is not None
    assert kept.path.read_bytes() == b"%PDF-ah"
    assert kept_file(db, tmp_path, contact_id=dung, evidence_id=ids[0]) is None
