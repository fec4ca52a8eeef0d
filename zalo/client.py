"""ZaloClient: `POST {base_url}/bot<token>/<method>`, JSON in and out, retried on 5xx
and 429.

The token is in every URL, so no URL leaves this module: errors carry Zalo's code and
description only (the token taken out of it, should Zalo quote the URL), and httpx's own
request log is silenced below WARNING. An answer of any shape is a result or a ZaloError
with a code: an error code that is no number is read by the HTTP status, a body that is no
JSON is a server's fault (502), an odd result of a send leaves its fields empty.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

import httpx

from zalo.types import (
    IDLE,
    NETWORK,
    TOO_LARGE,
    BotInfo,
    Event,
    SentMessage,
    ZaloError,
    parse_events,
)

# httpx logs each request's URL (with the token) at INFO.
logging.getLogger("httpx").setLevel(logging.WARNING)
logging.getLogger("httpcore").setLevel(logging.WARNING)

BACKOFF_S = (0.5, 1.0, 2.0)
TIMEOUT_S = 10.0
# A long poll's read wait: the longer of its `timeout` and Zalo's default hold, plus a
# margin. Zalo's docs type `timeout` as a string (sent so) with a default of 30 s: a Zalo
# that held a poll its 30 s, whatever was asked, found the connection dropped at the asked
# timeout plus the margin (20 s) and an event it handed that poll was lost (Zalo has no
# offset nor acknowledgement to hand it again).
ZALO_POLL_DEFAULT_S = 30
POLL_GRACE_S = 10.0
RATE_LIMITED = 429  # Zalo says no retry_after: waited out with the backoff


class ZaloClient:
    """One bot's client. Close it with `aclose()` (or `async with`)."""

    def __init__(
        self,
        token: str,
        base_url: str,
        *,
        timeout: float = TIMEOUT_S,
        backoff: Sequence[float] = BACKOFF_S,
        max_connections: int = 16,
        poll_grace_s: float = POLL_GRACE_S,
    ) -> None:
        self._token = token
        self._poll_grace_s = poll_grace_s
        self._root = base_url.rstrip("/")
        self._backoff = tuple(backoff)
        limits = httpx.Limits(max_connections=max_connections)
        self._http = httpx.AsyncClient(timeout=timeout, limits=limits)

    def __repr__(self) -> str:
        return f"ZaloClient({self._root!r})"  # never the token

    async def __aenter__(self) -> ZaloClient:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connections."""
        await self._http.aclose()

    async def get_me(self) -> BotInfo:
        """Return the bot's account (checks the token)."""
        me = _object(await self.call("getMe"))
        return BotInfo(
            str(me.get("id", "")),
            str(me.get("account_name", "")),
            str(me.get("account_type", "")),
            bool(me.get("can_join_groups", False)),
        )

    async def get_updates(self, timeout: int = ZALO_POLL_DEFAULT_S) -> list[Event]:
        """Ask Zalo to hold the poll up to `timeout` seconds for the next event; [] when none
        came (408). The answer is waited for as long as Zalo may hold it (`poll_wait`)."""
        try:
            body = await self.call(
                "getUpdates",
                {"timeout": str(timeout)},
                http_timeout=poll_wait(timeout, self._poll_grace_s),
                retry=False,
            )
        except ZaloError as exc:
            if exc.code == IDLE:
                return []
            raise
        return parse_events(body)

    async def set_webhook(self, url: str, secret_token: str) -> None:
        """Have Zalo post events to `url` with the secret header (getUpdates stops)."""
        await self.call("setWebhook", {"url": url, "secret_token": secret_token})

    async def delete_webhook(self) -> None:
        """Remove the webhook, so that getUpdates works."""
        await self.call("deleteWebhook")

    async def get_webhook_info(self) -> str:
        """Return the webhook's URL (empty: none)."""
        info = _object(await self.call("getWebhookInfo"))
        return str(info.get("url", ""))

    async def send_message(self, chat_id: str, text: str, *, retry: bool = True) -> SentMessage:
        """Send a text of 1-2000 characters."""
        sent = await self.call("sendMessage", {"chat_id": chat_id, "text": text}, retry=retry)
        return _sent(sent)

    async def send_photo(self, chat_id: str, photo_url: str, caption: str = "") -> SentMessage:
        """Send a photo Zalo fetches from `photo_url`, with a caption of up to 2000."""
        params = {"chat_id": chat_id, "photo": photo_url, "caption": caption}
        sent = await self.call("sendPhoto", params)
        return _sent(sent)

    async def send_chat_action(self, chat_id: str, action: str = "typing") -> None:
        """Show the person that the bot is typing."""
        await self.call("sendChatAction", {"chat_id": chat_id, "action": action})

    async def download(self, url: str, *, max_bytes: int) -> bytes:
        """Fetch a file a person sent (a photo_url); refuse one larger than max_bytes."""
        try:
            async with self._http.stream("GET", url) as response:
                if response.status_code != 200:
                    raise ZaloError(response.status_code, "the file could not be fetched")
                content = bytearray()
                async for chunk in response.aiter_bytes():
                    content += chunk
                    if len(content) > max_bytes:
                        raise ZaloError(TOO_LARGE, "the file is too large")
                return bytes(content)
        except (httpx.HTTPError, httpx.InvalidURL) as exc:  # a URL httpx cannot even parse
            raise ZaloError(NETWORK, type(exc).__name__) from None

    async def call(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        *,
        http_timeout: float | None = None,
        retry: bool = True,
    ) -> Any:
        """Call a method; retry 5xx, 429 and network errors with backoff; raise ZaloError."""
        waits = self._backoff if retry else ()
        for attempt in range(len(waits) + 1):
            try:
                return await self._once(method, params or {}, http_timeout)
            except ZaloError as exc:
                again = exc.code in (NETWORK, RATE_LIMITED) or exc.code >= 500
                if attempt >= len(waits) or not again:
                    raise
            await asyncio.sleep(waits[attempt])
        raise AssertionError("unreachable")  # pragma: no cover

    async def _once(self, method: str, params: dict[str, Any], http_timeout: float | None) -> Any:
        """Make one call and read Zalo's answer (ok:false may come on HTTP 200)."""
        url = f"{self._root}/bot{self._token}/{method}"
        timeout = httpx.USE_CLIENT_DEFAULT if http_timeout is None else http_timeout
        try:
            response = await self._http.post(url, json=params, timeout=timeout)
        except httpx.HTTPError as exc:  # its text may hold the URL: keep only its kind
            raise ZaloError(NETWORK, type(exc).__name__) from None
        try:
            body = response.json()
        except ValueError:
            body = None
        status = response.status_code
        if not isinstance(body, dict):  # a proxy's page, a cut answer: a server's fault
            raise ZaloError(status if status >= 400 else 502, "")
        if body.get("ok") is not True:
            code = _whole(body.get("error_code"))
            code = code if code is not None else status if status >= 400 else 500
            description = str(body.get("description") or "")[:500]
            raise ZaloError(code, description.replace(self._token, "<token>"))
        return body.get("result", {})


def _sent(result: Any) -> SentMessage:
    """Read a send's answer; an odd or missing field is left empty (the send went)."""
    result = _object(result)
    message_id = result.get("message_id")
    kept = str(message_id) if isinstance(message_id, (str, int)) else ""
    return SentMessage(kept[:100], _whole(result.get("date")) or 0)


def _whole(value: Any) -> int | None:
    """Return a whole number given as a number or its digits (an error code, a date), else
    None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = value.strip() if isinstance(value, str) else ""
    digits = text.removeprefix("-")
    return int(text) if digits.isascii() and digits.isdigit() and len(digits) <= 18 else None


def poll_wait(timeout: float, grace: float = POLL_GRACE_S) -> float:
    """Return how long to wait for a getUpdates asked to hold `timeout` seconds: as long as
    Zalo may hold it, the asked time or its own default, whichever is longer, plus a margin
    (`grace`: shorter in tests)."""
    return max(timeout, ZALO_POLL_DEFAULT_S) + grace


def _object(value: Any) -> dict[str, Any]:
    """Return a result that is a JSON object, or an empty one for anything else."""
    return value if isinstance(value, dict) else {}
