"""The queue of updates waiting for getUpdates, confirmed by offset like Telegram's."""

from __future__ import annotations

import secrets
from collections import deque
from collections.abc import Iterable

from devtools.fakebotapi.records import JsonDict, UpdateRecord

# Telegram leaves these out unless allowed_updates names them.
_OPT_IN_KINDS = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


def update_kind(payload: JsonDict) -> str:
    """Return the update's type: its one key besides update_id."""
    return next((key for key in payload if key != "update_id"), "unknown")


FIRST_ID_LOW = 100_000_000
FIRST_ID_SPAN = 1_900_000_000  # ids stay below 2**31, as Telegram's do


def first_update_id() -> int:
    """Return a random first update id, so two servers' ids (almost) never meet."""
    return FIRST_ID_LOW + secrets.randbelow(FIRST_ID_SPAN)


class UpdateQueue:
    """Pending updates in id order plus the log of every update ever offered.

    Not thread-safe by itself: the caller holds the server state's lock.
    """

    def __init__(self, first_id: int | None = None) -> None:
        # A random high base, as Telegram's ids look: a bot that keeps its database across
        # restarts of this server must not take a new server's updates for replays.
        self._next_id = first_id if first_id is not None else first_update_id()
        self._pending: deque[UpdateRecord] = deque()
        self._allowed: frozenset[str] | None = None
        self.log: list[UpdateRecord] = []

    def push(self, payload: JsonDict, now: float) -> UpdateRecord:
        """Queue `payload` under a fresh update id (replacing any id it carries)."""
        update_id = self._next_id
        self._next_id += 1
        body = {"update_id": update_id, **{k: v for k, v in payload.items() if k != "update_id"}}
        record = UpdateRecord(update_id, update_kind(body), body, available_at=now)
        self._pending.append(record)
        self.log.append(record)
        return record

    def requeue(self, update_id: int, now: float) -> UpdateRecord:
        """Offer an already confirmed update again under the same id, as after a lost offset."""
        original = next((r for r in self.log if r.update_id == update_id), None)
        if original is None:
            raise KeyError(f"no update {update_id} was ever offered")
        record = UpdateRecord(update_id, original.kind, dict(original.payload), available_at=now)
        self._pending.append(record)
        self.log.append(record)
        return record

    def pending_count(self) -> int:
        """Return how many updates are not yet confirmed."""
        return len(self._pending)

    def confirm(self, offset: int, now: float) -> None:
        """Forget updates below `offset`; a negative offset keeps only the last -offset."""
        if offset < 0:
            while len(self._pending) > -offset:
                self._pending.popleft().confirmed_at = now
            return
        while self._pending and self._pending[0].update_id < offset:
            self._pending.popleft().confirmed_at = now

    def drop_all(self, now: float) -> None:
        """Forget every pending update (deleteWebhook with drop_pending_updates)."""
        while self._pending:
            self._pending.popleft().confirmed_at = now

    def set_allowed(self, allowed: Iterable[str] | None) -> None:
        """Remember allowed_updates; None keeps the previous setting, [] means the default."""
        if allowed is not None:
            self._allowed = frozenset(allowed) or None

    def take(self, limit: int, now: float) -> list[JsonDict]:
        """Return up to `limit` deliverable updates, dropping kinds that are not allowed."""
        batch: list[JsonDict] = []
        refused: list[UpdateRecord] = []
        for record in self._pending:
            if len(batch) >= limit:
                break
            if not self._is_allowed(record.kind):
                refused.append(record)
                continue
            if record.delivered_at is None:
                record.delivered_at = now
            batch.append(record.payload)
        for record in refused:
            self._pending.remove(record)
            record.confirmed_at = now
        return batch

    def _is_allowed(self, kind: str) -> bool:
        """Tell whether an update kind passes the allowed_updates setting."""
        if self._allowed is None:
            return kind not in _OPT_IN_KINDS
        return kind in self._allowed
