"""FakeBotApi: the fake Bot API server on loopback, in its own thread and event loop."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from types import TracebackType

from aiohttp import web

from devtools.fakebotapi.app import BotApiApp
from devtools.fakebotapi.control import ControlRoutes
from devtools.fakebotapi.faults import Fault, FaultFunction, FaultPlan, FaultRule
from devtools.fakebotapi.limits import RateLimiter, RateLimitMode, RateLimits
from devtools.fakebotapi.observe import Observations
from devtools.fakebotapi.polling import Poller
from devtools.fakebotapi.records import JsonDict
from devtools.fakebotapi.state import BotState
from devtools.fakebotapi.webhook import Delivery, WebhookPusher
from devtools.fakebotapi.world import UserActions

# Obviously fake; shaped like a real token (<bot id>:<secret>) so PTB accepts it.
DEFAULT_TOKEN = "123456:fake-token-for-tests"
_SHUTDOWN_GRACE = 1.0


class FakeBotApi(UserActions, Observations):
    """A fake Telegram Bot API for one bot token, for tests, benchmarks and local trials.

    Point an unmodified PTB bot at `base_url` and `base_file_url`, act as users with the
    UserActions methods, read what the bot did with the Observations methods.
    """

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        bot_username: str = "dondoc_test_bot",
        bot_first_name: str = "Đôn đốc (test)",
        rate_limits: RateLimitMode = "off",
        seed: int = 0,
        first_update_id: int | None = None,
    ) -> None:
        self.token = token
        self.host = host
        self.state = BotState(_bot_user(token, bot_username, bot_first_name), first_update_id)
        self.faults = FaultPlan(seed)
        self.limiter = RateLimiter(rate_limits)
        self._requested_port = port
        self._port = 0
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closing: asyncio.Event | None = None
        self._startup_error: BaseException | None = None
        self._pusher: WebhookPusher | None = None

    @property
    def port(self) -> int:
        """Return the port the server listens on (known once started)."""
        return self._port

    @property
    def url(self) -> str:
        """Return the server's root URL."""
        return f"http://{self.host}:{self._port}"

    @property
    def base_url(self) -> str:
        """Return the value for ApplicationBuilder.base_url()."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """Return the value for ApplicationBuilder.base_file_url()."""
        return f"{self.url}/file/bot"

    def start(self) -> FakeBotApi:
        """Start serving in a background thread and return once the port accepts calls."""
        if self._thread is not None:
            raise RuntimeError("the fake Bot API server is already running")
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self._requested_port))
        self._port = sock.getsockname()[1]
        ready = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(sock, ready), name="fakebotapi", daemon=True
        )
        self._thread.start()
        ready.wait()
        if self._startup_error is not None:
            self._thread.join()
            self._thread = None
            raise RuntimeError("the fake Bot API server failed to start") from self._startup_error
        return self

    def stop(self) -> None:
        """Stop serving: end waiting polls and delays, close connections, join the thread."""
        thread, loop, closing = self._thread, self._loop, self._closing
        if thread is None or loop is None or closing is None:
            return
        if thread.is_alive():
            loop.call_soon_threadsafe(closing.set)
        thread.join()
        self._thread = None
        self.state.on_update = lambda: None

    def __enter__(self) -> FakeBotApi:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    async def __aenter__(self) -> FakeBotApi:
        return await asyncio.to_thread(self.start)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await asyncio.to_thread(self.stop)

    def add_fault(self, fault: Fault | FaultRule) -> None:
        """Inject a fault: a bare Fault applies to every call, a FaultRule to matching ones."""
        self.faults.add(fault if isinstance(fault, FaultRule) else FaultRule(fault))

    def set_fault_function(self, function: FaultFunction | None) -> None:
        """Decide faults with `function(method, params)` (consulted before the rules)."""
        self.faults.set_function(function)

    def clear_faults(self, seed: int | None = None) -> None:
        """Remove every injected fault, optionally reseeding the fault RNG."""
        self.faults.clear(seed)

    def set_rate_limits(self, mode: RateLimitMode, limits: RateLimits | None = None) -> None:
        """Switch rate limiting off, to observe (count only) or to enforce (answer 429)."""
        self.limiter.configure(mode, limits)

    def webhook_deliveries(self) -> list[Delivery]:
        """Return every webhook request made so far (update id and answer status)."""
        return list(self._pusher.deliveries) if self._pusher is not None else []

    def drop_pending_updates(self) -> None:
        """Confirm every pending update, as if the bot had received them."""
        with self.state.lock:
            self.state.updates.drop_all(time.monotonic())

    def _run(self, sock: socket.socket, ready: threading.Event) -> None:
        """Run the server's own event loop until stop()."""
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._serve(sock, ready))
        except BaseException as error:  # reported to start() instead of dying silently
            self._startup_error = error
        finally:
            ready.set()
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()
            sock.close()

    async def _serve(self, sock: socket.socket, ready: threading.Event) -> None:
        """Serve until the closing event is set."""
        closing = asyncio.Event()
        self._closing = closing
        poller = Poller(self.state, asyncio.get_running_loop())
        pusher = WebhookPusher(self.state, asyncio.get_running_loop())
        self._pusher = pusher

        def on_update() -> None:
            poller.notify_threadsafe()
            pusher.notify_threadsafe()

        self.state.on_update = on_update
        app = BotApiApp(self.token, self.state, self.faults, self.limiter, poller, closing).build()
        ControlRoutes(self).register(app)
        runner = web.AppRunner(
            app, handle_signals=False, access_log=None, shutdown_timeout=_SHUTDOWN_GRACE
        )
        await runner.setup()
        try:
            await web.SockSite(runner, sock).start()
            pushing = asyncio.create_task(pusher.run(closing))
            ready.set()
            await closing.wait()
            poller.close()
            pushing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await pushing
        finally:
            await runner.cleanup()


def _bot_user(token: str, username: str, first_name: str) -> JsonDict:
    """Return the bot's User object; its id is the token's numeric prefix, as on Telegram."""
    bot_id, _, _ = token.partition(":")
    return {
        "id": int(bot_id) if bot_id.isdigit() else 123456,
        "is_bot": True,
        "first_name": first_name,
        "username": username,
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
    }
