"""Zalo messages to one person arrive in the order they were queued."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.services import Services
from core.clock import ManualClock
from db.models import Outbox
from db.queries.outbox import enqueue
from devtools.fakezalo import FakeZalo, FaultRule
from scheduler import zalo_sender
from scheduler.sender import RETRY_LATER
from scheduler.zalo_sender import ZaloPacer, drain
from tests.zalo.test_sender import PEOPLE, queue, send_all, services, statuses, zalo
from zalo import ZaloClient

__all__ = ["services", "zalo"]  # the fixtures this module uses

CLOSED, REOPENED = "Đã đóng việc #7", "Đã mở lại việc #7"
DIGEST = "Tổng hợp sáng nay: 3 việc đến hạn"


def texts(zalo: FakeZalo, person: str) -> list[str]:
    """Return what arrived to a person, in arrival order."""
    return [m.text for m in zalo.messages(person)]


async def test_a_notice_retried_is_not_overtaken_by_the_one_queued_after_it(
    zalo: FakeZalo, services: Services, engine: Engine
) -> None:
    """ "Closed" meets three 502s: "reopened", queued after it, waits and arrives second. It
    went while "closed" waited to be retried, and the person read the task reopened, then
    closed."""
    zalo.add_fault(FaultRule("server_error", methods=("sendMessage",), texts=(CLOSED,), times=3))
    queue(engine, PEOPLE[0], CLOSED, "closed")
    queue(engine, PEOPLE[0], REOPENED, "reopened")
    queue(engine, PEOPLE[1], "Việc #8 đã giao", "other")
    assert await send_all(zalo, services) == 3
    assert texts(zalo, PEOPLE[0]) == [CLOSED, REOPENED]
    assert texts(zalo, PEOPLE[1]) == ["Việc #8 đã giao"]


async def test_a_long_text_arrives_whole_before_the_one_queued_after_it(
    zalo: FakeZalo, services: Services, engine: Engine
) -> None:
    """A text in three parts, then a short one: the parts arrive together, the short one
    after them."""
    lines = [f"{n:03d} " + "x" * 95 for n in range(50)]
    queue(engine, PEOPLE[0], "\n".join(lines), "long")
    queue(engine, PEOPLE[0], REOPENED, "after")
    assert await send_all(zalo, services) == 2
    arrived = texts(zalo, PEOPLE[0])
    assert len(arrived) == 4
    assert "\n".join(arrived[:3]).split("\n") == lines
    assert arrived[3] == REOPENED


async def test_a_notice_refused_for_good_does_not_hold_the_next_one(
    zalo: FakeZalo, services: Services, engine: Engine
) -> None:
    """Zalo refuses the first notice (ok:false, -201): it fails, the next one still goes."""
    zalo.add_fault(FaultRule("ok_false", methods=("sendMessage",), texts=(CLOSED,), code=-201))
    queue(engine, PEOPLE[0], CLOSED, "closed")
    queue(engine, PEOPLE[0], REOPENED, "reopened")
    assert await send_all(zalo, services) == 1
    assert texts(zalo, PEOPLE[0]) == [REOPENED]
    assert statuses(engine) == ["failed", "sent"]


def tried(engine: Engine, key: str) -> tuple[str, int]:
    """Return the status of the row queued under `key` and how often it was tried."""
    with Session(engine) as s:
        row = s.exec(select(Outbox).where(Outbox.key == key)).one()
        return row.status, row.attempts


async def test_a_notice_failing_again_lets_the_digest_go_but_not_the_next_notice(
    zalo: FakeZalo, services: Services, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ "Closed" meets a 502 at its first try and at its retry five minutes later: the digest
    queued after it goes then, "reopened" waits; "closed" goes at its next retry, "reopened"
    after it (Telegram's rule, tests/scheduler/test_sender_order.py, on Zalo's sender). One
    pacer throughout, as the running sender keeps: the fake allows one message a second."""
    monkeypatch.setattr(zalo_sender, "BACKOFF_S", ())  # a try is one call, retried 5 min on
    zalo.add_fault(FaultRule("server_error", methods=("sendMessage",), texts=(CLOSED,), times=2))
    contact_id = queue(engine, PEOPLE[0], CLOSED, "order:closed")
    with Session(engine) as s:
        for key, kind, text in (
            ("order:reopened", "notice", REOPENED),
            ("order:digest", "digest", DIGEST),
        ):
            now = services.clock.now()
            enqueue(s, key=key, chat_id=PEOPLE[0], contact_id=contact_id, kind=kind, text=text,
                    now=now, channel="zalo")  # fmt: skip
        s.commit()
    clock = services.clock
    assert isinstance(clock, ManualClock)
    pacer = ZaloPacer(10)
    async with ZaloClient(zalo.token, zalo.url, backoff=(0.01,)) as client:

        async def sent() -> int:
            return await drain(client, services, pacer, owner="test", keep_going=lambda: True)

        assert await sent() == 0
        assert tried(engine, "order:closed") == ("pending", 1)
        assert texts(zalo, PEOPLE[0]) == []  # the digest waits behind a notice tried once
        clock.advance(RETRY_LATER)
        assert await sent() == 1
        assert tried(engine, "order:closed") == ("pending", 2)
        assert texts(zalo, PEOPLE[0]) == [DIGEST]
        clock.advance(RETRY_LATER)
        assert await sent() == 2
    assert texts(zalo, PEOPLE[0]) == [DIGEST, CLOSED, REOPENED]
    with Session(engine) as s:
        rows = s.exec(select(Outbox.status).where(col(Outbox.key).startswith("order:")))
        assert set(rows) == {"sent"}
