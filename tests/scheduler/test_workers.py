"""Worker pools: heavy jobs in a process that yields the CPU to the bot and logs as it does."""

from __future__ import annotations

import logging
import os

from sqlalchemy.engine import Engine

from core.logsafe import REDACTED, RedactSecrets
from scheduler.workers import HEAVY_NICE, in_process, stop_processes

NICEST = 19
TOKEN = "424242:worker-secret-token"


def worker_state(url: str) -> tuple[int, str]:
    """Return the CPU niceness of the process running the job, and how it logs a line
    naming the bot's token (as its root handler would write it)."""
    [handler] = logging.getLogger().handlers
    record = logging.LogRecord("job", logging.ERROR, __file__, 1, "GET /bot%s/x", (TOKEN,), None)
    assert handler.filter(record)
    return os.nice(0), handler.format(record)


async def test_heavy_jobs_run_niced_and_log_without_secrets(engine: Engine) -> None:
    """An export or import process is niced, so that the bot's loop gets the CPU first, and
    logs with the bot's secrets redacted: it set up its logging with basicConfig, and a
    job's error could print the token or the database's password."""
    root = logging.getLogger()
    kept = root.handlers[:]
    handler = logging.StreamHandler()
    handler.addFilter(RedactSecrets([TOKEN]))  # as bot.console.setup_logging does
    root.handlers[:] = [handler]
    stop_processes()  # a pool started by another test would have its own secrets
    try:
        nice, line = await in_process(engine, worker_state)
    finally:
        root.handlers[:] = kept
        stop_processes()
    # 19 is the lowest priority there is: a suite run under `nice` cannot go further.
    assert nice >= min(os.nice(0) + HEAVY_NICE, NICEST)
    assert TOKEN not in line
    assert f"GET /bot{REDACTED}/x" in line
