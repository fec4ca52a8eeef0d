"""Fixtures of the scheduler's tests."""

from __future__ import annotations

import pytest

from tests.scheduler.sleeps import Sleeps


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> Sleeps:
    """Note the sleeps of the rate limiter and its pacer."""
    noted = Sleeps()
    monkeypatch.setattr("scheduler.ratelimit.asyncio", noted)
    monkeypatch.setattr("scheduler.pacing.asyncio", noted)
    return noted
