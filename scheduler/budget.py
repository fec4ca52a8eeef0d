"""A channel's sending budget shared by every worker through the database (WORKERS=multi).

One sender per channel is elected (scheduler/roles.py), but every worker answers the people
whose updates it took, so the channel's budget (Telegram's 30 a second, ZALO_SEND_RATE_PER_S)
is shared through a row per channel: `db/queries/workers.reserve` hands out the next slot
of one grid at the channel's rate, by the database's clock, to whichever worker asks, and
the send waits for it. Each worker's own pacer (scheduler/pacing.py, Zalo's pacer) still
spaces its sends, keeps its window, lanes and per-chat rules; the grid only keeps the sum of
all workers under the rate. The sender asks for one slot at a time, after its own turn, so
a reply on another worker waits at most a slot or two behind the fan-out.

If the database cannot be asked, the send goes on its own pacer alone (logged): a reply is
not held up by an outage the inbox will wait out anyway.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from functools import partial

from sqlalchemy.engine import Engine

from db.queries.workers import reserve

log = logging.getLogger(__name__)


class SharedBudget:
    """The grid of one channel's sends across workers (see the module)."""

    def __init__(self, engine: Engine, channel: str, rate_per_s: float) -> None:
        self.engine, self.channel = engine, channel
        self.interval = 1.0 / rate_per_s
        # Threads of its own: the sender's and the updates' pools may be busy with slower work.
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix=f"budget-{channel}")
        self.waited = 0.0  # seconds sends waited for the grid (other workers' sends)

    async def wait(self) -> None:
        """Take the channel's next slot and wait for it."""
        loop = asyncio.get_running_loop()
        try:
            delay = await loop.run_in_executor(self._pool, partial(self._reserve))
        except Exception as exc:
            log.warning("%s budget: the database cannot be asked (%s)", self.channel, exc)
            return
        if delay > 0:
            self.waited += delay
            await asyncio.sleep(delay)

    def _reserve(self) -> float:
        """Reserve the next slot; return how long until it (blocking)."""
        with self.engine.begin() as connection:
            return reserve(connection, channel=self.channel, interval=self.interval)

    def close(self) -> None:
        """Let the pool's threads go."""
        self._pool.shutdown(wait=False)
