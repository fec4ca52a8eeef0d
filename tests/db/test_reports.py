"""Recording a status report, on both databases: the write, its duplicate and its refusals."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.actor import Actor
from app.checkin import RepliedTo
from app.checkin.choice import choose
from app.checkin.text import answer_text
from app.extensions import request_extension
from app.i18n import load_catalog
from app.reporting import Report, record
from app.services import Services
from bot.settings import Settings
from core.clock import ManualClock
from db.models import Assignment, ExtensionRequest, StatusReport, Unit
from db.queries.checkin import Check
from db.queries.reports import just_done, record_report
from tests.factories import make_contact, make_task, make_unit

NOW = datetime(2026, 11, 18, 3, 0, tzinfo=UTC)  # Wednesday 10:00 in Hà Nội


def world(engine: Engine) -> tuple[Actor, int, int]:
    """Create two communes with one task; return their official and both assignment ids."""
    with Session(engine) as s:
        mine, other = make_unit(s, "XA"), make_unit(s, "XB")
        official = make_contact(s, 7001, units=[mine])
        task = make_task(s, "Kế hoạch chuyển đổi số", date(2026, 11, 30), [mine, other])
        by_unit = {
            a.unit_id: a.id or 0
            for a in s.exec(select(Assignment).where(Assignment.task_id == task.id))
        }
        assert official.id is not None
        assert mine.id is not None
        assert other.id is not None
        actor = Actor(official.id, "7001", "vi", "member", (mine.id,), ())
        return actor, by_unit[mine.id], by_unit[other.id]


def services(engine: Engine, settings: Settings) -> Services:
    """Return the services a handler would get, on this engine."""
    return Services(settings, engine, load_catalog(), ManualClock(NOW), b"test-key")


def reports(engine: Engine) -> list[StatusReport]:
    """Return every stored report."""
    with Session(engine) as s:
        return list(s.exec(select(StatusReport)))


def check_record_report(engine: Engine) -> None:
    """A report becomes the current status; a second one with its key is refused."""
    _, aid, _ = world(engine)
    with engine.begin() as connection:
        record_report(connection, assignment_id=aid, state="done", now=NOW, dedup_key="tg:1")
    with Session(engine) as s:
        assignment = s.get(Assignment, aid)
        assert assignment is not None
        assert (assignment.state, assignment.percent) == ("done", 100)
        assert assignment.done_at == NOW
        assert assignment.last_report_at == NOW
    with pytest.raises(IntegrityError), engine.begin() as connection:
        record_report(connection, assignment_id=aid, state="blocked", now=NOW, dedup_key="tg:1")
    assert [r.state for r in reports(engine)] == ["done"]


def check_record(engine: Engine, settings: Settings) -> None:
    """record() keeps one report per key, answers a repeat the same way, refuses others'."""
    actor, mine, others = world(engine)
    s = services(engine, settings)
    first = record(s, actor, Report(mine, "done", "text", "tg:msg:7001:5"))
    again = record(s, actor, Report(mine, "done", "text", "tg:msg:7001:5"))
    assert first.ok
    assert not first.duplicate
    assert again.ok
    assert again.duplicate
    assert "Hoàn thành đúng hạn" in first.text
    assert first.text == again.text
    assert len(reports(engine)) == 1
    with engine.connect() as connection:  # a file sent next is evidence of this assignment
        since = NOW - timedelta(hours=24)
        assert just_done(connection, contact_id=actor.contact_id, since=since) == mine
    refused = record(s, actor, Report(others, "done", "text", "tg:msg:7001:6"))
    missing = record(s, actor, Report(999_999, "done", "text", "tg:msg:7001:7"))
    assert (refused.check, missing.check) == (Check.NOT_YOURS, Check.MISSING)
    assert len(reports(engine)) == 1


def check_text_report(engine: Engine, settings: Settings) -> None:
    """A clear text is read and recorded in one commit; the same message again records
    nothing more and is answered as the first was."""
    actor, mine, _ = world(engine)
    s = services(engine, settings)
    commits: list[object] = []

    def count(connection: object) -> None:
        commits.append(connection)

    event.listen(engine, "commit", count)
    try:
        first = answer_text(s, actor, "đang làm 50%", key="tg:msg:7001:5")
    finally:
        event.remove(engine, "commit", count)
    again = answer_text(s, actor, "đang làm 50%", key="tg:msg:7001:5")
    assert len(commits) == 1
    assert first.recorded is not None
    assert again.recorded is not None
    assert (first.recorded.duplicate, again.recorded.duplicate) == (False, True)
    assert [a.text for a in again.said] == [a.text for a in first.said]
    assert [(r.assignment_id, r.state) for r in reports(engine)] == [(mine, "in_progress")]


