"""A notice to an official about their task, still queued when office time ends, waits for
the next office moment; a notice meant to go at once still goes at any hour.

An extension decided (or an explanation asked) in office time is queued to go at once. Left
queued past 17:00 (the bot down for the evening, the sender behind a province's fan-out) it
went out at night when the sender next ran, since the same `kind="notice"` rows carry what
must go at once (an invite used, a message given up). The office-bound ones are flagged
(`payload["office"]`, `db.queries.outbox.OFFICE`) and held as the nudges are.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app import explanation_requests, extensions
from app.actor import Actor
from app.i18n import load_catalog
from app.services import Services
from bot.settings import Settings
from core.clock import ManualClock
from core.roles import Role
from db.models import Assignment, ExtensionRequest, Outbox, Unit
from db.queries.outbox import OFFICE, PRIORITY_NOTICE, enqueue
from db.queries.outbox_claim import claim
from db.queries.outbox_held import hold_left_over
from devtools.fakezalo import FakeZalo
from scheduler.delivery import DISPATCH_JOB, SENDER_JOB, wake
from scheduler.zalo_sender import ZaloPacer, drain
from tests.factories import make_contact, make_unit
from tests.harness import ADMIN_ID, BotUnderTest
from tests.scheduler.support import at, province, start_users, task_for
from tests.scheduler.test_sender import stop_jobs
from zalo import ZaloClient

WED, THU = date(2026, 11, 18), date(2026, 11, 19)
OFFICIAL = 5000
ADMIN_USER = 90001
PERSON = "00000000000a0001"


def overdue_assignment(session: Session, units: list[Unit]) -> int:
    """Return the assignment of a task two days overdue for the units (one)."""
    task = task_for(session, units, date(2026, 11, 16), at(date(2026, 11, 2)))
    assignment = session.exec(select(Assignment).where(Assignment.task_id == task.id)).one()
    return assignment.id or 0


def urgent(session: Session, chat_id: str, now: datetime) -> None:
    """Queue a notice meant to go at once (as an invite used or a message given up is)."""
    enqueue(session, key="urgent", chat_id=chat_id, kind="notice", text="khẩn", now=now)
    session.commit()


async def test_an_extension_decided_at_1659_waits_for_the_morning_an_urgent_notice_not(
    bot: BotUnderTest,
) -> None:
    """Decided at 16:59, the sender next runs at 20:00: the admins' urgent notice goes, the
    official's notice does not; it goes at 07:30 the next morning."""
    stop_jobs(bot, DISPATCH_JOB, SENDER_JOB)
    decided_at = at(WED, 16, 59)
    with bot.session() as session:
        admin_id = make_contact(session, ADMIN_USER, role=Role.ADMIN.value).id or 0
        assignment_id = overdue_assignment(session, province(session, 1, first_user=OFFICIAL))
        request = ExtensionRequest(
            assignment_id=assignment_id,
            requested_deadline=date(2026, 11, 30),
            created_at=decided_at,
        )
        session.add(request)
        session.commit()
        request_id = request.id or 0
        urgent(session, str(ADMIN_USER), decided_at)
    start_users(bot.server, [OFFICIAL, ADMIN_USER])
    bot.clock.set(decided_at)
    actor = Actor(admin_id, str(ADMIN_USER), "vi", Role.ADMIN.value, (), ())
    await asyncio.to_thread(extensions.decide, bot.services, actor, request_id, True, "")
    with bot.session() as session:
        [flagged] = session.exec(select(Outbox).where(Outbox.key != "urgent")).all()
    assert flagged.payload[OFFICE] is True
    assert flagged.not_before == decided_at  # in office time: it was to go at once
    bot.clock.set(at(WED, 20))
    wake(bot.app)
    sender = bot.app.bot_data.sender_task
    assert sender is not None
    await asyncio.wait_for(sender, 10)
    assert [m.text for m in bot.server.messages(ADMIN_USER)] == ["khẩn"]
    assert bot.server.messages(OFFICIAL) == []
    bot.clock.set(at(THU, 7, 30))
    wake(bot.app)
    told = await bot.server.wait_for_message(OFFICIAL, timeout=10)
    assert "30/11/2026" in (told.text or "")


