"""POST /webhook/<channel>: Telegram's updates by webhook, stored before the 200, once."""

from __future__ import annotations

import asyncio
import json
import logging
import time

import pytest
from sqlmodel import func, select

from bot.web import TELEGRAM_HEADER, telegram_secret
from db.models import Inbox
from devtools.fakebotapi import FakeBotApi, Fault, FaultRule
from tests.harness import ADMIN_ID, stored_text
from tests.web.conftest import OFFICIAL, Served
from web.limits import Refusals


def inbox_count(served: Served) -> int:
    """Return how many updates the inbox holds."""
    with served.bot.session() as s:
        return int(s.exec(select(func.count()).select_from(Inbox)).one())


def update(update_id: int, user_id: int = OFFICIAL, text: str = "/help") -> dict[str, object]:
    """Return a Telegram update carrying a private text message."""
    user = {"id": user_id, "is_bot": False, "first_name": "Lan"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1,
            "date": int(time.time()),
            "chat": {"id": user_id, "type": "private", "first_name": "Lan"},
            "from": user,
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(text)}],
        },
    }


async def test_serve_sets_webhook_with_secret_on_start(served: Served) -> None:
    """At start the bot points Telegram at /webhook/telegram with the derived secret."""
    info = served.bot.server.webhook_info()
    assert info.url == f"{served.url}/webhook/telegram"
    assert info.secret_token == telegram_secret(served.bot.settings)
    assert served.bot.settings.web_secret is not None
    assert info.secret_token != served.bot.settings.web_secret.get_secret_value()


@pytest.fixture
def set_webhook_flooded(fake_api: FakeBotApi) -> None:
    """Have Telegram answer the first setWebhook 429, as it does to several workers starting
    at once or a server restarted in a loop ("Too Many Requests: retry after 1")."""
    fake_api.faults.add(FaultRule(Fault.flood(retry_after=1), methods=["setWebhook"], times=1))


async def test_serve_sets_webhook_after_a_429_on_start(
    set_webhook_flooded: None, served: Served
) -> None:
    """A 429 on setWebhook at start is waited out and the webhook set: the server started
    nothing, its lifespan failing with the RetryAfter's traceback."""
    assert [c.status for c in served.bot.server.calls("setWebhook")] == [429, 200]
    assert served.bot.server.webhook_info().url == f"{served.url}/webhook/telegram"
    reply = await served.bot.send(ADMIN_ID, "/whoami")
    assert reply.text


async def test_webhook_update_is_stored_and_answered(served: Served) -> None:
    """An update delivered by webhook is answered, stored, and its delivery got 200."""
    reply = await served.bot.send(ADMIN_ID, "/whoami")
    assert reply.text
    assert inbox_count(served) == 1
    assert [d.status for d in served.bot.server.webhook_deliveries()] == [200]


async def test_webhook_wrong_or_missing_secret_is_refused_and_nothing_stored(
    served: Served,
) -> None:
    """A call without the secret, or with another, gets 403 and nothing is stored."""
    body = json.dumps(update(77)).encode()
    name = TELEGRAM_HEADER.encode()
    attempts: list[dict[bytes, bytes]] = [{}, {name: b"not-the-secret"}, {name: "ễ".encode()}]
    for headers in attempts:
        response = await served.http.post("/webhook/telegram", content=body, headers=headers)
        assert response.status_code == 403
    assert inbox_count(served) == 0


async def test_webhook_wrong_secrets_leave_one_line_in_the_log(
    served: Served, caplog: pytest.LogCaptureFixture
) -> None:
    """Thirty calls with a wrong secret are all refused 403 and logged as one line, not 30."""
    caplog.set_level(logging.WARNING, logger="web.webhooks")
    headers = {TELEGRAM_HEADER: "not-the-secret"}
    for n in range(30):
        response = await served.http.post("/webhook/telegram", json=update(n), headers=headers)
        assert response.status_code == 403
    lines = [r.getMessage() for r in caplog.records if r.name == "web.webhooks"]
    assert lines == ["webhook telegram: refused 1 call(s) with a wrong or missing secret"]
    assert inbox_count(served) == 0


def test_refusals_are_told_once_a_minute_with_the_count_held_back() -> None:
    """The first refusal is told at once, the next ones in the minute are counted, and the
    first one after the minute tells them all; each channel is counted apart."""
    now = [100.0]
    refusals = Refusals(clock=lambda: now[0])
    assert refusals.refused("telegram") == 1
    assert [refusals.refused("telegram") for _ in range(29)] == [0] * 29
    assert refusals.refused("zalo") == 1
    now[0] += 60.0
    assert refusals.refused("telegram") == 30
    assert refusals.refused("telegram") == 0


async def test_webhook_stores_update_before_answering(served: Served) -> None:
    """When the 200 comes back, the update is already in the inbox."""
    headers = {TELEGRAM_HEADER: telegram_secret(served.bot.settings)}
    response = await served.http.post("/webhook/telegram", json=update(501), headers=headers)
    assert response.status_code == 200
    with served.bot.session() as s:
        assert s.exec(select(Inbox.update_id)).all() == ["501"]


async def test_webhook_redelivered_update_is_handled_once(served: Served) -> None:
    """Telegram delivering the same update again gets 200 and no second answer."""
    server = served.bot.server
    await served.bot.send(ADMIN_ID, "/whoami")
    [first] = server.webhook_deliveries()
    server.redeliver(first.update_id)
    await server.wait_until(lambda: len(server.webhook_deliveries()) == 2, 5)
    await asyncio.sleep(0.5)
    assert [d.status for d in server.webhook_deliveries()] == [200, 200]
    assert len(server.messages(ADMIN_ID)) == 1
    assert inbox_count(served) == 1


