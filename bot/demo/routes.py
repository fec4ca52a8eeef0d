"""The chat simulator's routes: only in the demo's application (`add_routes`, from `bot.demo.run`).

The page (`/demo`), what each pane shows (`/demo/api/chats`, polled), acting as a person
(`/demo/api/say`, `/demo/api/press`, through the fake servers exactly as a person's app
would), the clock's "next working morning" (`/demo/api/morning`), and the dashboard signed
in as the admin or the coordinator (`/demo/as/<persona>`). A visitor's actions are JSON
POSTs: a page of another site cannot send them (no CORS), and an Origin, when sent, must
be the demo's own.
"""

from __future__ import annotations

import asyncio
import json
from functools import cache, partial
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route

from app.dashboard.signin import sign_in_as
from bot.demo import sample
from bot.demo.simulator import Simulator
from core.markup import to_plain
from db.engine import session_scope
from scheduler.workers import in_worker
from web.auth import SECURE_COOKIE, session_cookie
from web.limits import BodyTooLargeError, read_body
from web.render import LANG_COOKIE, language
from web.static_files import VersionedStatic, static_url

HERE = Path(__file__).parent
STATIC = HERE / "static"
STATIC_MOUNT = "/demo/static"  # cached as the dashboard's /static (web.static_files)
BODY_LIMIT = 8 * 1024
TEXT_LIMIT = 2000  # Zalo's limit for one message, and ample for Telegram's 4096
PERSONAS = {p.key: p for p in sample.SHOWN}
# Who may open the dashboard from the simulator (staff only; officials have none).
STAFF = ("admin", "coordinator")


def add_routes(app: Starlette, simulator: Simulator) -> None:
    """Add the simulator's routes to the demo's web application (and to no other)."""
    app.state.simulator = simulator
    routes = [
        Route("/demo", page, methods=["GET"]),
        Route("/demo/api/chats", chats, methods=["GET"]),
        Route("/demo/api/say", say, methods=["POST"]),
        Route("/demo/api/press", press, methods=["POST"]),
        Route("/demo/api/morning", morning, methods=["POST"]),
        Route("/demo/as/{persona:str}", dashboard_as, methods=["GET"]),
        Mount(STATIC_MOUNT, VersionedStatic(directory=STATIC), name="demo-static"),
    ]
    app.router.routes[:0] = routes


def simulator_of(request: Request) -> Simulator:
    """Return the demo's simulator."""
    found: Simulator = request.app.state.simulator
    return found


@cache
def environment() -> Environment:
    """Return the demo's template environment (autoescaping)."""
    return Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


async def page(request: Request) -> Response:
    """The simulator's page: the tour, the clock, the four people's phones."""
    simulator = simulator_of(request)
    lang = language(request, None)
    catalog = simulator.services.catalog

    def t(key: str, **params: object) -> str:
        return to_plain(catalog.get(lang, key, **params))

    html = (
        environment()
        .get_template("demo.html")
        .render(
            t=t,
            lang=lang,
            personas=sample.SHOWN,
            clock=simulator.clock_text(),
            staff=STAFF,
            static=partial(static_url, directory=STATIC, mount=STATIC_MOUNT),
        )
    )
    response = HTMLResponse(html)
    asked = request.query_params.get("lang")
    if asked in ("vi", "en"):
        response.set_cookie(LANG_COOKIE, asked, httponly=True, samesite="lax", path="/")
    return response


async def chats(request: Request) -> Response:
    """What each pane shows now, and the demo's clock."""
    simulator = simulator_of(request)
    shown = {key: simulator.chat(persona) for key, persona in PERSONAS.items()}
    return JSONResponse({"clock": simulator.clock_text(), "chats": shown})


