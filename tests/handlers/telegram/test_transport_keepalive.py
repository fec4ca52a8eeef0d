"""The aiohttp transport on a loopback server that closes its kept-alive connections.

Telegram closes a connection idle for a while; a call that goes out as it does is reset. A
connection closed while idle is not used again (the next call opens one); one closed as the
call goes out ends in NetworkError, sent once: aiohttp hands the request to the socket
before the reset comes back, so it cannot tell whether Telegram read it, and the transport
does not send it again blindly (the outbox sends again, as after a timeout).
"""

from __future__ import annotations

import asyncio
import select
import socket
import threading
from collections.abc import AsyncIterator
from contextlib import closing

import pytest
from telegram.error import NetworkError

from handlers.telegram.transport import AiohttpRequest

BODY = b'{"ok":true,"result":true}'
ANSWER = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: keep-alive\r\n"
    b"Content-Length: %d\r\n\r\n%s" % (len(BODY), BODY)
)


class ClosingServer:
    """An HTTP/1.1 server on loopback answering one call a connection, then closing it:
    at once (`idle`: a connection left idle), or once the next call is read, unanswered."""

    def __init__(self, *, idle: bool) -> None:
        self.idle = idle
        self.read = 0  # the calls read
        self.connections = 0
        self.closed = threading.Event()  # a connection was closed
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}/bot/getMe"
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> ClosingServer:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._listener.close()

    def _serve(self) -> None:
        """Serve connections one after another until the listener is closed."""
        while True:
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return
            self.connections += 1
            with closing(connection):
                if not self._call(connection):
                    continue
                connection.sendall(ANSWER)
                if not self.idle:
                    select.select([connection], [], [], 5)
                    self._call(connection)  # read, then closed unanswered: a reset
                    connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\1\0\0\0\0\0\0\0")
            self.closed.set()

    def _call(self, connection: socket.socket) -> bool:
        """Read one call whole (its head and body); False when the client closed first."""
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = connection.recv(65536)
            if not chunk:
                return False
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = next(
            (
                int(line.split(b":")[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            ),
            0,
        )
        while len(body) < length:
            body += connection.recv(65536)
        self.read += 1
        return True


@pytest.fixture
async def request_() -> AsyncIterator[AiohttpRequest]:
    """Return an initialized transport."""
    transport = AiohttpRequest()
    await transport.initialize()
    try:
        yield transport
    finally:
        await transport.shutdown()


async def seen_closed(transport: AiohttpRequest, server: ClosingServer) -> None:
    """Wait until the server closed the connection and the client's loop read its end."""
    await asyncio.to_thread(server.closed.wait, 5)
    session = transport.session
    assert session is not None
    for _ in range(1000):
        idle = [proto for conns in session.connector._conns.values() for proto, _ in conns]  # type: ignore[union-attr]
        if not any(proto.is_connected() for proto in idle):
            return
        await asyncio.sleep(0)
    raise AssertionError("the closed connection is still taken for open")


async def test_a_connection_closed_while_idle_is_not_used_again(
    request_: AiohttpRequest,
) -> None:
    """The server closes the kept-alive connection after a call: the next call opens a new
    one and is answered."""
    with ClosingServer(idle=True) as server:
        assert await request_.post(server.url) is True
        await seen_closed(request_, server)
        assert await request_.post(server.url) is True
    assert (server.connections, server.read) == (2, 2)


async def test_a_call_reset_as_it_goes_out_is_a_network_error_sent_once(
    request_: AiohttpRequest,
) -> None:
    """The server reads the second call on the kept-alive connection and closes it
    unanswered: NetworkError, and the call was not sent again by the transport."""
    with ClosingServer(idle=False) as server:
        assert await request_.post(server.url) is True
        with pytest.raises(NetworkError, match="aiohttp"):
            await request_.post(server.url)
        await asyncio.to_thread(server.closed.wait, 5)
    assert (server.connections, server.read) == (1, 2)
