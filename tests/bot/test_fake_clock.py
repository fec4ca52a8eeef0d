"""FAKE_CLOCK_START: read in development, refused in production with a one-line error."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.console import ConfigError, load_settings


def test_fake_clock_start_is_read_in_development(monkeypatch: pytest.MonkeyPatch) -> None:
    """An ISO moment with its offset becomes the clock's start."""
    monkeypatch.setenv("FAKE_CLOCK_START", "2026-11-18T09:00:00+07:00")
    settings = load_settings(env_file=None)
    assert settings.fake_clock_start == datetime(
        2026, 11, 18, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")
    )


def test_fake_clock_start_is_refused_in_production(monkeypatch: pytest.MonkeyPatch) -> None:
    """A production bot must run on the real clock: the error names the variable."""
    monkeypatch.setenv("ENV", "production")
    monkeypatch.setenv("BOT_TOKEN", "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw")
    monkeypatch.setenv("FAKE_CLOCK_START", "2026-11-18T09:00:00+07:00")
    with pytest.raises(ConfigError) as error:
        load_settings(env_file=None)
    assert "FAKE_CLOCK_START" in str(error.value)


def test_fake_clock_start_needs_an_offset(monkeypatch: pytest.MonkeyPatch) -> None:
    """A moment without its offset is refused, naming the variable."""
    monkeypatch.setenv("FAKE_CLOCK_START", "2026-11-18T09:00:00")
    with pytest.raises(ConfigError) as error:
        load_settings(env_file=None)
    assert "FAKE_CLOCK_START" in str(error.value)
