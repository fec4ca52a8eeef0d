"""assignment merged into: where an old unit's work on a task went on after a merge

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 23:00:00

Units merged (`/mergeunits`, `dondoc units merge`, `db/queries/unit_merge.py`) leave each old
unit's assignment of an open task inactive: taken off when several became one, or kept as the
old unit's history when it was handed over whole. A status button on a reminder sent before
the merge names such a row, and was refused as "not your unit's"; `merged_into_id` names the
assignment the work went on in, which the press now reaches (`db.queries.checkin`), and the
new unit's page reads the history it carries on (`app.unit_reports`).

The merges made before this revision are read back from their audit entries
(`task.units_merged`: the task, the old units, the new one): each old unit's inactive row of
the task points at the new unit's. An index on it serves the new unit's page. The downgrade
drops both.
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MERGES = sa.text(
    "SELECT object_id, details FROM audit_log"
    " WHERE action = 'task.units_merged' AND object_type = 'task' ORDER BY id"
)
KEPT = sa.text("SELECT id FROM assignment WHERE task_id = :task AND unit_id = :unit")
POINT = sa.text(
    "UPDATE assignment SET merged_into_id = :kept"
    " WHERE task_id = :task AND unit_id = :unit AND active = :off AND id <> :kept"
    " AND merged_into_id IS NULL"
)


def upgrade() -> None:
    # Added, not rebuilt: a batch would copy the table and drop its task_count triggers.
    connection = op.get_bind()
    if connection.dialect.name == "sqlite":  # its ADD COLUMN takes the reference inline
        op.execute(
            "ALTER TABLE assignment ADD COLUMN merged_into_id INTEGER REFERENCES assignment (id)"
        )
    else:
        op.add_column("assignment", sa.Column("merged_into_id", sa.Integer(), nullable=True))
        op.create_foreign_key(None, "assignment", "assignment", ["merged_into_id"], ["id"])
    # The rows a unit's page reads back through it (`db.queries.unit_merge_history`).
    op.create_index("ix_assignment_merged_into_id", "assignment", ["merged_into_id"])
    for task_id, details in connection.execute(MERGES).all():
        found = json.loads(details) if isinstance(details, str) else details or {}
        into, units = found.get("into"), found.get("from") or []
        if not str(task_id).isdigit() or not isinstance(into, int):
            continue
        task = int(task_id)  # the audit's object_id is text
        kept = connection.execute(KEPT, {"task": task, "unit": into}).scalar()
        for unit in units if kept is not None else []:
            params = {"kept": kept, "task": task, "unit": unit, "off": False}
            connection.execute(POINT, params)


def downgrade() -> None:
    op.drop_index("ix_assignment_merged_into_id", table_name="assignment")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE assignment DROP COLUMN merged_into_id")
    else:
        op.drop_column("assignment", "merged_into_id")  # its reference with it
