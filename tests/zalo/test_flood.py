"""The Zalo flood guard: a burst, then one a second; past that dropped, warned once a minute."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlmodel import select

from app.i18n import load_catalog
from app.services import Services
from bot.settings import Settings
from core.clock import ManualClock
from db.models import StatusReport
from db.queries import inbox
from db.queries.inbox import InboxKey
from devtools.fakezalo import FakeZalo
from handlers.zalo.flood import Verdict, ZaloFlood
from handlers.zalo.poller import ZaloPoller
from scheduler.zalo_sender import ZaloPacer
from tests.harness import DEFAULT_NOW
from tests.zalo.conftest import ZALO_ADMIN, ZaloBot
from tests.zalo.test_recovery import ACCOUNT, HOA, event
from tests.zalo.test_reminders import official, remind
from zalo import ZaloClient

SLOW_DOWN = "đang gửi quá nhanh"  # common.slow_down


def test_a_burst_passes_then_the_excess_is_dropped_and_warned_once() -> None:
    """Twenty pass at once; the 21st is warned, the 22nd dropped; others are not affected."""
    now = [1000.0]
    guard = ZaloFlood(clock=lambda: now[0])
    verdicts = [guard.judge("a1") for _ in range(22)]
    assert verdicts[:20] == [Verdict.PASS] * 20
    assert verdicts[20:] == [Verdict.WARN, Verdict.DROP]
    assert guard.judge("b2") == Verdict.PASS
    now[0] += 1.0  # a second later: one more token
    assert [guard.judge("a1"), guard.judge("a1")] == [Verdict.PASS, Verdict.DROP]
    now[0] += 61.0  # past the minute: full again, and may be warned again
    assert all(guard.judge("a1") == Verdict.PASS for _ in range(20))
    assert guard.judge("a1") == Verdict.WARN


def test_undo_gives_back_a_redelivery_s_token_and_its_warning() -> None:
    """A redelivered event's token is given back, and a warning spent on one is not spent."""
    now = [1000.0]
    guard = ZaloFlood(clock=lambda: now[0])
    for _ in range(20):
        assert guard.judge("a1") == Verdict.PASS
        guard.undo("a1", Verdict.PASS)
    assert guard.judge("a1") == Verdict.PASS  # nothing was spent
    assert [guard.judge("a1") for _ in range(19)] == [Verdict.PASS] * 19
    assert guard.judge("a1") == Verdict.WARN
    guard.undo("a1", Verdict.WARN)
    assert guard.judge("a1") == Verdict.WARN  # the real flood is still told once


async def test_an_event_delivered_25_times_by_polling_is_answered_once_and_no_flood(
    zbot: ZaloBot,
) -> None:
    """Zalo handing one message out 25 times more (past a person's burst of 20) is one
    answer and no "sending too fast"; the person's next message is answered as usual."""
    message_id = zbot.zalo.send_text(ZALO_ADMIN, "/whoami")
    await zbot.handled(message_id)
    for _ in range(25):
        zbot.zalo.redeliver(message_id)
    await zbot.say(ZALO_ADMIN, "/lang")
    texts = [m.text for m in zbot.zalo.messages(ZALO_ADMIN)]
    assert len(texts) == 2  # the /whoami once, then the /lang (an admin's /help is 2 parts)
    assert not any(SLOW_DOWN in text for text in texts)


async def test_a_copy_over_the_budget_after_a_restart_is_not_warned_about(
    settings: Settings, engine: Engine
) -> None:
    """A person who used their burst is not told to slow down for Zalo delivering again an
    event recorded before a restart (the inbox knows it): the warning stays for a real
    flood, and the copy is neither recorded twice nor answered."""
    services = Services(settings, engine, load_catalog(), ManualClock(DEFAULT_NOW))
    with engine.begin() as connection:
        inbox.record(
            connection,
            channel="zalo",
            key=InboxKey(ACCOUNT, 0, "aa01"),
            kind="message.text.received",
            payload=event("aa01", "xong"),
            digest="",
            now=DEFAULT_NOW - timedelta(minutes=3),
        )
    async with FakeZalo() as zalo, ZaloClient(zalo.token, zalo.url) as client:
        zalo.add_user(HOA, "Hoa", wrote=True)
        poller = ZaloPoller(
            services, client, ZaloPacer(10), wake_sender=lambda: None, account=ACCOUNT
        )
        poller.flood = ZaloFlood(clock=lambda: 1000.0)
        assert all(poller.flood.judge(HOA) is Verdict.PASS for _ in range(20))
        await poller.accept(event("aa01", "xong"))
        await asyncio.sleep(0.3)
        assert zalo.messages(HOA) == []
        assert poller.flood.judge(HOA) is Verdict.WARN


