"""What the rate limiter and its pacer chose to wait, noted by test: whether a send was held is
told by the sleeps the code asked for, not by how long a loaded machine took."""

from __future__ import annotations

import asyncio
from typing import Any


class Sleeps:
    """`asyncio` as the limiter's modules see it, noting each sleep they take and by which
    task: whether a send was held is told by what the limiter chose to wait, not by how long
    the machine took."""

    def __init__(self) -> None:
        self.taken: list[tuple[asyncio.Task[Any] | None, float]] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(asyncio, name)

    async def sleep(self, seconds: float) -> None:
        """Note the sleep, then take it."""
        self.taken.append((asyncio.current_task(), seconds))
        await asyncio.sleep(seconds)

    def of(self, task: asyncio.Task[Any]) -> list[float]:
        """Return the sleeps `task` took."""
        return [seconds for by, seconds in self.taken if by is task]

    def since(self, mark: int) -> list[float]:
        """Return the sleeps taken after the first `mark` ones."""
        return [seconds for _, seconds in self.taken[mark:]]