async def test_webhook_update_delivered_25_times_is_answered_once_and_no_flood(
    served: Served,
) -> None:
    """Telegram posting one update 25 times more (past a person's burst of 20) gets 200 each
    time, one answer and no "sending too fast"; the person's next message is answered."""
    server = served.bot.server
    await served.bot.send(ADMIN_ID, "/whoami")
    [first] = server.webhook_deliveries()
    for n in range(2, 27):  # one at a time: a delivery confirms the copies queued behind it
        server.redeliver(first.update_id)
        await server.wait_until(lambda: len(server.webhook_deliveries()) == n, 5)  # noqa: B023
    await served.bot.send(ADMIN_ID, "/help")
    assert {d.status for d in server.webhook_deliveries()} == {200}
    texts = [m.text or "" for m in server.messages(ADMIN_ID)]
    assert len(texts) == 2
    assert not any("gửi quá nhanh" in text for text in texts)


async def test_webhook_update_from_a_name_holding_nul_is_stored_and_answered(
    served: Served,
) -> None:
    """A sender whose names and message hold NUL characters (which PostgreSQL refuses in
    text and jsonb) is stored and answered once, the NULs left out; nothing is sent again."""
    server = served.bot.server
    server.add_user(OFFICIAL, "Lan\x00", last_name="Ng\x00uyễn", username="lan\x00")
    reply = await served.bot.send(OFFICIAL, "/whoami")
    assert "Lan" in (reply.text or "")
    server.send_text(OFFICIAL, "đang\x00 làm")
    await server.wait_until(lambda: len(server.messages(OFFICIAL)) == 2, 10)
    assert [d.status for d in server.webhook_deliveries()] == [200, 200]
    assert inbox_count(served) == 2
    assert "\x00" not in stored_text(served.bot.engine)


async def test_webhook_oversized_or_malformed_body_is_refused(served: Served) -> None:
    """A body past the limit gets 413, one that is not a JSON object 400; nothing is stored."""
    headers = {TELEGRAM_HEADER: telegram_secret(served.bot.settings)}
    big = b'{"update_id": 1, "x": "' + b"a" * (2 * 1024 * 1024) + b'"}'
    response = await served.http.post("/webhook/telegram", content=big, headers=headers)
    assert response.status_code == 413
    for body in (b"not json", b"[1, 2]", b"\xff\xfe"):
        response = await served.http.post("/webhook/telegram", content=body, headers=headers)
        assert response.status_code == 400
    assert inbox_count(served) == 0


async def test_webhook_json_nested_past_any_update_is_dropped_with_200(served: Served) -> None:
    """JSON nested hundreds deep (past the parser's reach, or past what the inbox walks) is
    no update: dropped with 200 and nothing stored, where it raised a 500 and a traceback."""
    headers = {TELEGRAM_HEADER: telegram_secret(served.bot.settings)}
    nested = '{"update_id": 9, "x": ' + '{"a": ' * 600 + "1" + "}" * 601
    for body in (b"[" * 100_000, nested.encode()):
        response = await served.http.post("/webhook/telegram", content=body, headers=headers)
        assert response.status_code == 200
    assert inbox_count(served) == 0


async def test_webhook_json_of_no_update_is_dropped_with_200(served: Served) -> None:
    """JSON without a whole-number update_id is dropped and answered 200, nothing stored:
    Telegram sends again whatever is not answered 2xx, and this would never be read."""
    headers = {TELEGRAM_HEADER: telegram_secret(served.bot.settings)}
    for body in (b'{"update_id": "7"}', b'{"foo": 1}', b'{"update_id": true}'):
        response = await served.http.post("/webhook/telegram", content=body, headers=headers)
        assert response.status_code == 200
        assert response.text == ""
    assert inbox_count(served) == 0


async def test_webhook_update_the_library_cannot_read_is_kept_and_skipped(
    served: Served,
) -> None:
    """An update whose message is no message is stored under its id, answered 200 and
    skipped, as when polling; the person's next message is answered as usual."""
    headers = {TELEGRAM_HEADER: telegram_secret(served.bot.settings)}
    unreadable = {"update_id": 8, "message": 5}
    response = await served.http.post("/webhook/telegram", json=unreadable, headers=headers)
    assert response.status_code == 200
    with served.bot.session() as s:
        assert s.exec(select(Inbox.update_id)).all() == ["8"]
    reply = await served.bot.send(ADMIN_ID, "/whoami")
    assert "Quản trị" in (reply.text or "")
    assert inbox_count(served) == 2


async def test_webhook_of_channel_not_wired_is_not_found(served: Served) -> None:
    """Zalo's webhook answers 404 when ZALO_BOT_TOKEN is not set; an unknown one too."""
    for channel in ("zalo", "nope"):
        response = await served.http.post(f"/webhook/{channel}", json={"ok": True})
        assert response.status_code == 404


async def test_webhook_500_updates_are_all_stored_and_answered(served: Served) -> None:
    """500 updates from 500 people delivered by webhook: each stored, and answered once.

    How fast is bench/webhook.py's figure; here the waits are only bounds on a busy machine.
    """
    server = served.bot.server
    users = list(range(50_000, 50_500))
    for user_id in users:
        server.add_user(user_id, "Khách", language_code="vi")
    for user_id in users:
        server.send_text(user_id, "/help")
    await server.wait_until(lambda: inbox_count(served) == 500, 60)
    await server.wait_until(lambda: all(server.messages(u) for u in users), 120)
    assert inbox_count(served) == 500
    assert all(len(server.messages(u)) == 1 for u in users)
    assert {d.status for d in server.webhook_deliveries()} == {200}
