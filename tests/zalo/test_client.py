"""The Zalo client against the fake Zalo Bot API: typed answers, Zalo's errors, retries."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import httpx
import pytest

from devtools.fakezalo import SECRET_HEADER, FakeZalo, FaultRule, Limits
from zalo import ZaloClient, ZaloError, parse_events

HOA = "7f3a9c0e51d24b8e"


@pytest.fixture
async def zalo() -> AsyncIterator[FakeZalo]:
    """Run a fake Zalo Bot API for one test."""
    async with FakeZalo() as server:
        yield server


@pytest.fixture
async def client(zalo: FakeZalo) -> AsyncIterator[ZaloClient]:
    """Return a client of the fake server, with short backoffs."""
    async with ZaloClient(zalo.token, zalo.url, timeout=2.0, backoff=(0.01, 0.02)) as made:
        yield made


async def test_get_me_reads_the_bot_account(zalo: FakeZalo, client: ZaloClient) -> None:
    """getMe answers the bot's id (the token's prefix) and that it cannot join groups."""
    me = await client.get_me()
    assert (me.id, me.can_join_groups) == (zalo.token.partition(":")[0], False)


async def test_an_idle_poll_is_no_event_and_no_error(client: ZaloClient) -> None:
    """A poll that ends without an event (408 on HTTP 200) returns nothing."""
    assert await client.get_updates(timeout=0) == []


async def test_a_poll_zalo_holds_longer_than_asked_still_brings_its_event(zalo: FakeZalo) -> None:
    """Zalo holds a poll its default 30 s whatever was asked: the client still waits for it,
    and Hoa's message handed to it after the asked second and the margin is read. The client
    dropped the connection then (1 s + the margin), and the event Zalo gave that poll was lost.
    The timeout goes as Zalo's docs type it, a string. (The margin is short here, 0,2 s, so
    that passing it takes no ten seconds.)"""
    zalo.add_user(HOA, "Hoa")
    zalo.hold_polls(30)
    grace = 0.2
    async with ZaloClient(zalo.token, zalo.url, poll_grace_s=grace) as client:
        poll = asyncio.ensure_future(client.get_updates(timeout=1))
        await zalo.wait_until(lambda: zalo.polls_waiting() == 1)
        await asyncio.sleep(1 + grace + 0.5)  # past where the client gave up
        assert not poll.done()
        sent = zalo.send_text(HOA, "xong")
        [event] = await poll
    assert (event.message_id, event.text) == (sent, "xong")
    assert [call["timeout"] for call in zalo.calls("getUpdates")] == ["1"]


async def test_each_poll_returns_the_next_event_as_object_or_list(
    zalo: FakeZalo, client: ZaloClient
) -> None:
    """One event per call, whether the result is an object or a list of one."""
    zalo.add_user(HOA, "Hoa")
    first, second = zalo.send_text(HOA, "xong"), zalo.send_text(HOA, "2 60%")
    [one] = await client.get_updates(timeout=0)
    zalo.set_results_as_list(True)
    [two] = await client.get_updates(timeout=0)
    assert (one.message_id, one.text, one.sender_name) == (first, "xong", "Hoa")
    assert (two.message_id, two.text, two.chat_id) == (second, "2 60%", HOA)


async def test_refusals_come_as_zalo_errors(zalo: FakeZalo, client: ZaloClient) -> None:
    """Empty and too long texts, strangers and a bad token raise ZaloError with the code."""
    zalo.add_user(HOA, "Hoa")
    with pytest.raises(ZaloError) as never_wrote:
        await client.send_message(HOA, "chào")
    assert never_wrote.value.unreachable
    zalo.send_text(HOA, "/start")
    for text in ("", "x" * 2001):
        with pytest.raises(ZaloError) as refused:
            await client.send_message(HOA, text)
        assert refused.value.code == 400
        assert not refused.value.retryable
    with pytest.raises(ZaloError) as unknown:
        await client.send_message("ffff", "chào")
    assert unknown.value.unreachable
    async with ZaloClient("1:wrong-token", zalo.url) as bad:
        with pytest.raises(ZaloError) as unauthorized:
            await bad.get_me()
    assert unauthorized.value.code == 401
    sent = await client.send_message(HOA, "x" * 2000)
    assert [m.message_id for m in zalo.messages(HOA)] == [sent.message_id]


async def test_server_errors_are_retried_and_ok_false_is_not(
    zalo: FakeZalo, client: ZaloClient
) -> None:
    """Two 502s are retried through; ok:false on HTTP 200 fails at once with its code."""
    zalo.send_text(HOA, "/start")
    zalo.add_fault(FaultRule("server_error", methods=("sendMessage",), times=2))
    await client.send_message(HOA, "một")
    zalo.add_fault(FaultRule("ok_false", methods=("sendMessage",), code=-201, times=1))
    with pytest.raises(ZaloError) as refused:
        await client.send_message(HOA, "hai")
    assert refused.value.code == -201
    assert [m.text for m in zalo.messages(HOA)] == ["một"]
    assert len(zalo.calls("sendMessage")) == 4


async def test_the_token_never_reaches_the_logs(
    zalo: FakeZalo, caplog: pytest.LogCaptureFixture
) -> None:
    """A network failure is reported by its kind, and no log line names the token."""
    caplog.set_level(logging.DEBUG)
    async with ZaloClient(zalo.token, "http://127.0.0.1:9", backoff=(0.01,)) as offline:
        with pytest.raises(ZaloError) as failed:
            await offline.get_me()
        assert "fake-zalo-token" not in repr(offline)
    assert failed.value.code == 0
    assert zalo.token not in str(failed.value)
    assert all(zalo.token not in record.getMessage() for record in caplog.records)


async def test_photos_are_downloaded_and_unfetchable_urls_refused(
    zalo: FakeZalo, client: ZaloClient
) -> None:
    """A person's photo is fetched from photo_url; sendPhoto of a dead URL is refused."""
    zalo.send_photo(HOA, b"\xff\xd8jpeg", "biên bản")
    [event] = await client.get_updates(timeout=0)
    assert await client.download(event.photo_url, max_bytes=100) == b"\xff\xd8jpeg"
    with pytest.raises(ZaloError):
        await client.download(event.photo_url, max_bytes=3)
    with pytest.raises(ZaloError) as dead:
        await client.send_photo(HOA, f"{zalo.url}/_photos/none.jpg")
    assert dead.value.code == 400
    await client.send_photo(HOA, event.photo_url, "ảnh")
    assert [m.method for m in zalo.messages(HOA)] == ["sendPhoto"]


