"""Telegram's sending limits, enforced or just observed, with violation counters.

Limits apply to sends only (sendMessage, sendDocument, sendPhoto): at most 30 in any
sliding second overall, 1 per second per private chat and 20 per minute per group
(negative chat id). Only sends that succeed use up the allowance.
"""

from __future__ import annotations

import math
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

RateLimitMode = Literal["off", "observe", "enforce"]


@dataclass(frozen=True)
class RateLimits:
    """The allowance per sliding window."""

    overall_per_second: int = 30
    private_per_second: int = 1
    group_per_minute: int = 20


@dataclass
class RateLimitStats:
    """How often, and where, sends went over a limit."""

    violations: int = 0
    overall: int = 0
    private: int = 0
    group: int = 0
    by_chat: Counter[int] = field(default_factory=Counter)


class _Window:
    """Timestamps of recent sends within a sliding window."""

    def __init__(self, limit: int, seconds: float) -> None:
        self.limit = limit
        self.seconds = seconds
        self.times: deque[float] = deque()

    def wait(self, now: float) -> float:
        """Return how long until one more send fits (0 when it fits now)."""
        while self.times and self.times[0] <= now - self.seconds:
            self.times.popleft()
        if len(self.times) < self.limit:
            return 0.0
        return self.times[len(self.times) - self.limit] + self.seconds - now


class RateLimiter:
    """Check sends against the limits and count the violations."""

    def __init__(self, mode: RateLimitMode = "off", limits: RateLimits | None = None) -> None:
        self._lock = threading.Lock()
        # The clock the server judges sends by; a test may stop it, so that sends meant to
        # fall in one window do however slowly a loaded machine makes them.
        self.clock: Callable[[], float] = time.monotonic
        self.configure(mode, limits)

    def configure(self, mode: RateLimitMode, limits: RateLimits | None = None) -> None:
        """Switch mode and limits, forgetting past sends and violations."""
        with self._lock:
            self.mode: RateLimitMode = mode
            self.limits = limits or RateLimits()
            self._overall = _Window(self.limits.overall_per_second, 1.0)
            self._chats: dict[int, _Window] = {}
            self._stats = RateLimitStats()

    def check(self, chat_id: int, now: float) -> int | None:
        """Return retry_after seconds when a send to `chat_id` would exceed a limit."""
        with self._lock:
            if self.mode == "off":
                return None
            overall = self._overall.wait(now)
            chat = self._chat_window(chat_id).wait(now)
            if overall <= 0 and chat <= 0:
                return None
            self._count(chat_id, overall_exceeded=overall > 0)
            return max(1, math.ceil(max(overall, chat)))

    def record(self, chat_id: int, now: float) -> None:
        """Count a successful send toward the windows."""
        with self._lock:
            if self.mode != "off":
                self._overall.times.append(now)
                self._chat_window(chat_id).times.append(now)

    def stats(self) -> RateLimitStats:
        """Return a copy of the violation counters."""
        with self._lock:
            stats = self._stats
            return RateLimitStats(
                stats.violations, stats.overall, stats.private, stats.group, Counter(stats.by_chat)
            )

    def _chat_window(self, chat_id: int) -> _Window:
        """Return the window of a chat: per second if private, per minute if a group."""
        window = self._chats.get(chat_id)
        if window is None:
            if chat_id < 0:
                window = _Window(self.limits.group_per_minute, 60.0)
            else:
                window = _Window(self.limits.private_per_second, 1.0)
            self._chats[chat_id] = window
        return window

    def _count(self, chat_id: int, *, overall_exceeded: bool) -> None:
        """Count one violation, by the limit it broke."""
        self._stats.violations += 1
        self._stats.by_chat[chat_id] += 1
        if overall_exceeded:
            self._stats.overall += 1
        elif chat_id < 0:
            self._stats.group += 1
        else:
            self._stats.private += 1
