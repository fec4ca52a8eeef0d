"""outbox kind index: find the messages of one kind sent since a time without a full scan

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 00:30:00

`/nudge` asks who was nudged about a task in the last hour. The outbox keeps every message
ever queued, so without an index on `(kind, created_at)` that question read all of it.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_outbox_kind_created", "outbox", ["kind", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_outbox_kind_created", table_name="outbox")
