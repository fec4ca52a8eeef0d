"""POST /webhook/zalo: the fake Zalo server delivers events by webhook to `dondoc serve`."""

from __future__ import annotations

import asyncio

import pytest
from pydantic import SecretStr
from sqlmodel import select

from bot.settings import Settings
from bot.web import ZALO_HEADER, zalo_secret
from db.models import Inbox
from devtools.fakezalo import FakeZalo
from tests.web.conftest import Served
from tests.zalo.conftest import ZALO_ADMIN, fake_zalo  # noqa: F401 (a fixture)


@pytest.fixture
def settings(settings: Settings, fake_zalo: FakeZalo) -> Settings:  # noqa: F811
    """The web tests' settings with Zalo pointed at the fake Zalo server."""
    fake_zalo.add_user(ZALO_ADMIN, "Quản trị Zalo")
    return settings.model_copy(
        update={
            "zalo_bot_token": SecretStr(fake_zalo.token),
            "zalo_base_url": fake_zalo.url,
            "zalo_admin_ids": [ZALO_ADMIN],
        }
    )


def zalo_rows(served: Served) -> list[str]:
    """Return the message ids of the Zalo events in the inbox."""
    with served.bot.session() as s:
        return list(s.exec(select(Inbox.update_id).where(Inbox.channel == "zalo")).all())


def event(message_id: str, text: str = "/whoami") -> dict[str, object]:
    """Return a Zalo text event from the Zalo admin, without the {ok, result} wrapper."""
    return {
        "event_name": "message.text.received",
        "message": {
            "message_id": message_id,
            "date": 1_700_000_000_000,
            "chat": {"id": ZALO_ADMIN, "chat_type": "PRIVATE"},
            "from": {"id": ZALO_ADMIN, "display_name": "Quản trị Zalo", "is_bot": False},
            "text": text,
        },
    }


async def test_serve_sets_zalo_webhook_and_does_not_poll(
    served: Served,
    fake_zalo: FakeZalo,  # noqa: F811
) -> None:
    """At start Zalo is pointed at /webhook/zalo with the derived secret; no getUpdates."""
    await fake_zalo.wait_until(lambda: bool(fake_zalo.calls("setWebhook")), 5)
    [call] = fake_zalo.calls("setWebhook")
    assert call["url"] == f"{served.url}/webhook/zalo"
    assert call["secret_token"] == zalo_secret(served.bot.settings)
    await asyncio.sleep(0.3)
    assert not fake_zalo.calls("getUpdates")
    assert not fake_zalo.calls("deleteWebhook")


async def test_zalo_event_by_webhook_is_stored_and_answered(
    served: Served,
    fake_zalo: FakeZalo,  # noqa: F811
) -> None:
    """A person's message, posted by Zalo with the secret, is stored, 200, and answered."""
    await fake_zalo.wait_until(lambda: bool(fake_zalo.calls("setWebhook")), 5)
    message_id = fake_zalo.send_text(ZALO_ADMIN, "/whoami")
    await fake_zalo.wait_until(lambda: bool(fake_zalo.messages(ZALO_ADMIN)), 5)
    assert [status for status, _ in fake_zalo.webhook_posts()] == [200]
    assert zalo_rows(served) == [message_id]
    assert ZALO_ADMIN in fake_zalo.messages(ZALO_ADMIN)[0].text


async def test_zalo_webhook_wrong_or_missing_secret_is_refused(
    served: Served,
    fake_zalo: FakeZalo,  # noqa: F811
) -> None:
    """Without the secret, or with another, 403 and nothing stored or answered."""
    for headers in ({}, {ZALO_HEADER: "not-the-secret"}, {ZALO_HEADER: "x" * 300}):
        response = await served.http.post("/webhook/zalo", json=event("e1"), headers=headers)
        assert response.status_code == 403
    await asyncio.sleep(0.3)
    assert zalo_rows(served) == []
    assert fake_zalo.messages(ZALO_ADMIN) == []


async def test_zalo_webhook_wrapped_or_not_and_no_event(
    served: Served,
    fake_zalo: FakeZalo,  # noqa: F811
) -> None:
    """The {ok, result} wrapper is taken off; a body that is no event gets 400."""
    headers = {ZALO_HEADER: zalo_secret(served.bot.settings)}
    for body in ({"ok": True}, {"event_name": "x"}, {"ok": True, "result": {"message": 3}}):
        response = await served.http.post("/webhook/zalo", json=body, headers=headers)
        assert response.status_code == 400
    assert zalo_rows(served) == []
    wrapped = {"ok": True, "result": event("e2")}
    response = await served.http.post("/webhook/zalo", json=wrapped, headers=headers)
    assert response.status_code == 200
    assert zalo_rows(served) == ["e2"]  # stored before the 200


async def test_zalo_webhook_redelivered_event_is_handled_once(
    served: Served,
    fake_zalo: FakeZalo,  # noqa: F811
) -> None:
    """Zalo posting the same event again gets 200 and no second answer."""
    await fake_zalo.wait_until(lambda: bool(fake_zalo.calls("setWebhook")), 5)
    message_id = fake_zalo.send_text(ZALO_ADMIN, "/whoami")
    await fake_zalo.wait_until(lambda: bool(fake_zalo.messages(ZALO_ADMIN)), 5)
    fake_zalo.redeliver(message_id)
    await fake_zalo.wait_until(lambda: len(fake_zalo.webhook_posts()) == 2, 5)
    await asyncio.sleep(1.5)
    assert [status for status, _ in fake_zalo.webhook_posts()] == [200, 200]
    assert len(fake_zalo.messages(ZALO_ADMIN)) == 1
    assert zalo_rows(served) == [message_id]
