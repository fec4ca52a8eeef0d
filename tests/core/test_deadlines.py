"""Deadlines as admins type them: dates, 'N ngày làm việc', and the errors the bot words."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.calendar import WorkingCalendar
from core.deadlines import (
    MAX_WORKING_DAYS,
    WEEKEND,
    DaySpan,
    DeadlineError,
    DeadlineErrorCode,
    DeadlineParsed,
    SpanError,
    SpanErrorCode,
    format_date,
    parse_date,
    parse_deadline,
    parse_span,
)

CALENDAR = WorkingCalendar()
TODAY = date(2026, 5, 12)  # a Tuesday


def parse(text: str, *, today: date = TODAY, calendar: WorkingCalendar = CALENDAR) -> object:
    """Parse with the usual test calendar and day."""
    return parse_deadline(text, today=today, calendar=calendar)


@pytest.mark.parametrize(
    "text",
    [
        "15/06/2026",
        "15/6/2026",
        "15-06-2026",
        "15.06.2026",
        "15/06/26",
        "15.6.26",
        "15/6",
        "15-6",
        "15.6",
        "2026-06-15",
        "ngày 15/06/2026",
        "Ngay 15/6",
        "  15/06/2026  ",
        "15/06/2026.",
        "１５/０６/２０２６",  # full-width digits from some phone keyboards
        "trước ngày 15/06/2026",  # a directive appendix's "Thời hạn" column
        "Trước 15/6/2026",
        "before 15/06/2026",
        "ngày 15 tháng 6 năm 2026",  # the long form of official documents
        "15 tháng 06 năm 2026",
        "Trước ngày 15 tháng 6",
        "2026-06-15 00:00:00",  # a date cell exported to CSV with its time
        "2026-06-15T17:00:00",  # as a program exports it (ISO 8601)
        "2026-06-15T17:00:00.000",
        "15/06/2026 17:00",  # with its time of day, as a program exports it
        "15/06/2026 17:00:00",
        "17h00 ngày 15/06/2026",  # as an official writes it
        "17H30, ngày 15/6/2026.",
        "16:30 15/6",
        "17h ngày 15/06/2026",  # the hour alone, as most write it
        "17 giờ ngày 15/06/2026",
        "17g ngày 15/6/2026",
        "17 giờ 30 ngày 15/6/2026",
        "trước 8h sáng ngày 15/06/2026",
        "15/06/2026 lúc 17 giờ",
        "15/6/2026 17h",
        "17 giờ 15/06/2026",  # no minutes: the 15 is the day
    ],
)
def test_parse_deadline_date_forms(text: str) -> None:
    """Every accepted way of writing Monday 15/06/2026 gives that day, unmoved."""
    assert parse(text) == DeadlineParsed(date=date(2026, 6, 15), original=text.strip())


@pytest.mark.parametrize(
    ("text", "last_day"),
    [
        ("Quý IV/2026", date(2026, 12, 31)),
        ("quý 4 năm 2026", date(2026, 12, 31)),
        ("Trong quý III/2026", date(2026, 9, 30)),
        ("Quý II", date(2026, 6, 30)),  # no year: this year's
        ("Quy I/2027", date(2027, 3, 31)),
        ("Tháng 12/2026", date(2026, 12, 31)),
        ("tháng 11 năm 2026", date(2026, 11, 30)),
        ("Trước tháng 7/2026", date(2026, 7, 31)),
        ("Tháng 6", date(2026, 6, 30)),
        ("6 tháng đầu năm 2026", date(2026, 6, 30)),
        ("6 tháng cuối năm 2026", date(2026, 12, 31)),
        ("Năm 2026", date(2026, 12, 31)),
        ("trong năm 2027", date(2027, 12, 31)),
    ],
)
def test_parse_deadline_a_period_ends_on_its_last_day(text: str, last_day: date) -> None:
    """A directive's appendix often gives a period ("Quý IV/2026"): its last day, a working
    day in each of these."""
    assert parse(text) == DeadlineParsed(date=last_day, original=text.strip())


@pytest.mark.parametrize(
    ("text", "last_day"),
    [
        ("Q4 2026", date(2026, 12, 31)),
        ("q4/2026", date(2026, 12, 31)),
        ("quarter IV/2026", date(2026, 12, 31)),
        ("by Q3 2026", date(2026, 9, 30)),
        ("month 11/2026", date(2026, 11, 30)),
        ("first half 2027", date(2027, 6, 30)),
        ("H2 2026", date(2026, 12, 31)),
        ("second half of 2026", date(2026, 12, 31)),
        ("year 2026", date(2026, 12, 31)),
    ],
)
def test_parse_deadline_reads_a_period_in_english_as_report_does(
    text: str, last_day: date
) -> None:
    """An English admin typing a period as `/report` reads it ("Q4 2026", "H2 2026") was
    told the deadline could not be read, with a Vietnamese "Quý IV/2026" as the example."""
    assert parse(text) == DeadlineParsed(date=last_day, original=text.strip())


def test_parse_deadline_a_period_ending_on_a_day_off_moves_to_the_next_working_day() -> None:
    """Tháng 10/2026 ends on a Saturday: the deadline is Monday 02/11/2026, and says why."""
    assert parse("Tháng 10/2026") == DeadlineParsed(
        date=date(2026, 11, 2),
        original="Tháng 10/2026",
        moved_from=date(2026, 10, 31),
        reason=WEEKEND,
    )


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Quý I/2026", DeadlineErrorCode.IN_PAST),  # ended 31/03/2026, before 12/05/2026
        ("Tháng 13/2026", DeadlineErrorCode.IMPOSSIBLE_DATE),
        ("Quý V/2026", DeadlineErrorCode.UNRECOGNISED),
        ("Quý 5/2026", DeadlineErrorCode.UNRECOGNISED),
        ("Năm 2099", DeadlineErrorCode.OUT_OF_RANGE),
        ("Thường xuyên", DeadlineErrorCode.UNRECOGNISED),  # "ongoing" is no deadline
    ],
)
def test_parse_deadline_a_period_that_cannot_be_a_deadline_is_refused(
    text: str, code: DeadlineErrorCode
) -> None:
    """A period already over, a month 13, a fifth quarter, a year too far are refused."""
    result = parse(text)
    assert isinstance(result, DeadlineError)
    assert result.code == code


def test_parse_date_takes_no_period() -> None:
    """A day off or a report's period start is one day: a period is not read as one."""
    assert parse_date("Tháng 12/2026") is None
    assert parse_date("Quý IV/2026") is None


