"""The emulation ranking (thi đua): units ordered by on-time rate over a period."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from core.period import PeriodError, looks_like_period
from core.period import parse_period as read_period
from core.status import Counts
from core.textnorm import fold, vi_sort_key

PERIOD_WORDS = {
    "year": "year",
    "nam": "year",
    "quarter": "quarter",
    "quy": "quarter",
    "month": "month",
    "thang": "month",
}


_RANGE = re.compile(r"(\d{8})-(\d{8})")


def parse_period(text: str) -> str | PeriodError | None:
    """Return the period a ranking covers, as a key: year, quarter or month for the words
    (default year), or `YYYYMMDD-YYYYMMDD` for a typed period ("01/01/2026-30/06/2026", read
    as /report reads it; a key read back as it is). A typed period that cannot be read gives
    what is wrong with it; unknown words, None."""
    if _RANGE.fullmatch(text.strip()):
        return text.strip() if _range(text.strip()) is not None else None
    if looks_like_period(text):
        period = read_period(text)
        if isinstance(period, PeriodError):
            return period
        return "-".join(day.isoformat().replace("-", "") for day in (period.start, period.end))
    folded = fold(text)
    if not folded:
        return "year"
    return PERIOD_WORDS.get(folded)


def is_period_key(text: str) -> bool:
    """Tell whether the text is a key `parse_period` returns (what a page's button keeps)."""
    return text in PERIOD_WORDS.values() or _range(text) is not None


def _range(key: str) -> tuple[date, date] | None:
    """Return the days of a `YYYYMMDD-YYYYMMDD` key, or None when it is not one."""
    match = _RANGE.fullmatch(key)
    if match is None:
        return None
    try:
        start, end = (date(int(d[:4]), int(d[4:6]), int(d[6:])) for d in match.groups())
    except ValueError:
        return None
    return (start, end) if start <= end else None


def period_bounds(period: str, today: date) -> tuple[date, date]:
    """Return the first and last day of the period: a typed one, or the year, quarter or
    month containing today."""
    typed = _range(period)
    if typed is not None:
        return typed
    if period == "month":
        start = today.replace(day=1)
        end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    elif period == "quarter":
        first_month = (today.month - 1) // 3 * 3 + 1
        start = date(today.year, first_month, 1)
        end = (start + timedelta(days=95)).replace(day=1) - timedelta(days=1)
    else:
        start, end = date(today.year, 1, 1), date(today.year, 12, 31)
    return start, end


@dataclass(frozen=True)
class Ranked:
    """A unit's place in the ranking."""

    place: int
    unit_id: int
    name: str
    counts: Counts

    @property
    def rate(self) -> Fraction:
        """Return the on-time rate (units with nothing due are not ranked)."""
        return self.counts.on_time_rate or Fraction(0)


def rank(counts: dict[int, Counts], names: dict[int, str]) -> list[Ranked]:
    """Order units with something due by on-time rate, then by how much was due; ties share."""
    rows = [(uid, c) for uid, c in counts.items() if c.due]
    rows.sort(
        key=lambda r: (-(r[1].on_time_rate or 0), -r[1].due, vi_sort_key(names.get(r[0], "")))
    )
    ranked: list[Ranked] = []
    for i, (uid, c) in enumerate(rows, start=1):
        same = ranked and ranked[-1].rate == c.on_time_rate
        place = ranked[-1].place if same else i
        ranked.append(Ranked(place, uid, names.get(uid, str(uid)), c))
    return ranked
