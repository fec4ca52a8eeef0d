"""The Bot API's aiohttp transport (handlers/telegram/transport.py), against the fake server."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import datetime as dtm
import threading
from collections.abc import AsyncIterator, Iterator
from urllib.parse import urlencode

import pytest
from sqlalchemy.engine import Engine
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.constants import ParseMode
from telegram.error import NetworkError, RetryAfter, TimedOut
from telegram.request import HTTPXRequest, RequestData
from telegram.request._requestparameter import RequestParameter

from bot.app import build_application
from bot.settings import Settings
from devtools.fakebotapi import FakeBotApi, Fault, FaultRule
from handlers.telegram.raw_updates import RawUpdates
from handlers.telegram.transport import AiohttpRequest, _form, telegram_request

USER = 4401
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + (64).to_bytes(4, "big") * 2 + bytes(200)


@pytest.fixture
def server() -> Iterator[FakeBotApi]:
    """Run a fake Bot API server with one user who started the bot."""
    with FakeBotApi() as running:
        running.add_user(USER, "An").started = True
        yield running


def bot_on(server: FakeBotApi, request: AiohttpRequest) -> Bot:
    """Return a Bot whose calls, getUpdates and file downloads included, go through `request`."""
    return Bot(
        server.token,
        base_url=server.base_url,
        base_file_url=server.base_file_url,
        request=request,
        get_updates_request=RawUpdates(AiohttpRequest(connection_pool_size=1)),
    )


@pytest.fixture
async def bot(server: FakeBotApi) -> AsyncIterator[Bot]:
    """Return an initialized Bot on the aiohttp transport."""
    async with bot_on(server, AiohttpRequest()) as client:
        yield client


@pytest.fixture
def timedelta_retry_after(monkeypatch: pytest.MonkeyPatch) -> None:
    """Opt in to PTB's timedelta retry_after (else reading it warns, and warnings fail)."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


async def test_a_send_arrives_with_its_text_markup_and_buttons(
    bot: Bot, server: FakeBotApi
) -> None:
    """A sendMessage carries its parameters as python-telegram-bot gives them."""
    buttons = InlineKeyboardMarkup([[InlineKeyboardButton("Xong ✓", callback_data="st:done:12")]])

    sent = await bot.send_message(
        USER, "<b>Nhắc việc</b> #12 — hạn 05/12", parse_mode=ParseMode.HTML, reply_markup=buttons
    )

    [message] = server.messages(USER)
    assert message.message_id == sent.message_id
    assert message.sent_text == "<b>Nhắc việc</b> #12 — hạn 05/12"
    assert message.parse_mode == "HTML"
    assert message.reply_markup == buttons.to_dict()
    call = server.last_call("sendMessage")
    assert call is not None
    assert call.params["chat_id"] == USER


TRICKY = (
    "Đã xong 100% — việc #12 ✓ 😀",
    "a b+c&d=e%20f/g?h~i*j'k(l)!",
    "",
    "  \u200b\u00a0\t\n",
    "<b>Nhắc việc</b> <i>hạn</i> 05/12",
)


@pytest.mark.parametrize("text", TRICKY)
async def test_a_text_arrives_as_sent_and_its_body_as_urlencode_makes_it(
    bot: Bot, server: FakeBotApi, text: str
) -> None:
    """The transport form-encodes a call's parameters itself (faster than the standard
    library on Vietnamese): every character arrives, in the bytes `urlencode` makes."""
    data = RequestData(
        [RequestParameter("chat_id", USER, None), RequestParameter("text", text, None)]
    )
    params = {"chat_id": str(USER), "text": text}
    expected = urlencode(list(params.items()), doseq=True, encoding="utf-8").encode()

    assert _form(data.json_parameters)._value == expected
    sent = await bot.send_message(USER, text or "·")

    assert server.messages(USER)[-1].sent_text == (text or "·")
    assert sent.text is not None


@pytest.mark.usefixtures("timedelta_retry_after")
async def test_a_429_is_retry_after_its_seconds(bot: Bot, server: FakeBotApi) -> None:
    server.add_fault(FaultRule(Fault.flood(7), methods={"sendMessage"}, times=1))

    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(USER, "x")

    assert caught.value.retry_after == dtm.timedelta(seconds=7)
    assert (await bot.send_message(USER, "y")).text == "y"


async def test_a_5xx_is_a_network_error(bot: Bot, server: FakeBotApi) -> None:
    server.add_fault(FaultRule(Fault.server_error(502, "Bad Gateway"), methods={"sendMessage"}))

    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_message(USER, "x")
    assert server.messages(USER) == []


