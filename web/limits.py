"""Reading a request's body without letting a client make us hold more than a limit, or
hold the server's stop for as long as it likes."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from starlette.requests import Request

REFUSALS_LOGGED_EVERY_S = 60.0


class BodyTooLargeError(Exception):
    """The body is past the limit (answered 413); `size`: its declared size, or what came."""

    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


class StoppingError(Exception):
    """The server began to stop while the body was still coming (answered 503, ask again)."""


class Stopping(asyncio.Event):
    """Set when the server begins to stop (`WebDeps.stopping`); setting it also ends the
    body reads under way (`read_body`), each then raising StoppingError.

    uvicorn waits at its stop for every request under way, and the bot's own stop after
    them: a client sending half a body and no more (anyone, to a sign-in post) held it
    until systemd killed the service. A read is ended by cancelling its task, which waits
    nowhere else while it is listed: racing each chunk against the stop cost two tasks a
    chunk, forty times the read of a webhook's body.
    """

    def __init__(self) -> None:
        super().__init__()
        self.readers: set[asyncio.Task[object]] = set()

    def set(self) -> None:
        """Say that the server stops, and end the body reads under way."""
        super().set()
        for task in self.readers:
            task.cancel()


async def read_body(request: Request, limit: int) -> bytes:
    """Return the body, or raise BodyTooLargeError as soon as it passes `limit` bytes, or
    StoppingError when the server begins to stop before it all came (`Stopping`)."""
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise BodyTooLargeError(int(declared))
    stopping: Stopping = request.app.state.deps.stopping
    if stopping.is_set():
        raise StoppingError
    reader = asyncio.current_task()
    assert reader is not None  # a request is served by a task of its own
    chunks: list[bytes] = []
    size = 0
    stopping.readers.add(reader)
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise BodyTooLargeError(size)
            chunks.append(chunk)
    except asyncio.CancelledError:
        if not stopping.is_set():
            raise  # the request itself was cancelled, not ended by the stop
        reader.uncancel()
        raise StoppingError from None
    finally:
        stopping.readers.discard(reader)
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
