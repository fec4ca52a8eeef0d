"""The working calendar: package holidays, swaps, province overrides and day arithmetic."""

import subprocess
import sys
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.calendar import WorkingCalendar, public_holiday_name

CALENDAR = WorkingCalendar()
# Tết Đinh Mùi: the package gives Thu 04/02/2027 (29 Tết) to Wed 10/02/2027 (mùng năm) off.
TET_2027 = [date(2027, 2, 4) + timedelta(days=i) for i in range(7)]
SOME_DAYS = st.dates(min_value=date(2020, 1, 1), max_value=date(2032, 12, 31))


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2026, 1, 1), "Tết Dương lịch"),
        (date(2026, 2, 17), "Tết Nguyên Đán"),
        (date(2026, 4, 27), "Ngày Giỗ Tổ Hùng Vương (nghỉ bù)"),
        (date(2026, 4, 30), "Ngày Chiến thắng"),
        (date(2026, 5, 1), "Ngày Quốc tế Lao động"),
        (date(2026, 9, 1), "Quốc khánh"),
        (date(2026, 9, 2), "Quốc khánh"),
        (date(2026, 11, 24), "Ngày Văn hóa Việt Nam"),
        (date(2027, 4, 16), "Ngày Giỗ Tổ Hùng Vương"),
    ],
)
def test_holiday_name_public_holiday_in_vietnamese(day: date, name: str) -> None:
    """A public holiday is a day off named in Vietnamese."""
    assert not CALENDAR.is_working_day(day)
    assert CALENDAR.holiday_name(day) == name


def test_is_working_day_tet_2027_all_off() -> None:
    """Every day of Tết 2027, weekend or not, is a day off."""
    assert not any(CALENDAR.is_working_day(d) for d in TET_2027)
    assert CALENDAR.is_working_day(date(2027, 2, 3))
    assert CALENDAR.is_working_day(date(2027, 2, 11))


def test_is_working_day_government_swap_2026() -> None:
    """The 2026 National Day swap: Mon 31/08 off, paid back by working Sat 22/08."""
    assert not CALENDAR.is_working_day(date(2026, 8, 31))
    assert CALENDAR.holiday_name(date(2026, 8, 31)) == "Ngày nghỉ (thay cho ngày 22/08/2026)"
    assert CALENDAR.is_working_day(date(2026, 8, 22))


def test_is_working_day_swap_across_new_year() -> None:
    """Sat 05/01/2019 was worked to pay back Mon 31/12/2018, a swap listed under 2018."""
    assert CALENDAR.is_working_day(date(2019, 1, 5))
    assert not CALENDAR.is_working_day(date(2018, 12, 31))


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 5, 15), True),  # Friday
        (date(2026, 5, 16), False),  # Saturday
        (date(2026, 5, 17), False),  # Sunday
        (date(2026, 5, 18), True),  # Monday
    ],
)
def test_is_working_day_ordinary_week(day: date, working: bool) -> None:
    """Officials work Monday to Friday."""
    assert CALENDAR.is_working_day(day) is working


def test_holiday_name_plain_weekend_none() -> None:
    """A plain Saturday has no holiday name."""
    assert CALENDAR.holiday_name(date(2026, 5, 16)) is None


def test_holiday_name_working_day_none() -> None:
    """A working day has no holiday name."""
    assert CALENDAR.holiday_name(date(2026, 5, 15)) is None


def test_is_working_day_province_day_off() -> None:
    """A day off the province adds is off, with the province's reason."""
    calendar = WorkingCalendar(days_off={date(2026, 6, 15): "Kỷ niệm ngày thành lập tỉnh"})
    assert not calendar.is_working_day(date(2026, 6, 15))
    assert calendar.holiday_name(date(2026, 6, 15)) == "Kỷ niệm ngày thành lập tỉnh"


def test_is_working_day_province_extra_saturday() -> None:
    """A Saturday the province works is a working day."""
    calendar = WorkingCalendar(extra_working_days=frozenset({date(2026, 5, 16)}))
    assert calendar.is_working_day(date(2026, 5, 16))
    assert calendar.holiday_name(date(2026, 5, 16)) is None


def test_init_day_both_off_and_worked_refused() -> None:
    """A date cannot be both a day off and a working day."""
    day = date(2026, 6, 15)
    with pytest.raises(ValueError, match="2026-06-15"):
        WorkingCalendar(days_off={day: "x"}, extra_working_days=frozenset({day}))


def test_init_caller_dict_changed_later_ignored() -> None:
    """Changing the caller's dict after building does not change the calendar."""
    days_off = {date(2026, 6, 15): "x"}
    calendar = WorkingCalendar(days_off=days_off)
    days_off[date(2026, 6, 16)] = "y"
    assert calendar.is_working_day(date(2026, 6, 16))


@pytest.mark.parametrize(
    ("start", "include_today", "expected"),
    [
        (date(2026, 5, 15), True, date(2026, 5, 15)),
        (date(2026, 5, 15), False, date(2026, 5, 18)),
        (date(2026, 5, 16), True, date(2026, 5, 18)),
        (date(2027, 2, 3), False, date(2027, 2, 11)),
    ],
)
def test_next_working_day_table(start: date, include_today: bool, expected: date) -> None:
    """The next working day skips weekends and Tết, and includes today only if asked."""
    assert CALENDAR.next_working_day(start, include_today=include_today) == expected


