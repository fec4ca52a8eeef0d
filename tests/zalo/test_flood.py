"""The Zalo flood guard: a burst, then one a second; past that dropped, warned once a minute."""

from __future__ import annotations

from handlers.zalo.flood import Verdict, ZaloFlood


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
