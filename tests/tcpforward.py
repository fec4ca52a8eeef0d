"""A TCP forwarder on loopback, between a bot process and its PostgreSQL, that a test can cut.

`cut()` ends the forwarded connections on the client's side only, as a network cut seen
first by the client does (its keepalives gave up, a reset reached it): the bot's connections
fail, while PostgreSQL still sees theirs open, their server processes (and a session's
advisory locks) alive, until its own keepalives find them dead. New connections are
forwarded as before.
"""

from __future__ import annotations

import socket
import threading
from contextlib import suppress
from types import TracebackType


class Forwarder:
    """Forward connections to 127.0.0.1:`port` to `host`:`to_port` while it is entered."""

    def __init__(self, port: int, host: str, to_port: int) -> None:
        self.port, self.to = port, (host, to_port)
        self._listener: socket.socket | None = None
        self._lock = threading.Lock()
        self._pairs: list[tuple[socket.socket, socket.socket]] = []
        self._cut: set[socket.socket] = set()  # client sides ended by `cut`
        self._kept: list[socket.socket] = []  # the connections cut (server sides left open)

    def __enter__(self) -> Forwarder:
        self._listener = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, args=(self._listener,), daemon=True).start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._listener is not None:
            with suppress(OSError):  # wakes the accept: the port is free once this returns
                self._listener.shutdown(socket.SHUT_RDWR)
            self._listener.close()
        with self._lock:
            ends = [s for pair in self._pairs for s in pair] + self._kept
            self._pairs, self._kept = [], []
        for sock in ends:
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def cut(self) -> int:
        """End every forwarded connection on the client's side; return how many."""
        with self._lock:
            pairs, self._pairs = self._pairs, []
            self._cut.update(client for client, _ in pairs)
            self._kept.extend(s for pair in pairs for s in pair)  # closed at the end
        for client, _ in pairs:
            with suppress(OSError):
                client.shutdown(socket.SHUT_RDWR)
        return len(pairs)

    def _accept(self, listener: socket.socket) -> None:
        with suppress(OSError):
            while True:
                client, _ = listener.accept()
                upstream = socket.create_connection(self.to)
                with self._lock:
                    self._pairs.append((client, upstream))
                for source, target in ((client, upstream), (upstream, client)):
                    args = (source, target, client)
                    threading.Thread(target=self._pipe, args=args, daemon=True).start()

    def _pipe(self, source: socket.socket, target: socket.socket, client: socket.socket) -> None:
        with suppress(OSError):
            while data := source.recv(65536):
                target.sendall(data)
        if client not in self._cut:  # a cut says nothing to the server
            with suppress(OSError):
                target.shutdown(socket.SHUT_WR)
