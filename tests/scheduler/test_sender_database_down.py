"""A sender whose database is out of reach says so in one line a try, not a traceback."""

from __future__ import annotations

import logging
from dataclasses import replace

import pytest

from db.engine import make_engine
from scheduler.delivery import _run_sender, warm_sweep
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


async def test_the_sweeps_warm_up_meeting_a_database_down_is_one_warning(
    bot: BotUnderTest, caplog: pytest.LogCaptureFixture
) -> None:
    """The database not answering as the bot starts: the sweep's worker process, started
    ahead on a large database, is said not started in one warning (the sweep starts it). It
    was an ERROR with a 40-line traceback, which an operator's alerting takes for a fault."""
    broken = make_engine(UNREACHABLE)
    try:
        with caplog.at_level(logging.WARNING, "scheduler.delivery"):
            await warm_sweep(replace(bot.services, engine=broken), process_from=0)
    finally:
        broken.dispose()
    [record] = [r for r in caplog.records if r.name == "scheduler.delivery"]
    assert record.levelno == logging.WARNING
    assert record.exc_info is None
    assert "127.0.0.1" in record.getMessage()
