"""Recurring rules: reading them as typed, and their occurrences between two dates."""

from datetime import date

import pytest

from core.recurrence import Frequency, Rule, occurrences, parse_rule, period_label


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("monthly:20", "monthly:20"),
        ("hàng tháng 20", "monthly:20"),
        ("Monthly before the 20th", "monthly:20"),
        ("quý 15", "quarterly:15"),
        ("quarterly:15", "quarterly:15"),
        ("weekly:fri", "weekly:fri"),
        ("hằng tuần thứ 6", "weekly:fri"),
        ("weekly friday", "weekly:fri"),
        ("tuần cn", "weekly:sun"),
    ],
)
def test_parse_rule_accepts_typed_forms(text: str, stored: str) -> None:
    """Vietnamese and English forms read into the stored form."""
    rule = parse_rule(text)
    assert rule is not None
    assert str(rule) == stored
    assert parse_rule(str(rule)) == rule


@pytest.mark.parametrize("text", ["", "monthly", "monthly:0", "monthly:32", "weekly:xyz", "20"])
def test_parse_rule_refuses_nonsense(text: str) -> None:
    """A rule without a frequency or with an impossible day is refused."""
    assert parse_rule(text) is None


def test_occurrences_monthly_uses_last_day_of_short_months() -> None:
    """Monthly on the 31st falls on the last day of February and April."""
    days = occurrences(Rule(Frequency.MONTHLY, 31), date(2027, 1, 1), date(2027, 4, 30))
    assert days == [date(2027, 1, 31), date(2027, 2, 28), date(2027, 3, 31), date(2027, 4, 30)]


def test_occurrences_quarterly_in_last_month_of_quarter() -> None:
    """Quarterly on the 15th is in March, June, September and December."""
    days = occurrences(Rule(Frequency.QUARTERLY, 15), date(2026, 11, 1), date(2027, 7, 1))
    assert days == [date(2026, 12, 15), date(2027, 3, 15), date(2027, 6, 15)]


def test_occurrences_weekly_every_friday() -> None:
    """Weekly on Friday gives each Friday in the range, both ends included."""
    days = occurrences(Rule(Frequency.WEEKLY, 4), date(2026, 11, 20), date(2026, 12, 4))
    assert days == [date(2026, 11, 20), date(2026, 11, 27), date(2026, 12, 4)]


def test_period_label_tells_occurrences_apart() -> None:
    """Labels name the month, the quarter or the day."""
    assert period_label(Rule(Frequency.MONTHLY, 20), date(2026, 11, 20)) == "11/2026"
    assert period_label(Rule(Frequency.QUARTERLY, 15), date(2026, 12, 15)) == "Q4/2026"
    assert period_label(Rule(Frequency.WEEKLY, 4), date(2026, 11, 20)) == "20/11/2026"
