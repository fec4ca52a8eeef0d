"""A thread pool of the scheduler's own for blocking database work.

`asyncio.to_thread` uses the event loop's default executor, which the network stack also
needs (httpx resolves addresses there when it opens a connection). A fan-out keeps many
database calls in flight; on the default pool they would make the bot's own getUpdates
wait, and people's taps with it. So delivery work runs here instead.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, TypeVar

T = TypeVar("T")
WORKERS = 4
HEAVY_WORKERS = 2

_pool: ThreadPoolExecutor | None = None
_heavy: ThreadPoolExecutor | None = None


def _executor() -> ThreadPoolExecutor:
    """Return the pool, creating it on first use (nothing runs at import time)."""
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="dondoc-db")
    return _pool


async def in_worker(function: Callable[..., T], *args: Any) -> T:
    """Run a blocking function in the scheduler's pool and await its result."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_executor(), partial(function, *args))


async def in_heavy_worker(function: Callable[..., T], *args: Any) -> T:
    """Run a long blocking job (an export, an import, a nudge) off the event loop.

    Its own small pool, so that a workbook built for a minute neither holds up the
    sender's database calls nor the network stack's (the default executor).
    """
    global _heavy
    if _heavy is None:
        _heavy = ThreadPoolExecutor(max_workers=HEAVY_WORKERS, thread_name_prefix="dondoc-heavy")
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_heavy, partial(function, *args))
