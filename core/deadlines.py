"""Read the deadlines admins type: '15/06/2025', '15/6', 'trong 05 ngày làm việc'.

Accepted forms, compared without case or Vietnamese diacritics:

- ``dd/mm/yyyy`` and ``d/m/yyyy``, with ``/``, ``-`` or ``.`` (one kind per date);
- ``dd/mm/yy``: a 2-digit year is read as 20yy. Vietnam always writes the day first and
  no 2-digit year is accepted in front, so '15/06/25' can only mean 15 June 2025;
- ``d/m``: the nearer of this year's day and next year's: in December '15/01' is next
  January; a day just past ('05/12' on 06/12) is refused, next year's offered as the
  suggestion;
- ``yyyy-mm-dd`` (ISO, as pasted from a spreadsheet): a 4-digit first field is a year;
- ``ngày 15 tháng 6 năm 2026`` (the long form of official documents; the year optional);
- an optional leading 'ngày' before any of these, and 'trước' ('before', 'by') before that:
  a directive's "trước ngày 15/06/2026" means that day;
- ``yyyy-mm-dd 00:00:00``: a date cell exported to CSV with its empty time;
- any of these with its time of day, after it as a program exports it ("15/01/2027 17:00",
  "15/01/2027 17:00:00") or before it as an official writes it ("17h00 ngày 15/01/2027",
  "17h ngày …", "17 giờ ngày …", "trước 8h sáng ngày …"):
  that day (a task is due by the end of its day), in chat as in a tasks file;
- ``N ngày làm việc`` / ``N ngay lam viec`` / ``N working day(s)``, optionally after
  'trong', 'trong vòng', 'trong thời hạn' (a directive's wording) or 'within': the N-th
  working day after today;
- words relative to today: ``hôm nay``, ``ngày mai``; a weekday, ``thứ 6`` (``thứ sáu``,
  ``chủ nhật``; the next one after today), ``thứ 6 tuần này`` / ``tuần sau``;
  ``cuối tháng`` (``cuối tháng này`` / ``sau``) and ``cuối năm``: that month's or year's
  last day; in English ``today``, ``tomorrow``, ``friday`` (``this friday``, ``next
  friday`` or ``friday next week``: next week's), ``end of month`` (``end of next month``),
  ``end of year``;
- a period, as a directive's appendix gives it: ``Quý IV/2026`` (or ``Quý 4 năm 2026``),
  ``Tháng 12/2026`` (``tháng 12 năm 2026``), ``6 tháng đầu năm 2026`` / ``6 tháng cuối năm``,
  ``Năm 2026``, optionally after 'trong', 'trước', 'cuối' or 'hết': the period's last day
  (the nearer year's when no year is given, as for 'd/m'); in English as `/report` reads a
  period: ``Q4 2026`` (``quarter IV/2026``), ``month 12/2026``, ``first half 2026`` /
  ``H2 2026``, ``year 2026``, optionally after 'by', 'before' or 'within'.

Results carry codes and dates, never prose: the bot words them from its catalogs.
"""

from __future__ import annotations

import calendar as calendar_module
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from core.calendar import WorkingCalendar

__all__ = [
    "MAX_WORKING_DAYS",
    "MAX_YEARS_AHEAD",
    "WEEKEND",
    "DaySpan",
    "DeadlineError",
    "DeadlineErrorCode",
    "DeadlineParsed",
    "SpanError",
    "SpanErrorCode",
    "beyond_horizon",
    "counts_from_today",
    "format_date",
    "in_working_days",
    "latest_deadline",
    "parse_date",
    "parse_deadline",
    "parse_span",
]

# Beyond these the input is a typo, not a plan; they also keep the day-by-day walk short.
MAX_WORKING_DAYS = 365
MAX_YEARS_AHEAD = 10

# DeadlineParsed.reason when a deadline moved off a plain Saturday or Sunday.
WEEKEND = "weekend"

