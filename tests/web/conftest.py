"""`dondoc serve` under test: the real web application under uvicorn on a loopback port.

The bot inside it takes updates by webhook from the fake Bot API server (which POSTs them as
Telegram would), and tests talk HTTP to it with httpx, or drive it with a real browser.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date

import httpx
import pytest
import uvicorn
from pydantic import SecretStr
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.app import build_application
from bot.settings import Settings
from bot.web import serve_app
from core.clock import ManualClock
from db.models import Assignment, ExtensionRequest, Task, Unit
from db.queries.scope import set_scope
from db.queries.units import find_group
from devtools.fakebotapi import FakeBotApi
from scheduler.delivery import DISPATCH_JOB
from tests.factories import make_contact, make_task, make_unit, person
from tests.harness import ADMIN_ID, BotUnderTest

WEB_SECRET = "a-web-secret-for-the-tests-0123456789"
COORDINATOR = 2001
SCOPED = 2002  # a coordinator limited to the pilot communes
OFFICIAL = 3001  # a member of Xã Tam Xuân
DEADLINE = date(2026, 11, 30)
# A guard against a hang, not a measure: a workbook or a report is made in a worker process,
# whose start on a two-core machine running other suites beside this one took over 10 s.
HTTP_TIMEOUT_S = 30
LINK = re.compile(r"(http://127\.0\.0\.1:\d+/login/[A-Za-z0-9_-]+)")


@dataclass
class Served:
    """A running `dondoc serve`, the bot inside it, and an HTTP client for it."""

    bot: BotUnderTest
    url: str
    http: httpx.AsyncClient
    server: uvicorn.Server
    units: dict[str, Unit] = field(default_factory=dict)
    tasks: list[Task] = field(default_factory=list)

    def client(self) -> httpx.AsyncClient:
        """Return a new client of its own (its own cookies), closed by the caller."""
        return httpx.AsyncClient(base_url=self.url, timeout=HTTP_TIMEOUT_S)

    async def login_link(self, user_id: int) -> str:
        """Have the person type /web and return the sign-in link the bot answered (a notice
        the sender delivers meanwhile, an admin's correction told to a coordinator, is not it)."""
        reply = await self.bot.send(
            user_id, "/web", match=lambda m: bool(LINK.search(m.text or ""))
        )
        found = LINK.search(reply.text or "")
        assert found is not None, f"no sign-in link in {reply.text!r}"
        return found.group(1)

    @asynccontextmanager
    async def signed_in(self, user_id: int) -> AsyncIterator[httpx.AsyncClient]:
        """Give a client signed in as the person (through a link from the bot, its button)."""
        link = await self.login_link(user_id)
        async with self.client() as client:
            response = await client.post(link)
            assert response.status_code == 303, response.text
            yield client


def ask_extension(served: Served, unit: str = "TX", to: date = date(2026, 12, 10)) -> int:
    """Have the unit's official ask to extend the first task; return the request's id."""
    with served.bot.session() as s:
        official = person(s, OFFICIAL)
        assignment = s.exec(
            select(Assignment).where(
                Assignment.task_id == served.tasks[0].id,
                Assignment.unit_id == served.units[unit].id,
            )
        ).one()
        request = ExtensionRequest(
            assignment_id=assignment.id or 0,
            contact_id=official.id,
            requested_deadline=to,
            reason="chờ kinh phí",
            created_at=served.bot.clock.now(),
        )
        s.add(request)
        s.commit()
        assert request.id is not None
        return request.id


class _Uvicorn(uvicorn.Server):
    """uvicorn's server, stopped by `stop()` at once rather than at its next tenth of a second.

    uvicorn looks at `should_exit` every 0.1 s, so each test's teardown waited up to that
    long before the server even began to stop. Here its loop waits for the stop instead;
    `on_tick` still runs every second as in uvicorn (it refreshes the Date header).
    """

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self._stopping = asyncio.Event()

    def stop(self) -> None:
        """Have the server shut down now (as setting `should_exit` does, without the wait)."""
        self.should_exit = True
        self._stopping.set()

    async def main_loop(self) -> None:
        """Tick each second until stopped; uvicorn then runs its shutdown."""
        counter = 0
        while not await self.on_tick(counter):
            counter = (counter + 10) % 864000  # uvicorn counts tenths; Date: every tenth
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), 1.0)


