"""merge indexes: find a person's outbox rows and status reports without a scan

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 12:00:00

Merging two people (`/link` across channels, `dondoc contacts merge`,
`db/queries/merging.merge_people`) moves every row naming the one merged away, in the
transaction that holds SQLite's write lock. `outbox.contact_id` and `status_report.contact_id`
had no index: each `UPDATE ... WHERE contact_id = ?` read the whole table (a few hundred
ms at 200,000 rows each, every other write of the bot waiting). See bench/README.md, "Merging
two people".
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_outbox_contact_id", "outbox", ["contact_id"])
    op.create_index("ix_status_report_contact_id", "status_report", ["contact_id"])


def downgrade() -> None:
    op.drop_index("ix_status_report_contact_id", table_name="status_report")
    op.drop_index("ix_outbox_contact_id", table_name="outbox")