async def test_a_burst_of_the_same_number_answers_one_question_only(zbot: ZaloBot) -> None:
    """Hoa, reminded of two tasks, sends "1" thirty times at once: the first is read (the bot
    asks which task); the others were sent before that question, so they answer nothing. They
    went on to answer "which task?" and then "which status?" of the other task, and both were
    recorded done, which she never chose."""
    official(zbot, ("A", "B"))
    await remind(zbot)
    after = len(zbot.zalo.messages(HOA))
    sent = [zbot.zalo.send_text(HOA, "1") for _ in range(30)]
    await zbot.handled(sent[0])
    await zbot.zalo.wait_until(lambda: zbot.zalo.pending_events() == 0)
    await asyncio.sleep(0.5)  # what the others would have set off
    with zbot.session() as s:
        assert s.exec(select(StatusReport)).all() == []
    texts = [m.text for m in zbot.zalo.messages(HOA)][after:]
    assert len([t for t in texts if "nhiệm vụ nào" in t]) == 1
    assert len([t for t in texts if SLOW_DOWN in t]) <= 1  # past the burst: told once
    assert len(texts) <= 2


async def test_a_repeat_zalo_hands_over_after_the_answer_went_answers_nothing(
    zbot: ZaloBot,
) -> None:
    """Hoa, reminded of two tasks, taps "1" twice on a slow link: Zalo hands the bot one event
    a getUpdates call, the second only after the bot's "which task?" had gone. Written before
    that question (Zalo dates it so), it does not answer it: the burst's rule holds by Zalo's
    clock, not only by when the bot fetched the text."""
    official(zbot, ("A", "B"))
    await remind(zbot)
    after = len(zbot.zalo.messages(HOA))
    written = int(time.time() * 1000)
    await zbot.handled(zbot.zalo.send_text(HOA, "1", written_ms=written))
    await zbot.zalo.wait_until(lambda: len(zbot.zalo.messages(HOA)) > after)
    await zbot.handled(zbot.zalo.send_text(HOA, "1", written_ms=written))
    with zbot.session() as s:
        assert s.exec(select(StatusReport)).all() == []
    texts = [m.text for m in zbot.zalo.messages(HOA)][after:]
    assert len([t for t in texts if "nhiệm vụ nào" in t]) == 1
    assert len(texts) == 1
    # Typed after the question came, the same "1" answers it.
    await zbot.handled(zbot.zalo.send_text(HOA, "1"))
    await zbot.zalo.wait_until(lambda: len(zbot.zalo.messages(HOA)) > after + 1)
    assert "nhiệm vụ nào" not in zbot.zalo.messages(HOA)[-1].text


async def test_forty_messages_kept_at_a_stop_are_not_forty_answers_at_the_next_start(
    settings: Settings, engine: Engine
) -> None:
    """Hoa sent 40 messages the second before a restart, kept unanswered in the inbox: the
    next start answers her burst's worth (20), tells her once to slow down, and finishes the
    rest unanswered (none is taken again), as if they had come while the bot ran."""
    services = Services(settings, engine, load_catalog(), ManualClock(DEFAULT_NOW))
    with engine.begin() as connection:
        for n in range(40):
            inbox.record(
                connection,
                channel="zalo",
                key=InboxKey(ACCOUNT, 0, f"bb{n:02d}"),
                kind="message.text.received",
                payload=event(f"bb{n:02d}", f"chào {n}"),
                digest="",
                now=DEFAULT_NOW - timedelta(seconds=1),
            )
    async with FakeZalo() as zalo, ZaloClient(zalo.token, zalo.url) as client:
        zalo.add_user(HOA, "Hoa", wrote=True)
        poller = ZaloPoller(
            services, client, ZaloPacer(100, 0.0), wake_sender=lambda: None, account=ACCOUNT
        )
        poller.flood = ZaloFlood(clock=lambda: 1000.0)  # no token comes back meanwhile
        await poller.recover()
        await poller.finished()
        texts = [m.text for m in zalo.messages(HOA)]
    with engine.connect() as connection:
        left = inbox.unfinished(connection, channel="zalo", started=DEFAULT_NOW)
    assert len([t for t in texts if SLOW_DOWN not in t]) == 20  # 40 before
    assert len([t for t in texts if SLOW_DOWN in t]) == 1
    assert left == []
