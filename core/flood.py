"""A person's token bucket, what each channel's flood guard keeps per person before its inbox
(`handlers/telegram/flood.py`, `handlers/zalo/flood.py`): a burst, then so many a second;
past that a message is dropped, and the person told to slow down at most once a minute.

Each guard decides whose bucket it is, its size and rate (Telegram's differ for a stranger);
the bucket fills, spends, warns and gives back the same way on every channel.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

WARN_EVERY_S = 60.0
# The people a guard remembers before it forgets those whose buckets are full again.
TABLE_PRUNE = 10_000


class Verdict(Enum):
    """What to do with a message."""

    PASS = "pass"
    DROP = "drop"
    WARN = "warn"  # drop it and tell the person to slow down


@dataclass
class Bucket:
    """One person's tokens, when they were last counted, and when they were last warned."""

    tokens: float
    at: float
    warned_at: float = float("-inf")

    def fill(self, now: float, *, burst: float, per_s: float) -> float:
        """Add the tokens earned since last time (at most `burst`); return the seconds since."""
        elapsed = now - self.at
        self.at = now
        self.tokens = min(burst, self.tokens + elapsed * per_s)
        return elapsed

    def spend(self, now: float, *, warn: bool = True) -> Verdict:
        """Take a token, or say the message is dropped (`warn`: with a warning, once a
        minute)."""
        if self.tokens >= 1:
            self.tokens -= 1
            return Verdict.PASS
        if warn and now - self.warned_at >= WARN_EVERY_S:
            self.warned_at = now
            return Verdict.WARN
        return Verdict.DROP

    def give_back(self, verdict: Verdict, *, burst: float) -> None:
        """Give back what `spend` took for a message the inbox knew: a platform's redelivery,
        which must use neither the person's budget nor their one warning a minute (DROP took
        nothing)."""
        if verdict is Verdict.WARN:
            self.warned_at = float("-inf")
        elif verdict is Verdict.PASS:
            self.tokens = min(burst, self.tokens + 1)