async def say(request: Request) -> Response:
    """Send a visitor's text as a persona."""
    body = await _action(request)
    if isinstance(body, Response):
        return body
    persona = PERSONAS.get(str(body.get("persona", "")))
    text = str(body.get("text", "")).strip()
    if persona is None or not text or len(text) > TEXT_LIMIT:
        return _refused(request, "demo.bad_message")
    await asyncio.to_thread(simulator_of(request).say, persona, text)
    return JSONResponse({"ok": True})


async def press(request: Request) -> Response:
    """Press a button of the bot's message as a Telegram persona."""
    body = await _action(request)
    if isinstance(body, Response):
        return body
    persona = PERSONAS.get(str(body.get("persona", "")))
    message_id, data = body.get("message_id"), body.get("data")
    if persona is None or persona.channel != "telegram" or not isinstance(message_id, int):
        return _refused(request, "demo.bad_message")
    try:
        await asyncio.to_thread(simulator_of(request).press, persona, message_id, str(data))
    except (KeyError, ValueError):  # no such message or button (any more)
        return _refused(request, "demo.bad_message")
    return JSONResponse({"ok": True})


async def morning(request: Request) -> Response:
    """Move the demo's clock to the next working morning; its reminders go out."""
    body = await _action(request)
    if isinstance(body, Response):
        return body
    simulator = simulator_of(request)
    await simulator.next_morning()
    return JSONResponse({"ok": True, "clock": simulator.clock_text()})


async def dashboard_as(request: Request) -> Response:
    """Open the dashboard signed in as the demo's admin or coordinator."""
    key = request.path_params["persona"]
    if key not in STAFF:
        return _refused_page(request, "demo.no_persona", status=404)
    simulator = simulator_of(request)
    persona, services = PERSONAS[key], simulator.services

    def open_session() -> tuple[int, str, str] | None:
        with session_scope(services.engine) as session:
            return sign_in_as(
                session,
                channel=persona.channel,
                external_id=persona.external_id,
                now=services.clock.now(),
            )

    opened = await in_worker(open_session)
    if opened is None:  # the visitor, as the admin, changed the role (/contacts)
        return _refused_page(request, "demo.no_dashboard", status=403, name=persona.name)
    response = RedirectResponse("/", status_code=303)
    name = session_cookie(request)  # behind https: __Host-, which must be Secure
    secure = name == SECURE_COOKIE
    response.set_cookie(name, opened[1], httponly=True, secure=secure, samesite="lax", path="/")
    return response


async def _action(request: Request) -> dict[str, Any] | Response:
    """Read a visitor's action: a small JSON object from the demo's own page."""
    origin = request.headers.get("origin")
    own = simulator_of(request).settings.public_base_url
    if origin is not None and origin != own:
        return _refused(request, "demo.bad_message", status=403)
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        return _refused(request, "demo.bad_message", status=415)
    try:
        body = json.loads(await read_body(request, BODY_LIMIT) or b"{}")
    except (BodyTooLargeError, ValueError):
        return _refused(request, "demo.bad_message")
    if not isinstance(body, dict):
        return _refused(request, "demo.bad_message")
    return body


def _refused_page(request: Request, key: str, *, status: int, **params: object) -> Response:
    """Answer a link of the page that leads nowhere with a page saying why (a new tab)."""
    lang = language(request, None)
    catalog = simulator_of(request).services.catalog

    def t(entry: str, **values: object) -> str:
        return to_plain(catalog.get(lang, entry, **values))

    html = (
        environment()
        .get_template("refused.html")
        .render(
            t=t,
            lang=lang,
            text=t(key, **params),
            static=partial(static_url, directory=STATIC, mount=STATIC_MOUNT),
        )
    )
    return HTMLResponse(html, status_code=status)


def _refused(request: Request, key: str, *, status: int = 400) -> Response:
    """Answer a refused action with one catalog sentence."""
    simulator = simulator_of(request)
    lang = language(request, None)
    text = to_plain(simulator.services.catalog.get(lang, key))
    return JSONResponse({"ok": False, "error": text}, status_code=status)
