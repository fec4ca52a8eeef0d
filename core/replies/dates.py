"""Dates and durations in a reply: "đến 15/7", "hết tháng 7", "thứ 6 tuần sau", "thêm 1 tuần",
"thêm 3 hôm"."""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

# A target date without a year passed by no more than this is a slip, not next year's.
RECENT_PAST_DAYS = 60
_DURATION = (
    # "thứ 6 tuần sau" is a Friday, not six weeks.
    r"(?:(?<!thu )(?:(?<![\d.,])(?P<digits>\d{1,3})\s*"
    # "mười lăm ngày", "hai mươi ngày": as said, or as voice typing writes it
    r"|(?P<word>(?:(?:hai|ba)\s+)?muoi(?:\s+(?:lam|mot|hai|ba|bon|tu|bay|tam|chin))?"
    r"|mot|hai|ba|bon|bay|tam|chin|an?|one|two|three|four|five|six|seven|eight|nine|ten)\s+)"
    # "2 more weeks", "one extra day", "3 more working days"
    r"(?:(?:more|extra|additional)\s+)?(?:(?P<work_en>working|business)\s+)?"
    # "3 tháng 12" is a date, "thêm 1 tháng" a month more.
    r"(?P<unit>ngay|hom|bua|tuan|days?|weeks?|thang(?!\s*\d)|months?)\b"
    r"(?P<work_vi>\s+lam\s+viec)?"
    r")"
)
DURATION_ANON = re.sub(r"\?P<\w+>", "?:", _DURATION)
_NUMBER_WORDS = {
    "mot": 1, "hai": 2, "ba": 3, "bon": 4, "bay": 7, "tam": 8, "chin": 9, "muoi": 10,
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10,
}  # fmt: skip
_DURATION_RE = re.compile(rf"\b{_DURATION}")
MONTH_END_RE = re.compile(r"\b(?:het|cuoi)\s+thang\s+(\d{1,2})(?:\s*[/-]\s*(\d{4}))?\b")
DATE_RE = re.compile(
    # "15.12" needs a year, but not after "đến"/"ngày": "thêm 1.5 tuần" is no date.
    r"(?:(?<=den )|(?<=toi )|(?<=ngay ))(?P<d4>\d{1,2})\.(?P<m4>\d{1,2})(?![\d.])"
    r"|(?<![\d/.-])(?P<d1>\d{1,2})(?P<sep>[/-])(?P<m1>\d{1,2})(?:(?P=sep)(?P<y1>\d{4}|\d{2}))?"
    r"(?![\d/-])"
    r"|(?<![\d.])(?P<d2>\d{1,2})\.(?P<m2>\d{1,2})\.(?P<y2>\d{4})(?!\d)"
    r"|\b(?P<d3>\d{1,2})\s+(?:thang|thg)\s+(?P<m3>\d{1,2})(?:\s+nam\s+(?P<y3>\d{4}))?\b"
)
# "đến thứ 6 tuần sau", "thứ hai tuần tới", "chủ nhật", "T6" (as officials write it in
# chats and schedules): a weekday as a target date.
# In English, "friday", "next monday", "this friday", "friday next week" (not "last friday":
# a day passed), read as the Vietnamese are: "next" is "tuần sau", "this" is "tuần này".
WEEKDAY_RE = re.compile(
    r"\b(?:thu\s*(?P<day>[2-7]|hai|ba|tu|nam|sau|bay)|t(?P<short>[2-7])|(?P<sunday>chu\s+nhat|cn))\b"
    r"(?:\s+tuan\s+(?P<week>sau|toi|nay)\b)?"
    r"|(?<!\blast )\b(?:(?P<en_before>next|this)\s+)?"
    r"(?P<en_day>monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b"
    r"(?:\s+(?P<en_after>next|this)\s+week\b)?"
)
# "đến mai", "đến ngày mai", "sang mốt", "đến ngày kia", "until tomorrow": a day counted
# from today. "mai" and "mốt" fold like "mãi" and "một": the caller checks what was typed.
RELATIVE_DAY_RE = re.compile(
    r"\b(?:den|toi|sang|qua|het|until|till|to|by)\s+(?:het\s+)?(?:(?:ngay|sang|chieu|toi)\s+)?"
    r"(?:(?P<mai>mai)|(?P<mot>mot)|(?<=ngay )kia|(?:the\s+)?day\s+after\s+tomorrow"
    r"|(?P<tomorrow>tomorrow))\b"
)
# "nửa tháng": as many days more as "thêm 15 ngày" (the caller checks "nửa" was typed so:
# "nữa tháng" is not it).
HALF_MONTH_RE = re.compile(r"\bnua\s+thang\b(?!\s*\d)")
HALF_MONTH_DAYS = 15
_WEEKDAYS = {"2": 0, "3": 1, "4": 2, "5": 3, "6": 4, "7": 5}
_WEEKDAYS |= {"hai": 0, "ba": 1, "tu": 2, "nam": 3, "sau": 4, "bay": 5}
_EN_WEEKDAYS = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5,
    "sunday": 6,
}  # fmt: skip
_EN_WEEKS = {"next": "sau", "this": "nay"}


