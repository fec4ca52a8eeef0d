"""inbox: key each update by its account and the epoch of its ids; keep a digest of it

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05 05:00:00

A fake Bot API server restarted (or Telegram, after a week without updates) may hand out
update ids that were seen before; keyed by (channel, update_id) alone, its new updates were
dropped as duplicates. The digest of an update's content tells a replay (same content) from
a new update under a known id. Rows recorded before this revision get account "", epoch 0
and no digest; the Telegram bot adopts them under its own id when it starts
(handlers/telegram/epochs.py).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# 0001 left the unique constraint unnamed: PostgreSQL named it itself; on SQLite, batch mode
# names the reflected constraint by this convention so that it can be dropped.
_CONVENTION = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def _old_constraint() -> str:
    """Return the name of 0001's unique constraint on (channel, update_id)."""
    if op.get_bind().dialect.name == "postgresql":
        return "inbox_channel_update_id_key"
    return "uq_inbox_channel"


def upgrade() -> None:
    with op.batch_alter_table("inbox", naming_convention=_CONVENTION) as batch_op:
        batch_op.add_column(
            sa.Column(
                "account",
                sqlmodel.sql.sqltypes.AutoString(length=64),
                nullable=False,
                server_default="",
            )
        )
        batch_op.add_column(sa.Column("epoch", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(
            sa.Column(
                "digest",
                sqlmodel.sql.sqltypes.AutoString(length=32),
                nullable=False,
                server_default="",
            )
        )
        batch_op.drop_constraint(_old_constraint(), type_="unique")
        batch_op.create_unique_constraint(
            "uq_inbox_update", ["channel", "account", "epoch", "update_id"]
        )


def downgrade() -> None:
    # Updates of earlier epochs would break the old key: only the newest epoch's are kept.
    op.execute(
        "DELETE FROM inbox WHERE EXISTS (SELECT 1 FROM inbox AS newer"
        " WHERE newer.channel = inbox.channel AND newer.update_id = inbox.update_id"
        " AND newer.id > inbox.id)"
    )
    with op.batch_alter_table("inbox", naming_convention=_CONVENTION) as batch_op:
        batch_op.drop_constraint("uq_inbox_update", type_="unique")
        batch_op.create_unique_constraint(_old_constraint(), ["channel", "update_id"])
        batch_op.drop_column("digest")
        batch_op.drop_column("epoch")
        batch_op.drop_column("account")
