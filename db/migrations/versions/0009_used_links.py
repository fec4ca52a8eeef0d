"""used links: download links taken once (their signature's hash), until they expire

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 18:30:00

A link sent in chat works once: `used_link` holds the SHA-256 of each taken link's
signature (the primary key, so two concurrent uses cannot both insert it) and the link's
expiry, after which the row is of no use and is purged.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from db.types import UTCDateTime

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "used_link",
        sa.Column("key_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("used_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key_hash"),
    )
    op.create_index(op.f("ix_used_link_expires_at"), "used_link", ["expires_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_used_link_expires_at"), table_name="used_link")
    op.drop_table("used_link")
