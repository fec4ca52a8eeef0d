"""The Bot API's methods: POST /bot<TOKEN>/<method> with a JSON body, answers as Zalo does."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from aiohttp import web

from devtools.fakezalo.state import TEXT_LIMIT, FaultRule, JsonDict, Sent, ZaloState

IDLE = {"ok": False, "error_code": 408, "description": "Request timeout"}
POLL_TICK_S = 0.02


def error(code: int, description: str, *, status: int = 200) -> web.Response:
    """Return Zalo's error shape (often on HTTP 200)."""
    body = {"ok": False, "error_code": code, "description": description}
    return web.json_response(body, status=status, dumps=_dumps)


def ok(result: Any) -> web.Response:
    """Return a successful answer."""
    return web.json_response({"ok": True, "result": result}, dumps=_dumps)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


class BotApi:
    """The methods of one bot token."""

    def __init__(self, token: str, state: ZaloState, closing: asyncio.Event) -> None:
        self.token, self.state, self.closing = token, state, closing
        self.methods: dict[str, Callable[[JsonDict], Awaitable[web.Response]]] = {
            "getMe": self.get_me,
            "getUpdates": self.get_updates,
            "setWebhook": self.set_webhook,
            "deleteWebhook": self.delete_webhook,
            "getWebhookInfo": self.get_webhook_info,
            "sendMessage": self.send_message,
            "sendPhoto": self.send_photo,
            "sendSticker": self.send_sticker,
            "sendChatAction": self.send_chat_action,
        }

    async def handle(self, request: web.Request) -> web.Response:
        """Check the token, read the body, apply faults, run the method."""
        if request.match_info["token"] != self.token:
            return error(401, "Unauthorized", status=401)
        method = request.match_info["method"]
        try:
            raw = await request.read()
            params = json.loads(raw) if raw else {}
        except (json.JSONDecodeError, UnicodeDecodeError):
            return error(400, "Bad Request: body is not JSON")
        if not isinstance(params, dict):
            return error(400, "Bad Request: body is not a JSON object")
        run = self.methods.get(method)
        if run is None:
            return error(404, "Not Found: method")
        with self.state.lock:
            self.state.calls.append((method, params))
            fault = self.state.fault_for(method, params)
        if fault is not None:
            return await self._faulty(fault, run, params)
        return await run(params)

    async def _faulty(
        self,
        fault: FaultRule,
        run: Callable[[JsonDict], Awaitable[web.Response]],
        params: JsonDict,
    ) -> web.Response:
        """Answer a call as its fault says."""
        if fault.kind == "server_error":
            return error(fault.status, fault.description, status=fault.status)
        if fault.kind == "ok_false":
            return error(fault.code, fault.description)
        if fault.kind == "raw":
            if fault.apply:
                await run(params)
            return web.Response(
                text=fault.body, status=fault.status, content_type="application/json"
            )
        if fault.kind == "timeout" and fault.apply:
            await run(params)
        if fault.kind in ("timeout", "delay"):
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.closing.wait(), fault.seconds)
        if fault.kind == "timeout":
            return error(504, "Gateway Timeout", status=504)
        return await run(params)

    async def get_me(self, _params: JsonDict) -> web.Response:
        """Return the bot's account."""
        return ok(
            {
                "id": self.state.bot_id,
                "account_name": self.state.bot_name,
                "account_type": "BASIC",
                "can_join_groups": False,
            }
        )

    async def get_updates(self, params: JsonDict) -> web.Response:
        """Return the next event, waiting up to `timeout` seconds; 408 on HTTP 200 if none."""
        with self.state.lock:
            if self.state.webhook.url:
                return error(409, "Conflict: getUpdates is not available while a webhook is set")
        timeout = _number(params.get("timeout"), 30.0)
        held = self.state.poll_held_s
        held = max(0.0, min(timeout, self.state.longest_poll_s)) if held is None else held
        opened = time.monotonic()
        deadline = opened + held
        with self.state.lock:
            self.state.polls_waiting += 1
            self.state.polls_opened.append(opened)
        try:
            while True:
                with self.state.lock:
                    if self.state.events:
                        event = self.state.events.popleft()
                        self.state.delivered.append(event)
                        return ok([event] if self.state.results_as_list else event)
                if time.monotonic() >= deadline or self.closing.is_set():
                    return web.json_response(IDLE)
                await asyncio.sleep(POLL_TICK_S)
        finally:
            with self.state.lock:
                self.state.polls_waiting -= 1
                self.state.polls_opened.remove(opened)

    async def set_webhook(self, params: JsonDict) -> web.Response:
        """Set the webhook: an https URL and a secret of 8-256 characters."""
        url, secret = str(params.get("url", "")), str(params.get("secret_token", ""))
        if not url.startswith("https://") and not url.startswith("http://127.0.0.1"):
            return error(400, "Bad Request: url must be https")
        if not 8 <= len(secret) <= 256:
            return error(400, "Bad Request: secret_token must have 8-256 characters")
        with self.state.lock:
            self.state.webhook.url, self.state.webhook.secret_token = url, secret
        return ok({"url": url, "updated_at": int(time.time() * 1000)})

    async def delete_webhook(self, _params: JsonDict) -> web.Response:
        """Remove the webhook (getUpdates works again)."""
        with self.state.lock:
            url = self.state.webhook.url
            self.state.webhook.url = self.state.webhook.secret_token = ""
        return ok({"url": url, "updated_at": int(time.time() * 1000)})

    async def get_webhook_info(self, _params: JsonDict) -> web.Response:
        """Return the webhook's URL (empty when none)."""
        with self.state.lock:
            return ok({"url": self.state.webhook.url, "updated_at": 0})

    async def send_message(self, params: JsonDict) -> web.Response:
        """Send a text of 1-2000 characters to a person who wrote to the bot."""
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            return error(400, "Bad Request: text is empty")
        if _units(text) > TEXT_LIMIT:
            return error(400, f"Bad Request: text is longer than {TEXT_LIMIT} characters")
        return self._deliver(params, text, "sendMessage")

    async def send_photo(self, params: JsonDict) -> web.Response:
        """Send a photo by URL (fetched here: an unfetchable URL is refused)."""
        caption = str(params.get("caption") or "")
        if _units(caption) > TEXT_LIMIT:
            return error(400, f"Bad Request: caption is longer than {TEXT_LIMIT} characters")
        photo = str(params.get("photo") or "")
        refused = self._reachable(str(params.get("chat_id", "")))
        if refused is not None:
            return refused
        if not await _fetchable(photo):
            return error(400, "Bad Request: photo url cannot be fetched")
        return self._deliver(params, caption, "sendPhoto", photo=photo)

    async def send_sticker(self, params: JsonDict) -> web.Response:
        """Send a sticker by id."""
        return self._deliver(params, "", "sendSticker", photo=str(params.get("sticker") or ""))

    async def send_chat_action(self, params: JsonDict) -> web.Response:
        """Show "typing" (only that action exists)."""
        if params.get("action") != "typing":
            return error(400, "Bad Request: action")
        refused = self._reachable(str(params.get("chat_id", "")))
        return refused or ok(True)

    def _reachable(self, chat_id: str) -> web.Response | None:
        """Return the refusal of a chat the bot may not write to, if it is one."""
        with self.state.lock:
            if chat_id in self.state.groups:  # a group the bot is in takes its messages
                return None
            person = self.state.people.get(chat_id)
            if person is None:
                return error(404, "Not Found: chat not found")
            if not person.wrote or person.blocked:
                return error(403, "Forbidden: the user has not interacted with the bot")
        return None

    def _deliver(
        self, params: JsonDict, text: str, method: str, photo: str | None = None
    ) -> web.Response:
        """Check the chat and the rate limits, then record the message."""
        chat_id = str(params.get("chat_id", ""))
        refused = self._reachable(chat_id)
        if refused is not None:
            return refused
        now = time.monotonic()
        with self.state.lock:
            if self.state.over_limit(chat_id, now):
                return error(429, "Too Many Requests")
            message_id = self.state.next_id()
            self.state.sent.append(Sent(message_id, chat_id, text, method, photo, now))
        return ok({"message_id": message_id, "date": int(time.time() * 1000)})


def _number(value: object, default: float) -> float:
    """Return a number parameter (given as number or text), else the default."""
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return default


async def _fetchable(url: str) -> bool:
    """Tell whether a photo URL answers 200 (as Zalo fetches it before sending)."""
    if not url.startswith(("http://", "https://")):
        return False
    try:
        async with httpx.AsyncClient(timeout=5.0) as client:
            response = await client.get(url)
    except httpx.HTTPError:
        return False
    return response.status_code == 200


def _units(text: str) -> int:
    """Return a text's length as Zalo is taken to count it: UTF-16 code units, as its
    JavaScript and Java clients do (its documentation says "2000 ký tự", no more); an emoji
    outside the Basic Multilingual Plane is two."""
    return len(text.encode("utf-16-le")) // 2
