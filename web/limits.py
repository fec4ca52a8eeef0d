"""Reading a request's body without letting a client make us hold more than a limit."""

from __future__ import annotations

import time
from collections.abc import Callable

from starlette.requests import Request

REFUSALS_LOGGED_EVERY_S = 60.0


class BodyTooLargeError(Exception):
    """The body is past the limit (answered 413); `size`: its declared size, or what came."""

    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


async def read_body(request: Request, limit: int) -> bytes:
    """Return the body, or raise BodyTooLargeError as soon as it passes `limit` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise BodyTooLargeError(int(declared))
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLargeError(size)
        chunks.append(chunk)
    return b"".join(chunks)


class Refusals:
    """Refused webhook calls, told in the log at most once every `every_s` per channel.

    Anyone can call a webhook with a wrong secret: a line per call would let them fill the
    log. The first refusal is logged at once; those after it within `every_s` are counted,
    and the next line says how many there were.
    """

    def __init__(
        self, every_s: float = REFUSALS_LOGGED_EVERY_S, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.every_s, self.clock = every_s, clock
        self._logged_at: dict[str, float] = {}
        self._unlogged: dict[str, int] = {}

    def refused(self, channel: str) -> int:
        """Count a refusal; return how many to log now (this one and those held back), or 0."""
        now = self.clock()
        count = self._unlogged.get(channel, 0) + 1
        if now - self._logged_at.get(channel, float("-inf")) < self.every_s:
            self._unlogged[channel] = count
            return 0
        self._logged_at[channel] = now
        self._unlogged[channel] = 0
        return count
