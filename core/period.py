"""Read a reporting period typed by a coordinator: '01/11/2026-30/11/2026' and its variants.

Accepted, compared without case or diacritics: two full dates (see `core.deadlines`)
separated by '-', '–', 'đến', 'to' or spaces, optionally after 'từ' / 'from'; or a named
period of a year, as reports name them: 'tháng 11/2026', 'quý 4/2026' (or 'quý IV/2026'),
'6 tháng đầu năm 2026' (or 'cuối năm'), 'năm 2026', and in English 'month 11/2026',
'Q4 2026', 'quarter IV/2026', 'first half 2026', 'H2 2026', 'year 2026'; and the week of
a day given (`report_period`'s `today`), Monday to Sunday: 'tuần này' / 'this week', 'tuần
trước' / 'last week' (Friday's weekly report). A month or a
quarter or a year that does not exist ('tháng 13/2026', 'quý 5', 'năm 99999') is refused,
and a command that takes no period says it was given an impossible one (`dated`). Results
carry codes and dates, never prose: the bot words them from its catalogs.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

from core.deadlines import parse_date
from core.textnorm import fold

_DATE = r"(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.]\d{1,2}[/.]\d{2,4}|\d{1,2}-\d{1,2}-\d{2,4})"
_PERIOD = re.compile(
    rf"^\s*(?:từ|tu|from)?\s*({_DATE})\s*(?:[-–—]|\s(?:đến|den|to)\s|\s)\s*({_DATE})\s*$",
    re.IGNORECASE,
)
_LOOKS_LIKE = re.compile(r"^\s*(?:từ|tu|from)?\s*\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}", re.IGNORECASE)
# Named periods, matched on the folded text (lower case, no diacritics). Each is a whole
# text, so that a task's title such as "Kế hoạch năm 2026 của xã" is never read as one.
_NUMBER = r"(\d{1,2}|[ivxl]{1,6})"  # a month or a quarter: digits or Roman numerals
# Four digits or more: "năm 99999" is a year no calendar has, refused rather than a title.
_YEAR = r"(?:\s*[/.-]\s*|\s+(?:nam\s+|of\s+)?|\s*,\s*)(\d{4,})"
_NAMED = {
    "month": re.compile(rf"(?:thang|month)\s*{_NUMBER}(?:{_YEAR})?"),
    "quarter": re.compile(rf"(?:quy|quarter|q)\s*{_NUMBER}(?:{_YEAR})?"),
    "half": re.compile(
        r"(?:(?:6|sau) thang (dau|cuoi)(?: nam)?|(first|second|1st|2nd) half(?: of)?|h([12]))"
        r"\s*[/.-]?\s*(\d{4,})?"
    ),
    "year": re.compile(r"(?:nam|year)\s*(\d{4,})"),
}
# The week of `today` (0) or the one before it (-1), Monday to Sunday, by its folded words.
_WEEKS = {"tuan nay": 0, "this week": 0, "tuan truoc": -1, "last week": -1}
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9}
_FIRST_YEAR = 1900  # "năm 0000" is no year a task was given in
_ROMAN |= {"x": 10, "xi": 11, "xii": 12, "xiii": 13}


class PeriodErrorCode(StrEnum):
    """Why a typed period was refused."""

    BAD_DATE = "bad_date"  # one of the dates does not exist (31/02) or is garbled
    REVERSED = "reversed"  # the first date is after the second
    ONE_DATE = "one_date"  # a single valid date: a period needs two
    NO_SUCH_PERIOD = "no_such_period"  # a named period that does not exist (tháng 13, quý 5)
    NO_YEAR = "no_year"  # a month, quarter or half named without its year


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


_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DAY_MONTH_YEAR = re.compile(
    r"(?<![\d/.])(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{4}|\d{2}))?(?![\d/.])"
)
_DAY_MONTH = re.compile(r"^\s*\d{1,2}[/.]\d{1,2}\s*$")  # "30/11": a date without its year


class Dated(StrEnum):
    """What a text that is no task's or directive's name says by its dates."""

    IMPOSSIBLE = "impossible"  # a date no calendar has ("31/02", "01/11/2026-31/11/2026")
    NO_PERIOD = "no_period"  # a named period no calendar has ("tháng 13/2026", "quý 5")
    DATE = "date"  # one date, with or without its year
    PERIOD = "period"  # a range of dates, or a named period


def dated(text: str) -> Dated | None:
    """Tell whether a text is a date, a period, has a date no calendar has ("31/02") or
    names a period none has ("tháng 13/2026", "quý 5"), for a command that takes none to say
    so (None: it looks like none of them)."""
    if not (looks_like_period(text) or _DAY_MONTH.match(text)):
        return None
    typed = [(d, m, y) for y, m, d in _ISO_DATE.findall(text)]
    typed += _DAY_MONTH_YEAR.findall(_ISO_DATE.sub(" ", text))
    for day, month, year in typed:
        full = int(year) + (2000 if len(year) == 2 else 0) if year else 2000  # a leap year
        if (
            not 1 <= int(month) <= 12
            or not 1 <= int(day) <= calendar.monthrange(full, int(month))[1]
        ):
            return Dated.IMPOSSIBLE
    if _DAY_MONTH.match(text):
        return Dated.DATE
    parsed = parse_period(text)
    if isinstance(parsed, PeriodError) and parsed.code == PeriodErrorCode.ONE_DATE:
        return Dated.DATE
    if isinstance(parsed, PeriodError) and parsed.code == PeriodErrorCode.NO_SUCH_PERIOD:
        return Dated.NO_PERIOD
    return Dated.PERIOD


def report_period(text: str, today: dt.date | None = None) -> Period | PeriodError | None:
    """Read a report's words as a period, or say what is wrong with the period they look
    like; None when they look like none (a task or a directive is named).

    A date without its year ("30/11") is a single date, and one no calendar has ("31/02")
    a wrong date, for a command that takes periods: not a task's title to look up. Given
    `today`, "tuần này" / "this week" is its week, Monday to Sunday, and "tuần trước" /
    "last week" the one before."""
    weeks = _WEEKS.get(" ".join(fold(text).strip(" .").split()))
    if today is not None and weeks is not None:
        monday = today - dt.timedelta(days=today.weekday()) + dt.timedelta(weeks=weeks)
        return Period(monday, monday + dt.timedelta(days=6))
    if looks_like_period(text):
        return parse_period(text)
    if _DAY_MONTH.match(text):
        if dated(text) is Dated.IMPOSSIBLE:
            return PeriodError(PeriodErrorCode.BAD_DATE, text.strip())
        return PeriodError(PeriodErrorCode.ONE_DATE, text.strip())
    return None


def looks_like_period(text: str) -> bool:
    """Tell whether the text starts like a date or is a named period ('quý 4/2026'), so
    that it is read as a period, not a title."""
    return bool(_LOOKS_LIKE.match(text)) or _named(text) is not None


def parse_period(text: str) -> Period | PeriodError:
    """Read 'dd/mm/yyyy - dd/mm/yyyy' or a named period into a period, or say what is wrong."""
    named = _named(text)
    if named is not None:
        return _named_period(text.strip(), *named)
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


def _named(text: str) -> tuple[str, re.Match[str]] | None:
    """Return which named period the whole text is, and its match, or None."""
    folded = fold(text).strip(" .")
    for kind, pattern in _NAMED.items():
        match = pattern.fullmatch(folded)
        if match is not None:
            return kind, match
    return None


def _named_period(text: str, kind: str, match: re.Match[str]) -> Period | PeriodError:
    """Return the days of a named period, or why it cannot be (no such month, no year)."""
    if kind == "year":
        year_text, months = match[1], (1, 12)
    elif kind == "half":
        first = match[1] == "dau" or match[2] in ("first", "1st") or match[3] == "1"
        year_text, months = match[4], (1, 6) if first else (7, 12)
    else:
        number = int(match[1]) if match[1].isdigit() else _ROMAN.get(match[1], 0)
        if not 1 <= number <= (12 if kind == "month" else 4):
            return PeriodError(PeriodErrorCode.NO_SUCH_PERIOD, text)
        year_text = match[2]
        months = (number, number) if kind == "month" else (3 * number - 2, 3 * number)
    if year_text is None:
        return PeriodError(PeriodErrorCode.NO_YEAR, text)
    # Its length first: int() of thousands of digits is refused (and slow before that).
    if len(year_text) > len(str(dt.MAXYEAR)) or not _FIRST_YEAR <= int(year_text) < dt.MAXYEAR:
        return PeriodError(PeriodErrorCode.NO_SUCH_PERIOD, text)
    year = int(year_text)
    start = dt.date(year, months[0], 1)
    after = dt.date(year + months[1] // 12, months[1] % 12 + 1, 1)
    return Period(start, after - dt.timedelta(days=1))


def decree_day_month(day: dt.date) -> tuple[str, str]:
    """Return the day and month as Decree 30/2020 writes them: a 0 before days under 10
    and months under 3 ('ngày 05 tháng 02', but 'tháng 3')."""
    return f"{day.day:02d}", f"{day.month:02d}" if day.month < 3 else str(day.month)
