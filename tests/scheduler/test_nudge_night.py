"""A /nudge still queued when office time ends waits for the next office moment.

A nudge typed in office time goes at once (`not_before` is when it was typed); the senders
kept only reminders to office time, by priority, and a nudge is a notice's. Left queued past
17:00 (the bot down for the evening, a province's fan-out on Zalo's pace, the sender behind),
it went out at night when the sender next ran: the unit was chased at 20:00 for a reminder
nobody would send then.
"""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.actor import Actor
from app.i18n import load_catalog
from app.services import Services
from bot.settings import Settings
from core.clock import ManualClock
from core.roles import Role
from db.models import Outbox
from db.queries.outbox import PRIORITY_NOTICE, enqueue
from db.queries.outbox_claim import claim
from db.queries.outbox_held import hold_left_over
from devtools.fakezalo import FakeZalo
from scheduler.delivery import DISPATCH_JOB, SENDER_JOB, dispatch_context, wake
from scheduler.dispatcher.run import Job, dispatch
from scheduler.nudge import NudgeJob, nudge_named
from scheduler.zalo_sender import ZaloPacer, drain
from tests.factories import make_contact, make_unit
from tests.harness import BotUnderTest
from tests.scheduler.support import at, context, province, start_users, task_for
from tests.scheduler.test_sender import stop_jobs
from zalo import ZaloClient

ADMIN = Actor(1, "90001", "vi", Role.ADMIN.value, (), ())
WED, THU = date(2026, 11, 18), date(2026, 11, 19)
FIRST_USER = 5000
PERSON = "00000000000a0001"


async def test_a_nudge_left_queued_past_office_time_waits_for_the_morning(
    bot: BotUnderTest,
) -> None:
    """Nudged at 16:59, the sender next runs at 20:00: nothing goes at night; at 07:30 the
    next morning the nudge goes, worded as of that morning, and that morning's reminder
    leaves the task to it."""
    stop_jobs(bot, DISPATCH_JOB, SENDER_JOB)
    with bot.session() as session:
        units = province(session, 1, first_user=FIRST_USER)
        task = task_for(session, units, date(2026, 11, 10), at(date(2026, 11, 2)))
    start_users(bot.server, [FIRST_USER])
    ctx = dispatch_context(bot.services)
    job = NudgeJob(Job.of(ctx, at(WED, 16, 59)), ADMIN, f"#{task.id}", "r1")
    assert "đã nhắc 1" in await asyncio.to_thread(nudge_named, ctx, job)
    bot.clock.set(at(WED, 20))
    wake(bot.app)
    sender = bot.app.bot_data.sender_task
    assert sender is not None
    await asyncio.wait_for(sender, 10)
    assert bot.server.messages(FIRST_USER) == []
    bot.clock.set(at(THU, 7, 30))
    wake(bot.app)
    nudged = await bot.server.wait_for_message(FIRST_USER, timeout=10)
    text = nudged.text or ""
    assert f"#{task.id}" in text
    assert "(19/11/2026)" in text  # worded as of the day it is read, as one held at night
    assert "Quá hạn 9 ngày" in text
    await asyncio.to_thread(dispatch, ctx, bot.clock.now())
    with bot.session() as session:
        assert session.exec(select(Outbox).where(Outbox.kind == "reminder")).all() == []


async def test_a_zalo_nudge_left_queued_past_office_time_waits_for_the_morning(
    settings: Settings, engine: Engine
) -> None:
    """The same on Zalo's sender: at 20:00 the nudge stays queued, at 07:30 it goes, worded
    as of that morning."""
    clock = ManualClock(at(WED, 16, 59))
    services = Services(settings, engine, load_catalog(), clock)
    with Session(engine) as session:
        unit = make_unit(session, "Z1", "Xã Zalo")
        make_contact(session, 0, units=[unit], channel="zalo", external_id=PERSON)
        task_id = task_for(session, [unit], date(2026, 11, 10), at(date(2026, 11, 2))).id
    ctx = context(engine)
    job = NudgeJob(Job.of(ctx, clock.now()), ADMIN, f"#{task_id}", "r1")
    assert "đã nhắc 1" in nudge_named(ctx, job)
    async with FakeZalo() as zalo:
        zalo.add_user(PERSON, "Cán bộ", wrote=True)
        async with ZaloClient(zalo.token, zalo.url, backoff=(0.01, 0.02)) as client:

            async def send() -> int:
                return await drain(
                    client, services, ZaloPacer(10), owner="test", keep_going=lambda: True
                )

            clock.set(at(WED, 20))
            assert await send() == 0
            with Session(engine) as session:
                assert [r.status for r in session.exec(select(Outbox))] == ["pending"]
            clock.set(at(THU, 7, 30))
            assert await send() == 1
        [sent] = zalo.messages(PERSON)
    assert "(19/11/2026)" in sent.text


@pytest.mark.postgres
def test_a_nudge_left_over_is_held_and_not_claimed_on_postgresql(pg_engine: Engine) -> None:
    """The hold and the claim's kinds held, on PostgreSQL: at 20:00 a nudge due since 16:59
    is held until 07:30 and not claimed; a notice is."""
    with Session(pg_engine) as session:
        for kind in ("nudge", "notice"):
            enqueue(
                session,
                key=kind,
                chat_id="5000",
                kind=kind,
                text=kind,
                now=at(WED, 16, 59),
                priority=PRIORITY_NOTICE,
            )
        session.commit()
    night, morning = at(WED, 20), at(THU, 7, 30)
    with Session(pg_engine) as session:
        held = hold_left_over(session, kinds=("nudge",), now=night, to=lambda: morning)
        claimed = claim(
            session,
            owner="o",
            now=night,
            limit=5,
            lease=timedelta(minutes=1),
            kinds_held=("nudge",),
        )
        session.commit()
    assert held == 1
    assert [row.kind for row in claimed] == ["notice"]
    with Session(pg_engine) as session:
        nudge = session.exec(select(Outbox).where(Outbox.kind == "nudge")).one()
    assert nudge.not_before == morning
