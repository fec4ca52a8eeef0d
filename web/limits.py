"""Reading a request's body without letting a client make us hold more than a limit."""

from __future__ import annotations

from starlette.requests import Request


class BodyTooLargeError(Exception):
    """The body is past the limit (answered 413)."""


async def read_body(request: Request, limit: int) -> bytes:
    """Return the body, or raise BodyTooLargeError as soon as it passes `limit` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLargeError
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLargeError
        chunks.append(chunk)
    return b"".join(chunks)
