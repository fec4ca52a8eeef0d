"""The chat simulator: phone-like panes where a visitor writes and taps as the sample's people.

Its routes exist only in the demo's application (`add_routes`, called by `bot.demo.run`):
the page (`/demo`), what each pane shows (`/demo/api/chats`, polled), acting as a person
(`/demo/api/say`, `/demo/api/press`, through the fake servers exactly as a person's app
would), the clock's "next working morning" (`/demo/api/morning`), and the dashboard signed
in as the admin or the coordinator (`/demo/as/<persona>`). A visitor's actions are JSON
POSTs: a page of another site cannot send them (no CORS), and an Origin, when sent, must
be the demo's own.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from app.dashboard import sign_in_as
from app.i18n import format_datetime
from app.services import Services
from bot.app import App
from bot.demo import sample
from bot.demo.chat import JsonDict, keyboard, telegram_html
from bot.demo.clock import CLOCK_KEY, DemoClock, working_morning
from bot.settings import Settings
from core.markup import to_plain
from db.engine import session_scope
from db.queries import state
from db.queries.calendar import working_calendar
from devtools.fakebotapi import FakeBotApi
from devtools.fakezalo.server import FakeZalo
from scheduler.delivery import DISPATCH_JOB
from scheduler.workers import in_worker
from web.auth import COOKIE
from web.limits import BodyTooLargeError, read_body
from web.render import LANG_COOKIE, language

HERE = Path(__file__).parent
BODY_LIMIT = 8 * 1024
TEXT_LIMIT = 2000  # Zalo's limit for one message, and ample for Telegram's 4096
PERSONAS = {p.key: p for p in sample.SHOWN}
# Who may open the dashboard from the simulator (staff only; officials have none).
STAFF = ("admin", "coordinator")
# How long "next working morning" waits for a dispatch under way (its own follows).
DISPATCH_WAIT_S = 0.05
DISPATCH_WAIT_TRIES = 600


@dataclass
class Simulator:
    """What the simulator's routes act on: the fakes, the clock and the running bot."""

    settings: Settings
    telegram: FakeBotApi
    zalo: FakeZalo
    clock: DemoClock
    application: App
    # What the visitor typed as a Zalo person (the fake keeps only what the bot sent).
    typed: dict[str, list[tuple[float, str]]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def services(self) -> Services:
        """Return the running bot's services."""
        services: Services = self.application.bot_data.services
        return services

    def chat(self, persona: sample.Persona) -> list[JsonDict]:
        """Return what the persona's pane shows, oldest first."""
        if persona.channel == "telegram":
            return [
                {
                    "id": m.message_id,
                    "mine": not m.from_bot,
                    "html": telegram_html(
                        m.text or m.caption or "", m.entities or m.caption_entities
                    ),
                    "buttons": keyboard(m.reply_markup),
                    "file": self._file(m.document or (m.photo[-1] if m.photo else None)),
                }
                for m in self.telegram.history(int(persona.external_id))
                if not m.deleted
            ]
        with self.lock:
            typed = list(self.typed.get(persona.key, []))
        said = [
            (m.at, False, m.text or m.photo or "") for m in self.zalo.messages(persona.external_id)
        ]
        shown = sorted([(at, True, text) for at, text in typed] + said, key=lambda m: m[0])
        return [{"id": n, "mine": mine, "text": text} for n, (_, mine, text) in enumerate(shown)]

    def _file(self, sent: JsonDict | None) -> JsonDict | None:
        """Return a document or photo the bot sent as its name and the fake's download URL."""
        if sent is None:
            return None
        file_id = str(sent["file_id"])
        stored = self.telegram.state.files.get(file_id)
        name = (stored.file_name if stored else None) or Path(
            stored.file_path if stored else ""
        ).name
        return {"name": name or file_id, "url": f"{self.telegram.url}/_control/file/{file_id}"}

    def say(self, persona: sample.Persona, text: str) -> None:
        """Have the persona send a text, through their channel's fake server."""
        if persona.channel == "telegram":
            self.telegram.send_text(int(persona.external_id), text)
            return
        with self.lock:
            self.typed.setdefault(persona.key, []).append((time.monotonic(), text))
        self.zalo.send_text(persona.external_id, text)

    def press(self, persona: sample.Persona, message_id: int, data: str) -> None:
        """Have a Telegram persona press a button of one of the bot's messages."""
        self.telegram.press_button(int(persona.external_id), data, message_id)

    def clock_text(self) -> str:
        """Return the demo's date and time as the dashboard writes them."""
        return format_datetime(self.services.now_local())

    async def next_morning(self) -> None:
        """Move the clock to 08:00 of the next working day and run the morning's dispatch."""
        services = self.services

        def pick() -> None:
            with session_scope(services.engine) as session:
                calendar = working_calendar(session)
                morning = working_morning(
                    calendar, services.today(), services.settings.tz, after=True
                )
                self.clock.jump(morning)
                state.write(session, CLOCK_KEY, morning.isoformat(), now=self.clock.now())

        await in_worker(pick)
        shared = self.application.bot_data
        for _ in range(DISPATCH_WAIT_TRIES):  # the minute's dispatch may be running
            if not shared.dispatching:
                break
            await asyncio.sleep(DISPATCH_WAIT_S)
        jobs = (
            self.application.job_queue.get_jobs_by_name(DISPATCH_JOB)
            if self.application.job_queue
            else ()
        )
        for job in jobs:
            await job.run(self.application)
        if shared.zalo is not None:
            shared.zalo.wake()


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
        Mount("/demo/static", StaticFiles(directory=HERE / "static"), name="demo-static"),
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
        .render(t=t, lang=lang, personas=sample.SHOWN, clock=simulator.clock_text(), staff=STAFF)
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
        return _refused(request, "demo.bad_message", status=404)
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
    if opened is None:
        return _refused(request, "demo.bad_message", status=403)
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(COOKIE, opened[1], httponly=True, samesite="lax", path="/")
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


def _refused(request: Request, key: str, *, status: int = 400) -> Response:
    """Answer a refused action with one catalog sentence."""
    simulator = simulator_of(request)
    lang = language(request, None)
    text = to_plain(simulator.services.catalog.get(lang, key))
    return JSONResponse({"ok": False, "error": text}, status_code=status)