async def test_a_slow_answer_past_the_read_timeout_is_timed_out(
    bot: Bot, server: FakeBotApi
) -> None:
    """The call's read timeout holds; the next call with the default one is answered."""
    gate = threading.Event()  # the first answer is held until the test is done with it
    server.add_fault(FaultRule(Fault.hold(gate), methods={"sendMessage"}, times=1))

    try:
        with pytest.raises(TimedOut):
            # The guard's TimeoutError is no TimedOut: it only keeps a hang from lasting.
            await asyncio.wait_for(bot.send_message(USER, "x", read_timeout=0.2), timeout=30)
    finally:
        gate.set()
    assert (await bot.send_message(USER, "y")).text == "y"


async def test_the_instance_read_timeout_holds_when_the_call_names_none(
    server: FakeBotApi,
) -> None:
    gate = threading.Event()
    server.add_fault(FaultRule(Fault.hold(gate), methods={"sendMessage"}, times=1))

    async with bot_on(server, AiohttpRequest(read_timeout=0.2)) as bot:
        try:
            with pytest.raises(TimedOut):
                await asyncio.wait_for(bot.send_message(USER, "x"), timeout=30)  # guard
        finally:
            gate.set()


async def test_a_full_pool_is_timed_out_and_the_call_never_sent(server: FakeBotApi) -> None:
    """One connection, held by a slow call: the next waits the pool timeout, then gives up."""
    gate, reached = threading.Event(), threading.Event()
    server.add_fault(FaultRule(Fault.hold(gate, reached), methods={"sendMessage"}, times=1))

    async with bot_on(server, AiohttpRequest(connection_pool_size=1, pool_timeout=0.1)) as bot:
        slow = asyncio.create_task(bot.send_message(USER, "slow"))
        try:
            assert await asyncio.to_thread(reached.wait, 10)  # it holds the one connection
            with pytest.raises(TimedOut, match="Pool timeout"):
                await asyncio.wait_for(bot.send_message(USER, "waits"), timeout=30)  # guard
        finally:
            gate.set()
        assert (await slow).text == "slow"

    assert [m.text for m in server.messages(USER)] == ["slow"]


async def test_an_unreachable_server_is_a_network_error(server: FakeBotApi) -> None:
    async with bot_on(server, AiohttpRequest()) as bot:
        await asyncio.to_thread(server.stop)  # the kept connection is seen closed meanwhile
        with pytest.raises(NetworkError, match=r"aiohttp\.ClientConnectorError"):
            await bot.send_message(USER, "x")


async def test_a_document_arrives_whole_with_its_name_and_type(
    bot: Bot, server: FakeBotApi
) -> None:
    """Multipart as httpx sends it: the parameters as fields, the file with its name."""
    content = bytes(range(256)) * 1200  # 300 KiB: several chunks of the timed write
    sent = await bot.send_document(
        USER,
        content,
        filename="Báo cáo tiến độ.xlsx",
        caption="<i>Tổng hợp</i> tuần",
        parse_mode=ParseMode.HTML,
    )

    assert sent.document is not None
    call = server.last_call("sendDocument")
    assert call is not None
    [upload] = call.files
    stored = call.params
    assert stored["caption"] == "<i>Tổng hợp</i> tuần"
    assert stored["parse_mode"] == "HTML"
    assert sent.document.file_name == "Báo cáo tiến độ.xlsx"
    assert sent.document.mime_type == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert server.file_content(sent.document.file_id) == content
    assert upload == "document"