def _socket() -> socket.socket:
    """Return a listening loopback socket on a free port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


def arrange(session: Session) -> tuple[dict[str, Unit], list[Task]]:
    """Three communes (two pilots), a department; two tasks; staff and an official."""
    units = {
        "TX": make_unit(session, "TX", "Xã Tam Xuân", groups=["Thí điểm"]),
        "TB": make_unit(session, "TB", "Xã Tam Bình", groups=["Thí điểm"]),
        "DB": make_unit(session, "DB", "Phường Điện Bàn", kind="ward"),
        "SYT": make_unit(session, "SYT", "Sở Y tế", kind="department"),
    }
    tasks = [
        make_task(session, "Kế hoạch chuyển đổi số", DEADLINE, list(units.values())),
        make_task(session, "Báo cáo an toàn thông tin", date(2026, 12, 15), [units["DB"]]),
    ]
    make_contact(session, COORDINATOR, role="coordinator", name="Điều phối")
    make_contact(session, OFFICIAL, units=[units["TX"]], name="Lan")
    scoped = make_contact(session, SCOPED, role="coordinator", name="Phạm vi")
    group = find_group(session, text="Thí điểm")
    assert group is not None
    assert group.id is not None
    assert scoped.id is not None
    set_scope(session, contact_id=scoped.id, group_ids=[group.id])
    session.commit()
    return units, tasks


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def web_engine(request: pytest.FixtureRequest) -> Engine:
    """Return this test's SQLite engine, then a fresh PostgreSQL database's."""
    name = "engine" if request.param == "sqlite" else "pg_engine"
    engine: Engine = request.getfixturevalue(name)
    return engine


@pytest.fixture
async def served(
    settings: Settings, fake_api: FakeBotApi, web_engine: Engine, clock: ManualClock
) -> AsyncIterator[Served]:
    """Run `dondoc serve`'s application on a free port until the test ends."""
    engine = web_engine
    sock = _socket()
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    web_settings = settings.model_copy(
        update={
            "telegram_base_url": fake_api.base_url,
            "telegram_base_file_url": fake_api.base_file_url,
            "admin_ids": [ADMIN_ID],
            "public_base_url": url,
            "web_secret": SecretStr(WEB_SECRET),
            "send_rate_per_s": 30.0,
            "database_url": engine.url.render_as_string(hide_password=False),
        }
    )
    with Session(engine, expire_on_commit=False) as session:
        units, tasks = arrange(session)
    for user_id, name in ((ADMIN_ID, "Quản trị"), (COORDINATOR, "Điều phối"), (SCOPED, "Phạm vi")):
        fake_api.add_user(user_id, name, language_code="vi")
    fake_api.add_user(OFFICIAL, "Lan", language_code="vi")
    application = build_application(web_settings, clock=clock, engine=engine)
    # The morning dispatch is left to the tests that run it: its first run, a second after
    # start, reminded the official between a "xong" and its answer (the reminder was then
    # read as the answer, before the report was stored).
    assert application.job_queue is not None
    for job in application.job_queue.get_jobs_by_name(DISPATCH_JOB):
        job.schedule_removal()
    config = uvicorn.Config(
        serve_app(web_settings, application), log_config=None, access_log=False, lifespan="on"
    )
    server = _Uvicorn(config)
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        assert not serving.done(), "the web server stopped while starting"
        await asyncio.sleep(0.02)
    bot = BotUnderTest(application, fake_api, engine, clock, web_settings)
    async with httpx.AsyncClient(base_url=url, timeout=HTTP_TIMEOUT_S) as http:
        try:
            yield Served(bot, url, http, server, units, tasks)
        finally:
            server.stop()
            await serving
            sock.close()