_DMY = re.compile(r"(?:ngay )?(\d{1,2})([/.-])(\d{1,2})(?:\2(\d{4}|\d{2}))?", re.ASCII)
# A date cell exported to CSV keeps its (empty) time: "2026-06-15 00:00:00"; a program
# exports one with its time as ISO 8601 writes it ("2026-06-15T17:00:00", no zone: the day
# is as written).
_ISO = re.compile(
    r"(?:ngay )?(\d{4})-(\d{1,2})-(\d{1,2})(?:[ t]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)?",
    re.ASCII,
)
# The long form of official documents: "ngày 15 tháng 6 năm 2026", the year optional.
_LONG = re.compile(r"(?:ngay )?(\d{1,2}) thang (\d{1,2})(?: nam (\d{4}))?", re.ASCII)
# "trước ngày 15/06/2026": how a directive's appendix writes a deadline, meaning that day.
_BEFORE = re.compile(r"^(?:truoc|before|by) ", re.ASCII)
# The time of a deadline given with its day (module doc): left out, the day is the deadline.
# "17:00", "17h00", "17h", "17g", "17 giờ", "17 giờ 30", "8h sáng"; a number after "giờ" is
# its minutes unless a date goes on from it ("17 giờ 18/12/2026").
_TIME = (
    r"\d{1,2}(?:[:h]\d{2}(?::\d{2})?|\s?[hg]|\s?gio(?:\s\d{1,2}(?![/.-]\d)(?:\s?phut)?)?)"
    r"(?:\s(?:sang|chieu|toi))?"
)
_WITH_TIME = re.compile(
    rf"^((?:truoc|before|by) )?(?:luc )?{_TIME},?\s+(?=\S)|(?<=\S),?\s+(?:luc |vao )?{_TIME}$",
    re.ASCII,
)
# A period ends on the last day of a month: "quy iv/2026", "thang 12 nam 2026", "nam 2026".
_YEAR_TAIL = r"(?:(?: nam |/|-| )(\d{4}))?"
_QUARTER = re.compile(r"quy (iv|i{1,3}|[1-4])" + _YEAR_TAIL, re.ASCII)
_MONTH = re.compile(r"thang (\d{1,2})" + _YEAR_TAIL, re.ASCII)
_HALF = re.compile(r"6 thang (dau|cuoi) nam(?: (\d{4}))?", re.ASCII)
_WHOLE_YEAR = re.compile(r"nam (\d{4})", re.ASCII)
# The same periods in English, read as their Vietnamese: "q4 2026" is "quy 4 2026".
_EN_PERIODS = (
    (re.compile(r"(?:quarter|q) ?(iv|i{1,3}|[1-4])\b", re.ASCII), r"quy \1"),
    (re.compile(r"month (\d{1,2})\b", re.ASCII), r"thang \1"),
    (re.compile(r"(?:first half|h1)(?: of)?\b", re.ASCII), "6 thang dau nam"),
    (re.compile(r"(?:second half|h2)(?: of)?\b", re.ASCII), "6 thang cuoi nam"),
    (re.compile(r"year (\d{4})$", re.ASCII), r"nam \1"),
)
_PERIOD_LEAD = re.compile(r"^(?:truoc|trong|cuoi|het|before|by|within) ", re.ASCII)
_WEEKDAYS = {
    **{f"thu {n}": n - 2 for n in range(2, 8)},
    **{f"thu {w}": i for i, w in enumerate(("hai", "ba", "tu", "nam", "sau", "bay"))},
    "chu nhat": 6,
}
_WEEKDAY = re.compile(
    r"(" + "|".join(_WEEKDAYS) + r")(?: (tuan nay|tuan sau|tuan toi))?", re.ASCII
)
_DAY_WORDS = {"hom nay": 0, "today": 0, "ngay mai": 1, "tomorrow": 1}
# The same words in English, read as their Vietnamese: "next friday" is Friday next week.
_EN_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_EN_WEEKDAY = re.compile(
    r"(?:(this|next) )?(" + "|".join(_EN_DAYS) + r")(?: (this|next) week)?", re.ASCII
)
_EN_MONTH_END = re.compile(r"end of (?:the |this )?month|month end|end of (next) month", re.ASCII)
_EN_YEAR_END = re.compile(r"end of (?:the |this )?year|year end", re.ASCII)
_MONTH_END = re.compile(r"cuoi thang(?: (nay|sau|toi))?", re.ASCII)
_YEAR_END = re.compile(r"cuoi nam(?: nay)?", re.ASCII)
_QUARTERS = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_WORKING_DAYS = re.compile(
    r"(?:trong (?:vong |thoi han )?|within )?(\d{1,4}) (?:ngay lam viec|working days?)", re.ASCII
)


