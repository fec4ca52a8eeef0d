"""A round-robin reverse proxy on loopback, standing for Caddy in front of several workers.

    with Balancer(["http://127.0.0.1:8081", "http://127.0.0.1:8082"]) as lb:
        lb.url  # give it to the workers as PUBLIC_BASE_URL: the fake server posts here

Each request goes to the next backend, and its answer comes back as it was (status,
headers such as Set-Cookie and Location, body: a redirect is the client's to follow, not
the proxy's). A backend that refuses the connection (a dead worker) is skipped for the
next, as a proxy's passive health check does; none left answers 502. For tests and
benchmarks of `WORKERS=multi` (tests/faults/test_workers.py, bench/workers.py).
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections import Counter
from types import TracebackType

import aiohttp
from aiohttp import web
from multidict import CIMultiDict

HOP_HEADERS = {"host", "content-length", "transfer-encoding", "connection"}
# Not passed back either: the body comes back decoded (aiohttp undoes the backend's encoding).
ANSWER_DROPPED = HOP_HEADERS | {"content-encoding"}


class Balancer:
    """Forward every request to the backends in turn, skipping those that are down."""

    def __init__(self, backends: list[str]) -> None:
        self.backends = list(backends)
        self.answered: Counter[str] = Counter()  # requests each backend answered
        self._next = 0
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopped: asyncio.Event | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()

    def __enter__(self) -> Balancer:
        self._thread = threading.Thread(target=self._run, name="balancer", daemon=True)
        self._thread.start()
        self._ready.wait(10)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._loop is not None and self._stopped is not None:
            self._loop.call_soon_threadsafe(self._stopped.set)
        if self._thread is not None:
            self._thread.join(10)

    def _run(self) -> None:
        """Serve on the balancer's own event loop until closed."""
        loop = asyncio.new_event_loop()
        self._loop = loop
        loop.run_until_complete(self._serve())
        loop.close()

    async def _serve(self) -> None:
        """Accept requests and forward them until stopped."""
        self._stopped = asyncio.Event()
        timeout = aiohttp.ClientTimeout(total=30, sock_connect=2)
        async with aiohttp.ClientSession(timeout=timeout) as http:

            async def forward(request: web.Request) -> web.StreamResponse:
                body = await request.read()
                headers = {
                    k: v for k, v in request.headers.items() if k.lower() not in HOP_HEADERS
                }
                for _ in range(len(self.backends)):
                    backend = self.backends[self._next % len(self.backends)]
                    self._next += 1
                    try:
                        async with http.request(
                            request.method,
                            backend + request.path_qs,
                            data=body,
                            headers=headers,
                            allow_redirects=False,
                        ) as answer:
                            content = await answer.read()
                            self.answered[backend] += 1
                            back = CIMultiDict(
                                (k, v)
                                for k, v in answer.headers.items()
                                if k.lower() not in ANSWER_DROPPED
                            )
                            return web.Response(status=answer.status, body=content, headers=back)
                    except (aiohttp.ClientConnectionError, TimeoutError):
                        continue
                return web.Response(status=502, text="no backend")

            app = web.Application()
            app.router.add_route("*", "/{tail:.*}", forward)
            runner = web.AppRunner(app, access_log=None)
            await runner.setup()
            await web.SockSite(runner, self._sock).start()
            self._ready.set()
            await self._stopped.wait()
            await runner.cleanup()
