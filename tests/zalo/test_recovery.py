"""An event a crash left unfinished in the inbox is handled once more at the next start."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.i18n import load_catalog
from app.services import Services
from bot.settings import Settings
from core.clock import ManualClock
from db.models import Inbox, Outbox, StatusReport
from db.queries import inbox
from db.queries.inbox import InboxKey
from devtools.fakezalo import FakeZalo
from handlers.zalo.poller import ZaloPoller
from scheduler.zalo_sender import ZaloPacer
from tests.factories import make_contact, make_task, make_unit
from tests.harness import DEFAULT_NOW
from zalo import ZaloClient

HOA = "7f3a9c0e51d24b8e"
ADMIN = "5e0b1c2d3a4f6789"
ACCOUNT = "2718281828"  # the fake's bot id


def event(message_id: str, text: str) -> dict[str, object]:
    """Return a Zalo text event from Hoa, as getUpdates gives it."""
    return {
        "event_name": "message.text.received",
        "message": {
            "message_id": message_id,
            "date": 1_763_431_200_000,
            "chat": {"id": HOA, "chat_type": "PRIVATE"},
            "from": {"id": HOA, "display_name": "Hoa", "is_bot": False},
            "text": text,
        },
    }


async def test_an_unfinished_event_is_handled_once_at_start(
    settings: Settings, engine: Engine
) -> None:
    """ "xong" recorded before a crash is reported and answered at start; one run again
    already is not run a third time: the admins are told who sent it."""
    clock = ManualClock(DEFAULT_NOW)
    with Session(engine) as s:
        unit = make_unit(s, "XA", "Xã A")
        make_task(s, "Kế hoạch chuyển đổi số", DEFAULT_NOW.date() + timedelta(days=10), [unit])
        make_contact(s, 0, units=[unit], name="Hoa", channel="zalo", external_id=HOA)
        make_contact(s, 0, role="admin", name="An", channel="zalo", external_id=ADMIN)
    before = DEFAULT_NOW - timedelta(minutes=3)
    with engine.begin() as connection:
        for message_id, text in (("aa01", "xong"), ("aa02", "vướng: mất điện")):
            inbox.record(
                connection,
                channel="zalo",
                key=InboxKey(ACCOUNT, 0, message_id),
                kind="message.text.received",
                payload=event(message_id, text),
                digest="",
                now=before,
            )
        inbox.reclaim(
            connection, channel="zalo", key=InboxKey(ACCOUNT, 0, "aa02"), started=DEFAULT_NOW
        )
    services = Services(settings, engine, load_catalog(), clock)
    async with FakeZalo() as zalo, ZaloClient(zalo.token, zalo.url) as client:
        zalo.add_user(HOA, "Hoa", wrote=True)
        poller = ZaloPoller(
            services, client, ZaloPacer(10), wake_sender=lambda: None, account=ACCOUNT
        )
        await poller.recover()
        [answer] = await zalo.wait_for_messages(HOA, after=0, timeout=10)
        await asyncio.sleep(0.2)
    with Session(engine) as s:
        reports = [(r.state, r.text) for r in s.exec(select(StatusReport))]
        finished = {r.update_id: r.processed_at is not None for r in s.exec(select(Inbox))}
        notices = [
            (r.chat_id, r.payload["text"])
            for r in s.exec(select(Outbox).where(Outbox.kind == "notice"))
        ]
    assert "Kế hoạch chuyển đổi số" in answer.text
    assert reports == [("done", "xong")]
    assert finished == {"aa01": True, "aa02": True}
    [(to, notice)] = notices
    assert to == ADMIN
    assert "Hoa" in notice
    assert HOA in notice
