"""The Bot API's HTTP transport: python-telegram-bot's `BaseRequest` on aiohttp.

A send through PTB's own `HTTPXRequest` costs about 1 ms of CPU; through this one about
0.4 ms (the `TELEGRAM_HTTP` setting, bench/README.md section 3). It does what `HTTPXRequest`
does, the same way where the caller can see it:

- one `aiohttp.ClientSession`, made in `initialize()` on the running loop and closed in
  `shutdown()` (made again by a later `initialize()`, as PTB does after a restart);
- at most `connection_pool_size` calls at once; a call that waits longer than the pool
  timeout for one of them is `TimedOut`, not sent, as `HTTPXRequest` says it;
- the timeouts of each call (`DEFAULT_NONE`: this instance's): connect, read (each read of
  the answer, from the end of the request), pool (above) and write: aiohttp has no write
  timeout, so an uploaded file is written 64 KiB at a time, each within the write timeout
  (the media write timeout for a call with files), and a stalled upload ends; a call
  without files is a few kilobytes, which the socket's buffer takes at once;
- the body as PTB sends it: `json_parameters` form-encoded (the bytes aiohttp's `FormData`
  makes with `urllib.parse.urlencode`, built here: a `FormData` costs about 40 µs of the
  loop a call more, most of it a multipart writer, with a random boundary, made and not
  used; and `urlencode` quotes a Vietnamese text byte by byte in Python, about five times
  slower than `_quoted`), or, with files, multipart
  with those parameters as fields and each file under its name, file name and content type;
- errors: a timeout is `TimedOut`, any other aiohttp error `NetworkError` (naming its class);
  a call never sent again here: a kept-alive connection the server closes as a call goes out
  is reset after aiohttp handed the request to the socket, so it cannot tell whether Telegram
  read it (one closed while idle is not used again); the outbox sends again, as after a
  timeout, and an answer is not (`handlers/telegram/errors.py` says it may not have come);
- an http(s) proxy, its credentials (`user:password@` in its URL, UTF-8 as httpx sends
  them) sent to it alone. aiohttp cannot use a socks proxy: `telegram_request` then builds
  `HTTPXRequest`, which can.
"""

from __future__ import annotations

import asyncio
import base64
import logging
from collections.abc import Mapping
from typing import Any, Literal
from urllib.parse import unquote, urlencode, urlsplit, urlunsplit

import aiohttp
from aiohttp.abc import AbstractStreamWriter
from aiohttp.payload import BytesPayload, Payload
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData

log = logging.getLogger(__name__)

TelegramHttp = Literal["aiohttp", "httpx"]
CHUNK = 64 * 1024  # an upload is written this much at a time, each within the write timeout
POOL_TIMEOUT_MESSAGE = (
    "Pool timeout: All connections in the connection pool are occupied. Request was *not* "
    "sent to Telegram. Consider adjusting the connection pool size or the pool timeout."
)
SOCKS = ("socks4", "socks4a", "socks5", "socks5h")
# What a form-encoded value keeps as it is (urllib.parse's "always safe"); a space is "+".
_SAFE = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~"
_QUOTED = tuple(
    chr(byte) if byte in _SAFE else "+" if byte == 0x20 else f"%{byte:02X}" for byte in range(256)
)


