"""an extension request keeps the decider's words: an approval's note, a rejection's reason

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 23:00:00

A rejection's reason (typed with `/reject N …`, in the dashboard's field, or typed after the
❌ button asked for it) went to the unit and into the audit log alone: the task page and the
workbook, where a coordinator looks at a request later, could not show it without reading
every extension decision of the audit log, whose `object_id` has no index (a task page took
~140 ms at 50,000 decisions). `extension_request.decision_note` keeps it on the request; this
fills it for the decisions made before, from the audit log: the reason typed after the
rejection (the last), else the note typed with the decision. The downgrade drops the column;
the audit log still holds the words.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AUDIT = sa.table(
    "audit_log",
    sa.column("id"),
    sa.column("action"),
    sa.column("object_id"),
    sa.column("details", sa.JSON()),
)
REQUESTS = sa.table("extension_request", sa.column("id"), sa.column("decision_note"))
DECIDED = ("extension.approved", "extension.rejected")
REASON_AFTER = "extension.rejected_reason"


def upgrade() -> None:
    op.add_column(
        "extension_request",
        sa.Column(
            "decision_note",
            sqlmodel.sql.sqltypes.AutoString(length=4096),
            nullable=False,
            server_default="",
        ),
    )
    connection = op.get_bind()
    entries = connection.execute(
        sa.select(AUDIT.c.object_id, AUDIT.c.action, AUDIT.c.details)
        .where(AUDIT.c.action.in_((*DECIDED, REASON_AFTER)))
        .order_by(AUDIT.c.id)
    )
    notes: dict[str, str] = {}
    after: dict[str, str] = {}
    for object_id, action, details in entries:
        words = details if isinstance(details, dict) else {}
        if action == REASON_AFTER:
            after[object_id] = str(words.get("reason") or "")
        else:
            notes[object_id] = str(words.get("note") or "")
    kept = [
        {"request_id": int(rid), "note": (after.get(rid) or notes.get(rid) or "")[:4096]}
        for rid in {*notes, *after}
        if rid.isdigit() and (after.get(rid) or notes.get(rid))
    ]
    if kept:
        connection.execute(
            REQUESTS.update()
            .where(REQUESTS.c.id == sa.bindparam("request_id"))
            .values(decision_note=sa.bindparam("note")),
            kept,
        )


def downgrade() -> None:
    with op.batch_alter_table("extension_request") as batch_op:
        batch_op.drop_column("decision_note")
