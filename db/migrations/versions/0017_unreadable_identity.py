"""an identity whose messages the bot cannot read: when that began

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 23:00:00

Zalo hands the bot `message.unsupported.received`, with no words, for what it does not pass
on: a file, a voice message, and every message of an account it protects (a child's, a
person with a disability's). Such a person was told "write in words" whatever they wrote,
and the admins could not see why they never answered. `contact_identity.unreadable_since`
is when the messages of that identity stopped being readable (NULL: the last one was read),
shown in `/contacts` and a person's card. Nothing to fill in: the past is not known.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("contact_identity", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("unreadable_since", db.types.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("contact_identity", schema=None) as batch_op:
        batch_op.drop_column("unreadable_since")
