"""Clocks: the offset clock that FAKE_CLOCK_START gives a trial bot."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.clock import OffsetClock, SystemClock, clock_from

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def test_offset_clock_starts_at_the_moment_and_runs_at_real_speed() -> None:
    """The clock reads the start moment, then moves as the real one does."""
    start = datetime(2026, 11, 18, 9, 0, tzinfo=VN)
    clock = OffsetClock(start)
    first = clock.now()
    time.sleep(0.05)
    assert abs(first - start) < timedelta(seconds=1)
    assert clock.now() - first >= timedelta(seconds=0.05)


def test_offset_clock_refuses_a_naive_moment() -> None:
    """A moment without its offset is ambiguous."""
    with pytest.raises(ValueError, match="aware"):
        OffsetClock(datetime(2026, 11, 18, 9, 0))


def test_clock_from_uses_the_real_clock_without_a_start() -> None:
    """No FAKE_CLOCK_START: the system clock."""
    assert isinstance(clock_from(None), SystemClock)
    assert isinstance(clock_from(datetime(2026, 1, 1, tzinfo=VN)), OffsetClock)
