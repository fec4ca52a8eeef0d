"""The Zalo flood guard: a burst, then one a second; past that dropped, warned once a minute."""

from __future__ import annotations

from handlers.zalo.flood import Verdict, ZaloFlood
from tests.zalo.conftest import ZALO_ADMIN, ZaloBot

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
    await zbot.say(ZALO_ADMIN, "/help")
    texts = [m.text for m in zbot.zalo.messages(ZALO_ADMIN)]
    assert len(texts) == 2
    assert not any(SLOW_DOWN in text for text in texts)