class DeadlineErrorCode(StrEnum):
    """Why a typed deadline was refused; the values are stable catalog keys."""

    UNRECOGNISED = "unrecognised"
    IMPOSSIBLE_DATE = "impossible_date"
    IN_PAST = "in_past"
    OUT_OF_RANGE = "out_of_range"


@dataclass(frozen=True, slots=True)
class DeadlineParsed:
    """A deadline on a working day, with where it moved from and why, if it moved."""

    date: dt.date
    original: str
    moved_from: dt.date | None = None
    reason: str | None = None  # holiday name, or WEEKEND; None when it did not move


@dataclass(frozen=True, slots=True)
class DeadlineError:
    """A refused deadline: a code plus the dates the message needs."""

    code: DeadlineErrorCode
    original: str
    date: dt.date | None = None  # the date as understood (in_past, out_of_range)
    suggestion: dt.date | None = None  # in_past for 'd/m': the same day next year


@dataclass(frozen=True, slots=True)
class _Typed:
    """The numbers of a typed date; year is None for the 'd/m' form; day is None for a
    period, which ends on its last month's last day."""

    day: int | None
    month: int
    year: int | None


def format_date(d: dt.date) -> str:
    """Write a date the Vietnamese way, dd/mm/yyyy."""
    return f"{d.day:02d}/{d.month:02d}/{d.year:04d}"


def parse_date(text: str) -> dt.date | None:
    """Read a full date such as 15/06/2025 (see module doc); None if garbage or impossible."""
    typed = _match_date(_fold(text))
    if typed is None or typed.year is None or typed.day is None:
        return None
    return _build(typed.day, typed.month, typed.year)


def parse_deadline(
    text: str, *, today: dt.date, calendar: WorkingCalendar
) -> DeadlineParsed | DeadlineError:
    """Turn what an admin typed into a deadline on a working day, or say why not."""
    original = text.strip()
    folded = _read(text)
    n = _match_working_days(folded)
    if n is not None:
        return _from_working_days(n, original, today, calendar)
    said = _match_words(folded, today)
    if said is not None:
        return _from_date(_Typed(said.day, said.month, said.year), original, today, calendar)
    typed = _match_date(folded) or _match_period(folded)
    if typed is None:
        return DeadlineError(DeadlineErrorCode.UNRECOGNISED, original)
    return _from_date(typed, original, today, calendar)


def in_working_days(text: str) -> bool:
    """Tell whether a deadline is written as a number of working days from today."""
    return _match_working_days(_read(text)) is not None


def counts_from_today(text: str) -> bool:
    """Tell whether a deadline is written from today ("5 ngày làm việc", "thứ 6", "cuối
    tháng"): the same words give another date on another day."""
    folded = _read(text)
    return in_working_days(text) or _match_words(folded, dt.date(2000, 1, 3)) is not None


def _match_words(folded: str, today: dt.date) -> dt.date | None:
    """Return the day words relative to today name ("ngày mai", "thứ 6 tuần sau", "cuối
    tháng"), or None."""
    folded = _in_vietnamese(_BEFORE.sub("", folded))
    if folded in _DAY_WORDS:
        return today + dt.timedelta(days=_DAY_WORDS[folded])
    if match := _WEEKDAY.fullmatch(folded):
        weekday, week = _WEEKDAYS[match[1]], match[2]
        if week is None:  # the next one after today
            return today + dt.timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)
        monday = today - dt.timedelta(days=today.weekday())
        return monday + dt.timedelta(days=weekday + (0 if week == "tuan nay" else 7))
    if match := _MONTH_END.fullmatch(folded):
        year, month = today.year, today.month
        if match[1] in ("sau", "toi"):
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return dt.date(year, month, calendar_module.monthrange(year, month)[1])
    if _YEAR_END.fullmatch(folded):
        return dt.date(today.year, 12, 31)
    return None


