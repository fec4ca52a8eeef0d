"""FakeZalo: the fake Zalo Bot API on loopback, in its own thread and event loop."""

from __future__ import annotations

import asyncio
import base64
import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

import httpx
from aiohttp import web

from devtools.fakezalo.api import BotApi
from devtools.fakezalo.state import (
    FaultRule,
    JsonDict,
    Limits,
    LimitStats,
    Person,
    RateLimitMode,
    Sent,
    ZaloState,
)

# Obviously fake; shaped like a Zalo Bot token (<bot_id>:<secret>).
DEFAULT_TOKEN = "2718281828:fake-zalo-token-for-tests"
SECRET_HEADER = "X-Bot-Api-Secret-Token"
T = TypeVar("T")
# How long a test waits for what it expects before failing. Generous: a wait ends as soon
# as the thing arrives, and a loaded machine starts a worker process (a chart, an export)
# in seconds, not the fraction of one it takes when quiet.
WAIT_S = 20.0


class FakeZalo:
    """A fake Zalo Bot API for one bot token: act as people, read what the bot sent."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        rate_limits: RateLimitMode = "off",
        limits: Limits | None = None,
        longest_poll_s: float = 60.0,
    ) -> None:
        self.token, self.host, self._requested_port = token, host, port
        bot_id = token.partition(":")[0] or "1"
        self.state = ZaloState(bot_id=bot_id, bot_name="Đôn đốc (test)")
        self.state.limit_mode = rate_limits
        self.state.limits = limits or Limits()
        self.state.longest_poll_s = longest_poll_s  # an idle getUpdates ends after this
        self._port = 0
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closing: asyncio.Event | None = None

    @property
    def url(self) -> str:
        """Return the server's root URL: the value of ZALO_BASE_URL."""
        return f"http://{self.host}:{self._port}"

    def start(self) -> FakeZalo:
        """Start serving in a background thread; return once the port accepts calls."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self._requested_port))
        self._port = sock.getsockname()[1]
        ready = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(sock, ready), name="fakezalo", daemon=True
        )
        self._thread.start()
        ready.wait()
        return self

    def stop(self) -> None:
        """Stop serving and join the thread."""
        if self._thread is None or self._loop is None or self._closing is None:
            return
        self._loop.call_soon_threadsafe(self._closing.set)
        self._thread.join()
        self._thread = None

    def __enter__(self) -> FakeZalo:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    async def __aenter__(self) -> FakeZalo:
        return await asyncio.to_thread(self.start)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await asyncio.to_thread(self.stop)

    # --- acting as people -------------------------------------------------------------

    def add_user(self, user_id: str, name: str = "Người dùng", *, wrote: bool = False) -> str:
        """Make a Zalo user known (the bot may write to them once they wrote: `wrote`)."""
        with self.state.lock:
            person = self.state.people.setdefault(user_id, Person(user_id, name))
            person.display_name = name
            person.wrote = person.wrote or wrote
        return user_id

    def send_text(
        self, user_id: str, text: str, *, written_ms: int | None = None, group: str = ""
    ) -> str:
        """Have a person send text to the bot; return the event's message id.

        `written_ms`: when Zalo dates it (ms since the epoch), for a message written earlier
        than Zalo hands it over (a slow link); now by default. `group`: the id of a group
        chat the bot is in, where the person wrote it (chat_type GROUP), not their own."""
        fields = {"text": text}
        return self._event(user_id, "message.text.received", fields, written_ms, group)

    def send_photo(
        self,
        user_id: str,
        content: bytes,
        caption: str = "",
        *,
        written_ms: int | None = None,
        field: str = "photo_url",
    ) -> str:
        """Have a person send a photo; the bot finds it at the address in `field`, served
        here (`written_ms`: as `send_text`'s).

        `field`: "photo_url", with "message_type": "CHAT_PHOTO", as Zalo's webhook was seen
        to send a photo, or "photo", the one field Zalo's documentation names for it
        (https://bot.zaloplatforms.com/docs, Webhook: "photo | String | Image URL")."""
        with self.state.lock:
            key = self.state.next_id()
            self.state.photos[key] = (content, "image/jpeg")
        fields: JsonDict = {field: f"{self.url}/_photos/{key}.jpg", "caption": caption}
        if field == "photo_url":
            fields["message_type"] = "CHAT_PHOTO"
        return self._event(user_id, "message.image.received", fields, written_ms)

    def send_sticker(self, user_id: str, sticker: str = "sticker-1") -> str:
        """Have a person send a sticker."""
        return self._event(user_id, "message.sticker.received", {"sticker": sticker})

    def send_voice(self, user_id: str) -> str:
        """Have a person send a voice message: "message.voice.received" with the address of
        its .aac file in `voice_url` (and "message_type": "CHAT_VOICE", as Zalo's webhook was
        seen to send one), an event Zalo's documentation lists (https://bot.zaloplatforms.com/docs,
        Webhook: "voice_url | string | Audio file URL")."""
        with self.state.lock:
            key = self.state.next_id()
        fields = {"voice_url": f"{self.url}/_voice/{key}.aac", "message_type": "CHAT_VOICE"}
        return self._event(user_id, "message.voice.received", fields)

    def block(self, user_id: str) -> None:
        """Have a person block the bot: sends to them are refused with 403."""
        with self.state.lock:
            self.state.people[user_id].blocked = True

    def _event(
        self,
        user_id: str,
        name: str,
        fields: JsonDict,
        written_ms: int | None = None,
        group: str = "",
    ) -> str:
        """Queue one event from a person (who is then reachable: they wrote), in their
        private chat or in a `group`."""
        with self.state.lock:
            person = self.state.people.setdefault(user_id, Person(user_id, "Người dùng"))
            person.wrote, person.blocked = True, False
            if group:
                self.state.groups.add(group)
            message_id = self.state.next_id()
            event = {
                "event_name": name,
                "message": {
                    "message_id": message_id,
                    "date": int(time.time() * 1000) if written_ms is None else written_ms,
                    "chat": {"id": group or user_id, "chat_type": "GROUP" if group else "PRIVATE"},
                    "from": {"id": user_id, "display_name": person.display_name, "is_bot": False},
                    **fields,
                },
            }
            if self.state.webhook.url:
                self.state.delivered.append(event)
                self._post_webhook(event)
            else:
                self.state.events.append(event)
        return message_id

    def send_raw(self, event: JsonDict) -> None:
        """Hand the bot an event exactly as given: a kind or a shape Zalo may send that the
        helpers above do not make (one with no message, a protected account's)."""
        with self.state.lock:
            if self.state.webhook.url:
                self._post_webhook(event)
            else:
                self.state.events.append(event)

    def redeliver(self, message_id: str) -> None:
        """Queue an event already delivered once more (as Zalo may, after a timeout)."""
        with self.state.lock:
            for event in self.state.delivered:
                if event["message"]["message_id"] == message_id:
                    if self.state.webhook.url:  # posted again, as Zalo does after a timeout
                        self._post_webhook(event)
                    else:
                        self.state.events.append(event)
                    return
        raise KeyError(message_id)

    def _post_webhook(self, event: JsonDict) -> None:
        """Post an event to the webhook with the secret header (from the server's loop)."""
        loop = self._loop
        url, secret = self.state.webhook.url, self.state.webhook.secret_token
        if loop is not None:
            asyncio.run_coroutine_threadsafe(self._post(url, secret, event), loop)

    async def _post(self, url: str, secret: str, event: JsonDict) -> None:
        """POST the event; record the status (0: unreachable)."""
        try:
            async with httpx.AsyncClient(timeout=5.0) as client:
                answer = await client.post(url, json=event, headers={SECRET_HEADER: secret})
            status = answer.status_code
        except httpx.HTTPError:
            status = 0
        with self.state.lock:
            self.state.webhook_posts.append((status, event))

    # --- faults and limits -------------------------------------------------------------

    def add_fault(self, rule: FaultRule) -> None:
        """Answer matching calls with a fault (earlier rules win)."""
        with self.state.lock:
            self.state.faults.append(rule)

    def clear_faults(self) -> None:
        """Remove every fault."""
        with self.state.lock:
            self.state.faults.clear()

    def set_rate_limits(self, mode: RateLimitMode, limits: Limits | None = None) -> None:
        """Switch rate limits off, to observe (count) or to enforce (answer 429)."""
        with self.state.lock:
            self.state.limit_mode = mode
            if limits is not None:
                self.state.limits = limits

    def set_results_as_list(self, as_list: bool) -> None:
        """Answer getUpdates with a list of one event instead of the event itself."""
        with self.state.lock:
            self.state.results_as_list = as_list

    def hold_polls(self, seconds: float | None) -> None:
        """Hold every getUpdates `seconds` whatever its `timeout` asked (None: as asked)."""
        with self.state.lock:
            self.state.poll_held_s = seconds

    # --- observing ---------------------------------------------------------------------

    def messages(self, chat_id: str) -> list[Sent]:
        """Return what the bot sent to a chat, oldest first."""
        with self.state.lock:
            return [m for m in self.state.sent if m.chat_id == chat_id]

    def all_sent(self) -> list[Sent]:
        """Return everything the bot sent."""
        with self.state.lock:
            return list(self.state.sent)

    def calls(self, method: str | None = None) -> list[JsonDict]:
        """Return the parameters of the calls made (of one method)."""
        with self.state.lock:
            return [p for m, p in self.state.calls if method is None or m == method]

    def pending_events(self) -> int:
        """Return how many events wait for getUpdates."""
        with self.state.lock:
            return len(self.state.events)

    def polls_waiting(self) -> int:
        """Return how many getUpdates calls are open (a stopped bot's may still take one)."""
        with self.state.lock:
            return self.state.polls_waiting

    def poll_held_s(self) -> float:
        """Return how long the oldest open getUpdates has been held so far (0: none open)."""
        with self.state.lock:
            opened = min(self.state.polls_opened, default=None)
        return 0.0 if opened is None else time.monotonic() - opened

    def rate_limit_stats(self) -> LimitStats:
        """Return the send counts and the sends over a limit."""
        with self.state.lock:
            return replace(self.state.stats)

    def webhook_posts(self) -> list[tuple[int, JsonDict]]:
        """Return the events posted to the webhook with the status each got."""
        with self.state.lock:
            return list(self.state.webhook_posts)

    async def wait_until(self, condition: Callable[[], bool], timeout: float = WAIT_S) -> None:
        """Wait until the condition holds, or fail."""
        await self.wait_for(lambda: True if condition() else None, timeout)

    def wait_for_sync(self, condition: Callable[[], bool], timeout: float = WAIT_S) -> None:
        """Wait (blocking, for tests outside an event loop) until the condition holds."""
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError(f"the condition did not hold within {timeout} s")
            time.sleep(0.05)

    async def wait_for(self, probe: Callable[[], T | None], timeout: float = WAIT_S) -> T:
        """Wait until the probe returns something, and return it."""
        deadline = time.monotonic() + timeout
        while True:
            found = probe()
            if found is not None:
                return found
            if time.monotonic() > deadline:
                raise TimeoutError(f"nothing came within {timeout} s")
            await asyncio.sleep(0.01)

    async def wait_for_messages(
        self, chat_id: str, *, after: int, count: int = 1, timeout: float = WAIT_S
    ) -> list[Sent]:
        """Wait until the chat has `count` more messages than `after`; return the new ones."""

        def probe() -> list[Sent] | None:
            new = self.messages(chat_id)[after:]
            return new if len(new) >= count else None

        return await self.wait_for(probe, timeout)

    # --- the server --------------------------------------------------------------------

    def _run(self, sock: socket.socket, ready: threading.Event) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._serve(sock, ready))
        finally:
            ready.set()
            loop.close()
            sock.close()

    async def _serve(self, sock: socket.socket, ready: threading.Event) -> None:
        self._closing = asyncio.Event()
        api = BotApi(self.token, self.state, self._closing)
        app = web.Application(client_max_size=8 * 1024 * 1024)
        app.router.add_post("/bot{token}/{method}", api.handle)
        app.router.add_get("/_photos/{key}.jpg", self._photo)
        app.router.add_post("/_control/{action}", self._control)
        app.router.add_get("/_control/messages", self._control_messages)
        runner = web.AppRunner(app, handle_signals=False, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        try:
            await web.SockSite(runner, sock).start()
            ready.set()
            await self._closing.wait()
        finally:
            await runner.cleanup()

    async def _photo(self, request: web.Request) -> web.Response:
        with self.state.lock:
            found = self.state.photos.get(request.match_info["key"])
        if found is None:
            return web.Response(status=404)
        return web.Response(body=found[0], content_type=found[1])

    async def _control(self, request: web.Request) -> web.Response:
        """POST /_control/send_text|send_photo|send_sticker|block {"user_id": ..., ...}."""
        try:
            body: dict[str, Any] = json.loads(await request.read() or b"{}")
            user = str(body["user_id"])
            action = request.match_info["action"]
            if "name" in body:
                self.add_user(user, str(body["name"]))
            if action == "send_text":
                return web.json_response({"message_id": self.send_text(user, str(body["text"]))})
            if action == "send_photo":
                content = (
                    await asyncio.to_thread(Path(body["path"]).read_bytes)
                    if "path" in body
                    else base64.b64decode(body["content_base64"])
                )
                made = self.send_photo(user, content, str(body.get("caption", "")))
                return web.json_response({"message_id": made})
            if action == "send_sticker":
                return web.json_response({"message_id": self.send_sticker(user)})
            if action == "block":
                self.block(user)
                return web.json_response({"ok": True})
        except (KeyError, ValueError, OSError) as exc:
            return web.json_response({"error": str(exc)}, status=400)
        return web.json_response({"error": "unknown action"}, status=404)

    async def _control_messages(self, request: web.Request) -> web.Response:
        """GET /_control/messages?chat_id=...: what the bot sent there."""
        chat = request.query.get("chat_id", "")
        shown = [
            {"message_id": m.message_id, "method": m.method, "text": m.text, "photo": m.photo}
            for m in self.messages(chat)
        ]
        return web.json_response(shown, dumps=lambda v: json.dumps(v, ensure_ascii=False))
