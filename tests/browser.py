"""One headless Chromium per test process, and one Playwright driver: a fresh connection and
fresh browser contexts for each test.

Launching Debian's Chromium took a test a second or two of CPU (seven of setup on a busy
machine), and some fifty tests each launched their own. Here Playwright's browser server
(`playwright launch-server`, the driver's own launchServer) starts Chromium once, when a
test of the process first asks for `browser`. That server is also the process's one driver:
each test talks to it over a websocket of its own, in its own event loop (`connect`), with
no Node.js driver of its own (`async_playwright()` started one a test: about 0.65 s of CPU
each), and gets a `Browser` whose contexts are its own: new ones, with no cookies or
storage of any test before, closed by the server with the connection at the test's end.

The client is Playwright's own (`playwright._impl`: its `Connection`, fed by the transport
below, as `BrowserType.connect` feeds it through a local driver); a Playwright whose client
no longer fits fails here, at the first browser test, saying so.

A browser that crashed or quit is noticed when the next test connects: the server is
launched again. The test during which it went fails, as Playwright tells it.

Without /usr/bin/chromium the tests skip with the reason, except on CI (CI=true), where
./scripts/setup installs it and a missing browser is a failure.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from playwright._impl._async_base import mapping
from playwright._impl.browser import Browser as BrowserImpl
from playwright._impl.connection import Connection
from playwright._impl.events import Events
from playwright._impl.utils.tasks import call_in_next_task, fire_and_forget
from playwright.async_api import Browser
from playwright.async_api import Error as PlaywrightError

CHROMIUM = "/usr/bin/chromium"
# A guard against a hang, not a measure: Chromium's start on a loaded two-core machine.
LAUNCH_TIMEOUT_S = 60
CONNECT_TIMEOUT_MS = 30_000
STOP_TIMEOUT_S = 10


def require_chromium() -> None:
    """Skip without Debian's Chromium, or fail on CI, where ./scripts/setup installs it."""
    if shutil.which(CHROMIUM) is None:
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing on CI: ./scripts/setup should install chromium")
        pytest.skip(f"{CHROMIUM} is not installed (./scripts/setup installs Debian's chromium)")


class Socket:
    """Playwright's client transport (`playwright._impl.connect.Transport`) over a websocket
    to the browser server, in the running event loop."""

    def __init__(self, endpoint: str) -> None:
        self._endpoint = endpoint
        self._session = aiohttp.ClientSession()
        self._socket: aiohttp.ClientWebSocketResponse | None = None
        self._reader: asyncio.Task[None] | None = None
        self._on_message: Callable[[Any], None] = lambda message: None
        self._on_close: Callable[[str | None], None] = lambda reason: None

    async def connect(self) -> None:
        """Open the websocket and start reading it."""
        try:
            self._socket = await self._session.ws_connect(
                self._endpoint,
                max_msg_size=0,  # a full-page screenshot comes whole, base64, in one message
                timeout=aiohttp.ClientWSTimeout(ws_close=STOP_TIMEOUT_S),
            )
        except BaseException:
            await self._session.close()
            raise
        self._reader = asyncio.create_task(self._read(self._socket))

    async def _read(self, socket: aiohttp.ClientWebSocketResponse) -> None:
        """Hand each message to the client, each in its own turn of the loop (as the
        driver's pipe does: Node.js dispatches each message in its own macrotask)."""
        reason: str | None = None
        try:
            async for message in socket:
                if message.type is aiohttp.WSMsgType.TEXT:
                    self._on_message(json.loads(message.data))
                    await asyncio.sleep(0)
                elif message.type is aiohttp.WSMsgType.ERROR:
                    reason = str(socket.exception())
        finally:
            self._on_close(reason)

    def send(self, message: Any) -> Awaitable[None]:
        """Send one message (its write is queued in order, before the coroutine awaits)."""
        assert self._socket is not None
        return self._socket.send_str(json.dumps(message))

    def on_message(self, callback: Callable[[Any], None]) -> None:
        """Have the client read each message."""
        self._on_message = callback

    def on_close(self, callback: Callable[[str | None], None]) -> None:
        """Have the client told when the server went away."""
        self._on_close = callback

    async def close(self) -> None:
        """Close the websocket and wait until it is read to its end and released."""
        if self._socket is not None:
            await self._socket.close()
        if self._reader is not None:
            await asyncio.gather(self._reader, return_exceptions=True)
        await self._session.close()


@dataclass
class Connected:
    """A test's connection to the browser server: its `Browser` and the socket under it."""

    browser: Browser
    socket: Socket

    @classmethod
    async def open(cls, endpoint: str) -> Connected:
        """Connect to the server's pre-launched browser, as `BrowserType.connect` does
        through a driver (`playwright._impl.connect.connect_to_browser`), over our socket."""
        socket = Socket(endpoint)
        await socket.connect()
        try:
            impl = await asyncio.wait_for(_remote_browser(socket), CONNECT_TIMEOUT_MS / 1000)
        except BaseException:
            await socket.close()
            raise
        return cls(mapping.from_impl(impl), socket)

    async def close(self) -> None:
        """Close the connection (the server then closes this test's contexts) and its socket."""
        if self.browser.is_connected():
            await self.browser.close()
        await self.socket.close()


