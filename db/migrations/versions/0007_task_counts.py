"""task_count: each task's assignments counted in the taxonomy, kept by triggers

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 06:30:00

One row per task and `due_at` (most of a task's assignments share one; an approved
extension adds another): how many active assignments, done on time, done late, not done,
not done and never reported, blocked. Done on time or late is fixed once done; not done
splits into in time and overdue by comparing the row's `due_at` with the clock when read
(`db/queries/taskcounts.py`). Triggers on `assignment` keep it in the same transaction as
every insert, delete and update of the counted columns, whichever code makes them (on
SQLite one per row, on PostgreSQL one per statement over its transition tables); the
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


def _apply(sources: tuple[tuple[str, str], ...]) -> str:
    """Return the statement adding (+) or taking away (-) the rows of transition tables."""
    names = ", ".join(COLUMNS)
    parts = " UNION ALL ".join(
        f"SELECT a.task_id, a.due_at, "
        + ", ".join(f"{sign}({t}) AS {c}" for t, c in zip(_terms("a"), COLUMNS, strict=True))
        + f" FROM {table} a WHERE a.active"
        for table, sign in sources
    )
    sums = ", ".join(f"SUM(d.{c})" for c in COLUMNS)
    changed = " OR ".join(f"SUM(d.{c}) <> 0" for c in COLUMNS)
    sets = ", ".join(f"{c} = task_count.{c} + excluded.{c}" for c in COLUMNS)
    return (
        f"INSERT INTO task_count (task_id, due_at, {names})"
        f" SELECT d.task_id, d.due_at, {sums} FROM ({parts}) d"
        f" GROUP BY d.task_id, d.due_at HAVING {changed}"
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
    changed = ", ".join(COUNTED)  # SQLite's update triggers fire on these columns only
    if bind.dialect.name == "postgresql":
        # Statement-level triggers over transition tables: one upsert per task and due_at
        # a statement touched, not one per row (a COPY or an import of a million rows would
        # otherwise update the same few counter rows a million times, each a new version).
        # Transition tables allow one event per trigger and no column list: an update of
        # other columns (a reminder's mark) nets to nothing and writes nothing.
        for event, sources in (
            ("insert", (("new_rows", "+"),)),
            ("delete", (("old_rows", "-"),)),
            ("update", (("new_rows", "+"), ("old_rows", "-"))),
        ):
            op.execute(
                f"CREATE FUNCTION task_count_{event}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
                f"BEGIN\n  {_apply(sources)};\n  RETURN NULL;\nEND $$"
            )
            tables = " ".join(
                f"{'NEW' if name == 'new_rows' else 'OLD'} TABLE AS {name}" for name, _ in sources
            )
            op.execute(
                f"CREATE TRIGGER task_count_{event} AFTER {event.upper()} ON assignment"
                f" REFERENCING {tables} FOR EACH STATEMENT"
                f" EXECUTE FUNCTION task_count_{event}()"
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
        for event in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER task_count_{event} ON assignment")
            op.execute(f"DROP FUNCTION task_count_{event}()")
    else:
        for name in ("insert", "delete", "update_old", "update_new"):
            op.execute(f"DROP TRIGGER task_count_{name}")
    op.drop_table("task_count")
