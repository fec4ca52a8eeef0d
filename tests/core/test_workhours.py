"""Office hours: parsing and when a reminder may go out."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from core.calendar import WorkingCalendar
from core.workhours import WorkHours

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
HOURS = WorkHours.parse("07:30-11:30,13:30-17:00")
CALENDAR = WorkingCalendar()


def local(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    """Build an aware Vietnam local time."""
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


def test_parse_two_windows() -> None:
    """A morning and an afternoon window parse in order and print back the same."""
    assert HOURS.windows == ((time(7, 30), time(11, 30)), (time(13, 30), time(17, 0)))
    assert str(HOURS) == "07:30-11:30,13:30-17:00"


def test_parse_unordered_with_spaces() -> None:
    """Windows may be given in any order, with spaces and one-digit hours."""
    hours = WorkHours.parse(" 13:30 - 17:00 , 7:30-11:30 ")
    assert hours == HOURS


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("07:30", "expected HH:MM-HH:MM"),
        ("7h30-11h30", "expected HH:MM-HH:MM"),
        ("07:30-11:30,", "expected HH:MM-HH:MM"),
        ("25:00-26:00", "bad time 25:00"),
        ("07:30-07:61", "bad time 07:61"),
        ("11:30-07:30", "ends before it starts"),
        ("07:30-07:30", "ends before it starts"),
        ("07:30-11:30,11:00-17:00", "07:30-11:30 and 11:00-17:00 overlap"),
    ],
)
def test_parse_bad_input_refused(text: str, message: str) -> None:
    """Bad work hours raise a ValueError that says what is wrong."""
    with pytest.raises(ValueError, match=message):
        WorkHours.parse(text)


def test_parse_touching_windows_accepted() -> None:
    """A window may start when the previous one ends."""
    assert len(WorkHours.parse("07:00-12:00,12:00-13:00").windows) == 2


@pytest.mark.parametrize(
    ("t", "inside"),
    [
        (time(7, 29), False),
        (time(7, 30), True),
        (time(11, 29, 59), True),
        (time(11, 30), False),
        (time(12, 0), False),
        (time(16, 59), True),
        (time(17, 0), False),
    ],
)
def test_contains_window_edges(t: time, inside: bool) -> None:
    """Windows include their start and exclude their end."""
    assert HOURS.contains(t) is inside


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # Wednesday 13/05/2026 at 09:00: inside the morning window, send now.
        (local(2026, 5, 13, 9, 0), local(2026, 5, 13, 9, 0)),
        # 22:00 on a Wednesday: tomorrow morning.
        (local(2026, 5, 13, 22, 0), local(2026, 5, 14, 7, 30)),
        # Early morning: today's first window.
        (local(2026, 5, 13, 6, 0), local(2026, 5, 13, 7, 30)),
        # Lunch gap at 12:00: the afternoon window.
        (local(2026, 5, 13, 12, 0), local(2026, 5, 13, 13, 30)),
        # Friday evening: Monday morning.
        (local(2026, 5, 15, 17, 30), local(2026, 5, 18, 7, 30)),
        # Saturday noon: Monday morning.
        (local(2026, 5, 16, 12, 0), local(2026, 5, 18, 7, 30)),
        # Eve of Tết 2027 (Wed 03/02, last day before the break): after Tết.
        (local(2027, 2, 3, 17, 30), local(2027, 2, 11, 7, 30)),
        # First day of Tết 2027 in office hours: still after Tết.
        (local(2027, 2, 6, 9, 0), local(2027, 2, 11, 7, 30)),
    ],
)
def test_next_send_moment_table(now: datetime, expected: datetime) -> None:
    """Reminders go out only in office hours on working days."""
    moment = HOURS.next_send_moment(now, CALENDAR, TZ)
    assert moment == expected
    assert moment.utcoffset() == expected.utcoffset()


def test_next_send_moment_utc_input_uses_local_time() -> None:
    """A UTC instant is judged by Vietnam's wall clock: 15:00 UTC is 22:00 in Hanoi."""
    now = datetime(2026, 5, 13, 15, 0, tzinfo=UTC)
    assert HOURS.next_send_moment(now, CALENDAR, TZ) == local(2026, 5, 14, 7, 30)


def test_next_send_moment_inside_returns_now_unchanged() -> None:
    """Inside office hours the given instant comes back as is."""
    now = datetime(2026, 5, 13, 2, 0, tzinfo=UTC)  # 09:00 in Hanoi
    assert HOURS.next_send_moment(now, CALENDAR, TZ) is now


def test_next_send_moment_extra_working_saturday() -> None:
    """A Saturday the province works gets reminders."""
    calendar = WorkingCalendar(extra_working_days=frozenset({date(2026, 5, 16)}))
    moment = HOURS.next_send_moment(local(2026, 5, 15, 18, 0), calendar, TZ)
    assert moment == local(2026, 5, 16, 7, 30)


def test_next_send_moment_naive_refused() -> None:
    """A naive datetime is a programming error."""
    with pytest.raises(ValueError, match="aware"):
        HOURS.next_send_moment(datetime(2026, 5, 13, 9, 0), CALENDAR, TZ)
