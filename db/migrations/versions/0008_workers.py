"""workers: several `dondoc serve` processes on one PostgreSQL database

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 08:00:00

`inbox.worker` names the process that recorded an update (or took it over from a dead one),
`inbox.lane` the person whose updates run in order; a partial index holds only the
unfinished rows. `worker` keeps each process's last sign of life (written every second under
`WORKERS=multi`); `send_budget` one row per channel, the next slot of the sending rate
the workers share, and `send_slot` the slots handed out, with when their calls returned. Rows from before stay NULL: a single process never reads these columns.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from db.types import UTCDateTime

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = sa.text("processed_at IS NULL")


def upgrade() -> None:
    with op.batch_alter_table("inbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("worker", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True))
        batch_op.add_column(sa.Column("lane", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True))
    op.create_index(
        "ix_inbox_open_lane",
        "inbox",
        ["channel", "lane"],
        unique=False,
        postgresql_where=OPEN,
        sqlite_where=OPEN,
    )
    op.create_table(
        "worker",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("seen_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "send_budget",
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("next_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("channel"),
    )
    op.create_table(
        "send_slot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("slot_at", sa.Float(), nullable=False),
        sa.Column("ended_at", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_send_slot_channel_id", "send_slot", ["channel", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_send_slot_channel_id", table_name="send_slot")
    op.drop_table("send_slot")
    op.drop_table("send_budget")
    op.drop_table("worker")
    op.drop_index("ix_inbox_open_lane", table_name="inbox")
    with op.batch_alter_table("inbox", schema=None) as batch_op:
        batch_op.drop_column("lane")
        batch_op.drop_column("worker")
