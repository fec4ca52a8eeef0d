"""The demo's own clock: real speed from a chosen moment, moved on by the visitor.

Only the demo's services are given it (at the composition root, `bot.demo.run`); the
production clock is `core.clock.SystemClock`, which nothing here touches.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo

from core.calendar import WorkingCalendar

MORNING = time(8, 0)
CLOCK_KEY = "demo.clock"  # where the demo's clock stands (ISO), kept between runs


class DemoClock:
    """A clock that starts at a chosen moment, runs at real speed and can jump forward."""

    def __init__(self, start: datetime) -> None:
        self._offset = timedelta(0)
        self.jump(start)

    def now(self) -> datetime:
        """Return the demo's current time (aware, UTC)."""
        return datetime.now(UTC) + self._offset

    def jump(self, moment: datetime) -> None:
        """Set the demo's time to `moment`; it runs on from there."""
        if moment.tzinfo is None:
            raise ValueError("DemoClock needs an aware datetime")
        self._offset = moment.astimezone(UTC) - datetime.now(UTC)


def working_morning(calendar: WorkingCalendar, day: date, tz: tzinfo, *, after: bool) -> datetime:
    """Return 08:00 of `day` if it is a working day (or of the next working day after it)."""
    chosen = calendar.next_working_day(day, include_today=not after)
    return datetime.combine(chosen, MORNING, tzinfo=tz)


def working_days_before(calendar: WorkingCalendar, day: date, n: int) -> date:
    """Return the n-th working day before `day`."""
    for _ in range(n):
        day -= timedelta(days=1)
        while not calendar.is_working_day(day):
            day -= timedelta(days=1)
    return day
