"""What a coordinator's decision sends an official waits for office time, and says when.

An extension decided or an explanation asked at 22:00 is not the official's answer to
their own message: it is queued for the next working window (`not_before`), and the
coordinator's reply says when it goes out. In office time it goes at once. A day off added
afterwards on the day it waits for moves it to the next office moment, and says so; the day
off removed (or made a working day) brings it back, and says so too.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app import explanation_requests, extensions
from app.actor import Actor
from app.calendar_days.command import change
from bot.app import build_services
from bot.settings import Settings
from core.clock import ManualClock
from core.roles import Role
from db.engine import make_engine
from db.models import Assignment, ExtensionRequest, Outbox
from tests.factories import make_contact
from tests.scheduler.support import at, province, task_for

TOKEN = "123456:TEST-token-for-the-fake-bot-api-server"
WED_NIGHT = at(date(2026, 11, 18), 22)
THU_MORNING = at(date(2026, 11, 19), 7, 30)
THU_NOON = at(date(2026, 11, 19), 10)
FRI_MORNING = at(date(2026, 11, 20), 7, 30)
MON_MORNING = at(date(2026, 11, 23), 7, 30)
WED_NOON = at(date(2026, 11, 18), 10)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, db_path: Path) -> Iterator[Engine]:
    """Return an engine on this test's SQLite database, then on a fresh PostgreSQL one."""
    if request.param == "postgres":
        yield request.getfixturevalue("pg_engine")
        return
    eng = make_engine(f"sqlite:///{db_path}")
    yield eng
    eng.dispose()


def overdue(session: Session) -> tuple[Actor, int]:
    """An admin, and the assignment of a commune two days overdue."""
    admin = make_contact(session, 90001, role=Role.ADMIN.value)
    task = task_for(session, province(session, 1, first_user=9800), date(2026, 11, 16), WED_NOON)
    assignment = session.exec(select(Assignment).where(Assignment.task_id == task.id)).one()
    actor = Actor(admin.id or 0, "90001", "vi", Role.ADMIN.value, (), ())
    return actor, assignment.id or 0


def notices(session: Session) -> list[Outbox]:
    """Return the notices queued (to the official)."""
    session.expire_all()
    return list(session.exec(select(Outbox).where(Outbox.kind == "notice")).all())


@pytest.mark.parametrize(("now", "goes"), [(WED_NIGHT, THU_MORNING), (WED_NOON, WED_NOON)])
def test_an_extension_decided_at_night_reaches_the_official_in_office_time(
    engine: Engine, session: Session, settings: Settings, now: datetime, goes: datetime
) -> None:
    actor, assignment_id = overdue(session)
    request = ExtensionRequest(
        assignment_id=assignment_id, requested_deadline=date(2026, 11, 30), created_at=now
    )
    session.add(request)
    session.commit()
    services = build_services(settings, TOKEN, clock=ManualClock(now), engine=engine)

    answer = extensions.decide(services, actor, request.id or 0, True, "")

    [notice] = notices(session)
    assert notice.not_before == goes
    assert ("sẽ đi lúc 07:30 19/11/2026" in answer) == (goes != now)


def test_an_explanation_asked_at_night_reaches_the_official_in_office_time(
    engine: Engine, session: Session, settings: Settings
) -> None:
    actor, assignment_id = overdue(session)
    services = build_services(settings, TOKEN, clock=ManualClock(WED_NIGHT), engine=engine)

    answer = explanation_requests.request(services, actor, assignment_id)

    [notice] = notices(session)
    assert notice.not_before == THU_MORNING
    assert "sẽ đi lúc 07:30 19/11/2026" in answer


def test_an_explanation_asked_at_night_counts_as_asked_then_and_says_so(
    engine: Engine, session: Session, settings: Settings
) -> None:
    """Asked at 22:00, the request is read at 07:30: the official's notice says it was asked
    at 22:00 and how overdue the task was then; the admin is told it is recorded (not sent)
    and counts as asked from 22:00, as asking again says."""
    actor, assignment_id = overdue(session)
    services = build_services(settings, TOKEN, clock=ManualClock(WED_NIGHT), engine=engine)

    answer = explanation_requests.request(services, actor, assignment_id)

    [notice] = notices(session)
    assert "(lúc 22:00 18/11/2026)" in notice.payload["text"]
    assert "quá hạn 2 ngày tính đến lúc yêu cầu" in notice.payload["text"]
    assert "Đã gửi" not in answer
    assert "lúc 22:00 18/11/2026: tính là đã yêu cầu từ lúc này" in answer
    again = explanation_requests.request(services, actor, assignment_id)
    assert "lúc 22:00 18/11/2026" in again


def test_a_day_off_added_moves_what_waits_for_it_to_the_next_office_moment(
    engine: Engine, session: Session, settings: Settings
) -> None:
    """An explanation asked Wednesday night waits for Thursday 07:30; Thursday made a day
    off (a storm) moves it to Friday 07:30, and the admin is told."""
    actor, assignment_id = overdue(session)
    services = build_services(settings, TOKEN, clock=ManualClock(WED_NIGHT), engine=engine)
    explanation_requests.request(services, actor, assignment_id)

    said = change(services, "vi", actor.contact_id, "add 19/11/2026 bão")

    [notice] = notices(session)
    assert notice.not_before == FRI_MORNING
    assert "1 tin nhắn đang chờ giờ làm việc của ngày này sẽ đi lúc 07:30 20/11/2026" in said


