"""What the running process counts for /metrics: counters and a latency histogram, in memory.

Adapters and the senders add to it (updates received, handler latency, sends by channel and
result, 429s) and note each channel's last successful call for /healthz; the web adapter
renders it in Prometheus' text format, with what it reads from the database at scrape time.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

# Seconds; Prometheus' histogram buckets are cumulative ("less than or equal").
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


@dataclass
class Histogram:
    """A cumulative histogram of durations in seconds."""

    buckets: tuple[float, ...] = LATENCY_BUCKETS
    counts: list[int] = field(default_factory=lambda: [0] * len(LATENCY_BUCKETS))
    total: int = 0
    sum: float = 0.0

    def observe(self, seconds: float) -> None:
        """Count one duration."""
        for index, bound in enumerate(self.buckets):
            if seconds <= bound:
                self.counts[index] += 1
        self.total += 1
        self.sum += seconds


@dataclass
class Metrics:
    """The process's counters; thread-safe, since senders and workers add to it too."""

    updates: Counter[str] = field(default_factory=Counter)  # by channel
    sends: Counter[tuple[str, str]] = field(default_factory=Counter)  # (channel, result)
    rate_limited: Counter[str] = field(default_factory=Counter)  # 429s by channel
    handler_latency: dict[str, Histogram] = field(default_factory=dict)  # by channel
    last_ok: dict[str, datetime] = field(default_factory=dict)  # a channel's last good call
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def update_received(self, channel: str) -> None:
        """Count one update taken from a channel."""
        with self._lock:
            self.updates[channel] += 1

    def handled(self, channel: str, seconds: float) -> None:
        """Record how long one update's handlers took."""
        with self._lock:
            self.handler_latency.setdefault(channel, Histogram()).observe(seconds)

    def sent(self, channel: str, result: str, at: datetime | None = None) -> None:
        """Count one send attempt's result (sent, failed, unreachable, retry, rate_limited)."""
        with self._lock:
            self.sends[(channel, result)] += 1
            if result == "rate_limited":
                self.rate_limited[channel] += 1
            if at is not None and result == "sent":
                self.last_ok[channel] = at

    def channel_ok(self, channel: str, at: datetime) -> None:
        """Note a successful call to a channel's API (a send, a webhook set, a poll)."""
        with self._lock:
            self.last_ok[channel] = at

    def snapshot(self) -> Metrics:
        """Return a consistent copy to render."""
        with self._lock:
            return Metrics(
                updates=Counter(self.updates),
                sends=Counter(self.sends),
                rate_limited=Counter(self.rate_limited),
                handler_latency={
                    k: Histogram(v.buckets, list(v.counts), v.total, v.sum)
                    for k, v in self.handler_latency.items()
                },
                last_ok=dict(self.last_ok),
            )
