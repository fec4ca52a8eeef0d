"""The emulation ranking (thi đua): units ordered by on-time rate over a period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

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


def parse_period(text: str) -> str | None:
    """Return year, quarter or month for what was typed (default year), None if unknown."""
    folded = fold(text)
    if not folded:
        return "year"
    return PERIOD_WORDS.get(folded)


def period_bounds(period: str, today: date) -> tuple[date, date]:
    """Return the first and last day of the year, quarter or month containing today."""
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