@pytest.mark.parametrize(
    ("day", "expected", "moved"),
    [
        (date(2026, 5, 15), date(2026, 5, 15), False),
        (date(2026, 5, 16), date(2026, 5, 18), True),
        (date(2027, 4, 30), date(2027, 5, 4), True),  # Fri 30/4, Sat 1/5, Sun, Mon make-up
        (date(2026, 9, 2), date(2026, 9, 3), True),
    ],
)
def test_roll_forward_table(day: date, expected: date, moved: bool) -> None:
    """A deadline on a day off moves to the next working day (Civil Code art. 148)."""
    assert CALENDAR.roll_forward(day) == (expected, moved)


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2026, 5, 13), 0, date(2026, 5, 13)),
        (date(2026, 5, 16), 0, date(2026, 5, 18)),
        (date(2026, 5, 13), 1, date(2026, 5, 14)),
        (date(2026, 5, 13), 3, date(2026, 5, 18)),
        (date(2026, 5, 16), 1, date(2026, 5, 18)),  # from a Saturday, Monday is the first
        (date(2027, 2, 3), 5, date(2027, 2, 17)),  # across Tết 2027
    ],
)
def test_add_working_days_table(start: date, n: int, expected: date) -> None:
    """Adding N working days counts working days after the start."""
    assert CALENDAR.add_working_days(start, n) == expected


def test_add_working_days_negative_refused() -> None:
    """A negative count is a programming error."""
    with pytest.raises(ValueError, match="negative"):
        CALENDAR.add_working_days(date(2026, 5, 13), -1)


def test_working_days_between_across_tet() -> None:
    """From 03/02/2027 to 17/02/2027 there are 5 working days (Tết in between)."""
    assert CALENDAR.working_days_between(date(2027, 2, 3), date(2027, 2, 17)) == 5
    assert CALENDAR.working_days_between(date(2027, 2, 17), date(2027, 2, 3)) == -5
    assert CALENDAR.working_days_between(date(2027, 2, 3), date(2027, 2, 3)) == 0


@given(start=SOME_DAYS, n=st.integers(min_value=1, max_value=60))
def test_add_working_days_inverse_of_between(start: date, n: int) -> None:
    """Counting the working days back to the start gives N, and the result is a working day."""
    end = CALENDAR.add_working_days(start, n)
    assert CALENDAR.is_working_day(end)
    assert CALENDAR.working_days_between(start, end) == n


@given(day=SOME_DAYS)
def test_roll_forward_lands_on_working_day(day: date) -> None:
    """Rolling forward always lands on a working day not before the date."""
    rolled, moved = CALENDAR.roll_forward(day)
    assert CALENDAR.is_working_day(rolled)
    assert rolled >= day
    assert moved is (rolled != day)


# Vietnam's class loaded alone (core/calendar.py), then the package's own way: every year's
# days off with their names, and the Saturdays worked, the same.
SAME_AS_THE_PACKAGE = """
import sys
import holidays
from core.calendar import _package_year
assert "holidays.countries" not in sys.modules
ours = [_package_year(y) for y in range(1990, 2041)]
assert "holidays.countries" not in sys.modules
del sys.modules["holidays.countries.vietnam"]
theirs = []
for y in range(1990, 2041):
    p = holidays.country_holidays("VN", years=[y - 1, y, y + 1], language="vi")
    theirs.append(
        (
            {d: str(n) for d, n in p.items() if d.year == y},
            {d for d in p.weekend_workdays if d.year == y},
        )
    )
assert [(dict(o.days_off), set(o.weekend_workdays)) for o in ours] == theirs
print(sum(len(o.days_off) for o in ours), sum(len(o.weekend_workdays) for o in ours))
"""


def test_vietnam_loaded_alone_says_what_the_package_says() -> None:
    """The calendar loads Vietnam's holidays without the package's 250 other countries
    (13 MB of the bot's memory), and reads every day of 1990 to 2040 as the package does."""
    done = subprocess.run(
        [sys.executable, "-c", SAME_AS_THE_PACKAGE],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    days_off, saturdays_worked = map(int, done.stdout.split())
    assert days_off > 500
    assert saturdays_worked > 5


def test_a_public_holiday_is_named_in_each_language_with_dates_as_dd_mm_yyyy() -> None:
    """The package's names in Vietnamese and English; its English swapped day names the
    Saturday worked as dd/mm/yyyy (the package writes 08/22/2026); a working day has none."""
    assert public_holiday_name(date(2027, 2, 6), "vi") == "Tết Nguyên Đán"
    assert public_holiday_name(date(2027, 2, 6), "en") == "Lunar New Year"
    assert public_holiday_name(date(2026, 8, 31), "en") == "Day off (substituted from 22/08/2026)"
    assert public_holiday_name(date(2027, 4, 16), "en") == "Hung Kings' Commemoration Day"
    assert public_holiday_name(date(2027, 1, 5), "en") is None