@pytest.mark.parametrize(
    ("text", "n"),
    [
        ("5 ngày làm việc", 5),
        ("5 ngay lam viec", 5),
        ("trong 05 ngày làm việc", 5),
        ("Trong vòng 5 NGÀY LÀM VIỆC", 5),
        ("trong thời hạn 05 ngày làm việc", 5),  # a directive's own wording
        ("5  ngày   làm việc", 5),
        ("1 working day", 1),
        ("3 working days", 3),
        ("within 3 working days", 3),
        ("10 ngày làm việc.", 10),
    ],
)
def test_parse_deadline_working_days_forms(text: str, n: int) -> None:
    """Every way of writing 'within N working days' counts N working days from today."""
    expected = CALENDAR.add_working_days(TODAY, n)
    assert parse(text) == DeadlineParsed(date=expected, original=text.strip())


def test_parse_deadline_working_days_exact() -> None:
    """Five working days from Tuesday 12/05/2026 is Tuesday 19/05/2026."""
    assert parse("5 ngày làm việc") == DeadlineParsed(
        date=date(2026, 5, 19), original="5 ngày làm việc"
    )


def test_parse_deadline_working_days_across_tet_2027() -> None:
    """From Wed 03/02/2027, Tết (04/02-10/02) is skipped: five working days end 17/02/2027."""
    result = parse("trong 05 ngày làm việc", today=date(2027, 2, 3))
    assert result == DeadlineParsed(date=date(2027, 2, 17), original="trong 05 ngày làm việc")


@pytest.mark.parametrize("text", ["0 ngày làm việc", f"{MAX_WORKING_DAYS + 1} working days"])
def test_parse_deadline_working_days_out_of_range(text: str) -> None:
    """Zero or an absurd number of working days is refused."""
    assert parse(text) == DeadlineError(DeadlineErrorCode.OUT_OF_RANGE, text)