def test_a_day_off_added_leaves_what_went_out_or_was_due_already(
    engine: Engine, session: Session, settings: Settings
) -> None:
    """Asked Thursday in office time, the notice goes at once: Thursday made a day off that
    morning leaves it as it was (it is no held message), and says nothing of it."""
    actor, assignment_id = overdue(session)
    services = build_services(settings, TOKEN, clock=ManualClock(THU_NOON), engine=engine)
    explanation_requests.request(services, actor, assignment_id)

    said = change(services, "vi", actor.contact_id, "add 19/11/2026 bão")

    [notice] = notices(session)
    assert notice.not_before == THU_NOON
    assert "tin nhắn đang chờ" not in said


@pytest.mark.parametrize("undo", ["remove 19/11/2026", "work 19/11/2026 bù"])
def test_a_day_off_removed_brings_back_what_it_moved(
    engine: Engine, session: Session, settings: Settings, undo: str
) -> None:
    """Thursday made a day off moved Wednesday night's explanation to Friday; Thursday made
    a working day again (removed, or set as worked) sends it Thursday 07:30 as before, and
    the admin is told: it stayed a day late."""
    actor, assignment_id = overdue(session)
    services = build_services(settings, TOKEN, clock=ManualClock(WED_NIGHT), engine=engine)
    explanation_requests.request(services, actor, assignment_id)
    change(services, "vi", actor.contact_id, "add 19/11/2026 bão")

    said = change(services, "vi", actor.contact_id, undo)

    [notice] = notices(session)
    assert notice.not_before == THU_MORNING
    assert "1 tin nhắn phải chờ qua ngày nghỉ này sẽ đi sớm hơn, từ 07:30 19/11/2026" in said
    english = change(services, "en", actor.contact_id, "add 19/11/2026 storm")
    assert "1 message held for that day's working hours will go out at" in english
    english = change(services, "en", actor.contact_id, "remove 19/11/2026")
    assert "1 message held past this day off will go out earlier, at 07:30 19/11/2026" in english


def test_a_day_off_removed_brings_back_what_was_queued_while_it_stood(
    engine: Engine, session: Session, settings: Settings
) -> None:
    """Asked Wednesday night with Thursday a day off already, the explanation waits for
    Friday; Thursday removed, it goes Thursday 07:30, the moment it would have had."""
    actor, assignment_id = overdue(session)
    services = build_services(settings, TOKEN, clock=ManualClock(WED_NIGHT), engine=engine)
    change(services, "vi", actor.contact_id, "add 19/11/2026 bão")
    explanation_requests.request(services, actor, assignment_id)
    assert notices(session)[0].not_before == FRI_MORNING

    said = change(services, "vi", actor.contact_id, "remove 19/11/2026")

    [notice] = notices(session)
    assert notice.not_before == THU_MORNING
    assert "1 tin nhắn phải chờ qua ngày nghỉ này" in said


def test_a_day_off_removed_that_day_sends_at_once_what_waited_past_it(
    engine: Engine, session: Session, settings: Settings
) -> None:
    """Thursday's day off removed at 10:00 that Thursday: the explanation held for Friday
    would have gone at 07:30, so it goes now; removed at 22:00, it waits for Friday still."""
    actor, assignment_id = overdue(session)
    clock = ManualClock(WED_NIGHT)
    services = build_services(settings, TOKEN, clock=clock, engine=engine)
    explanation_requests.request(services, actor, assignment_id)
    change(services, "vi", actor.contact_id, "add 19/11/2026 bão")
    clock.set(at(date(2026, 11, 19), 22))
    late = change(services, "vi", actor.contact_id, "remove 19/11/2026")
    assert notices(session)[0].not_before == FRI_MORNING
    assert "tin nhắn phải chờ" not in late
    change(services, "vi", actor.contact_id, "add 19/11/2026 bão")
    clock.set(THU_NOON)

    said = change(services, "vi", actor.contact_id, "remove 19/11/2026")

    [notice] = notices(session)
    assert notice.not_before == THU_NOON
    assert "sớm hơn, từ 10:00 19/11/2026" in said


def test_a_day_off_removed_leaves_what_waits_past_another(
    engine: Engine, session: Session, settings: Settings
) -> None:
    """Thursday and Friday days off: Wednesday night's explanation waits for Monday.
    Friday removed, it goes Friday 07:30 (Thursday is off still); Thursday removed then,
    Thursday 07:30."""
    actor, assignment_id = overdue(session)
    services = build_services(settings, TOKEN, clock=ManualClock(WED_NIGHT), engine=engine)
    explanation_requests.request(services, actor, assignment_id)
    for day in ("19/11/2026", "20/11/2026"):
        change(services, "vi", actor.contact_id, f"add {day} bão")
    assert notices(session)[0].not_before == MON_MORNING

    change(services, "vi", actor.contact_id, "remove 20/11/2026")
    assert notices(session)[0].not_before == FRI_MORNING
    change(services, "vi", actor.contact_id, "remove 19/11/2026")
    assert notices(session)[0].not_before == THU_MORNING
