"""The summary counts done by the database agree with a recount in Python, on both databases."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bench.generate import REFERENCE_NOW, VN, generate
from core.status import Counts, Status, classify, count
from core.summary import STATUS_ORDER, StatusLine
from core.textnorm import vi_sort_key
from db.models import Assignment, Task, UnitGroupMember
from db.queries import summary as q
from tests.factories import make_task, make_unit


def recount(session: Session, *, scope: tuple[int, ...] = ()) -> dict[int, Counts]:
    """Count open tasks' active assignments one by one with the status engine."""
    open_ids = set(session.exec(select(Task.id).where(Task.status == "open")))
    allowed = None
    if scope:
        query = select(UnitGroupMember.unit_id).where(col(UnitGroupMember.group_id).in_(scope))
        allowed = set(session.exec(query))
    items: dict[int, list[tuple[object, str]]] = defaultdict(list)
    for a in session.exec(select(Assignment).where(col(Assignment.active).is_(True))):
        if a.task_id not in open_ids or (allowed is not None and a.unit_id not in allowed):
            continue
        status = classify(
            state=a.state,
            deadline=a.deadline,
            due_at=a.due_at,
            done_at=a.done_at,
            last_report_at=a.last_report_at,
            now=REFERENCE_NOW,
            tz=VN,
        )
        items[a.task_id].append((status, a.state))
    return {tid: count(pairs) for tid, pairs in items.items()}  # type: ignore[arg-type]


def check_counts(engine: Engine) -> None:
    """Generate a tiny province and compare the database's counts with the recount."""
    result = generate(engine, size="tiny", progress=None)
    assert result.rows["assignment"] == 120
    with Session(engine) as session:
        counted = {t.task_id: t.counts for t in q.task_counts(session, now=REFERENCE_NOW)}
        assert counted == recount(session)
        assert sum(c.overdue for c in counted.values()) > 0
        assert sum(c.done_late for c in counted.values()) > 0
        scoped = q.task_counts(session, now=REFERENCE_NOW, scope=q.Scope(False, group_ids=(1,)))
        assert {t.task_id: t.counts for t in scoped} == recount(session, scope=(1,))
        classified = q.status_lines(session, now=REFERENCE_NOW, task_ids=list(counted))
        by_task: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
        for line in classified:
            by_task[line.task_id][line.status] += 1
        assert {tid: tuple(v) for tid, v in by_task.items()} == {
            tid: (c.done_on_time, c.done_late, c.in_time, c.overdue) for tid, c in counted.items()
        }
        check_status_lines(session, classified)
        per_unit = q.unit_counts(session, now=REFERENCE_NOW)
        assert sum(c.total for c in per_unit.values()) >= sum(c.total for c in counted.values())


def check_status_lines(session: Session, classified: list[StatusLine]) -> None:
    """The lines come by unit name in Vietnamese order (then by assignment), each one done
    late with the instant it was done, aware, and the others with none."""
    names = [(vi_sort_key(ln.unit_name), ln.assignment_id) for ln in classified]
    assert names == sorted(names)
    done_at = {a.id: a.done_at for a in session.exec(select(Assignment))}
    late_code = STATUS_ORDER.index(Status.DONE_LATE)
    assert any(ln.status == late_code for ln in classified)
    for line in classified:
        if line.status == late_code:
            assert line.done_at is not None
            assert line.done_at.tzinfo is not None
            assert line.done_at == done_at[line.assignment_id]
        else:
            assert line.done_at is None


def test_task_counts_match_a_python_recount_on_sqlite(engine: Engine) -> None:
    """On SQLite, every open task's counts equal the status engine's recount."""
    check_counts(engine)


@pytest.mark.postgres
def test_task_counts_match_a_python_recount_on_postgresql(pg_engine: Engine) -> None:
    """On PostgreSQL (COPY-loaded), every open task's counts equal the recount."""
    check_counts(pg_engine)


@pytest.mark.parametrize("db", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_most_overdue_keeps_the_first_units_in_vietnamese_order(
    request: pytest.FixtureRequest, db: str
) -> None:
    """Of units overdue alike, the ones kept and their order are Vietnamese alphabetical
    (Xã Ái… and Xã Đại… before Xã Tam…), the longest overdue first, on both databases."""
    engine: Engine = request.getfixturevalue("engine" if db == "sqlite" else "pg_engine")
    names = ["Xã Yên Phú", "Xã Đại Hồng", "Xã Ái Nghĩa", "Xã Duy Phú", "Xã Tam An", "Xã Tam Bồ"]
    with Session(engine, expire_on_commit=False) as session:
        units = [make_unit(session, f"U{i}", name) for i, name in enumerate(names)]
        make_task(session, "Báo cáo quý", date(2026, 11, 13), units)
        make_task(session, "Báo cáo năm", date(2026, 11, 3), [units[0]])
        now = datetime(2026, 11, 18, 9, 0, tzinfo=VN)
        found = q.most_overdue(session, now=now, limit=4)
    assert [(unit, title) for unit, _, title, _, _ in found] == [
        ("Xã Yên Phú", "Báo cáo năm"),
        ("Xã Ái Nghĩa", "Báo cáo quý"),
        ("Xã Duy Phú", "Báo cáo quý"),
        ("Xã Đại Hồng", "Báo cáo quý"),
    ]