@pytest.mark.parametrize(
    "text",
    ["31/02/2027", "29/02/2027", "30/02", "31/4", "15/13/2026", "0/5/2026", "15/0/2026"],
)
def test_parse_deadline_impossible_date(text: str) -> None:
    """A date that does not exist is refused as impossible."""
    assert parse(text) == DeadlineError(DeadlineErrorCode.IMPOSSIBLE_DATE, text)


def test_parse_deadline_leap_day_2028_accepted() -> None:
    """29/02/2028 exists (2028 is a leap year) and is a Tuesday."""
    assert parse("29/02/2028") == DeadlineParsed(date=date(2028, 2, 29), original="29/02/2028")


def test_parse_deadline_short_form_past_suggests_next_year() -> None:
    """A day/month already past this year is refused, suggesting the same day next year."""
    assert parse("10/5") == DeadlineError(
        DeadlineErrorCode.IN_PAST, "10/5", date=date(2026, 5, 10), suggestion=date(2027, 5, 10)
    )


def test_parse_deadline_short_form_past_leap_day_no_suggestion() -> None:
    """After 29/02/2028, '29/2' is past and 29/02/2029 does not exist, so nothing is suggested."""
    result = parse("29/2", today=date(2028, 3, 10))
    assert result == DeadlineError(DeadlineErrorCode.IN_PAST, "29/2", date=date(2028, 2, 29))


def test_parse_deadline_short_form_near_the_year_end_is_next_year() -> None:
    """On 06/12/2026 a day or period of January is next January's; one just past is not."""
    december = date(2026, 12, 6)
    assert parse("15/01", today=december) == DeadlineParsed(date(2027, 1, 15), "15/01")
    assert parse("tháng 1", today=december) == DeadlineParsed(
        date(2027, 2, 1), "tháng 1", moved_from=date(2027, 1, 31), reason="weekend"
    )
    assert parse("05/12", today=december) == DeadlineError(
        DeadlineErrorCode.IN_PAST, "05/12", date=date(2026, 12, 5), suggestion=date(2027, 12, 5)
    )
    # 29/02 of a common year: next year's leap day when it is the nearer.
    assert parse("29/2", today=date(2027, 12, 6)) == DeadlineParsed(date(2028, 2, 29), "29/2")
    assert parse("29/2", today=date(2027, 3, 2)) == DeadlineError(
        DeadlineErrorCode.IMPOSSIBLE_DATE, "29/2"
    )


def test_parse_deadline_full_date_past_no_suggestion() -> None:
    """A full date in the past is refused without a suggestion."""
    assert parse("11/05/2026") == DeadlineError(
        DeadlineErrorCode.IN_PAST, "11/05/2026", date=date(2026, 5, 11)
    )


def test_parse_deadline_today_accepted() -> None:
    """A deadline of today is not in the past."""
    assert parse("12/5") == DeadlineParsed(date=TODAY, original="12/5")


def test_parse_deadline_far_future_out_of_range() -> None:
    """A deadline more than ten years ahead is taken for a typo."""
    assert parse("15/06/2099") == DeadlineError(
        DeadlineErrorCode.OUT_OF_RANGE, "15/06/2099", date=date(2099, 6, 15)
    )


@pytest.mark.parametrize(
    ("text", "expected", "reason"),
    [
        ("30/04/2027", date(2027, 5, 4), "Ngày Chiến thắng"),  # Fri; Sat 1/5 and Mon 3/5 off
        ("01/05/2027", date(2027, 5, 4), "Ngày Quốc tế Lao động"),  # a holiday on a Saturday
        ("02/09/2026", date(2026, 9, 3), "Quốc khánh"),
        ("31/08/2026", date(2026, 9, 3), "Ngày nghỉ (thay cho ngày 22/08/2026)"),  # swap
        ("06/02/2027", date(2027, 2, 11), "Tết Nguyên Đán"),
        ("24/11/2026", date(2026, 11, 25), "Ngày Văn hóa Việt Nam"),
        ("16/05/2026", date(2026, 5, 18), WEEKEND),  # a plain Saturday
    ],
)
def test_parse_deadline_day_off_moved(text: str, expected: date, reason: str) -> None:
    """A deadline on a day off moves to the next working day, saying from where and why."""
    assert parse(text) == DeadlineParsed(
        date=expected, original=text, moved_from=parse_date(text), reason=reason
    )


