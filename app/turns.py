"""One file at a time per person: an export or a report is built only once at a time for them.

A workbook or a report is up to a minute of a worker process. A person asking again while
theirs is being built (a double tap, a link opened twice, Telegram and the dashboard at
once) is told to wait, rather than queueing more work ahead of everyone else's. A turn is
taken on the event loop in the process first; among several workers (`WORKERS=multi`, where
a proxy spreads one person's requests over them) it is also leased in the database
(`SharedTurns`), so that a second ask on another worker is told to wait the same way. The
lease is a row of the single-use links' store, named by the turn: it lapses after
`used_links.LEASE` when the worker holding it died mid-build.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy.engine import Engine

from core.clock import Clock
from db.engine import session_scope
from db.queries import used_links

OffLoop = Callable[..., Awaitable[Any]]  # runs a blocking function off the event loop
log = logging.getLogger(__name__)


class SharedTurns:
    """The turns every worker on one database sees: a lease per kind and person."""

    def __init__(self, engine: Engine, clock: Clock, off_loop: OffLoop) -> None:
        self._engine, self._clock, self._off_loop = engine, clock, off_loop

    async def take(self, key: str) -> bool:
        """Lease the turn named `key`; False while another worker holds it."""

        def take() -> bool:
            now = self._clock.now()
            with session_scope(self._engine) as session:
                return used_links.take(
                    session, signature=key, expires_at=now + used_links.LEASE, now=now
                )

        return bool(await self._off_loop(take))

    async def give_back(self, key: str) -> None:
        """End the lease (a failure is logged: the lease then lapses by itself)."""

        def give_back() -> None:
            with session_scope(self._engine) as session:
                used_links.give_back(session, signature=key)

        try:
            await self._off_loop(give_back)
        except Exception:
            log.warning("turn %s not given back; it lapses by itself", key, exc_info=True)


class Turns:
    """The files being built now, by kind and person."""

    def __init__(self, shared: SharedTurns | None = None) -> None:
        self._busy: set[tuple[str, str]] = set()
        self._shared = shared

    @asynccontextmanager
    async def turn(self, kind: str, person: int | str) -> AsyncIterator[bool]:
        """Hold the person's turn for this kind of file; yield False if theirs is being built."""
        key = (kind, str(person))
        if key in self._busy:
            yield False
            return
        self._busy.add(key)
        try:
            shared, name = self._shared, f"turn:{kind}:{person}"
            if shared is None:
                yield True
            elif not await shared.take(name):
                yield False
            else:
                try:
                    yield True
                finally:
                    await shared.give_back(name)
        finally:
            self._busy.discard(key)
