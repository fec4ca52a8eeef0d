"""A channel out of reach holds its queue: the channel is down, not the message.

Where Telegram is blocked, or the network is down for an hour, each queued message used to
be tried five times, put off five minutes, and failed after eight tries (some 37 minutes),
each try logging that it "may arrive twice" though the connection was refused and nothing
was sent. A call that never reached the channel (connection refused, a name that does not
resolve, a connect timeout, a proxy that would not connect) spends none of a message's
tries: the message goes back to the queue as it was, the sender stops its drain, and one
line says the channel is out of reach; each next drain (within a second) tries one message,
the others waiting for its answer, and one line says when the channel answers. Only a
call that may have reached the channel (a read timeout after the request went, a
connection cut mid-answer) counts as a try and is said to maybe arrive twice.
"""

from __future__ import annotations

import logging
import socket

import aiohttp
import httpx

from app.services import Services

log = logging.getLogger(__name__)

# What a call that never left raises, somewhere in its chain of causes.
NEVER_SENT: tuple[type[BaseException], ...] = (
    aiohttp.ClientConnectorError,  # refused, DNS, unreachable, a proxy's CONNECT refused
    aiohttp.ConnectionTimeoutError,  # no connection within the connect timeout
    httpx.ConnectError,
    httpx.ConnectTimeout,
    ConnectionRefusedError,
    socket.gaierror,
)


def never_sent(exc: BaseException) -> bool:
    """Tell whether an error says the request never reached the channel (no connection)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, NEVER_SENT):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


def held(services: Services, channel: str, name: str, error: object) -> None:
    """Mark `channel` out of reach; say so once, when it goes down."""
    if channel not in services.unreached:
        log.warning(
            "%s is out of reach (%s): its queued messages wait, none spent or failed, and go"
            " out once it answers",
            name,
            error,
        )
    services.unreached[channel] = str(error)


def answered(services: Services, channel: str, name: str) -> None:
    """Mark `channel` reached again; say so once, when it was out of reach."""
    if services.unreached.pop(channel, None) is not None:
        log.warning("%s answers again: the messages held go out", name)