async def test_an_upload_that_stalls_is_timed_out() -> None:
    """aiohttp has no write timeout: a file is written a chunk at a time, each within it.

    No read timeout is set: only the write timeout can end the call (without it, the call
    would wait forever and the guard's TimeoutError, not TimedOut, would end the test).
    """
    stalled: list[asyncio.StreamWriter] = []

    async def never_read(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        stalled.append(writer)  # accepted, never read: the socket's buffers fill up

    listening = await asyncio.start_server(never_read, "127.0.0.1", 0)
    port = listening.sockets[0].getsockname()[1]
    request = AiohttpRequest(media_write_timeout=0.3, read_timeout=None)
    await request.initialize()
    upload = RequestParameter.from_input("document", InputFile(bytes(64 << 20), filename="a.bin"))
    try:
        with pytest.raises(TimedOut):
            await asyncio.wait_for(
                request.post(
                    f"http://127.0.0.1:{port}/bot1:x/sendDocument", RequestData([upload])
                ),
                timeout=60,  # a guard against a hang only
            )
    finally:
        await request.shutdown()
        for writer in stalled:
            writer.close()
        listening.close()
        await listening.wait_closed()


async def test_a_photo_arrives_whole(bot: Bot, server: FakeBotApi) -> None:
    sent = await bot.send_photo(USER, PNG, caption="Ảnh hiện trường")

    assert sent.photo
    assert server.file_content(sent.photo[-1].file_id) == PNG


async def test_a_file_downloads_through_get_file(bot: Bot, server: FakeBotApi) -> None:
    """A user's document is fetched with getFile, then downloaded with a GET."""
    content = "Danh sách đơn vị\n".encode() * 5000
    server.send_document(USER, content, "don-vi.csv", "text/csv")

    [update] = await bot.get_updates()
    assert update.message is not None
    assert update.message.document is not None
    file = await update.message.document.get_file()

    assert bytes(await file.download_as_bytearray()) == content


async def test_get_updates_keeps_each_update_json_for_the_inbox(
    server: FakeBotApi,
) -> None:
    raw = RawUpdates(AiohttpRequest(connection_pool_size=1))
    server.send_text(USER, "xong")
    async with Bot(server.token, base_url=server.base_url, get_updates_request=raw) as bot:
        [update] = await bot.get_updates(timeout=1)

    assert raw.take(update)["message"]["text"] == "xong"
    assert raw.read_timeout == 5.0


async def test_shutdown_closes_the_session_and_initialize_opens_another(
    server: FakeBotApi,
) -> None:
    request = AiohttpRequest()
    await request.initialize()
    first = request.session
    assert first is not None

    await request.shutdown()

    assert first.closed
    assert request.session is None
    with pytest.raises(NetworkError, match="not initialized"):
        await request.post(f"{server.base_url}{server.token}/getMe")
    await request.initialize()
    assert request.session is not None
    assert request.session is not first
    assert (await request.post(f"{server.base_url}{server.token}/getMe"))["is_bot"] is True
    await request.shutdown()


async def test_an_http_proxy_carries_the_calls_with_its_credentials(
    server: FakeBotApi,
) -> None:
    """HTTPS_PROXY's `user:password@` is sent to the proxy, as Proxy-Authorization."""
    async with forward_proxy() as proxy:
        url = f"http://dondoc:m%E1%BA%ADt@127.0.0.1:{proxy.port}"
        async with bot_on(server, AiohttpRequest(proxy=url)) as bot:
            assert (await bot.send_message(USER, "qua proxy")).text == "qua proxy"

    token = base64.b64encode("dondoc:mật".encode()).decode()
    assert f"Basic {token}" in proxy.authorizations
    assert any(line.startswith("POST http://127.0.0.1:") for line in proxy.request_lines)
    assert [m.text for m in server.messages(USER)] == ["qua proxy"]


def test_a_socks_proxy_takes_python_telegram_bots_httpx() -> None:
    assert isinstance(telegram_request("aiohttp", connection_pool_size=1), AiohttpRequest)
    httpx = telegram_request("httpx", connection_pool_size=1)
    assert isinstance(httpx, HTTPXRequest)
    assert not isinstance(
        telegram_request("aiohttp", connection_pool_size=1, proxy="http://127.0.0.1:3128"),
        HTTPXRequest,
    )
    with pytest.raises(ValueError, match="socks"):
        AiohttpRequest(proxy="socks5://127.0.0.1:1080")


@pytest.mark.parametrize(
    ("kind", "transport"), [("aiohttp", AiohttpRequest), ("httpx", HTTPXRequest)]
)
def test_the_setting_chooses_the_bots_transport(
    settings: Settings, engine: Engine, kind: str, transport: type
) -> None:
    """TELEGRAM_HTTP builds the bot's calls and its getUpdates on the transport it names."""
    chosen = settings.model_copy(update={"telegram_http": kind})

    application = build_application(chosen, engine=engine)

    get_updates, calls = application.bot._request  # (getUpdates', every other call's)
    assert isinstance(calls, transport)
    assert isinstance(get_updates, RawUpdates)
    assert isinstance(get_updates.transport, transport)


class ForwardProxy:
    """A plain HTTP forward proxy on loopback: one request a connection, recorded."""

    def __init__(self) -> None:
        self.port = 0
        self.request_lines: list[str] = []
        self.authorizations: list[str] = []

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        method, target, version = head[0].split(" ")
        self.request_lines.append(head[0])
        headers = [h for h in head[1:] if h]
        length = 0
        kept = []
        for header in headers:
            name, value = header.split(":", 1)
            if name.lower() == "proxy-authorization":
                self.authorizations.append(value.strip())
                continue
            if name.lower() == "content-length":
                length = int(value)
            if name.lower() not in ("connection", "proxy-connection"):
                kept.append(header)
        body = await reader.readexactly(length)
        host, _, rest = target.removeprefix("http://").partition("/")
        name, port = host.split(":")
        up_reader, up_writer = await asyncio.open_connection(name, int(port))
        request = [f"{method} /{rest} {version}", *kept, "Connection: close", "", ""]
        up_writer.write("\r\n".join(request).encode("latin-1") + body)
        writer.write(await up_reader.read())  # the answer whole, to the upstream's close
        await writer.drain()
        up_writer.close()
        writer.close()


@contextlib.asynccontextmanager
async def forward_proxy() -> AsyncIterator[ForwardProxy]:
    proxy = ForwardProxy()
    listening = await asyncio.start_server(proxy.handle, "127.0.0.1", 0)
    proxy.port = listening.sockets[0].getsockname()[1]
    try:
        yield proxy
    finally:
        listening.close()
        await listening.wait_closed()
