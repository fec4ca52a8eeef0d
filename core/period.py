"""Read a reporting period typed by a coordinator: '01/11/2026-30/11/2026' and its variants.

Accepted, compared without case or diacritics: two full dates (see `core.deadlines`)
separated by '-', '–', 'đến', 'to' or spaces, optionally after 'từ' / 'from'. Results carry
codes and dates, never prose: the bot words them from its catalogs.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

from core.deadlines import parse_date

_DATE = r"(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.]\d{1,2}[/.]\d{2,4}|\d{1,2}-\d{1,2}-\d{2,4})"
_PERIOD = re.compile(
    rf"^\s*(?:từ|tu|from)?\s*({_DATE})\s*(?:[-–—]|\s(?:đến|den|to)\s|\s)\s*({_DATE})\s*$",
    re.IGNORECASE,
)
_LOOKS_LIKE = re.compile(r"^\s*(?:từ|tu|from)?\s*\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}", re.IGNORECASE)


class PeriodErrorCode(StrEnum):
    """Why a typed period was refused."""

    BAD_DATE = "bad_date"  # one of the dates does not exist (31/02) or is garbled
    REVERSED = "reversed"  # the first date is after the second
    ONE_DATE = "one_date"  # a single valid date: a period needs two


@dataclass(frozen=True)
class Period:
    """From one day to another, both included."""

    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class PeriodError:
    """A refused period: the code and the part of the text at fault."""

    code: PeriodErrorCode
    text: str


def looks_like_period(text: str) -> bool:
    """Tell whether the text starts like a date (so it is read as a period, not a title)."""
    return bool(_LOOKS_LIKE.match(text))


def parse_period(text: str) -> Period | PeriodError:
    """Read 'dd/mm/yyyy - dd/mm/yyyy' into a period, or say what is wrong."""
    match = _PERIOD.match(text)
    if match is None:
        one = re.fullmatch(rf"\s*(?:từ|tu|from)?\s*({_DATE})\s*", text, re.IGNORECASE)
        if one is not None and parse_date(one[1]) is not None:
            return PeriodError(PeriodErrorCode.ONE_DATE, one[1])
        return PeriodError(PeriodErrorCode.BAD_DATE, text.strip())
    return period_of(match[1], match[2])


def period_of(start_text: str, end_text: str) -> Period | PeriodError:
    """Read two typed dates into a period, or say which one is wrong."""
    start, end = parse_date(start_text), parse_date(end_text)
    if start is None:
        return PeriodError(PeriodErrorCode.BAD_DATE, start_text.strip())
    if end is None:
        return PeriodError(PeriodErrorCode.BAD_DATE, end_text.strip())
    if start > end:
        return PeriodError(PeriodErrorCode.REVERSED, f"{start_text.strip()} > {end_text.strip()}")
    return Period(start, end)


def decree_day_month(day: dt.date) -> tuple[str, str]:
    """Return the day and month as Decree 30/2020 writes them: a 0 before days under 10
    and months under 3 ('ngày 05 tháng 02', but 'tháng 3')."""
    return f"{day.day:02d}", f"{day.month:02d}" if day.month < 3 else str(day.month)
