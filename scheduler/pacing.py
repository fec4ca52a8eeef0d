"""A pacer for any channel's sends: a fixed grid under a ceiling, a hard window, AIMD on 429s.

One pacer per channel (Telegram's, Zalo's), shared by everything that sends there:

    pacer = Pacer(settings.zalo_send_rate_per_s)          # or window=Window(30, 1.0)
    async with pacer.turn(Lane.BULK):                      # wait for the turn, lowest lane first
        response = await call()                            # its end bounds when it arrived
    pacer.throttled(retry_after_s)                         # the service said "too many"
    log.info("%s", pacer.report())                         # the rate actually held

(`turn` is `slot()` then `done(turn)` when the block ends; a sender that must check
something between getting its turn and calling can use the two itself.)

- **Grid.** Turns are handed out on a fixed grid at the current rate (at first the ceiling):
  never before their place on it, and a turn taken a little late (timer, loop or GIL
  latency) keeps its place, so the long-run rate is the one set (the turns after a late one
  then follow it closely until the grid is caught up; the window below bounds any second).
  After a quiet spell (`CATCH_UP_S` behind) the grid restarts from now rather than bursting.
- **Window.** With `window=Window(calls, seconds)` no more than `calls` calls can *reach the
  service* within any `seconds`, whatever the network does to them: a call reaches it at
  the latest when its answer comes back, so a turn waits until the call `calls` turns
  earlier has ended and `seconds` more have passed (a call still out after a whole window
  counts as arrived by then, so that one hung call cannot stall every send). On Telegram's
  fake server, which counts exactly 30 in any second, a 29/s grid with `Window(30, 1.0)`
  gets no 429.
- **AIMD.** Where the limit is not exact (the real services), `throttled(retry_after_s)`
  steps the rate down (once per `retry_after_s`, to `DECREASE` of it, never under
  `ceiling * FLOOR`) and, unless told `pause=False` (the refusal was for one chat), makes
  every turn wait `retry_after_s`; after a quiet `recover_after_s` (a minute) the rate
  creeps back up by `INCREASE` of the ceiling every `CREEP_EVERY_S`, up to the ceiling and
  never above it.

Lanes are small integers, lower first: the next turn goes to the lowest lane waiting. Only
the pacing is here; a channel's per-chat rules and what makes a reply a 429 stay in its own
sender (`scheduler/ratelimit.py` for Telegram).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from enum import IntEnum

log = logging.getLogger(__name__)

DECREASE = 0.8
INCREASE = 0.05
FLOOR = 0.25
RECOVER_AFTER_S = 60.0
CREEP_EVERY_S = 10.0
# A late turn keeps its place on the grid up to this far behind; further, the grid restarts.
CATCH_UP_S = 0.5
# How far back the rate held is measured.
HELD_OVER_S = 10.0


class Lane(IntEnum):
    """Who is sending: lower lanes go first."""

    DIRECT = 0  # a reply someone is waiting for
    NOTICE = 1  # a notice or a nudge
    BULK = 2  # the daily reminders


@dataclass(frozen=True)
class Window:
    """At most `calls` calls may reach the service within any `seconds`."""

    calls: int
    seconds: float = 1.0


@dataclass(frozen=True)
class PaceReport:
    """How the pacer is doing: its rate now, its ceiling, and the rate actually held."""

    rate_per_s: float
    ceiling_per_s: float
    held_per_s: float
    turns: int
    throttles: int

    def __str__(self) -> str:
        """Say it in one line, for the log."""
        return (
            f"held {self.held_per_s:.2f}/s over the last {HELD_OVER_S:.0f} s, "
            f"pace {self.rate_per_s:.2f}/s of {self.ceiling_per_s:.2f}/s, "
            f"{self.turns} turns, {self.throttles} throttled"
        )


class Turn:
    """One turn handed out: when it started and, once the call returned, when it ended."""

    __slots__ = ("end", "start")

    def __init__(self, start: float) -> None:
        self.start = start
        self.end: float | None = None


class Pacer:
    """Hand out turns to call a service: see the module's docstring."""

    def __init__(
        self,
        ceiling_per_s: float,
        *,
        window: Window | None = None,
        recover_after_s: float = RECOVER_AFTER_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if ceiling_per_s <= 0:
            raise ValueError("the ceiling must be a positive rate")
        self.ceiling = ceiling_per_s
        self.window = window
        self.recover_after_s = recover_after_s
        self._clock = clock
        self._rate = ceiling_per_s
        self._next = 0.0  # the grid's next turn
        self._paused_until = 0.0
        self._calm_until = 0.0  # no second step down before this
        self._last_throttle: float | None = None
        self._last_change = 0.0
        self._recent: deque[Turn] = deque(maxlen=window.calls if window else 1)
        self._granted: deque[float] = deque()
        self._waiting: dict[int, int] = {}
        self.turns = 0
        self.throttles = 0

    @property
    def rate(self) -> float:
        """Return the rate turns are handed out at now (creeping back up when it may)."""
        self._creep(self._clock())
        return self._rate

    @asynccontextmanager
    async def turn(self, lane: int = Lane.DIRECT) -> AsyncIterator[Turn]:
        """Wait for a turn, then make the call in the block: its end is recorded on exit."""
        turn = await self.slot(lane)
        try:
            yield turn
        finally:
            self.done(turn)

    async def slot(self, lane: int = Lane.DIRECT) -> Turn:
        """Wait for a turn; call `done(turn)` when the call it was for has returned."""
        self._waiting[lane] = self._waiting.get(lane, 0) + 1
        try:
            while True:
                now = self._clock()
                if any(n for other, n in self._waiting.items() if other < lane):
                    await asyncio.sleep(0.5 / self._rate)  # someone more urgent goes first
                    continue
                ready = self._ready(now)
                if now >= ready:
                    return self._grant(now)
                await asyncio.sleep(ready - now)
        finally:
            self._waiting[lane] -= 1

    def done(self, turn: Turn) -> None:
        """Record that a turn's call returned (or failed): it reached the service by now."""
        if turn.end is None:
            turn.end = self._clock()

    def throttled(self, retry_after_s: float, *, pause: bool = True) -> None:
        """The service refused a call for going too fast: step the rate down.

        With `pause` (the refusal was for the whole client, not for one of its chats), every
        turn also waits `retry_after_s`. One step down per `retry_after_s`: the calls already
        in flight are refused too.
        """
        now = self._clock()
        self.throttles += 1
        stepped = now < self._calm_until
        self._calm_until = max(self._calm_until, now + max(0.0, retry_after_s))
        if pause:
            self._paused_until = max(self._paused_until, now + max(0.0, retry_after_s))
        self._last_throttle = self._last_change = now
        if stepped:
            return
        lower = max(self.ceiling * FLOOR, self._rate * DECREASE)
        if lower < self._rate:
            log.warning(
                "too many requests: %s, pace %.2f/s -> %.2f/s",
                f"every send waits {retry_after_s:.1f} s" if pause else "one chat held",
                self._rate,
                lower,
            )
            self._rate = lower

    def report(self) -> PaceReport:
        """Return the pace now and the rate held over the last few seconds."""
        now = self._clock()
        self._forget(now)
        granted = self._granted
        span = now - granted[0] if granted else 0.0
        held = (len(granted) - 1) / span if len(granted) > 1 and span > 0 else 0.0
        return PaceReport(
            round(self.rate, 2), self.ceiling, round(held, 2), self.turns, self.throttles
        )

    def _ready(self, now: float) -> float:
        """Return when the next turn may start: the grid, a pause, the window."""
        ready = max(self._next, self._paused_until)
        window = self.window
        if window is not None and len(self._recent) == window.calls:
            ready = max(ready, self._reached(self._recent[0], now) + window.seconds)
        return ready

    def _reached(self, turn: Turn, now: float) -> float:
        """Return the latest time a turn's call can have reached the service, as far as known.

        Back: by its end. Not back yet: it may still be on its way, so it counts as arriving
        now, until it has been out for a whole window (a call held that long by the service
        has reached it, and waiting for its timeout would stall every send).
        """
        if turn.end is not None:
            return turn.end
        seconds = self.window.seconds if self.window else 0.0
        return min(now, turn.start + seconds)

    def _grant(self, now: float) -> Turn:
        """Hand out the turn at `now` and move the grid on."""
        self._creep(now)
        interval = 1.0 / self._rate
        behind = now - self._next
        base = self._next if 0 <= behind < CATCH_UP_S else now
        self._next = max(base, self._paused_until) + interval
        turn = Turn(now)
        self._recent.append(turn)
        self._granted.append(now)
        self._forget(now)
        self.turns += 1
        return turn

    def _creep(self, now: float) -> None:
        """After a quiet spell since the last 429, raise the rate a step at a time."""
        if self._last_throttle is None or self._rate >= self.ceiling:
            return
        if now - self._last_throttle < self.recover_after_s:
            return
        if now - self._last_change < CREEP_EVERY_S and self._last_change > self._last_throttle:
            return
        self._rate = min(self.ceiling, self._rate + self.ceiling * INCREASE)
        self._last_change = now
        log.info("quiet since the last 429: pace up to %.2f/s", self._rate)

    def _forget(self, now: float) -> None:
        """Drop the turns older than the span the rate held is measured over."""
        while self._granted and self._granted[0] < now - HELD_OVER_S:
            self._granted.popleft()
