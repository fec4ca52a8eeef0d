"""One province, two channels: half the officials on Telegram, half on Zalo.

The morning dispatch reminds each on their own channel; they answer each in their own way
(a button or words on Telegram, a number on Zalo); the coordinator's summary counts them all.
"""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from sqlmodel import select

from db.models import Outbox, StatusReport
from scheduler.delivery import dispatch_context
from scheduler.dispatcher.run import dispatch
from tests.factories import make_contact, make_task, make_unit
from tests.harness import buttons
from tests.scheduler.support import assigned_at
from tests.zalo.conftest import ZaloBot

TELEGRAM = [5101, 5102, 5103]
ZALO = ["b0000000000000a1", "b0000000000000a2", "b0000000000000a3"]
COORDINATOR = "c0000000000000c1"
DEADLINE = date(2026, 11, 20)


async def test_a_mixed_province_is_reminded_answers_and_is_summed_up(zbot: ZaloBot) -> None:
    """Six communes, three per channel: reminders, replies, and a summary of all six."""
    with zbot.session() as s:
        units = [make_unit(s, f"X{n}", f"Xã {n}") for n in range(6)]
        task = make_task(s, "Kế hoạch chuyển đổi số 2026", DEADLINE, units)
        assigned_at(s, task, zbot.tg.clock.now() - timedelta(days=3))
        for n, user in enumerate(TELEGRAM):
            make_contact(s, user, units=[units[n]], name=f"TG {n}")
        for n, person in enumerate(ZALO):
            make_contact(
                s, 0, units=[units[3 + n]], name=f"Zalo {n}", channel="zalo", external_id=person
            )
        make_contact(s, 0, role="coordinator", name="Chi", channel="zalo", external_id=COORDINATOR)
    for user in TELEGRAM:
        zbot.tg.user(user, f"TG {user}")
        zbot.tg.server.send_text(user, "/start")
    for person in [*ZALO, COORDINATOR]:
        zbot.zalo.add_user(person, "Người", wrote=True)
    await zbot.tg.server.wait_until(
        lambda: all(zbot.tg.server.messages(u) for u in TELEGRAM), timeout=10
    )

    services = zbot.services
    result = await asyncio.to_thread(dispatch, dispatch_context(services), services.clock.now())
    assert result is not None
    for person in ZALO:
        [reminder] = await zbot.zalo.wait_for_messages(person, after=0, timeout=10)
        assert "Kế hoạch chuyển đổi số 2026" in reminder.text
    reminders = {}
    for user in TELEGRAM:
        reminders[user] = await zbot.tg.server.wait_for_message(
            user, lambda m: "Kế hoạch" in (m.text or "") and bool(m.reply_markup), timeout=10
        )
    with zbot.session() as s:
        rows = s.exec(select(Outbox).where(Outbox.kind == "reminder")).all()
    assert sorted(r.channel for r in rows) == ["telegram"] * 3 + ["zalo"] * 3

    done_button = next(d for label, d in buttons(reminders[TELEGRAM[0]]) if "Hoàn thành" in label)
    await zbot.tg.press(TELEGRAM[0], done_button, reminders[TELEGRAM[0]].message_id)
    await zbot.tg.send(TELEGRAM[1], "vướng: chưa có kinh phí")
    await zbot.say(ZALO[0], "1")
    await zbot.say(ZALO[1], "2 60%")
    with zbot.session() as s:
        states = sorted(r.state for r in s.exec(select(StatusReport)))
    assert states == ["blocked", "done", "done", "in_progress"]

    # The Telegram official's blocker is forwarded to the coordinator, on Zalo.
    await zbot.zalo.wait_until(
        lambda: any("chưa có kinh phí" in m.text for m in zbot.zalo.messages(COORDINATOR)), 10
    )
    [summary] = await zbot.say(COORDINATOR, f"/tonghop #{task.id}")
    assert "6 đơn vị" in summary
    assert "Đã hoàn thành 2" in summary
