"""A token bucket per Zalo person before the inbox, so that one person cannot slow everyone.

A person may send BURST messages at once and keep up one a second (a `core.flood.Bucket`,
as Telegram's guard keeps); past that, messages are dropped (neither recorded nor answered:
no database work, no sends) and the person is told to slow down, at most once a minute. An
event the inbox knew already (Zalo delivering it again) is given back (`undo`): only what the
person sends counts. The events a stop (or a crash) kept unanswered are judged at the next
start, so a restart lets no flood through.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from core.flood import TABLE_PRUNE, Bucket, Verdict

__all__ = ["Verdict", "ZaloFlood"]

BURST = 20.0
PER_S = 1.0


class ZaloFlood:
    """The buckets of everyone who wrote to the Zalo bot lately."""

    def __init__(
        self,
        burst: float = BURST,
        per_s: float = PER_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.burst, self.per_s, self.clock = burst, per_s, clock
        self._buckets: dict[str, Bucket] = {}

    def judge(self, sender_id: str) -> Verdict:
        """Spend a token for this person's event, or say why not."""
        now = self.clock()
        bucket = self._buckets.get(sender_id)
        if bucket is None:
            if len(self._buckets) > TABLE_PRUNE:
                self._prune(now)
            bucket = self._buckets[sender_id] = Bucket(self.burst, now)
        bucket.fill(now, burst=self.burst, per_s=self.per_s)
        return bucket.spend(now)

    def undo(self, sender_id: str, verdict: Verdict) -> None:
        """Give back what `judge` took for an event the inbox knew: Zalo's redelivery.

        A redelivered event is not the person writing again: it must not use their budget,
        nor the one warning a minute (DROP took nothing).
        """
        bucket = self._buckets.get(sender_id)
        if bucket is not None:
            bucket.give_back(verdict, burst=self.burst)

    def _prune(self, now: float) -> None:
        """Forget people whose bucket is full again."""
        full = (self.burst - 1) / self.per_s
        self._buckets = {k: b for k, b in self._buckets.items() if now - b.at < full}