async def test_a_zalo_explanation_asked_at_1659_waits_for_the_morning(
    settings: Settings, engine: Engine
) -> None:
    """The same on Zalo's sender: the explanation asked at 16:59 stays queued at 20:00 while
    the urgent notice goes; at 07:30 it goes."""
    clock = ManualClock(at(WED, 16, 59))
    services = Services(settings, engine, load_catalog(), clock)
    with Session(engine) as session:
        admin_id = make_contact(session, ADMIN_USER, role=Role.ADMIN.value).id or 0
        unit = make_unit(session, "Z1", "Xã Zalo")
        make_contact(session, 0, units=[unit], channel="zalo", external_id=PERSON)
        assignment_id = overdue_assignment(session, [unit])
        enqueue(
            session,
            key="urgent",
            chat_id=PERSON,
            channel="zalo",
            kind="notice",
            text="khẩn",
            now=clock.now(),
        )
        session.commit()
    actor = Actor(admin_id, str(ADMIN_USER), "vi", Role.ADMIN.value, (), ())
    explanation_requests.request(services, actor, assignment_id)
    async with FakeZalo() as zalo:
        zalo.add_user(PERSON, "Cán bộ", wrote=True)
        async with ZaloClient(zalo.token, zalo.url, backoff=(0.01, 0.02)) as client:

            async def send() -> int:
                return await drain(
                    client, services, ZaloPacer(10), owner="test", keep_going=lambda: True
                )

            clock.set(at(WED, 20))
            assert await send() == 1
            assert [m.text for m in zalo.messages(PERSON)] == ["khẩn"]
            clock.set(at(THU, 7, 30))
            assert await send() == 1
        [_, asked] = zalo.messages(PERSON)
    assert "giải trình" in asked.text.lower()


@pytest.mark.parametrize(
    "dialect", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_a_flagged_notice_left_over_is_held_and_not_claimed(
    request: pytest.FixtureRequest, engine: Engine, dialect: str
) -> None:
    """The hold and the claim on both databases: at 20:00 a flagged notice due since 16:59
    is held until 07:30 and not claimed; an unflagged one is claimed."""
    eng = request.getfixturevalue("pg_engine") if dialect == "postgres" else engine
    with Session(eng) as session:
        for key, extra in (("office", {OFFICE: True}), ("urgent", None)):
            enqueue(
                session,
                key=key,
                chat_id="5000",
                kind="notice",
                text=key,
                now=at(WED, 16, 59),
                priority=PRIORITY_NOTICE,
                extra=extra,
            )
        session.commit()
    night, morning = at(WED, 20), at(THU, 7, 30)
    with Session(eng) as session:
        held = hold_left_over(
            session, kinds=("nudge",), now=night, to=lambda: morning, flagged=True
        )
        claimed = claim(
            session,
            owner="o",
            now=night,
            limit=5,
            lease=timedelta(minutes=1),
            kinds_held=("nudge",),
            office_held=True,
        )
        session.commit()
    assert held == 1
    assert [row.payload["text"] for row in claimed] == ["urgent"]
    with Session(eng) as session:
        office = session.exec(select(Outbox).where(Outbox.key == "office")).one()
    assert office.not_before == morning


async def test_a_deadline_moved_flags_the_units_notice_office_bound(bot: BotUnderTest) -> None:
    """The units' notice of a deadline an admin moved (`app.task_notices`) is flagged
    office-bound, so the senders hold it as the notices above if it is left at 17:00."""
    with bot.session() as session:
        task = task_for(session, province(session, 1, first_user=OFFICIAL), THU, at(WED, 8))
        task_id = task.id or 0
    start_users(bot.server, [OFFICIAL])
    await bot.send(ADMIN_ID, f"/deadline #{task_id} 18/12/2026")
    with bot.session() as session:
        query = select(Outbox).where(col(Outbox.key).startswith("task-changed"))
        [told] = session.exec(query).all()
    assert told.payload[OFFICE] is True