async def _remote_browser(socket: Socket) -> BrowserImpl:
    """Return the server's browser, as a client `Connection` over the socket sees it."""
    connection = Connection(asyncio.get_running_loop())
    connection.mark_as_remote()
    close_error: str | None = None

    def send(message: Any) -> None:
        async def sending() -> None:
            try:
                await socket.send(message)
            except Exception:  # the socket is gone: every call in flight fails
                connection.close(close_error)

        fire_and_forget(sending())

    def received(message: Any) -> None:
        nonlocal close_error
        try:
            connection.dispatch(message)
        except Exception as error:
            close_error = f"{type(error).__name__}: {error}"
            fire_and_forget(socket.close())

    connection.onmessage = send
    socket.on_message(received)
    socket.on_close(lambda reason: connection.close(reason or close_error))
    browser: BrowserImpl | None = None

    def closed() -> None:
        """Close the browser's contexts and pages with the connection, as a driver would."""
        for context in browser.contexts if browser else []:
            for page in context.pages:
                page._on_close()
            context._on_close()
        call_in_next_task(lambda: browser._did_close() if browser else None)

    connection.on("close", closed)
    playwright = await connection.initialize_playwright()
    pre_launched = playwright._initializer.get("preLaunchedBrowser")
    if not pre_launched:
        connection.close()
        raise PlaywrightError("the endpoint is no browser server's (playwright launch-server)")
    browser = BrowserImpl.from_(pre_launched)
    browser._should_close_connection_on_close = True
    browser.on(Events.Browser.Disconnected, lambda _: connection.close())
    browser._connect_to_browser_type(playwright.chromium, {}, None)
    return browser


class BrowserServer:
    """Playwright's server for one headless Chromium, launched again if it went away."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._process: subprocess.Popen[bytes] | None = None
        self._endpoint: str | None = None
        self.launches = 0

    def endpoint(self) -> str:
        """Return the server's websocket endpoint, launching the server if it is not running."""
        if self._process is None or self._process.poll() is not None or self._endpoint is None:
            self._launch()
        assert self._endpoint is not None
        return self._endpoint

    async def connect(self) -> Connected:
        """Connect to the browser; if it is gone (crashed, quit), launch it again first."""
        try:
            return await Connected.open(await asyncio.to_thread(self.endpoint))
        except (PlaywrightError, aiohttp.ClientError, OSError):
            self.stop()
        return await Connected.open(await asyncio.to_thread(self.endpoint))

    def stop(self) -> None:
        """Stop the server and its browser, and wait until they are gone."""
        process, self._process, self._endpoint = self._process, None, None
        if process is None:
            return
        # The Node.js driver under `python -m playwright` closes Chromium on SIGTERM, waits
        # for it and exits; the wrapper then returns, every process waited for (and counted
        # in the test run's CPU time).
        driver = [pid for pid in self._descendants(process.pid) if pid != process.pid][:1]
        with contextlib.suppress(ProcessLookupError):
            for pid in driver or [process.pid]:
                os.kill(pid, signal.SIGTERM)
        try:
            process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        if process.stdout is not None:
            process.stdout.close()

    def processes(self) -> list[int]:
        """Return the ids of the server's processes: the wrapper, Node.js, Chromium's."""
        return [] if self._process is None else self._descendants(self._process.pid)

    @staticmethod
    def _descendants(root: int) -> list[int]:
        """Return `root` and the processes under it, parents before their children."""
        parents: dict[int, int] = {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError):
                head, _, rest = stat.read_text().partition(" (")
                parents[int(head)] = int(rest.rpartition(") ")[2].split()[1])
        found = [root]
        for pid in found:
            found.extend(child for child, parent in parents.items() if parent == pid)
        return found

    def _launch(self) -> None:
        """Start `playwright launch-server` for Chromium and read the endpoint it prints."""
        self.stop()
        self.launches += 1
        config = self._folder / "launch.json"
        config.write_text(json.dumps({"executablePath": CHROMIUM, "headless": True}))
        log = (self._folder / f"server-{self.launches}.log").open("wb")
        command = [sys.executable, "-m", "playwright", "launch-server", "--browser", "chromium"]
        process = subprocess.Popen(
            [*command, "--config", str(config)],
            stdout=subprocess.PIPE,
            stderr=log,
            start_new_session=True,  # its own group: stop() ends node and Chromium with it
        )
        log.close()
        self._process = process
        assert process.stdout is not None
        deadline = time.monotonic() + LAUNCH_TIMEOUT_S
        line = b""
        while not line.endswith(b"\n"):
            left = deadline - time.monotonic()
            ready, _, _ = select.select([process.stdout], [], [], max(0.0, left))
            chunk = os.read(process.stdout.fileno(), 4096) if ready else b""
            if not chunk:
                self.stop()
                raise RuntimeError(
                    f"Playwright's browser server gave no endpoint within {LAUNCH_TIMEOUT_S} s"
                    f" (exit {process.returncode}); see {log.name}"
                )
            line += chunk
        self._endpoint = line.decode().strip()
        assert self._endpoint.startswith("ws://"), self._endpoint


@pytest.fixture(scope="session")
def browser_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserServer]:
    """Return this test process's browser server, started at its first use."""
    require_chromium()
    server = BrowserServer(tmp_path_factory.mktemp("browser"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def browser(browser_server: BrowserServer) -> AsyncIterator[Browser]:
    """Return the process's Chromium, connected for this test: its contexts are its own."""
    connected = await browser_server.connect()
    try:
        yield connected.browser
    finally:
        await connected.close()  # the server closes the contexts the test opened
