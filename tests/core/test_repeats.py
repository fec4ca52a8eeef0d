"""A text sent again before its answer went: judged by arrival, or by the platform's dates."""

from __future__ import annotations

from core.repeats import AnsweredTexts


def texts_at(now: list[float]) -> AnsweredTexts:
    """Return the rule on a clock the test moves."""
    return AnsweredTexts(clock=lambda: now[0])


def test_the_same_text_that_came_before_the_answer_went_repeats_it() -> None:
    now = [10.0]
    rule = texts_at(now)
    rule.answered("hoa", " 1 ")
    assert rule.repeats("hoa", "1", came=9.5)
    assert not rule.repeats("hoa", "1", came=10.5)  # came after: written having the answer
    assert not rule.repeats("hoa", "2", came=9.5)  # another text
    assert not rule.repeats("lan", "1", came=9.5)  # another person


def test_a_text_fetched_late_but_dated_before_the_answer_repeats_it() -> None:
    """Zalo dates both by its own clock: the bot fetching the text late changes nothing."""
    now = [10.0]
    rule = texts_at(now)
    rule.answered("hoa", "1", went_ms=5_000)
    assert rule.repeats("hoa", "1", came=11.0, written_ms=4_999)
    assert not rule.repeats("hoa", "1", came=11.0, written_ms=5_000)
    assert not rule.repeats("hoa", "1", came=11.0, written_ms=0)  # undated: arrival decides
    rule.answered("hoa", "1")  # the platform gave no date for the answer
    assert not rule.repeats("hoa", "1", came=11.0, written_ms=4_999)
