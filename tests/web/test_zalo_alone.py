"""`dondoc serve` for a province on Zalo alone (no BOT_TOKEN): webhook and file links."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import openpyxl
import pytest
import uvicorn
from pydantic import SecretStr
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app import links
from app.services import Services
from bot.app import build_services
from bot.settings import Settings
from bot.web import zalo_serve_app
from bot.zalo import ZaloRuntime
from core.clock import ManualClock
from db.models import Contact, Invite, Unit
from db.queries.contacts import unit_ids_of
from devtools.fakezalo import FakeZalo
from tests.factories import make_contact, make_task, make_unit
from tests.web.conftest import DEADLINE, _socket
from tests.web.test_zalo_serve import LINK
from tests.zalo.conftest import fake_zalo  # noqa: F401 (a fixture)

CHI = "c41c41c41c41c41c"  # a coordinator on Zalo
AN = "a11a11a11a11a11a"  # an admin on Zalo
HOA = "f0af0af0af0af0af"  # an official who is sent an invite code


@dataclass(frozen=True)
class Alone:
    """`dondoc serve` on Zalo alone: its address and its services."""

    url: str
    services: Services


@pytest.fixture
async def alone(
    settings: Settings,
    fake_zalo: FakeZalo,  # noqa: F811
    engine: Engine,
    clock: ManualClock,
) -> AsyncIterator[Alone]:
    """Serve Zalo alone on a free port; yield its address and services."""
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
        make_contact(session, 0, role="admin", name="An", channel="zalo", external_id=AN)
        session.commit()
    for user, name in ((CHI, "Chi"), (AN, "An"), (HOA, "Hoa")):
        fake_zalo.add_user(user, name)
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
    # An event sent before the webhook is set would wait in getUpdates, which nobody polls.
    await fake_zalo.wait_until(lambda: bool(fake_zalo.calls("setWebhook")), 20)
    try:
        yield Alone(url, services)
    finally:
        server.should_exit = True
        await serving
        sock.close()


async def test_zalo_alone_takes_events_by_webhook_and_links_files(
    alone: Alone,
    fake_zalo: FakeZalo,  # noqa: F811
) -> None:
    """No Telegram: Zalo's webhook is set, an event is answered, /export's link opens."""
    assert fake_zalo.calls("setWebhook")[0]["url"] == f"{alone.url}/webhook/zalo"
    fake_zalo.send_text(CHI, "/export")
    await fake_zalo.wait_until(lambda: bool(fake_zalo.messages(CHI)), 10)
    assert [status for status, _ in fake_zalo.webhook_posts()] == [200]
    assert not fake_zalo.calls("getUpdates")
    found = LINK.search(fake_zalo.messages(CHI)[0].text)
    assert found is not None
    async with httpx.AsyncClient(timeout=30) as http:
        response = await http.post(found.group(1))
        assert response.status_code == 200, response.text
        assert (await http.post(f"{alone.url}/webhook/telegram", json={})).status_code == 404
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    cells = {str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row}
    assert any("Kế hoạch chuyển đổi số" in c for c in cells)


async def answer_to(fake_zalo: FakeZalo, user: str, text: str) -> str:  # noqa: F811
    """Send a text to the bot as `user` and return the bot's next answer to them."""
    before = len(fake_zalo.messages(user))
    fake_zalo.send_text(user, text)
    await fake_zalo.wait_until(lambda: len(fake_zalo.messages(user)) > before, 10)
    return fake_zalo.messages(user)[before].text


def invites_made(engine: Engine) -> int:
    """Return how many invites exist."""
    with Session(engine) as session:
        return len(session.exec(select(Invite)).all())


