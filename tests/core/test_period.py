"""Reading a reporting period, and dates as Decree 30/2020 writes them."""

from __future__ import annotations

from datetime import date

import pytest

from core.period import (
    Dated,
    Period,
    PeriodError,
    PeriodErrorCode,
    dated,
    decree_day_month,
    looks_like_period,
    parse_period,
    report_period,
)

NOVEMBER = Period(date(2026, 11, 1), date(2026, 11, 30))


@pytest.mark.parametrize(
    "text",
    [
        "01/11/2026-30/11/2026",
        "1/11/2026 - 30/11/2026",
        "từ 01/11/2026 đến 30/11/2026",
        "tu 1.11.2026 den 30.11.2026",
        "from 2026-11-01 to 2026-11-30",
        "01-11-2026 30-11-2026",
    ],
)
def test_parse_period_reads_the_usual_ways_of_writing_it(text: str) -> None:
    """Dashes, spaces, 'từ … đến', dots and ISO dates all read as November 2026."""
    assert parse_period(text) == NOVEMBER


@pytest.mark.parametrize(
    ("text", "code", "at_fault"),
    [
        ("31/02/2026-01/03/2026", PeriodErrorCode.BAD_DATE, "31/02/2026"),
        ("01/02/2026-30/02/2026", PeriodErrorCode.BAD_DATE, "30/02/2026"),
        ("30/11/2026-01/11/2026", PeriodErrorCode.REVERSED, "30/11/2026 > 01/11/2026"),
        ("01/11/2026", PeriodErrorCode.ONE_DATE, "01/11/2026"),
        ("từ 01/11/2026 ", PeriodErrorCode.ONE_DATE, "01/11/2026"),
        ("31/02/2026", PeriodErrorCode.BAD_DATE, "31/02/2026"),
    ],
)
def test_parse_period_says_what_is_wrong(text: str, code: PeriodErrorCode, at_fault: str) -> None:
    """An impossible date, a reversed period or a lone date is refused with the part at fault."""
    assert parse_period(text) == PeriodError(code, at_fault)


def test_looks_like_period_leaves_directive_numbers_alone() -> None:
    """'4824/UBND-KGVX' and '12/2026/QĐ-UBND' are directives; '01/11/2026-…' is a period."""
    assert not looks_like_period("4824/UBND-KGVX")
    assert not looks_like_period("12/2026/QĐ-UBND")
    assert not looks_like_period("#12")
    assert looks_like_period("01/11/2026-30/11/2026")
    assert looks_like_period("từ 1/11/2026 đến 30/11/2026")


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 12, 5), ("05", "12")),
        (date(2026, 2, 5), ("05", "02")),
        (date(2026, 1, 15), ("15", "01")),
        (date(2026, 3, 9), ("09", "3")),
        (date(2026, 11, 24), ("24", "11")),
    ],
)
def test_decree_day_month_pads_days_under_10_and_months_under_3(
    day: date, expected: tuple[str, str]
) -> None:
    """'ngày 05 tháng 02' but 'tháng 3': Decree 30/2020's rule for the place-and-date line."""
    assert decree_day_month(day) == expected


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("tháng 11/2026", date(2026, 11, 1), date(2026, 11, 30)),
        ("Tháng 2 năm 2028", date(2028, 2, 1), date(2028, 2, 29)),
        ("month 11/2026", date(2026, 11, 1), date(2026, 11, 30)),
        ("quý 4/2026", date(2026, 10, 1), date(2026, 12, 31)),
        ("quý IV/2026", date(2026, 10, 1), date(2026, 12, 31)),
        ("Quý I năm 2026", date(2026, 1, 1), date(2026, 3, 31)),
        ("Q2 2026", date(2026, 4, 1), date(2026, 6, 30)),
        ("quarter III/2026", date(2026, 7, 1), date(2026, 9, 30)),
        ("6 tháng đầu năm 2026", date(2026, 1, 1), date(2026, 6, 30)),
        ("6 tháng cuối năm 2026", date(2026, 7, 1), date(2026, 12, 31)),
        ("first half of 2026", date(2026, 1, 1), date(2026, 6, 30)),
        ("H2 2026", date(2026, 7, 1), date(2026, 12, 31)),
        ("năm 2026", date(2026, 1, 1), date(2026, 12, 31)),
        ("year 2026", date(2026, 1, 1), date(2026, 12, 31)),
    ],
)
def test_parse_period_reads_a_named_month_quarter_half_or_year(
    text: str, start: date, end: date
) -> None:
    """The periods reports name, Vietnamese or English, Arabic or Roman numerals."""
    assert looks_like_period(text)
    assert parse_period(text) == Period(start, end)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("tháng 13/2026", PeriodErrorCode.NO_SUCH_PERIOD),
        ("tháng 0/2026", PeriodErrorCode.NO_SUCH_PERIOD),
        ("quý 5", PeriodErrorCode.NO_SUCH_PERIOD),
        ("quý V/2026", PeriodErrorCode.NO_SUCH_PERIOD),
        ("năm 0000", PeriodErrorCode.NO_SUCH_PERIOD),
        ("năm 99999", PeriodErrorCode.NO_SUCH_PERIOD),
        ("tháng 12/99999", PeriodErrorCode.NO_SUCH_PERIOD),
        ("năm " + "9" * 5000, PeriodErrorCode.NO_SUCH_PERIOD),
        ("quý 4", PeriodErrorCode.NO_YEAR),
        ("6 tháng đầu năm", PeriodErrorCode.NO_YEAR),
    ],
)
def test_parse_period_refuses_a_named_period_that_cannot_be(
    text: str, code: PeriodErrorCode
) -> None:
    """A month past 12, a quarter past 4, or a period without its year is refused by name."""
    assert looks_like_period(text)
    assert parse_period(text) == PeriodError(code, text)