def _in_vietnamese(folded: str) -> str:
    """Return English day words as the Vietnamese ones they mean ("friday next week": "thu 6
    tuan sau", "end of month": "cuoi thang"); any other text as it is."""
    if match := _EN_WEEKDAY.fullmatch(folded):
        week = match[1] or match[3]
        said = f"thu {_EN_DAYS.index(match[2]) + 2}" if match[2] != "sunday" else "chu nhat"
        return said + {"this": " tuan nay", "next": " tuan sau", None: ""}[week]
    if match := _EN_MONTH_END.fullmatch(folded):
        return "cuoi thang sau" if match[1] else "cuoi thang"
    if _EN_YEAR_END.fullmatch(folded):
        return "cuoi nam"
    return folded


def _fold(text: str) -> str:
    """Lower-case, strip diacritics and spaces: 'Ngày  LÀM việc' reads 'ngay lam viec'."""
    # đ is a letter of its own, not d plus a mark, so decomposition leaves it alone.
    text = text.replace("đ", "d").replace("Đ", "D")
    # NFKD also turns full-width digits from some phone keyboards into ASCII ones.
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split()).rstrip(".,;!")


def _read(text: str) -> str:
    """Return a typed deadline folded, without the time of day given with its day."""
    return _WITH_TIME.sub(lambda match: match[1] or "", _fold(text))


def _match_working_days(folded: str) -> int | None:
    """Return N from 'N ngay lam viec' and its variants, or None."""
    match = _WORKING_DAYS.fullmatch(folded)
    return int(match[1]) if match else None


def _match_date(folded: str) -> _Typed | None:
    """Return the numbers of a typed date in any accepted form, or None."""
    folded = _BEFORE.sub("", folded)
    if match := _LONG.fullmatch(folded):
        long_year = int(match[3]) if match[3] else None
        return _Typed(day=int(match[1]), month=int(match[2]), year=long_year)
    if match := _ISO.fullmatch(folded):
        return _Typed(day=int(match[3]), month=int(match[2]), year=int(match[1]))
    if match := _DMY.fullmatch(folded):
        year = match[4]
        if year is None:
            return _Typed(day=int(match[1]), month=int(match[3]), year=None)
        full_year = 2000 + int(year) if len(year) == 2 else int(year)
        return _Typed(day=int(match[1]), month=int(match[3]), year=full_year)
    return None


def _match_period(folded: str) -> _Typed | None:
    """Return the last month of a period (a quarter, a month, a half or a whole year)."""
    folded = _PERIOD_LEAD.sub("", folded)
    for english, vietnamese in _EN_PERIODS:
        if english.match(folded):
            folded = english.sub(vietnamese, folded, count=1)
            break
    if match := _QUARTER.fullmatch(folded):
        quarter = _QUARTERS.get(match[1]) or int(match[1])
        return _Typed(day=None, month=3 * quarter, year=_year(match[2]))
    if match := _MONTH.fullmatch(folded):
        return _Typed(day=None, month=int(match[1]), year=_year(match[2]))
    if match := _HALF.fullmatch(folded):
        return _Typed(day=None, month=6 if match[1] == "dau" else 12, year=_year(match[2]))
    if match := _WHOLE_YEAR.fullmatch(folded):
        return _Typed(day=None, month=12, year=int(match[1]))
    return None


def _year(digits: str | None) -> int | None:
    """Return the year a period names, None when it names none."""
    return int(digits) if digits else None


def _build(day: int | None, month: int, year: int) -> dt.date | None:
    """Return the date (a period's last day for None), or None when it does not exist
    (31/02, month 13, year 0)."""
    try:
        if day is None:
            day = calendar_module.monthrange(year, month)[1]
        return dt.date(year, month, day)
    except ValueError:  # calendar.IllegalMonthError is one too
        return None


