"""outbox chat index: a chat's rows still to send found without reading every ready row

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 23:00:00

Both senders claim a row only when it heads its chat's queue
(`db.queries.outbox_heads.heads`): the rows still to send (`status` pending or sending) of
the chats of a page of candidates. With `chat_id` alone indexed, SQLite read them through
`ix_outbox_ready` instead, every ready row of a 3,000-row fan-out for each claim, which took
twice as long as before the rule. `ix_outbox_chat` on (chat_id, channel, status) finds them
per chat, however many rows a chat has sent before, and serves every lookup by chat the old
index served, which it replaces. See bench/README.md, "A chat's messages in queue order".
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_outbox_chat", "outbox", ["chat_id", "channel", "status"])
    op.drop_index("ix_outbox_chat_id", table_name="outbox")


def downgrade() -> None:
    op.create_index("ix_outbox_chat_id", "outbox", ["chat_id"])
    op.drop_index("ix_outbox_chat", table_name="outbox")
