"""Clocks: the real one, and one tests can set and move."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Anything that tells the current time (aware, UTC)."""

    def now(self) -> datetime:
        """Return the current time."""
        ...


class SystemClock:
    """The machine's clock."""

    def now(self) -> datetime:
        """Return the current time in UTC."""
        return datetime.now(UTC)


class ManualClock:
    """A clock that stands still until told to move; for tests and simulations."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        """Return the time the clock was set to."""
        return self._now

    def set(self, moment: datetime) -> None:
        """Jump to a moment."""
        self._now = moment.astimezone(UTC)

    def advance(self, delta: timedelta) -> None:
        """Move forward by delta."""
        self._now += delta


class OffsetClock:
    """A clock that starts at a chosen moment and runs at real speed; for trials and tests."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("OffsetClock needs an aware datetime")
        self._offset = start.astimezone(UTC) - datetime.now(UTC)

    def now(self) -> datetime:
        """Return the real time shifted to the chosen start."""
        return datetime.now(UTC) + self._offset


class EarlierClock:
    """Another clock, read as it was `by` earlier: a message's moment, handled later."""

    def __init__(self, clock: Clock, by: timedelta) -> None:
        self._clock = clock
        self._by = by

    def now(self) -> datetime:
        """Return the other clock's time, `by` earlier."""
        return self._clock.now() - self._by


def clock_from(start: datetime | None) -> Clock:
    """Return the real clock, or one that starts at `start` (FAKE_CLOCK_START, trials only)."""
    return SystemClock() if start is None else OffsetClock(start)