async def test_rate_limits_are_counted_and_enforced(zalo: FakeZalo, client: ZaloClient) -> None:
    """Over one message a second to one person, the fake answers 429 and counts it."""
    zalo.send_text(HOA, "/start")
    zalo.set_rate_limits("enforce", Limits(overall_per_s=10, per_chat_per_s=1))
    await client.send_message(HOA, "một")
    with pytest.raises(ZaloError) as flood:
        await client.send_message(HOA, "hai", retry=False)
    assert flood.value.code == 429
    assert flood.value.retryable
    assert zalo.rate_limit_stats().over_per_chat == 1


async def test_a_webhook_gets_events_with_the_secret_and_stops_polling(
    zalo: FakeZalo, client: ZaloClient
) -> None:
    """With a webhook set, events are posted with the secret header; getUpdates refuses."""
    from aiohttp import web

    got: list[tuple[str, dict[str, object]]] = []

    async def hook(request: web.Request) -> web.Response:
        got.append((request.headers.get(SECRET_HEADER, ""), await request.json()))
        return web.Response()

    app = web.Application()
    app.router.add_post("/zalo", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        await client.set_webhook(f"http://127.0.0.1:{port}/zalo", "s3cret-token")
        assert await client.get_webhook_info() == f"http://127.0.0.1:{port}/zalo"
        with pytest.raises(ZaloError):
            await client.get_updates(timeout=0)
        zalo.send_text(HOA, "xong")
        await zalo.wait_until(lambda: len(got) == 1)
        [(secret, body)] = got
        assert secret == "s3cret-token"
        assert [e.text for e in parse_events(body)] == ["xong"]
        await client.delete_webhook()
        assert await client.get_updates(timeout=0) == []
    finally:
        await runner.cleanup()


async def test_a_timeout_is_a_network_error_and_a_slow_answer_arrives(zalo: FakeZalo) -> None:
    """A call held past the client's timeout fails as code 0; a delayed one succeeds."""
    zalo.send_text(HOA, "/start")
    async with ZaloClient(zalo.token, zalo.url, timeout=0.3, backoff=()) as client:
        zalo.add_fault(FaultRule("timeout", methods=("sendMessage",), seconds=2, times=1))
        with pytest.raises(ZaloError) as timed_out:
            await client.send_message(HOA, "một")
        zalo.add_fault(FaultRule("delay", methods=("sendMessage",), seconds=0.1, times=1))
        await client.send_message(HOA, "hai")
    assert timed_out.value.code == 0
    assert timed_out.value.retryable
    assert [m.text for m in zalo.messages(HOA)] == ["hai"]


async def test_the_control_api_acts_as_a_person_over_http(zalo: FakeZalo) -> None:
    """POST /_control/send_text queues an event; GET /_control/messages lists the bot's."""
    async with httpx.AsyncClient(base_url=zalo.url) as http:
        made = await http.post(
            "/_control/send_text", json={"user_id": HOA, "name": "Hoa", "text": "xin chào"}
        )
        async with ZaloClient(zalo.token, zalo.url) as client:
            [event] = await client.get_updates(timeout=0)
            await client.send_chat_action(HOA)
            await client.send_message(HOA, "chào Hoa")
        shown = (await http.get("/_control/messages", params={"chat_id": HOA})).json()
    assert made.json()["message_id"] == event.message_id
    assert (event.sender_name, event.private) == ("Hoa", True)
    assert [m["text"] for m in shown] == ["chào Hoa"]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ('{"ok": false, "error_code": "Unauthorized", "description": "x"}', 200, 500),
        ('{"ok": false, "error_code": [401]}', 401, 401),
        ('{"ok": false, "error_code": 1e400}', 200, 500),
        ('{"ok": false}', 200, 500),
        ('{"ok": true, "resu', 200, 502),
        ("<html><body>502 Bad Gateway</body></html>", 502, 502),
    ],
)
async def test_an_odd_refusal_is_a_zalo_error_with_a_code(
    zalo: FakeZalo, client: ZaloClient, body: str, status: int, code: int
) -> None:
    """An error code that is no number, none at all, or a body that is no JSON (a proxy's
    page, a cut answer) is a ZaloError with a code a caller can judge, never a ValueError or
    TypeError that ended the handler; an ok:false on HTTP 200 without a code was code 200."""
    zalo.send_text(HOA, "/start")
    zalo.add_fault(FaultRule("raw", methods=("sendMessage",), body=body, status=status))
    with pytest.raises(ZaloError) as refused:
        await client.send_message(HOA, "một", retry=False)
    assert refused.value.code == code


