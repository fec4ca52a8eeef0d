"""The Mini App in a frame, as Telegram Web (web.telegram.org/k and /a) opens it.

A page of another loopback site (http://localhost:<port>, named in MINIAPP_FRAME_ORIGINS as
web.telegram.org is by default) frames the dashboard served at http://127.0.0.1:<port>, in
real headless Chromium: the Mini App loads and signs in there; no other page is framed.
"""

from __future__ import annotations

import asyncio
import html
import json
import socket
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import pytest
import uvicorn
from playwright.async_api import Browser, BrowserContext, Frame, Page
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from bot.settings import Settings
from tests.web.conftest import COORDINATOR, Served
from tests.web.test_browser import browser, sign_in  # noqa: F401 (a fixture)
from tests.web.test_miniapp import init_data

TELEGRAM_WEB = "https://web.telegram.org"


@dataclass
class Framer:
    """A page of another site that shows any address in an iframe (Telegram Web's part)."""

    origin: str

    def url(self, src: str) -> str:
        """Return the address of a page that frames `src`."""
        return f"{self.origin}/frame?src={src}"


async def _frame(request: Request) -> HTMLResponse:
    src = html.escape(request.query_params["src"])
    return HTMLResponse(f'<iframe id="app" src="{src}" width="360" height="640"></iframe>')


@pytest.fixture
def framer_socket() -> Iterator[socket.socket]:
    """A loopback socket for the framing site, bound before the dashboard's settings."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    try:
        yield sock
    finally:
        sock.close()


@pytest.fixture
def settings(settings: Settings, framer_socket: socket.socket) -> Settings:
    """The tests' settings, with the framing site allowed beside Telegram Web."""
    origin = f"http://localhost:{framer_socket.getsockname()[1]}"
    return settings.model_copy(update={"miniapp_frame_origins": [TELEGRAM_WEB, origin]})


@pytest.fixture
async def framer(framer_socket: socket.socket) -> AsyncIterator[Framer]:
    """Serve the framing page on its socket, reached as localhost (another site)."""
    config = uvicorn.Config(
        Starlette(routes=[Route("/frame", _frame)]), log_config=None, access_log=False
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve(sockets=[framer_socket]))
    while not server.started:
        assert not serving.done(), "the framing server stopped while starting"
        await asyncio.sleep(0.02)
    try:
        yield Framer(f"http://localhost:{framer_socket.getsockname()[1]}")
    finally:
        server.should_exit = True
        await serving


async def telegram_context(browser: Browser, served: Served) -> BrowserContext:  # noqa: F811
    """A browser whose Telegram script hands the Mini App a coordinator's fresh initData."""
    signed = json.dumps(init_data(served, COORDINATOR))
    script = f"window.Telegram = {{WebApp: {{initData: {signed}, ready() {{}}}}}};"
    context = await browser.new_context(locale="vi-VN")
    await context.route(
        "https://telegram.org/**",
        lambda route: route.fulfill(body=script, content_type="application/javascript"),
    )
    return context


async def framed(page: Page, framer: Framer, src: str) -> Frame:
    """Open the framing page around `src` and return its frame, once loaded (or refused)."""
    await page.goto(framer.url(src))
    handle = await page.wait_for_selector("#app", state="attached")
    assert handle is not None
    frame = await handle.content_frame()
    assert frame is not None
    await frame.wait_for_load_state()
    return frame


async def test_miniapp_in_telegram_webs_frame_signs_in_and_shows_the_overview(
    served: Served,
    browser: Browser,  # noqa: F811
    framer: Framer,
) -> None:
    """Framed by an allowed site, /app loads, signs in and the overview shows in the frame,
    and a task's page after it, in the language chosen there: the frame was refused
    (frame-ancestors 'none'), and the session's and the language's cookies (SameSite=Lax)
    were dropped in another site's frame."""
    context = await telegram_context(browser, served)
    page = await context.new_page()
    frame = await framed(page, framer, f"{served.url}/app")
    await frame.wait_for_url(f"{served.url}/", timeout=10_000)
    assert await frame.is_visible("#logout")
    async with frame.expect_navigation():
        await frame.click("#lang")  # English, which the next page keeps (its cookie too)
    task_id = served.tasks[0].id
    await frame.click(f'#tasks tr[data-task="{task_id}"] a')
    await frame.wait_for_url(f"{served.url}/tasks/{task_id}")
    assert await frame.is_visible("#logout")
    assert await frame.get_attribute("html", "lang") == "en"
    await context.close()


async def test_other_pages_are_not_framed(
    served: Served,
    browser: Browser,  # noqa: F811
    framer: Framer,
) -> None:
    """A dashboard page signed in by a /web link (not the Mini App), and the sign-in page
    itself, are refused in the same allowed site's frame: no clickjacking."""
    context = await browser.new_context(locale="vi-VN")
    page = await context.new_page()
    await sign_in(page, await served.login_link(COORDINATOR))
    assert await page.is_visible("#logout")  # signed in, at the top
    for src in (f"{served.url}/", f"{served.url}/tasks/{served.tasks[0].id}", served.url):
        frame = await framed(page, framer, src)
        assert frame.url.startswith("chrome-error://"), src
    link = await served.login_link(COORDINATOR)
    frame = await framed(page, framer, link)
    assert frame.url.startswith("chrome-error://")
    await context.close()


async def test_frame_headers_name_the_allowed_origins_only_for_the_miniapp(
    served: Served,
) -> None:
    """/app and its sign-in's answers may be framed by the allowed origins; a Mini App
    session's pages too; any other answer by none (and says DENY to older browsers)."""
    allowed = " ".join(served.bot.settings.miniapp_frame_origins)
    page = await served.http.get("/app")
    assert page.headers["content-security-policy"].endswith(f"frame-ancestors {allowed}")
    assert "x-frame-options" not in page.headers
    async with served.client() as client:
        refused = await client.post("/login/telegram", data={"initData": "user=1&hash=0"})
        assert refused.status_code == 403
        assert "x-frame-options" not in refused.headers
        opened = await client.post(
            "/login/telegram", data={"initData": init_data(served, COORDINATOR)}
        )
        assert opened.status_code == 303
        cookie = opened.headers["set-cookie"]
        assert "; SameSite=None; Secure; Partitioned" in cookie
        value = cookie.split(";")[0].split("=", 1)[1]
        overview = await client.get("/", headers={"cookie": f"dondoc_session={value}"})
        assert overview.status_code == 200
        assert overview.headers["content-security-policy"].endswith(f"frame-ancestors {allowed}")
    async with served.signed_in(COORDINATOR) as client:
        overview = await client.get("/")
        assert overview.status_code == 200
        assert overview.headers["content-security-policy"].endswith("frame-ancestors 'none'")
        assert overview.headers["x-frame-options"] == "DENY"
