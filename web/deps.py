"""What the web adapter is given by the composition root (it builds nothing itself)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from app.services import Services
from web.limits import Refusals, Stopping

# Takes one webhook payload: stores it before returning (then the 200 goes out), queues it;
# raises ValueError when the payload is no update of its channel (dropped, logged, 200: a
# platform sends again what is not answered 2xx, and this would never be read).
WebhookSink = Callable[[dict[str, Any]], Awaitable[None]]

MAX_BODY = 1024 * 1024  # a Telegram update is a few KB; anything past this is refused


@dataclass
class Webhook:
    """A channel's webhook: the header carrying its secret, the secret, where updates go."""

    header: str
    secret: str = field(repr=False)
    sink: WebhookSink


@dataclass
class WebDeps:
    """The running bot's services and what the web adapter needs beside them."""

    services: Services
    link_key: bytes = field(repr=False)
    secure_cookies: bool = False  # behind https: cookies are marked Secure
    webhooks: dict[str, Webhook] = field(default_factory=dict)  # by channel
    loop_lag: Callable[[], dict[str, Any]] | None = None  # the loop probe's figures
    wake_senders: Callable[[], None] | None = None  # send what was just queued, now
    miniapp_key: bytes | None = field(repr=False, default=None)  # checks Mini App initData
    max_body: int = MAX_BODY
    refusals: Refusals = field(default_factory=Refusals)  # wrong secrets, logged sparingly
    # Set when the server begins to stop (SIGTERM): a file being built for a download is
    # abandoned (`web.files.signed.download`), its person told to ask again; a body still
    # coming is given up (`web.limits.read_body`).
    stopping: Stopping = field(default_factory=Stopping)