@pytest.mark.parametrize("text", ["Kế hoạch năm 2026 của xã", "năm", "quý", "Báo cáo quý"])
def test_a_title_naming_a_year_is_not_a_period(text: str) -> None:
    """Only a whole text is a named period: a task's title stays a title."""
    assert not looks_like_period(text)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("31/02", Dated.IMPOSSIBLE),
        ("31/02/2026", Dated.IMPOSSIBLE),
        ("2026-02-30", Dated.IMPOSSIBLE),
        ("01/11/2026-31/11/2026", Dated.IMPOSSIBLE),
        ("30/11", Dated.DATE),
        ("15/12/2026", Dated.DATE),
        ("2026-11-30", Dated.DATE),
        ("01/11/2026-30/11/2026", Dated.PERIOD),
        ("2026-11-01 - 2026-11-30", Dated.PERIOD),
        ("quý 4/2026", Dated.PERIOD),
        ("quý 4", Dated.PERIOD),
        ("tháng 13/2026", Dated.NO_PERIOD),
        ("tháng 0/2026", Dated.NO_PERIOD),
        ("tháng 13", Dated.NO_PERIOD),
        ("quý 5/2026", Dated.NO_PERIOD),
        ("năm 99999", Dated.NO_PERIOD),
        ("tháng 2/20261", Dated.NO_PERIOD),
        ("4824/UBND-KGVX", None),
        ("Kế hoạch năm 2026", None),
    ],
)
def test_dated_tells_a_date_a_period_and_one_no_calendar_has(
    text: str, kind: Dated | None
) -> None:
    """A command that takes no date says which it was given: "quý 4/2026" holds no day 4 of
    month 20, nor "2026-11-30" a day 11 of month 30."""
    assert dated(text) == kind


def test_a_reports_words_are_a_period_a_wrong_one_or_a_name() -> None:
    """A report takes periods: a date without its year is a single date, one no calendar
    has a wrong date (not a task's title to look up); words are a name."""
    assert report_period("01/11/2026-30/11/2026") == Period(date(2026, 11, 1), date(2026, 11, 30))
    assert report_period("30/11") == PeriodError(PeriodErrorCode.ONE_DATE, "30/11")
    assert report_period(" 31/02 ") == PeriodError(PeriodErrorCode.BAD_DATE, "31/02")
    assert report_period("Kế hoạch năm 2026") is None


@pytest.mark.parametrize(
    ("text", "today", "start", "end"),
    [
        ("tuần này", date(2026, 11, 20), date(2026, 11, 16), date(2026, 11, 22)),
        ("Tuan nay", date(2026, 11, 22), date(2026, 11, 16), date(2026, 11, 22)),  # a Sunday
        ("this week", date(2026, 11, 16), date(2026, 11, 16), date(2026, 11, 22)),
        ("tuần trước", date(2026, 11, 20), date(2026, 11, 9), date(2026, 11, 15)),
        ("last  week.", date(2027, 1, 1), date(2026, 12, 21), date(2026, 12, 27)),
    ],
)
def test_the_week_of_today_and_the_one_before_are_periods(
    text: str, today: date, start: date, end: date
) -> None:
    """Friday's weekly report: "tuần này" is today's week, Monday to Sunday; without a today
    to count from, the words are no period (a title, looked up as such)."""
    assert report_period(text, today) == Period(start, end)
    assert report_period(text) is None