async def test_a_zalo_admin_gets_the_invite_sheet_through_a_link_used_once(
    alone: Alone,
    fake_zalo: FakeZalo,  # noqa: F811
    engine: Engine,
) -> None:
    """/invites on Zalo answers a link; its page makes no code (Zalo's preview opens it);
    the button makes one per unit without a contact and sends the sheet, once, without the
    Telegram link column; a code of the sheet registers the official it is given to."""
    answer = await answer_to(fake_zalo, AN, "/invites")
    assert "Bảng lời mời cho 1 đơn vị (XLSX)" in answer
    found = LINK.search(answer)
    assert found is not None
    assert "/files/invites/new?" in found.group(1)
    async with httpx.AsyncClient(timeout=30) as http:
        page = await http.get(found.group(1))
        assert page.status_code == 200
        assert "mỗi đơn vị một mã mời mới" in page.text
        assert invites_made(engine) == 0
        sheet = await http.post(found.group(1))
        again = await http.post(found.group(1))
    assert sheet.status_code == 200, sheet.text
    assert again.status_code == 410
    assert "/invites" in again.text
    assert invites_made(engine) == 1
    book = openpyxl.load_workbook(io.BytesIO(sheet.content))
    [header, row] = list(book.worksheets[0].iter_rows(values_only=True))
    assert row[:2] == ("TX", "Xã Tam Xuân")
    # No Telegram here: no "Liên kết mời" column left empty on every row.
    assert "Liên kết mời" not in header
    assert all(cell not in (None, "") for cell in row)
    start = next(str(v) for v in row if str(v).startswith("/start "))
    welcome = await answer_to(fake_zalo, HOA, start)
    assert "Xã Tam Xuân" in welcome
    with Session(engine) as session:
        [hoa] = [c for c in session.exec(select(Contact)) if c.display_name == "Hoa"]
        assert hoa.id is not None
        assert unit_ids_of(session, contact_id=hoa.id) == [unit_id(session, "TX")]


async def test_the_invite_sheet_as_csv_and_refused_to_anyone_but_an_admin(
    alone: Alone,
    fake_zalo: FakeZalo,  # noqa: F811
    engine: Engine,
    clock: ManualClock,
) -> None:
    """`/invites all csv` links a CSV of every unit; a coordinator is refused /invites in
    chat, and a link to the sheet signed for them is refused at its page and its button."""
    answer = await answer_to(fake_zalo, AN, "/invites all csv")
    found = LINK.search(answer)
    assert found is not None
    assert "/files/invites/all.csv?" in found.group(1)
    refused = await answer_to(fake_zalo, CHI, "/invites")
    assert "không có quyền" in refused
    with Session(engine) as session:
        [chi] = [c for c in session.exec(select(Contact)) if c.display_name == "Chi"]
    theirs = alone.url + links.sign(
        alone.services.link_key,
        path="/files/invites/new",
        person=str(chi.id),
        expires=clock.now() + links.DEFAULT_TTL,
    )
    async with httpx.AsyncClient(timeout=30) as http:
        sheet = await http.post(found.group(1))
        assert sheet.status_code == 200
        assert sheet.headers["content-type"].startswith("text/csv")
        text = sheet.content.decode("utf-8-sig")
        assert "Xã Tam Xuân" in text
        assert "/start " in text
        for response in (await http.get(theirs), await http.post(theirs)):
            assert response.status_code == 403
            assert "không có quyền" in response.text
    assert invites_made(engine) == 1


def unit_id(session: Session, code: str) -> int | None:
    """Return the id of the unit with this code."""
    return session.exec(select(Unit.id).where(Unit.code == code)).one()


async def test_a_stranger_learns_their_zalo_id_from_whoami(
    alone: Alone,
    fake_zalo: FakeZalo,  # noqa: F811
) -> None:
    """The IT officer, not yet anyone to the bot, sends /whoami to learn the Zalo id that
    ZALO_ADMIN_IDS takes (README); it was answered only with how to join, no id."""
    answer = await answer_to(fake_zalo, HOA, "/whoami")
    assert f"Zalo id {HOA}" in answer
    assert "/start <mã>" in answer


async def test_on_zalo_alone_help_and_link_name_no_telegram(
    alone: Alone,
    fake_zalo: FakeZalo,  # noqa: F811
) -> None:
    """Without BOT_TOKEN there is no Telegram account to link: every role's /help leaves
    /link and Telegram out (they came in its first message), and /link says there is no
    other channel instead of giving a code."""
    for person in (AN, CHI):
        answer = await answer_to(fake_zalo, person, "/link")
        assert "không có kênh nào khác" in answer
        shown = await answer_to(fake_zalo, person, "/help")  # the everyone's part comes first
        assert "/mytasks" in shown
        assert "/link" not in shown
        assert "Telegram" not in shown
