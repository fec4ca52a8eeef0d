"""LOOP_PROBE_FILE in a folder that is not there."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from scheduler.loopprobe import WRITE_EVERY_S, LoopProbe


async def test_a_probe_file_that_cannot_be_written_is_said_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The figures cannot be written: one warning, not one a second for the bot's life."""
    probe = LoopProbe(status_file=tmp_path / "missing" / "probe.json")
    with caplog.at_level(logging.WARNING, logger="scheduler.loopprobe"):
        probe.start()
        await asyncio.sleep(WRITE_EVERY_S * 3.5)
        await probe.stop()
    said = [r for r in caplog.records if "could not write" in r.getMessage()]
    assert len(said) == 1