def _from_working_days(
    n: int, original: str, today: dt.date, calendar: WorkingCalendar
) -> DeadlineParsed | DeadlineError:
    """Count N working days from today; the result is a working day by construction."""
    if not 1 <= n <= MAX_WORKING_DAYS:
        return DeadlineError(DeadlineErrorCode.OUT_OF_RANGE, original)
    return DeadlineParsed(date=calendar.add_working_days(today, n), original=original)


def _from_date(
    typed: _Typed, original: str, today: dt.date, calendar: WorkingCalendar
) -> DeadlineParsed | DeadlineError:
    """Check a typed date against today and move it off a day off."""
    year = _nearest_year(typed, today) if typed.year is None else typed.year
    day = _build(typed.day, typed.month, year)
    if day is None:
        return DeadlineError(DeadlineErrorCode.IMPOSSIBLE_DATE, original)
    if day < today:
        suggestion = None if typed.year is not None else _build(typed.day, typed.month, year + 1)
        return DeadlineError(DeadlineErrorCode.IN_PAST, original, date=day, suggestion=suggestion)
    if beyond_horizon(day, today):
        return DeadlineError(DeadlineErrorCode.OUT_OF_RANGE, original, date=day)
    return _rolled(day, original, calendar)


def _nearest_year(typed: _Typed, today: dt.date) -> int:
    """Return the year a yearless date (or period) means: this year's, unless it is past
    and next year's is nearer ("15/01" typed on 06/12 is next month, not last January)."""
    this_year = _build(typed.day, typed.month, today.year)
    next_year = _build(typed.day, typed.month, today.year + 1)
    if next_year is None:
        return today.year
    if this_year is None:  # 29/02 in a common year: is its 28/02 past and next year's near?
        this_year = _build(28, typed.month, today.year)
    if this_year is None or this_year >= today:
        return today.year
    return today.year + 1 if next_year - today < today - this_year else today.year


def latest_deadline(today: dt.date) -> dt.date:
    """Return the last day a deadline may be set or extended to: 31/12, ten years on."""
    return dt.date(today.year + MAX_YEARS_AHEAD, 12, 31)


def beyond_horizon(day: dt.date, today: dt.date) -> bool:
    """Tell whether a deadline (new or extended) is past :func:`latest_deadline`."""
    return day > latest_deadline(today)


def _rolled(day: dt.date, original: str, calendar: WorkingCalendar) -> DeadlineParsed:
    """Move a deadline off a weekend or holiday (Civil Code 2015, art. 148) and say why."""
    rolled, moved = calendar.roll_forward(day)
    if not moved:
        return DeadlineParsed(date=day, original=original)
    reason = calendar.holiday_name(day) or WEEKEND
    return DeadlineParsed(date=rolled, original=original, moved_from=day, reason=reason)


MAX_SPAN_DAYS = 31  # a range of days off longer than a month is a typo, not Tết


class SpanErrorCode(StrEnum):
    """Why typed days were refused; the values are stable catalog keys."""

    UNRECOGNISED = "unrecognised"
    IMPOSSIBLE_DATE = "impossible_date"
    BACKWARDS = "backwards"
    TOO_LONG = "too_long"


@dataclass(frozen=True, slots=True)
class DaySpan:
    """A day, or days from first to last, read from the start of a text; rest is what
    followed it (a reason), as typed."""

    first: dt.date
    last: dt.date
    rest: str


@dataclass(frozen=True, slots=True)
class SpanError:
    """Typed days refused: a code and the days understood, when there were."""

    code: SpanErrorCode
    first: dt.date | None = None
    last: dt.date | None = None


_ONE_DAY = r"(\d{{1,2}})(?P<{s}>[/.-])(\d{{1,2}})(?:(?P={s})(\d{{4}}|\d{{2}}))?(?![\d/.])"
_SPAN = re.compile(
    r"\s*(?:ngày\s+|ngay\s+)?"
    + _ONE_DAY.format(s="a")
    + r"(?:\s*(?:-|–|—|đến|den|tới|toi|to)\s*"
    + _ONE_DAY.format(s="b")
    + r")?(?=\s|$)",
    re.IGNORECASE,
)


