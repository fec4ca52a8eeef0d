"""Reading a request's body without letting a client make us hold more than a limit, or
hold the server's stop for as long as it likes."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable

from starlette.requests import Request

REFUSALS_LOGGED_EVERY_S = 60.0


class BodyTooLargeError(Exception):
    """The body is past the limit (answered 413); `size`: its declared size, or what came."""

    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


class StoppingError(Exception):
    """The server began to stop while the body was still coming (answered 503, ask again)."""


async def read_body(request: Request, limit: int) -> bytes:
    """Return the body, or raise BodyTooLargeError as soon as it passes `limit` bytes, or
    StoppingError once the server begins to stop (`WebDeps.stopping`) before it all came.

    uvicorn waits at its stop for every request under way, and the bot's own stop after
    them: a client sending half a body and no more (anyone, to a sign-in post) held it
    until systemd killed the service.
    """
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise BodyTooLargeError(int(declared))
    stopping: asyncio.Event = request.app.state.deps.stopping
    chunks: list[bytes] = []
    size = 0
    stream = request.stream()
    try:
        while (chunk := await _next_unless(stream, stopping)) is not None:
            size += len(chunk)
            if size > limit:
                raise BodyTooLargeError(size)
            chunks.append(chunk)
    finally:
        await stream.aclose()
    return b"".join(chunks)


async def _next_unless(stream: AsyncIterator[bytes], stopping: asyncio.Event) -> bytes | None:
    """Return the stream's next chunk (None at its end), or raise StoppingError if the
    server begins to stop first."""
    if stopping.is_set():
        raise StoppingError
    coming = asyncio.ensure_future(anext(stream))
    stopped = asyncio.ensure_future(stopping.wait())
    try:
        await asyncio.wait((coming, stopped), return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopped.cancel()
        if not coming.done():  # ended, not merely asked to end: the stream may be closed
            coming.cancel()
            await asyncio.wait((coming,))
    if coming.cancelled():
        raise StoppingError
    try:
        return coming.result()
    except StopAsyncIteration:
        return None


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
