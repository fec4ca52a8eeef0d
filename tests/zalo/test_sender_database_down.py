"""Zalo's sender, its database out of reach, says so in one line a try, not a traceback."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace

import pytest

from db.engine import make_engine
from scheduler.zalo_sender import run_sender
from tests.scheduler.test_sender_database_down import UNREACHABLE, waits
from tests.zalo.conftest import ZaloBot


class Heard(logging.Handler):
    """Set an event at the first record (the sender logs on the event loop's thread)."""

    def __init__(self, event: asyncio.Event) -> None:
        super().__init__()
        self.event = event

    def emit(self, record: logging.LogRecord) -> None:
        """Note that the sender said something."""
        self.event.set()


async def test_the_zalo_sender_waits_for_the_database_in_one_line(
    zbot: ZaloBot, caplog: pytest.LogCaptureFixture
) -> None:
    """The same for Zalo's sender, which tries again every second until stopped."""
    runtime = zbot.tg.app.bot_data.zalo
    assert runtime is not None
    broken = make_engine(UNREACHABLE)
    services = replace(zbot.services, engine=broken)
    stop, woken = asyncio.Event(), asyncio.Event()
    said = asyncio.Event()
    heard = Heard(said)
    logging.getLogger("scheduler.zalo_sender").addHandler(heard)
    try:
        with caplog.at_level(logging.WARNING, "scheduler.zalo_sender"):
            task = asyncio.create_task(
                run_sender(
                    runtime.client, services, runtime.pacer, stop=stop, woken=woken, owner="t"
                )
            )
            await asyncio.wait_for(said.wait(), 30)
            stop.set()
            woken.set()
            await task
    finally:
        logging.getLogger("scheduler.zalo_sender").removeHandler(heard)
        broken.dispose()
    waits(caplog, "scheduler.zalo_sender")