def test_text_report_on_sqlite(engine: Engine, settings: Settings) -> None:
    """On SQLite."""
    check_text_report(engine, settings)


@pytest.mark.postgres
def test_text_report_on_postgresql(pg_engine: Engine, settings: Settings) -> None:
    """On PostgreSQL, where the duplicate's insert aborts the transaction of the reads."""
    check_text_report(pg_engine, settings)


def test_record_report_on_sqlite(engine: Engine) -> None:
    """On SQLite."""
    check_record_report(engine)


def test_record_on_sqlite(engine: Engine, settings: Settings) -> None:
    """On SQLite."""
    check_record(engine, settings)


@pytest.mark.postgres
def test_record_report_on_postgresql(pg_engine: Engine) -> None:
    """On PostgreSQL."""
    check_record_report(pg_engine)


@pytest.mark.postgres
def test_record_on_postgresql(pg_engine: Engine, settings: Settings) -> None:
    """On PostgreSQL, where the refused insert aborts the transaction it was in."""
    check_record(pg_engine, settings)


def test_a_deactivated_units_contact_is_told_and_nothing_is_stored(
    engine: Engine, settings: Settings
) -> None:
    """Typed, tapped, a replied reminder or an extension: each is refused with why and whom
    to ask, and no report or request is kept against the deactivated unit's task."""
    actor, mine, _ = world(engine)
    s = services(engine, settings)
    with Session(engine) as session:
        make_contact(session, 9001, role="admin", name="Chị Quản Trị")
        unit = session.get(Unit, actor.unit_ids[0])
        assert unit is not None
        unit.active = False
        session.add(unit)
        session.commit()
    told = (
        "Đơn vị Xã XA đã ngừng được theo dõi, đôn đốc trên hệ thống; không ghi nhận gì. "
        "Cần hỏi thêm, xin liên hệ quản trị viên: Chị Quản Trị."
    )
    typed = answer_text(s, actor, "xong", key="tg:msg:7001:1")
    replied = RepliedTo(chat_id="7001", message_id=1, text="", assignment_ids=(mine,))
    answered = answer_text(s, actor, "xong", key="tg:msg:7001:2", replied=replied)
    tapped = choose(s, actor, ["st", "done", str(mine)], dedup=lambda k, i: f"{k}:{i}")
    asked = request_extension(s, actor, mine, date(2026, 12, 20), "chờ", "k")
    assert [a.said[0].text for a in (typed, answered, tapped)] + [asked] == [told] * 4
    assert reports(engine) == []
    with Session(engine) as session:
        assert session.exec(select(ExtensionRequest)).all() == []


def check_done_again(engine: Engine) -> None:
    """Done, done again later, in progress, then done: the first two keep the first moment."""
    _, mine, _ = world(engine)
    later, latest = (
        datetime(2026, 12, 8, 3, 0, tzinfo=UTC),
        datetime(2026, 12, 9, 3, 0, tzinfo=UTC),
    )
    steps = [(NOW, "done", NOW), (later, "done", NOW), (later, "in_progress", None)]
    steps.append((latest, "done", latest))
    for number, (at, state, done_at) in enumerate(steps):
        with Session(engine) as s:
            record_report(s, assignment_id=mine, state=state, now=at, dedup_key=f"k{number}")
            s.commit()
            assignment = s.get(Assignment, mine)
            assert assignment is not None
            assert assignment.done_at == done_at
            assert (assignment.state, assignment.last_report_at) == (state, at)


def test_done_again_keeps_the_first_moment_on_sqlite(engine: Engine) -> None:
    """A unit done on time that says done again after the deadline stays on time (SQLite)."""
    check_done_again(engine)


def test_done_again_keeps_the_first_moment_on_postgresql(pg_engine: Engine) -> None:
    """The same on PostgreSQL."""
    check_done_again(pg_engine)
