"""The update threads: jobs queue for one thread, and spill to others only once they waited."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest

from scheduler import workers
from scheduler.spillpool import SpillPool

HELD_S = 10.0  # how long a held job would hold the thread if nothing let it go


@pytest.fixture
def pool() -> Iterator[SpillPool]:
    made = SpillPool(4, 0.02, "test-spill")
    yield made
    made.shutdown(wait=True, cancel_futures=True)


def thread_name() -> str:
    return threading.current_thread().name


Way = Callable[..., Awaitable[Any]]


@pytest.fixture(params=["run", "run_in_executor"])
def way(request: pytest.FixtureRequest, pool: SpillPool) -> Way:
    """How a coroutine hands the pool a job: its own `run` (the result straight to the loop,
    `in_update_worker`'s way) or the loop's `run_in_executor` (the `Executor` way)."""
    if request.param == "run":
        return pool.run
    return lambda fn, *args: asyncio.get_running_loop().run_in_executor(pool, fn, *args)


@pytest.mark.parametrize("via", ["run", "run_in_executor"])
async def test_quick_jobs_that_come_together_run_in_turn_on_one_thread(via: str) -> None:
    """Four lanes' database calls at once went to four threads, which woke one another for
    SQLite's write turn and took the GIL from the loop: about forty thread switches an
    update. Jobs that keep up now run one after the other on the first thread. (They may
    wait long here before spilling: a busy machine may hold the thread back for a while.)"""
    pool = SpillPool(4, HELD_S, "test-quick")
    loop = asyncio.get_running_loop()
    try:
        if via == "run":
            names = await asyncio.gather(*(pool.run(thread_name) for _ in range(200)))
        else:
            calls = (loop.run_in_executor(pool, thread_name) for _ in range(200))
            names = await asyncio.gather(*calls)
    finally:
        pool.shutdown(wait=True)
    assert set(names) == {"test-quick_0"}
    assert pool.spilled == 0


async def test_a_held_job_holds_up_the_others_only_until_they_spill(
    pool: SpillPool, way: Way
) -> None:
    """A job held on the first thread (a database locked by another process, a long read):
    the jobs behind it are taken by other threads once they waited, and run at once."""
    release = threading.Event()
    held = asyncio.ensure_future(way(release.wait, HELD_S))
    await asyncio.sleep(0.01)  # the first thread has it
    try:
        behind = await asyncio.wait_for(asyncio.gather(*(way(thread_name) for _ in range(3))), 5)
    finally:
        release.set()
    assert await held is True
    assert all(name.startswith("test-spill-spill_") for name in behind)
    assert pool.spilled == 3


def test_outside_an_event_loop_a_job_goes_to_the_first_free_thread(pool: SpillPool) -> None:
    """Nothing watches a wait without a loop: a job submitted from a thread is not left
    behind a held one."""
    release = threading.Event()
    held = pool.submit(release.wait, HELD_S)
    try:
        assert pool.submit(thread_name).result(timeout=5).startswith("test-spill-spill_")
    finally:
        release.set()
    assert held.result(timeout=5) is True


async def test_every_job_runs_once_whichever_thread_takes_it() -> None:
    """Jobs spill as soon as they are looked at here (no wait allowed): the first thread and
    the others race for each, and each runs exactly once, its result its own."""
    pool = SpillPool(4, 0.0, "test-race")
    runs: Counter[int] = Counter()
    lock = threading.Lock()

    def job(n: int) -> int:
        with lock:
            runs[n] += 1
        return n * n

    try:
        loop = asyncio.get_running_loop()
        results = await asyncio.gather(*(loop.run_in_executor(pool, job, n) for n in range(500)))
    finally:
        pool.shutdown(wait=True)
    assert results == [n * n for n in range(500)]
    assert runs == Counter(range(500))


async def test_a_jobs_error_reaches_its_caller_and_the_thread_goes_on(
    pool: SpillPool, way: Way
) -> None:
    def fails() -> None:
        raise LookupError("no such unit")

    with pytest.raises(LookupError, match="no such unit"):
        await way(fails)
    assert await way(thread_name) == "test-spill_0"


async def test_a_job_whose_wait_was_given_up_before_it_began_is_not_run(pool: SpillPool) -> None:
    """The update that waited was cancelled (the bot stopping): its database work, still
    queued behind a held job, is not done."""
    release, ran = threading.Event(), threading.Event()
    held = pool.run(release.wait, HELD_S)
    await asyncio.sleep(0.01)
    behind = pool.run(ran.set)
    behind.cancel()
    release.set()
    assert await held is True
    assert await pool.run(thread_name) == "test-spill_0"  # after the cancelled one's turn
    assert not ran.is_set()


async def test_shutting_down_cancels_the_jobs_still_waiting_if_asked(pool: SpillPool) -> None:
    release = threading.Event()
    held = pool.submit(release.wait, HELD_S)
    await asyncio.sleep(0.01)
    waiting = pool.submit(thread_name)
    threading.Timer(0.05, release.set).start()  # the loop waits in `shutdown` meanwhile
    pool.shutdown(wait=True, cancel_futures=True)
    assert held.result() is True
    assert waiting.cancelled()


def test_a_pool_without_a_thread_to_spill_to_is_refused() -> None:
    with pytest.raises(ValueError, match="spill"):
        SpillPool(1, 0.02, "test-one")


async def test_the_bots_update_work_runs_in_a_spill_pool() -> None:
    """`in_update_worker`, the inbox's and the check-ins' way off the loop, uses it."""
    assert (await workers.in_update_worker(thread_name)).startswith("dondoc-update_")
    assert isinstance(workers._updates, SpillPool)


def test_a_look_left_undone_by_an_ended_loop_does_not_keep_the_next_loops_jobs_waiting(
    pool: SpillPool,
) -> None:
    """A loop that ends with a look due (a test's, a restarted application's) never runs it;
    the next loop's jobs still spill."""
    release = threading.Event()

    async def held_then_one_behind(timeout: float) -> str:
        loop = asyncio.get_running_loop()
        loop.run_in_executor(pool, release.wait, HELD_S)
        await asyncio.sleep(0.01)
        return await asyncio.wait_for(loop.run_in_executor(pool, thread_name), timeout)

    try:
        with pytest.raises(TimeoutError):
            asyncio.run(held_then_one_behind(0.0))  # ends before its look is due
        assert asyncio.run(held_then_one_behind(5)).startswith("test-spill-spill_")
    finally:
        release.set()
