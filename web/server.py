"""The ASGI application of `dondoc serve`: every route, the security headers, the errors.

The composition root (bot.web) gives it the running bot's services and webhooks and runs
the bot's start and stop in its lifespan.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from functools import partial
from typing import Any

from starlette.applications import Starlette
from starlette.convertors import Convertor, register_url_convertor
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request, cookie_parser
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.numbers import typed_number
from web import actions, auth, health, pages, upload
from web.deps import WebDeps
from web.files import charts, evidence, exports, invites, reports
from web.framing import COOKIE, SECURE_COOKIE, in_miniapp
from web.limits import StoppingError
from web.render import message_page
from web.static_files import STATIC, VersionedStatic
from web.webhooks import webhook

log = logging.getLogger(__name__)

HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    # Sign-in codes and signed links sit in URLs: never hand them on as a Referer.
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        b"form-action 'self'; base-uri 'none'",
    ),
]
CSP = b"content-security-policy"
NOT_FRAMED = (b"x-frame-options", b"DENY")  # for browsers that know no frame-ancestors
# The Mini App's page and its sign-in; then the pages of a session it opened (web.auth).
MINIAPP_PATHS = ("/app", "/login/telegram")

# Behind https only: a browser that has seen the site once never tries it over plain http
# again, where a network in between could show its own sign-in page.
HSTS = (b"strict-transport-security", b"max-age=31536000")

Lifespan = Callable[[Starlette], AbstractAsyncContextManager[None]]
# The attribute `_server_error` gives an error it logged: its reference.
LOGGED = "dondoc_logged_as"


class SecurityHeaders:
    """Add the headers every answer carries (pure ASGI: streaming stays streaming).

    No page may be shown in another site's frame (clickjacking), but the Mini App's: Telegram
    Web opens it in a frame, so its page, its sign-in and the pages of the sessions it opened
    may be framed by `frame_origins` (MINIAPP_FRAME_ORIGINS) alone.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        https: bool = False,
        frame_origins: Callable[[], Sequence[str]] = tuple,
    ) -> None:
        self.app = app
        self.headers = [*HEADERS, HSTS] if https else HEADERS
        self.cookie = SECURE_COOKIE if https else COOKIE
        self.frame_origins = frame_origins  # read at the first request
        self.framers: bytes | None = None

    def framable(self, scope: Scope) -> bool:
        """Tell whether this answer may be framed by the Mini App's framers."""
        if self.framers is None:
            self.framers = " ".join(self.frame_origins()).encode()
        if not self.framers:
            return False
        if scope["path"] in MINIAPP_PATHS:
            return True
        for name, value in scope["headers"]:
            if name == b"cookie":
                cookies = cookie_parser(value.decode("latin-1"))
                return in_miniapp(cookies.get(self.cookie, ""))
        return False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, adding the headers to the response's start."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        framed = self.framable(scope)
        ancestors = b"; frame-ancestors " + (
            self.framers if framed and self.framers else b"'none'"
        )

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [h for h in self.headers if h[0] not in present]
                if not framed:
                    headers.append(NOT_FRAMED)
                message["headers"] = [
                    (name, value + ancestors if name.lower() == CSP else value)
                    for name, value in headers
                ]
            await send(message)

        await self.app(scope, receive, sending)


class IdConvertor(Convertor[int]):
    """A record's number in a path: any digits, read as `typed_number` reads them.

    Starlette's `int` converter ran `int()` on them, which refuses more than 4,300 digits:
    such an address answered the internal error (500). A number no row can have is read
    as 0, which no lookup finds (`is_id`): the page says "not found", a link is refused.
    """

    regex = "[0-9]+"

    def convert(self, value: str) -> int:
        """Return the number, or 0 when no row can have it."""
        return typed_number(value) or 0

    def to_string(self, value: int) -> str:
        """Write the number back into a path."""
        return str(int(value))


register_url_convertor("id", IdConvertor())


MACHINES = ("/webhook/", "/healthz", "/livez", "/metrics")  # callers that read no page


def loggable(path: str) -> str:
    """Return a request's path as the log may keep it: a sign-in link's one-time code (its
    last segment) left out, which opened the dashboard to whoever read the log in time."""
    head, code = path[:7], path[7:]
    if head == "/login/" and code and code != "telegram":
        return "/login/<code>"
    return path


async def _http_error(request: Request, exc: Exception) -> Response:
    """Answer an HTTP error (404, 405) without internals: a person gets a page in their
    language with a way back (it was a bare "404"), a machine the status in a line."""
    code = exc.status_code if isinstance(exc, HTTPException) else 500
    # A 405's Allow names the methods the address takes (HTTP requires it; it was dropped).
    headers = (exc.headers if isinstance(exc, HTTPException) else None) or {}
    if request.url.path.startswith(MACHINES):
        return PlainTextResponse(str(code), status_code=code, headers=headers)
    key = "web.not_found" if code == 404 else "web.bad_request"
    response = message_page(request, None, key, status=code)
    response.headers.update(headers)
    return response


