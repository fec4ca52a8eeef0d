"""How late the event loop wakes up: every stall is logged, the figures kept for benchmarks.

A task sleeps a short tick and measures how much later than asked it woke: that delay is
how long the loop was busy with something else (a blocking call, CPU work, a busy wait on a
locked SQLite file). A watchdog thread notices a stall while it lasts and notes what the
loop thread is running then (its innermost frames of ours) and which updates are being
handled; when the loop wakes, a stall over STALL_MS is logged with both.

The figures (max, percentiles, the last stalls) are written as JSON to a status file when
LOOP_PROBE_FILE is set: a benchmark reads it, nothing else needs it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

TICK_S = 0.05
STALL_MS = 200.0
WRITE_EVERY_S = 1.0
KEPT_SAMPLES = 20_000
KEPT_STALLS = 200
KEPT_SECONDS = 1800
OUR_PACKAGES = ("app", "bot", "core", "db", "handlers", "render", "scheduler", "web")
OUR_FRAMES = 4  # a stall names the innermost frame of ours and up to three of its callers


class LoopProbe:
    """Measure the loop's lateness; log stalls; keep and publish the figures."""

    def __init__(
        self,
        *,
        status_file: Path | None = None,
        describe: Callable[[], str] = lambda: "",
        tick_s: float = TICK_S,
        stall_ms: float = STALL_MS,
    ) -> None:
        self.status_file = status_file
        self.describe = describe
        self.tick_s = tick_s
        self.stall_ms = stall_ms
        self.samples: deque[float] = deque(maxlen=KEPT_SAMPLES)
        self.stalls: deque[dict[str, Any]] = deque(maxlen=KEPT_STALLS)
        self.max_ms = 0.0
        # The worst lateness of each second (wall-clock second, ms), for benchmarks' phases.
        self.seconds: deque[list[float]] = deque(maxlen=KEPT_SECONDS)
        self._beat = time.monotonic()
        self._seen: str = ""  # what the watchdog saw the loop doing during this stall
        self._task: asyncio.Task[None] | None = None
        self._stop = threading.Event()
        self._loop_thread = 0
        self._unwritable = False  # the last write failed (and was said)

    def start(self) -> None:
        """Start the probe on the running loop and its watchdog thread."""
        self._loop_thread = threading.get_ident()
        self._beat = time.monotonic()
        self._task = asyncio.get_running_loop().create_task(self._run(), name="loop-probe")
        threading.Thread(target=self._watch, name="loop-watchdog", daemon=True).start()

    async def stop(self) -> None:
        """Stop the probe and write the figures one last time."""
        self._stop.set()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._write()

    async def _run(self) -> None:
        """Sleep a tick at a time and record how late each wake-up was."""
        last_write = time.monotonic()
        while True:
            asked, cpu = time.monotonic(), time.thread_time()
            await asyncio.sleep(self.tick_s)
            woke = time.monotonic()
            self.record((woke - asked - self.tick_s) * 1000, (time.thread_time() - cpu) * 1000)
            self._beat = woke
            if woke - last_write >= WRITE_EVERY_S:
                last_write = woke
                self._write()

    def record(self, late_ms: float, cpu_ms: float | None = None) -> None:
        """Count one wake-up this late; log it as a stall past the threshold.

        `cpu_ms`: the CPU time the loop's thread used meanwhile. Near the stall's length, the
        loop was working (our code, or a library's, on the loop); far below it, the loop was
        waiting: for a synchronous call (then the frame names it) or for the processor or the
        GIL, which other threads or processes held (then the frame is the loop's own select).
        """
        late_ms = max(0.0, late_ms)
        self.samples.append(late_ms)
        self.max_ms = max(self.max_ms, late_ms)
        second = float(int(time.time()))
        if self.seconds and self.seconds[-1][0] == second:
            self.seconds[-1][1] = max(self.seconds[-1][1], round(late_ms, 1))
        else:
            self.seconds.append([second, round(late_ms, 1)])
        if late_ms < self.stall_ms:
            self._seen = ""
            return
        seen, self._seen = self._seen, ""
        handling = self.describe()
        cpu = round(cpu_ms, 1) if cpu_ms is not None else None
        self.stalls.append(
            {
                "at": time.time(),
                "ms": round(late_ms, 1),
                "cpu_ms": cpu,
                "running": seen,
                "updates": handling,
            }
        )
        log.warning(
            "event loop stalled %.0f ms (loop's CPU: %s; running: %s; updates: %s)",
            late_ms,
            "?" if cpu is None else f"{cpu:.0f} ms",
            seen or "?",
            handling or "none",
        )

    def _watch(self) -> None:
        """While the loop is late, note once what its thread is running."""
        while not self._stop.wait(self.tick_s):
            late = time.monotonic() - self._beat - self.tick_s
            if late * 1000 >= self.stall_ms / 2 and not self._seen:
                self._seen = self._running() or "-"

    def _running(self) -> str:
        """Return the innermost frames of our code on the loop's thread (module:line
        function), the innermost first, then its callers of ours (up to `OUR_FRAMES`)."""
        frame = sys._current_frames().get(self._loop_thread)
        found: list[str] = []
        while frame is not None and len(found) < OUR_FRAMES:
            module = frame.f_globals.get("__name__", "")
            if module.split(".", 1)[0] in OUR_PACKAGES and module != __name__:
                found.append(f"{module}:{frame.f_lineno} {frame.f_code.co_name}")
            frame = frame.f_back
        return " < ".join(found)

    def figures(self) -> dict[str, Any]:
        """Return the max, percentiles and last stalls, in milliseconds."""
        ordered = sorted(self.samples)

        def pct(q: float) -> float:
            if not ordered:
                return 0.0
            return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)

        return {
            "max_ms": round(self.max_ms, 1),
            "p50_ms": pct(0.50),
            "p95_ms": pct(0.95),
            "p99_ms": pct(0.99),
            "samples": len(ordered),
            "stalls": list(self.stalls),
            "per_second_max_ms": list(self.seconds),
        }

    def _write(self) -> None:
        """Replace the status file with the current figures (when one is set)."""
        if self.status_file is None:
            return
        try:
            part = self.status_file.with_suffix(".part")
            part.write_text(json.dumps(self.figures()))
            os.replace(part, self.status_file)
        except OSError as exc:
            # Once until a write succeeds: a LOOP_PROBE_FILE in a folder that is not there
            # said so every second, for as long as the bot ran.
            if not self._unwritable:
                log.warning("could not write the loop probe's figures: %s", exc)
            self._unwritable = True
        else:
            self._unwritable = False
