"""A sender whose database is out of reach says so in one line a try, not a traceback."""

from __future__ import annotations

import logging
from dataclasses import replace

import pytest

from db.engine import make_engine
from scheduler.delivery import _run_sender
from tests.harness import BotUnderTest

UNREACHABLE = "postgresql://dondoc@127.0.0.1:1/dondoc"


def waits(caplog: pytest.LogCaptureFixture, logger: str) -> list[logging.LogRecord]:
    """Return the sender's records, asserting there is one and none carries a traceback."""
    records = [r for r in caplog.records if r.name == logger]
    assert records
    assert all(r.exc_info is None for r in records)
    assert all("waits for the database" in r.getMessage() for r in records)
    return records


async def test_the_telegram_sender_waits_for_the_database_in_one_line(
    bot: BotUnderTest, caplog: pytest.LogCaptureFixture
) -> None:
    """Database down mid-run: the sender's try each second was a 40-line traceback in the
    journal; it is one warning naming the database's error."""
    shared = bot.app.bot_data
    running, broken = shared.services, make_engine(UNREACHABLE)
    shared.services = replace(running, engine=broken)
    try:
        with caplog.at_level(logging.WARNING, "scheduler.delivery"):
            await _run_sender(bot.app, "test-sender")
    finally:
        shared.services = running
        broken.dispose()
    waits(caplog, "scheduler.delivery")