class AiohttpRequest(BaseRequest):
    """python-telegram-bot's HTTP calls on one aiohttp session (see the module's note)."""

    def __init__(
        self,
        connection_pool_size: int = 256,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        proxy: str | None = None,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        if connection_pool_size < 1:
            raise ValueError("connection_pool_size must be at least 1")
        if proxy and urlsplit(proxy).scheme.lower() in SOCKS:
            raise ValueError("aiohttp cannot use a socks proxy: use HTTPXRequest")
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._proxy, self._proxy_headers = _proxy_parts(proxy)
        self._default = _client_timeout(connect_timeout, read_timeout)
        self._session: aiohttp.ClientSession | None = None
        self._slots = asyncio.Semaphore(connection_pool_size)  # made again on each loop

    @property
    def read_timeout(self) -> float | None:
        """The read timeout of a call that names none (PTB adds it to getUpdates' timeout)."""
        return self._read_timeout

    @property
    def session(self) -> aiohttp.ClientSession | None:
        """The open session, None before `initialize()` and after `shutdown()`."""
        return self._session if self._session is not None and not self._session.closed else None

    async def initialize(self) -> None:
        """Open the session on the running loop (again after a shutdown)."""
        if self.session is not None:
            return
        self._slots = asyncio.Semaphore(self._pool_size)
        connector = aiohttp.TCPConnector(limit=self._pool_size, limit_per_host=0)
        self._session = aiohttp.ClientSession(
            connector=connector,
            headers={"User-Agent": self.USER_AGENT},
            cookie_jar=aiohttp.DummyCookieJar(),  # Telegram sets none; nothing to keep
            timeout=self._default,
            trust_env=False,  # the proxy is the one given (HTTPS_PROXY of the settings)
            raise_for_status=False,  # PTB reads the status and the answer's description
        )

    async def shutdown(self) -> None:
        """Close the session and its connections."""
        session, self._session = self._session, None
        if session is not None and not session.closed:
            await session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Make the call; return the answer's status and body (PTB reads them)."""
        session = self.session
        if session is None:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        data: Any = None
        if request_data is not None:
            data = request_data.json_parameters
            files = request_data.multipart_data
            if isinstance(write_timeout, DefaultValue):
                write_timeout = self._media_write_timeout if files else self._write_timeout
            data = _multipart(data, files, write_timeout) if files else _form(data)
        if isinstance(pool_timeout, DefaultValue):
            pool_timeout = self._pool_timeout
        timeout = self._default
        if not isinstance(read_timeout, DefaultValue) or not isinstance(
            connect_timeout, DefaultValue
        ):
            timeout = _client_timeout(
                _given(connect_timeout, self._connect_timeout),
                _given(read_timeout, self._read_timeout),
            )
        slots = self._slots  # released to the pool it was taken from, even after a restart
        await _take_slot(slots, pool_timeout)
        try:
            async with session.request(
                method,
                url,
                data=data,
                timeout=timeout,
                # The credentials go to the proxy alone: in the CONNECT of an https call,
                # in the request itself of an http one (which the proxy reads and forwards).
                headers=self._proxy_headers if url.startswith("http:") else None,
                proxy=self._proxy,
                proxy_headers=self._proxy_headers,
            ) as response:
                return response.status, await response.read()
        except TimeoutError as error:  # aiohttp's own timeouts are TimeoutErrors too
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{error.__class__.__name__}: {error}") from error
        finally:
            slots.release()


async def _take_slot(slots: asyncio.Semaphore, pool_timeout: float | None) -> None:
    """Take one of the pool's calls, waiting at most `pool_timeout`."""
    if not slots.locked():
        await slots.acquire()  # free: taken without waiting
        return
    try:
        async with asyncio.timeout(pool_timeout):
            await slots.acquire()
    except TimeoutError as error:
        raise TimedOut(message=POOL_TIMEOUT_MESSAGE) from error


def telegram_request(
    kind: TelegramHttp, *, connection_pool_size: int, proxy: str | None = None
) -> BaseRequest:
    """Return the transport `TELEGRAM_HTTP` names, PTB's default timeouts.

    `httpx` is python-telegram-bot's own `HTTPXRequest`; so is `aiohttp` with a socks
    proxy, which aiohttp cannot use (said once in the log).
    """
    if kind == "aiohttp" and proxy and urlsplit(proxy).scheme.lower() in SOCKS:
        log.info("TELEGRAM_HTTP=aiohttp cannot use a socks proxy: using httpx")
        kind = "httpx"
    if kind == "httpx":
        return HTTPXRequest(connection_pool_size=connection_pool_size, proxy=proxy or None)
    return AiohttpRequest(connection_pool_size=connection_pool_size, proxy=proxy or None)


def _given(value: ODVInput[float], default: float | None) -> float | None:
    """Return a call's timeout, or the instance's when the call names none."""
    return default if isinstance(value, DefaultValue) else value


def _client_timeout(connect: float | None, read: float | None) -> aiohttp.ClientTimeout:
    """Return aiohttp's timeouts for a call: connect (DNS and TCP/TLS), each read."""
    return aiohttp.ClientTimeout(total=None, connect=connect, sock_connect=connect, sock_read=read)


def _proxy_parts(proxy: str | None) -> tuple[str | None, Mapping[str, str] | None]:
    """Return the proxy's URL without credentials, and the header that carries them."""
    if not proxy:
        return None, None
    parts = urlsplit(proxy)
    if parts.username is None:
        return proxy, None
    login = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
    auth = "Basic " + base64.b64encode(login.encode()).decode()  # UTF-8, as httpx sends it
    netloc = parts.hostname or ""
    if ":" in netloc:  # an IPv6 address
        netloc = f"[{netloc}]"
    if parts.port is not None:
        netloc += f":{parts.port}"
    bare = urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    return bare, {"Proxy-Authorization": auth}


def _form(fields: Mapping[str, str]) -> BytesPayload:
    """Return the form-encoded body aiohttp's `FormData` makes of `fields` (UTF-8)."""
    if all(isinstance(value, str) for value in fields.values()):
        body = "&".join(f"{_quoted(k)}={_quoted(v)}" for k, v in fields.items()).encode()
    else:  # PTB gives strings; anything else is encoded as aiohttp would
        body = urlencode(list(fields.items()), doseq=True, encoding="utf-8").encode()
    return BytesPayload(body, content_type="application/x-www-form-urlencoded")


def _quoted(text: str) -> str:
    """Return `urllib.parse.quote_plus(text)` (UTF-8): the same characters, about five
    times faster on a Vietnamese text, whose every accented letter the standard library
    quotes one byte at a time in Python."""
    data = text.encode()
    if not data.rstrip(_SAFE):
        return text
    return "".join(map(_QUOTED.__getitem__, data))


def _multipart(
    fields: Mapping[str, str],
    files: Mapping[str, tuple[str, Any, str]],
    write_timeout: float | None,
) -> aiohttp.FormData:
    """Return the multipart body PTB's `HTTPXRequest` sends: the fields, then the files."""
    form = aiohttp.FormData(quote_fields=False)
    for name, value in fields.items():
        form.add_field(name, value)
    for name, (filename, content, content_type) in files.items():
        body = content if isinstance(content, bytes) else content.read()
        form.add_field(
            name,
            _TimedUpload(body, write_timeout, content_type=content_type),
            filename=filename,
            content_type=content_type,
        )
    return form


class _TimedUpload(Payload):
    """A file's content, written a chunk at a time, each within the write timeout."""

    _value: bytes
    _autoclose = True  # bytes in memory: nothing to close

    def __init__(self, value: bytes, write_timeout: float | None, **kwargs: Any) -> None:
        super().__init__(value, **kwargs)
        self._size = len(value)
        self._write_timeout = write_timeout

    def decode(self, encoding: str = "utf-8", errors: str = "strict") -> str:
        return self._value.decode(encoding, errors)

    async def as_bytes(self, encoding: str = "utf-8", errors: str = "strict") -> bytes:
        return self._value

    async def write(self, writer: AbstractStreamWriter) -> None:
        await self.write_with_length(writer, None)

    async def write_with_length(
        self, writer: AbstractStreamWriter, content_length: int | None
    ) -> None:
        data = memoryview(self._value)
        if content_length is not None:
            data = data[:content_length]
        for start in range(0, len(data), CHUNK):
            async with asyncio.timeout(self._write_timeout):
                await writer.write(data[start : start + CHUNK])
