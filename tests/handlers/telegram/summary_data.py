"""A small hand-counted province for the summary, export, chart and digest tests.

At the harness's moment (Wed 18/11/2026 09:00), task #1 (due 10/11) has: Xã A done on
time, Xã B done two days late, Xã C in progress since 05/11 then silent (overdue 8 days),
Xã D never reported (overdue 8 days), Sở Y tế blocked ("Thiếu kinh phí", explained).
So: on time 1, late 1, within deadline 0, overdue 3 (no report 1); rate 2/5 = 40,0%.
Task #2 (due 30/11) has Xã A in progress and Xã B never reported: both within deadline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from core.textnorm import fold
from db.models import Assignment, Directive, Explanation, Task
from db.queries.reports import record_report
from tests.factories import make_contact, make_task, make_unit

VN = ZoneInfo("Asia/Ho_Chi_Minh")
COORDINATOR = 3001
MEMBER = 3002


@dataclass
class Province:
    """Ids of what was made."""

    task1: int
    task2: int
    directive: int
    assignments: dict[str, int]  # unit code -> assignment id of task 1


def at(day: int, hour: int = 10, month: int = 11) -> datetime:
    """Return a local moment in November 2026."""
    return datetime(2026, month, day, hour, 0, tzinfo=VN)


def make_province(s: Session) -> Province:
    """Create the units, tasks, reports and explanation described in the module docstring."""
    units = {
        code: make_unit(s, code, name, kind=kind, groups=groups)
        for code, name, kind, groups in (
            ("XA", "Xã A", "commune", ("Xã thí điểm",)),
            ("XB", "Xã B", "commune", ("Xã thí điểm",)),
            ("XC", "Xã C", "commune", ()),
            ("XD", "Xã D", "commune", ()),
            ("SYT", "Sở Y tế", "department", ()),
        )
    }
    make_contact(s, COORDINATOR, role="coordinator", name="Điều phối")
    member = make_contact(s, MEMBER, units=[units["XA"]], name="Cán bộ xã A")
    doc = Directive(number="4824/UBND-KGVX", number_folded=fold("4824/UBND-KGVX"))
    s.add(doc)
    s.commit()
    t1 = make_task(
        s,
        "Ban hành Kế hoạch chuyển đổi số",
        date(2026, 11, 10),
        list(units.values()),
        directive_id=doc.id,
    )
    t2 = make_task(
        s, "Báo cáo cải cách hành chính", date(2026, 11, 30), [units["XA"], units["XB"]]
    )
    by_unit = {a.unit_id: a for a in s.exec(select(Assignment).where(Assignment.task_id == t1.id))}
    a = {code: by_unit[u.id] for code, u in units.items() if u.id is not None}
    record_report(
        s,
        assignment_id=a["XA"].id or 0,
        state="done",
        now=at(9),
        contact_id=member.id,
        evidence_number="123/KH-UBND",
        evidence_date=date(2026, 11, 9),
    )
    record_report(s, assignment_id=a["XB"].id or 0, state="done", now=at(12))
    record_report(s, assignment_id=a["XC"].id or 0, state="in_progress", percent=40, now=at(5))
    record_report(
        s, assignment_id=a["SYT"].id or 0, state="blocked", reason="Thiếu kinh phí", now=at(8)
    )
    s.add(
        Explanation(
            assignment_id=a["SYT"].id or 0,
            text="Chờ bổ sung dự toán",
            requested_at=at(12),
            answered_at=at(13),
        )
    )
    a2 = s.exec(select(Assignment).where(Assignment.task_id == t2.id)).all()
    record_report(
        s,
        assignment_id=next(x.id or 0 for x in a2 if x.unit_id == units["XA"].id),
        state="in_progress",
        percent=60,
        now=at(16),
    )
    s.commit()
    assert t1.id is not None
    assert t2.id is not None
    assert doc.id is not None
    return Province(t1.id, t2.id, doc.id, {code: x.id or 0 for code, x in a.items()})


def task_of(s: Session, task_id: int) -> Task:
    """Return a task."""
    task = s.get(Task, task_id)
    assert task is not None
    return task
