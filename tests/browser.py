"""One headless Chromium per test process, a fresh browser context for each test.

Launching Debian's Chromium took a test a second or two of CPU (seven of setup on a busy
machine), and some fifty tests each launched their own. Here Playwright's browser server
(`playwright launch-server`, the driver's own launchServer) starts Chromium once, when a
test of the process first asks for `browser`; each test connects to it with a Playwright of
its own (its event loop's) and gets a `Browser` whose contexts are its own: new ones, with
no cookies or storage of any test before, closed with the connection at the test's end.

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
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Playwright, async_playwright
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

    async def connect(self, playwright: Playwright) -> Browser:
        """Connect to the browser; if it is gone (crashed, quit), launch it again first."""
        try:
            endpoint = await asyncio.to_thread(self.endpoint)
            return await playwright.chromium.connect(endpoint, timeout=CONNECT_TIMEOUT_MS)
        except PlaywrightError:
            self.stop()
        endpoint = await asyncio.to_thread(self.endpoint)
        return await playwright.chromium.connect(endpoint, timeout=CONNECT_TIMEOUT_MS)

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
    async with async_playwright() as playwright:
        connected = await browser_server.connect(playwright)
        try:
            yield connected
        finally:
            if connected.is_connected():
                await connected.close()  # closes the contexts the test opened
