"""used link lease: a link taken for a file being built holds it until a time, then is free

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 21:30:00

`used_link.building_until` is when the use that took a link stops holding it unless it
confirmed that the file was given (then it is NULL): a process that died while building
no longer leaves the link used for good. Rows from before stay NULL, as used.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from db.types import UTCDateTime

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("used_link", schema=None) as batch_op:
        batch_op.add_column(sa.Column("building_until", UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("used_link", schema=None) as batch_op:
        batch_op.drop_column("building_until")
