"""Deleting the outbox's finished rows of long ago (OUTBOX_KEEP_DAYS), a batch at a time.

The outbox keeps every message the bot sent unasked. Its rows matter for a while after they
went out: a reply quoting a reminder finds the reminder's assignments through its row
(`db/queries/checkin.message_outbox`), `/nudge` reads who was nudged in the last hour, the
sweep who was reminded today and when last. Past OUTBOX_KEEP_DAYS (400 days by default, so
that a year's replies still find theirs) a row only takes room, and finished ones are
deleted: sent, failed or cancelled, never one still `pending` or `sending`. A reply that
quotes a message whose row is gone is read as free text, its task taken from the `#12` the
quoted message names (`app/checkin/about._replied`).

Each batch is its own short transaction (SQLite's write lock, PostgreSQL's row locks held
for one batch only), oldest first through `ix_outbox_created`; the rows' assignments
(`outbox_item`) go with them, and a reminder record pointing at one lets it go.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, bindparam, delete, func, update
from sqlalchemy import select as core_select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.states import SendStatus
from db.engine import as_connection
from db.models import Outbox, OutboxItem, Reminder

FINISHED = (SendStatus.SENT, SendStatus.FAILED, SendStatus.CANCELLED)
BATCH = 500

_O = Outbox.__table__  # type: ignore[attr-defined]
_OI = OutboxItem.__table__  # type: ignore[attr-defined]
_R = Reminder.__table__  # type: ignore[attr-defined]
_OLD = (_O.c.created_at < bindparam("before"), _O.c.status.in_([str(s) for s in FINISHED]))
_COUNT = core_select(func.count()).select_from(_O).where(*_OLD)
# Locked on PostgreSQL, skipping a row someone else holds (left for the next batch); a
# finished row is never changed again anyway (a sender leases only pending ones).
_OLDEST = (
    core_select(_O.c.id)
    .where(*_OLD)
    .order_by(_O.c.created_at)
    .limit(bindparam("limit"))
    .with_for_update(skip_locked=True)
)


def count_old(db: Session | Connection, *, before: datetime) -> int:
    """Count the finished rows queued before `before` (what a purge would delete)."""
    return int(as_connection(db).execute(_COUNT, {"before": before}).scalar_one())


def purge_batch(db: Session | Connection, *, before: datetime, limit: int = BATCH) -> int:
    """Delete up to `limit` of the oldest finished rows queued before `before`; count them."""
    connection = as_connection(db)
    ids = list(connection.scalars(_OLDEST, {"before": before, "limit": limit}))
    if not ids:
        return 0
    connection.execute(update(_R).where(_R.c.outbox_id.in_(ids)).values(outbox_id=None))
    connection.execute(delete(_OI).where(_OI.c.outbox_id.in_(ids)))
    return int(connection.execute(delete(_O).where(_O.c.id.in_(ids))).rowcount)


def purge(
    engine: Engine, *, before: datetime, max_batches: int | None = None, batch: int = BATCH
) -> int:
    """Delete the finished rows queued before `before`, a transaction a batch; count them.

    `max_batches` bounds one call (housekeeping comes back ten minutes later); None: all.
    """
    deleted, batches = 0, 0
    while max_batches is None or batches < max_batches:
        with engine.begin() as connection:
            done = purge_batch(connection, before=before, limit=batch)
        deleted, batches = deleted + done, batches + 1
        if done < batch:
            break
    return deleted
