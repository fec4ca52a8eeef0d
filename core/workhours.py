"""Office hours: when a reminder may go out, so nobody is chased at 22:00 or during lunch."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo
from itertools import pairwise

from core.calendar import WorkingCalendar

__all__ = ["WorkHours"]

_WINDOW = re.compile(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*")


def _clock(hour: str, minute: str, window: str) -> time:
    """Build a time from the digits of one end of a window."""
    try:
        return time(int(hour), int(minute))
    except ValueError:
        raise ValueError(f"bad time {hour}:{minute} in {window!r}") from None


def _parse_window(text: str) -> tuple[time, time]:
    """Parse one 'HH:MM-HH:MM' window."""
    match = _WINDOW.fullmatch(text)
    if match is None:
        raise ValueError(f"bad window {text.strip()!r}: expected HH:MM-HH:MM")
    start = _clock(match[1], match[2], text.strip())
    end = _clock(match[3], match[4], text.strip())
    if end <= start:
        raise ValueError(f"window {text.strip()!r} ends before it starts")
    return start, end


def _format_window(window: tuple[time, time]) -> str:
    """Write a window back as 'HH:MM-HH:MM'."""
    return f"{window[0]:%H:%M}-{window[1]:%H:%M}"


@dataclass(frozen=True, slots=True)
class WorkHours:
    """Daily office windows, each half-open [start, end), sorted and not overlapping."""

    windows: tuple[tuple[time, time], ...]

    @classmethod
    def parse(cls, text: str) -> WorkHours:
        """Parse '07:30-11:30,13:30-17:00'; raise ValueError saying what is wrong."""
        if not text.strip():
            raise ValueError("work hours are empty: expected e.g. 07:30-11:30,13:30-17:00")
        windows = sorted(_parse_window(part) for part in text.split(","))
        for earlier, later in pairwise(windows):
            if later[0] < earlier[1]:
                raise ValueError(
                    f"windows {_format_window(earlier)} and {_format_window(later)} overlap"
                )
        return cls(windows=tuple(windows))

    def __str__(self) -> str:
        """Write the hours back in the form parse() reads."""
        return ",".join(_format_window(w) for w in self.windows)

    def contains(self, t: time) -> bool:
        """Return whether the wall-clock time `t` falls inside a window."""
        t = t.replace(tzinfo=None)
        return any(start <= t < end for start, end in self.windows)

    def next_send_moment(self, now: datetime, calendar: WorkingCalendar, tz: tzinfo) -> datetime:
        """Return `now` if it is office time in `tz`, else the next window's start."""
        if now.tzinfo is None or now.utcoffset() is None:
            raise ValueError("now must be timezone-aware")
        local = now.astimezone(tz)
        today = local.date()
        if calendar.is_working_day(today):
            if self.contains(local.time()):
                return now
            later = [start for start, _ in self.windows if start > local.time()]
            if later:
                return self._at(today, later[0], tz)
        day = calendar.next_working_day(today, include_today=False)
        return self._at(day, self.windows[0][0], tz)

    @staticmethod
    def _at(day: date, clock: time, tz: tzinfo) -> datetime:
        """Combine a local day and wall-clock time into an aware datetime."""
        return datetime.combine(day, clock, tzinfo=tz)
