"""The aiohttp application: routes, token check, faults, rate limits, dispatch, recording."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from typing import Any

from aiohttp import web

from devtools.fakebotapi.errors import ApiError, too_many_requests
from devtools.fakebotapi.faults import Fault, FaultPlan
from devtools.fakebotapi.limits import RateLimiter
from devtools.fakebotapi.methods import METHODS, SEND_METHODS, Handler
from devtools.fakebotapi.params import Params, read_params
from devtools.fakebotapi.polling import Poller
from devtools.fakebotapi.records import CallRecord
from devtools.fakebotapi.state import BotState

MAX_UPLOAD = 60 * 1024 * 1024
HOLD_POLL_S = 0.01  # how often a held call looks whether the test let it go
_NOT_FOUND = ApiError(404, "Not Found")


class BotApiApp:
    """Serve `/bot<token>/<method>` and `/file/bot<token>/<path>` for one bot token."""

    def __init__(
        self,
        token: str,
        state: BotState,
        faults: FaultPlan,
        limiter: RateLimiter,
        poller: Poller,
        closing: asyncio.Event,
    ) -> None:
        self._token = token
        self._state = state
        self._faults = faults
        self._limiter = limiter
        self._poller = poller
        self._closing = closing

    def build(self) -> web.Application:
        """Return the aiohttp application with the Bot API routes."""
        app = web.Application(client_max_size=MAX_UPLOAD)
        app.router.add_route("*", "/bot{token}/{method}", self.call)
        app.router.add_get("/file/bot{token}/{path:.+}", self.download)
        return app

    async def call(self, request: web.Request) -> web.Response:
        """Answer one Bot API method call and record it."""
        started = time.monotonic()
        if request.match_info["token"] != self._token:
            return _reply(ApiError(401, "Unauthorized").to_api(), 401)
        name = request.match_info["method"]
        entry = METHODS.get(name.lower())
        method = "getUpdates" if name.lower() == "getupdates" else entry[0] if entry else name
        record = CallRecord(method, {}, [], at=started)
        try:
            if entry is None and method != "getUpdates":
                raise _NOT_FOUND
            params = await read_params(request)
            record.params, record.files = params.values, list(params.files)
            result = await self._serve(record, params, entry[1] if entry else None)
            if record.fault == "drop":  # no answer: the connection is closed, a reset
                self._state.add_call(record)
                if request.transport is not None:
                    request.transport.abort()
                raise web.HTTPInternalServerError  # never written: the connection is gone
            body, status = {"ok": True, "result": result}, 200
            record.result = result
        except ApiError as error:
            body, status = error.to_api(), error.code
            record.ok, record.status, record.description = False, error.code, error.description
        record.finished_at = time.monotonic()
        self._state.add_call(record)
        return _reply(body, status)

    async def download(self, request: web.Request) -> web.Response:
        """Serve the content of a stored file by its file_path."""
        with self._state.lock:
            stored = self._state.files_by_path.get(request.match_info["path"])
        if request.match_info["token"] != self._token or stored is None:
            return _reply(_NOT_FOUND.to_api(), 404)
        content_type = stored.mime_type or "application/octet-stream"
        return web.Response(body=stored.content, content_type=content_type)

    async def _serve(self, record: CallRecord, params: Params, handler: Handler | None) -> Any:
        """Apply any injected fault, then run the method."""
        fault = self._faults.choose(record.method, params.values)
        if fault is None:
            return await self._run(record, params, handler)
        record.fault = fault.kind
        if fault.kind == "flood":
            raise too_many_requests(fault.retry_after)
        if fault.kind == "server_error":
            raise ApiError(fault.status, fault.description)
        if fault.kind == "delay":
            await self._pause(fault.seconds)
            return await self._run(record, params, handler)
        if fault.kind == "hold" and fault.gate is not None:
            if fault.reached is not None:
                fault.reached.set()
            await self._held(fault.gate)
            return await self._run(record, params, handler)
        if fault.kind == "drop":
            return await self._run(record, params, handler) if fault.apply else None
        return await self._time_out(record, params, handler, fault)

    async def _time_out(
        self, record: CallRecord, params: Params, handler: Handler | None, fault: Fault
    ) -> Any:
        """Hold the connection past the client's patience, after applying the call if asked."""
        outcome: Any = None
        failure: ApiError | None = ApiError(504, "Gateway Timeout")
        if fault.apply:
            try:
                outcome, failure = await self._run(record, params, handler), None
            except ApiError as error:
                failure = error
        await self._pause(fault.seconds)
        if failure is not None:
            raise failure
        return outcome

    async def _pause(self, seconds: float) -> None:
        """Sleep `seconds`, cut short when the server shuts down."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closing.wait(), seconds)

    async def _held(self, gate: threading.Event) -> None:
        """Wait until the test sets `gate` (a thread's event: tests run on another loop), or
        the server shuts down."""
        while not gate.is_set() and not self._closing.is_set():  # noqa: ASYNC110 - a thread's
            await asyncio.sleep(HOLD_POLL_S)

    async def _run(self, record: CallRecord, params: Params, handler: Handler | None) -> Any:
        """Run the method: long-poll for getUpdates, otherwise under the state lock."""
        if handler is None:
            return await self._poller.get_updates(params)
        raw_chat_id = params.get("chat_id") if record.method in SEND_METHODS else None
        chat_id = raw_chat_id if isinstance(raw_chat_id, int) else None
        with self._state.lock:
            now = self._limiter.clock()
            retry_after = None if chat_id is None else self._limiter.check(chat_id, now)
            if retry_after is not None:
                record.over_limit = True
                if self._limiter.mode == "enforce":
                    raise too_many_requests(retry_after)
            result = handler(self._state, params)
            record.applied = True
            if chat_id is not None:
                self._limiter.record(chat_id, now)
            return result


def _reply(body: dict[str, Any], status: int) -> web.Response:
    """Return a JSON response as Telegram formats it."""
    return web.json_response(body, status=status)
