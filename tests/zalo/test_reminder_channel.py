"""Which of a person's chats their reminders go to when Zalo hands the bot none of their words.

An account Zalo protects sends every message as "message.unsupported.received": the bot sees
that the person wrote, not what. Such a chat is no sign that they read there; a reminder goes
to the chat of theirs the bot can read, and to Zalo again once a message of theirs is read.
"""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from sqlmodel import select

from db.models import ContactIdentity, Outbox
from db.queries.recipients import recipient
from scheduler.delivery import dispatch_context
from scheduler.dispatcher.run import dispatch
from tests.factories import make_contact, make_task, make_unit
from tests.scheduler.support import assigned_at, start_users
from tests.zalo.conftest import ZaloBot
from tests.zalo.test_hostile import queue_raw, written

HOA = "d0000000000000a1"
HOA_TG = 5301
DEADLINE = date(2026, 11, 20)


async def test_a_reminder_goes_to_the_chat_read_not_to_a_protected_zalo_seen_last(
    zbot: ZaloBot,
) -> None:
    """Hoa is on Telegram (last written yesterday) and on a Zalo account Zalo protects; she
    writes on Zalo this morning, unreadable: the day's reminder goes to Telegram, where the bot
    reads her, not to the Zalo chat she wrote in last. It went to Zalo."""
    now = zbot.services.clock.now()
    with zbot.session() as s:
        unit = make_unit(s, "XA", "Xã A")
        task = make_task(s, "Kế hoạch chuyển đổi số 2026", DEADLINE, [unit])
        assigned_at(s, task, now - timedelta(days=3))
        hoa = make_contact(s, 0, units=[unit], name="Hoa", channel="zalo", external_id=HOA)
        s.add(
            ContactIdentity(
                contact_id=hoa.id or 0,
                channel="telegram",
                external_id=str(HOA_TG),
                chat_id=str(HOA_TG),
                started=True,
                last_seen_at=now - timedelta(days=1),
            )
        )
        s.commit()
    start_users(zbot.tg.server, [HOA_TG])
    zbot.zalo.add_user(HOA, "Hoa", wrote=True)
    queue_raw(zbot, written(HOA, "xong-1"), "message.unsupported.received")
    await zbot.handled("xong-1")

    services = zbot.services
    await asyncio.to_thread(dispatch, dispatch_context(services), services.clock.now())
    reminder = await zbot.tg.server.wait_for_message(
        HOA_TG, lambda m: "Kế hoạch" in (m.text or ""), timeout=10
    )
    assert reminder.reply_markup is not None
    with zbot.session() as s:
        [row] = s.exec(select(Outbox).where(Outbox.kind == "reminder")).all()
    assert (row.channel, row.chat_id) == ("telegram", str(HOA_TG))
    assert all("Kế hoạch" not in m.text for m in zbot.zalo.messages(HOA))

    await zbot.say(HOA, "/help")  # a message of hers read: Zalo is her chat again
    with zbot.session() as s:
        found = recipient(s, contact_id=hoa.id)
    assert found is not None
    assert (found.channel, found.chat_id) == ("zalo", HOA)
