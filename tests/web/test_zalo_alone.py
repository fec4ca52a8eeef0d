"""`dondoc serve` for a province on Zalo alone (no BOT_TOKEN): webhook and file links."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator

import httpx
import openpyxl
import pytest
import uvicorn
from pydantic import SecretStr
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.app import build_services
from bot.settings import Settings
from bot.web import zalo_serve_app
from bot.zalo import ZaloRuntime
from core.clock import ManualClock
from devtools.fakezalo import FakeZalo
from tests.factories import make_contact, make_task, make_unit
from tests.web.conftest import DEADLINE, _socket
from tests.web.test_zalo_serve import LINK
from tests.zalo.conftest import fake_zalo  # noqa: F401 (a fixture)

CHI = "c41c41c41c41c41c"  # a coordinator on Zalo


@pytest.fixture
async def alone(
    settings: Settings,
    fake_zalo: FakeZalo,  # noqa: F811
    engine: Engine,
    clock: ManualClock,
) -> AsyncIterator[str]:
    """Serve Zalo alone on a free port; yield the server's URL."""
    sock = _socket()
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    zalo_settings = settings.model_copy(
        update={
            "bot_token": None,
            "web_secret": None,
            "zalo_bot_token": SecretStr(fake_zalo.token),
            "zalo_base_url": fake_zalo.url,
            "zalo_send_per_person_s": 0.02,  # its own test: tests/zalo/test_sender.py
            "public_base_url": url,
        }
    )
    with Session(engine) as session:
        unit = make_unit(session, "TX", "Xã Tam Xuân")
        make_task(session, "Kế hoạch chuyển đổi số", DEADLINE, [unit])
        make_contact(session, 0, role="coordinator", name="Chi", channel="zalo", external_id=CHI)
        session.commit()
    fake_zalo.add_user(CHI, "Chi")
    services = build_services(zalo_settings, fake_zalo.token, clock=clock, engine=engine)
    runtime = ZaloRuntime(zalo_settings, services, standalone_jobs=True)
    config = uvicorn.Config(
        zalo_serve_app(zalo_settings, services, runtime),
        log_config=None,
        access_log=False,
        lifespan="on",
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        assert not serving.done(), "the web server stopped while starting"
        await asyncio.sleep(0.02)
    try:
        yield url
    finally:
        server.should_exit = True
        await serving
        sock.close()


async def test_zalo_alone_takes_events_by_webhook_and_links_files(
    alone: str,
    fake_zalo: FakeZalo,  # noqa: F811
) -> None:
    """No Telegram: Zalo's webhook is set, an event is answered, /export's link opens."""
    await fake_zalo.wait_until(lambda: bool(fake_zalo.calls("setWebhook")), 5)
    assert fake_zalo.calls("setWebhook")[0]["url"] == f"{alone}/webhook/zalo"
    fake_zalo.send_text(CHI, "/export")
    await fake_zalo.wait_until(lambda: bool(fake_zalo.messages(CHI)), 10)
    assert [status for status, _ in fake_zalo.webhook_posts()] == [200]
    assert not fake_zalo.calls("getUpdates")
    found = LINK.search(fake_zalo.messages(CHI)[0].text)
    assert found is not None
    async with httpx.AsyncClient(timeout=30) as http:
        response = await http.post(found.group(1))
        assert response.status_code == 200, response.text
        assert (await http.post(f"{alone}/webhook/telegram", json={})).status_code == 404
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    cells = {str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row}
    assert any("Kế hoạch chuyển đổi số" in c for c in cells)
