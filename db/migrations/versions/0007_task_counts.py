"""task_count: each task's assignments counted in the taxonomy, kept by triggers

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 06:30:00

One row per task and `due_at` (most of a task's assignments share one; an approved
extension adds another): how many active assignments, done on time, done late, not done,
not done and never reported, blocked. Done on time or late is fixed once done; not done
splits into in time and overdue by comparing the row's `due_at` with the clock when read
(`db/queries/taskcounts.py`). Triggers on `assignment` keep it in the same transaction as
every insert, delete and update of the counted columns, whichever code makes them; the
table is filled here from the existing rows and can be rebuilt the same way
(`dondoc db recount`).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from db.types import UTCDateTime

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COUNTED = ("task_id", "active", "state", "due_at", "done_at", "last_report_at")


def _terms(row: str) -> list[str]:
    """Return the counted values of one assignment row (OLD or NEW), in COLUMNS' order."""
    done = f"{row}.state = 'done'"
    return list(
        (
            "1",
            f"CASE WHEN {done} AND {row}.done_at < {row}.due_at THEN 1 ELSE 0 END",
            f"CASE WHEN {done} AND {row}.done_at >= {row}.due_at THEN 1 ELSE 0 END",
            f"CASE WHEN NOT ({done}) THEN 1 ELSE 0 END",
            f"CASE WHEN NOT ({done}) AND {row}.last_report_at IS NULL THEN 1 ELSE 0 END",
            f"CASE WHEN {row}.state = 'blocked' THEN 1 ELSE 0 END",
        )
    )


COLUMNS = ("n", "done_on_time", "done_late", "not_done", "no_report", "blocked")


def _upsert(row: str, sign: str) -> str:
    """Return the statement adding (sign '+') or taking away ('-') one row's counts."""
    names = ", ".join(COLUMNS)
    values = ", ".join(f"{sign}({t})" for t in _terms(row))
    sets = ", ".join(f"{c} = task_count.{c} + excluded.{c}" for c in COLUMNS)
    return (
        f"INSERT INTO task_count (task_id, due_at, {names})"
        f" VALUES ({row}.task_id, {row}.due_at, {values})"
        f" ON CONFLICT (task_id, due_at) DO UPDATE SET {sets}"
    )


def upgrade() -> None:
    op.create_table(
        "task_count",
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("due_at", UTCDateTime(timezone=True), nullable=False),
        *(sa.Column(c, sa.Integer(), nullable=False) for c in COLUMNS),
        sa.ForeignKeyConstraint(["task_id"], ["task.id"]),
        sa.PrimaryKeyConstraint("task_id", "due_at"),
    )
    bind = op.get_bind()
    changed = ", ".join(COUNTED)
    if bind.dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION task_count_keep() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            "BEGIN\n"
            "  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.active THEN\n"
            f"    {_upsert('OLD', '-')};\n"
            "  END IF;\n"
            "  IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.active THEN\n"
            f"    {_upsert('NEW', '+')};\n"
            "  END IF;\n"
            "  RETURN NULL;\n"
            "END $$"
        )
        op.execute(
            f"CREATE TRIGGER task_count_keep AFTER INSERT OR DELETE OR UPDATE OF {changed}"
            " ON assignment FOR EACH ROW EXECUTE FUNCTION task_count_keep()"
        )
    else:
        op.execute(
            "CREATE TRIGGER task_count_insert AFTER INSERT ON assignment WHEN NEW.active"
            f" BEGIN {_upsert('NEW', '+')}; END"
        )
        op.execute(
            "CREATE TRIGGER task_count_delete AFTER DELETE ON assignment WHEN OLD.active"
            f" BEGIN {_upsert('OLD', '-')}; END"
        )
        # Two triggers for an update, each with its WHEN: a trigger program runs every
        # statement, so the old row's and the new row's parts cannot share one.
        op.execute(
            f"CREATE TRIGGER task_count_update_old AFTER UPDATE OF {changed} ON assignment"
            f" WHEN OLD.active BEGIN {_upsert('OLD', '-')}; END"
        )
        op.execute(
            f"CREATE TRIGGER task_count_update_new AFTER UPDATE OF {changed} ON assignment"
            f" WHEN NEW.active BEGIN {_upsert('NEW', '+')}; END"
        )
    # Fill from the rows there are (the same statement as db.queries.taskcounts.rebuild).
    sums = ", ".join(f"SUM({t})" for t in _terms("a"))
    op.execute(
        f"INSERT INTO task_count (task_id, due_at, {', '.join(COLUMNS)})"
        f" SELECT a.task_id, a.due_at, {sums} FROM assignment a WHERE a.active"
        " GROUP BY a.task_id, a.due_at"
    )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP TRIGGER task_count_keep ON assignment")
        op.execute("DROP FUNCTION task_count_keep()")
    else:
        for name in ("insert", "delete", "update_old", "update_new"):
            op.execute(f"DROP TRIGGER task_count_{name}")
    op.drop_table("task_count")