@pytest.mark.parametrize(
    "body",
    [
        '{"ok": true, "result": null}',
        '{"ok": true, "result": ["x"]}',
        '{"ok": true, "result": {"message_id": {"id": 1}, "date": "soon"}}',
        '{"ok": true, "result": {"message_id": "m1", "date": 1e400}}',
    ],
)
async def test_a_send_answered_oddly_is_a_send(
    zalo: FakeZalo, client: ZaloClient, body: str
) -> None:
    """A send Zalo took but answered with no result, or an odd one, is not an error: raising
    (AttributeError, ValueError) ended the handler, and the sender tried the message again."""
    zalo.send_text(HOA, "/start")
    zalo.add_fault(FaultRule("raw", methods=("sendMessage",), body=body, status=200, apply=True))
    sent = await client.send_message(HOA, "một")
    assert sent.date_ms == 0
    assert [m.text for m in zalo.messages(HOA)] == ["một"]
    assert len(zalo.calls("sendMessage")) == 1


async def test_a_rate_limited_answer_is_tried_again(zalo: FakeZalo, client: ZaloClient) -> None:
    """A 429 (Zalo gives no retry_after) is tried again after the backoff when the caller
    asks for retries (a direct answer): the person's answer was dropped."""
    zalo.send_text(HOA, "/start")
    zalo.add_fault(FaultRule("ok_false", methods=("sendMessage",), code=429, times=2))
    await client.send_message(HOA, "một")
    assert [m.text for m in zalo.messages(HOA)] == ["một"]
    zalo.add_fault(FaultRule("ok_false", methods=("sendMessage",), code=429, times=1))
    with pytest.raises(ZaloError) as flood:
        await client.send_message(HOA, "hai", retry=False)
    assert flood.value.code == 429


async def test_a_description_that_echoes_the_token_does_not_carry_it(
    zalo: FakeZalo, client: ZaloClient, caplog: pytest.LogCaptureFixture
) -> None:
    """A refusal whose description quotes the URL called (the token is in its path) is
    raised without the token, so no log line of the error shows it."""
    zalo.send_text(HOA, "/start")
    description = f"Not Found: /bot{zalo.token}/sendMessage"
    zalo.add_fault(
        FaultRule("ok_false", methods=("sendMessage",), code=404, description=description)
    )
    with pytest.raises(ZaloError) as refused:
        await client.send_message(HOA, "một")
    assert zalo.token not in str(refused.value)
    assert zalo.token not in refused.value.description
    assert "/sendMessage" in refused.value.description


async def test_an_event_without_a_message_is_skipped_in_a_line(
    zalo: FakeZalo, client: ZaloClient, caplog: pytest.LogCaptureFixture
) -> None:
    """Zalo's "message.unsupported.received" with no message (a protected account's) names no
    chat to answer: the poll gives no event, and a line says one was skipped (it was not
    said anywhere, when polling)."""
    caplog.set_level(logging.INFO, logger="zalo.types")
    zalo.send_raw({"event_name": "message.unsupported.received"})
    assert await client.get_updates(1) == []
    assert "Zalo event 'message.unsupported.received' without a message" in caplog.text
