"""outbox purge: find the oldest outbox rows, and delete them without scanning reminders

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 02:30:00

Housekeeping deletes the finished outbox rows older than OUTBOX_KEEP_DAYS, oldest first
(`db/queries/outbox_purge.py`): `ix_outbox_created` finds them without reading the whole
outbox. Each deleted row's id is checked against `reminder.outbox_id`, a foreign key
without an index until now: PostgreSQL and SQLite would scan every reminder for each row
deleted. The column is empty in practice, so the index holds only its non-empty rows.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HELD = sa.text("outbox_id IS NOT NULL")


def upgrade() -> None:
    op.create_index("ix_outbox_created", "outbox", ["created_at"])
    op.create_index(
        "ix_reminder_outbox",
        "reminder",
        ["outbox_id"],
        postgresql_where=HELD,
        sqlite_where=HELD,
    )


def downgrade() -> None:
    op.drop_index("ix_reminder_outbox", table_name="reminder")
    op.drop_index("ix_outbox_created", table_name="outbox")