def test_parse_deadline_province_day_off_moved() -> None:
    """A deadline on a day off the province added moves, with the province's reason."""
    calendar = WorkingCalendar(days_off={date(2026, 6, 15): "Kỷ niệm thành lập tỉnh"})
    assert parse("15/06/2026", calendar=calendar) == DeadlineParsed(
        date=date(2026, 6, 16),
        original="15/06/2026",
        moved_from=date(2026, 6, 15),
        reason="Kỷ niệm thành lập tỉnh",
    )


def test_parse_deadline_extra_working_saturday_kept() -> None:
    """A deadline on a Saturday the province works stays there."""
    calendar = WorkingCalendar(extra_working_days=frozenset({date(2026, 5, 16)}))
    assert parse("16/05/2026", calendar=calendar) == DeadlineParsed(
        date=date(2026, 5, 16), original="16/05/2026"
    )


def test_parse_deadline_package_make_up_saturday_kept() -> None:
    """Sat 22/08/2026 is worked nationally (swap for Mon 31/08), so it stays."""
    assert parse("22/08/2026") == DeadlineParsed(date=date(2026, 8, 22), original="22/08/2026")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "mai",
        "15/06/2026 hoặc 16/06/2026",
        "15/06-2026",  # mixed separators
        "2026/06/15",  # year first only in ISO form
        "15/06/026",
        "1/2/3",
        "15",
        "5 ngày",  # calendar days are not a form we take
        "-5 ngày làm việc",
        "ngày làm việc",
        "17:00",  # a time of day alone is no day
        "17h00 ngày",
        "17h",
        "17 giờ ngày",
    ],
)
def test_parse_deadline_garbage_unrecognised(text: str) -> None:
    """Anything else is unrecognised."""
    assert parse(text) == DeadlineError(DeadlineErrorCode.UNRECOGNISED, text.strip())


def test_deadline_error_codes_stable() -> None:
    """The codes are catalog keys and must not change."""
    assert {str(code) for code in DeadlineErrorCode} == {
        "unrecognised",
        "impossible_date",
        "in_past",
        "out_of_range",
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("24/11/2026", date(2026, 11, 24)),
        ("1/9/2026", date(2026, 9, 1)),
        ("01.09.26", date(2026, 9, 1)),
        ("2026-09-01", date(2026, 9, 1)),
        ("1/9", None),  # no year: parse_date never guesses one
        ("31/02/2026", None),
        ("abc", None),
    ],
)
def test_parse_date_table(text: str, expected: date | None) -> None:
    """parse_date reads full dates only and returns None otherwise."""
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("day", "text"),
    [(date(2026, 9, 1), "01/09/2026"), (date(2026, 11, 24), "24/11/2026")],
)
def test_format_date_dd_mm_yyyy(day: date, text: str) -> None:
    """Dates are written dd/mm/yyyy and read back the same."""
    assert format_date(day) == text
    assert parse_date(text) == day


TODAYS = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))
DATE_LIKE = st.from_regex(r"\A[0-9]{1,5}[/.\- ][0-9]{1,3}([/.\-][0-9]{1,5})?\Z")


@given(text=st.text() | DATE_LIKE, today=TODAYS)
def test_parse_deadline_never_raises(text: str, today: date) -> None:
    """Whatever is typed, parsing returns a result or an error instead of raising."""
    result = parse_deadline(text, today=today, calendar=CALENDAR)
    assert isinstance(result, DeadlineParsed | DeadlineError)


