"""What the loop probe says of a stall: how much of it the loop worked, and who called what.

A stall on a busy machine is often no work of the loop's: its thread waited for a processor
or for the GIL another thread held. The probe counts the CPU time the loop's thread used
during each stall, so a stall of work on the loop (CPU time as long as the threshold) is
told from one of waiting (a synchronous call, named by its frames, or the machine).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

import pytest

from scheduler.loopprobe import LoopProbe

STALL_MS = 150.0
WORK_S = 0.3


def spin(cpu_s: float) -> None:
    """Use `cpu_s` seconds of this thread's CPU time: work on the loop, as a huge render."""
    until = time.thread_time() + cpu_s
    while time.thread_time() < until:
        pass


def wait_synchronously(seconds: float) -> None:
    """Wait without working, as a synchronous call (a query on a locked file) would."""
    time.sleep(seconds)


async def _stall(cause: Callable[[float], None], seconds: float) -> dict[str, Any]:
    """Start a probe, stall the loop with `cause`, and return the stall it recorded."""
    probe = LoopProbe(stall_ms=STALL_MS, tick_s=0.02)
    probe.start()
    try:
        await asyncio.sleep(0.1)
        cause(seconds)
        await asyncio.sleep(0.1)
    finally:
        await probe.stop()
    assert probe.stalls, "the stall was not recorded"
    return max(probe.stalls, key=lambda s: float(s["ms"]))


async def test_work_on_the_loop_counts_as_the_loops_cpu_time(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Work done on the loop shows as CPU time the loop's thread used in the stall."""
    with caplog.at_level(logging.WARNING, logger="scheduler.loopprobe"):
        stall = await _stall(spin, WORK_S)
    assert float(stall["cpu_ms"]) >= WORK_S * 1000
    assert any("loop's CPU" in r.getMessage() for r in caplog.records)


async def test_a_wait_on_the_loop_is_a_stall_without_cpu_time() -> None:
    """A synchronous wait stalls the loop as long, using none of its CPU, and the stall
    names what the loop's thread was in (here this test's function, no module of ours:
    the chain is empty) rather than work."""
    stall = await _stall(wait_synchronously, WORK_S)
    assert float(stall["cpu_ms"]) < float(stall["ms"]) / 2


async def test_a_stall_names_our_callers_innermost_first() -> None:
    """The frame of ours that stalled is named with the frames of ours that called it."""
    from scheduler import loopprobe

    probe = LoopProbe(stall_ms=STALL_MS, tick_s=0.02)
    probe.start()
    try:
        await asyncio.sleep(0.1)
        # The probe's own module is not named; a module of ours running on the loop is.
        from core.textnorm import fold

        def ours(seconds: float) -> None:
            until = time.thread_time() + seconds
            while time.thread_time() < until:
                fold("Hướng dẫn " * 2000)

        ours(WORK_S)
        await asyncio.sleep(0.1)
    finally:
        await probe.stop()
    frames = str(max(probe.stalls, key=lambda s: float(s["ms"]))["running"]).split(" < ")
    # `fold` calls `fold_text`, where the time goes: both named, the innermost first.
    assert frames[0].startswith("core.textnorm:")
    assert frames[0].endswith(" fold_text")
    assert frames[1].endswith(" fold")
    assert len(frames) <= loopprobe.OUR_FRAMES
