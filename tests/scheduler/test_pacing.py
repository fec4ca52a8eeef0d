"""The channel-neutral pacer: a grid, lanes, a window no network delay can break, AIMD."""

from __future__ import annotations

import asyncio
import random
import time
from itertools import pairwise

import pytest

from scheduler.pacing import CREEP_EVERY_S, DECREASE, INCREASE, Lane, Pacer, Window
from tests.scheduler.sleeps import Sleeps

RATE = 50.0


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        """Return the time it is."""
        return self.now


async def test_turns_keep_to_the_grid_without_a_burst() -> None:
    """Twenty turns at 50/s take at least 0.38 s: no turn comes before its place on the grid.

    A turn the loop woke late keeps its place, so the next ones may follow it closely until
    the grid is caught up; they are never ahead of it (which is what a burst would be).
    """
    pacer = Pacer(RATE)
    times: list[float] = []

    async def one() -> None:
        async with pacer.turn(Lane.BULK):
            times.append(time.monotonic())

    start = time.monotonic()  # the grid starts at its first turn, no earlier than this
    await asyncio.gather(*(one() for _ in range(20)))
    for k, at in enumerate(times):
        assert at - start >= k / RATE - 0.001, (k, [b - a for a, b in pairwise(times)])


async def test_a_reply_goes_before_waiting_bulk_sends() -> None:
    """A direct reply queued behind bulk sends gets one of the next turns.

    It asks once the first bulk send had its turn, nine still waiting: how many went
    meanwhile is counted then, not guessed from a delay.
    """
    pacer = Pacer(RATE)
    order: list[str] = []
    first_went = asyncio.Event()

    async def send(name: str, lane: Lane) -> None:
        async with pacer.turn(lane):
            order.append(name)
            first_went.set()

    bulk = [asyncio.create_task(send(f"bulk{i}", Lane.BULK)) for i in range(10)]
    await first_went.wait()
    went = len(order)
    assert went < 10
    await asyncio.gather(send("reply", Lane.DIRECT), *bulk)
    # The turn one bulk send is already waiting for may go first, not the others'.
    assert order.index("reply") <= went + 1


async def test_no_more_than_the_window_can_reach_the_service_however_slow_the_calls() -> None:
    """At 200/s with a window of 5 per 0.2 s, each turn starts after the one 5 before ended.

    A call reaches the service between its turn's start and its end, so no 0.2 s holds
    more than 5 arrivals whatever the delays: here calls take 0 to 60 ms, 8 at a time.
    """
    window = Window(calls=5, seconds=0.2)
    pacer = Pacer(200.0, window=window)
    spans: list[tuple[float, float]] = []
    pool = asyncio.Semaphore(8)
    rng = random.Random(7)

    async def call() -> None:
        async with pool, pacer.turn(Lane.BULK) as turn:
            await asyncio.sleep(rng.uniform(0.0, 0.06))
        assert turn.end is not None
        spans.append((turn.start, turn.end))

    await asyncio.gather(*(call() for _ in range(30)))
    spans.sort()
    for earlier, later in zip(spans, spans[window.calls :], strict=False):
        assert later[0] >= earlier[1] + window.seconds


async def test_a_429_pauses_every_turn_and_steps_the_rate_down_once() -> None:
    """After throttled(0.3) nobody gets a turn for 0.3 s; a second 429 meanwhile adds no step."""
    pacer = Pacer(RATE)
    async with pacer.turn():
        pass
    pacer.throttled(0.3)
    paused_at = time.monotonic()
    pacer.throttled(0.3)  # another call already in flight was refused too
    async with pacer.turn():
        resumed_at = time.monotonic()
    assert resumed_at - paused_at >= 0.29
    assert pacer.rate == pytest.approx(RATE * DECREASE)
    assert pacer.report().throttles == 2


async def test_a_429_for_one_chat_steps_down_without_pausing(sleeps: Sleeps) -> None:
    """throttled(pause=False) lowers the rate but hands out the next turn on the grid."""
    pacer = Pacer(RATE)
    pacer.throttled(5.0, pause=False)
    turn = await asyncio.wait_for(pacer.slot(), timeout=30)  # a guard against a hang only
    pacer.done(turn)
    assert all(seconds <= 1 / RATE for _, seconds in sleeps.taken)  # not the 5 s of a pause
    assert pacer.rate == pytest.approx(RATE * DECREASE)


def test_the_rate_creeps_back_up_after_a_quiet_minute_and_stops_at_the_ceiling() -> None:
    """Stepped down at t=0, the rate is still down at 59 s, then rises a step every 10 s."""
    clock = Clock()
    pacer = Pacer(30.0, clock=clock)
    pacer.throttled(1.0)
    pacer.throttled(1.0)
    assert pacer.rate == pytest.approx(30.0 * DECREASE)
    clock.now += 59.0
    assert pacer.rate == pytest.approx(30.0 * DECREASE)
    clock.now += 1.0
    assert pacer.rate == pytest.approx(30.0 * (DECREASE + INCREASE))
    clock.now += CREEP_EVERY_S / 2
    assert pacer.rate == pytest.approx(30.0 * (DECREASE + INCREASE))
    clock.now += CREEP_EVERY_S / 2
    assert pacer.rate == pytest.approx(30.0 * (DECREASE + 2 * INCREASE))
    for _ in range(20):
        clock.now += CREEP_EVERY_S
        assert pacer.rate <= 30.0
    assert pacer.rate == 30.0


async def test_the_report_gives_the_rate_actually_held() -> None:
    """Turns taken at 20/s under a 50/s ceiling are reported as 20/s held, 50/s allowed."""
    clock = Clock()
    pacer = Pacer(RATE, clock=clock)
    for _ in range(41):
        async with pacer.turn(Lane.BULK):
            pass
        clock.now += 1 / 20
    clock.now -= 1 / 20
    report = pacer.report()
    assert report.held_per_s == pytest.approx(20.0)
    assert report.rate_per_s == RATE
    assert report.turns == 41
    assert "20.00/s" in str(report)
