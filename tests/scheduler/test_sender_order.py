"""Messages to one person arrive in the order they were queued; other people's go meanwhile."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from sqlmodel import col, select

from db.models import Outbox
from db.queries.outbox import enqueue
from devtools.fakebotapi import Fault
from scheduler import sender
from scheduler.delivery import wake
from tests.harness import BotUnderTest
from tests.scheduler.support import start_users

PERSON, OTHER = 5000, 5001


def queue(bot: BotUnderTest, chat: int, *texts: str, kind: str = "notice") -> None:
    """Queue messages of a kind (notices) to a chat, in this order, in one transaction."""
    with bot.session() as session:
        for text in texts:
            enqueue(
                session,
                key=f"order:{chat}:{text[:60]}",
                chat_id=str(chat),
                kind=kind,
                text=text,
                now=bot.clock.now(),
            )
        session.commit()


def failing(text: str, times: int, fault: Fault) -> Any:
    """Return a fault function that answers `fault` to the first `times` sends of `text`."""
    left = [times]

    def choose(method: str, params: Mapping[str, Any]) -> Fault | None:
        if method != "sendMessage" or params.get("text") != text or left[0] <= 0:
            return None
        left[0] -= 1
        return fault

    return choose


def settled(bot: BotUnderTest) -> bool:
    """Tell whether no queued row is left to send."""
    with bot.session() as session:
        rows = session.exec(select(Outbox.status).where(col(Outbox.key).startswith("order:")))
        return all(status in ("sent", "failed") for status in rows)


def put_off(bot: BotUnderTest, text: str, tries: int) -> bool:
    """Tell whether the row of `text` is back in the queue after `tries` tries."""
    with bot.session() as session:
        query = select(Outbox).where(col(Outbox.key).endswith(f":{text}"))
        row = session.exec(query).one()
        return (row.status, row.attempts, row.lease_until) == ("pending", tries, None)


def texts(bot: BotUnderTest, chat: int) -> list[str]:
    """Return what arrived in a chat, in arrival order."""
    return [m.text or "" for m in bot.server.messages(chat)]


async def test_a_notice_retried_is_not_overtaken_by_the_one_queued_after_it(
    bot: BotUnderTest,
) -> None:
    """ "Closed" meets three 502s: "reopened", queued after it, waits and arrives second,
    while another person's message goes at once. It arrived first, and the person read the
    task reopened, then closed."""
    start_users(bot.server, [PERSON, OTHER])
    bot.server.set_fault_function(failing("Đã đóng việc #7", 3, Fault.server_error()))
    queue(bot, PERSON, "Đã đóng việc #7", "Đã mở lại việc #7")
    queue(bot, OTHER, "Việc #8 đã giao")
    wake(bot.app)
    await bot.server.wait_until(lambda: settled(bot), timeout=30)
    assert texts(bot, PERSON) == ["Đã đóng việc #7", "Đã mở lại việc #7"]
    sends = [c for c in bot.server.calls("sendMessage") if c.applied]
    assert [c.params["chat_id"] for c in sends] == [OTHER, PERSON, PERSON]


async def test_a_notice_refused_for_good_does_not_hold_the_next_one(bot: BotUnderTest) -> None:
    """A 400 fails the first notice for good; the one after it still goes."""
    start_users(bot.server, [PERSON])
    refused = Fault.server_error(400, "Bad Request: can't parse entities")
    bot.server.set_fault_function(failing("Đã đóng việc #7", 1, refused))
    queue(bot, PERSON, "Đã đóng việc #7", "Đã mở lại việc #7")
    wake(bot.app)
    await bot.server.wait_until(lambda: settled(bot), timeout=30)
    assert texts(bot, PERSON) == ["Đã mở lại việc #7"]


async def test_a_long_text_arrives_whole_before_the_one_queued_after_it(
    bot: BotUnderTest,
) -> None:
    """A notice in several parts, then a short one: the parts arrive together, the short one
    after them, not between two parts."""
    lines = [f"{n}. Xã Thử {n:04d}: chưa báo cáo, quá hạn 3 ngày" for n in range(250)]
    start_users(bot.server, [PERSON])
    queue(bot, PERSON, "\n".join(lines), "Đã mở lại việc #7")
    wake(bot.app)
    await bot.server.wait_until(lambda: settled(bot), timeout=60)
    *parts, last = texts(bot, PERSON)
    assert len(parts) > 1
    assert "\n".join(parts).split("\n") == lines
    assert last == "Đã mở lại việc #7"


CLOSED, REOPENED, DIGEST = "Đã đóng việc #7", "Đã mở lại việc #7", "Tổng hợp sáng nay"


async def test_a_notice_failing_again_lets_the_digest_go_but_not_the_next_notice(
    bot: BotUnderTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ "Closed" meets a 502 at its first try and at its retry five minutes later: the
    digest queued after it goes then, "reopened" waits; "closed" goes at its next retry,
    "reopened" after it. The digest waited behind "closed" its ~40 minutes of retries."""
    monkeypatch.setattr(sender, "BACKOFF_S", ())  # a try is one call, retried 5 minutes on
    start_users(bot.server, [PERSON])
    down = [True]

    def refuse(method: str, params: Mapping[str, Any]) -> Fault | None:
        failing = down[0] and method == "sendMessage" and params.get("text") == CLOSED
        return Fault.server_error() if failing else None

    bot.server.set_fault_function(refuse)
    queue(bot, PERSON, CLOSED, REOPENED)
    queue(bot, PERSON, DIGEST, kind="digest")
    wake(bot.app)
    await bot.server.wait_until(lambda: put_off(bot, CLOSED, 1), timeout=30)
    bot.clock.advance(sender.RETRY_LATER)
    wake(bot.app)
    await bot.server.wait_until(lambda: put_off(bot, CLOSED, 2), timeout=30)
    wake(bot.app)
    await bot.server.wait_until(lambda: texts(bot, PERSON) == [DIGEST], timeout=30)
    down[0] = False
    bot.clock.advance(sender.RETRY_LATER)
    wake(bot.app)
    await bot.server.wait_until(lambda: settled(bot), timeout=30)
    assert texts(bot, PERSON) == [DIGEST, CLOSED, REOPENED]