@given(text=DATE_LIKE | st.from_regex(r"\A[0-9]{1,4} ngày làm việc\Z"), today=TODAYS)
def test_parse_deadline_result_working_day_not_before_today(text: str, today: date) -> None:
    """An accepted deadline is a working day on or after today."""
    result = parse_deadline(text, today=today, calendar=CALENDAR)
    if isinstance(result, DeadlineParsed):
        assert CALENDAR.is_working_day(result.date)
        assert result.date >= today


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ngày mai", date(2026, 12, 7)),
        ("hôm nay", date(2026, 12, 7)),  # a Sunday: the next working day
        ("thứ 6", date(2026, 12, 11)),
        ("Thứ Sáu tuần sau", date(2026, 12, 11)),  # on Sunday, next week starts tomorrow
        ("trước thứ 5", date(2026, 12, 10)),
        ("cuối tháng", date(2026, 12, 31)),
        ("cuối năm", date(2026, 12, 31)),
        ("cuối tháng sau", date(2027, 2, 1)),  # 31/01/2027 is a Sunday
        ("cuối tháng 2", date(2027, 3, 1)),  # the nearer February's end, a Sunday
        ("hết quý I/2027", date(2027, 3, 31)),
    ],
)
def test_parse_deadline_words_relative_to_today(text: str, expected: date) -> None:
    """Words an admin types for a day ("thứ 6", "cuối tháng") are that day from today."""
    parsed = parse(text, today=date(2026, 12, 6))
    assert isinstance(parsed, DeadlineParsed)
    assert parsed.date == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tomorrow", date(2026, 12, 7)),
        ("Friday", date(2026, 12, 11)),
        ("next friday", date(2026, 12, 11)),  # on Sunday, next week starts tomorrow
        ("friday next week", date(2026, 12, 11)),
        ("by thursday", date(2026, 12, 10)),
        ("end of month", date(2026, 12, 31)),
        ("end of the year", date(2026, 12, 31)),
        ("end of next month", date(2027, 2, 1)),  # 31/01/2027 is a Sunday
    ],
)
def test_parse_deadline_english_words_are_read_as_the_vietnamese(
    text: str, expected: date
) -> None:
    """The words an English admin is told to type ("friday", "end of month") are the days
    their Vietnamese ("thứ 6", "cuối tháng") are."""
    parsed = parse(text, today=date(2026, 12, 6))
    assert isinstance(parsed, DeadlineParsed)
    assert parsed.date == expected


def test_parse_deadline_this_weeks_day_already_past_is_refused() -> None:
    """ "thứ 2 tuần này" on Sunday is last Monday: refused as past."""
    parsed = parse("thứ 2 tuần này", today=date(2026, 12, 6))
    assert isinstance(parsed, DeadlineError)
    assert (parsed.code, parsed.date) == (DeadlineErrorCode.IN_PAST, date(2026, 11, 30))


@pytest.mark.parametrize(
    ("text", "first", "last", "rest"),
    [
        ("4/2/2027 Tết", date(2027, 2, 4), date(2027, 2, 4), "Tết"),
        ("04-02-2027", date(2027, 2, 4), date(2027, 2, 4), ""),
        ("04.02.2027 x", date(2027, 2, 4), date(2027, 2, 4), "x"),
        ("04/02", date(2027, 2, 4), date(2027, 2, 4), ""),  # the nearer year
        ("04/02-10/02/2027 Tết", date(2027, 2, 4), date(2027, 2, 10), "Tết"),
        ("04/02/2027 - 10/02/2027", date(2027, 2, 4), date(2027, 2, 10), ""),
        ("04/02/2027 đến 10/02", date(2027, 2, 4), date(2027, 2, 10), ""),
        ("28/12-03/01/2027", date(2026, 12, 28), date(2027, 1, 3), ""),
        ("2027-02-04 iso", date(2027, 2, 4), date(2027, 2, 4), "iso"),
    ],
)
def test_a_span_is_one_day_or_a_range_and_the_rest(
    text: str, first: date, last: date, rest: str
) -> None:
    assert parse_span(text, today=date(2026, 11, 18)) == DaySpan(first, last, rest)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("31/02/2027", SpanErrorCode.IMPOSSIBLE_DATE),
        ("10/02-04/02/2027", SpanErrorCode.BACKWARDS),  # not a year from 10/02/2026
        ("10/02/2027 - 04/02/2027", SpanErrorCode.BACKWARDS),
        ("01/01-15/03/2027", SpanErrorCode.TOO_LONG),
        ("Tết", SpanErrorCode.UNRECOGNISED),
    ],
)
def test_a_span_refused_says_why(text: str, code: SpanErrorCode) -> None:
    refused = parse_span(text, today=date(2026, 11, 18))
    assert isinstance(refused, SpanError)
    assert refused.code == code