def extension_duration(folded: str, start: int, end: int) -> tuple[int | None, bool, int | None]:
    """Read "thêm 1 tuần", "10 ngày làm việc", "thêm 2 tháng": days, whether they are
    working days, and months (a month more is the same day of the next month)."""
    match = _DURATION_RE.search(folded, start, end)
    if match is None:
        return _one_more(folded, start, end)
    digits, word = match.group("digits"), match.group("word")
    count = int(digits) if digits else _word_number(word)
    working = bool(match.group("work_en") or match.group("work_vi"))
    unit = match.group("unit")
    if unit in {"thang", "month", "months"}:
        return None, False, count
    if unit in {"tuan", "week", "weeks"}:
        return count * (5 if working else 7), working, None
    return count, working, None


# "thêm tuần nữa", "thêm hôm nữa", "thêm tháng nữa": one more, its number left unsaid.
_ONE_MORE_RE = re.compile(r"\bthem\s+(?P<unit>tuan|ngay|hom|bua|thang)\s+nua\b")


def _one_more(folded: str, start: int, end: int) -> tuple[int | None, bool, int | None]:
    """Read "thêm tuần nữa" as a week, "thêm hôm nữa" a day, "thêm tháng nữa" a month."""
    match = _ONE_MORE_RE.search(folded, start, end)
    if match is None:
        return None, False, None
    unit = match.group("unit")
    if unit == "thang":
        return None, False, 1
    return (7 if unit == "tuan" else 1), False, None


def _word_number(word: str) -> int:
    """Return the number a duration says in words: "muoi lam" 15, "hai muoi" 20, "ba" 3."""
    tens, muoi, ones = word.rpartition("muoi")
    if not muoi:
        return _NUMBER_WORDS[word]
    first = _NUMBER_WORDS[tens.strip()] if tens.strip() else 1
    return 10 * first + _ONES_AFTER_TENS.get(ones.strip(), 0)


_ONES_AFTER_TENS = {**_NUMBER_WORDS, "lam": 5, "tu": 4}  # "mười lăm", "hai mươi tư"


def add_months(day: date, months: int) -> date | None:
    """Return the same day `months` later (the month's last day when it has no such day)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    if year > 9999:
        return None
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def weekday_date(match: re.Match[str], today: date) -> date:
    """Turn "thứ 6", "thứ 6 tuần sau", "chủ nhật tuần này" into a date.

    A weekday alone is the next one after today; with "tuần này" or "tuần sau/tới", that
    day of this week or of next week (weeks start on Monday), which may have passed.
    """
    if match.group("en_day"):
        weekday = _EN_WEEKDAYS[match.group("en_day")]
    else:
        day = match.group("day") or match.group("short")
        weekday = 6 if match.group("sunday") else _WEEKDAYS[day]
    week = weekday_week(match)
    if week is None:
        return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)
    monday = today - timedelta(days=today.weekday())
    return monday + timedelta(days=weekday + (0 if week == "nay" else 7))


def weekday_week(match: re.Match[str]) -> str | None:
    """Return the week a WEEKDAY_RE match names, as Vietnamese says it: "sau" or "toi" (next
    week), "nay" (this week), None (the next such day)."""
    if match.group("en_day"):
        english = match.group("en_before") or match.group("en_after")
        return _EN_WEEKS[english] if english else None
    return match.group("week")


def date_of(match: re.Match[str], today: date, *, future: bool) -> date | None:
    """Turn a DATE_RE match into a date, filling in a missing year."""
    for index in "1234":
        day = match.group(f"d{index}")
        if day is not None:
            if int(day) == 0:
                return None  # "đến 0/3" is no day ("day 0" is a month's end only inside)
            year = match.groupdict().get(f"y{index}")
            full = int(year) + (2000 if len(year) == 2 else 0) if year else None
            return resolve(int(day), int(match.group(f"m{index}")), full, today, future=future)
    return None


def resolve(day: int, month: int, year: int | None, today: date, *, future: bool) -> date | None:
    """Build a date (day 0 means the month's last day); a missing year is the nearest one.

    A document date without a year still to come this year means last year. A target date
    without a year passed this year is next year's, unless it passed less than
    RECENT_PAST_DAYS ago: "01/12" written on 5/12 is a slip for the caller to refuse, never a
    year ahead; "15/1" written in June is next January.
    """
    if year is not None:
        return _safe_date(year, month, day)
    this_year = _safe_date(today.year, month, day)
    if not future:
        if this_year is not None and this_year <= today:
            return this_year
        return _safe_date(today.year - 1, month, day)
    if this_year is not None and (today - this_year).days <= RECENT_PAST_DAYS:
        return this_year
    return _safe_date(today.year + 1, month, day)


def _safe_date(year: int, month: int, day: int) -> date | None:
    """Return the date, or None when it does not exist."""
    if not (1 <= year <= 9999 and 1 <= month <= 12):
        return None
    last = calendar.monthrange(year, month)[1]
    if day == 0:
        day = last
    return date(year, month, day) if 1 <= day <= last else None
