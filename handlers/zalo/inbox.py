"""Zalo events in the inbox: recorded before they are handled, finished after, taken again.

An event is stored under this bot, epoch 0 (Zalo's message ids never repeat) and its
`message_id` before it is handled, so a redelivered one records nothing twice; marked
finished once answered. One a crash left unfinished is handled once more at the next
start (or, among several workers, by the leader once its worker is gone); one unfinished
again after that may be what stops the bot: it is given up and the admins are told.
These run in worker threads (`in_worker`); the dispatch (`dispatch.py`) decides when. Events
are recorded in groups (`keep`): a webhook's burst of 1,000 took as many transactions, each
waiting for SQLite's write lock in the update threads, ahead of Telegram's taps.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.given_up import GivenUp, report_given_up
from app.services import Services
from db.engine import as_connection
from db.queries import inbox
from db.queries.inbox import InboxKey, Unfinished
from db.queries.workers import take_orphans
from handlers.zalo.channel import CHANNEL
from scheduler.groupcommit import GroupCommit
from zalo import Event, parse_events

# The inbox keeps this much of an event's kind: Zalo's are about 25 characters, and a longer
# one (an event of a kind the bot does not know) was refused by PostgreSQL, a 500 at the
# webhook, which Zalo sends again and again. Its event, kept whole, still names it.
KIND_KEPT = 40


class ZaloInbox:
    """The inbox rows of one Zalo bot's events."""

    def __init__(self, services: Services, account: str) -> None:
        self.services = services
        self.account = account  # the bot's id

    def key(self, event: Event) -> InboxKey:
        """Return what names an event in the inbox: this bot, epoch 0, its message id."""
        return InboxKey(self.account, 0, event.message_id)

    def record(self, event: Event, db: Session | Connection) -> None:
        """Record the event in the transaction given; IntegrityError for a duplicate.

        The dispatch records a webhook's events this way, many in one transaction.
        """
        inbox.record(
            as_connection(db),
            channel=CHANNEL,
            key=self.key(event),
            kind=event.name[:KIND_KEPT],
            payload=event.raw or {},
            digest=_digest(event.raw or {}),
            now=self.services.clock.now(),
            worker=self.services.worker,
            lane=event.sender_id,
        )

    async def keep(self, event: Event, writes: GroupCommit) -> bool:
        """Record the event in `writes`' next transaction, with the others arriving
        meanwhile; False when it was recorded before (a duplicate)."""
        try:
            await writes.run(partial(self.record, event))
        except IntegrityError:
            return False
        return True

    def known(self, event: Event) -> bool:
        """Tell whether the event is in the inbox already (Zalo delivered it again)."""
        with self.services.engine.connect() as connection:
            return inbox.digest_of(connection, channel=CHANNEL, key=self.key(event)) is not None

    def finish(self, event: Event) -> None:
        """Mark the event handled."""
        with self.services.engine.begin() as connection:
            inbox.finish(
                connection, channel=CHANNEL, key=self.key(event), now=self.services.clock.now()
            )

    def unfinished(self, started: datetime) -> list[Event]:
        """Return the events from before `started` left unfinished, now claimed to run again.

        One that was run again already is given up and reported: it may be what crashed.
        """
        with self.services.engine.begin() as connection:
            rows = inbox.unfinished(connection, channel=CHANNEL, started=started)
            found = self._claim(connection, rows, started)
        self._report([row for row in rows if not row.retryable])
        return found

    def orphans(self, me: str) -> list[Event]:
        """Make dead workers' unfinished events this worker's; return those to run again."""
        now = self.services.clock.now()
        with self.services.engine.begin() as connection:
            ids = take_orphans(connection, channel=CHANNEL, me=me)
            rows = inbox.unfinished_of(connection, ids=ids, now=now)
            found = self._claim(connection, rows, now)
        self._report([row for row in rows if not row.retryable])
        return found

    def _claim(
        self, connection: Connection, rows: Sequence[Unfinished], started: datetime
    ) -> list[Event]:
        """Claim the retryable rows for one more run; return their events."""
        found: list[Event] = []
        for row in rows:
            if row.retryable and inbox.reclaim(
                connection, channel=CHANNEL, key=row.key, started=started
            ):
                found += parse_events(row.payload)
        return found

    def _report(self, rows: Sequence[Unfinished]) -> None:
        """Give up these rows and tell the admins who sent them."""
        report_given_up(self.services, [_given_up(row) for row in rows])


def _given_up(row: Unfinished) -> GivenUp:
    """Return a row given up as the admins are told of it, naming its sender."""
    events = parse_events(row.payload) if row.payload is not None else []
    sender = events[0] if events else None
    return GivenUp(
        inbox_id=row.id,
        kind=row.kind,
        who=sender.sender_name if sender is not None else "?",
        sender_id=sender.sender_id if sender is not None else "?",
        received_at=row.received_at,
    )


def _digest(payload: dict[str, Any]) -> str:
    """Return a digest of what an event carries (tells a replay from a reused id)."""
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()
