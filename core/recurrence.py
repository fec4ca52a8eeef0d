"""Recurring task rules: 'monthly report before the 20th', quarterly, weekly on Friday.

A rule is stored as short text (see `Rule.__str__`):

- ``monthly:N``: day N of every month (a month without day N uses its last day);
- ``quarterly:N``: day N of the last month of each quarter (March, June, September,
  December), as in "trước ngày 15 của tháng cuối quý";
- ``weekly:fri``: that weekday every week.

Each occurrence's nominal day becomes its own task, whose deadline is that day moved off a
weekend or holiday (Civil Code 2015, art. 148). Typed forms are read without case or
diacritics: 'hàng tháng 20', 'thang:20', 'quý 15', 'hằng tuần thứ 6', 'weekly friday'.
"""

from __future__ import annotations

import calendar as stdcal
import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from core.textnorm import fold

__all__ = ["Frequency", "Rule", "occurrences", "parse_rule", "period_label"]

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WEEKDAY_WORDS = {
    **{w: i for i, w in enumerate(WEEKDAYS)},
    **{name.lower(): i for i, name in enumerate(stdcal.day_name)},
    **{f"thu {n}": n - 2 for n in range(2, 8)},
    **{f"thu{n}": n - 2 for n in range(2, 8)},
    **{f"t{n}": n - 2 for n in range(2, 8)},
    "chu nhat": 6,
    "cn": 6,
}
_FREQUENCY_WORDS = {
    "monthly": "monthly",
    "month": "monthly",
    "hang thang": "monthly",
    "thang": "monthly",
    "quarterly": "quarterly",
    "quarter": "quarterly",
    "hang quy": "quarterly",
    "quy": "quarterly",
    "weekly": "weekly",
    "week": "weekly",
    "hang tuan": "weekly",
    "tuan": "weekly",
}
_DAY_PREFIX = re.compile(r"^(?:(?:vao|on|before|truoc|the|ngay|day)\s+)*")
_ORDINAL = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?$")
QUARTER_END_MONTHS = (3, 6, 9, 12)


class Frequency(StrEnum):
    """How often a rule recurs."""

    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    WEEKLY = "weekly"


@dataclass(frozen=True, slots=True)
class Rule:
    """A recurrence: a frequency and a day (of the month 1-31, or a weekday 0=Monday)."""

    frequency: Frequency
    day: int

    def __str__(self) -> str:
        """Return the stored form: 'monthly:20', 'quarterly:15', 'weekly:fri'."""
        day = WEEKDAYS[self.day] if self.frequency == Frequency.WEEKLY else str(self.day)
        return f"{self.frequency.value}:{day}"


def parse_rule(text: str) -> Rule | None:
    """Read a rule as stored or as an admin typed it; None when it is not one."""
    folded = " ".join(fold(text).replace(":", " ").split())
    for word in sorted(_FREQUENCY_WORDS, key=len, reverse=True):
        if folded.startswith(word + " "):
            rest = _DAY_PREFIX.sub("", folded[len(word) :].strip()).rstrip(".")
            return _rule(Frequency(_FREQUENCY_WORDS[word]), rest)
    return None


def _rule(frequency: Frequency, day_text: str) -> Rule | None:
    """Return the rule for a frequency and its typed day, or None when the day is wrong."""
    if frequency == Frequency.WEEKLY:
        weekday = _WEEKDAY_WORDS.get(day_text)
        return Rule(frequency, weekday) if weekday is not None else None
    match = _ORDINAL.match(day_text)
    if match is None or not 1 <= int(match.group(1)) <= 31:
        return None
    return Rule(frequency, int(match.group(1)))


def occurrences(rule: Rule, start: date, end: date) -> list[date]:
    """Return the nominal days of the rule from start to end, both included."""
    if end < start:
        return []
    if rule.frequency == Frequency.WEEKLY:
        first = start + timedelta(days=(rule.day - start.weekday()) % 7)
        return [first + timedelta(weeks=k) for k in range((end - first).days // 7 + 1)]
    months = QUARTER_END_MONTHS if rule.frequency == Frequency.QUARTERLY else range(1, 13)
    days = []
    for year in range(start.year, end.year + 1):
        for month in months:
            last = stdcal.monthrange(year, month)[1]
            day = date(year, month, min(rule.day, last))
            if start <= day <= end:
                days.append(day)
    return days


def period_label(rule: Rule, nominal: date) -> str:
    """Return what an occurrence is for, to tell its task apart: '11/2026', 'Q4/2026'."""
    if rule.frequency == Frequency.MONTHLY:
        return f"{nominal.month:02d}/{nominal.year}"
    if rule.frequency == Frequency.QUARTERLY:
        return f"Q{(nominal.month - 1) // 3 + 1}/{nominal.year}"
    return f"{nominal.day:02d}/{nominal.month:02d}/{nominal.year}"