async def _went_away(request: Request, exc: Exception) -> Response:
    """Note a client that hung up before its whole body came, in one line of information at
    most once a minute (`limits.Refusals`): anyone can do it in a loop, and it was an error
    with its traceback each time. Nothing was read, so nothing is done; nobody reads the
    answer."""
    deps: WebDeps = request.app.state.deps
    gone = deps.refusals.refused("went away")
    if gone:
        path = loggable(request.url.path)
        log.info(
            "%d client(s) went away before sending the whole request (last: %s %s)",
            gone,
            request.method,
            path,
        )
    return Response(status_code=400)


async def _stopping(request: Request, exc: Exception) -> Response:
    """Answer a request whose body was still coming when the server began to stop: 503,
    nothing done, ask again soon (a platform sends its update again)."""
    headers = {"Retry-After": "60"}
    if request.url.path.startswith(MACHINES):
        return PlainTextResponse("503", status_code=503, headers=headers)
    response = message_page(request, None, "web.stopping", status=503)
    response.headers.update(headers)
    return response


async def _server_error(request: Request, exc: Exception) -> Response:
    """Log an unexpected error with its traceback and a reference.

    A person (a page, a form) reads the usual "internal error" text with that reference; a
    webhook's caller only the status, so that it delivers the update again.
    """
    ref = secrets.token_hex(3)
    path = loggable(request.url.path)
    log.error("error %s: %s %s failed", ref, request.method, path, exc_info=exc)
    setattr(exc, LOGGED, ref)  # said once: Starlette raises it on to the server (SecuredApp)
    if request.url.path.startswith(MACHINES):
        return PlainTextResponse("500", status_code=500)
    try:
        return message_page(request, None, "common.internal_error", status=500, ref=ref)
    except Exception:  # the page itself fails: the status alone, as before
        log.exception("error %s: the error page failed too", ref)
        return PlainTextResponse("500", status_code=500)


class SecuredApp(Starlette):
    """Starlette whose SecurityHeaders wrap every answer, the internal error's page too, and
    whose errors `_server_error` answered and logged end here.

    Starlette runs the middleware added to an application inside its own error middleware,
    which answers an unexpected error (`_server_error`): that page went out without a header
    of SecurityHeaders (cacheable, framable, no referrer policy). Here they are outermost.

    Starlette raises such an error on after its answer (for the server to log it), and
    uvicorn logged it again, "Exception in ASGI application" with the same traceback: every
    internal error was two tracebacks, the second without the reference a person reads. An
    error the handler did not see (raised outside it, or by the handler itself) still goes
    on to the server, which logs it.
    """

    def __init__(self, *, headers: Callable[[ASGIApp], ASGIApp], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.headers = headers

    def build_middleware_stack(self) -> ASGIApp:
        """Return Starlette's stack (its error middleware outermost) inside the headers."""
        return self.headers(super().build_middleware_stack())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the application; an error `_server_error` logged stops here."""
        try:
            await super().__call__(scope, receive, send)
        except Exception as exc:
            if getattr(exc, LOGGED, None) is None:
                raise


def create_app(deps: WebDeps, *, lifespan: Lifespan | None = None) -> Starlette:
    """Return the web application for these dependencies."""
    routes = [
        Route("/webhook/{channel:str}", webhook, methods=["POST"]),
        Route("/healthz", health.healthz, methods=["GET"]),
        Route("/livez", health.livez, methods=["GET"]),
        Route("/metrics", health.metrics, methods=["GET"]),
        Route("/metrics/health", health.health_detail, methods=["GET"]),
        Route("/app", auth.miniapp, methods=["GET"]),
        Route("/login/telegram", auth.login_miniapp, methods=["POST"]),
        Route("/login/{code:str}", auth.login, methods=["GET", "POST"]),
        Route("/logout", auth.logout, methods=["POST"]),
        Route("/", pages.overview, methods=["GET"]),
        Route("/tasks/{task_id:id}", pages.task, methods=["GET"]),
        Route(
            "/tasks/{task_id:id}/extensions/{request_id:id}",
            actions.decide_extension,
            methods=["POST"],
        ),
        Route("/tasks/{task_id:id}/nudge", actions.nudge, methods=["POST"]),
        Route("/matrix", pages.matrix, methods=["GET"]),
        Route("/units/{unit_id:id}", pages.unit, methods=["GET"]),
        Route("/files/export/{which:str}", exports.export_file, methods=["GET", "POST"]),
        Route("/files/evidence/{evidence_id:id}", evidence.evidence_file, methods=["GET", "POST"]),
        Route("/files/chart/{which:str}", charts.chart_file, methods=["GET", "POST"]),
        Route("/files/photo/{which:str}", charts.photo_file, methods=["GET"]),
        Route("/files/report/{which:str}", reports.report_file, methods=["GET", "POST"]),
        Route("/files/invites/{which:str}", invites.invites_file, methods=["GET", "POST"]),
        Route(upload.PATH, upload.upload_page, methods=["GET", "POST"]),
        Mount("/static", VersionedStatic(directory=STATIC), name="static"),
    ]
    headers = partial(
        SecurityHeaders,
        https=deps.secure_cookies,
        frame_origins=lambda: deps.services.settings.miniapp_frame_origins,
    )
    app = SecuredApp(
        headers=headers,
        routes=routes,
        lifespan=lifespan,
        exception_handlers={
            HTTPException: _http_error,
            ClientDisconnect: _went_away,
            StoppingError: _stopping,
            Exception: _server_error,
        },
    )
    app.state.deps = deps
    return app


__all__ = ["create_app"]
