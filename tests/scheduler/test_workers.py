"""Worker pools: heavy jobs in a process that yields the CPU to the bot."""

from __future__ import annotations

import os

from sqlalchemy.engine import Engine

from scheduler.workers import HEAVY_NICE, in_process

NICEST = 19


def niceness(url: str) -> int:
    """Return the CPU niceness of the process running the job."""
    return os.nice(0)


async def test_heavy_jobs_run_at_a_lower_cpu_priority(engine: Engine) -> None:
    """An export or import process is niced, so that the bot's loop gets the CPU first."""
    # 19 is the lowest priority there is: a suite run under `nice` cannot go further.
    assert await in_process(engine, niceness) >= min(os.nice(0) + HEAVY_NICE, NICEST)