def parse_span(text: str, *, today: dt.date) -> DaySpan | SpanError:
    """Read one day or a range of days at the start of text, and return them with the rest.

    A day is written as for a deadline (dd/mm/yyyy, d/m/yyyy, with '/', '-' or '.'; a
    2-digit year is 20yy); a yearless 'dd/mm' is the nearer of this year's and next year's,
    as for a deadline. A range is two of them joined by '-' or 'đến' ("04/02-10/02/2027",
    "04/02/2027 - 10/02/2027"): a yearless end takes the start's year, a yearless start the
    end's (the year across when that makes a short range: "28/12-03/01/2027"). A range
    ends on or after its start and spans at most MAX_SPAN_DAYS.
    """
    match = _SPAN.match(narrow_digits(text))
    if match is None:  # one day in another form: "2027-02-04", "ngày 4 tháng 2 năm 2027"
        words = text.split()
        for count in (6, 5, 1):  # the long form: "ngày 4 tháng 2 năm 2027"
            day = parse_date(" ".join(words[:count])) if len(words) >= count else None
            if day is not None:
                return DaySpan(first=day, last=day, rest=" ".join(words[count:]))
        return SpanError(SpanErrorCode.UNRECOGNISED)
    start = _Typed(int(match[1]), int(match[3]), _year_of(match[4]))
    rest = text[match.end() :].strip()
    if match[5] is None:
        day = _dated(start, None, today)
        if day is None:
            return SpanError(SpanErrorCode.IMPOSSIBLE_DATE)
        return DaySpan(first=day, last=day, rest=rest)
    end = _Typed(int(match[5]), int(match[7]), _year_of(match[8]))
    if end.year is None and start.year is not None:
        end = _Typed(end.day, end.month, start.year)
        begun = _build(start.day, start.month, start.year)
        ended = _build(end.day, end.month, start.year)
        if begun is not None and ended is not None and ended < begun:
            later = _build(end.day, end.month, start.year + 1)
            if later is not None and (later - begun).days < MAX_SPAN_DAYS:
                end = _Typed(end.day, end.month, start.year + 1)
    last = _dated(end, None, today)
    first = _dated(start, last, today)
    if first is None or last is None:
        return SpanError(SpanErrorCode.IMPOSSIBLE_DATE)
    if last < first:
        return SpanError(SpanErrorCode.BACKWARDS, first=first, last=last)
    if (last - first).days + 1 > MAX_SPAN_DAYS:
        return SpanError(SpanErrorCode.TOO_LONG, first=first, last=last)
    return DaySpan(first=first, last=last, rest=rest)


def narrow_digits(text: str) -> str:
    """Return text with full-width digits and signs (some phone keyboards) as ASCII ones,
    each character kept in its place."""
    return "".join(chr(ord(c) - 0xFEE0) if "！" <= c <= "～" else c for c in text)


def _year_of(digits: str | None) -> int | None:
    """Return a typed year (a 2-digit one is 20yy), None when none was typed."""
    if digits is None:
        return None
    return 2000 + int(digits) if len(digits) == 2 else int(digits)


def _dated(typed: _Typed, end: dt.date | None, today: dt.date) -> dt.date | None:
    """Return the date typed: its own year, else the end's (the year before when it would
    fall after the end), else the nearer year; None when it does not exist."""
    if typed.year is not None:
        return _build(typed.day, typed.month, typed.year)
    if end is None:
        return _build(typed.day, typed.month, _nearest_year(typed, today))
    day = _build(typed.day, typed.month, end.year)
    if day is not None and day > end:  # "28/12-03/01/2027" began in 2026; "10/02-04/02" is
        earlier = _build(typed.day, typed.month, end.year - 1)  # backwards, not a year long
        if earlier is not None and (end - earlier).days < MAX_SPAN_DAYS:
            return earlier
    return day
