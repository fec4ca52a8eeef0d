"""inbox: keep each update until it is processed, retry it once, prune after 30 days

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 10:00:00

Until now processed_at was never written: every existing row is taken as processed (at its
receipt), or the first start after this upgrade would retry or report all of them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("inbox", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("attempts", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("payload", sa.JSON(), nullable=True))
        batch_op.create_index(batch_op.f("ix_inbox_received_at"), ["received_at"], unique=False)
    op.execute("UPDATE inbox SET processed_at = received_at WHERE processed_at IS NULL")


def downgrade() -> None:
    with op.batch_alter_table("inbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inbox_received_at"))
        batch_op.drop_column("payload")
        batch_op.drop_column("attempts")
