"""A channel's sending budget shared by every worker through the database (WORKERS=multi).

One sender per channel is elected (scheduler/roles.py), but every worker answers the people
whose updates it took, so the channel's budget (Telegram's 30 a second, ZALO_SEND_RATE_PER_S)
is shared through the database (`db/queries/workers.reserve`): the pacer's own rules
(scheduler/pacing.py), kept for all the workers together, by the database's clock:

- **Grid**: slots one interval apart at the channel's rate, whichever worker asks.
- **Window**: no more than `calls` calls can reach the service within any `seconds`: a slot
  waits until the call `calls` slots earlier has ended (each worker records its calls' ends)
  and `seconds` more have passed; one not ended yet counts as arriving now, up to a window.
  A grid alone is not enough: a worker held up for a few hundredths (a busy machine) sends
  late, into the next second's slots.

Each worker's own pacer still spaces its sends, keeps its lanes and per-chat rules; the
sender asks for one slot at a time, after its own turn, so a reply on another worker waits
at most a slot or two behind the fan-out. If the database cannot be asked, the send goes on
its own pacer alone (logged): a reply is not held up by an outage the inbox waits out anyway.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from functools import partial

from sqlalchemy.engine import Engine

from db.queries.workers import ended, reserve

log = logging.getLogger(__name__)


class SharedBudget:
    """The slots of one channel's sends across workers (see the module)."""

    def __init__(
        self, engine: Engine, channel: str, rate_per_s: float, *, calls: int, seconds: float = 1.0
    ) -> None:
        self.engine, self.channel = engine, channel
        self.interval, self.calls, self.seconds = 1.0 / rate_per_s, calls, seconds
        # Threads of its own: the sender's and the updates' pools may be busy with slower work.
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix=f"budget-{channel}")

    async def acquire(self) -> int | None:
        """Take the channel's next slot and wait for it; return it, for `release`."""
        loop = asyncio.get_running_loop()
        try:
            slot, delay = await loop.run_in_executor(self._pool, self._reserve)
        except Exception as exc:
            log.warning("%s budget: the database cannot be asked (%s)", self.channel, exc)
            return None
        if delay > 0:
            await asyncio.sleep(delay)
        return slot

    def release(self, slot: int | None) -> None:
        """Record that the slot's call has returned (without waiting for the write)."""
        if slot is not None:
            self._pool.submit(partial(self._end, slot))

    def _reserve(self) -> tuple[int, float]:
        """Reserve the next slot (blocking); return it and the seconds until it."""
        with self.engine.begin() as connection:
            return reserve(
                connection,
                channel=self.channel,
                interval=self.interval,
                calls=self.calls,
                seconds=self.seconds,
            )

    def _end(self, slot: int) -> None:
        """Write a slot's end (blocking); a failure only makes the window stricter."""
        try:
            with self.engine.begin() as connection:
                ended(connection, slot=slot)
        except Exception as exc:
            log.debug("%s budget: a call's end not written (%s)", self.channel, exc)
