"""What comes in: each update received once, and the `dondoc serve` workers that run them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from db.models.columns import _created, _when
from db.types import UTCDateTime, utcnow


class Inbox(SQLModel, table=True):
    """An update received from a channel, recorded once (duplicates are dropped).

    An update is known by its channel, the account that received it (the Telegram bot's id,
    a Zalo official account's id), the epoch of that account's update ids and its id within
    them. A channel whose ids are unique for ever (Zalo's message ids) keeps epoch 0; the
    Telegram inbox starts a new epoch when a server's update ids start again lower down
    (handlers/telegram/epochs.py), so that a new server's updates never look like replays.
    `digest` tells a replay (same content) from a new update that reuses a known id.

    `processed_at` is set when the bot is done with the update: its handlers finished (also
    when they ended in the error handler, which told the person), or, after a retry that
    did not finish either, when the admins were told. Until then `payload` keeps the update
    so that it can be retried once after a restart (`attempts` counts those retries).

    Under several workers (`WORKERS=multi`): `worker` names the process that recorded (or
    took over) the update, so a live worker's unfinished updates are not run twice and a
    dead one's are taken over (`db/queries/workers.py`); `lane` names the person, whose
    updates run one after another in the order received, whichever worker took them.
    """

    __tablename__ = "inbox"
    __table_args__ = (
        UniqueConstraint("channel", "account", "epoch", "update_id", name="uq_inbox_update"),
        # Only the unfinished rows: a person's earlier update still open, a dead worker's.
        Index(
            "ix_inbox_open_lane",
            "channel",
            "lane",
            postgresql_where=text("processed_at IS NULL"),
            sqlite_where=text("processed_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(default="telegram", max_length=20)
    account: str = Field(default="", max_length=64, sa_column_kwargs={"server_default": ""})
    epoch: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    update_id: str = Field(max_length=64)
    # A digest of what the update carries: the same id with other content is not a replay.
    digest: str = Field(default="", max_length=32, sa_column_kwargs={"server_default": ""})
    kind: str = Field(default="", max_length=40)
    received_at: datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, nullable=False, index=True
    )
    processed_at: datetime | None = _when()
    attempts: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    payload: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    worker: str | None = Field(default=None, max_length=80)
    lane: str | None = Field(default=None, max_length=80)


class Worker(SQLModel, table=True):
    """A `dondoc serve` process under `WORKERS=multi`, seen alive at `seen_at`.

    Each worker writes its row every second from its roles connection (scheduler/roles.py);
    one not seen for `db/queries/workers.DEAD_AFTER` is dead, and its unfinished updates are
    taken over by the leader.
    """

    __tablename__ = "worker"

    id: str = Field(primary_key=True, max_length=80)
    started_at: datetime = _created()
    seen_at: datetime = _created()
