"""contact_identity: a person (contact) may have one chat identity per channel; link_code

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05 05:00:00

Every contact's identity columns (channel, external_id, chat_id, username, started,
reachable, unreachable_since, last_seen_at) move into one contact_identity row; the contact
keeps what belongs to the person (name, language, role, digest). Units, scope, reports and
the outbox keep pointing at contact.id.

On SQLite, batch mode rebuilds `contact` (drop and rename), which `db.migrate` allows by
running migrations with foreign keys off and checking them all before committing.

link_code holds the hashed one-time codes of /link, which adds an identity to a person.

The downgrade keeps one identity per person (Telegram's, else the oldest): a person linked
to several channels loses the others, which the old schema cannot hold.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import db.types

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

IDENTITY = (
    "channel",
    "external_id",
    "chat_id",
    "username",
    "started",
    "reachable",
    "unreachable_since",
    "last_seen_at",
)


def upgrade() -> None:
    op.create_table(
        "contact_identity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("external_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("chat_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("username", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("started", sa.Boolean(), nullable=False),
        sa.Column("reachable", sa.Boolean(), nullable=False),
        sa.Column("unreachable_since", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_seen_at", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["contact_id"], ["contact.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("channel", "external_id"),
    )
    with op.batch_alter_table("contact_identity", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contact_identity_contact_id"), ["contact_id"], unique=False
        )
    op.create_table(
        "link_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("created_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["contact_id"], ["contact.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("link_code", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_link_code_code_hash"), ["code_hash"], unique=False)
        batch_op.create_index(batch_op.f("ix_link_code_contact_id"), ["contact_id"], unique=False)
    listed = ", ".join(IDENTITY)
    op.execute(
        f"INSERT INTO contact_identity (contact_id, {listed}, created_at)"
        f" SELECT id, {listed}, created_at FROM contact ORDER BY id"
    )
    with op.batch_alter_table("contact", schema=None) as batch_op:
        for column in IDENTITY:
            batch_op.drop_column(column)


def downgrade() -> None:
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.add_column(sa.Column("channel", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("external_id", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("chat_id", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("username", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("started", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("reachable", sa.Boolean(), nullable=True))
        batch_op.add_column(
            sa.Column("unreachable_since", db.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("last_seen_at", db.types.UTCDateTime(timezone=True), nullable=True)
        )
    kept = (
        "SELECT i.id FROM contact_identity i WHERE i.contact_id = contact.id"
        " ORDER BY CASE WHEN i.channel = 'telegram' THEN 0 ELSE 1 END, i.id LIMIT 1"
    )
    for column in IDENTITY:
        op.execute(
            f"UPDATE contact SET {column} ="
            f" (SELECT k.{column} FROM contact_identity k WHERE k.id = ({kept}))"
        )
    # A person with no identity left (none is made so) still needs a unique one.
    op.execute(
        "UPDATE contact SET channel = 'none', external_id = 'contact:' || CAST(id AS VARCHAR),"
        " started = false, reachable = false WHERE external_id IS NULL"
    )
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.alter_column("channel", existing_type=sa.String(length=20), nullable=False)
        batch_op.alter_column("external_id", existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column("started", existing_type=sa.Boolean(), nullable=False)
        batch_op.alter_column("reachable", existing_type=sa.Boolean(), nullable=False)
        batch_op.create_unique_constraint(
            "contact_channel_external_id_key", ["channel", "external_id"]
        )
    with op.batch_alter_table("contact_identity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_identity_contact_id"))
    op.drop_table("contact_identity")
    with op.batch_alter_table("link_code", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_link_code_contact_id"))
        batch_op.drop_index(batch_op.f("ix_link_code_code_hash"))
    op.drop_table("link_code")
